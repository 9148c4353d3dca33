"""Migration 0007 merges the duplicate claims already stored before 0008 forbids them."""

import pytest
from django.utils import timezone

from tests.migrating import back_at

pytestmark = pytest.mark.django_db(transaction=True)


def test_duplicates_are_merged_into_the_oldest_and_recorded(capsys):
    with back_at("0006_reading_order_index") as (apps, forward):
        Article = apps.get_model("annotations", "Article")
        Annotation = apps.get_model("annotations", "Annotation")
        Historical = apps.get_model("annotations", "HistoricalAnnotation")
        article = Article.objects.create(title="t", body="Kyiv says 31 drones.", body_hash="h")
        now = timezone.now()
        span = {"article": article, "start": 10, "end": 19, "quote": "31 drones"}
        oldest = Annotation.objects.create(label="disputed", **span)
        twins = [Annotation.objects.create(label="disputed", **span) for _ in range(2)]
        other_verdict = Annotation.objects.create(label="verified", **span)
        orphans = [
            Annotation.objects.create(label="disputed", anchor_state="orphaned", **span)
            for _ in range(2)
        ]
        Annotation.objects.filter(pk=oldest.pk).update(created_at=now.replace(year=2020))

        forward()
        printed = capsys.readouterr().out
        for twin in twins:
            assert f"#{twin.pk} into #{oldest.pk}" in printed
        kept = set(Annotation.objects.values_list("pk", flat=True))
        assert kept == {oldest.pk, other_verdict.pk, *(o.pk for o in orphans)}
        for twin in twins:
            record = Historical.objects.get(id=twin.pk, history_type="-")
            assert f"merged into claim {oldest.pk}" in record.history_change_reason
            assert record.quote == "31 drones" and record.label == "disputed"
