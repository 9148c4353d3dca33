"""Which claims, read: a queryset chosen elsewhere (filters.ClaimFilter) read in keyset-paged
chunks (no server-side cursor, which a connection pooler would break), one query per chunk,
as plain tuples. Nothing is built in memory beyond one chunk."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import NamedTuple

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


_ARTICLE_FIELDS = ["id", "title", "url", "outlet", "author", "published_at", "language", "body"]


def article_rows(article_ids: Iterable[int], *, chunk_size: int = 200) -> Iterator[dict]:
    """The given articles with their text, a chunk of ids per query."""
    from ..models import Article

    ids = sorted(set(article_ids))
    for i in range(0, len(ids), chunk_size):
        chunk = Article.objects.filter(id__in=ids[i : i + chunk_size]).order_by("id")
        yield from chunk.values(*_ARTICLE_FIELDS)


def counted(rows: Iterable, progress: Callable[[int], object]) -> Iterator:
    """The rows, telling `progress` of each as it passes (a progress bar's update)."""
    for row in rows:
        progress(1)
        yield row
