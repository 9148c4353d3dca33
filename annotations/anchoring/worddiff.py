"""A word diff of two short texts, for people: what a correction did to a claim's quote
("31 drones" became "13 drones"). Not the diff re-anchoring runs on (that is `diffing`):
this one only has to be easy to read.

Words are runs of letters and digits; every other character (a space, a comma, a dash) is
a token of its own, so "31," and "13," differ in the number only. Between two changes, an
equality of nothing but spaces and punctuation is folded into them: "31 of 38" becoming
"13 of 40" reads as two changes, "a b" becoming "c d" as one.
"""

from __future__ import annotations

import difflib
import re

from .diffing import merge_edits

EQUAL, DELETE, INSERT, SKIP = "=", "-", "+", "…"

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
# Past this many tokens either side of the changed middle, the middle is shown as one
# deletion and one insertion (difflib is quadratic; a quote may be 20,000 characters).
MAX_TOKENS = 2000
# An equality longer than this is shortened to its ends around a SKIP ("…").
KEEP = 40


def _join(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Adjacent pieces of the same kind joined, empty ones dropped."""
    result: list[tuple[str, str]] = []
    for op, text in parts:
        if not text:
            continue
        if result and result[-1][0] == op:
            result[-1] = (op, result[-1][1] + text)
        else:
            result.append((op, text))
    return result


def _fold_gaps(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An equality of no word between two changes goes into both: one change, not two."""
    folded: list[tuple[str, str]] = []
    i = 0
    while i < len(parts):
        op, text = parts[i]
        gap = op == EQUAL and not any(c.isalnum() for c in text)
        if gap and folded and folded[-1][0] != EQUAL and i + 1 < len(parts):
            folded.extend([(DELETE, text), (INSERT, text)])
        else:
            folded.append((op, text))
        i += 1
    # Each block of changes as one deletion then one insertion, as the re-anchoring diff has.
    return merge_edits(folded, (EQUAL, DELETE, INSERT))


def _shorten(parts: list[tuple[str, str]], keep: int) -> list[tuple[str, str]]:
    """Long equalities cut to their ends: the words next to a change stay readable."""
    result: list[tuple[str, str]] = []
    last = len(parts) - 1
    for index, (op, text) in enumerate(parts):
        if op != EQUAL or len(text) <= 2 * keep + 1:
            result.append((op, text))
            continue
        head = text[:keep] if index > 0 else ""
        tail = text[-keep:] if index < last else ""
        if index > 0:
            head = head[: head.rfind(" ") + 1] or head  # cut at a space where there is one
        if index < last:
            at = tail.find(" ")
            tail = tail[at:] if at != -1 else tail
        result += [(EQUAL, head), (SKIP, "…"), (EQUAL, tail)]
    return _join(result)


def word_diff(old: str, new: str, *, keep: int = KEEP) -> list[tuple[str, str]]:
    """(op, text) pieces that turn `old` into `new`: EQUAL text read in both, DELETE text only
    in `old`, INSERT text only in `new` (a deletion comes before the insertion that replaces
    it), and SKIP ("…") where a long stretch of equal text was left out. Without SKIP
    pieces, the EQUAL and DELETE texts make `old` again and the EQUAL and INSERT texts `new`.
    """
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
    parts = [(EQUAL, "".join(a[:head]))]
    if len(middle_a) > MAX_TOKENS or len(middle_b) > MAX_TOKENS:
        parts += [(DELETE, "".join(middle_a)), (INSERT, "".join(middle_b))]
    else:
        matcher = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                parts.append((EQUAL, "".join(middle_a[i1:i2])))
            else:
                parts += [(DELETE, "".join(middle_a[i1:i2])), (INSERT, "".join(middle_b[j1:j2]))]
    parts.append((EQUAL, "".join(a[len(a) - tail :])))
    return _shorten(_fold_gaps(_join(parts)), keep)
