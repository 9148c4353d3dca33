"""Scores suggested claims (annotations/suggesting.py) on the labelled set
(tests/data/suggested_claims/): articles with the claims an editor would tag, each with its
quote, its source as written, and whether it is hedged (no named source).

- A gold claim is **found** when a suggestion overlaps it with an intersection over union
  of code points of at least 0.5 (each suggestion finds at most one claim, each claim is
  found by at most one suggestion, the best overlaps first).
- **precision**: matched suggestions / all suggestions; **recall**: found claims / all.
- **source or hedge right**: of the found claims, the share where either the claim is
  hedged and the suggestion is labelled "unattributed" with no source, or the claim is
  attributed and the suggestion names the same speaker. Two names are the same speaker
  when the name matcher says they likely are (`names.match`: the same name, another
  spelling, initials, part of the name), or when one contains the other once both are
  reduced to `names.exact_key` and their leading articles are dropped ("Ukraine's General
  Staff" and "the General Staff"; "A senior Pentagon official" and "senior Pentagon
  official").

Pure: no database (the registry's ids are not scored). Run it as a script to print the
figures and each miss: `python -m tests.suggest_eval [tuning]`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from annotations import names
from annotations.suggesting import UNATTRIBUTED, Suggestion, suggest

DATA = Path(__file__).parent / "data" / "suggested_claims"
MIN_IOU = 0.5
_ARTICLES = {"a", "an", "the"}


@dataclass
class Figures:
    claims: int = 0
    suggestions: int = 0
    matched: int = 0
    source_right: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.suggestions if self.suggestions else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.claims if self.claims else 0.0

    @property
    def source_or_hedge(self) -> float:
        return self.source_right / self.matched if self.matched else 0.0

    def __str__(self) -> str:
        return (
            f"{self.claims} claims, {self.suggestions} suggestions: precision "
            f"{self.precision:.3f}, recall {self.recall:.3f}, source or hedge right "
            f"{self.source_or_hedge:.3f} ({self.source_right} of {self.matched} found)"
        )


def load(name: str) -> list[dict]:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))["articles"]


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def _key(name: str) -> str:
    words = names.exact_key(name).split()
    while len(words) > 1 and words[0] in _ARTICLES:
        words.pop(0)
    return " ".join(words)


def same_speaker(gold: str, found: str) -> bool:
    """Whether a suggestion's source names the gold claim's speaker (see the module's
    docstring)."""
    if not gold or not found:
        return False
    a, b = _key(gold), _key(found)
    if a and b and (a in b or b in a):
        return True
    return names.match(gold, found) is not None


def source_right(gold: dict, suggestion: Suggestion) -> bool:
    if gold["hedged"]:
        return suggestion.label == UNATTRIBUTED and not suggestion.source_name
    return suggestion.label != UNATTRIBUTED and same_speaker(gold["source"], suggestion.source_name)


def gold_spans(article: dict) -> list[tuple[int, int, dict]]:
    """Each gold claim's span in the body: the `occurrence`-th (0-based) when the set gives
    one, else its quote found in reading order."""
    body, spans, cursor = article["body"], [], 0
    for claim in article["claims"]:
        if "occurrence" in claim:  # the set names which one when the words repeat
            at = -1
            for _ in range(claim["occurrence"] + 1):
                at = body.find(claim["quote"], at + 1)
        else:
            at = body.find(claim["quote"], cursor)
            if at < 0:
                at = body.find(claim["quote"])
        if at < 0:
            raise ValueError(f"{article['key']}: quote not in the body: {claim['quote']!r}")
        spans.append((at, at + len(claim["quote"]), claim))
        cursor = at + len(claim["quote"])
    return spans


def evaluate(articles: list[dict]) -> Figures:
    figures = Figures()
    for article in articles:
        body = article["body"]
        found = suggest(body, language=article.get("language", ""))
        gold = gold_spans(article)
        figures.claims += len(gold)
        figures.suggestions += len(found)
        pairs = sorted(
            (
                (iou((g[0], g[1]), (s.start, s.end)), gi, si)
                for gi, g in enumerate(gold)
                for si, s in enumerate(found)
            ),
            reverse=True,
        )
        used_gold: set[int] = set()
        used_found: set[int] = set()
        for score, gi, si in pairs:
            if score < MIN_IOU:
                break
            if gi in used_gold or si in used_found:
                continue
            used_gold.add(gi)
            used_found.add(si)
            figures.matched += 1
            claim, suggestion = gold[gi][2], found[si]
            if source_right(claim, suggestion):
                figures.source_right += 1
            else:
                figures.misses.append(
                    f"{article['key']} SOURCE gold {claim['source']!r} hedged={claim['hedged']} "
                    f"got {suggestion.source_name!r} [{suggestion.label}] in {suggestion.quote!r}"
                )
        for gi, (_s, _e, claim) in enumerate(gold):
            if gi not in used_gold:
                figures.misses.append(f"{article['key']} MISSED {claim['quote']!r}")
        for si, suggestion in enumerate(found):
            if si not in used_found:
                figures.misses.append(
                    f"{article['key']} EXTRA {suggestion.quote!r} ({suggestion.cue!r})"
                )
    return figures


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DEBUG", "1")
    django.setup()
    result = evaluate(load(sys.argv[1] if len(sys.argv) > 1 else "tuning"))
    print("\n".join(result.misses))
    print(result)
