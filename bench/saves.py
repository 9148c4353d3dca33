"""P2: saving a claim (the htmx POST) under gunicorn, concurrent and one client at a time,
against a bare view that does one INSERT behind the same middleware."""

from __future__ import annotations

import random
import statistics
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from annotations import anchoring
from annotations.models import Article
from bench.data import Run, WordSpans, bench_webhook
from bench.loadgen import run_load
from bench.report import log, ms, status
from bench.server import BARE_INSERT_PATH, Gunicorn, csrf_token, request

# Issue 25: the save's throughput, at least this share of the bare INSERT view's.
BARE_SHARE = 0.6
# One save in EVIDENCE_EVERY carries an evidence link, so its capture job is queued (a
# desk links evidence to some claims, not to all).
EVIDENCE_EVERY = 5


def save_fields(article: Article, wanted: int) -> list[dict]:
    """The fields of claim saves, each on its own span (at word boundaries, as editors
    select) that the article has no claim on yet; one in EVIDENCE_EVERY with a link."""
    rng = random.Random(2)
    existing = set(article.annotations.values_list("start", "end"))
    pool = WordSpans(article.body).fresh(rng, wanted, existing)
    labels = ["verified", "disputed", "unattributed"]
    return [
        {
            "start": s,
            "end": e,
            "quote": article.body[s:e],
            "label": labels[i % 3],
            "version": article.version,
            "evidence_url": "" if i % EVIDENCE_EVERY else f"https://bench.invalid/evidence/{i}",
        }
        for i, (s, e) in enumerate(pool)
    ]


def save_bodies(article: Article, wanted: int) -> list[str]:
    return [urlencode(fields) for fields in save_fields(article, wanted)]


def save_headers(server: Gunicorn, article: Article, session: str) -> tuple[dict, int]:
    """The headers of an htmx claim save on `article` by the signed-in `session` (its CSRF
    cookie and token, as the article page gave them), and that page's size."""
    token, page_bytes = csrf_token(server, article.get_absolute_url(), session)
    headers = {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={token}",
        "X-CSRFToken": token,
        "HX-Request": "true",
        "HX-Current-URL": server.url + article.get_absolute_url(),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return headers, page_bytes


def save_rows(run: Run, server: Gunicorn, workers: int) -> list[list[str]]:
    article = run.big_article()
    clients = run.options.clients
    duration = run.options.duration or (2.0 if run.quick else 10.0)
    warmup = 0.5 if run.quick else 1.0
    sequential = 30 if run.quick else 200
    processes = run.options.load_processes
    headers, page_bytes = save_headers(server, article, run.session())
    bodies = save_bodies(article, 4000 if run.quick else 25_000)
    webhook = bench_webhook()  # every save queues a delivery (and no worker runs it)
    save_path = reverse("annotations:claim-create", args=[article.pk])
    bare_path = BARE_INSERT_PATH.format(pk=article.pk)

    # One save by hand: what the answer holds.
    code, _, answer = request(
        server.host, server.port, "POST", save_path, bodies.pop().encode(), headers
    )
    if code != 200:
        raise RuntimeError(f"a claim save answered {code}: {answer[:500]!r}")
    answer_blocks = answer.count(b'class="blk"')
    page_blocks = len(anchoring.split_blocks(article.body))

    def load(path, some_bodies, **kwargs):
        result = run_load(server, path, headers, some_bodies, processes=processes, **kwargs)
        if result.bad or result.errors:
            log(f"P2 {path}: non-2xx answers {result.bad}; errors {result.errors[:3]}")
        log(
            f"P2 {path}: {len(result.latencies)} requests in {result.seconds:.1f} s, "
            f"load generator CPU {result.cpu_seconds:.1f} s"
        )
        return result

    log(f"P2: {sequential} sequential saves, then the bare INSERT…")
    seq = load(save_path, bodies[:sequential], clients=1, count=sequential)
    # What is left in two halves, one for the claim save and one for the bare INSERT, each
    # span sent once: the database holds one claim per passage, verdict and source, so a
    # span sent again would be refused (the save: 422) or fail (the bare INSERT: 500).
    half = (len(bodies) + sequential) // 2
    saves, inserts = bodies[sequential:half], bodies[half:]
    log(f"P2: {clients} clients for {duration:g} s on the claim save…")
    conc = load(save_path, saves, clients=clients, duration=duration, warmup=warmup)
    bare_seq = load(bare_path, inserts[:sequential], clients=1, count=sequential)
    log(f"P2: {clients} clients for {duration:g} s on the bare INSERT…")
    bare = load(bare_path, inserts[sequential:], clients=clients, duration=duration, warmup=warmup)
    webhook.enabled = False  # the rows after this one queue nothing
    webhook.save(update_fields=["enabled"])
    ratio = conc.throughput / bare.throughput if bare.throughput else 0.0
    answer_kb = statistics.median(seq.sizes) / 1000
    page_kb = page_bytes / 1000
    db = "PostgreSQL" if run.pg else "SQLite"
    small_answer = answer_blocks < page_blocks / 10 and answer_kb < page_kb / 10
    clean = not (seq.bad or conc.bad)
    return [
        [
            "P2",
            f"save a claim (htmx POST) on the P1 article, gunicorn {workers} workers + {db}, "
            f"{clients} clients; each save queues a webhook delivery, 1 in {EVIDENCE_EVERY} an "
            "evidence capture (jobs queued, not run)",
            f"{conc.throughput:.0f} saves/s; p50 {ms(conc.p(50))}, p95 {ms(conc.p(95))}",
            f"bare 1-INSERT view: {bare.throughput:.0f}/s; p50 {ms(bare.p(50))}, "
            f"p95 {ms(bare.p(95))}",
            f"{ratio:.2f} throughput",
            f">= {BARE_SHARE} throughput",
            status(ratio >= BARE_SHARE and clean),
        ],
        [
            "P2",
            "the same save, 1 client, sequential; size of the answer",
            f"p50 {ms(seq.p(50))}, p95 {ms(seq.p(95))}; answer {answer_kb:.1f} kB, "
            f"{answer_blocks} of {page_blocks} blocks",
            f"bare view p50 {ms(bare_seq.p(50))}; whole page {page_kb:,.0f} kB",
            f"{seq.p(50) / bare_seq.p(50):.1f}x p50; answer {answer_kb / page_kb:.2%} of page",
            "p50 <= 10 ms; no whole-article re-render",
            status(seq.p(50) <= 0.010 and small_answer and clean),
        ],
    ]
