"""The newsroom CSV, written from rows: pure, no database."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from .rows import CSV_COLUMNS, ClaimRow

# A spreadsheet treats a cell that starts with one of these as a formula (or, for tab and
# CR, may shift it into one). Prefixing an apostrophe makes Excel, LibreOffice and Google
# Sheets show the text as text, and the apostrophe itself is not displayed.
# The fullwidth forms (＝ ＋ － ＠) count too: some spreadsheets fold them to the plain ones.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


_CSV_INDEX = [ClaimRow._fields.index(column) for column in CSV_COLUMNS]


def csv_record(row: ClaimRow) -> list[str]:
    return [_cell(row[i]) for i in _CSV_INDEX]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_header(bom: bool) -> str:
    return ("\ufeff" if bom else "") + csv.writer(_Echo(), lineterminator="\r\n").writerow(
        CSV_COLUMNS
    )


# Rows per piece of text handed on (a response chunk, a file write): one write per row
# would cost more than the formatting.
_LINES_PER_PIECE = 500


def csv_lines(rows: Iterable[ClaimRow], *, safe: bool = True, bom: bool = False) -> Iterator[str]:
    """RFC 4180 CSV (CRLF records, quoted fields keep their newlines), a few hundred records
    at a time."""
    yield _csv_header(bom)
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    pending = 0
    for row in rows:
        record = csv_record(row)
        out.writerow([spreadsheet_safe(cell) for cell in record] if safe else record)
        pending += 1
        if pending == _LINES_PER_PIECE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()
