"""Finding an exact quote by the words around it (the Hypothesis annotator's scoring)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .offsets import CONTEXT_LENGTH, _common_prefix, _common_suffix, context, find_occurrences

# Weights of the context and of the nearness to an expected place, as in the Hypothesis
# annotator's matchQuote (src/annotator/anchoring/match-quote.ts). The quote itself is
# matched exactly: a claim is on its own words, so text that only looks like the quote is
# never taken for it (the diff finds changed words, and they are flagged for a person).
_CONTEXT_WEIGHT = 20
_POSITION_WEIGHT = 2
# How many exact occurrences are scored with the (approximate) context measure: the others
# are ranked out first by how many context characters they share exactly.
_SCORED_CANDIDATES = 12


@dataclass(frozen=True, slots=True)
class QuoteMatch:
    start: int
    end: int
    # 0..1: how well the text around the match fits the expected prefix and suffix
    # (1 is a perfect fit), from the approximate match of each.
    fit: float
    # 0..1: `fit` with nearness to the hint as a tie-breaker (matchQuote's normalised score).
    score: float


def approx_errors(pattern: str, text: str) -> int:
    """The fewest edits (insert, delete, substitute) that turn `pattern` into some substring
    of `text` (Sellers' algorithm): 0 when `pattern` occurs in `text` as it is."""
    if pattern in text:
        return 0
    if not text:
        return len(pattern)
    previous = [0] * (len(text) + 1)  # a match may start anywhere in the text
    for i, p in enumerate(pattern, start=1):
        current = [i]
        for j, t in enumerate(text, start=1):
            current.append(min(previous[j - 1] + (p != t), previous[j] + 1, current[j - 1] + 1))
        previous = current
    return min(previous)


def _text_fit(window: str, expected: str) -> float:
    """matchQuote's textMatchScore: 1 - errors / length of the expected context."""
    if not expected:
        return 1.0
    if not window:
        return 0.0
    return 1.0 - approx_errors(expected, window) / len(expected)


def _window_before(text: str, start: int, size: int) -> str:
    # The start of the text counts as a line break, as a paragraph start does.
    window = text[max(0, start - size) : start]
    return window if start >= size else ("\n" + window)[-size:]


def _window_after(text: str, end: int, size: int) -> str:
    window = text[end : end + size]
    return window if end + size <= len(text) else (window + "\n")[:size]


def context_fit(text: str, start: int, end: int, prefix: str, suffix: str) -> float:
    """How well the text around [start, end) fits the expected prefix and suffix, 0..1."""
    return (
        _text_fit(_window_before(text, start, len(prefix)), prefix)
        + _text_fit(_window_after(text, end, len(suffix)), suffix)
    ) / 2


def match_quote(
    text: str,
    quote: str,
    *,
    prefix: str = "",
    suffix: str = "",
    hint: int | None = None,
    within: Sequence[tuple[int, int]] | None = None,
) -> list[QuoteMatch]:
    """The exact occurrences of `quote` in `text`, best first: the text around each is
    compared with `prefix` and `suffix` allowing for errors, and nearness to `hint` breaks
    ties (the Hypothesis annotator's scoring, for an exact quote). `within` limits the
    search to some ranges of the text. An empty list when the quote is not there."""
    if not quote or not text:
        return []
    ranges = within if within is not None else [(0, len(text))]
    starts = [at for lo, hi in ranges for at in find_occurrences(text, quote, lo, hi)]
    if len(starts) > _SCORED_CANDIDATES:  # rank out the many by exact agreement first
        starts.sort(
            key=lambda s: (
                -(
                    _common_suffix(text[max(0, s - len(prefix)) : s], prefix)
                    + _common_prefix(text[s + len(quote) : s + len(quote) + len(suffix)], suffix)
                )
            )
        )
        starts = starts[:_SCORED_CANDIDATES]
    matches = []
    for start in starts:
        end = start + len(quote)
        fit = context_fit(text, start, end, prefix, suffix)
        nearness = 1.0 if hint is None else 1.0 - abs(start - hint) / len(text)
        score = (2 * _CONTEXT_WEIGHT * fit + _POSITION_WEIGHT * nearness) / (
            2 * _CONTEXT_WEIGHT + _POSITION_WEIGHT
        )
        matches.append(QuoteMatch(start, end, fit, score))
    matches.sort(key=lambda m: (-m.score, m.start))
    return matches


def paragraph_context(body: str, start: int, end: int) -> tuple[str, str]:
    """The claim's prefix and suffix cut at the paragraph: a line break (and the start or end
    of the body, which counts as one) is kept, what lies beyond it is not. A paragraph moves
    as a whole, so the words inside it are the context that travels with a claim."""
    prefix, suffix = context(body, start, end)
    if len(prefix) < CONTEXT_LENGTH:
        prefix = "\n" + prefix
    if len(suffix) < CONTEXT_LENGTH:
        suffix += "\n"
    if "\n" in prefix:
        prefix = prefix[prefix.rindex("\n") :]
    if "\n" in suffix:
        suffix = suffix[: suffix.index("\n") + 1]
    return prefix, suffix
