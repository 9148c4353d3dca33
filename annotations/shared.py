"""Reads of similar claims: the suggestions for a selection or a claim, a shared claim's
appearances, and the week's most repeated claims.

Suggestions come in two steps. The database finds candidates: the claims of other live
articles that share the most (weighted) terms with the quote (`ClaimTerm`), and on
PostgreSQL also the quotes nearest by trigrams (pg_trgm, GIN index on `ClaimQuote`). Then
`similarity.score` ranks them, the same way on every database, and the best few above
`similarity.THRESHOLD` are suggested, one per shared claim.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from django.db import OperationalError, connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import labels, similarity
from .models import Annotation, ClaimTerm, SharedClaim, TermsPending

# How many candidates the database hands to the scorer, from the terms and from trigrams.
TERM_CANDIDATES = 40
TRIGRAM_CANDIDATES = 10
TRIGRAM_MS = 15
FEW = 10  # fewer candidates than this from the terms: trigrams are asked too
# Claims read per term of the quote (POSTINGS), and terms read at most (MOST_TERMS).
POSTINGS = 200
MOST_TERMS = 24

# The most suggestions a script may ask for (the command's --limit, the API's ?limit=).
MOST_SUGGESTIONS = 50


class Suggestions(list):
    """The suggestions, best first; `pending`: some claims imported a moment ago have no
    terms yet (`TermsPending`), so the terms cannot have found them: what shows the list
    says so, instead of missing them silently."""

    pending: bool = False

    @property
    def note(self) -> str:
        """What to say beside them: that some claims may be missing, or nothing."""
        return str(PENDING_NOTE) if self.pending else ""


PENDING_NOTE = _(
    "Claims imported a moment ago are still being indexed for this search: they may be "
    "missing here. Look again in a minute."
)

# In `_term_ids`' answer, the row that says some claims' terms are pending ("" is no term).
_PENDING = ""


@dataclass
class Suggestion:
    claim: Annotation  # with its article, source and shared claim loaded
    match: similarity.Match

    @property
    def score(self) -> float:
        return self.match.score


def _candidate_ids(
    terms: dict[str, int], *, exclude_article: int | None, quote: str
) -> tuple[list[int], bool]:
    """The terms' candidates; on PostgreSQL, when they are few, also the trigrams'. And
    whether some claims' terms are pending."""
    ids, pending = _term_ids(terms)
    if connection.vendor == "postgresql" and quote.strip() and len(ids) < FEW:
        ids += _trigram_ids(quote, exclude_article=exclude_article)
    return list(dict.fromkeys(ids)), pending


def _term_ids(terms: dict[str, int]) -> tuple[list[int], bool]:
    """The claims that share the most (weighted) rare terms with the quote: for each term,
    up to POSTINGS claims, newest first, in one query (an index walk per term); a term in
    more claims than that is common ("drone", "russi") and finds none, unless all are. The
    same query says whether some claims' terms are pending (one row of `TermsPending`)."""
    looked_up = [t for t in terms if t.startswith(similarity.LOOKED_UP)]
    chosen = sorted(looked_up, key=lambda t: (-terms[t], t))[:MOST_TERMS]
    if not chosen:
        return [], False
    table = connection.ops.quote_name(ClaimTerm._meta.db_table)
    one = (
        "SELECT * FROM (SELECT term, annotation_id FROM {table} WHERE term = %s "
        "ORDER BY annotation_id DESC LIMIT %s) AS p{i}"
    )
    sql = " UNION ALL ".join(one.format(table=table, i=i) for i in range(len(chosen)))
    pending_table = connection.ops.quote_name(TermsPending._meta.db_table)
    sql += f" UNION ALL SELECT * FROM (SELECT %s, article_id FROM {pending_table} LIMIT 1) AS w"  # noqa: S608
    params: list = []
    for term in chosen:
        params += [term, POSTINGS + 1]
    params.append(_PENDING)
    postings: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for term, annotation_id in cursor.fetchall():
            postings.setdefault(term, []).append(annotation_id)
    pending = postings.pop(_PENDING, None) is not None
    rare = {t: ids for t, ids in postings.items() if len(ids) <= POSTINGS} or postings
    hits: dict[int, int] = {}
    for term, ids in rare.items():
        for annotation_id in ids:
            hits[annotation_id] = hits.get(annotation_id, 0) + terms[term]
    ranked = sorted(hits, key=lambda pk: (-hits[pk], -pk))
    return ranked[:TERM_CANDIDATES], pending


def _trigram_ids(quote: str, *, exclude_article: int | None) -> list[int]:
    """The quotes nearest by trigrams (pg_trgm's `%`, which the GIN index on `ClaimQuote`
    serves: a claim imported a moment ago has none until its terms are written), within
    TRIGRAM_MS: with a hundred thousand quotes, the index's lists of common trigrams can
    take far longer than a person waits for a suggestion, and then the terms' candidates
    are the answer (the suggestions are a help, never the record)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # set_config(…, true) lasts until the transaction ends, and a savepoint's
            # release does not end it: the time limit is put back as it was (a rollback to
            # the savepoint, on a timeout, puts it back by itself).
            cursor.execute(
                "SELECT current_setting('statement_timeout'), "
                "set_config('statement_timeout', %s, true)",
                [str(TRIGRAM_MS)],
            )
            before = cursor.fetchone()[0]
            cursor.execute(
                "SELECT q.annotation_id FROM annotations_claimquote q "
                "JOIN annotations_annotation a ON a.id = q.annotation_id "
                "WHERE q.quote %% %s AND a.article_id <> %s "
                "ORDER BY similarity(q.quote, %s) DESC, q.annotation_id DESC LIMIT %s",
                [quote, exclude_article or 0, quote, TRIGRAM_CANDIDATES],
            )
            found = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])
            return found
    except OperationalError:  # the statement timeout (psycopg's QueryCanceled)
        return []


def suggestions(
    quote: str,
    *,
    language: str = "",
    exclude_article: int | None = None,
    exclude_shared: int | None = None,
    limit: int = similarity.LIMIT,
) -> Suggestions:
    """The claims of other articles most likely to make the same assertion as `quote`,
    best first, at most one per shared claim (a shared claim stands for its appearances).
    `exclude_shared`: the shared claim the claim is in already."""
    query = similarity.features(quote, language)
    terms = similarity.terms(quote, language)
    ids, pending = _candidate_ids(terms, exclude_article=exclude_article, quote=quote)
    result = Suggestions()
    result.pending = pending
    if not ids:
        return result
    # Ranked from small rows and the stored terms; only the few suggested become objects.
    rows = (
        Annotation.objects.filter(pk__in=ids, article__deleted_at__isnull=True)
        .exclude(article_id=exclude_article)
        .values_list("pk", "shared_claim_id", "quote", "article__language")
    )
    rows = [row for row in rows if exclude_shared is None or row[1] != exclude_shared]
    stored: dict[int, list[str]] = {}
    for pk, term in ClaimTerm.objects.filter(annotation__in=[r[0] for r in rows]).values_list(
        "annotation_id", "term"
    ):
        stored.setdefault(pk, []).append(term)
    ranked = []
    for pk, shared_id, claim_quote, claim_language in rows:
        if pk in stored:
            theirs = similarity.from_terms(stored[pk])
        else:  # no terms (a quote of no words): read the quote itself
            theirs = similarity.features(claim_quote, claim_language)
        found = similarity.score(query, theirs)
        if found.score >= similarity.THRESHOLD:
            ranked.append((found, pk, shared_id))
    ranked.sort(key=lambda row: (-row[0].score, -row[1]))
    best: list[tuple[similarity.Match, int]] = []
    seen_shared: set[int] = set()
    for found, pk, shared_id in ranked:
        if shared_id is not None:
            if shared_id in seen_shared:
                continue
            seen_shared.add(shared_id)
        best.append((found, pk))
        if len(best) == limit:
            break
    claims = (
        Annotation.objects.filter(pk__in=[pk for _found, pk in best])
        .select_related("article", "source", "shared_claim")
        .defer("article__body")
        .in_bulk()
    )
    result += [Suggestion(claims[pk], match) for match, pk in best if pk in claims]
    return result


def suggestions_for_claim(claim: Annotation, *, limit: int = similarity.LIMIT) -> Suggestions:
    """Suggestions for an existing claim: other articles' claims, not already in its
    shared claim."""
    return suggestions(
        claim.quote,
        language=claim.article.language,
        exclude_article=claim.article_id,
        exclude_shared=claim.shared_claim_id,
        limit=limit,
    )


# --- Shared claims -----------------------------------------------------------------------


@dataclass
class Spread:
    """A shared claim's appearances in the order they were published, with what a reader
    of its page needs: the first one, the outlets, the labels they got, and whether they
    disagree (one verified what another disputed)."""

    shared: SharedClaim
    appearances: list[Annotation]
    labels: dict[str, int] = field(default_factory=dict)

    @property
    def first(self) -> Annotation | None:
        return self.appearances[0] if self.appearances else None

    @property
    def outlets(self) -> list[str]:
        return list(dict.fromkeys(c.article.outlet for c in self.appearances if c.article.outlet))

    @property
    def disagree(self) -> bool:
        """Two appearances got different rated verdicts (verified here, disputed there):
        `labels.rated_keys`, the labels that say whether a claim holds up."""
        return len(set(self.labels) & set(labels.rated_keys())) > 1

    @cached_property
    def verdicts(self) -> list[Verdict]:
        """Which outlets gave which label, in the registry's order: what a disagreement is
        made of ("verified by Kyiv Independent; disputed by Frontline Wire")."""
        found = []
        for label in labels.LABELS:
            claims = [c for c in self.appearances if c.label == label.key]
            if claims:
                where = dict.fromkeys(c.article.outlet or c.article.title for c in claims)
                found.append(Verdict(label.key, label.name, list(where)))
        return found

    @cached_property
    def timeline(self) -> list[Day]:
        """When it spread: one row per day on which it appeared (the desk's time zone), with
        how many days after the first appearance, and its labels as the segments of a bar
        (widths in hundredths of the busiest day's)."""
        by_day: dict[date, list[Annotation]] = {}
        for claim in self.appearances:
            by_day.setdefault(timezone.localdate(appeared_at(claim)), []).append(claim)
        if not by_day:
            return []
        peak = max(len(claims) for claims in by_day.values())
        first = min(by_day)
        days = []
        for day, claims in sorted(by_day.items()):
            segments, x = [], 0.0
            for label in labels.LABELS:
                n = sum(1 for c in claims if c.label == label.key)
                if n:
                    width = 100 * n / peak
                    segments.append(
                        {"label": label.key, "name": label.name, "n": n, "x": x, "width": width}
                    )
                    x += width
            days.append(Day(day, (day - first).days, claims, segments))
        return days


@dataclass
class Verdict:
    label: str
    name: str
    outlets: list[str]  # or the article's title, for an article with no outlet


@dataclass
class Day:
    day: date
    after: int  # days after the first appearance
    appearances: list[Annotation]
    segments: list[dict]


def appeared_at(claim: Annotation) -> datetime:
    """When an appearance was published: its article's date, else when it was tagged."""
    return claim.article.published_at or claim.created_at


def live_appearances(shared: SharedClaim | int) -> QuerySet[Annotation]:
    return Annotation.objects.filter(
        shared_claim=shared, article__deleted_at__isnull=True
    ).select_related("article", "source", "created_by")


def spread(shared: SharedClaim) -> Spread:
    appearances = list(live_appearances(shared))
    for claim in appearances:
        claim.appeared_at = appeared_at(claim)
    appearances.sort(key=lambda c: (c.appeared_at, c.pk))
    return Spread(shared, appearances, dict(Counter(c.label for c in appearances)))


def shared_claims_with_counts() -> QuerySet[SharedClaim]:
    """Shared claims with their number of live appearances, and of the rated verdicts they
    got (`verdict_count` > 1: they disagree, as `Spread.disagree` says; `disagree` is that)."""
    live = Q(appearances__article__deleted_at__isnull=True)
    rated = Q(appearances__label__in=labels.rated_keys())
    return SharedClaim.objects.annotate(
        appearance_count=Count("appearances", filter=live),
        verdict_count=Count("appearances__label", filter=live & rated, distinct=True),
        disagree=ExpressionWrapper(Q(verdict_count__gt=1), output_field=BooleanField()),
    )


def search(text: str) -> Q:
    """Shared claims by words of their title or by their number ("12"); "#12" is the number
    only."""
    number = by_number(text)
    if text.strip().startswith("#"):
        return Q(pk=number) if number is not None else Q(pk__in=[])
    found = Q(title__icontains=text.strip())
    return found | Q(pk=number) if number is not None else found


def by_number(text: str) -> int | None:
    """The shared claim's id when `text` is one ("12" or "#12"), else None."""
    number = text.strip().removeprefix("#")
    return int(number) if number.isascii() and number.isdigit() and len(number) < 10 else None


def find_for_merge(
    text: str, *, keep: SharedClaim, limit: int = 10
) -> tuple[list[SharedClaim], bool]:
    """The shared claims other than `keep` that `text` names, with their counts, and whether
    it named one exactly: the one of that number ("12", "#12") if there is one; else those
    whose title holds the words, newest first (`limit` and one more, to tell there are
    more)."""
    rows = shared_claims_with_counts().exclude(pk=keep.pk).order_by("-created_at", "-id")
    number = by_number(text)
    exact = list(rows.filter(pk=number)) if number is not None else []
    return (exact, True) if exact else (list(rows.filter(search(text))[: limit + 1]), False)


def summaries(ids: list[int]) -> dict[int, Summary]:
    """For each shared claim of a page of them, the outlets of its live appearances and how
    many got each label, in one query."""
    rows = (
        Annotation.objects.filter(shared_claim_id__in=ids, article__deleted_at__isnull=True)
        .values_list("shared_claim_id", "article__outlet", "label")
        .annotate(n=Count("id"))
        .order_by("shared_claim_id", "article__outlet", "label")
    )
    found: dict[int, Summary] = {}
    for shared_id, outlet, label, n in rows:
        summary = found.setdefault(shared_id, Summary())
        if outlet and outlet not in summary.outlets:
            summary.outlets.append(outlet)
        summary.counts[label] = summary.counts.get(label, 0) + n
    return found


@dataclass
class Summary:
    outlets: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # by label key


def most_repeated(since: datetime, *, limit: int = 5) -> list[SharedClaim]:
    """The shared claims with the most appearances tagged since `since` (two at least)."""
    recent = Q(appearances__created_at__gte=since, appearances__article__deleted_at__isnull=True)
    return list(
        shared_claims_with_counts()
        .annotate(recent_count=Count("appearances", filter=recent))
        .filter(recent_count__gte=2)
        .order_by("-recent_count", "-appearance_count", "-id")[:limit]
    )
