"""P4: the bulk import (`articles_import`, validated, with history) at two sizes, against
the database's own insert of the same rows (tuples by COPY on PostgreSQL, executemany on
SQLite: no checks, no history), and beside a bare bulk_create of them (Django's instances).
All run in transactions that are rolled back. The absolute target for 500 articles x 100
claims is Label Studio's time for the same job on this machine (issue 25): 1.7 s."""

from __future__ import annotations

import io
import json
import random
import time
from datetime import UTC, datetime

from django.db import transaction

from annotations import anchoring
from annotations.importers.bulk import read_jsonl
from annotations.models import Annotation, Article
from annotations.rows import Table, reserve_ids
from annotations.services.imports import articles_import
from bench.data import BENCH_OUTLET, SOURCE_PREFIX, Run, WordSpans, article_text
from bench.report import log, status


def _records(rng: random.Random, corpus: str, case: int, n_articles: int, per) -> list[dict]:
    """JSONL records: articles cut from `corpus`, with `per` claims each (0-3 when None)."""
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
                    else f"{SOURCE_PREFIX}{rng.randrange(10)}",
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
    return records


LABEL_STUDIO_S = 1.7


def import_rows(run: Run) -> list[list[str]]:
    cases = (
        [(100, 100, "with 100 claims each"), (2000, None, "with 0-3 claims")]
        if run.quick
        else [(500, 100, "with 100 claims each"), (10_000, None, "with 0-3 claims")]
    )
    rng = random.Random(4)
    corpus = article_text(rng, 120_000)
    rows = []
    for case, (n_articles, per, description) in enumerate(cases):
        records = _records(rng, corpus, case, n_articles, per)
        n_claims = sum(len(r["claims"]) for r in records)
        jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        log(f"P4: {n_articles:,} articles, {n_claims:,} claims: bare bulk_create…")
        bare_orm = _bare_import(run, records)
        log("P4: bare insert of tuples…")
        bare = _bare_rows(run, records)
        log("P4: articles_import…")
        job, report = _import(run, jsonl)
        if report.created != n_articles or report.claims != n_claims or report.errors:
            log(f"P4: the import did not take every row: {report.summary()}")
        ratio = bare / job
        # Label Studio's time for 500 documents x 100 spans here (issue 25).
        absolute = job <= LABEL_STUDIO_S if (n_articles, per) == (500, 100) else None
        rows.append(
            [
                "P4",
                f"bulk import (JSONL, validated, with history): {n_articles:,} articles "
                f"{description} ({n_claims:,} claims)",
                f"{job:.2f} s ({n_articles / job:,.0f} articles/s)",
                f"bare insert of the same rows as tuples (COPY / executemany): {bare:.2f} s; "
                f"bare bulk_create: {bare_orm:.2f} s",
                f"{ratio:.2f} speed",
                ">= 0.5 speed (bare insert time / import time)"
                + (f"; <= {LABEL_STUDIO_S} s (Label Studio)" if absolute is not None else ""),
                status(ratio >= 0.5 and absolute is not False and report.created == n_articles),
            ]
        )
    return rows


def _import(run: Run, jsonl: str):
    with transaction.atomic():
        began = time.perf_counter()
        report = articles_import(read_jsonl(io.StringIO(jsonl)), user=run.user)
        seconds = time.perf_counter() - began
        transaction.set_rollback(True)
    return seconds, report


def _bare_import(run: Run, records: list[dict]) -> float:
    by_name = {s.name: s for s in run.sources}
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
                    created_by=run.user,
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
                            created_by=run.user,
                            updated_by=run.user,
                        )
                    )
            Annotation.objects.bulk_create(claims)
        seconds = time.perf_counter() - began
        transaction.set_rollback(True)
    return seconds


def _bare_rows(run: Run, records: list[dict]) -> float:
    """The same articles and claims as tuples, straight into their tables (`rows.Table`, as
    the import writes them), in the import's batches: no reading, no checks, no history,
    no terms. What the database itself takes, indexes included."""
    by_name = {s.name: s.pk for s in run.sources}
    published = datetime(2024, 3, 1, 10, tzinfo=UTC)
    with transaction.atomic():
        began = time.perf_counter()
        for i in range(0, len(records), 500):
            batch = records[i : i + 500]
            articles = Table(
                Article,
                ("id", "title", "body", "url", "outlet", "published_at", "language", "body_hash"),
                {"created_by_id": run.user.pk, "created_at": published, "updated_at": published},
            )
            ids = reserve_ids(Article, len(batch))
            articles.write(
                (pk, r["title"], r["body"], r["url"], r["outlet"],
                 articles.adapt("published_at", published), r["language"],
                 anchoring.body_hash(r["body"]))
                for pk, r in zip(ids, batch, strict=True)
            )  # fmt: skip
            claims = Table(
                Annotation,
                ("article_id", "start", "end", "quote", "prefix", "suffix", "label",
                 "credibility", "source_id"),
                {"created_by_id": run.user.pk, "updated_by_id": run.user.pk,
                 "created_at": published, "updated_at": published},
            )  # fmt: skip
            claims.write(
                (pk, c["start"], c["end"], c["quote"],
                 *anchoring.context(r["body"], c["start"], c["end"]), c["label"],
                 c["credibility"], by_name.get(c["source"]))
                for pk, r in zip(ids, batch, strict=True)
                for c in r["claims"]
            )  # fmt: skip
        seconds = time.perf_counter() - began
        transaction.set_rollback(True)
    return seconds
