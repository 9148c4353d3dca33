"""`make bench`: measure the main jobs on data built for the purpose, against baselines.

Separate from `make test`: CI does not run it. Each row prints a figure and its ratio to a
baseline measured in the same run, on the same machine and database (absolute times on
shared machines are noise; ratios travel). It uses PostgreSQL when DATABASE_URL is set,
SQLite otherwise, where a baseline that needs PostgreSQL says so. `--quick` uses smaller
sizes and finishes in under a minute. The machinery (servers, load generator, browser,
data) is in `annotations/benchmarks.py`.

| # | job | baseline |
| P1 | the article page with 2,000 overlapping claims | the same page with 20 claims |
| P2 | saving a claim (htmx POST) under gunicorn, 16 clients | a bare view doing one INSERT |
| P3 | CSV export (`export_annotations`), two sizes | PostgreSQL's COPY of the same join |
| P4 | bulk import (`articles_import`), two sizes | a bare bulk_create of the same rows |
| P5 | selection -> saved visible highlight in Chromium | - |
| P6 | re-anchoring 1,000 claims after a correction | - |
| L1 | live updates: 50 tabs polling every 4 s (issue 9) | the check flat out, 16 clients |

All the data is the bench's own (articles with the outlet "make bench…", "make-bench"
users and sources) and is removed at the end, and at the start if a run crashed.
"""

from __future__ import annotations

import io
import json
import os
import random
import statistics
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import anchoring, benchmarks, exporters, selectors, services
from annotations.benchmarks import (
    BENCH_OUTLET,
    EXPORT_OUTLET,
    Gunicorn,
    WordSpans,
    article_text,
    log,
    ms,
    percentile,
)
from annotations.models import Annotation, Article

ROWS = ["P1", "P2", "P3", "P4", "P5", "P6", "L1"]


def _status(ok: bool | None) -> str:
    return {True: "ok", False: "MISSED", None: "n/a"}[ok]


class Command(BaseCommand):
    help = "Measure the main jobs (P1-P6) against baselines measured in the same run."

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="Smaller sizes (< 1 minute).")
        parser.add_argument(
            "--only", default="", help="Comma-separated rows to run, e.g. P1,P3 (default: all)."
        )
        parser.add_argument(
            "--export-small", type=int, help="P3: claims in the smaller export (50,000)."
        )
        parser.add_argument(
            "--export-large", type=int, help="P3: claims in the larger export (1,000,000)."
        )
        parser.add_argument("--clients", type=int, default=16, help="P2: concurrent clients.")
        parser.add_argument(
            "--duration", type=float, help="P2: seconds of load per measurement (10; quick 2)."
        )
        parser.add_argument(
            "--workers", type=int, help="P2/P5: gunicorn workers (default 2 x CPU cores)."
        )
        parser.add_argument(
            "--load-processes", type=int, default=2, help="P2: load generator processes."
        )
        parser.add_argument("--saves", type=int, help="P5: saves in Chromium (50; quick 15).")

    def handle(self, *args, **options):
        quick = options["quick"]
        only = [r.strip().upper() for r in options["only"].split(",") if r.strip()] or ROWS
        unknown = set(only) - set(ROWS)
        if unknown:
            raise CommandError(f"Unknown rows: {', '.join(sorted(unknown))}")
        self.quick = quick
        self.options = options
        self.pg = connection.vendor == "postgresql"
        self.session_keys: list[str] = []
        self.big_article = None
        if settings.DEBUG:
            log("warning: DEBUG is on; server times include its overhead (make bench turns it off)")
        began = time.monotonic()
        load_before = os.getloadavg()[0]
        benchmarks.cleanup()
        self.user = benchmarks.bench_user("Editor")
        self.sources = benchmarks.bench_sources(10)
        rows: list[list[str]] = []
        try:
            if "P1" in only:
                rows += self.page_row()
            if {"P2", "P5", "L1"} & set(only):
                rows += self.server_rows(only)
            if "P3" in only:
                rows += self.export_rows()
            if "P4" in only:
                rows += self.import_rows()
            if "P6" in only:
                rows += self.reanchor_row()
        finally:
            log("cleaning up the bench data…")
            benchmarks.cleanup(self.session_keys)
        order = {n: i for i, n in enumerate(ROWS)}
        rows.sort(key=lambda r: order[r[0]])
        database = "PostgreSQL" if self.pg else "SQLite"
        mode = "quick" if quick else "full"
        self.stdout.write(
            f"make bench ({mode}) on {database}, {os.cpu_count()} CPU cores, "
            f"{time.monotonic() - began:.0f} s; load average {load_before:.1f} at the start, "
            f"{os.getloadavg()[0]:.1f} at the end"
        )
        self.stdout.write(benchmarks.render_table(rows))

    # --- P1: the article page ----------------------------------------------------------------

    def page_row(self) -> list[list[str]]:
        rng = random.Random(1)
        size, n, n_small = 100_000, 2000, 20
        repeats, warmup = (7, 1) if self.quick else (30, 3)
        log(f"P1: building a {size:,}-character article with {n:,} and with {n_small} claims…")
        body = article_text(rng, size)
        words = WordSpans(body)
        big = benchmarks.make_article(
            body, words.many(rng, n), user=self.user, sources=self.sources, rng=rng
        )
        small = benchmarks.make_article(
            body, words.many(rng, n_small), user=self.user, sources=self.sources, rng=rng
        )
        self.big_article = big
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(self.user)
        self.session_keys.append(client.session.session_key)

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
        self.page_bytes = big_bytes
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
                _status(ok),
            ]
        ]

    # --- P2 and P5: gunicorn -----------------------------------------------------------------

    def server_rows(self, only) -> list[list[str]]:
        workers = self.options["workers"] or 2 * (os.cpu_count() or 1)
        rows = []
        with Gunicorn(workers) as server:
            log(f"gunicorn: {workers} sync workers on {server.url}")
            if "P2" in only:
                rows += self.save_rows(server, workers)
            if "P5" in only:
                rows += self.browser_row(server)
            if "L1" in only:
                rows += self.polling_row(server, workers)
        return rows

    def polling_row(self, server: Gunicorn, workers: int) -> list[list[str]]:
        """What 50 open article pages cost while nothing changes: each polls every 4 s
        and gets a 204. Requests/s, latency, and the CPU the app's processes used."""
        tabs, interval = 50, 4.0
        duration = 8.0 if self.quick else 40.0
        article = self._big_article()
        session = benchmarks.session_for(self.user)
        self.session_keys.append(session)
        path = reverse("annotations:article-changes", args=[article.pk])
        query = urlencode(
            {"since": selectors.article_stamp(article.pk), "version": article.version}
        )
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}", "HX-Request": "true"}
        log(f"L1: {tabs} tabs polling every {interval:g} s for {duration:g} s…")
        cpu_before = server.cpu_seconds()
        paced = benchmarks.run_load(
            server, path, headers, [query] * tabs, clients=tabs, processes=1,
            duration=duration, warmup=interval, method="GET", interval=interval,
        )  # fmt: skip
        cpu = server.cpu_seconds() - cpu_before
        share = cpu / (duration + interval)  # the lead-in before the first request is idle
        log("L1: the unchanged check flat out, 16 clients…")
        flat = benchmarks.run_load(
            server, path, headers, [query] * 16, clients=16, processes=2,
            duration=3.0 if self.quick else 10.0, warmup=0.5, method="GET",
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
                _status(statuses == {204}),
            ]
        ]

    def _big_article(self):
        if self.big_article is None:
            rng = random.Random(1)
            body = article_text(rng, 100_000)
            self.big_article = benchmarks.make_article(
                body,
                WordSpans(body).many(rng, 2000),
                user=self.user,
                sources=self.sources,
                rng=rng,
            )
        return self.big_article

    def save_rows(self, server: Gunicorn, workers: int) -> list[list[str]]:
        article = self._big_article()
        clients = self.options["clients"]
        duration = self.options["duration"] or (2.0 if self.quick else 10.0)
        warmup = 0.5 if self.quick else 1.0
        sequential = 30 if self.quick else 200
        processes = self.options["load_processes"]
        session = benchmarks.session_for(self.user)
        self.session_keys.append(session)
        token, page_bytes = benchmarks.csrf_token(server, article.get_absolute_url(), session)
        headers = {
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; "
            f"{settings.CSRF_COOKIE_NAME}={token}",
            "X-CSRFToken": token,
            "HX-Request": "true",
            "HX-Current-URL": server.url + article.get_absolute_url(),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        # Distinct spans (at word boundaries, as editors select) for every save.
        rng = random.Random(2)
        words = WordSpans(article.body)
        existing = set(article.annotations.values_list("start", "end"))
        pool, seen = [], set(existing)
        wanted = 4000 if self.quick else 25_000
        while len(pool) < wanted:
            span = words.pick(rng)
            if span and span not in seen:
                seen.add(span)
                pool.append(span)
        labels = ["verified", "disputed", "unattributed"]
        bodies = [
            urlencode(
                {
                    "start": s,
                    "end": e,
                    "quote": article.body[s:e],
                    "label": labels[i % 3],
                    "version": article.version,
                }
            )
            for i, (s, e) in enumerate(pool)
        ]
        save_path = reverse("annotations:claim-create", args=[article.pk])
        bare_path = benchmarks.BARE_INSERT_PATH.format(pk=article.pk)

        # One save by hand: what the answer holds.
        status, _, answer = benchmarks.request(
            server.host, server.port, "POST", save_path, bodies.pop().encode(), headers
        )
        if status != 200:
            raise RuntimeError(f"a claim save answered {status}: {answer[:500]!r}")
        answer_blocks = answer.count(b'class="blk"')
        page_blocks = len(anchoring.split_blocks(article.body))

        def load(path, some_bodies, **kwargs):
            result = benchmarks.run_load(
                server, path, headers, some_bodies, processes=processes, **kwargs
            )
            bad = {k: v for k, v in result.statuses.items() if not 200 <= k < 300}
            if bad or result.errors:
                log(f"P2 {path}: non-2xx answers {bad}; errors {result.errors[:3]}")
            log(
                f"P2 {path}: {len(result.latencies)} requests in {result.seconds:.1f} s, "
                f"load generator CPU {result.cpu_seconds:.1f} s"
            )
            return result

        log(f"P2: {sequential} sequential saves, then the bare INSERT…")
        seq = load(save_path, bodies[:sequential], clients=1, count=sequential)
        bodies = bodies[sequential:]
        log(f"P2: {clients} clients for {duration:g} s on the claim save…")
        conc = load(save_path, bodies, clients=clients, duration=duration, warmup=warmup)
        bare_seq = load(bare_path, bodies, clients=1, count=sequential)
        log(f"P2: {clients} clients for {duration:g} s on the bare INSERT…")
        bare = load(bare_path, bodies, clients=clients, duration=duration, warmup=warmup)
        ratio = conc.throughput / bare.throughput if bare.throughput else 0.0
        answer_kb = statistics.median(seq.sizes) / 1000
        page_kb = page_bytes / 1000
        db = "PostgreSQL" if self.pg else "SQLite"
        small_answer = answer_blocks < page_blocks / 10 and answer_kb < page_kb / 10
        clean = not any(not 200 <= k < 300 for r in (seq, conc) for k in r.statuses)
        return [
            [
                "P2",
                f"save a claim (htmx POST) on the P1 article, gunicorn {workers} workers + {db}, "
                f"{clients} clients",
                f"{conc.throughput:.0f} saves/s; p50 {ms(conc.p(50))}, p95 {ms(conc.p(95))}",
                f"bare 1-INSERT view: {bare.throughput:.0f}/s; p50 {ms(bare.p(50))}, "
                f"p95 {ms(bare.p(95))}",
                f"{ratio:.2f} throughput",
                ">= 0.5 throughput",
                _status(ratio >= 0.5 and clean),
            ],
            [
                "P2",
                "the same save, 1 client, sequential; size of the answer",
                f"p50 {ms(seq.p(50))}, p95 {ms(seq.p(95))}; answer {answer_kb:.1f} kB, "
                f"{answer_blocks} of {page_blocks} blocks",
                f"bare view p50 {ms(bare_seq.p(50))}; whole page {page_kb:,.0f} kB",
                f"{seq.p(50) / bare_seq.p(50):.1f}x p50; answer {answer_kb / page_kb:.2%} of page",
                "p50 <= 10 ms; no whole-article re-render",
                _status(seq.p(50) <= 0.010 and small_answer and clean),
            ],
        ]

    def browser_row(self, server: Gunicorn) -> list[list[str]]:
        saves = self.options["saves"] or (15 if self.quick else 50)
        size, n = 30_000, 500
        rng = random.Random(5)
        body = article_text(rng, size)
        words = WordSpans(body)
        article = benchmarks.make_article(
            body, words.many(rng, n), user=self.user, sources=self.sources, rng=rng
        )
        taken = set(article.annotations.values_list("start", "end"))
        chosen = []
        while len(chosen) < saves:
            span = words.pick(rng, 15, 120)
            if span and span not in taken:
                taken.add(span)
                chosen.append(span)
        session = benchmarks.session_for(self.user)
        self.session_keys.append(session)
        log(f"P5: Chromium, {saves} saves on a {size:,}-character article with {n} claims…")
        previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop; no ORM inside
        try:
            results = benchmarks.browser_saves(server, session, article.get_absolute_url(), chosen)
        except Exception as exc:  # noqa: BLE001 - a missing browser is a row, not a crash
            log(f"P5 failed: {exc!r}")
            return [
                [
                    "P5",
                    "selection -> saved, visible highlight (Chromium)",
                    f"failed: {exc}",
                    "-",
                    "-",
                    "<= 150 ms median",
                    "MISSED",
                ]
            ]
        finally:
            if previous is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        stored = {
            (a.start, a.end)
            for a in Annotation.objects.filter(pk__in=[int(r["id"]) for r in results])
        }
        correct = stored == set(chosen)
        if not correct:
            log(f"P5: the saved spans differ from the selections: {sorted(stored)[:5]}…")
        times = [r["ms"] / 1000 for r in results]
        log("P5 saves (ms): " + " ".join(f"{r['ms']:.0f}" for r in results))
        median = statistics.median(times)
        return [
            [
                "P5",
                f"Chromium: selection -> saved, visible highlight, {size:,} chars, {n} claims",
                f"median {ms(median)}, p95 {ms(percentile(times, 95))} over {saves} saves",
                "-",
                "-",
                "<= 150 ms median",
                _status(median <= 0.150 and correct),
            ]
        ]

    # --- P3: the CSV export ------------------------------------------------------------------

    def export_rows(self) -> list[list[str]]:
        small = self.options["export_small"] or (10_000 if self.quick else 50_000)
        large = self.options["export_large"] or (100_000 if self.quick else 1_000_000)
        n_articles = 250
        rng = random.Random(3)
        log(f"P3: {n_articles} articles; {small:,} then {large:,} claims…")
        base = article_text(rng, 60_000)
        articles = []
        for i in range(n_articles):
            offset = rng.randrange(0, 40_000)
            text = f"Dispatch {i}\n\n" + base[offset : offset + 20_000].strip()
            articles.append(
                Article(
                    title=f"Export bench {i}",
                    body=text,
                    body_hash=anchoring.body_hash(text),
                    outlet=EXPORT_OUTLET,
                    url=f"https://bench.example/export/{i}",
                    published_at=datetime(2024, 3, 1, 10, tzinfo=UTC),
                    created_by=self.user,
                )
            )
        Article.objects.bulk_create(articles)
        rows = []
        done = 0
        for total in (small, large):
            per_article = max(1, round(total / n_articles))
            began = time.perf_counter()
            self._insert_claims(articles, done + 1, per_article)
            done = per_article
            n = Annotation.objects.filter(article__outlet=EXPORT_OUTLET).count()
            log(f"P3: {n:,} claims written in {time.perf_counter() - began:.1f} s; exporting…")
            rows.append(self._export_row(n))
        return rows

    def _insert_claims(self, articles, first: int, last: int) -> None:
        """Claims number first..last of every export article: real spans of each body, a
        third unattributed, some with notes (commas, quotes, a line break, a leading "=")
        and evidence links. Written with COPY on PostgreSQL (a million in seconds)."""
        columns = [
            "article_id", "start", "end", "quote", "prefix", "suffix", "label",
            "credibility", "note", "evidence_url", "created_at", "updated_at",
            "anchor_state", "original_quote", "created_by_id", "updated_by_id", "source_id",
        ]  # fmt: skip
        now = connection.ops.adapt_datetimefield_value(datetime.now(UTC))
        user = self.user.pk
        sources = [s.pk for s in self.sources]
        labels = ["verified", "disputed", "unattributed"]
        notes = ["", "", "", 'Checked with the regional administration, "by\nphone", on Monday',
                 "=SUM(A1:A9) looks like a formula"]  # fmt: skip

        def rows():
            for article in articles:
                body, pk = article.body, article.pk
                room = len(body) - 200
                for n in range(first, last + 1):
                    start = (n * 7919 + pk * 104729) % room
                    end = start + 10 + (n * 31 + pk) % 151
                    label = labels[n % 3]
                    yield (
                        pk, start, end, body[start:end], body[max(0, start - 32) : start],
                        body[end : end + 32], label,
                        None if label == "unattributed" else 1 + n % 6,
                        notes[n % 5] if n % 7 == 0 else "",
                        f"https://example.org/evidence/{n}" if n % 4 == 0 else "",
                        now, now, "anchored", "", user, user,
                        None if label == "unattributed" else sources[n % len(sources)],
                    )  # fmt: skip

        table = Annotation._meta.db_table
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with transaction.atomic(), connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows():
                        copy.write_row(row)
            else:
                values = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {table} ({names}) VALUES ({values})"  # noqa: S608
                batch = []
                for row in rows():
                    batch.append(row)
                    if len(batch) == 10_000:
                        cursor.executemany(sql, batch)
                        batch = []
                cursor.executemany(sql, batch)
        with connection.cursor() as cursor:  # as autovacuum would after a load this size
            cursor.execute(f"ANALYZE {table}")
            cursor.execute(f"ANALYZE {Article._meta.db_table}")

    def _export_row(self, n: int) -> list[str]:
        result = benchmarks.run_export(EXPORT_OUTLET)
        seconds, peak = result["seconds"], result["peak_mb"]
        measured = (
            f"{seconds:.2f} s ({n / seconds:,.0f} rows/s); peak {peak:.0f} MB "
            f"({result['startup_mb']:.0f} MB after start-up)"
        )
        memory_ok = peak <= 100
        if not self.pg:
            return [
                "P3",
                f"CSV export (export_annotations), {n:,} claims",
                measured,
                "COPY: needs PostgreSQL",
                "-",
                "time <= 2x COPY; peak <= 100 MB, flat in N",
                _status(memory_ok),
            ]
        copy_seconds, copy_bytes = self._copy_baseline()
        ratio = seconds / copy_seconds
        return [
            "P3",
            f"CSV export (export_annotations), {n:,} claims",
            measured,
            f"COPY (same join) TO STDOUT CSV: {copy_seconds:.2f} s, {copy_bytes / 1e6:.0f} MB",
            f"{ratio:.1f}x time",
            "time <= 2x COPY; peak <= 100 MB, flat in N",
            _status(ratio <= 2 and memory_ok),
        ]

    def _copy_baseline(self) -> tuple[float, int]:
        claims = selectors.claim_list(outlet=EXPORT_OUTLET).order_by("id")
        sql, params = claims.values_list(*exporters._FIELDS).query.sql_with_params()
        statement = f"COPY ({connection.ops.compose_sql(sql, params)}) TO STDOUT WITH CSV"
        size = 0
        began = time.perf_counter()
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for block in copy:
                size += len(block)
        return time.perf_counter() - began, size

    # --- P4: the bulk import -----------------------------------------------------------------

    def import_rows(self) -> list[list[str]]:
        cases = (
            [(100, 100, "with 100 claims each"), (2000, None, "with 0-3 claims")]
            if self.quick
            else [(500, 100, "with 100 claims each"), (10_000, None, "with 0-3 claims")]
        )
        rng = random.Random(4)
        corpus = article_text(rng, 120_000)
        rows = []
        for case, (n_articles, per, description) in enumerate(cases):
            records = []
            for i in range(n_articles):
                length = 6000 if per else rng.randint(2000, 4000)
                offset = rng.randrange(0, len(corpus) - length)
                body = f"Report {case}-{i}\n\n" + corpus[offset : offset + length].strip()
                words = WordSpans(body)
                claims = []
                for s, e in words.many(rng, per if per else rng.randint(0, 3), nested_share=0.2):
                    label = rng.choice(["verified", "disputed", "unattributed"])
                    claims.append(
                        {
                            "start": s,
                            "end": e,
                            "quote": body[s:e],
                            "label": label,
                            "source": ""
                            if label == "unattributed"
                            else f"{benchmarks.SOURCE_PREFIX}{rng.randrange(10)}",
                            "credibility": rng.choice([None, 2, 3]),
                        }
                    )
                records.append(
                    {
                        "title": f"Import bench {case}-{i}",
                        "body": body,
                        "url": f"https://bench.example/import/{case}/{i}",
                        "outlet": BENCH_OUTLET,
                        "published_at": "2024-03-01T10:00:00+00:00",
                        "language": "en",
                        "claims": claims,
                    }
                )
            n_claims = sum(len(r["claims"]) for r in records)
            jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            log(f"P4: {n_articles:,} articles, {n_claims:,} claims: bare bulk_create…")
            bare = self._bare_import(records)
            log("P4: articles_import…")
            job, report = self._import(jsonl)
            if report.created != n_articles or report.claims != n_claims or report.errors:
                log(f"P4: the import did not take every row: {report.summary()}")
            ratio = bare / job
            rows.append(
                [
                    "P4",
                    f"bulk import (JSONL, validated, with history): {n_articles:,} articles "
                    f"{description} ({n_claims:,} claims)",
                    f"{job:.2f} s ({n_articles / job:,.0f} articles/s)",
                    f"bare bulk_create of the same rows: {bare:.2f} s",
                    f"{ratio:.2f} speed",
                    ">= 0.5 speed (bare time / import time)",
                    _status(ratio >= 0.5 and report.created == n_articles),
                ]
            )
        return rows

    def _import(self, jsonl: str):
        from annotations.importers.bulk import read_jsonl
        from annotations.services.imports import articles_import

        with transaction.atomic():
            began = time.perf_counter()
            report = articles_import(read_jsonl(io.StringIO(jsonl)), user=self.user)
            seconds = time.perf_counter() - began
            transaction.set_rollback(True)
        return seconds, report

    def _bare_import(self, records: list[dict]) -> float:
        by_name = {s.name: s for s in self.sources}
        published = datetime(2024, 3, 1, 10, tzinfo=UTC)
        with transaction.atomic():
            began = time.perf_counter()
            for i in range(0, len(records), 500):  # the import's batches
                batch = records[i : i + 500]
                articles = [
                    Article(
                        title=r["title"],
                        body=r["body"],
                        body_hash=anchoring.body_hash(r["body"]),
                        url=r["url"],
                        outlet=r["outlet"],
                        published_at=published,
                        language=r["language"],
                        created_by=self.user,
                    )
                    for r in batch
                ]
                Article.objects.bulk_create(articles)
                claims = []
                for r, article in zip(batch, articles, strict=True):
                    for c in r["claims"]:
                        prefix, suffix = anchoring.context(r["body"], c["start"], c["end"])
                        claims.append(
                            Annotation(
                                article=article,
                                start=c["start"],
                                end=c["end"],
                                quote=c["quote"],
                                prefix=prefix,
                                suffix=suffix,
                                label=c["label"],
                                credibility=c["credibility"],
                                source=by_name.get(c["source"]),
                                created_by=self.user,
                                updated_by=self.user,
                            )
                        )
                Annotation.objects.bulk_create(claims)
            seconds = time.perf_counter() - began
            transaction.set_rollback(True)
        return seconds

    # --- P6: re-anchoring --------------------------------------------------------------------

    def reanchor_row(self) -> list[list[str]]:
        rng = random.Random(7)
        size, n = (30_000, 300) if self.quick else (100_000, 1000)
        body = article_text(rng, size)
        anchors = []
        for key, (start, end) in enumerate(benchmarks.spans(rng, body, n)):
            prefix, suffix = anchoring.context(body, start, end)
            anchors.append(anchoring.Anchor(key, start, end, body[start:end], prefix, suffix))
        # A realistic correction: a paragraph inserted near the top, a sentence reworded
        # in the middle, a typo fixed near the end.
        middle = len(body) // 2
        new = (
            "UPDATE: the regional governor gave a new toll.\n\n"
            + body[:middle]
            + " Officials later revised the figure."
            + body[middle:]
        )
        new = new.replace("Kharkiv", "Kharkov", 3)
        times = []
        for _ in range(3 if self.quick else 5):
            began = time.perf_counter()
            placements = anchoring.reanchor(body, new, anchors)
            times.append(time.perf_counter() - began)
        pure = statistics.median(times)
        # Through the service, with the database writes, in a transaction rolled back after.
        with transaction.atomic():
            article = Article.objects.create(
                title="bench", body=body, body_hash=anchoring.body_hash(body), outlet=BENCH_OUTLET
            )
            Annotation.objects.bulk_create(
                Annotation(
                    article=article,
                    start=a.start,
                    end=a.end,
                    quote=a.quote,
                    prefix=a.prefix,
                    suffix=a.suffix,
                    label="unattributed",
                )
                for a in anchors
            )
            began = time.perf_counter()
            services.article_correct(article=article, user=None, expected_version=1, body=new)
            whole = time.perf_counter() - began
            transaction.set_rollback(True)
        states = {
            s: sum(p.state == s for p in placements)
            for s in ("anchored", "moved", "changed", "orphaned")
        }
        log(f"P6 outcomes: {states}")
        return [
            [
                "P6",
                f"re-anchor {n:,} claims, {size:,} chars, after a correction",
                f"{whole:.3f} s with the DB writes ({pure:.3f} s pure)",
                "-",
                "-",
                "<= 1 s",
                _status(whole <= 1.0),
            ]
        ]
