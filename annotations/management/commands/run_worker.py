"""Run a background worker: django-tasks-db's `db_worker` on our queues, with a second thread
that says every JOBS_HEARTBEAT_SECONDS that this worker is alive and enqueues the periodic
jobs that are due (`annotations.jobs.tick`). `make run` starts one beside the web server;
docker compose runs it as the `worker` service.

    python manage.py run_worker                        # every queue (default,evidence,webhooks)
    python manage.py run_worker --queue-name evidence  # a worker for evidence alone

Every option of `db_worker` works here (`--batch`, `--max-tasks`, `--interval`, `--reload`,
which DEBUG turns on). Ctrl+C (or SIGTERM) lets the job in hand finish; a second one stops it,
and that job waits again for the next worker.
"""

import os
import threading

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from annotations import jobs
from annotations.management.refusing import RefusingCommand


class Command(RefusingCommand, db_worker.Command):
    help = "Run a background worker on our queues, with heartbeats and the periodic jobs."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name=",".join(jobs.queues()))

    def handle(self, *args, **options) -> None:
        if options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's watcher: it only restarts the process that runs the worker.
            return super().handle(*args, **options)
        worker_id, queue_names = options["worker_id"], options["queue_name"].split(",")
        jobs.tick(worker_id, queue_names)  # alive, and periodic jobs enqueued, before any job
        stop = threading.Event()
        threading.Thread(
            target=jobs.keep_house,
            args=(worker_id, queue_names, stop),
            name="jobs-heartbeat",
            daemon=True,
        ).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            jobs.worker_stopped(worker_id)
