"""E1: evidence capture. Claims saved with an evidence link (the htmx save, under gunicorn),
captured by the background worker as `make run` runs it (`manage.py run_worker`, every
queue, its default poll interval) from a page server on loopback: claims captured per
second, and the time from the save to the poll that shows "captured". The baseline: the same
page fetched by the same guarded fetcher, plainly, in this process.

Also what M1 (bench/scale.py) and tests/test_scale_pg.py use: the page server and a worker
process. The fetcher refuses loopback unless the settings lift it for exact host:port pairs
(`URL_IMPORT_ALLOW_PRIVATE` with `URL_FETCH_ALLOW`, as the tests do): the worker gets them
for the page server's port alone, through its environment.
"""

from __future__ import annotations

import html
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from annotations import capture, fetching, selectors
from annotations.models import Article, Evidence, JobWorker
from annotations.services.evidence import capture_evidence
from bench.data import Run, article_text, make_article
from bench.loadgen import run_load
from bench.report import log, ms, percentile, status
from bench.saves import save_fields, save_headers
from bench.server import Gunicorn, process_env, request, stop

BASE_DIR = Path(__file__).resolve().parent.parent
NEWS_PATH = "/news/{n}"


def article_page(seed: int = 3) -> bytes:
    """A news article page as sites serve them: head, navigation, a byline, about 8,000
    characters of text in paragraphs, related links and a footer (some 20 kB)."""
    rng = random.Random(seed)
    text = article_text(rng, 8000)
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(12))
    related = "".join(
        f'<li><a href="/news/related-{i}">{html.escape(article_text(rng, 70))}</a></li>'
        for i in range(8)
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Officials dispute drone figures</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:title" content="Officials dispute drone figures">
<meta name="author" content="A. Reporter"><link rel="stylesheet" href="/static/site.css">
<script>window.analytics = {{queue: []}};</script></head>
<body><header><a href="/">The Daily Bench</a><nav><ul>{nav}</ul></nav></header>
<main><article><h1>Officials dispute drone figures</h1>
<p class="byline">By A. Reporter, <time datetime="2026-11-30">30 November 2026</time></p>
{paragraphs}
</article><aside><h2>Related</h2><ul>{related}</ul></aside></main>
<footer><p>&copy; 2026 The Daily Bench. <a href="/privacy">Privacy</a></p></footer>
</body></html>""".encode()


class PageServer:
    """An HTTP server on loopback (a port from the OS, its own thread) answering every GET
    of /news/<anything> with the same article page (after `delay` seconds: a slower site);
    `hits` counts the GETs of each path."""

    def __init__(self, page: bytes | None = None, delay: float = 0.0):
        self.page = page or article_page()
        self.hits: Counter = Counter()
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # quiet
                pass

            def do_GET(self):
                with lock:
                    outer.hits[self.path] += 1
                time.sleep(delay)
                if not self.path.startswith("/news/"):
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(outer.page)))
                self.end_headers()
                self.wfile.write(outer.page)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]

    @property
    def allow(self) -> str:
        """The one host:port pair the fetcher may reach on loopback (URL_FETCH_ALLOW)."""
        return f"127.0.0.1:{self.port}"

    def url(self, name: object) -> str:
        return f"http://{self.allow}{NEWS_PATH.format(n=name)}"

    def __enter__(self) -> PageServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Worker:
    """`manage.py run_worker` in a process of its own, as `make run` and the worker service
    start it, allowed to fetch from `allow` (host:port) on loopback; `env` adds to its
    environment (a test gives its database). Ready once it has said it is alive; stopped
    (this process only, by its pid) with SIGTERM, which lets the job in hand finish."""

    def __init__(self, *, allow: str, env: dict | None = None, args: tuple[str, ...] = ()):
        self.allow, self.extra, self.args = allow, env or {}, args

    def __enter__(self) -> Worker:
        env = process_env(
            "newsroom.settings",
            URL_IMPORT_ALLOW_PRIVATE="1",
            URL_FETCH_ALLOW=self.allow,
            **self.extra,
        )
        # Its log in a file, not a pipe that nobody reads while it runs (a full pipe would
        # stop the worker).
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "run_worker", *self.args],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            if JobWorker.objects.filter(pid=self.proc.pid).exists():
                return self
            time.sleep(0.1)
        self.__exit__(None, None, None)
        raise RuntimeError(f"the worker did not start: {self.errors[-3000:]}")

    def __exit__(self, *exc) -> None:
        stop(self.proc, timeout=60)  # the job in hand may finish
        self.log.seek(0)
        self.errors = self.log.read()
        self.log.close()
        if "Traceback" in self.errors:
            log(f"the worker logged errors:\n{self.errors[-3000:]}")


def wait_captured(urls: list[str], timeout: float) -> tuple[float, dict[str, str]]:
    """Wait until every link's evidence row says captured (or `timeout`); when it did, and
    each link's state."""
    deadline = time.monotonic() + timeout
    while True:
        states = dict(Evidence.objects.filter(url__in=urls).values_list("url", "state"))
        done = len(states) == len(urls) and set(states.values()) == {Evidence.State.CAPTURED}
        if done or time.monotonic() > deadline:
            return time.monotonic(), states
        time.sleep(0.05)


def link_bodies(article: Article, links: list[str]) -> list[str]:
    """Bodies of claim saves on `article` (fresh spans, as P2 sends them), each with one of
    `links` as its evidence link."""
    return [
        urlencode({**fields, "evidence_url": link})
        for fields, link in zip(save_fields(article, len(links)), links, strict=True)
    ]


def save_and_capture(
    servers: Gunicorn | list[Gunicorn], path: str, headers: dict, bodies: list[str], links
) -> tuple[float, int, int]:
    """Save the claims of `bodies` (4 clients, spread over `servers`), then wait until the
    worker(s) captured every one of `links`: the seconds from the first save to the last
    capture, how many were saved and how many captured."""
    clients = 4
    began = time.monotonic()
    saved = run_load(
        servers, path, headers, bodies, clients=clients, processes=1,
        count=-(-len(bodies) // clients),
    )  # fmt: skip
    ended, states = wait_captured(links, timeout=300)
    captured = sum(state == Evidence.State.CAPTURED for state in states.values())
    return ended - began, saved.ok, captured


def log_job_times(links: list[str], what: str) -> None:
    """How long the capture jobs of `links` waited in the queue and ran (medians)."""
    ids = set(Evidence.objects.filter(url__in=links).values_list("pk", flat=True))
    rows = [
        (job.started_at - job.enqueued_at, job.finished_at - job.started_at)
        for job in DBTaskResult.objects.filter(
            task_path=capture_evidence.module_path, finished_at__isnull=False
        ).order_by("-pk")[: 3 * len(ids)]
        if job.args_kwargs["args"][0] in ids and job.started_at
    ]
    if rows:
        waited, ran = zip(*rows, strict=True)
        log(
            f"{what}: {len(rows)} capture jobs waited p50 "
            f"{ms(percentile([w.total_seconds() for w in waited], 50))}, ran p50 "
            f"{ms(percentile([r.total_seconds() for r in ran], 50))}"
        )


def capture_row(run: Run, server: Gunicorn) -> list[list[str]]:
    """E1, against the gunicorn of P2 and L1, with one worker beside it."""
    sequential = 5 if run.quick else 20
    batch = 40 if run.quick else 200
    with PageServer() as pages, Worker(allow=pages.allow):
        rng = random.Random(5)
        article = make_article(
            article_text(rng, 20_000), [], user=run.user, sources=run.sources, rng=rng
        )
        headers, _ = save_headers(server, article, run.session())
        path = reverse("annotations:claim-create", args=[article.pk])
        links = [pages.url(f"e1-{i}") for i in range(sequential + batch)]
        bodies = link_bodies(article, links)

        log(f"E1: {sequential} saves one at a time, each polled until its link is captured…")
        latencies = []
        for body, link in zip(bodies[:sequential], links[:sequential], strict=True):
            began = time.monotonic()
            code, _, answer = request(
                server.host, server.port, "POST", path, body.encode(), headers
            )
            if code != 200:
                raise RuntimeError(f"E1: a save answered {code}: {answer[:300]!r}")
            latencies.append(_poll_until_captured(server, article, link, headers) - began)
        log_job_times(links[:sequential], "E1 one at a time")

        log(f"E1: {batch} saves at once (4 clients), then every capture…")
        seconds, saved, captured = save_and_capture(
            server, path, headers, bodies[sequential:], links[sequential:]
        )
        rate = captured / seconds
        log(f"E1: {saved} saved, {captured} captured in {seconds:.1f} s")
        log_job_times(links[sequential:], "E1 at once")

        log("E1: the baseline, the same page fetched plainly by the same fetcher…")
        fetch_times, work_times = _baseline(pages, batch)
    fetch_rate = len(fetch_times) / sum(fetch_times)
    # Each link fetched once (the worker's GETs; the baseline's have their own paths).
    once = all(n == 1 for p, n in pages.hits.items() if "/e1-" in p)
    return [
        [
            "E1",
            f"evidence capture: claims saved with a link to a {len(pages.page) / 1000:.0f} kB "
            "page on loopback, 1 worker (`run_worker` as `make run` starts it)",
            f"{rate:.1f} captures/s ({batch} saved at once); save to 'captured' in the live "
            f"poll p50 {ms(percentile(latencies, 50))}, p95 {ms(percentile(latencies, 95))}",
            f"plain GET by the same fetcher: {fetch_rate:.0f}/s, p50 "
            f"{ms(percentile(fetch_times, 50))}; text + WARC of it p50 "
            f"{ms(percentile(work_times, 50))}",
            f"{rate / fetch_rate:.2f} throughput",
            "none set (figures)",
            status(None if captured == batch and once else False),
        ]
    ]


def _poll_until_captured(server: Gunicorn, article: Article, link: str, headers: dict) -> float:
    """Poll the article's live check (every 20 ms) with the link's evidence line as the page
    sends it while waiting, until the answer shows it captured; when that was."""
    changes = reverse("annotations:article-changes", args=[article.pk])
    evidence = None
    deadline = time.monotonic() + 120
    since = selectors.article_stamp(article.pk)
    while time.monotonic() < deadline:
        if evidence is None:
            evidence = Evidence.objects.filter(url=link).first()
        if evidence is not None:
            query = urlencode(
                {"since": since, "version": article.version, "waiting": f"{evidence.pk}:pending"}
            )
            code, _, answer = request(
                server.host, server.port, "GET", f"{changes}?{query}", headers=headers
            )
            if code == 200 and re.search(rb'class="claim-evidence evidence-captured"', answer):
                return time.monotonic()
        time.sleep(0.02)
    raise RuntimeError(f"E1: {link} was not captured within 120 s")


def _baseline(pages: PageServer, n: int) -> tuple[list[float], list[float]]:
    """The fetch the job makes (services.evidence's arguments), timed alone; then what the
    capture does with the answer in this process (main text, WARC)."""
    from annotations.services.evidence import _fetch

    fetch_times, work_times = [], []
    with override_settings(URL_IMPORT_ALLOW_PRIVATE=True, URL_FETCH_ALLOW=[pages.allow]):
        assert fetching.private_allowance() == frozenset({pages.allow})
        for i in range(n):
            began = time.monotonic()
            answer = _fetch(pages.url(f"baseline-{i}"))
            fetch_times.append(time.monotonic() - began)
            began = time.monotonic()
            capture.main_text(answer.result)
            capture.warc(answer.result, captured_at=answer.at)
            work_times.append(time.monotonic() - began)
    return fetch_times, work_times
