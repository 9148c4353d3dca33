"""S2: suggested claims for a 100,000-character article, against a plain `re.finditer` of
the reporting verbs over the same text in the same run.

The articles are the labelled set's tuning half (tests/data/suggested_claims), repeated
to 100,000 characters, one article per language (en, uk, ru); the row gives the slowest
language. The sources are an index of the set's speakers (names.NameIndex, as the pages
use it), so every suggestion's speaker is looked up. No database.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path

from annotations import cues, names
from annotations.suggesting import suggest
from bench.data import Run
from bench.report import log, ms, status

SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "suggested_claims"
SIZE = 100_000
TARGET = 0.200
ROUNDS = 15


def _articles() -> tuple[dict[str, str], names.NameIndex]:
    data = json.loads((SET / "tuning.json").read_text(encoding="utf-8"))["articles"]
    bodies: dict[str, list[str]] = {}
    speakers = set()
    for article in data:
        bodies.setdefault(article["language"], []).append(article["body"])
        speakers |= {c["source"] for c in article["claims"] if c["source"]}
    texts = {}
    for language, parts in bodies.items():
        text = ""
        while len(text) < SIZE:
            text += "\n\n".join(parts) + "\n\n"
        texts[language] = text[:SIZE]
    return texts, names.NameIndex(enumerate(sorted(speakers)))


def _median(job, rounds: int = ROUNDS) -> float:
    job()  # warm up (compiled cues, the splitter's patterns)
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        job()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def suggest_row(run: Run) -> list[list[str]]:
    texts, index = _articles()
    verbs = sorted({v for forms in cues.REPORTING_VERBS.values() for v in forms}, key=len)
    plain = re.compile(r"\b(?:" + "|".join(re.escape(v) for v in reversed(verbs)) + r")\b")
    slowest = (0.0, "", 0, 0.0)
    for language, text in sorted(texts.items()):
        log(f"S2: suggested claims, {len(text):,} characters ({language})…")
        found = len(suggest(text, sources=index, language=language))
        median = _median(lambda t=text, lang=language: suggest(t, sources=index, language=lang))
        baseline = _median(lambda t=text: list(plain.finditer(t)))
        if median > slowest[0]:
            slowest = (median, language, found, baseline)
    median, language, found, baseline = slowest
    return [
        [
            "S2",
            f"suggested claims for a 100,000-character article ({language}, the slowest "
            f"language; {found} suggestions)",
            f"median {ms(median)}",
            f"re.finditer of the reporting verbs: median {ms(baseline)}",
            f"{median / baseline:.0f}x",
            f"<= {ms(TARGET)}",
            status(median <= TARGET),
        ]
    ]
