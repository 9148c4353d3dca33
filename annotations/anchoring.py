"""Pure text logic behind the offsets contract (see DESIGN.md).

Offsets are Unicode code point indices into the normalised body, which is exactly what
Python's `str` indexes. Nothing here touches the database or a request.
"""

from __future__ import annotations

import bisect
import hashlib
import re
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


def find_occurrences(body: str, quote: str) -> list[int]:
    """Every start offset of `quote` in `body`, overlapping ones included."""
    if not quote:
        return []
    positions = []
    position = body.find(quote)
    while position != -1:
        positions.append(position)
        position = body.find(quote, position + 1)
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


def refind_quote(
    body: str, quote: str, *, prefix: str = "", suffix: str = "", near: int = 0
) -> int | None:
    """Where `quote` is now: the occurrence whose context matches best, nearest `near`."""
    best: tuple[int, int] | None = None
    best_start = None
    for start in find_occurrences(body, quote):
        before, after = context(body, start, start + len(quote))
        score = _common_suffix(before, prefix) + _common_prefix(after, suffix)
        rank = (-score, abs(start - near))
        if best is None or rank < best:
            best, best_start = rank, start
    return best_start


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


# --- Re-anchoring after a correction -------------------------------------------------------

# How much of its old context (prefix + suffix, up to 64 code points) an exact occurrence
# elsewhere must share before a claim is moved there: a short quote such as "31 drones"
# can occur again in an unrelated sentence.
MIN_CONTEXT_AGREEMENT = 8
# How alike the old quote and the text now at its mapped place must be (difflib ratio) for
# the claim to follow the edit as "quote changed" rather than become an orphan.
MIN_CHANGED_SIMILARITY = 0.6


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

    @property
    def is_placed(self) -> bool:
        return self.state != "orphaned"


def _context_score(body: str, start: int, end: int, prefix: str, suffix: str) -> int:
    before, after = context(body, start, end)
    return _common_suffix(before, prefix) + _common_prefix(after, suffix)


def _best_occurrence(body: str, anchor: Anchor, near: int) -> int | None:
    """The exact quote where its context agrees best, nearest the mapped old position."""
    wanted = min(MIN_CONTEXT_AGREEMENT, len(anchor.prefix) + len(anchor.suffix))
    best = None
    for start in find_occurrences(body, anchor.quote):
        score = _context_score(body, start, start + len(anchor.quote), anchor.prefix, anchor.suffix)
        # The diff may align repeated letters differently: an exact copy within a few
        # characters of the mapped position is the same text, whatever its context.
        if score < wanted and abs(start - near) > MIN_CONTEXT_AGREEMENT:
            continue
        rank = (-score, abs(start - near))
        if best is None or rank < best[0]:
            best = (rank, start)
    return best[1] if best else None


def _similarity(a: str, b: str) -> float:
    import difflib

    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def reanchor(old_body: str, new_body: str, anchors: Sequence[Anchor]) -> list[Placement]:
    """Where each claim is in the corrected body, in four outcomes, never silently wrong:

    1. the old offsets still hold the quote (and no other copy of it fits its context
       better): unchanged ("anchored");
    2. the exact quote is found again, its prefix/suffix agreeing, nearest the old position
       mapped through the diff of the two bodies: "moved";
    3. the text at the mapped place is like the old quote (a typo fixed, a name spelled
       differently): "changed", with the new text as the quote (the caller keeps the old);
    4. otherwise "orphaned": kept for review with its old quote and offsets.
    For 1-3, `new_body[start:end] == quote` holds.
    """
    from diff_match_patch import diff_match_patch

    dmp = diff_match_patch()
    dmp.Diff_Timeout = 2.0
    diffs = None
    placements = []
    for anchor in anchors:
        if diffs is None:
            diffs = dmp.diff_main(old_body, new_body, True)
        near = dmp.diff_xIndex(diffs, anchor.start)
        found = _best_occurrence(new_body, anchor, near)
        if new_body[anchor.start : anchor.end] == anchor.quote:
            here = _context_score(new_body, anchor.start, anchor.end, anchor.prefix, anchor.suffix)
            there = (
                _context_score(
                    new_body, found, found + len(anchor.quote), anchor.prefix, anchor.suffix
                )
                if found is not None
                else -1
            )
            # The old offsets still hold the quote and no other copy fits its context
            # better (a sentence duplicated before it must not capture the claim).
            if here >= there:
                placements.append(
                    Placement(anchor.key, "anchored", anchor.start, anchor.end, anchor.quote)
                )
                continue
        if found is not None:
            placements.append(
                Placement(anchor.key, "moved", found, found + len(anchor.quote), anchor.quote)
            )
            continue
        start, end = near, dmp.diff_xIndex(diffs, anchor.end)
        text = new_body[start:end]
        # Keep the span on words: an edit at a boundary must not drag in spaces or newlines.
        stripped = text.strip()
        if stripped:
            start += len(text) - len(text.lstrip())
            end = start + len(stripped)
            text = stripped
        if end > start and _similarity(anchor.quote, text) >= MIN_CHANGED_SIMILARITY:
            placements.append(Placement(anchor.key, "changed", start, end, text))
        else:
            placements.append(
                Placement(anchor.key, "orphaned", anchor.start, anchor.end, anchor.quote)
            )
    return placements
