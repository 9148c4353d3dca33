"""Pure text logic behind the offsets contract (see DESIGN.md).

Offsets are Unicode code point indices into the normalised body, which is exactly what
Python's `str` indexes. Nothing here touches the database or a request.

- `offsets`: normalising, checking spans, blocks and segments for the page;
- `matching`: finding an exact quote by its context;
- `diffing`: the diff of two versions, by paragraph, sentence and character;
- `reanchoring`: where each claim is after a correction;
- `graphemes`: the characters a reader sees, for moving a span's edges;
- `worddiff`: a word diff of a claim's old and new quote, for people.
"""

from .graphemes import BACK, END, FORWARD, START, next_boundary, nudge_span, previous_boundary
from .matching import QuoteMatch, approx_errors, context_fit, match_quote, paragraph_context
from .offsets import (
    CONTEXT_LENGTH,
    RESELECT,
    AnchorError,
    Segment,
    Span,
    blocks_touched,
    blocks_touching,
    body_hash,
    check_span,
    context,
    find_occurrences,
    normalise_body,
    segment_blocks,
    split_blocks,
)
from .reanchoring import (
    MIN_CHANGED_SIMILARITY,
    MIN_MOVE_FIT,
    MOVE_MARGIN,
    Anchor,
    Placement,
    reanchor,
)
from .worddiff import word_diff

__all__ = [
    "BACK",
    "CONTEXT_LENGTH",
    "END",
    "FORWARD",
    "MIN_CHANGED_SIMILARITY",
    "MIN_MOVE_FIT",
    "MOVE_MARGIN",
    "RESELECT",
    "START",
    "Anchor",
    "AnchorError",
    "Placement",
    "QuoteMatch",
    "Segment",
    "Span",
    "approx_errors",
    "blocks_touched",
    "body_hash",
    "check_span",
    "context",
    "context_fit",
    "find_occurrences",
    "match_quote",
    "next_boundary",
    "normalise_body",
    "nudge_span",
    "paragraph_context",
    "previous_boundary",
    "reanchor",
    "segment_blocks",
    "blocks_touching",
    "split_blocks",
    "word_diff",
]
