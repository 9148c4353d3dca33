"""Which claims, read: a queryset chosen elsewhere (filters.ClaimFilter) read in keyset-paged
chunks (no server-side cursor, which a connection pooler would break), one query per chunk,
as plain tuples, each with its claim's current evidence (`selectors.with_evidence`, in the
same query). Nothing is built in memory beyond one chunk."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet

# Claims per query of the readers below (one chunk of tuples in memory at a time).
ROWS_PER_QUERY = 2000

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
    "public_summary",
    # Issue 19: the claim's current evidence (its link now), and its capture when it has one.
    "evidence_status",
    "evidence_sha256",
    "evidence_captured_at",
    # Issue 22: the shared claim the claim is an appearance of (empty when none).
    "shared_claim_id",
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
    "public_summary",
    # Annotations of selectors.with_evidence (a join in the same query).
    "evidence_status",
    "evidence_sha256",
    "evidence_captured_at",
    "evidence_capture_id",
    # The W3C Web Annotation Protocol's IRIs of a claim posted to it (empty otherwise).
    "canonical",
    "via",
    "shared_claim_id",  # the column itself: no join
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
    public_summary: str
    evidence_status: str  # "none" (no link, or not tracked yet), else the Evidence state
    evidence_sha256: str  # the current capture's payload hash, "" before one
    evidence_captured_at: datetime | None
    evidence_capture_id: int | None
    canonical: str = ""
    via: str = ""
    shared_claim_id: int | None = None  # the assertion it is an appearance of (SharedClaim)


def _chunks(
    after: Callable[[Any], QuerySet], chunk_size: int, id_of: Callable, start: Any = 0
) -> Iterator[list]:
    """The rows of `after(last)` (those past a key, in key order: an id, from `start`),
    `chunk_size` per query (keyset paging)."""
    last = start
    while True:
        chunk = list(after(last)[:chunk_size])
        yield chunk
        if len(chunk) < chunk_size:
            return
        last = id_of(chunk[-1])


def claim_values(claims: QuerySet, *, after_id: int = 0, fields: list[str] = _FIELDS) -> QuerySet:
    """The claims past `after_id` in id order as tuples of `fields` (of `_FIELDS`),
    evidence included (one query)."""
    from ..selectors import with_evidence

    return with_evidence(claims, after_id=after_id).order_by("id").values_list(*fields)


def claim_rows(claims: QuerySet, *, chunk_size: int = ROWS_PER_QUERY) -> Iterator[ClaimRow]:
    """Every claim of the queryset in id order, fetched `chunk_size` rows per query."""

    def after(last_id: int) -> QuerySet:
        return claim_values(claims, after_id=last_id)

    for chunk in _chunks(after, chunk_size, lambda row: row[0]):
        yield from map(ClaimRow._make, chunk)


_SHARED = _FIELDS.index("shared_claim_id")


def claim_rows_by_shared_claim(
    claims: QuerySet, *, chunk_size: int = ROWS_PER_QUERY
) -> Iterator[ClaimRow]:
    """The claims of the queryset that are in a shared claim, each shared claim's together
    (by shared claim, then id), keyset paged on both: one query per chunk."""
    ordered = claim_values(claims.filter(shared_claim__isnull=False)).order_by(
        "shared_claim_id", "id"
    )

    def after(last: tuple[int, int]) -> QuerySet:
        shared, pk = last
        return ordered.filter(Q(shared_claim_id__gt=shared) | Q(shared_claim_id=shared, id__gt=pk))

    def key_of(row: tuple) -> tuple[int, int]:
        return row[_SHARED], row[0]

    for chunk in _chunks(after, chunk_size, key_of, start=(0, 0)):
        yield from map(ClaimRow._make, chunk)


_ARTICLE_FIELDS = ["id", "title", "url", "outlet", "author", "published_at", "language", "body"]


def article_rows(article_ids: Iterable[int], *, chunk_size: int = 200) -> Iterator[dict]:
    """The given articles with their text, a chunk of ids per query."""
    from ..models import Article

    ids = sorted(set(article_ids))
    for i in range(0, len(ids), chunk_size):
        chunk = Article.objects.filter(id__in=ids[i : i + chunk_size]).order_by("id")
        yield from chunk.values(*_ARTICLE_FIELDS)


def articles_reader(scope: QuerySet | None) -> Callable[[set[int]], Iterator[dict]]:
    """What a JSON-LD export lists as its articles (`jsonld_collection(articles=…)`): with
    no scope, the articles of the claims exported (their ids, as seen); with one
    (`ClaimFilter.article_scope`), every article of it, those without claims too, keyset
    paged like `article_rows`."""
    if scope is None:
        return article_rows

    def scoped(seen: set[int], *, chunk_size: int = 200) -> Iterator[dict]:
        ordered = scope.order_by("id").values(*_ARTICLE_FIELDS)

        def after(last_id: int) -> QuerySet:
            return ordered.filter(id__gt=last_id)

        for chunk in _chunks(after, chunk_size, lambda row: row["id"]):
            yield from chunk

    return scoped


def counted(rows: Iterable, progress: Callable[[int], object]) -> Iterator:
    """The rows, telling `progress` of each as it passes (a progress bar's update)."""
    for row in rows:
        progress(1)
        yield row
