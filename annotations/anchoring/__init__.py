"""Pure text logic behind the offsets contract (see DESIGN.md).

Offsets are Unicode code point indices into the normalised body, which is exactly what
Python's `str` indexes. Nothing here touches the database or a request.

- `offsets`: normalising, checking spans, blocks and segments for the page;
- `matching`: finding an exact quote by its context;
- `diffing`: the diff of two versions, by paragraph, sentence and character;
- `reanchoring`: where each claim is after a correction.
"""

from .matching import QuoteMatch, approx_errors, context_fit, match_quote, paragraph_context
from .offsets import (
    CONTEXT_LENGTH,
    RESELECT,
    AnchorError,
    Segment,
    Span,
    blocks_touched,
    body_hash,
    check_span,
    context,
    find_occurrences,
    fold_name,
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

__all__ = [
    "CONTEXT_LENGTH",
    "MIN_CHANGED_SIMILARITY",
    "MIN_MOVE_FIT",
    "MOVE_MARGIN",
    "RESELECT",
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
    "fold_name",
    "match_quote",
    "normalise_body",
    "paragraph_context",
    "reanchor",
    "segment_blocks",
    "split_blocks",
]
