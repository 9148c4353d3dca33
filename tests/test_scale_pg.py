"""More than one copy of the app against one PostgreSQL (docker compose up --scale web=2
--scale worker=2): a claim saved through one server is in a live poll served by the other,
and two workers share the background jobs, each done once.

The servers and workers are processes of their own (bench.server.Gunicorn, bench.capture's
Worker, as `make bench` row M1 runs them), which reach the test database by its name. On
SQLite the test database lives in this process's memory, where no other process can see it,
so these tests run in the PostgreSQL pass only."""

import random
import time
from collections import Counter
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from annotations import selectors, services
from annotations.models import Annotation, Capture, Evidence, JobWorker
from annotations.services.evidence import capture_evidence
from bench.capture import PageServer, Worker, wait_captured
from bench.data import WordSpans, session_for
from bench.saves import save_headers
from bench.server import Gunicorn, request
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _test_database() -> dict[str, str]:
    """The environment that points a server or worker process at this test's database."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    host = db["HOST"] or "localhost"
    url = f"postgres://{user}:{password}@{host}:{db['PORT'] or 5432}/{quote(db['NAME'])}"
    return {"DATABASE_URL": url}


def test_a_claim_saved_through_one_server_is_in_a_live_poll_served_by_the_other(editor):
    article = ArticleFactory()
    env = _test_database()
    with Gunicorn(1, env=env) as one, Gunicorn(1, env=env) as two:
        session = session_for(editor)
        headers, _ = save_headers(one, article, session)
        since = selectors.article_stamp(article.pk)
        said = "31 of 38 drones were shot down"
        start = article.body.index(said)
        save = {"start": start, "end": start + len(said), "quote": said, "label": "disputed"}
        code, _, answer = request(
            one.host,
            one.port,
            "POST",
            reverse("annotations:claim-create", args=[article.pk]),
            urlencode({**save, "version": article.version}).encode(),
            headers,
        )
        assert code == 200, answer[:500]
        claim = Annotation.objects.get(article=article)
        poll = urlencode({"since": since, "version": article.version})
        path = reverse("annotations:article-changes", args=[article.pk])
        cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}", "HX-Request": "true"}
        code, _, answer = request(two.host, two.port, "GET", f"{path}?{poll}", headers=cookie)
        assert code == 200
        assert f'id="claim-{claim.pk}"'.encode() in answer
        # And server 2's next poll, from the stamp it gave, has nothing new.
        stamp = selectors.article_stamp(article.pk)
        poll = urlencode({"since": stamp, "version": article.version})
        code, _, _ = request(two.host, two.port, "GET", f"{path}?{poll}", headers=cookie)
        assert code == 204


def test_two_workers_capture_a_batch_of_links_each_exactly_once(editor):
    n = 24
    article = ArticleFactory()
    env = _test_database()
    rng = random.Random(4)
    spans = WordSpans(article.body).fresh(rng, n, set(), lo=10, hi=60)
    assert len(spans) == n
    # Workers that look for work every 20 ms (not every second): they meet at the queue
    # often, so a job claimed without its row lock is run twice (with the row locks taken
    # out, some page was fetched twice in 2 runs of 3). A page takes 50 ms.
    looking = ("--interval", "0.02")
    with (
        PageServer(delay=0.05) as pages,
        Worker(allow=pages.allow, env=env, args=looking) as first,
        Worker(allow=pages.allow, env=env, args=looking) as second,
    ):
        links = [pages.url(f"w-{i}") for i in range(n)]
        for (start, end), link in zip(spans, links, strict=True):
            services.annotation_create(
                article=article,
                user=editor,
                start=start,
                end=end,
                quote=article.body[start:end],
                label="verified",
                evidence_url=link,
            )
        _, states = wait_captured(links, timeout=120)
        time.sleep(0.5)  # a second run of a job, were there one, has had time to start
    assert states == dict.fromkeys(links, Evidence.State.CAPTURED)
    # Each page fetched once, each link captured once.
    assert Counter(pages.hits) == {link.split(pages.allow)[1]: 1 for link in links}
    evidence = dict(Evidence.objects.filter(url__in=links).values_list("pk", "url"))
    captures = Counter(
        Capture.objects.filter(evidence__in=evidence).values_list("evidence_id", flat=True)
    )
    assert captures == dict.fromkeys(evidence, 1)
    # The jobs table: each job finished once, run by one worker or the other; one job per
    # link did the capture (a job the periodic scan adds while one runs would find nothing
    # due: that is the job's own guard, not the queue's).
    jobs = DBTaskResult.objects.filter(task_path=capture_evidence.module_path)
    assert {job.status for job in jobs} == {TaskResultStatus.SUCCESSFUL}
    assert all(len(job.worker_ids) == 1 for job in jobs)
    did = [job for job in jobs if job.return_value != "not due"]
    assert {job.return_value for job in did} == {Evidence.State.CAPTURED}
    assert Counter(job.args_kwargs["args"][0] for job in did) == dict.fromkeys(evidence, 1)
    workers = Counter(job.worker_ids[0] for job in did)
    assert len(workers) == 2, workers  # both took part
    # Both said they were alive, and signed off when stopped.
    assert first.proc.returncode == 0 and second.proc.returncode == 0
    assert not JobWorker.objects.exists()
