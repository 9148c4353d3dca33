"""A1: creating a claim through the REST API (POST /api/v1/claims/, JSON, a personal token
each client) against the htmx save of the page, the same load in the same run (issue 25:
at least 0.8 of the htmx save's throughput).

Both doors write through the same service, with the same webhook subscription active and
the same share of evidence links as P2 (bench/saves.py), so both queue the same jobs.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.urls import reverse

from annotations import services
from bench.data import Run, bench_webhook
from bench.loadgen import run_load
from bench.report import log, ms, status
from bench.saves import EVIDENCE_EVERY, save_fields, save_headers
from bench.server import Gunicorn

TARGET = 0.8


def api_rows(run: Run, server: Gunicorn, workers: int) -> list[list[str]]:
    article = run.big_article()
    clients = run.options.clients
    duration = run.options.duration or (2.0 if run.quick else 10.0)
    warmup = 0.5 if run.quick else 1.0
    processes = run.options.load_processes
    fields = save_fields(article, 2 * (4000 if run.quick else 25_000))
    half = len(fields) // 2
    headers, _ = save_headers(server, article, run.session())
    # One token a client, as each script of a desk has its own (the API's rate is per token).
    tokens = [
        services.api_token_create(user=run.user, name=f"bench {i}")[1] for i in range(clients)
    ]
    api_headers = [
        {"Authorization": f"Bearer {t}", "Content-Type": "application/json"} for t in tokens
    ]
    webhook = bench_webhook()
    page_bodies = [urlencode(f) for f in fields[:half]]
    api_bodies = [json.dumps({**f, "article": article.pk}) for f in fields[half:]]

    def load(path, headers, bodies):
        result = run_load(
            server, path, headers, bodies, clients=clients, processes=processes,
            duration=duration, warmup=warmup,
        )  # fmt: skip
        if result.bad or result.errors:
            log(f"A1 {path}: non-2xx answers {result.bad}; errors {result.errors[:3]}")
        return result

    log(f"A1: {clients} clients for {duration:g} s on the htmx save, then on the API…")
    page = load(reverse("annotations:claim-create", args=[article.pk]), headers, page_bodies)
    api = load("/api/v1/claims/", api_headers, api_bodies)
    webhook.enabled = False
    webhook.save(update_fields=["enabled"])
    ratio = api.throughput / page.throughput if page.throughput else 0.0
    clean = not (page.bad or api.bad)
    return [
        [
            "A1",
            f"create a claim through the API (JSON, a token a client), gunicorn {workers} "
            f"workers, {clients} clients; webhook + 1 in {EVIDENCE_EVERY} evidence as P2",
            f"{api.throughput:.0f} creates/s; p50 {ms(api.p(50))}, p95 {ms(api.p(95))}",
            f"htmx save: {page.throughput:.0f}/s; p50 {ms(page.p(50))}",
            f"{ratio:.2f} throughput",
            f">= {TARGET} throughput",
            status(ratio >= TARGET and clean),
        ]
    ]
