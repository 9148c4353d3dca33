"""Graphemes: the characters a reader sees. A flag (two regional indicators), an e with a
combining accent, a family emoji joined by zero-width joiners: each is one grapheme of
several code points. Adjusting a claim's span moves its start or end by one of them, so a
span never cuts a character in two.

The clusters are Unicode's extended grapheme clusters (UAX #29), the same ones the page's
`Intl.Segmenter` snaps a selection to. Python's `re` cannot find them and `unicodedata` lacks
the break properties, so this uses the `regex` package's `\\X`. (`regex` came in with
trafilatura, through dateparser; since the app now imports it itself, pyproject.toml names
it.)

A line feed is a grapheme of its own and never joins a neighbour (UAX #29, GB4 and GB5),
so the search for a boundary starts at the line around the position, not at the top of a
long article.
"""

from __future__ import annotations

import regex

_CLUSTER = regex.compile(r"\X")

# How an edge of a span moves: back (towards the start of the article) or forward.
BACK, FORWARD = -1, 1
START, END = "start", "end"


def next_boundary(body: str, position: int) -> int:
    """The first grapheme boundary after `position`; `len(body)` at the end."""
    if position >= len(body):
        return len(body)
    position = max(position, 0)
    line = body.rfind("\n", 0, position) + 1  # a boundary at or before `position`
    for match in _CLUSTER.finditer(body, line):
        if match.end() > position:
            return match.end()
    return len(body)


def previous_boundary(body: str, position: int) -> int:
    """The last grapheme boundary before `position`; 0 at the start."""
    position = min(position, len(body))
    if position <= 0:
        return 0
    # A line feed before `position` is a boundary (and so is the start of the body),
    # unless it ends a CR LF pair, which is one grapheme (never in a normalised body).
    found = body.rfind("\n", 0, position)
    if found > 0 and body[found - 1] == "\r":
        found -= 1
    last = max(found, 0)
    for match in _CLUSTER.finditer(body, last):
        if match.end() >= position:
            break
        last = match.end()
    return last


def nudge_span(body: str, start: int, end: int, edge: str, direction: int) -> tuple[int, int]:
    """The span with its `edge` ("start" or "end") moved one grapheme `direction` (BACK or
    FORWARD). Where it cannot move (the start of the article, its end, or a span that would
    become empty) the span comes back unchanged: the caller says why."""
    if edge == START:
        if direction == BACK:
            return previous_boundary(body, start), end
        moved = next_boundary(body, start)
        return (moved, end) if moved < end else (start, end)
    if direction == FORWARD:
        return start, next_boundary(body, end)
    moved = previous_boundary(body, end)
    return (start, moved) if moved > start else (start, end)
