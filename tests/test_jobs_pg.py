"""Keyed jobs and periodic jobs under races (PostgreSQL): threads released together by a
barrier, each with its own connection, as saves and workers meet in production."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from annotations import jobs
from annotations.models import JobKey
from tests import jobs_for_tests as t
from tests.factories import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 10


def test_ten_saves_of_one_record_at_once_leave_one_waiting_job():
    # The first time, for a key no one has used; then again once that job has run.
    for _ in range(2):
        ids = all_at_once(THREADS, lambda i: jobs.enqueue_once(t.capture, 7, key="capture:7").id)
        waiting = DBTaskResult.objects.filter(
            task_path=t.capture.module_path, status=TaskResultStatus.READY
        )
        assert waiting.count() == 1 and set(ids) == {str(waiting.get().pk)}
        assert str(JobKey.objects.get(key="capture:7").job_id) == ids[0]
        waiting.update(status=TaskResultStatus.SUCCESSFUL)
    assert DBTaskResult.objects.count() == 2


def test_saves_racing_a_worker_that_claims_the_job_leave_at_most_one_waiting():
    """A worker claims the waiting job while saves ask for it: each save joins the first job
    (which the worker then skips, locked, or takes after it) or shares one new waiting job."""
    for round_ in range(5):
        key = f"capture:{round_}"
        first = jobs.enqueue_once(t.capture, round_, key=key)

        def work(i, key=key, round_=round_, first=first):
            if i == 0:  # the worker: claims whatever is due, as db_worker does
                due = DBTaskResult.objects.ready().filter(pk=first.id)
                with exclusive_transaction(due.db):
                    claimed = due.get_locked()
                    if claimed is not None:
                        claimed.claim("racing-worker")
                return claimed is not None
            return jobs.enqueue_once(t.capture, round_, key=key).id

        claimed, *ids = all_at_once(THREADS, work)
        rows = DBTaskResult.objects.filter(args_kwargs__args=[round_])
        waiting = [str(r.pk) for r in rows if r.status == TaskResultStatus.READY]
        assert len(waiting) <= 1
        if claimed:
            # Saves that joined the first job did so before the claim; the rest share one.
            assert set(ids) <= {first.id, *waiting}
        else:  # a save held the job's lock: the worker skipped it, the job still waits
            assert waiting == [first.id] and set(ids) == {first.id}


def test_ten_workers_ticking_at_once_enqueue_a_periodic_job_once(settings):
    settings.PERIODIC_JOBS = {"tests.jobs_for_tests.tick_tock": 600}
    all_at_once(THREADS, lambda i: jobs.schedule_periodic())
    runs = DBTaskResult.objects.filter(task_path=t.tick_tock.module_path)
    assert runs.count() == 1
    # Its run done, ten ticks at once again enqueue the next one once, a period later.
    runs.update(status=TaskResultStatus.SUCCESSFUL, run_after=timezone.now())
    all_at_once(THREADS, lambda i: jobs.schedule_periodic())
    (following,) = runs.filter(status=TaskResultStatus.READY)
    assert following.run_after > timezone.now() + timedelta(seconds=590)
