"""Tables for people, as the commands print them: columns padded to their widest cell, the
last one (a quote) left as it is."""

from __future__ import annotations

QUOTE_WIDTH = 60


def shortened(text: str, width: int = QUOTE_WIDTH) -> str:
    """A quote on one line, cut to `width` characters with "…"."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def table_lines(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return lines
