"""The trigram search's quotes move to a table of their own (`ClaimQuote`), on PostgreSQL:
the GIN trigram index on every claim's quote was two thirds of the bulk import's claim
writes. Its rows are written with the claims' terms (inline for a save, by the terms job
for an import); here, for the claims already here, but those whose terms are pending (the
job writes theirs). The database deletes a claim's row with the claim. SQLite has no
trigram search and keeps the table empty."""

import django.db.models.deletion
from django.db import migrations, models

OLD_INDEX = "annotation_quote_trgm_idx"
INDEX = "claim_quote_trgm_idx"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE annotations_claimquote ADD CONSTRAINT claim_quote_annotation_fk "
        "FOREIGN KEY (annotation_id) REFERENCES annotations_annotation (id) ON DELETE CASCADE"
    )
    schema_editor.execute(
        "INSERT INTO annotations_claimquote (annotation_id, quote) "
        "SELECT a.id, a.quote FROM annotations_annotation a WHERE NOT EXISTS "
        "(SELECT 1 FROM annotations_termspending p WHERE p.article_id = a.article_id)"
    )
    schema_editor.execute(
        f"CREATE INDEX {INDEX} ON annotations_claimquote USING gin (quote gin_trgm_ops)"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON annotations_annotation "
        "USING gin (quote gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0028_reading_index_covers_the_summary"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClaimQuote",
            fields=[
                (
                    "annotation",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="trigram_quote",
                        serialize=False,
                        to="annotations.annotation",
                    ),
                ),
                ("quote", models.TextField()),
            ],
            options={
                "ordering": ["annotation_id"],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
