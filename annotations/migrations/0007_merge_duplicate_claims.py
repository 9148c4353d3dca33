"""Before one save can only be one claim (0008), merge the duplicates already stored: the same
article, span, label and source (orphans aside), keeping the oldest. Each merged claim is
recorded as deleted in its history, with the claim it was merged into, and listed here."""

from django.db import migrations
from django.db.models import Count, Min
from django.utils import timezone

KEY = ("article_id", "start", "end", "label", "source_id")


def merge_duplicates(apps, schema_editor):
    Annotation = apps.get_model("annotations", "Annotation")
    Historical = apps.get_model("annotations", "HistoricalAnnotation")
    live = Annotation.objects.exclude(anchor_state="orphaned")
    groups = live.values(*KEY).annotate(n=Count("id"), first=Min("id")).filter(n__gt=1)
    fields = [f.attname for f in Annotation._meta.concrete_fields]
    merged = []
    now = timezone.now()
    for group in groups:
        claims = list(
            live.filter(**{k: group[k] for k in KEY}).order_by("created_at", "id")
        )
        keep, duplicates = claims[0], claims[1:]
        for claim in duplicates:
            Historical.objects.create(
                **{f: getattr(claim, f) for f in fields},
                history_date=now,
                history_type="-",
                history_change_reason=f"merged into claim {keep.pk}: the same passage, "
                "verdict and source",
            )
            merged.append((claim.pk, keep.pk))
        Annotation.objects.filter(pk__in=[c.pk for c in duplicates]).delete()
    if merged:
        print(  # noqa: T201 - the person migrating is told what changed
            f"\n  Merged {len(merged)} duplicate claim(s) into the oldest of each: "
            + ", ".join(f"#{gone} into #{kept}" for gone, kept in merged)
        )


class Migration(migrations.Migration):
    dependencies = [("annotations", "0006_reading_order_index")]

    operations = [migrations.RunPython(merge_duplicates, migrations.RunPython.noop)]
