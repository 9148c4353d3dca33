"""P1: the article page with 2,000 overlapping claims, against the same page with 20."""

from __future__ import annotations

import random
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.data import Run, WordSpans, article_text, make_article
from bench.report import log, ms, percentile, status


def page_row(run: Run) -> list[list[str]]:
    rng = random.Random(1)
    size, n, n_small = 100_000, 2000, 20
    repeats, warmup = (7, 1) if run.quick else (30, 3)
    log(f"P1: building a {size:,}-character article with {n:,} and with {n_small} claims…")
    body = article_text(rng, size)
    words = WordSpans(body)
    big = make_article(body, words.many(rng, n), user=run.user, sources=run.sources, rng=rng)
    small = make_article(
        body, words.many(rng, n_small), user=run.user, sources=run.sources, rng=rng
    )
    run.article = big  # the same article as Run.big_article() builds: P2 and L1 reuse it
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(run.user)
    run.session_keys.append(client.session.session_key)

    def measure(article):
        url = article.get_absolute_url()
        for _ in range(warmup):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries = len(captured)  # now: the next request resets the log
        times = []
        for _ in range(repeats):
            began = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - began)
        return times, queries, len(response.content)

    log(f"P1: {repeats} requests each…")
    big_times, big_queries, big_bytes = measure(big)
    small_times, small_queries, _ = measure(small)
    median, p95 = statistics.median(big_times), percentile(big_times, 95)
    base = statistics.median(small_times)
    ok = median <= 0.030 and big_queries <= 6 and big_queries == small_queries
    return [
        [
            "P1",
            f"article page, {size:,} chars, {n:,} overlapping claims "
            f"({big_bytes / 1e6:.1f} MB of HTML)",
            f"median {ms(median)}, p95 {ms(p95)}; {big_queries} queries",
            f"{n_small} claims: median {ms(base)}; {small_queries} queries",
            f"{median / base:.1f}x time",
            "<= 30 ms median; <= 6 queries, same for any N",
            status(ok),
        ]
    ]
