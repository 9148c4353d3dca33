"""Read queries shared by views, admin and commands. Each returns a lazy queryset or rows
with a fixed number of queries, whatever the number of articles or claims."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    F,
    FilteredRelation,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from . import cues, labels, names
from .models import Annotation, Article, DeskCue, Evidence, Source, SourceAlias


def label_count_name(key: str) -> str:
    """The attribute that holds an article's number of claims with that label: n_verified."""
    return f"n_{key}"


def with_label_counts(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Add n_<label> for every label (n_verified, n_disputed, …), n_orphaned and n_claims,
    in one query."""
    per_label = {
        label_count_name(label.key): Count("annotations", filter=Q(annotations__label=label.key))
        for label in labels.LABELS
    }
    return articles.annotate(
        n_claims=Count("annotations"),
        **per_label,
        n_orphaned=Count(
            "annotations", filter=Q(annotations__anchor_state=Annotation.Anchor.ORPHANED)
        ),
    )


# The same expression as the GIN index of migration 0003, so PostgreSQL can use it.
_FTS = (
    "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(outlet, '') || ' ' "
    "|| coalesce(body, '')) @@ websearch_to_tsquery('simple', %s)"
)


def article_search(q: str) -> Q:
    """Full-text search on PostgreSQL (words anywhere, "quoted phrases", -exclusions), plus
    substring matches on the title and outlet; plain substring search on SQLite."""
    from django.db import connection

    simple = Q(title__icontains=q) | Q(outlet__icontains=q)
    if connection.vendor == "postgresql":
        matches = RawSQL(_FTS, [q], output_field=BooleanField())  # noqa: S611 - q is a parameter
        return simple | Q(matches)
    return simple | Q(body__icontains=q)


def outlet_spellings(outlet: str) -> list[str]:
    """The outlet names stored that match `outlet` in any case ("kyiv daily" finds "Kyiv
    Daily"), read first so that the filter itself is an exact match: the planner knows how
    many rows an outlet has, and a big export walks its rows in order instead of joining
    them all for every chunk (as it would guessing at UPPER(outlet) = …)."""
    return list(
        Article.objects.filter(outlet__iexact=outlet)
        .order_by()
        .values_list("outlet", flat=True)
        .distinct()
    )


def outlet_names(*, limit: int = 500) -> list[str]:
    """The outlets articles come from, for the filters' suggestions (one query)."""
    names = (
        Article.objects.alive()
        .exclude(outlet="")
        .order_by("outlet")
        .values_list("outlet", flat=True)
        .distinct()
    )
    return list(names[:limit])


READING_ORDER = ("start", "-end", "id")
# Claims in the article page's side list per page; the rest load as the list scrolls.
CLAIM_PAGE = 20


# A claim's evidence rows with their latest good capture (not its text), for the evidence
# line on its card (Annotation.current_evidence): one query for a page of claims.
EVIDENCE_PREFETCH = Prefetch(
    "evidence", queryset=Evidence.objects.select_related("current").defer("current__text")
)


def article_claims(article: Article) -> QuerySet[Annotation]:
    """The claims of one article in reading order, with everything the page shows."""
    return (
        Annotation.objects.filter(article=article)
        .select_related("source", "created_by", "updated_by")
        .prefetch_related(EVIDENCE_PREFETCH)
        .order_by(*READING_ORDER)
    )


class Mark(NamedTuple):
    """What the highlights and the summary need of a claim: no quote, note or users."""

    pk: int
    start: int
    end: int
    label: str
    anchor_state: str
    source_id: int | None
    source_name: str | None


def article_marks(article: Article | int) -> list[Mark]:
    """Every claim of an article as a Mark, in reading order: one query of small rows,
    however many claims there are (a page with 2,000 claims loads 2,000 of these and only
    the first page of full claims)."""
    rows = (
        Annotation.objects.filter(article=article)
        .order_by(*READING_ORDER)
        .values_list("id", "start", "end", "label", "anchor_state", "source_id", "source__name")
    )
    return [Mark._make(row) for row in rows]


def after_key(start: int, end: int, pk: int) -> Q:
    """Claims after (start, end, pk) in reading order (start, then longest first, then id)."""
    return Q(start__gt=start) | Q(start=start, end__lt=end) | Q(start=start, end=end, id__gt=pk)


def first_claim_page(
    article: Article, marks: list[Mark], *, upto: int | None = None
) -> tuple[list[Annotation], bool]:
    """The side list's first page (or as far as claim `upto`), from the marks the page has
    already read: their ids, in reading order, fetched by primary key in one query."""
    size = CLAIM_PAGE
    if upto is not None:
        at = next((i for i, m in enumerate(marks) if m.pk == upto), 0)
        size *= at // size + 1
    ids = [m.pk for m in marks[:size]]
    claims = list(article_claims(article).filter(pk__in=ids)) if ids else []
    return claims, len(marks) > size


def claim_page(
    article: Article,
    *,
    after: tuple[int, int, int] | None = None,
    upto: Annotation | None = None,
    size: int = CLAIM_PAGE,
) -> tuple[list[Annotation], bool]:
    """The next claims of the side list after the key `after` (None: from the start), one
    page of them, or, with `upto`, as many pages as it takes to include that claim.
    Returns them and whether more follow. One query (two with `upto`).

    The page is chosen by its ids first (walking the reading-order index, one table) and
    only those rows are joined to their sources and users: the planner cannot then join
    every claim of the article before sorting, whatever its statistics say."""
    ids = Annotation.objects.filter(article=article)
    if after is not None:
        ids = ids.filter(after_key(*after))
    if upto is not None:
        wanted = ids.exclude(after_key(upto.start, upto.end, upto.pk)).count()
        size *= max(1, -(-wanted // size))  # whole pages, up to and including `upto`
    ids = ids.order_by(*READING_ORDER).values("id")[: size + 1]
    page = list(article_claims(article).filter(pk__in=ids))
    return page[:size], len(page) > size


def source_search(term: str, *, limit: int = 12) -> list[Source]:
    """Sources whose name or alias contains the term (folded), best matches first."""
    key = names.fold_name(term)
    if not key:
        return list(Source.objects.order_by("name")[:limit])
    sources = (
        Source.objects.filter(aliases__name_key__contains=key)
        .distinct()
        .order_by("name")[: limit * 3]
    )
    ranked = sorted(
        sources,
        key=lambda s: (
            not s.name_key.startswith(key),
            s.review_status == Source.Review.REJECTED,
            s.name_key,
        ),
    )
    return ranked[:limit]


class Likely(NamedTuple):
    """A source that a name likely means: the name of it that matched, and why."""

    source: Source
    name: str
    match: names.NameMatch


# What is kept between requests while the rows it is built from do not change: key ->
# (stamp, value). The stamp is one small aggregate over those rows (count, top id, last
# update), read on every call; the value is built again only when it differs.
_kept: dict[str, tuple[tuple, object]] = {}


def _kept_while(key: str, stamp: dict, build):
    stamp_values = tuple(stamp.values())
    held = _kept.get(key)
    if held is None or held[0] != stamp_values:
        held = (stamp_values, build())
        _kept[key] = held
    return held[1]


def source_name_index() -> names.NameIndex:
    """Every name and alias of every source, in the name matcher's index (names.NameIndex).

    Kept between requests while no name changes: one small aggregate asks whether it did
    (names are added, renamed, moved by a merge, or deleted with their source), and only
    then are the names read again."""

    def build() -> names.NameIndex:
        entries = SourceAlias.objects.values_list("source_id", "name").order_by("id")
        return names.NameIndex(entries.iterator(chunk_size=5000))

    stamp = SourceAlias.objects.aggregate(n=Count("id"), top=Max("id"), last=Max("updated_at"))
    return _kept_while("source names", stamp, build)


def forget_name_index() -> None:
    """Drop what is kept (tests start each from the database)."""
    _kept.clear()


def active_desk_cues() -> tuple[cues.Cue, ...]:
    """The desk's active cues for suggested claims (DeskCue), kept between requests while
    none is added, changed or deleted: one small aggregate asks whether one was. Their
    compiled patterns are kept by `suggesting` (by phrase), so a changed cue is compiled
    anew and an unchanged one is not."""

    def build() -> tuple[cues.Cue, ...]:
        rows = DeskCue.objects.filter(active=True).values_list("phrase", "role", "kind", "language")
        return tuple(cues.Cue(*row) for row in rows)

    stamp = DeskCue.objects.aggregate(
        n=Count("id"), on=Count("id", filter=Q(active=True)), top=Max("id"), last=Max("updated_at")
    )
    return _kept_while("desk cues", stamp, build)


def likely_sources(term: str, *, exclude: tuple[int, ...] = (), limit: int = 5) -> list[Likely]:
    """The sources that `term` likely names (the same name typed differently, another
    spelling or script, initials, part of the name), best first: the picker's hint."""
    if not term.strip():
        return []
    rows = source_name_index().likely(term, limit=limit, exclude=exclude)
    return _with_sources({None: rows})[None]


def possible_duplicates(sources: list[Source], *, limit: int = 3) -> dict[int, list[Likely]]:
    """For each source, the other sources it may be the same as, by any of its names: the
    review queue's hint. A fixed number of queries, whatever the number of sources."""
    own_names: dict[int, list[str]] = {}
    for source_id, name in SourceAlias.objects.filter(source__in=sources).values_list(
        "source_id", "name"
    ):
        own_names.setdefault(source_id, []).append(name)
    index = source_name_index()
    found = {}
    for source in sources:
        best: dict[int, tuple] = {}
        for name in own_names.get(source.pk, [source.name]):
            for row in index.likely(name, limit=limit, exclude=(source.pk,)):
                if row[0] not in best or row[2] > best[row[0]][2]:
                    best[row[0]] = row
        if best:
            found[source.pk] = sorted(best.values(), key=lambda row: -row[2].score)[:limit]
    return _with_sources(found)


def _with_sources(found: dict) -> dict:
    """(source id, name, match) rows as Likely, the sources read in one query."""
    others = Source.objects.in_bulk({key for rows in found.values() for key, _n, _m in rows})
    return {
        slot: [Likely(others[key], name, why) for key, name, why in rows if key in others]
        for slot, rows in found.items()
    }


def _blocks_reach(body: str, start: int, end: int) -> tuple[int, int]:
    """Where the blocks that share text with [start, end) begin and end."""
    from .anchoring import blocks_touching

    blocks = blocks_touching(body, start, end)
    return (blocks[0][0] if blocks else start, blocks[-1][1] if blocks else end)


def claims_between(article: Article, start: int, end: int) -> QuerySet[Annotation]:
    """Claims that may share a block with [start, end): enough to re-render those blocks."""
    low, high = _blocks_reach(article.body, start, end)
    return (
        Annotation.objects.filter(article=article, start__lt=high, end__gt=low)
        .only("id", "start", "end", "label", "anchor_state", "source_id")
        .order_by("start", "-end", "id")
    )


def next_claim_id(claim: Annotation, nearby: list | None = None) -> int | None:
    """The claim that follows `claim` in reading order (where its list item goes before).
    `nearby`, claims in reading order around it (the blocks a save redraws), saves the
    query when the next one is among them."""
    if nearby:
        at = next((i for i, c in enumerate(nearby) if c.pk == claim.pk), None)
        if at is not None and at + 1 < len(nearby):
            return nearby[at + 1].pk
    following = (
        Annotation.objects.filter(article_id=claim.article_id)
        .filter(
            Q(start__gt=claim.start)
            | Q(start=claim.start, end__lt=claim.end)
            | Q(start=claim.start, end=claim.end, id__gt=claim.pk)
        )
        .order_by("start", "-end", "id")
        .values_list("id", flat=True)
        .first()
    )
    return following


@dataclass
class Around:
    """What the answer to a claim's save shows: the claims of the blocks it touches (in
    reading order), the claim that follows it in the list, and the article's summary."""

    nearby: list[Annotation]
    next_id: int | None
    summary: dict


def around_saved_claim(article: Article, claim: Annotation, start: int, end: int) -> Around:
    """`claims_between`, `next_claim_id` and `article_summary` in one query (a save's answer
    pays one round trip, and no ORM compilation, for what were three): SELECTs joined by
    UNION ALL, told apart by their first column. [start, end) is the span to redraw.

    Every part reads the reading index alone (it carries label, anchor state and source):
    the summary counts in one pass over the article's entries, without the sort a GROUP BY
    would need (that sort was most of a save's database time on a long article)."""
    low, high = _blocks_reach(article.body, start, end)
    q = connection.ops.quote_name
    claims, sources = q(Annotation._meta.db_table), q(Source._meta.db_table)
    s, e = q("start"), q("end")
    keys = labels.all_keys()
    chunks = [keys[i : i + 3] for i in range(0, len(keys), 3)]
    sql = " UNION ALL ".join(
        [
            f"SELECT 0, a.id, a.{s}, a.{e}, a.source_id, a.label, a.anchor_state, NULL "  # noqa: S608
            f"FROM {claims} a WHERE a.article_id = %s AND a.{s} < %s AND a.{e} > %s",
            # The first claim after the blocks: the next one when the claim is the last.
            f"SELECT 1, (SELECT b.id FROM {claims} b WHERE b.article_id = %s AND b.{s} >= %s "  # noqa: S608
            f"ORDER BY b.{s}, b.{e} DESC, b.id LIMIT 1), NULL, NULL, NULL, NULL, NULL, NULL",
            # The sources cited, with their names.
            f"SELECT 2, src.id, NULL, NULL, NULL, NULL, NULL, src.name FROM {sources} src "  # noqa: S608
            f"WHERE src.id IN (SELECT c.source_id FROM {claims} c WHERE c.article_id = %s)",
            # The counts: rows of the orphaned and three labels' counts (the union's
            # integer columns), as many as the registry needs, tagged 3, 4, …
            *(_counts_select(claims, 3 + i, chunk) for i, chunk in enumerate(chunks)),
        ]
    )
    params = [article.pk, high, low, article.pk, high, article.pk]
    for chunk in chunks:
        params += [Annotation.Anchor.ORPHANED, *chunk, article.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    nearby = sorted(
        (
            Annotation(
                pk=pk,
                article_id=article.pk,
                start=a,
                end=b,
                label=label,
                anchor_state=state,
                source_id=source_id,
            )  # fmt: skip
            for part, pk, a, b, source_id, label, state, _ in rows
            if part == 0
        ),
        key=lambda c: (c.start, -c.end, c.pk),
    )
    after = next((row[1] for row in rows if row[0] == 1), None)
    cited = [_cited(row[1], row[7]) for row in rows if row[0] == 2]
    counts = dict.fromkeys(keys, 0)
    orphaned = 0
    for row in rows:
        if row[0] >= 3:
            chunk = chunks[row[0] - 3]
            orphaned = row[1]
            counts.update(zip(chunk, row[2 : 2 + len(chunk)], strict=True))
    at = next((i for i, c in enumerate(nearby) if c.pk == claim.pk), None)
    if at is None:  # not in the blocks (orphaned, say): asked for in a query of its own
        next_id = next_claim_id(claim)
    else:
        next_id = nearby[at + 1].pk if at + 1 < len(nearby) else after
    return Around(nearby, next_id, _summary(counts, orphaned, cited))


def _counts_select(claims: str, tag: int, keys: list[str]) -> str:
    """One counts row of around_saved_claim's UNION: `tag`, the orphaned claims, then each
    label's of `keys` (at most three: the union's integer columns), NULL-padded. Its
    parameters: the orphaned state, the keys, the article's id."""
    per_label = ["COUNT(CASE WHEN c.label = %s THEN 1 END)" for _ in keys]
    columns = ["COUNT(CASE WHEN c.anchor_state = %s THEN 1 END)", *per_label]
    columns += ["NULL"] * (7 - len(columns))
    return f"SELECT {tag:d}, {', '.join(columns)} FROM {claims} c WHERE c.article_id = %s"  # noqa: S608


def _summary(counts: dict, orphaned: int, sources: list) -> dict:
    """The article's summary line: per label (in the registry's order) its count, and for
    unattributed claims their share too."""
    total = sum(counts.values())
    by_label = [{"label": label, "n": counts[label.key], "share": None} for label in labels.LABELS]
    for row in by_label:
        if row["label"].key == Annotation.Label.UNATTRIBUTED:
            row["share"] = round(100 * row["n"] / total) if total else 0
    return {
        "total": total,
        "counts": counts,
        "by_label": by_label,
        "sources": sorted(sources, key=lambda s: s.name_key),
        "orphaned": orphaned,
    }


def summarise(marks: list[Mark]) -> dict:
    """Counts per label, the sources cited and the share unattributed, from the marks."""
    counts = dict.fromkeys(labels.all_keys(), 0)
    sources = {}
    orphaned = 0
    for mark in marks:
        counts[mark.label] += 1
        orphaned += mark.anchor_state == Annotation.Anchor.ORPHANED
        if mark.source_id and mark.source_id not in sources:
            sources[mark.source_id] = _cited(mark.source_id, mark.source_name)
    return _summary(counts, orphaned, list(sources.values()))


def article_summary(article: Article) -> dict:
    """The same summary in one query, without loading every claim: counts grouped by
    label, anchor state and source (a few rows), the sources' names joined in."""
    rows = (
        Annotation.objects.filter(article=article)
        .values_list("label", "anchor_state", "source_id", "source__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _summary_of_groups(rows)


def _summary_of_groups(rows) -> dict:
    """The summary from the claims' counts grouped by label, anchor state and source
    (with the source's name)."""
    counts = dict.fromkeys(labels.all_keys(), 0)
    orphaned = 0
    sources = {}
    for label, anchor_state, source_id, source_name, n in rows:
        counts[label] += n
        if anchor_state == Annotation.Anchor.ORPHANED:
            orphaned += n
        if source_id and source_id not in sources:
            sources[source_id] = _cited(source_id, source_name)
    return _summary(counts, orphaned, list(sources.values()))


class Cited(NamedTuple):
    """A source as the summary shows it: its id (for its page) and name."""

    pk: int
    name: str
    name_key: str


def _cited(pk: int, name: str) -> Cited:
    return Cited(pk, name, name.casefold())


def live_claims() -> QuerySet[Annotation]:
    """Every claim of a live article, newest first (filters.ClaimFilter narrows it)."""
    return Annotation.objects.filter(article__deleted_at__isnull=True).order_by(
        "-created_at", "-id"
    )


def sources_with_counts() -> QuerySet[Source]:
    """Sources with their number of claims and of disputed claims, in one query, by name
    (filters.SourceFilter narrows it). Claims on a deleted article are not counted: they
    are invisible, as everywhere."""
    live = Q(annotations__article__deleted_at__isnull=True)
    disputed = Q(annotations__label=Annotation.Label.DISPUTED)
    return Source.objects.annotate(
        n_claims=Count("annotations", filter=live),
        n_disputed=Count("annotations", filter=live & disputed),
    ).order_by("name")


def source_label_counts(source: Source) -> dict:
    counts = dict.fromkeys(labels.all_keys(), 0)
    rows = (
        Annotation.objects.filter(source=source, article__deleted_at__isnull=True)
        .values_list("label")
        .annotate(n=Count("id"))
        .order_by()
    )
    for label, n in rows:
        counts[label] = n
    return counts


def review_queue() -> QuerySet[Source]:
    """Sources waiting for review, oldest first, with who proposed them and their claims."""
    return (
        Source.objects.filter(review_status=Source.Review.PENDING)
        .select_related("created_by")
        .annotate(n_claims=Count("annotations"))
        .order_by("created_at", "id")
    )


def article_stamp(article_id: int) -> int:
    """A version stamp of an article's claims: the newest history row of any of them.

    Every create, change and delete writes a history row, so the stamp moves on each; it
    is one indexed aggregate, cheap enough to poll, and needs no write or lock.
    """
    stamp = Annotation.history.filter(article_id=article_id).aggregate(m=Max("history_id"))["m"]
    return stamp or 0


@dataclass(frozen=True)
class Changes:
    ids: set[int]  # the claims created, changed or deleted
    spans: list[tuple[int, int]]  # every span they had (before and after)
    by_others: set[int]  # those of `ids` someone other than `user` changed


def changed_since(article_id: int, stamp: int, user_id: int | None = None) -> Changes:
    """The claims changed since `stamp`, and every span (before and after) they had."""
    rows = Annotation.history.filter(article_id=article_id, history_id__gt=stamp).values_list(
        "id", "start", "end", "history_user_id"
    )
    spans = {(start, end) for _, start, end, _ in rows}
    ids = {pk for pk, _, _, _ in rows}
    by_others = {pk for pk, _, _, who in rows if who != user_id}
    # The state each changed claim had at the stamp, so its old blocks are redrawn too.
    before = (
        Annotation.history.filter(article_id=article_id, id__in=ids, history_id__lte=stamp)
        .order_by("id", "-history_id")
        .values_list("id", "start", "end")
    )
    seen = set()
    for pk, start, end in before:
        if pk not in seen:
            seen.add(pk)
            spans.add((start, end))
    return Changes(ids, sorted(spans), by_others)


def article_for_page(pk: int) -> Article:
    """The article page's one query for the article: who it is with, and its claims' stamp."""
    from django.db.models import OuterRef, Subquery
    from django.shortcuts import get_object_or_404

    stamp = (
        Annotation.history.filter(article_id=OuterRef("pk"))
        .order_by()
        .values("article_id")
        .annotate(m=Max("history_id"))
        .values("m")
    )
    articles = Article.objects.alive().select_related("assignee", "created_by")
    articles = articles.prefetch_related(EVIDENCE_PREFETCH)  # when it has a URL: its page
    return get_object_or_404(articles.annotate(stamp=Subquery(stamp)), pk=pk)


def current_evidence() -> QuerySet[Evidence]:
    """Evidence rows of the links claims have now (not of links they had before), and of
    the pages live articles were imported from (their URL now)."""
    of_claim = Q(claim__evidence_url=F("url"), claim__article__deleted_at__isnull=True)
    of_article = Q(article__url=F("url"), article__deleted_at__isnull=True)
    return Evidence.objects.filter(of_claim | of_article)


def evidence_moved(article_id: int, waiting: dict[int, str]) -> list[Evidence]:
    """Of the evidence lines an article page shows as waiting ({id: signature}), those of
    this article whose row has moved on since (one query; none when nothing waits)."""
    if not waiting:
        return []
    rows = (
        Evidence.objects.filter(pk__in=waiting)
        .filter(Q(claim__article_id=article_id) | Q(article_id=article_id))
        .select_related("current")
        .defer("current__text")
        .order_by("pk")
    )
    return [ev for ev in rows if ev.signature != waiting[ev.pk]]


def with_evidence(claims: QuerySet[Annotation], *, after_id: int = 0) -> QuerySet[Annotation]:
    """Add each claim's current evidence (the row of the link it has now) in the same query:
    evidence_id, evidence_status ("none" when the claim has no link, or none tracked yet;
    else the Evidence state), evidence_retrying, evidence_sha256 (the current capture's
    payload hash, "" before one), evidence_captured_at and evidence_capture_id (None
    before one). Only the claims past `after_id` (a keyset page's bound).

    One LEFT JOIN (a claim has one row per link, so at most one matches), not a subquery
    per value: on PostgreSQL, an export's page of 2,000 claims (a third with a capture) took
    about 6 ms so, 100 ms with subqueries, 3.5 ms without evidence. The bound is said on
    the evidence side too: PostgreSQL reads a page's evidence by a merge join, which would
    otherwise start at the table's first row for every page (the last page of 200,000
    claims took 60 ms)."""
    claims = claims.filter(id__gt=after_id).alias(
        evidence_now=FilteredRelation(
            "evidence",
            condition=Q(evidence__url=F("evidence_url"), evidence__claim_id__gt=after_id),
        )
    )
    return claims.annotate(
        evidence_id=F("evidence_now__id"),
        evidence_status=Coalesce(F("evidence_now__state"), Value("none")),
        evidence_retrying=Coalesce(F("evidence_now__retrying"), Value(False)),
        evidence_sha256=Coalesce(F("evidence_now__current__payload_sha256"), Value("")),
        evidence_captured_at=F("evidence_now__current__captured_at"),
        evidence_capture_id=F("evidence_now__current_id"),
    )
