"""P6: re-anchoring 1,000 claims of a 100,000-character article after a correction, pure
and through the service with its writes (in a transaction rolled back after)."""

from __future__ import annotations

import random
import statistics
import time

from django.db import transaction

from annotations import anchoring, services
from annotations.models import Annotation, Article
from bench.data import BENCH_OUTLET, Run, article_text, spans
from bench.report import log, status


def _corrected(body: str) -> str:
    """A realistic correction: a paragraph inserted near the top, a sentence reworded in the
    middle, a typo fixed near the end."""
    middle = len(body) // 2
    new = (
        "UPDATE: the regional governor gave a new toll.\n\n"
        + body[:middle]
        + " Officials later revised the figure."
        + body[middle:]
    )
    return new.replace("Kharkiv", "Kharkov", 3)


def reanchor_row(run: Run) -> list[list[str]]:
    rng = random.Random(7)
    size, n = (30_000, 300) if run.quick else (100_000, 1000)
    body = article_text(rng, size)
    anchors = []
    for key, (start, end) in enumerate(spans(rng, body, n)):
        prefix, suffix = anchoring.context(body, start, end)
        anchors.append(anchoring.Anchor(key, start, end, body[start:end], prefix, suffix))
    new = _corrected(body)
    times = []
    for _ in range(3 if run.quick else 5):
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
        services.article_correct(article=article, user=run.user, expected_version=1, body=new)
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
            status(whole <= 1.0),
        ]
    ]
