"""Pure text logic behind the offsets contract (see DESIGN.md).

Offsets are Unicode code point indices into the normalised body, which is exactly what
Python's `str` indexes. Nothing here touches the database or a request.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import os
import re
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

CONTEXT_LENGTH = 32

# Control characters that HTML parsers rewrite or drop (U+0000 becomes U+FFFD, and so on):
# keeping them would break `textContent == body` in the browser. Tab and newline stay.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class AnchorError(ValueError):
    """A span that does not fit the body. The message is shown to the editor."""


# Named tuples rather than frozen dataclasses: a long article cuts into thousands of them,
# and a tuple is built several times faster.
class Span(NamedTuple):
    key: int
    start: int
    end: int


class Segment(NamedTuple):
    start: int
    end: int
    # Keys of the spans covering this segment, outermost first.
    keys: tuple[int, ...]


# --- Normalising ---------------------------------------------------------------------------


def normalise_body(text: str) -> str:
    """NFC, "\\n" line endings, no byte-order mark and no control characters but tab/newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.removeprefix("\ufeff")
    text = _CONTROL_CHARS.sub("", text)
    return unicodedata.normalize("NFC", text)


def body_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def fold_name(name: str) -> str:
    """The comparison key of a source name: NFKC, casefolded, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


# --- Checking spans ------------------------------------------------------------------------


def context(body: str, start: int, end: int) -> tuple[str, str]:
    """The W3C TextQuoteSelector prefix and suffix: up to 32 code points either side."""
    return body[max(0, start - CONTEXT_LENGTH) : start], body[end : end + CONTEXT_LENGTH]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


RESELECT = "Reload the article and select the passage again."


def check_span(body: str, start: int, end: int, quote: str, *, advice: str = RESELECT) -> None:
    """Raise AnchorError unless `body[start:end] == quote` with 0 <= start < end <= len(body).
    `advice` ends the message for a mismatch: what the person who sent it should do."""
    if start < 0 or end < 0:
        raise AnchorError("Offsets cannot be negative.")
    if start >= end:
        raise AnchorError("The selection is empty: the start must come before the end.")
    if end > len(body):
        raise AnchorError(
            f"The selection ends at {end}, past the end of the article ({len(body)} characters)."
        )
    found = body[start:end]
    if found != quote:
        raise AnchorError(
            f"The selected text does not match the article at {start}–{end}: "
            f"the article has “{_short(found)}”, the request said “{_short(quote)}”. {advice}"
        )


def find_occurrences(body: str, quote: str, lo: int = 0, hi: int | None = None) -> list[int]:
    """Every start offset of `quote` in `body` (or in body[lo:hi]), overlapping ones too."""
    if not quote:
        return []
    hi = len(body) if hi is None else hi
    positions = []
    position = body.find(quote, lo, hi)
    while position != -1:
        positions.append(position)
        position = body.find(quote, position + 1, hi)
    return positions


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


# --- Cutting the body into blocks and segments ---------------------------------------------


def split_blocks(body: str) -> list[tuple[int, int]]:
    """Blocks are the non-blank lines of the body, as (start, end) offsets.

    The newlines and blank lines between blocks belong to no block: the page renders them
    as bare text between the block elements, where the browser shows nothing but
    `textContent` still equals the body.
    """
    blocks = []
    position = 0
    for line in body.split("\n"):
        end = position + len(line)
        if line.strip():
            blocks.append((position, end))
        position = end + 1
    return blocks


def segment_blocks(blocks: Sequence[tuple[int, int]], spans: Iterable[Span]) -> list[list[Segment]]:
    """Cut each block at every span boundary inside it.

    Returns, for each block, segments that tile it exactly; each segment lists the spans
    covering it, outermost (earliest start, then longest) first, so they nest as marks.
    Blocks must be sorted and disjoint. Spans may overlap, nest, touch or cross blocks.
    """
    spans = [s for s in spans if s.start < s.end]
    by_start = sorted(spans, key=lambda s: (s.start, -s.end, s.key))
    by_end = sorted(spans, key=lambda s: s.end)
    points = sorted({p for s in spans for p in (s.start, s.end)} | {p for b in blocks for p in b})
    result: list[list[Segment]] = [[] for _ in blocks]
    n_blocks = len(blocks)
    b = 0  # the block at or after the current point (points only go forwards)
    # The covering spans, kept in nesting order (start, then longest, then key) as they
    # open and close, rather than sorted again for every segment.
    order: list[tuple[int, int, int]] = []
    keys: list[int] = []
    i_start = i_end = 0
    n_start, n_end = len(by_start), len(by_end)
    make = tuple.__new__  # Segment(...) without the Python-level __new__: thousands of them
    for index in range(len(points) - 1):
        point = points[index]
        while i_end < n_end and by_end[i_end].end <= point:
            span = by_end[i_end]
            if span.start < point:  # it was opened (a span never opens at its own end)
                at = bisect.bisect_left(order, (span.start, -span.end, span.key))
                del order[at], keys[at]
            i_end += 1
        while i_start < n_start and by_start[i_start].start <= point:
            span = by_start[i_start]
            if span.end > point:
                entry = (span.start, -span.end, span.key)
                at = bisect.bisect_left(order, entry)
                order.insert(at, entry)
                keys.insert(at, span.key)
            i_start += 1
        while b < n_blocks and blocks[b][1] <= point:
            b += 1
        if b == n_blocks or point < blocks[b][0]:
            continue  # between blocks
        result[b].append(make(Segment, (point, points[index + 1], tuple(keys))))
    return result


def blocks_touched(blocks: Sequence[tuple[int, int]], start: int, end: int) -> list[int]:
    """Indexes of the blocks that share at least one character with [start, end)."""
    return [i for i, (b_start, b_end) in enumerate(blocks) if b_start < end and start < b_end]


# --- Finding a quote by its context --------------------------------------------------------

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


# --- Re-anchoring after a correction -------------------------------------------------------
#
# The ground truth is the diff of the two texts (diff-match-patch, cleaned up to word and
# sentence boundaries): a claim whose characters all come through it as equal text stays on
# exactly those characters, wherever identical copies of its words are. A claim whose
# characters were deleted or altered is flagged. Context matching is only for text that
# really moved (deleted in one place, inserted in another), and only when exactly one copy
# in the inserted text clearly fits. Where the diff could have been aligned just as well so
# that the claim's characters were the ones deleted (two identical sentences side by side,
# one deleted), no rule can tell which copy survived: the claim is flagged, not guessed.

# How alike the old quote and the text now at its place must be (difflib ratio) for the
# claim to follow the edit as "quote changed" rather than become an orphan.
MIN_CHANGED_SIMILARITY = 0.6
# How well (0..1) the words around a copy in the inserted text must fit the claim's own
# paragraph context for the claim to follow a moved paragraph.
MIN_MOVE_FIT = 0.75
# ...and by how much better than any other copy there: a paragraph that moved whole keeps
# the claim's context exactly, so its own copy fits perfectly.
MOVE_MARGIN = 0.1
# Bound on the work of the diff; past it the diff is coarser (never wrong, only less fine).
DIFF_TIMEOUT_SECONDS = 2.0

_EQUAL, _DELETE, _INSERT = 0, -1, 1


@dataclass(frozen=True, slots=True)
class Anchor:
    key: int
    start: int
    end: int
    quote: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class Placement:
    key: int
    state: str  # anchored (unchanged) | moved | changed | orphaned
    start: int
    end: int
    quote: str
    # Why a claim was flagged: "deleted" (its words are gone), "ambiguous" (its words now
    # read the same in two places, or could have been the ones deleted), "altered" (words in
    # or glued to it changed); empty when it is on its own characters.
    reason: str = ""

    @property
    def is_placed(self) -> bool:
        return self.state != "orphaned"


class _Run(NamedTuple):
    op: int
    old_start: int
    old_end: int
    new_start: int
    new_end: int


# The units the diff aligns, coarsest first: lines (a paragraph with the line breaks after
# it), then sentences (up to their closing punctuation, with the spaces after them), then
# characters. A unit is compared without its trailing whitespace.
_UNITS = (
    re.compile(r"\n+|[^\n]+\n*"),
    re.compile(r"\s+|(?:[^\n]*?[.!?…]+[\"'”’»)\]]*(?=\s|$)|[^\n]+)\s*"),
)
# Past this many pairs of equal units (a text that repeats itself a great deal), units are
# not aligned first: the character diff does it all.
_MAX_UNIT_PAIRS = 100_000


def _heaviest_common_units(
    a: list[str], b: list[str], offsets_a: list[int], offsets_b: list[int]
) -> list[tuple[int, int]] | None:
    """The pairs (i, j) of equal units, in order in both lists, with the most characters
    in all: a longest common subsequence weighted by length (a heaviest increasing
    subsequence over the equal pairs, with a Fenwick tree of running maxima). A blank line
    weighs nothing, so it never decides which paragraphs pair up. Between chains of the same
    weight, the one whose units moved least (in characters) wins. None past
    `_MAX_UNIT_PAIRS` pairs. (The caller has set aside the units the two texts share at
    their start and end.)"""
    where: dict[str, list[int]] = {}
    for j, unit in enumerate(b):
        if unit:
            where.setdefault(unit, []).append(j)
    pairs: list[tuple[int, int]] = []
    for i, unit in enumerate(a):
        pairs += [(i, j) for j in reversed(where.get(unit, ()))]  # j descending: no chains
        if len(pairs) > _MAX_UNIT_PAIRS:
            return None
    if not pairs:
        return []
    # One integer per chain: characters first, then (subtracted) the displacement.
    scale = (offsets_a[-1] + offsets_b[-1] + 1) * (len(a) + 1)
    size = len(b) + 1
    tree_weight = [0] * (size + 1)
    tree_pair = [-1] * (size + 1)
    best_weight = [0] * len(pairs)
    previous = [-1] * len(pairs)
    for k, (i, j) in enumerate(pairs):
        weight, before = 0, -1
        x = j  # the best chain ending in a column before j (the tree is 1-based)
        while x > 0:
            if tree_weight[x] > weight:
                weight, before = tree_weight[x], tree_pair[x]
            x -= x & -x
        own = len(a[i]) * scale - abs(offsets_a[i] - offsets_b[j])
        best_weight[k] = weight + own
        previous[k] = before
        x = j + 1
        while x <= size:
            if best_weight[k] > tree_weight[x]:
                tree_weight[x], tree_pair[x] = best_weight[k], k
            x += x & -x
    k = max(range(len(pairs)), key=best_weight.__getitem__)
    chain = []
    while k != -1:
        chain.append(pairs[k])
        k = previous[k]
    return chain[::-1]


def _diff_units(dmp, old: str, new: str, level: int) -> list[tuple[int, str]]:
    """Align `old` and `new` unit by unit (`_UNITS[level]`), then whatever was replaced in
    the next finer unit, characters last (diff-match-patch, cleaned up to words).

    Units pair up by the heaviest common subsequence (`_heaviest_common_units`): a
    paragraph that moved comes out whole, as a deletion and an insertion, and the
    paragraphs around it keep their identity even where sentences repeat between them.
    (A character diff alone matches the shared ending of two sentences, "…, the regional
    governor said.", when one paragraph moves past the other, and would keep a claim on
    the other sentence's words.)"""
    if level == len(_UNITS) or not old or not new:
        if not old or not new:
            return [(_DELETE, old)] if old else [(_INSERT, new)] if new else []
        # One deadline for the whole diff (dmp.deadline), not one per replaced block: past
        # it, what is left comes out as whole deletions and insertions (coarser, never wrong).
        diffs = dmp.diff_main(old, new, False, dmp.deadline)
        dmp.diff_cleanupSemantic(diffs)
        return diffs
    found_a = list(_UNITS[level].finditer(old))
    found_b = list(_UNITS[level].finditer(new))
    a, b = [m.group() for m in found_a], [m.group() for m in found_b]
    # Units the two texts share at their start and at their end stay paired, as in any
    # diff: "G O / G O / X" losing its first "G " pairs the second "G O" with itself.
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    if head or tail:
        middle_old = "".join(a[head : len(a) - tail])
        middle_new = "".join(b[head : len(b) - tail])
        return (
            [(_EQUAL, "".join(a[:head]))]
            + _diff_units(dmp, middle_old, middle_new, level)
            + [(_EQUAL, "".join(a[len(a) - tail :]))]
        )
    keys_a = [u.rstrip() for u in a]
    keys_b = [u.rstrip() for u in b]
    chain = _heaviest_common_units(
        keys_a,
        keys_b,
        [m.start() for m in found_a] + [len(old)],
        [m.start() for m in found_b] + [len(new)],
    )
    if chain is None:
        return _diff_units(dmp, old, new, len(_UNITS))
    result: list[tuple[int, str]] = []
    i = j = 0
    for pi, pj in [*chain, (len(a), len(b))]:
        gap_old, gap_new = "".join(a[i:pi]), "".join(b[j:pj])
        result += _diff_units(dmp, gap_old, gap_new, level + 1)
        if pi < len(a):
            key = keys_a[pi]
            tail_old, tail_new = a[pi][len(key) :], b[pj][len(key) :]
            shared = len(os.path.commonprefix([tail_old, tail_new]))
            result.append((_EQUAL, key + tail_old[:shared]))
            result += _diff_units(dmp, tail_old[shared:], tail_new[shared:], len(_UNITS))
        i, j = pi + 1, pj + 1
    return result


def _diff(old: str, new: str) -> list[tuple[int, str]]:
    """The diff of two texts, aligned by line first, then by sentence inside the lines
    that changed, then by character inside the sentences that changed (diff-match-patch's
    line mode, one level deeper).

    A character diff alone matches the shared ending of two different sentences ("…, the
    regional governor said.") when one paragraph moves past the other, and so keeps a claim
    on the other sentence's words. Aligned by units, a paragraph or sentence that moved
    comes out whole, as a deletion and an insertion.
    """
    from diff_match_patch import diff_match_patch

    dmp = diff_match_patch()
    dmp.Diff_Timeout = DIFF_TIMEOUT_SECONDS
    dmp.deadline = time.time() + DIFF_TIMEOUT_SECONDS
    # No clean-up across the whole: the units are aligned already, and diff_cleanupMerge or
    # diff_cleanupSemanticLossless would slide an edit over a whole identical paragraph
    # (to save an equality, or to reach the edge of the text), which changes whose words
    # are whose.
    return _merged(_diff_units(dmp, old, new, 0))


def _merged(diffs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Adjacent equalities joined, and each block of edits between two equalities as one
    deletion then one insertion; empty pieces dropped."""
    result: list[tuple[int, str]] = []
    deleted, inserted = [], []
    for op, text in [*diffs, (_EQUAL, "")]:
        if op == _DELETE:
            deleted.append(text)
        elif op == _INSERT:
            inserted.append(text)
        else:
            if "".join(deleted):
                result.append((_DELETE, "".join(deleted)))
            if "".join(inserted):
                result.append((_INSERT, "".join(inserted)))
            deleted, inserted = [], []
            if text:
                if result and result[-1][0] == _EQUAL:
                    result[-1] = (_EQUAL, result[-1][1] + text)
                else:
                    result.append((_EQUAL, text))
    return result


def _diff_runs(old: str, new: str) -> list[_Run]:
    runs = []
    o = n = 0
    for op, text in _diff(old, new):
        size = len(text)
        if not size:
            continue
        if op == _EQUAL:
            runs.append(_Run(op, o, o + size, n, n + size))
            o, n = o + size, n + size
        elif op == _DELETE:
            runs.append(_Run(op, o, o + size, n, n))
            o += size
        else:
            runs.append(_Run(op, o, o, n, n + size))
            n += size
    return runs


_BLANK_LINE_END = re.compile(r"\n\r?\n$")
_BLANK_LINE_START = re.compile(r"\r?\n\r?\n")


_SENTENCE_END = ".!?…"
_CLOSERS = "\"'”’»)]"


def _boundary_score(text: str, at: int) -> int:
    """How natural a cut of `text` at `at` is, from 10 (the edge of the text, or a blank
    line) down to 0 (inside a word). diff-match-patch's scale when it slides an edit to a
    word or sentence boundary, with one more step: the end of a sentence (a full stop
    before a space) ranks above a comma before a space, so that an edit which could sit
    after "killed," or after "said." is taken to sit after "said."."""
    if at <= 0 or at >= len(text):
        return 10
    one, two = text[at - 1], text[at]
    non_alnum1, non_alnum2 = not one.isalnum(), not two.isalnum()
    space1, space2 = non_alnum1 and one.isspace(), non_alnum2 and two.isspace()
    break1, break2 = space1 and one in "\r\n", space2 and two in "\r\n"
    if (break1 and _BLANK_LINE_END.search(text, max(0, at - 4), at)) or (
        break2 and _BLANK_LINE_START.match(text, at, at + 4)
    ):
        return 10
    if break1 or break2:
        return 8
    if non_alnum1 and not space1 and space2:
        closed = text[max(0, at - 4) : at].rstrip(_CLOSERS)
        return 6 if closed and closed[-1] in _SENTENCE_END else 5
    if space1 or space2:
        return 4
    return 2 if non_alnum1 or non_alnum2 else 0


def _edit_score(text: str, start: int, end: int) -> int:
    return _boundary_score(text, start) + _boundary_score(text, end)


def _slides(text: str, start: int, end: int, direction: int) -> list[tuple[int, int]]:
    """The shifts k >= 1 of the edit text[start:end] that give the same result, with the
    boundary score of each: deleting (or inserting) text[start+k:end+k] instead, or
    text[start-k:end-k] for `direction` -1, yields the same text."""
    found = []
    k = 1
    if direction > 0:
        while end + k - 1 < len(text) and text[start + k - 1] == text[end + k - 1]:
            found.append((k, _edit_score(text, start + k, end + k)))
            k += 1
    else:
        while start - k >= 0 and text[start - k] == text[end - k]:
            found.append((k, _edit_score(text, start - k, end - k)))
            k += 1
    return found


class _Diff:
    """The diff of two texts as runs, with the questions re-anchoring asks of it."""

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new
        self.runs = _diff_runs(old, new)
        # Equal runs by old start, for finding the run that holds a claim.
        self.equal = [r for r in self.runs if r.op == _EQUAL and r.old_end > r.old_start]
        self.equal_starts = [r.old_start for r in self.equal]
        self.index = {id(r): i for i, r in enumerate(self.runs)}
        self.inserted = [(r.new_start, r.new_end) for r in self.runs if r.op == _INSERT]
        # Runs that hold old characters (equal or deleted), by old start.
        self.kept = [r for r in self.runs if r.op != _INSERT and r.old_end > r.old_start]
        self.kept_starts = [r.old_start for r in self.kept]

    def equal_run_holding(self, start: int, end: int) -> _Run | None:
        at = bisect.bisect_right(self.equal_starts, start) - 1
        if at >= 0 and self.equal[at].old_start <= start and end <= self.equal[at].old_end:
            return self.equal[at]
        return None

    def runs_over(self, start: int, end: int) -> list[_Run]:
        """The equal and deleted runs that hold old characters of [start, end)."""
        at = max(0, bisect.bisect_right(self.kept_starts, start) - 1)
        found = []
        while at < len(self.kept) and self.kept[at].old_start < end:
            if self.kept[at].old_end > start:
                found.append(self.kept[at])
            at += 1
        return found

    def edits_around(self, run: _Run) -> tuple[list[_Run], list[_Run]]:
        """The edit runs right before and right after an equal run."""
        i = self.index[id(run)]
        before, after = [], []
        j = i - 1
        while j >= 0 and self.runs[j].op != _EQUAL:
            before.append(self.runs[j])
            j -= 1
        j = i + 1
        while j < len(self.runs) and self.runs[j].op != _EQUAL:
            after.append(self.runs[j])
            j += 1
        return before, after

    def new_position(self, old_position: int, *, at_end: bool) -> int:
        """Where a claim's start (or end) boundary is in the new text. A boundary whose
        character was deleted goes to the edge of the edit that replaced it, so that the
        replacement is taken into the claim."""
        char = old_position - 1 if at_end else old_position
        at = bisect.bisect_right(self.kept_starts, char) - 1
        run = self.kept[at]
        if run.op == _EQUAL:
            return run.new_start + old_position - run.old_start
        i = self.index[id(run)]
        step = 1 if at_end else -1
        while 0 <= i + step < len(self.runs) and self.runs[i + step].op != _EQUAL:
            i += step
        return self.runs[i].new_end if at_end else self.runs[i].new_start


def _is_word(char: str) -> bool:
    return char.isalnum()


def _glued(diff: _Diff, run: _Run, anchor: Anchor) -> tuple[bool, bool]:
    """Whether an edit right at the claim's start (end) changes the word the claim begins
    (ends) with: "31" followed by an inserted "0" is not the claim "31" any more."""
    before, after = diff.edits_around(run)
    glued_start = glued_end = False
    if anchor.start == run.old_start and before and _is_word(anchor.quote[0]):
        glued_start = any(
            _is_word(diff.old[r.old_end - 1] if r.op == _DELETE else diff.new[r.new_end - 1])
            for r in before
            if (r.old_end > r.old_start) or (r.new_end > r.new_start)
        )
    if anchor.end == run.old_end and after and _is_word(anchor.quote[-1]):
        glued_end = any(
            _is_word(diff.old[r.old_start] if r.op == _DELETE else diff.new[r.new_start])
            for r in after
            if (r.old_end > r.old_start) or (r.new_end > r.new_start)
        )
    return glued_start, glued_end


def _ambiguous(diff: _Diff, run: _Run, anchor: Anchor) -> bool:
    """Could the edit next to the claim's run be placed just as naturally (the best boundary
    score among all the places it can slide to) so that it deletes the claim's characters,
    cuts into them, or puts the inserted text on the other side of the claim? Then which
    copy is the claim's own cannot be told from the two texts (two identical sentences side
    by side, one deleted)."""
    before, after = diff.edits_around(run)
    for edits in (before, after):
        if len(edits) != 1:
            continue  # a replacement cannot slide: its two sides differ
        edit = edits[0]
        if edit.op == _DELETE:
            text, start, end = diff.old, edit.old_start, edit.old_end
        else:
            text, start, end = diff.new, edit.new_start, edit.new_end
        places = [(0, _edit_score(text, start, end))]
        places += _slides(text, start, end, 1)
        places += [(-k, score) for k, score in _slides(text, start, end, -1)]
        best = max(score for _, score in places)
        for k, score in places:
            if score < best:
                continue
            if edit.op == _DELETE:
                if start + k < anchor.end and anchor.start < end + k:
                    return True
            else:
                position = edit.old_start + k  # where it is inserted, in the old text
                if anchor.start < position < anchor.end or (
                    (position <= anchor.start) != (edit.old_start <= anchor.start)
                ):
                    return True
    return False


def _moved_copy(diff: _Diff, anchor: Anchor) -> int | None:
    """The one copy of the quote in the inserted text that clearly fits the claim's own
    paragraph context (a paragraph cut and pasted elsewhere): well, and better than any
    other copy by a margin. None otherwise."""
    if not diff.inserted:
        return None
    prefix, suffix = paragraph_context(diff.old, anchor.start, anchor.end)
    matches = match_quote(
        diff.new, anchor.quote, prefix=prefix, suffix=suffix, within=diff.inserted
    )
    if not matches:
        return None
    exact = [m for m in matches if m.fit == 1.0]
    if len(exact) == 1:  # the only copy whose paragraph context is exactly the claim's
        return exact[0].start
    best = max(matches, key=lambda m: m.fit)
    if best.fit < MIN_MOVE_FIT:
        return None
    if any(m is not best and m.fit > best.fit - MOVE_MARGIN for m in matches):
        return None  # two copies fit about as well: which one is the claim's is a guess
    return best.start


def _similar(a: str, b: str) -> bool:
    """difflib's ratio of the two texts reaches MIN_CHANGED_SIMILARITY (its cheap upper
    bounds first: a quote of 40 characters is never like a replacement of 4,000)."""
    if 2 * min(len(a), len(b)) < MIN_CHANGED_SIMILARITY * (len(a) + len(b)):
        return False  # the ratio's bound from the lengths alone
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= MIN_CHANGED_SIMILARITY
        and matcher.quick_ratio() >= MIN_CHANGED_SIMILARITY
        and matcher.ratio() >= MIN_CHANGED_SIMILARITY
    )


def _altered(diff: _Diff, anchor: Anchor, *, grow_start: bool, grow_end: bool) -> Placement:
    """The claim's words were edited: "changed" onto what its characters became, when that
    is still like the old quote, else "orphaned"."""
    start = diff.new_position(anchor.start, at_end=False)
    end = diff.new_position(anchor.end, at_end=True)
    new = diff.new
    if grow_start:  # take in the glued word part before it
        while start > 0 and _is_word(new[start - 1]):
            start -= 1
    if grow_end:
        while end < len(new) and _is_word(new[end]):
            end += 1
    if end - start > 3 * len(anchor.quote) + 64:
        return _orphan(anchor, "altered")  # far longer than the quote: never "like" it
    text = new[start:end]
    stripped = text.strip()
    if not stripped:  # nothing but spaces or line breaks where its words were
        return _orphan(anchor, "deleted")
    # Keep the span on words: an edit at a boundary must not drag in spaces.
    start += len(text) - len(text.lstrip())
    end = start + len(stripped)
    if _similar(anchor.quote, stripped):
        return Placement(anchor.key, "changed", start, end, stripped, "altered")
    return _orphan(anchor, "altered")


def _orphan(anchor: Anchor, reason: str) -> Placement:
    return Placement(anchor.key, "orphaned", anchor.start, anchor.end, anchor.quote, reason)


def _place(diff: _Diff, anchor: Anchor) -> Placement:
    if diff.old[anchor.start : anchor.end] != anchor.quote or anchor.start >= anchor.end:
        return _orphan(anchor, "deleted")  # not on the old text: nothing to follow
    run = diff.equal_run_holding(anchor.start, anchor.end)
    if run is not None:
        glued_start, glued_end = _glued(diff, run, anchor)
        if glued_start or glued_end:
            return _altered(diff, anchor, grow_start=glued_start, grow_end=glued_end)
        if _ambiguous(diff, run, anchor):
            return _orphan(anchor, "ambiguous")
        start = run.new_start + anchor.start - run.old_start
        state = "anchored" if start == anchor.start else "moved"
        return Placement(anchor.key, state, start, start + len(anchor.quote), anchor.quote)
    # Its characters were deleted, or some of them (a paragraph that moved can leave a few
    # letters that the character diff matched by chance): moved elsewhere, else altered.
    moved = _moved_copy(diff, anchor)
    if moved is not None:
        return Placement(anchor.key, "moved", moved, moved + len(anchor.quote), anchor.quote)
    return _altered(diff, anchor, grow_start=False, grow_end=False)


def reanchor(old_body: str, new_body: str, anchors: Sequence[Anchor]) -> list[Placement]:
    """Where each claim is in the corrected body, never silently wrong:

    - its characters came through the diff untouched: on exactly those characters,
      "anchored" (same offsets) or "moved" (shifted);
    - they were deleted and the same words, in the same paragraph context, were inserted
      once elsewhere (a paragraph moved): "moved" there;
    - they were altered and the text now in their place is like the old quote (a typo
      fixed, a figure corrected): "changed", with the new text as the quote (the caller
      keeps the old one);
    - otherwise "orphaned", with its old quote and offsets, for a person to place again;
      also when the diff cannot tell which of two identical copies is the claim's own.
    For every outcome but orphaned, `new_body[start:end] == quote`.
    """
    if not anchors:
        return []
    if old_body == new_body:
        return [
            Placement(a.key, "anchored", a.start, a.end, a.quote)
            if old_body[a.start : a.end] == a.quote and a.start < a.end
            else _orphan(a, "deleted")
            for a in anchors
        ]
    diff = _Diff(old_body, new_body)
    return [_place(diff, anchor) for anchor in anchors]
