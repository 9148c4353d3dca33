"""S1: similar-claim suggestions for a selection, among 100,000 claims on PostgreSQL (10,000
on SQLite), against a plain indexed lookup of claims in the same run.

The claims are the labelled set's quotes (tests/data/similar_claims) in en, uk and ru, each
copied with its figures changed and a made-up name put in, so that the database holds many
near repeats and a realistic spread of common and rare terms. They are written with their
matcher terms (as the services write them), in bulk, on articles of the bench's outlet
(removed after).
"""

from __future__ import annotations

import gc
import json
import random
import re
import statistics
import time
from pathlib import Path

from django.db import connection, transaction

from annotations import anchoring, shared, similarity
from annotations.models import Annotation, Article, ClaimQuote, ClaimTerm
from bench.data import BENCH_OUTLET, Run
from bench.report import log, ms, percentile, status

SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "similar_claims"
PER_ARTICLE = 100
CONSONANTS, VOWELS = "bdghklmnprstvz", "aeiou"


def _quotes() -> list[tuple[str, str]]:
    quotes = []
    for name in ("tuning", "frozen"):
        data = json.loads((SET / f"{name}.json").read_text(encoding="utf-8"))
        for article in data["articles"]:
            quotes += [(c["quote"], article["language"]) for c in article["claims"]]
    return quotes


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(3)).capitalize()


def _variant(rng: random.Random, quote: str, pool: list[list[str]] | None = None) -> str:
    """The quote with its figures changed and a made-up name added; with `pool` (the set's
    quotes of one language, as words), half of it swapped for words of other quotes, so
    that 100,000 claims are as varied as a desk's, not 300 copies of each quote."""
    quote = re.sub(r"\d+", lambda m: str(rng.randint(2, 9999)), quote)
    if pool:
        words = quote.split()
        keep = rng.randint(len(words) // 3, max(len(words) // 3, len(words) // 2))
        start = rng.randrange(0, len(words) - keep + 1)
        other = rng.choice(pool)
        at = rng.randrange(0, max(1, len(other) - 8))
        words = words[start : start + keep] + other[at : at + rng.randint(4, 10)]
        quote = " ".join(words)
    return f"{quote} {_name(rng)} {_name(rng)}."


def _fill(rng: random.Random, total: int, user) -> None:
    quotes = _quotes()
    pools: dict[str, list[list[str]]] = {}
    for quote, lang in quotes:
        pools.setdefault(lang, []).append(quote.split())
    made = 0
    while made < total:
        language = rng.choice(sorted(pools))
        texts = [rng.choice([q for q in quotes if q[1] == language]) for _ in range(PER_ARTICLE)]
        texts = [(_variant(rng, q, pools[lang]), lang) for q, lang in texts]
        body = "\n\n".join(q for q, _lang in texts)
        article = Article.objects.create(
            title="bench similar",
            body=body,
            body_hash=anchoring.body_hash(body),
            outlet=BENCH_OUTLET,
            language=language,
            created_by=user,
        )
        claims, at = [], 0
        for quote, _lang in texts:
            start = body.index(quote, at)
            at = start + len(quote)
            claims.append(
                Annotation(article=article, start=start, end=at, quote=quote, label="disputed")
            )
        Annotation.objects.bulk_create(claims)
        ClaimTerm.objects.bulk_create(
            [
                ClaimTerm(annotation_id=c.pk, term=term, weight=weight)
                for c in claims
                for term, weight in similarity.terms(c.quote, language).items()
            ],
            batch_size=5000,
        )
        if connection.vendor == "postgresql":  # the trigram search's quotes, as a save writes
            ClaimQuote.objects.bulk_create(
                [ClaimQuote(annotation_id=c.pk, quote=c.quote) for c in claims], batch_size=5000
            )
        made += len(claims)
        if made % 10_000 == 0:
            log(f"S1: {made:,} claims…")


def similar_row(run: Run) -> list[list[str]]:
    rng = random.Random(22)
    total = 10_000 if not run.pg else (20_000 if run.quick else 100_000)
    target = 0.050 if run.pg else 0.200
    log(f"S1: writing {total:,} claims with their matcher terms…")
    with transaction.atomic():
        _fill(rng, total, run.user)
    # The fill's 100,000 quotes filled the matcher's caches: a server's worker holds only
    # what it was asked, so they are emptied (and the garbage collected) before measuring.
    for cached in (similarity.features, similarity.lemma, similarity.name_keys):
        cached.cache_clear()
    gc.collect()
    if run.pg:  # as autovacuum would have, on a desk's database
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE annotations_claimterm")
            cursor.execute("VACUUM ANALYZE annotations_annotation")
    selections = [(_variant(rng, q), lang) for q, lang in rng.sample(_quotes(), 60)]
    ids = list(Annotation.objects.filter(article__outlet=BENCH_OUTLET).values_list("pk", flat=True))
    for quote, lang in selections[:5]:  # warm up
        shared.suggestions(quote, language=lang, exclude_article=0)
    times, found = [], 0
    for quote, lang in selections:
        began = time.perf_counter()
        result = shared.suggestions(quote, language=lang, exclude_article=0)
        times.append(time.perf_counter() - began)
        found += bool(result)
    base = []
    for pk in rng.sample(ids, 60):
        began = time.perf_counter()
        list(Annotation.objects.filter(pk=pk).select_related("article", "source"))
        base.append(time.perf_counter() - began)
    median, p95 = statistics.median(times), percentile(times, 95)
    baseline = statistics.median(base)
    database = "PostgreSQL" if run.pg else "SQLite"
    return [
        [
            "S1",
            f"suggestions for a selection among {total:,} claims ({database}); "
            f"{found} of {len(selections)} got some",
            f"median {ms(median)}, p95 {ms(p95)}",
            f"claim by id with its article: median {ms(baseline)}",
            f"{median / baseline:.0f}x",
            f"p95 <= {ms(target)}",
            status(p95 <= target),
        ]
    ]
