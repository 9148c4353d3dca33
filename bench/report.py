"""Progress on stderr, figures as text, and the table on stdout. Standard library only."""

from __future__ import annotations

import sys

ROWS = [
    "P1",
    "P2",
    "A1",
    "P3",
    "P4",
    "P5",
    "P6",
    "L1",
    "S1",
    "S2",
    "E1",
    "M1",
]  # the table's rows, in their order
COLUMNS = ["#", "job", "measured", "baseline in the same run", "ratio", "target", "ok/MISSED"]


def log(message: str) -> None:
    """Progress goes to stderr; stdout holds only the table."""
    print(message, file=sys.stderr, flush=True)


def percentile(values, q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def status(ok: bool | None) -> str:
    return {True: "ok", False: "MISSED", None: "n/a"}[ok]


def render_table(rows: list[list[str]]) -> str:
    """A Markdown table, padded so it also reads as plain text."""
    widths = [max(len(str(r[i])) for r in [COLUMNS, *rows]) for i in range(len(COLUMNS))]

    def line(cells) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join(
        [line(COLUMNS), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        + [line(r) for r in rows]
    )
