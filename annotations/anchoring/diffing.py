"""The diff of two versions of an article, as runs of equal, deleted and inserted text, with
the questions re-anchoring asks of it. Paragraphs are aligned first, then sentences inside
the paragraphs that changed, then characters inside the sentences that changed."""

from __future__ import annotations

import bisect
import os
import re
import time
from typing import NamedTuple

# Bound on the work of the diff; past it the diff is coarser (never wrong, only less fine).
DIFF_TIMEOUT_SECONDS = 2.0

_EQUAL, _DELETE, _INSERT = 0, -1, 1


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
    return merge_edits(_diff_units(dmp, old, new, 0))


def merge_edits(diffs: list[tuple], ops: tuple = (_EQUAL, _DELETE, _INSERT)) -> list[tuple]:
    """Adjacent equalities joined, and each block of edits between two equalities as one
    deletion then one insertion; empty pieces dropped. `ops` names equal, delete and insert
    (diff-match-patch's 0/-1/1 here; worddiff's own marks for the word diff)."""
    equal, delete, insert = ops
    result: list[tuple] = []
    deleted, inserted = [], []
    for op, text in [*diffs, (equal, "")]:
        if op == delete:
            deleted.append(text)
        elif op == insert:
            inserted.append(text)
        else:
            if "".join(deleted):
                result.append((delete, "".join(deleted)))
            if "".join(inserted):
                result.append((insert, "".join(inserted)))
            deleted, inserted = [], []
            if text:
                if result and result[-1][0] == equal:
                    result[-1] = (equal, result[-1][1] + text)
                else:
                    result.append((equal, text))
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
