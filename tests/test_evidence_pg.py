"""Evidence tracking under races (PostgreSQL): saves of one claim's link at once, each thread
with its own connection, released together by a barrier."""

import pytest
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from annotations import services
from annotations.models import Annotation, Evidence
from annotations.services import evidence as service

from .factories import AnnotationFactory, all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
LINK = "https://t.me/example/1234"


def waiting() -> int:
    return DBTaskResult.objects.filter(
        task_path=service.capture_evidence.module_path, status=TaskResultStatus.READY
    ).count()


def test_saves_of_one_claims_link_at_once_make_one_evidence_and_one_waiting_job(editor):
    claim = AnnotationFactory(created_by=editor)

    def save(i):
        return services.annotation_update(
            annotation=Annotation.objects.get(pk=claim.pk),
            user=editor,
            label=claim.label,
            source=None,
            credibility=None,
            note=f"edit {i}",
            evidence_url=LINK,
        ).pk

    assert all_at_once(THREADS, save) == [claim.pk] * THREADS
    assert Evidence.objects.filter(claim=claim, url=LINK).count() == 1
    assert waiting() == 1


def test_tracking_one_link_at_once_without_the_claims_lock_still_makes_one_of_each():
    """The row and the job are decided by the database (a unique row, a locked job key),
    not by the claim's lock alone: a bulk path or a future door that does not lock the
    claim still makes one of each."""
    claim = AnnotationFactory(evidence_url=LINK)

    def track(i):
        with transaction.atomic():
            return service.evidence_track(claim=claim).pk

    ids = all_at_once(THREADS, track)
    assert len(set(ids)) == 1
    assert Evidence.objects.count() == 1
    assert waiting() == 1
