"""P3: the CSV export (`export_annotations`) at two sizes, in a process of its own, against
the database's own reading of the same join: PostgreSQL's COPY of it to CSV, SQLite's
SELECT of it fetched through the cursor (no CSV: SQLite has no COPY)."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

from django.db import connection, transaction

from annotations import anchoring, exporters
from annotations.filters import ClaimFilter
from annotations.models import Annotation, Article
from bench.data import EXPORT_OUTLET, Run, article_text
from bench.export_run import run_export
from bench.report import log, status

# Issue 25: at most 0.5 s per 50,000 claims (the smaller export); on PostgreSQL at most twice
# COPY's time; the peak at most 100 MB at 1,000,000 claims, flat in N.
SECONDS_PER_50K = 0.5
TARGET = "<= 0.5 s per 50,000 (smaller); PG: <= 2x COPY; peak <= 100 MB, flat in N"


def export_rows(run: Run) -> list[list[str]]:
    small = run.options.export_small or (10_000 if run.quick else 50_000)
    large = run.options.export_large or (100_000 if run.quick else 1_000_000)
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
                created_by=run.user,
            )
        )
    Article.objects.bulk_create(articles)
    rows = []
    done = 0
    for total in (small, large):
        per_article = max(1, round(total / n_articles))
        began = time.perf_counter()
        _insert_claims(run, articles, done + 1, per_article)
        done = per_article
        n = Annotation.objects.filter(article__outlet=EXPORT_OUTLET).count()
        log(f"P3: {n:,} claims written in {time.perf_counter() - began:.1f} s; exporting…")
        rows.append(_export_row(run, n, timed=total == small))
    return rows


def _insert_claims(run: Run, articles, first: int, last: int) -> None:
    """Claims number first..last of every export article: real spans of each body, a
    third unattributed, some with notes (commas, quotes, a line break, a leading "=")
    and evidence links. Written with COPY on PostgreSQL (a million in seconds)."""
    columns = [
        "article_id", "start", "end", "quote", "prefix", "suffix", "label",
        "credibility", "note", "evidence_url", "created_at", "updated_at",
        "anchor_state", "anchor_reason", "original_quote", "created_by_id",
        "updated_by_id", "source_id", "public_summary", "canonical", "via",
    ]  # fmt: skip
    now = connection.ops.adapt_datetimefield_value(datetime.now(UTC))
    user = run.user.pk
    sources = [s.pk for s in run.sources]
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
                    now, now, "anchored", "", "", user, user,
                    None if label == "unattributed" else sources[n % len(sources)],
                    "", "", "",
                )  # fmt: skip

    table = Annotation._meta.db_table
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        if run.pg:
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


def _export_row(run: Run, n: int, *, timed: bool) -> list[str]:
    """`timed`: the smaller export, which has a time target of its own."""
    result = run_export(EXPORT_OUTLET)
    seconds, peak = result["seconds"], result["peak_mb"]
    measured = (
        f"{seconds:.2f} s ({n / seconds:,.0f} rows/s); peak {peak:.0f} MB "
        f"({result['startup_mb']:.0f} MB after start-up)"
    )
    ok = peak <= 100 and (not timed or seconds <= SECONDS_PER_50K * n / 50_000)
    job = f"CSV export (export_annotations), {n:,} claims"
    if run.pg:
        base_seconds, base_bytes = _copy_baseline()
        baseline = (
            f"COPY (same join) TO STDOUT CSV: {base_seconds:.2f} s, {base_bytes / 1e6:.0f} MB"
        )
        ok = ok and seconds <= 2 * base_seconds
    else:
        base_seconds = _select_baseline()
        baseline = f"SELECT (same join) through the cursor, no CSV: {base_seconds:.2f} s"
    return [
        "P3", job, measured, baseline, f"{seconds / base_seconds:.1f}x time", TARGET, status(ok)
    ]  # fmt: skip


def _join_sql() -> tuple[str, tuple]:
    """The export's join (the claims, their article, source, users and evidence)."""
    claims = ClaimFilter({"outlet": EXPORT_OUTLET}).qs.order_by("id")
    return exporters.claim_values(claims).query.sql_with_params()


def _copy_baseline() -> tuple[float, int]:
    sql, params = _join_sql()
    statement = f"COPY ({connection.ops.compose_sql(sql, params)}) TO STDOUT WITH CSV"
    size = 0
    began = time.perf_counter()
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in copy:
            size += len(block)
    return time.perf_counter() - began, size


def _select_baseline() -> float:
    """Every row of the join read through the raw cursor (values as SQLite gives them, no
    conversion), in one query."""
    sql, params = _join_sql()
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while cursor.fetchmany(10_000):
            pass
    return time.perf_counter() - began
