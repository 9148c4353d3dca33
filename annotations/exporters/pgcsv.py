"""The same CSV, byte for byte, built by PostgreSQL from the same rows (big exports)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

from .csvtext import _CSV_INDEX, _FORMULA_STARTS, _csv_header, csv_lines
from .rows import _FIELDS, CHUNK_SIZE, CSV_COLUMNS, claim_rows, claim_values, counted

# The same records, byte for byte, written by the database: each chunk of rows comes back
# as one string (string_agg), so Python neither converts a million rows of values nor
# quotes them. Still one keyset-paged query per chunk, no server-side cursor. A test
# compares it with csv_lines on tricky text.

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
_UNQUOTED = _TIME_COLUMNS | _NUMBER_COLUMNS | _CHOICE_COLUMNS


def _sql_quoted(value: str) -> str:
    """csv.writer's minimal quoting: only fields holding a comma, a quote, CR or LF."""
    return (
        f"CASE WHEN {value} ~ E'[\",\\r\\n]' "
        f"THEN '\"' || replace({value}, '\"', '\"\"') || '\"' ELSE {value} END"
    )


def _sql_literal(char: str) -> str:
    """A one-character SQL string literal (E'\\t' for a control character)."""
    if char in "\t\r":
        return {"\t": "E'\\t'", "\r": "E'\\r'"}[char]
    return f"'{char}'"


def _sql_cell(column: str, ref: str, safe: bool) -> str:
    if column in _NUMBER_COLUMNS:
        return f"coalesce({ref}::text, '')"
    if column in _TIME_COLUMNS:  # datetime.isoformat() of a UTC time
        utc = f"({ref} AT TIME ZONE 'UTC')"
        return (
            f"CASE WHEN {ref} IS NULL THEN '' ELSE "
            f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
            f"CASE WHEN extract(microseconds FROM {utc})::bigint %% 1000000 <> 0 "
            f"THEN '.' || to_char({utc}, 'US') ELSE '' END || '+00:00' END"
        )
    text = f"coalesce({ref}::text, '')"
    if safe and column not in _CHOICE_COLUMNS:  # spreadsheet_safe(): the same characters
        starts = "(" + ", ".join(_sql_literal(c) for c in _FORMULA_STARTS) + ")"
        text = f"(CASE WHEN left({ref}, 1) IN {starts} THEN '''' ELSE '' END || {text})"
    return text


def pg_csv_pieces(
    claims: QuerySet,
    *,
    safe: bool = True,
    bom: bool = False,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], object] | None = None,
) -> Iterator[str]:
    """csv_lines(claim_rows(claims)) on PostgreSQL, built by the database a chunk at a
    time: the header, then one piece of text per chunk (`progress` hears how many rows)."""
    from django.db import connection

    yield _csv_header(bom)
    names = ", ".join(f"c{i}" for i in range(len(_FIELDS)))
    # Two steps, each a subquery kept apart by OFFSET 0 (else the planner would paste each
    # expression into the next and compute it three times over): the cells as text, then
    # the quoting and the join into records.
    cells = ", ".join(
        f"{_sql_cell(column, f't.c{_CSV_INDEX[n]}', safe)} AS v{n}"
        for n, column in enumerate(CSV_COLUMNS)
    )
    record = " || ',' || ".join(
        f"u.v{n}" if column in _UNQUOTED else _sql_quoted(f"u.v{n}")
        for n, column in enumerate(CSV_COLUMNS)
    )
    last_id = 0
    while True:
        chunk = claim_values(claims, after_id=last_id)[:chunk_size]
        try:
            inner, params = chunk.query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing by itself (`__in=[]`): no rows
            return
        # Only our own column expressions are interpolated; values are parameters.
        sql = (
            f"SELECT string_agg({record} || E'\\r\\n', '' ORDER BY u.id), max(u.id), "  # noqa: S608
            f"count(*) FROM (SELECT t.c0 AS id, {cells} FROM ({inner}) AS t({names}) "
            "OFFSET 0) AS u"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            text, last, n = cursor.fetchone()
        if progress:
            progress(n)
        if text:
            yield text
        if n < chunk_size:
            return
        last_id = last


def csv_pieces(
    claims: QuerySet,
    *,
    safe: bool = True,
    bom: bool = False,
    progress: Callable[[int], object] | None = None,
) -> Iterator[str]:
    """The CSV of `claims`: built by the database on PostgreSQL, by csv_lines elsewhere."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return pg_csv_pieces(claims, safe=safe, bom=bom, progress=progress)
    rows = claim_rows(claims)
    if progress:
        rows = counted(rows, progress)
    return csv_lines(rows, safe=safe, bom=bom)
