"""The background job queue (annotations/jobs.py): keyed jobs, retries with backoff, periodic
jobs, the sweep of lost jobs, /healthz, the admin, and a real worker process."""

import logging
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from annotations import jobs
from annotations.models import JobKey, JobWorker
from tests import jobs_for_tests as t

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parent.parent
READY, RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING
FAILED, SUCCESSFUL = TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL
SWEEP = "annotations.jobs.sweep_lost_jobs"


@pytest.fixture(autouse=True)
def _quiet_queue(settings):
    """Known delays, and no periodic job but the ones a test asks for."""
    settings.JOBS_BACKOFF_SECONDS = [60, 300]
    settings.JOBS_MAX_ATTEMPTS = 6
    settings.PERIODIC_JOBS = {}
    t.GAVE_UP.clear()


def rows(the_task, status=None):
    found = DBTaskResult.objects.filter(task_path=the_task.module_path).order_by("enqueued_at")
    return list(found.filter(status=status) if status else found)


def meta(row) -> dict:
    return row.args_kwargs["kwargs"][jobs.META]


def make_due(row) -> None:
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now() - timedelta(seconds=1))


def seconds_from_now(when) -> float:
    return (when - timezone.now()).total_seconds()


# --- Running --------------------------------------------------------------------------------


def test_an_enqueued_job_waits_in_the_table_until_a_worker_runs_it():
    result = t.double.enqueue(21)
    assert DBTaskResult.objects.get(pk=result.id).status == READY
    jobs.run_due_jobs()
    done = DBTaskResult.objects.get(pk=result.id)
    assert (done.status, done.return_value) == (SUCCESSFUL, 42)


def test_run_due_jobs_runs_the_queue_asked_for_and_nothing_deferred():
    t.double.enqueue(1)
    t.capture.enqueue(2)
    later = t.capture.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(3)
    jobs.run_due_jobs(jobs.EVIDENCE)
    assert [r.status for r in rows(t.double)] == [READY]
    assert {r.args_kwargs["args"][0]: r.status for r in rows(t.capture)} == {
        2: SUCCESSFUL,
        3: READY,
    }
    assert DBTaskResult.objects.get(pk=later.id).status == READY


# --- Keyed jobs -----------------------------------------------------------------------------


def test_enqueue_once_keeps_one_waiting_job_per_key():
    first = jobs.enqueue_once(t.capture, 7, key="capture:7")
    again = jobs.enqueue_once(t.capture, 7, key="capture:7")
    other = jobs.enqueue_once(t.capture, 8, key="capture:8")
    assert again.id == first.id != other.id
    assert len(rows(t.capture, READY)) == 2
    assert str(JobKey.objects.get(key="capture:7").job_id) == first.id
    assert meta(rows(t.capture)[0]) == {"attempt": 1, "key": "capture:7"}


def test_enqueue_new_is_two_statements_and_the_key_then_works_as_enqueue_once_s(
    django_assert_num_queries,
):
    with django_assert_num_queries(2):  # the job's row, the key's row: no lock, no savepoint
        first = jobs.enqueue_new(t.capture, 9, key="capture:9")
    assert str(JobKey.objects.get(key="capture:9").job_id) == first.id
    assert meta(rows(t.capture)[0]) == {"attempt": 1, "key": "capture:9"}
    # A later save of the same record finds the job waiting under the key.
    assert jobs.enqueue_once(t.capture, 9, key="capture:9").id == first.id
    assert len(rows(t.capture, READY)) == 1


def test_enqueue_new_points_a_key_left_from_a_finished_job_at_the_new_one():
    old = jobs.enqueue_once(t.capture, 10, key="capture:10")
    DBTaskResult.objects.filter(pk=old.id).update(status=TaskResultStatus.SUCCESSFUL)
    new = jobs.enqueue_new(t.capture, 10, key="capture:10")
    assert new.id != old.id
    assert str(JobKey.objects.get(key="capture:10").job_id) == new.id
    with pytest.raises(ValueError, match="1 to 200"):
        jobs.enqueue_new(t.capture, 11, key="")


def test_a_running_job_is_not_waiting_so_a_save_meanwhile_gets_a_job_of_its_own():
    first = jobs.enqueue_once(t.capture, 7, key="capture:7")
    DBTaskResult.objects.filter(pk=first.id).update(status=RUNNING, started_at=timezone.now())
    second = jobs.enqueue_once(t.capture, 7, key="capture:7")
    assert second.id != first.id
    assert str(JobKey.objects.get(key="capture:7").job_id) == second.id
    assert jobs.enqueue_once(t.capture, 7, key="capture:7").id == second.id


def test_asking_again_brings_the_waiting_job_forward_never_back():
    first = jobs.enqueue_once(
        t.capture, 7, key="capture:7", run_after=timezone.now() + timedelta(hours=2)
    )
    jobs.enqueue_once(t.capture, 7, key="capture:7", run_after=timezone.now() + timedelta(hours=1))
    assert 3500 < seconds_from_now(DBTaskResult.objects.get(pk=first.id).run_after) <= 3600
    jobs.enqueue_once(t.capture, 7, key="capture:7", run_after=timezone.now() + timedelta(hours=3))
    assert seconds_from_now(DBTaskResult.objects.get(pk=first.id).run_after) <= 3600
    jobs.enqueue_once(t.capture, 7, key="capture:7")  # now
    assert seconds_from_now(DBTaskResult.objects.get(pk=first.id).run_after) <= 0
    assert len(rows(t.capture)) == 1


def test_one_key_names_one_job_for_one_record():
    jobs.enqueue_once(t.capture, 7, key="capture:7")
    with pytest.raises(ValueError, match="capture:7"):
        jobs.enqueue_once(t.recheck, 7, key="capture:7")
    with pytest.raises(ValueError, match="capture:7"):
        jobs.enqueue_once(t.capture, 8, key="capture:7")
    assert len(rows(t.capture)) == 1 and not rows(t.recheck)
    for key in ("", "x" * 201):
        with pytest.raises(ValueError, match="job key"):
            jobs.enqueue_once(t.capture, 7, key=key)


def test_a_job_enqueued_in_a_save_that_rolls_back_is_gone_with_it():
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue_once(t.capture, 7, key="capture:7")
        raise RuntimeError("the save failed")
    assert not rows(t.capture) and not JobKey.objects.exists()


# --- Retries --------------------------------------------------------------------------------


def test_backoff_takes_each_delay_in_turn_then_repeats_the_last(settings):
    assert [jobs.backoff(n, [60, 300, 1800]).total_seconds() for n in (1, 2, 3, 4, 9)] == [
        60,
        300,
        1800,
        1800,
        1800,
    ]
    settings.JOBS_BACKOFF_SECONDS = [5]
    assert jobs.backoff(3) == timedelta(seconds=5)


def test_a_passing_failure_runs_again_after_each_delay_then_gives_up_once():
    jobs.enqueue_once(t.flaky, 1, key="flaky:1")  # max_attempts=3, TimeoutError retried
    jobs.run_due_jobs()
    failed, waiting = rows(t.flaky)
    assert failed.status == FAILED and failed.exception_class_path.endswith("RetryScheduled")
    assert "TimeoutError: the site of record 1 did not answer" in failed.traceback
    assert waiting.status == READY and meta(waiting) == {"attempt": 2, "key": "flaky:1"}
    assert 55 < seconds_from_now(waiting.run_after) <= 60
    assert str(JobKey.objects.get(key="flaky:1").job_id) == str(waiting.pk)

    jobs.run_due_jobs()  # not due yet: nothing runs
    assert DBTaskResult.objects.get(pk=waiting.pk).status == READY
    make_due(waiting)
    jobs.run_due_jobs()
    third = rows(t.flaky, READY)[0]
    assert meta(third)["attempt"] == 3 and 295 < seconds_from_now(third.run_after) <= 300
    assert not t.GAVE_UP

    make_due(third)
    jobs.run_due_jobs()
    last = DBTaskResult.objects.get(pk=third.pk)
    assert last.status == FAILED and last.exception_class_path.endswith("GaveUp")
    assert "Gave up after 3 attempts" in last.traceback
    assert not rows(t.flaky, READY)
    assert [(args, type(error)) for args, error in t.GAVE_UP] == [((1,), TimeoutError)]


def test_a_save_during_the_backoff_brings_the_retry_forward_with_its_attempts_back():
    jobs.enqueue_once(t.flaky, 1, key="flaky:1")
    jobs.run_due_jobs()
    waiting = rows(t.flaky, READY)[0]
    assert meta(waiting)["attempt"] == 2
    assert jobs.enqueue_once(t.flaky, 1, key="flaky:1").id == str(waiting.pk)
    waiting.refresh_from_db()
    assert seconds_from_now(waiting.run_after) <= 0 and meta(waiting)["attempt"] == 1


def test_an_error_that_is_not_retryable_fails_at_once_and_is_handed_over():
    t.broken.enqueue(4)
    jobs.run_due_jobs()
    (row,) = rows(t.broken)
    assert row.status == FAILED and row.exception_class_path == "builtins.ValueError"
    assert [(args, str(error)) for args, error in t.GAVE_UP] == [
        ((4,), "a bug, not a passing failure")
    ]


def test_a_job_stopped_with_its_worker_waits_again_as_the_same_attempt():
    jobs.enqueue_once(t.stopped, 3, key="stopped:3")
    jobs.run_due_jobs(max_jobs=1)
    stopped, waiting = rows(t.stopped)
    assert stopped.status == FAILED and stopped.exception_class_path == "builtins.SystemExit"
    assert waiting.status == READY and meta(waiting) == {"attempt": 1, "key": "stopped:3"}


# --- Periodic jobs --------------------------------------------------------------------------


def test_a_periodic_job_runs_first_now_then_a_period_after_the_last(settings):
    settings.PERIODIC_JOBS = {"tests.jobs_for_tests.tick_tock": 600}
    jobs.schedule_periodic()
    jobs.schedule_periodic()  # a second worker, or the next tick: still one
    (first,) = rows(t.tick_tock)
    assert first.status == READY and seconds_from_now(first.run_after) <= 0
    assert meta(first)["key"] == "periodic:tests.jobs_for_tests.tick_tock"

    jobs.run_due_jobs()
    jobs.schedule_periodic()
    jobs.schedule_periodic()
    done, following = rows(t.tick_tock)
    assert done.status == SUCCESSFUL and following.status == READY
    assert following.run_after == first.run_after + timedelta(seconds=600)

    settings.PERIODIC_JOBS = {"tests.jobs_for_tests.tick_tock": 60}  # a shorter period
    jobs.schedule_periodic()
    following.refresh_from_db()
    assert 55 < seconds_from_now(following.run_after) <= 60
    assert len(rows(t.tick_tock)) == 2


def test_a_periodic_job_missed_while_the_workers_were_away_runs_once_now(settings):
    settings.PERIODIC_JOBS = {"tests.jobs_for_tests.tick_tock": 600}
    jobs.schedule_periodic()
    jobs.run_due_jobs()
    (done,) = rows(t.tick_tock)
    DBTaskResult.objects.filter(pk=done.pk).update(run_after=timezone.now() - timedelta(days=3))
    jobs.schedule_periodic()
    jobs.schedule_periodic()
    (waiting,) = rows(t.tick_tock, READY)
    assert -5 < seconds_from_now(waiting.run_after) <= 0


def test_the_sweep_is_periodic_by_default_and_each_tick_says_the_worker_is_alive(settings):
    from newsroom import settings as project

    assert SWEEP in project.PERIODIC_JOBS
    settings.PERIODIC_JOBS = {SWEEP: 300}
    jobs.tick("worker-one", ["default", "evidence"])
    alive = JobWorker.objects.get(worker_id="worker-one")
    assert alive.queues == "default,evidence" and alive.pid == os.getpid()
    assert [r.status for r in rows(jobs.sweep_lost_jobs)] == [READY]
    jobs.worker_stopped("worker-one")
    assert not JobWorker.objects.exists()


def test_periodic_jobs_are_checked_at_start(settings):
    settings.PERIODIC_JOBS = {"tests.jobs_for_tests.tick_tock": 60}
    assert jobs.check_periodic_jobs() == []
    settings.PERIODIC_JOBS = {
        "tests.jobs_for_tests.GAVE_UP": 60,
        "tests.jobs_for_tests.no_such_job": 60,
        "tests.jobs_for_tests.tick_tock": 0,
    }
    settings.JOBS_BACKOFF_SECONDS = []
    settings.JOBS_HEARTBEAT_SECONDS, settings.JOBS_STALE_SECONDS = 30, 60
    assert len(jobs.check_periodic_jobs()) == 5


# --- The sweep of lost jobs -----------------------------------------------------------------


def _running(result, *, worker: str, minutes_ago: int) -> None:
    DBTaskResult.objects.filter(pk=result.id).update(
        status=RUNNING,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        worker_ids=[worker],
    )


def test_the_sweep_fails_and_retries_a_job_whose_worker_is_gone(settings):
    settings.JOBS_STALE_SECONDS = 900
    JobWorker.objects.create(worker_id="alive", seen_at=timezone.now())
    JobWorker.objects.create(worker_id="gone", seen_at=timezone.now() - timedelta(hours=2))
    JobWorker.objects.create(worker_id="long-gone", seen_at=timezone.now() - timedelta(days=2))
    lost = jobs.enqueue_once(t.capture, 1, key="capture:1")
    _running(lost, worker="gone", minutes_ago=60)
    slow = jobs.enqueue_once(t.capture, 2, key="capture:2")
    _running(slow, worker="alive", minutes_ago=60)  # a long job on a worker still there
    young = jobs.enqueue_once(t.capture, 3, key="capture:3")
    _running(young, worker="gone", minutes_ago=5)  # not yet

    assert jobs.sweep_lost_jobs.call() == 1
    swept = DBTaskResult.objects.get(pk=lost.id)
    assert swept.status == FAILED and swept.exception_class_path == "annotations.jobs.WorkerLost"
    assert "Worker gone stopped answering" in swept.traceback
    (again,) = [r for r in rows(t.capture, READY) if r.args_kwargs["args"] == [1]]
    assert meta(again) == {"attempt": 2, "key": "capture:1"}
    assert 55 < seconds_from_now(again.run_after) <= 60
    assert str(JobKey.objects.get(key="capture:1").job_id) == str(again.pk)
    assert {DBTaskResult.objects.get(pk=r.id).status for r in (slow, young)} == {RUNNING}
    assert set(JobWorker.objects.values_list("worker_id", flat=True)) == {"alive", "gone"}
    assert jobs.sweep_lost_jobs.call() == 0  # a second sweep finds nothing more


def test_a_lost_job_on_its_last_attempt_is_given_up():
    result = jobs.enqueue_once(t.flaky, 9, key="flaky:9")
    DBTaskResult.objects.filter(pk=result.id).update(
        args_kwargs={"args": [9], "kwargs": {jobs.META: {"attempt": 3, "key": "flaky:9"}}}
    )
    _running(result, worker="gone", minutes_ago=60)
    assert jobs.sweep_lost_jobs.call() == 1
    assert not rows(t.flaky, READY)
    assert [(args, type(error)) for args, error in t.GAVE_UP] == [((9,), jobs.WorkerLost)]


def test_results_of_jobs_finished_long_ago_are_pruned_and_their_keys_stay(settings):
    settings.JOBS_KEEP_DAYS = 14
    jobs.enqueue_once(t.capture, 1, key="capture:1")
    t.capture.enqueue(2)
    t.broken.enqueue(3)
    t.double.enqueue(4)
    jobs.run_due_jobs()
    waiting = t.double.enqueue(5)
    old = DBTaskResult.objects.filter(args_kwargs__args__in=[[1], [3]])
    assert old.update(finished_at=timezone.now() - timedelta(days=15)) == 2
    assert jobs.prune_finished_jobs.call() == 2
    left = DBTaskResult.objects.values_list("args_kwargs__args", flat=True)
    assert sorted(left) == [[2], [4], [5]]
    assert JobKey.objects.get(key="capture:1").job_id is None
    assert DBTaskResult.objects.get(pk=waiting.id).status == READY


# --- /healthz and the admin -----------------------------------------------------------------


def _enqueued(result, *, seconds_ago: int, run_after_seconds_ago: int | None = None) -> None:
    now = timezone.now()
    changes = {"enqueued_at": now - timedelta(seconds=seconds_ago)}
    if run_after_seconds_ago is not None:
        changes["run_after"] = now - timedelta(seconds=run_after_seconds_ago)
    DBTaskResult.objects.filter(pk=result.id).update(**changes)


def test_healthz_gives_the_age_of_the_oldest_due_job_of_each_queue_in_one_query(
    client, django_assert_num_queries
):
    _enqueued(t.double.enqueue(1), seconds_ago=120)
    _enqueued(t.double.enqueue(2), seconds_ago=30)
    # A retry enqueued an hour ago that fell due 40 s ago has waited 40 s, not an hour.
    _enqueued(t.capture.enqueue(3), seconds_ago=3600, run_after_seconds_ago=40)
    t.capture.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(4)  # not due
    _enqueued(t.recheck.enqueue(5), seconds_ago=7200)
    DBTaskResult.objects.filter(task_path=t.recheck.module_path).update(status=RUNNING)
    with django_assert_num_queries(1):
        answer = client.get("/healthz").json()
    ages = answer["oldest_waiting_job_seconds"]
    assert answer["status"] == "ok" and set(ages) == {"default", "evidence", "webhooks"}
    assert 120 <= ages["default"] <= 125 and 40 <= ages["evidence"] <= 45
    assert ages["webhooks"] == 0  # nothing waits there


def test_the_jobs_admin_is_for_admins_only(client, admin_user, reviewer):
    t.double.enqueue(1)
    url = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    client.force_login(reviewer)
    assert client.get(url).status_code == 403
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


# --- A real worker process ------------------------------------------------------------------


def _database_url_for_a_subprocess(tmp_path) -> str:
    """The test database, as another process can open it: PostgreSQL's as it is, SQLite's
    (in memory, in this process only) copied into a file."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "worker.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        return f"sqlite:///{copy}"
    user = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _results(url: str) -> dict[str, tuple]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            found = db.execute(
                "SELECT task_path, status, return_value FROM django_tasks_database_dbtaskresult"
            ).fetchall()
            workers = db.execute("SELECT count(*) FROM annotations_jobworker").fetchone()[0]
        return {path: (status, value) for path, status, value in found} | {"workers": workers}
    found = DBTaskResult.objects.values_list("task_path", "status", "return_value")
    return {path: (status, str(value)) for path, status, value in found} | {
        "workers": JobWorker.objects.count()
    }


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_runs_the_jobs_and_the_periodic_ones(tmp_path):
    """`manage.py run_worker` (django-tasks-db's db_worker with our heartbeat thread) in its
    own process, on the test database: it runs a plain job and a keyed one, enqueues the
    periodic jobs (the sweep, the pruning, the evidence re-check scan) at start and runs them, and signs off when it
    stops."""
    t.double.enqueue(21)
    jobs.enqueue_once(t.capture, 5, key="capture:5")
    url = _database_url_for_a_subprocess(tmp_path)
    worker = subprocess.run(
        [sys.executable, "manage.py", "run_worker", "--batch", "--no-startup-delay"],
        cwd=REPO,
        env={**os.environ, "DATABASE_URL": url, "DEBUG": "0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert worker.returncode == 0, worker.stderr
    assert _results(url) == {
        t.double.module_path: ("SUCCESSFUL", "42"),
        t.capture.module_path: ("SUCCESSFUL", "5"),
        SWEEP: ("SUCCESSFUL", "0"),
        "annotations.jobs.prune_finished_jobs": ("SUCCESSFUL", "0"),
        "annotations.services.evidence.schedule_evidence_rechecks": ("SUCCESSFUL", "0"),
        "workers": 0,
    }


def test_a_planned_retry_is_logged_as_a_line_and_a_bug_with_its_traceback(caplog):
    caplog.set_level(logging.INFO, logger="django_tasks")
    jobs.enqueue_once(t.flaky, 1, key="flaky:1")
    t.broken.enqueue(4)
    jobs.run_due_jobs()
    finished = [
        r for r in caplog.records if r.name == "django_tasks" and "FAILED" in r.getMessage()
    ]
    by_path = {r.args[1].rsplit(".", 1)[-1]: r for r in finished}
    assert by_path["flaky"].levelname == "INFO" and by_path["flaky"].exc_info is None
    assert by_path["broken"].levelname == "ERROR" and by_path["broken"].exc_info is not None
