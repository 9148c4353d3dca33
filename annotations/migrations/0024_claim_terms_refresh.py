"""The similar-claims matcher reads quotes differently (verbs of attribution left out in
their dictionary form too, number words as figures only, war-news synonyms as one sense,
ordinals and trillions as figures, decimals weighed as telling figures): every claim's
terms are written anew by `similarity.terms`, the code the services use, so that old
claims and new ones are found alike. Works in batches of 500 claims (SQLite and
PostgreSQL)."""

from django.db import migrations


def refresh_terms(apps, schema_editor):
    from annotations import similarity

    Annotation = apps.get_model("annotations", "Annotation")
    ClaimTerm = apps.get_model("annotations", "ClaimTerm")
    claims = Annotation.objects.order_by("pk").values_list("pk", "quote", "article__language")
    batch: list = []
    ids: list[int] = []

    def flush() -> None:
        ClaimTerm.objects.filter(annotation_id__in=ids).delete()
        ClaimTerm.objects.bulk_create(batch)
        batch.clear()
        ids.clear()

    for pk, quote, language in claims.iterator(chunk_size=2000):
        ids.append(pk)
        for term, weight in similarity.terms(quote, language).items():
            batch.append(ClaimTerm(annotation_id=pk, term=term, weight=weight))
        if len(ids) >= 500:  # SQLite takes at most 999 parameters in older versions
            flush()
    flush()


class Migration(migrations.Migration):
    dependencies = [("annotations", "0023_suggestion_dismissals")]

    operations = [migrations.RunPython(refresh_terms, migrations.RunPython.noop)]
