"""Where each claim is after a correction, never silently wrong (see `reanchor`)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from .diffing import _DELETE, _Diff, _edit_score, _Run, _slides
from .matching import match_quote, paragraph_context

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


def _word_edges(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether [start, end) begins and ends at a word boundary."""
    return (
        start == 0 or not (_is_word(text[start - 1]) and _is_word(text[start])),
        end == len(text) or not (_is_word(text[end - 1]) and _is_word(text[end])),
    )


def _moved_copy(diff: _Diff, anchor: Anchor) -> int | None:
    """The one copy of the quote in the inserted text that clearly fits the claim's own
    paragraph context (a paragraph cut and pasted elsewhere): well, and better than any
    other copy by a margin. None otherwise."""
    if not diff.inserted:
        return None
    prefix, suffix = paragraph_context(diff.old, anchor.start, anchor.end)
    edges = _word_edges(diff.old, anchor.start, anchor.end)
    matches = [  # a copy cut out of a longer word is not the claim's words ("a" in "said")
        m
        for m in match_quote(
            diff.new, anchor.quote, prefix=prefix, suffix=suffix, within=diff.inserted
        )
        if _word_edges(diff.new, m.start, m.end) == edges
    ]
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
