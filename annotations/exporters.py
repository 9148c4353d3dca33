"""How claims are written out: newsroom CSV, W3C Web Annotation JSON-LD, ClaimReview.

"Which rows" is a queryset chosen elsewhere (selectors.claim_list); this module only reads it
in keyset-paged chunks (no server-side cursor, which a connection pooler would break) and
turns rows into text. Nothing is built in memory beyond one chunk.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import NamedTuple

from django.db.models import QuerySet

from . import labels

CHUNK_SIZE = 2000

CSV_COLUMNS = [
    "annotation_id",
    "article_id",
    "article_title",
    "article_url",
    "outlet",
    "published_at",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "label",
    "source_name",
    "source_kind",
    "source_reliability",
    "source_review_status",
    "note",
    "evidence_url",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
    # After the documented columns, so that scripts reading by position keep working.
    "anchor_state",
    "credibility",
]

# Database fields behind each row, in one query per chunk (no model instances).
_FIELDS = [
    "id",
    "article_id",
    "article__title",
    "article__url",
    "article__outlet",
    "article__published_at",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "label",
    "source__name",
    "source__kind",
    "source__reliability",
    "source__review_status",
    "note",
    "evidence_url",
    "created_by__username",
    "created_at",
    "updated_by__username",
    "updated_at",
    "anchor_state",
    "credibility",
    "original_quote",
    "source_id",
]


class ClaimRow(NamedTuple):
    """One claim as the exports read it: a tuple straight from the query (a million of
    them in a big export, so no per-row object set-up)."""

    annotation_id: int
    article_id: int
    article_title: str
    article_url: str
    outlet: str
    published_at: datetime | None
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    label: str
    source_name: str | None
    source_kind: str | None
    source_reliability: str | None
    source_review_status: str | None
    note: str
    evidence_url: str
    created_by: str | None
    created_at: datetime
    updated_by: str | None
    updated_at: datetime
    anchor_state: str
    credibility: int | None
    original_quote: str
    source_id: int | None


def claim_rows(claims: QuerySet, *, chunk_size: int = CHUNK_SIZE) -> Iterator[ClaimRow]:
    """Every claim of the queryset in id order, fetched `chunk_size` rows per query."""
    last_id = 0
    ordered = claims.order_by("id").values_list(*_FIELDS)
    while True:
        chunk = list(ordered.filter(id__gt=last_id)[:chunk_size])
        yield from map(ClaimRow._make, chunk)
        if len(chunk) < chunk_size:
            return
        last_id = chunk[-1][0]


# --- CSV -----------------------------------------------------------------------------------

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


# --- CSV built by PostgreSQL ---------------------------------------------------------------
# The same records, byte for byte, written by the database: each chunk of rows comes back
# as one string (string_agg), so Python neither converts a million rows of values nor
# quotes them. Still one keyset-paged query per chunk, no server-side cursor. A test
# compares it with csv_lines on tricky text.

_TIME_COLUMNS = {"published_at", "created_at", "updated_at"}
_NUMBER_COLUMNS = {"annotation_id", "article_id", "start", "end", "credibility"}
# Values from a fixed choice list: never a comma, quote or line break, nor a formula start.
_CHOICE_COLUMNS = {
    "label", "anchor_state", "source_kind", "source_reliability", "source_review_status",
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
    ordered = claims.order_by("id").values_list(*_FIELDS)
    last_id = 0
    while True:
        inner, params = ordered.filter(id__gt=last_id)[:chunk_size].query.sql_with_params()
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


def counted(rows: Iterable, progress: Callable[[int], object]) -> Iterator:
    """The rows, telling `progress` of each as it passes (a progress bar's update)."""
    for row in rows:
        progress(1)
        yield row


# --- W3C Web Annotation JSON-LD ------------------------------------------------------------

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
PAGE_SIZE = 200


def claim_iri(site_url: str, annotation_id: int) -> str:
    return f"{site_url}/claims/{annotation_id}/"


def article_iri(site_url: str, row: ClaimRow) -> str:
    return f"{site_url}/articles/{row.article_id}/"


def _iso(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")


CREDIBILITY_PREFIX = "admiralty-credibility:"


def web_annotation(row: ClaimRow, *, site_url: str) -> dict:
    """One claim as a W3C Web Annotation: the label, source and note in the body; the
    article as target, found by a TextQuoteSelector and a TextPositionSelector."""
    body: list[dict] = [
        {"type": "TextualBody", "purpose": "assessing", "value": row.label, "format": "text/plain"},
    ]
    if row.source_name:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "identifying",
                "value": row.source_name,
                "format": "text/plain",
            }
        )
    if row.note:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": row.note,
                "format": "text/plain",
            }
        )
    if row.credibility:
        # The Admiralty grade of the information (1-6), as a classification of the claim.
        body.append(
            {
                "type": "TextualBody",
                "purpose": "classifying",
                "value": f"{CREDIBILITY_PREFIX}{row.credibility}",
                "format": "text/plain",
            }
        )
    if row.evidence_url:
        body.append({"type": "SpecificResource", "purpose": "linking", "source": row.evidence_url})
    target = {
        "type": "SpecificResource",
        "source": row.article_url or article_iri(site_url, row),
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": row.quote,
                "prefix": row.prefix,
                "suffix": row.suffix,
            },
            {"type": "TextPositionSelector", "start": row.start, "end": row.end},
        ],
    }
    annotation = {
        "@context": ANNO_CONTEXT,
        "id": claim_iri(site_url, row.annotation_id),
        "type": "Annotation",
        "motivation": "assessing",
        "created": _iso(row.created_at),
        "modified": _iso(row.updated_at),
        "body": body,
        "target": target,
    }
    if row.created_by:
        annotation["creator"] = {"type": "Person", "nickname": row.created_by}
    return annotation


# The collection also carries the articles' text (schema.org NewsArticle with articleBody),
# so that an export can be imported into an empty database and give back the same claims.
SCHEMA_PREFIX = "http://schema.org/"
COLLECTION_CONTEXT = [ANNO_CONTEXT, {"schema": SCHEMA_PREFIX}]
_ARTICLE_FIELDS = ["id", "title", "url", "outlet", "author", "published_at", "language", "body"]


def article_rows(article_ids: Iterable[int], *, chunk_size: int = 200) -> Iterator[dict]:
    """The given articles with their text, a chunk of ids per query."""
    from .models import Article

    ids = sorted(set(article_ids))
    for i in range(0, len(ids), chunk_size):
        chunk = Article.objects.filter(id__in=ids[i : i + chunk_size]).order_by("id")
        yield from chunk.values(*_ARTICLE_FIELDS)


def article_node(article: dict, *, site_url: str) -> dict:
    node = {
        "id": f"{site_url}/articles/{article['id']}/",
        "type": "schema:NewsArticle",
        "schema:headline": article["title"],
        "schema:articleBody": article["body"],
    }
    optional = {
        "schema:url": article["url"],
        "schema:publisher": article["outlet"],
        "schema:author": article["author"],
        "schema:inLanguage": article["language"],
        "schema:datePublished": _iso(article["published_at"]) if article["published_at"] else "",
    }
    node.update({key: value for key, value in optional.items() if value})
    return node


def jsonld_collection(
    rows: Iterable[ClaimRow],
    *,
    site_url: str,
    collection_id: str,
    total: int,
    label: str,
    with_articles: bool = True,
) -> Iterator[str]:
    """An AnnotationCollection whose single embedded page holds every claim, streamed,
    followed by the articles those claims target (`schema:hasPart`).

    (The HTTP export also serves the claims page by page: `annotation_page`.)
    """
    head = {
        "@context": COLLECTION_CONTEXT if with_articles else ANNO_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": label,
        "total": total,
    }
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    page_head = json.dumps(
        {"id": f"{collection_id}#page-1", "type": "AnnotationPage", "startIndex": 0},
        ensure_ascii=False,
    )[:-1]
    yield f'{opening}, "first": {page_head}, "items": ['
    seen: set[int] = set()
    for index, row in enumerate(rows):
        seen.add(row.article_id)
        item = web_annotation(row, site_url=site_url)
        item.pop("@context")
        yield ("," if index else "") + "\n" + json.dumps(item, ensure_ascii=False)
    yield "\n]}"
    if with_articles:
        yield ', "schema:hasPart": ['
        for index, article in enumerate(article_rows(seen)):
            node = json.dumps(article_node(article, site_url=site_url), ensure_ascii=False)
            yield ("," if index else "") + "\n" + node
        yield "\n]"
    yield "}\n"


def annotation_page(
    rows: list[ClaimRow],
    *,
    site_url: str,
    collection_id: str,
    page: int,
    pages: int,
    total: int,
    page_url,
) -> dict:
    """One page of the collection, as the Web Annotation Protocol serves it."""
    items = []
    for row in rows:
        item = web_annotation(row, site_url=site_url)
        item.pop("@context")
        items.append(item)
    document = {
        "@context": ANNO_CONTEXT,
        "id": page_url(page),
        "type": "AnnotationPage",
        "partOf": {
            "id": collection_id,
            "type": "AnnotationCollection",
            "total": total,
            "first": page_url(1),
            "last": page_url(max(pages, 1)),
        },
        "startIndex": (page - 1) * PAGE_SIZE,
        "items": items,
    }
    if page < pages:
        document["next"] = page_url(page + 1)
    if page > 1:
        document["prev"] = page_url(page - 1)
    return document


# --- schema.org ClaimReview ----------------------------------------------------------------


def claim_review(row: ClaimRow, *, site_url: str, desk_name: str) -> dict | None:
    """A claim as a schema.org ClaimReview, rated as its label says (labels.py: verified
    and disputed have a rating; unattributed has none, so no ClaimReview)."""
    rating = labels.review_rating(row.label)
    if rating is None:
        return None
    item_reviewed = {
        "@type": "Claim",
        "appearance": {
            "@type": "NewsArticle",
            "url": row.article_url or article_iri(site_url, row),
            "headline": row.article_title,
        },
    }
    if row.published_at:
        item_reviewed["appearance"]["datePublished"] = _iso(row.published_at)
    if row.source_name:
        kind = "Person" if row.source_kind in {"expert", "spokesperson"} else "Organization"
        item_reviewed["author"] = {"@type": kind, "name": row.source_name}
    review = {
        "@type": "ClaimReview",
        "url": claim_iri(site_url, row.annotation_id),
        "claimReviewed": row.quote,
        "datePublished": _iso(row.updated_at),
        "author": {"@type": "Organization", "name": desk_name, "url": site_url + "/"},
        "itemReviewed": item_reviewed,
        "reviewRating": rating,
    }
    if row.note:
        review["reviewBody"] = row.note
    return review


def claimreview_lines(rows: Iterable[ClaimRow], *, site_url: str, desk_name: str) -> Iterator[str]:
    """A JSON-LD document with every ClaimReview in an @graph, streamed."""
    yield '{"@context": "https://schema.org", "@graph": ['
    first = True
    for row in rows:
        review = claim_review(row, site_url=site_url, desk_name=desk_name)
        if review is None:
            continue
        yield ("" if first else ",") + "\n" + json.dumps(review, ensure_ascii=False)
        first = False
    yield "\n]}\n"
