"""M1: growing past one machine. Two app servers (two gunicorns on two ports, standing in for
two containers) against one PostgreSQL, the save load of P2 spread over both, against one
of them alone with the same workers and clients; no target (on 2 cores two servers share
the same CPUs). And what it takes to run more than one, shown:

- a claim saved through server 1 is in the next live poll served by server 2;
- two workers (`manage.py run_worker`, one beside each server) capture a batch of evidence
  links saved through both servers, each exactly once: each page fetched once, one capture
  per link, one job that did the work per link, and both workers took part.

SQLite is one file on one machine: the row says it needs PostgreSQL.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from annotations import selectors
from annotations.models import Annotation, Capture, Evidence
from annotations.services.evidence import capture_evidence
from bench.capture import PageServer, Worker, link_bodies, save_and_capture
from bench.data import Run, WordSpans, article_text, make_article
from bench.loadgen import run_load
from bench.report import log, ms, status
from bench.saves import save_bodies, save_headers
from bench.server import Gunicorn, request


def scale_rows(run: Run, workers: int) -> list[list[str]]:
    if not run.pg:
        return [
            ["M1", "two app servers against one database", "needs PostgreSQL", "", "", "", "n/a"]
        ]
    clients = run.options.clients
    duration = run.options.duration or (2.0 if run.quick else 10.0)
    warmup = 0.5 if run.quick else 1.0
    rng = random.Random(11)
    body = article_text(rng, 100_000)
    article = make_article(
        body, WordSpans(body).many(rng, 2000), user=run.user, sources=run.sources, rng=rng
    )
    path = reverse("annotations:claim-create", args=[article.pk])
    bodies = save_bodies(article, 4000 if run.quick else 25_000)
    warming, bodies = bodies[: 4 * clients], bodies[4 * clients :]
    half = len(bodies) // 2

    with Gunicorn(workers) as one:
        headers, _ = save_headers(one, article, run.session())

        def load(servers, some_bodies):
            # Each server is new: its workers' first requests (imports, templates, the
            # article) take seconds on a busy machine. Two saves per client first, unmeasured.
            warm = [warming.pop() for _ in range(2 * clients)]
            run_load(servers, path, headers, warm, clients=clients, processes=1, count=2)
            result = run_load(
                servers, path, headers, some_bodies, clients=clients,
                processes=run.options.load_processes, duration=duration, warmup=warmup,
            )  # fmt: skip
            if result.bad or result.errors:
                log(f"M1: non-2xx answers {result.bad}; errors {result.errors[:3]}")
            return result

        log(f"M1: one server ({workers} workers), {clients} clients for {duration:g} s…")
        alone = load(one, bodies[:half])
        with Gunicorn(workers) as two:
            log(f"M1: two servers ({workers} workers each), {clients} clients spread over both…")
            both = load([one, two], bodies[half:])
            seen, seen_after = _saved_on_one_polled_on_two(article, path, one, two, headers)
            log("M1: two workers capture evidence links saved through both servers…")
            once, split = _two_workers(article, path, [one, two], headers, 20 if run.quick else 100)
    clean = not (alone.bad or both.bad)
    ratio = both.throughput / alone.throughput if alone.throughput else 0.0
    return [
        [
            "M1",
            f"save a claim, two gunicorns ({workers} workers each) + one PostgreSQL, "
            f"{clients} clients spread over both",
            f"{both.throughput:.0f} saves/s; p50 {ms(both.p(50))}, p95 {ms(both.p(95))}",
            f"one gunicorn ({workers} workers): {alone.throughput:.0f} saves/s; p50 "
            f"{ms(alone.p(50))}",
            f"{ratio:.2f} throughput",
            "none set (2 cores shared)",
            status(None if clean else False),
        ],
        [
            "M1",
            "saved through server 1, polled on server 2; two workers, evidence jobs",
            f"the poll on 2 had the claim ({ms(seen_after)} after the save); {split}",
            "",
            "",
            "seen at once; each job done once",
            status(seen and once),
        ],
    ]


def _saved_on_one_polled_on_two(article, path: str, one: Gunicorn, two: Gunicorn, headers: dict):
    """Save a claim through `one`, then poll the article's live check on `two` from the
    stamp before the save: the answer must hold the new claim."""
    since = selectors.article_stamp(article.pk)
    body = save_bodies(article, 1)[0]
    began = time.monotonic()
    code, _, _ = request(one.host, one.port, "POST", path, body.encode(), headers)
    query = urlencode({"since": since, "version": article.version})
    changes = reverse("annotations:article-changes", args=[article.pk])
    polled, _, answer = request(two.host, two.port, "GET", f"{changes}?{query}", headers=headers)
    after = time.monotonic() - began
    newest = Annotation.objects.filter(article=article).order_by("-pk").first()
    seen = code == 200 and polled == 200 and f'id="claim-{newest.pk}"'.encode() in answer
    if not seen:
        log(f"M1: the save answered {code}, the poll on server 2 {polled}")
    return seen, after


def _two_workers(
    article, path: str, servers: list[Gunicorn], headers: dict, n: int
) -> tuple[bool, str]:
    """n claims with evidence links saved through both servers, captured by two workers;
    whether each was done exactly once, and how the work was shared."""
    began = timezone.now()
    with PageServer() as pages, Worker(allow=pages.allow), Worker(allow=pages.allow):
        links = [pages.url(f"m1-{i}") for i in range(n)]
        seconds, saved, captured = save_and_capture(
            servers, path, headers, link_bodies(article, links), links
        )
    evidence = list(Evidence.objects.filter(url__in=links).values_list("pk", flat=True))
    captures = Counter(
        Capture.objects.filter(evidence__in=evidence).values_list("evidence_id", flat=True)
    )
    jobs = [
        job
        for job in DBTaskResult.objects.filter(
            task_path=capture_evidence.module_path, enqueued_at__gte=began
        )
        if job.args_kwargs["args"][0] in set(evidence)
    ]
    worked = Counter()  # evidence id -> jobs that did the capture (not "not due")
    by_worker = Counter()
    for job in jobs:
        if job.return_value not in {"not due", "not current"}:
            worked[job.args_kwargs["args"][0]] += 1
            by_worker[job.worker_ids[-1] if job.worker_ids else "?"] += 1
    hits = [pages.hits[link.split(pages.allow, 1)[1]] for link in links]
    once = (
        saved == captured == n
        and hits == [1] * n
        and all(captures[pk] == 1 and worked[pk] == 1 for pk in evidence)
        and len(by_worker) == 2
    )
    shares = " + ".join(str(c) for c in sorted(by_worker.values(), reverse=True))
    split = (
        f"{captured} of {n} links captured in {seconds:.1f} s by 2 workers ({shares}); "
        f"pages fetched {sum(hits)} times, {sum(captures.values())} captures, "
        f"{sum(worked.values())} jobs did the work"
    )
    if not once:
        log(f"M1: not each once: {split}; jobs {Counter(j.status for j in jobs)}")
    return once, split
