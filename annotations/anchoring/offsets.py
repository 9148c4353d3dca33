"""Offsets: the normalised body, code point spans checked against it, and the blocks and
segments the page is drawn from. Python's `str` indexes code points, which is exactly
what the offsets contract counts (see DESIGN.md)."""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
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


def blocks_touching(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """The blocks of `split_blocks` that share text with [start, end), found from the line
    that holds `start` on, without cutting the whole body (a save redraws one or two
    blocks of what may be a long article)."""
    blocks = []
    position = body.rfind("\n", 0, max(start, 0)) + 1
    while position < end and position <= len(body):
        stop = body.find("\n", position)
        line_end = len(body) if stop == -1 else stop
        if start < line_end and body[position:line_end].strip():
            blocks.append((position, line_end))
        position = line_end + 1
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
