"""Shared claims: the roles' new permissions (link for editors, merge for reviewers); the
matcher's terms of the claims already here; and, on PostgreSQL only, pg_trgm with a GIN
index on the quotes (similar claims' candidates). SQLite skips the index, as 0003 does."""

from django.db import migrations

INDEX = "annotation_quote_trgm_idx"


def roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from annotations.permissions import ensure_groups

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_groups(apps, partial=True)  # the later ones: 0022_desk_cues


def terms(apps, schema_editor):
    from annotations import similarity

    Annotation = apps.get_model("annotations", "Annotation")
    ClaimTerm = apps.get_model("annotations", "ClaimTerm")
    batch = []
    claims = Annotation.objects.values_list("pk", "quote", "article__language")
    for pk, quote, language in claims.iterator(chunk_size=2000):
        for term, weight in similarity.terms(quote, language).items():
            batch.append(ClaimTerm(annotation_id=pk, term=term, weight=weight))
        if len(batch) >= 5000:
            ClaimTerm.objects.bulk_create(batch)
            batch = []
    ClaimTerm.objects.bulk_create(batch)


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON annotations_annotation "
        "USING gin (quote gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("annotations", "0020_shared_claims")]

    operations = [
        migrations.RunPython(roles, migrations.RunPython.noop),
        migrations.RunPython(terms, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
