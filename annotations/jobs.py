"""Background jobs: Django's tasks API (django-tasks) with the jobs kept in our own database
(django-tasks-db), and what that library leaves to us.

- `job`: the decorator for every job of ours. A job that raises `Retry` (or an error named in
  `retry_on`) runs again later, after the delays of JOBS_BACKOFF_SECONDS, up to
  JOBS_MAX_ATTEMPTS attempts in all; the last failure is kept as the job's FAILED result
  (`GaveUp`), logged, and handed to the job's `on_give_up`.
- `enqueue_once`: a job keyed by the record it is for. While a job waits for a key, asking
  again queues nothing new (the database decides, under a row lock); it only brings the
  waiting job forward. `enqueue_new`: the same for a record made in the same transaction,
  which no job can wait for yet (a claim save queues its jobs this way: two statements).
- Periodic jobs (settings.PERIODIC_JOBS): the workers enqueue each when it is due, keyed, so
  once however many workers run.
- `sweep_lost_jobs` (periodic): a job left RUNNING by a worker that stopped answering is
  marked failed (`WorkerLost`) and retried. `prune_finished_jobs` (periodic, daily) deletes
  the results of jobs finished more than JOBS_KEEP_DAYS ago.
- `run_due_jobs`: runs what is due here and now, in this process (tests, a shell).

`manage.py run_worker` runs the worker: django-tasks-db's `db_worker`, plus a thread that
calls `tick` (heartbeat and periodic jobs).

What a job body must do:
- Take as arguments only what names its record (ids: JSON), and read the rest from the
  database when it runs: it may run minutes or hours after it was asked for.
- Do no harm when it runs twice: after a crash, a sweep or a retry, the same job may run
  again. The record (a capture row, say) is the record of truth: a run that finds its work
  already done returns without doing it again.
- Be enqueued inside the transaction that saves its record: the job then exists if and only
  if the save commits, and no worker sees it before.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import close_old_connections, connection, transaction
from django.db.models import Case, DateTimeField, F, Min, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks import TaskResult, TaskResultStatus, task
from django_tasks.base import Task
from django_tasks.utils import normalize_json
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction

from .models import JobKey, JobWorker

logger = logging.getLogger(__name__)

DEFAULT = "default"
EVIDENCE = "evidence"
WEBHOOKS = "webhooks"
# The keyword argument in which a job carries its key and attempt number; `job` takes it off
# before calling the body.
META = "_job"


class Retry(Exception):  # noqa: N818 - read as "raise Retry(...)"
    """Raise it in a job for a failure that may pass (a site down, a timeout): the job runs
    again after the next delay of JOBS_BACKOFF_SECONDS."""


class RetryScheduled(Exception):  # noqa: N818
    """A failed attempt with another to come: the result the attempt leaves (its cause
    chained)."""


class GaveUp(Exception):  # noqa: N818
    """The last failed attempt of a job: its result (the cause chained)."""


class WorkerLost(Exception):
    """The sweep's record of a job whose worker stopped answering while it ran."""


@dataclass(frozen=True)
class Policy:
    retry_on: tuple[type[BaseException], ...]
    max_attempts: int | None  # None: settings.JOBS_MAX_ATTEMPTS, read when it matters
    on_give_up: Callable[..., Any] | None

    @property
    def attempts(self) -> int:
        return self.max_attempts or settings.JOBS_MAX_ATTEMPTS


def queues() -> list[str]:
    return list(settings.TASKS["default"]["QUEUES"])


def backoff(attempt: int, delays: Sequence[int] | None = None) -> timedelta:
    """The wait after failed attempt number `attempt` (1 is the first run): that delay of
    JOBS_BACKOFF_SECONDS, the last one repeated."""
    delays = list(delays if delays is not None else settings.JOBS_BACKOFF_SECONDS)
    return timedelta(seconds=delays[min(attempt, len(delays)) - 1])


# --- Jobs ----------------------------------------------------------------------------------


def job(
    *,
    queue: str = DEFAULT,
    priority: int = 0,
    retry_on: tuple[type[BaseException], ...] = (),
    max_attempts: int | None = None,
    on_give_up: Callable[..., Any] | None = None,
) -> Callable[[Callable[..., Any]], Task]:
    """Make a module-level function a background job (a django-tasks `Task`):

        @jobs.job(queue=jobs.EVIDENCE, retry_on=(FetchError,), on_give_up=capture_failed)
        def capture_evidence(capture_id: int) -> None: ...

    `Retry`, a lost worker and the errors of `retry_on` are retried; any other error is a
    final failure at once. `on_give_up(*args, error=exc, **kwargs)` is called once, after the
    final failure, so that the record of truth can say so."""
    policy = Policy(
        retry_on=(Retry, WorkerLost, *retry_on), max_attempts=max_attempts, on_give_up=on_give_up
    )

    def decorate(func: Callable[..., Any]) -> Task:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            meta = kwargs.pop(META, None) or {}
            return _attempt(the_task, func, args, kwargs, meta)

        run.job_policy = policy  # type: ignore[attr-defined]
        the_task = task(queue_name=queue, priority=priority)(run)
        return the_task

    return decorate


def _attempt(the_task: Task, func: Callable, args: tuple, kwargs: dict, meta: dict) -> Any:
    attempt = int(meta.get("attempt", 1))
    try:
        return func(*args, **kwargs)
    except (KeyboardInterrupt, SystemExit):
        # The worker is being stopped under this job: not the job's fault, so the same
        # attempt waits again for the next worker.
        try:
            _enqueue(the_task, args, kwargs, key=meta.get("key"), attempt=attempt, run_after=None)
        except Exception:  # the sweep will find it
            logger.exception("Job %s was stopped and could not be enqueued again", the_task.name)
        raise
    except Exception as exc:
        when = after_failure(the_task, args, kwargs, meta, exc)
        if when is not None:
            raise RetryScheduled(
                f"Attempt {attempt} failed; attempt {attempt + 1} is due at {when.isoformat()}."
            ) from exc
        if isinstance(exc, the_task.func.job_policy.retry_on):
            raise GaveUp(f"Gave up after {attempt} attempts: {exc}") from exc
        raise


def after_failure(
    the_task: Task, args: Sequence, kwargs: dict, meta: dict, exc: BaseException
) -> datetime | None:
    """After failed attempt `meta["attempt"]` of a job: enqueue the next attempt and say when
    it is due, or give up (None): call the job's `on_give_up`, and log it."""
    policy: Policy = the_task.func.job_policy
    attempt = int(meta.get("attempt", 1))
    if isinstance(exc, policy.retry_on) and attempt < policy.attempts:
        when = timezone.now() + backoff(attempt)
        _enqueue(the_task, args, kwargs, key=meta.get("key"), attempt=attempt + 1, run_after=when)
        logger.warning(
            "Job %s attempt %d failed (%s); again at %s", the_task.name, attempt, exc, when
        )
        return when
    logger.error("Job %s gave up after %d attempt(s): %r", the_task.name, attempt, exc)
    if policy.on_give_up is not None:
        try:
            with transaction.atomic():
                policy.on_give_up(*args, error=exc, **kwargs)
        except Exception:
            logger.exception("on_give_up of job %s failed", the_task.name)
    return None


def enqueue_once(
    the_task: Task, *args: Any, key: str, run_after: datetime | None = None, **kwargs: Any
) -> TaskResult:
    """Enqueue `the_task(*args, **kwargs)` for the record named by `key` ("capture:42"),
    unless a job for that key is waiting already: then that job stands (brought forward to
    `run_after`, or to now, if it was due later) and is returned. A job already running
    does not count as waiting, so a save made while it runs gets a job of its own.

    The database decides, not this function: every enqueuer of a key locks the key's row
    (JobKey) first, and whether its job waits is read, locked, from the job's own row. Two
    saves at once therefore leave one waiting job; a worker that claims the job in the same
    instant either waits for the lock or leaves the job to this one (it skips locked rows).

    One key names one job for one record: asking for another job, or other arguments,
    under a key whose job waits raises ValueError (a bug, not an input error)."""
    if not key or len(key) > JobKey._meta.get_field("key").max_length:
        raise ValueError(f"A job key is 1 to 200 characters: {key!r}")
    return _enqueue(the_task, args, kwargs, key=key, attempt=1, run_after=run_after)


def enqueue_new(the_task: Task, *args: Any, key: str, **kwargs: Any) -> TaskResult:
    """`enqueue_once` for a record made in the caller's transaction (a webhook delivery, the
    evidence row of a new claim): its id is new, so no job can wait under its key, and the
    lock and the look for a waiting job are skipped. Two statements and no savepoint,
    instead of six: the job's row and the key's row. Should a key row of that name be left
    from a job long finished, it is pointed at the new job, as `enqueue_once` would."""
    if not key or len(key) > JobKey._meta.get_field("key").max_length:
        raise ValueError(f"A job key is 1 to 200 characters: {key!r}")
    result = the_task.enqueue(*args, **kwargs, **{META: {"attempt": 1, "key": key}})
    JobKey.objects.bulk_create(
        [JobKey(key=key, job_id=result.id)],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["job", "updated_at"],
    )
    return result


def _enqueue(
    the_task: Task,
    args: Sequence,
    kwargs: dict,
    *,
    key: str | None,
    attempt: int,
    run_after: datetime | None,
) -> TaskResult:
    meta = {"attempt": attempt, **({"key": key} if key else {})}
    plan = the_task.using(run_after=run_after)
    if key is None:
        return plan.enqueue(*args, **kwargs, **{META: meta})
    with transaction.atomic():
        holder = _lock_key(key)
        waiting = None
        if holder.job_id is not None:
            waiting = (
                DBTaskResult.objects.select_for_update()
                .filter(pk=holder.job_id, status=TaskResultStatus.READY)
                .first()
            )
        if waiting is None:
            result = plan.enqueue(*args, **kwargs, **{META: meta})
            holder.job_id = result.id
            holder.save(update_fields=["job", "updated_at"])
            return result
        _join(waiting, the_task, args, kwargs, key=key, attempt=attempt, run_after=run_after)
        return waiting.task_result


def _lock_key(key: str) -> JobKey:
    """The key's row, made if need be, locked until the transaction ends (PostgreSQL; SQLite
    has taken the database's write lock when the transaction began)."""
    JobKey.objects.bulk_create([JobKey(key=key)], ignore_conflicts=True)
    return JobKey.objects.select_for_update().get(key=key)


def _join(
    waiting: DBTaskResult,
    the_task: Task,
    args: Sequence,
    kwargs: dict,
    *,
    key: str,
    attempt: int,
    run_after: datetime | None,
) -> None:
    """A request for the job that waits under `key`: the earlier time and the lower attempt
    number win (a fresh save gets its full count of attempts)."""
    theirs = dict(waiting.args_kwargs["kwargs"])
    their_meta = theirs.pop(META, {})
    if (
        waiting.task_path != the_task.module_path
        or waiting.args_kwargs["args"] != normalize_json(list(args))
        or theirs != normalize_json(kwargs)
    ):
        raise ValueError(
            f"Job key {key!r} has {waiting.task_path}{waiting.args_kwargs} waiting; it "
            f"cannot also name {the_task.module_path}{list(args)}{kwargs}."
        )
    fields = []
    due = run_after or timezone.now()
    if waiting.run_after != get_date_max() and due < waiting.run_after:
        waiting.run_after = due
        fields.append("run_after")
    if attempt < int(their_meta.get("attempt", 1)):
        waiting.args_kwargs["kwargs"][META] = {**their_meta, "attempt": attempt}
        fields.append("args_kwargs")
    if fields:
        waiting.save(update_fields=fields)


def run_due_jobs(queue: str | Sequence[str] = "*", *, max_jobs: int = 1000) -> None:
    """Run every job that is due (of `queue`, or of every queue), here and now, the way a
    worker runs it (django-tasks-db's `Worker.run_task`), until none is due. For tests, and
    for a shell; a retry enqueued for later does not run."""
    from django_tasks_db.management.commands.db_worker import Worker

    names = [queue] if isinstance(queue, str) else list(queue)
    worker = Worker(
        queue_names=names,
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_jobs,
        worker_id=f"inline-{get_random_string(12)}",
        excluded_queue_names=[],
    )
    for _ in range(max_jobs):
        due = DBTaskResult.objects.ready().filter(backend_name="default")
        if "*" not in names:
            due = due.filter(queue_name__in=names)
        with exclusive_transaction(due.db):
            result = due.get_locked()
            if result is None:
                return
            result.claim(worker.worker_id)
        worker.run_task(result)


# --- Periodic jobs, heartbeats and the sweep -------------------------------------------------


def _next_run(last: DBTaskResult | None, now: datetime, every: timedelta) -> datetime | None:
    """When a periodic job runs next, given its last run: the first now, each next a period
    after the previous became due (now, if the workers were away longer); None while a run
    waits on time."""
    if last is None:
        return now
    due = last.enqueued_at if last.run_after == get_date_max() else last.run_after
    if last.status == TaskResultStatus.READY:
        return None if due <= now + every else now + every  # a shortened period
    return max(now, due + every)


def schedule_periodic() -> None:
    """Enqueue each job of settings.PERIODIC_JOBS that is due (`_next_run`). Every worker
    calls this; the job's key (`periodic:<path>`), decided under its lock, keeps one run
    waiting however many workers call it at once."""
    now = timezone.now()
    for path, seconds in settings.PERIODIC_JOBS.items():
        every = timedelta(seconds=seconds)
        key = f"periodic:{path}"
        last = DBTaskResult.objects.filter(
            pk__in=JobKey.objects.filter(key=key).values("job")
        ).first()
        if last is not None and _next_run(last, now, every) is None:
            continue  # the usual case, read without a lock: the next run waits on time
        with transaction.atomic():
            holder = _lock_key(key)
            last = DBTaskResult.objects.filter(pk=holder.job_id).first()
            when = _next_run(last, now, every)
            if when is not None:
                _enqueue(import_string(path), (), {}, key=key, attempt=1, run_after=when)


def tick(worker_id: str, queue_names: Sequence[str]) -> None:
    """What a worker does every JOBS_HEARTBEAT_SECONDS beside its jobs: say it is alive, and
    enqueue the periodic jobs that are due. A failure (the database away) is logged; the
    next tick tries again."""
    try:
        JobWorker.objects.update_or_create(
            worker_id=worker_id,
            defaults={"seen_at": timezone.now(), "queues": ",".join(queue_names)[:200]},
            create_defaults={
                "seen_at": timezone.now(),
                "queues": ",".join(queue_names)[:200],
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
            },
        )
        schedule_periodic()
    except Exception:
        logger.exception("Worker %s: heartbeat or periodic jobs failed", worker_id)


def keep_house(worker_id: str, queue_names: Sequence[str], stop: threading.Event) -> None:
    """The worker's second thread: `tick` until `stop` is set."""
    try:
        while not stop.wait(settings.JOBS_HEARTBEAT_SECONDS):
            close_old_connections()  # a connection the database dropped is opened again
            tick(worker_id, queue_names)
    finally:
        connection.close()


def worker_stopped(worker_id: str) -> None:
    try:
        JobWorker.objects.filter(worker_id=worker_id).delete()
    except Exception:
        logger.exception("Worker %s: could not sign off", worker_id)


@job(priority=50)  # housekeeping goes before a backlog of ordinary jobs
def sweep_lost_jobs() -> int:
    """Find jobs left RUNNING by a worker that stopped answering (crashed, killed, its
    machine gone): running for longer than JOBS_STALE_SECONDS on a worker silent for as
    long. Each is marked FAILED (`WorkerLost`) and retried like any failed attempt. Returns
    how many it found."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.JOBS_STALE_SECONDS)
    alive = set(JobWorker.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    lost = [
        result
        for result in DBTaskResult.objects.running().filter(started_at__lt=cutoff)
        if not result.worker_ids or result.worker_ids[-1] not in alive
    ]
    found = sum(_recover(result, now) for result in lost)
    JobWorker.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()  # long gone
    return found


@job(priority=50)
def prune_finished_jobs() -> int:
    """Delete the results of jobs that finished (succeeded or failed) more than
    JOBS_KEEP_DAYS ago, a thousand at a time; returns how many. What a job did stays in its
    record (a capture row), not in the queue."""
    cutoff = timezone.now() - timedelta(days=settings.JOBS_KEEP_DAYS)
    old = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).order_by()
    deleted = 0
    while batch := list(old.values_list("pk", flat=True)[:1000]):
        DBTaskResult.objects.filter(pk__in=batch).delete()  # their keys stay, pointing nowhere
        deleted += len(batch)
    return deleted


def _recover(result: DBTaskResult, now: datetime) -> bool:
    worker = result.worker_ids[-1] if result.worker_ids else "?"
    error = WorkerLost(
        f"Worker {worker} stopped answering while running this job (started {result.started_at})."
    )
    with transaction.atomic():
        taken = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        ).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{__name__}.WorkerLost",
            traceback=f"{__name__}.WorkerLost: {error}\n",
        )
        if not taken:  # finished meanwhile, or another sweep took it
            return False
        try:
            the_task = result.task
        except Exception:  # its code is gone: nothing to retry it with
            logger.exception("Lost job %s (%s) cannot be retried", result.pk, result.task_path)
            return True
        if not hasattr(the_task.func, "job_policy"):
            logger.error("Lost job %s (%s) is not ours; not retried", result.pk, result.task_path)
            return True
        kwargs = dict(result.args_kwargs["kwargs"])
        meta = kwargs.pop(META, None) or {}
        after_failure(the_task, result.args_kwargs["args"], kwargs, meta, error)
    return True


# --- Reads ---------------------------------------------------------------------------------


def waiting_ages() -> dict[str, int]:
    """For each queue, how many seconds its oldest due job has waited (since it was enqueued,
    or since its run_after came, for a job deferred or retried); 0 when none waits. One
    query, for /healthz."""
    now = timezone.now()
    since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),
        default=Greatest("run_after", "enqueued_at"),
        output_field=DateTimeField(),
    )
    rows = (
        DBTaskResult.objects.ready()
        .order_by()
        .values("queue_name")
        .annotate(since=Min(since))
        .values_list("queue_name", "since")
    )
    ages = dict.fromkeys(queues(), 0)
    for name, oldest in rows:
        ages[name] = max(0, int((now - oldest).total_seconds()))
    return ages


@checks.register()
def check_periodic_jobs(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """settings.PERIODIC_JOBS names jobs of ours with a period in seconds; the backoff has
    delays; a worker is taken for gone only after missing a few heartbeats."""
    errors = []
    for path, seconds in settings.PERIODIC_JOBS.items():
        try:
            found = import_string(path)
        except ImportError as exc:
            found = exc
        if not isinstance(found, Task) or not hasattr(found.func, "job_policy"):
            errors.append(
                checks.Error(f"PERIODIC_JOBS: {path} is not an annotations.jobs.job: {found}")
            )
        if not isinstance(seconds, int) or seconds <= 0:
            errors.append(checks.Error(f"PERIODIC_JOBS: {path} needs a period in seconds > 0"))
    delays = settings.JOBS_BACKOFF_SECONDS
    if not delays or min(delays) <= 0:
        errors.append(checks.Error("JOBS_BACKOFF_SECONDS needs one or more delays > 0"))
    if settings.JOBS_STALE_SECONDS < 3 * settings.JOBS_HEARTBEAT_SECONDS:
        # Else the sweep would take a worker between two heartbeats for gone.
        errors.append(checks.Error("JOBS_STALE_SECONDS must be 3 JOBS_HEARTBEAT_SECONDS or more"))
    return errors
