"""The same CSV, byte for byte, built by the database from the same rows (every CSV door).

Python converting a million rows of values and quoting them costs seconds; the database
does it in the query. Still one keyset-paged query per chunk of `CHUNK_SIZE` claims (no
server-side cursor, which a connection pooler would break), one piece of text per chunk:
- PostgreSQL: `COPY (SELECT …) TO STDOUT WITH (FORMAT csv)` writes and quotes the records;
  the SELECT only spells each cell as csv_lines would (`_pg_cell`): the spreadsheet guard,
  times as datetime.isoformat() in UTC, an empty text or a NULL as an empty field.
- SQLite (no COPY): the SELECT also quotes the cells and joins them into records
  (`_sqlite_cell`).
Other databases get csv_lines, in Python. A test compares each with csv_lines on awkward
text in every column.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from .csvtext import _CSV_INDEX, _FORMULA_STARTS, _csv_header, csv_lines
from .rows import _FIELDS, CSV_COLUMNS, claim_rows, claim_values, counted

# Claims per query (and per piece of text handed on): a query's planning, a few
# milliseconds for this join, is paid once per chunk.
CHUNK_SIZE = 5_000

_TIME_COLUMNS = {"published_at", "created_at", "updated_at", "evidence_captured_at"}
_NUMBER_COLUMNS = {
    "annotation_id", "article_id", "start", "end", "credibility", "shared_claim_id",
}  # fmt: skip
# Values from a fixed choice list (and hex digests): never a comma, quote or line break, nor
# a formula start.
_CHOICE_COLUMNS = {
    "label", "anchor_state", "source_kind", "source_reliability", "source_review_status",
    "evidence_status", "evidence_sha256",
}  # fmt: skip

# The database fields behind the CSV's columns, in its order (the first is the id).
_CSV_FIELDS = [_FIELDS[i] for i in _CSV_INDEX]
_REFS = [f"t.c{n}" for n in range(len(CSV_COLUMNS))]
_ALIASES = ", ".join(f"c{n}" for n in range(len(CSV_COLUMNS)))


def _formula_start(ref: str, vendor: str) -> str:
    """SQL: `ref` starts as spreadsheet_safe() guards against, the same characters by
    their code points (an integer test, cheaper than comparing strings)."""
    first = "ascii" if vendor == "postgresql" else "unicode"  # its first code point
    codes = ", ".join(str(ord(char)) for char in _FORMULA_STARTS)
    return f"{first}({ref}) IN ({codes})"


def _pg_time(ref: str) -> str:
    """datetime.isoformat() of the UTC time (no .000000). to_char writes in the session's
    time zone, which Django keeps at the connection's: UTC, unless DATABASES says else."""
    if connection.timezone_name != "UTC":
        ref = f"({ref} AT TIME ZONE 'UTC')"
    return f"replace(to_char({ref}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"'), '.000000+', '+')"


def _pg_cell(column: str, ref: str, safe: bool) -> str:
    """The cell as COPY should write it: its text, or NULL for an empty field (COPY writes
    an empty string as "")."""
    if column in _NUMBER_COLUMNS:
        return ref
    if column in _TIME_COLUMNS:
        return _pg_time(ref)
    if safe and column not in _CHOICE_COLUMNS:
        guarded = _formula_start(ref, "postgresql")
        return f"CASE WHEN {guarded} THEN '''' || {ref} ELSE NULLIF({ref}, '') END"
    return f"NULLIF({ref}, '')"


def _sqlite_cell(column: str, ref: str, safe: bool) -> str:
    """The cell as csv.writer writes it, quoted when it holds a quote, a comma, CR or LF.
    Django writes a time to SQLite as str() of the UTC datetime (microseconds only when
    there are some), so isoformat() is that with a T and the offset."""
    if column in _NUMBER_COLUMNS or column in _CHOICE_COLUMNS:
        return f"coalesce({ref}, '')"
    if column in _TIME_COLUMNS:
        return f"coalesce(replace({ref}, ' ', 'T') || '+00:00', '')"
    guarded = _formula_start(ref, "sqlite")
    prefix = f"CASE WHEN {guarded} THEN '''' ELSE '' END || " if safe else ""
    special = " OR ".join(f"instr({ref}, {c}) > 0" for c in ("'\"'", "','", "char(13)", "char(10)"))
    return (
        f"coalesce(CASE WHEN {special} "
        f"THEN '\"' || {prefix}replace({ref}, '\"', '\"\"') || '\"' ELSE {prefix}{ref} END, '')"
    )


def _each_cell(cell: Callable[[str, str, bool], str], safe: bool, between: str) -> str:
    """The SQL of every column's cell, in the CSV's order."""
    return between.join(cell(c, ref, safe) for c, ref in zip(CSV_COLUMNS, _REFS, strict=True))


def _pg_chunk(claims: QuerySet, safe: bool) -> Callable[[str, tuple], tuple[bytes, int, int]]:
    """One chunk's records on PostgreSQL, written by COPY: (text, how many, the last id)."""
    cells = _each_cell(_pg_cell, safe, ", ")

    def chunk(inner: str, params: tuple) -> tuple[bytes, int, int]:
        # Only our own column expressions are put around the ORM's SQL (COPY takes no
        # parameters: they are bound into it by psycopg, as the ORM would).
        sql = (
            f"COPY (SELECT {cells} FROM ({connection.ops.compose_sql(inner, params)}) "  # noqa: S608
            f"AS t({_ALIASES}) ORDER BY t.c0) TO STDOUT WITH (FORMAT csv)"
        )
        text, n, start = bytearray(), 0, 0
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            # One message a record, each ending with LF: csv_lines ends them with CRLF.
            for record in copy:
                start = len(text)
                text += record
                text[-1:] = b"\r\n"
                n += 1
        return bytes(text), n, int(text[start : text.index(b",", start)]) if n else 0

    return chunk


# SQLite: the claims in id order, and only then their article (CROSS JOIN, SQLite's way to
# fix the order of the loops). Its planner would start from the articles of a filter on
# them and sort every claim left behind the page for each chunk: the chunks of 50,000
# claims took seconds, growing with the square of their number.
_INNER_JOIN = re.compile(r"\bINNER JOIN\b")


def _sqlite_chunk(claims: QuerySet, safe: bool) -> Callable[[str, tuple], tuple[bytes, int, int]]:
    """One chunk's records on SQLite, each built by the query as a BLOB (its UTF-8 bytes,
    never decoded into Python text): (text, how many, the last id)."""
    record = _each_cell(_sqlite_cell, safe, " || ',' || ")

    def chunk(inner: str, params: tuple) -> tuple[bytes, int, int]:
        # No ORDER BY around the page: SQLite reads it in its own order (id), and sorting
        # it again cost a fifth of the time. Checked below all the same.
        sql = (
            f"WITH t({_ALIASES}) AS ({_INNER_JOIN.sub('CROSS JOIN', inner)}) "  # noqa: S608
            f"SELECT t.c0, CAST({record} AS BLOB) FROM t"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return b"", 0, 0
        if any(a[0] > b[0] for a, b in itertools.pairwise(rows)):
            rows.sort()
        return b"\r\n".join([row[1] for row in rows]) + b"\r\n", len(rows), rows[-1][0]

    return chunk


_CHUNK_WRITERS = {"postgresql": _pg_chunk, "sqlite": _sqlite_chunk}


def _db_chunks(
    claims: QuerySet, *, vendor: str, safe: bool, bom: bool, chunk_size: int, progress
) -> Iterator[bytes]:
    """The header, then each chunk's records as the database wrote them, keyset paged."""
    yield _csv_header(bom).encode()
    chunk = _CHUNK_WRITERS[vendor](claims, safe)
    last_id = 0
    while True:
        try:
            values = claim_values(claims, after_id=last_id, fields=_CSV_FIELDS)[:chunk_size]
            inner, params = values.query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing by itself (`__in=[]`): no rows
            return
        text, n, last_id = chunk(inner, params)
        if progress:
            progress(n)
        if n:
            yield text
        if n < chunk_size:  # the last, short chunk ends it
            return


def csv_chunks(
    claims: QuerySet,
    *,
    safe: bool = True,
    bom: bool = False,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], object] | None = None,
) -> Iterator[bytes]:
    """The CSV of `claims` as UTF-8 bytes, what every door sends: csv_lines(claim_rows(
    claims)) built by the database a chunk at a time on PostgreSQL and SQLite (`progress`
    hears how many rows), by csv_lines elsewhere."""
    if connection.vendor in _CHUNK_WRITERS:
        return _db_chunks(
            claims,
            vendor=connection.vendor,
            safe=safe,
            bom=bom,
            chunk_size=chunk_size,
            progress=progress,
        )
    rows = claim_rows(claims)
    if progress:
        rows = counted(rows, progress)
    return (piece.encode() for piece in csv_lines(rows, safe=safe, bom=bom))


def pg_csv_pieces(
    claims: QuerySet, *, safe: bool = True, bom: bool = False, chunk_size: int = CHUNK_SIZE
) -> Iterator[str]:
    """csv_chunks on PostgreSQL (COPY), as text."""
    for piece in _db_chunks(
        claims, vendor="postgresql", safe=safe, bom=bom, chunk_size=chunk_size, progress=None
    ):
        yield piece.decode()
