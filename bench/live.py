"""L1: live updates. What 50 open article pages cost while nothing changes, against the
same check flat out."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from annotations import selectors
from bench.data import Run
from bench.loadgen import run_load
from bench.report import log, ms, status
from bench.server import Gunicorn


def polling_row(run: Run, server: Gunicorn, workers: int) -> list[list[str]]:
    """What 50 open article pages cost while nothing changes: each polls every 4 s
    and gets a 204. Requests/s, latency, and the CPU the app's processes used."""
    tabs, interval = 50, 4.0
    duration = 8.0 if run.quick else 40.0
    article = run.big_article()
    session = run.session()
    path = reverse("annotations:article-changes", args=[article.pk])
    query = urlencode({"since": selectors.article_stamp(article.pk), "version": article.version})
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}", "HX-Request": "true"}
    log(f"L1: {tabs} tabs polling every {interval:g} s for {duration:g} s…")
    cpu_before = server.cpu_seconds()
    paced = run_load(
        server, path, headers, [query] * tabs, clients=tabs, processes=1,
        duration=duration, warmup=interval, method="GET", interval=interval,
    )  # fmt: skip
    cpu = server.cpu_seconds() - cpu_before
    share = cpu / (duration + interval)  # the lead-in before the first request is idle
    log("L1: the unchanged check flat out, 16 clients…")
    flat = run_load(
        server, path, headers, [query] * 16, clients=16, processes=2,
        duration=3.0 if run.quick else 10.0, warmup=0.5, method="GET",
    )  # fmt: skip
    statuses = set(paced.statuses) | set(flat.statuses)
    return [
        [
            "L1",
            f"live updates: {tabs} tabs polling every {interval:g} s, nothing changed "
            f"(gunicorn {workers} workers)",
            f"{paced.throughput:.1f} requests/s, p50 {ms(paced.p(50))}; app CPU "
            f"{share:.1%} of one core",
            f"the check flat out: {flat.throughput:.0f} requests/s, p50 {ms(flat.p(50))}",
            f"{flat.throughput / max(paced.throughput, 1e-9):.0f}x headroom",
            "answers 204 without rendering",
            status(statuses == {204}),
        ]
    ]
