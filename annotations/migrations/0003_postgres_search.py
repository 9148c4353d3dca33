"""PostgreSQL only: a full-text index for the article search. SQLite skips it."""

from django.db import migrations

INDEX = "article_search_idx"
EXPRESSION = (
    "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(outlet, '') || ' ' "
    "|| coalesce(body, ''))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON annotations_article USING gin ({EXPRESSION})"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("annotations", "0002_role_groups")]

    operations = [migrations.RunPython(forwards, backwards)]
