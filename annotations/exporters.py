"""How claims are written out: newsroom CSV, W3C Web Annotation JSON-LD, ClaimReview.

"Which rows" is a queryset chosen elsewhere (selectors.claim_list); this module only reads it
in keyset-paged chunks (no server-side cursor, which a connection pooler would break) and
turns rows into text. Nothing is built in memory beyond one chunk.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

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


@dataclass(frozen=True, slots=True)
class ClaimRow:
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
        for values in chunk:
            yield ClaimRow(*values)
        if len(chunk) < chunk_size:
            return
        last_id = chunk[-1][0]


# --- CSV -----------------------------------------------------------------------------------

# A spreadsheet treats a cell that starts with one of these as a formula (or, for tab and
# CR, may shift it into one). Prefixing an apostrophe makes Excel, LibreOffice and Google
# Sheets show the text as text, and the apostrophe itself is not displayed.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def csv_record(row: ClaimRow) -> list[str]:
    return [_cell(getattr(row, column)) for column in CSV_COLUMNS]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[ClaimRow], *, safe: bool = True, bom: bool = False) -> Iterator[str]:
    """RFC 4180 CSV (CRLF records, quoted fields keep their newlines), one line at a time."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield ("\ufeff" if bom else "") + writer.writerow(CSV_COLUMNS)
    for row in rows:
        record = csv_record(row)
        if safe:
            record = [spreadsheet_safe(cell) for cell in record]
        yield writer.writerow(record)


# --- W3C Web Annotation JSON-LD ------------------------------------------------------------

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
PAGE_SIZE = 200


def claim_iri(site_url: str, annotation_id: int) -> str:
    return f"{site_url}/claims/{annotation_id}/"


def article_iri(site_url: str, row: ClaimRow) -> str:
    return f"{site_url}/articles/{row.article_id}/"


def _iso(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")


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

_RATING = {"verified": "Verified", "disputed": "Disputed"}


def claim_review(row: ClaimRow, *, site_url: str, desk_name: str) -> dict | None:
    """A verified or disputed claim as a schema.org ClaimReview (unattributed has none)."""
    if row.label not in _RATING:
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
        "reviewRating": {"@type": "Rating", "alternateName": _RATING[row.label]},
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
