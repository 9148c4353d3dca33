"""schema.org ClaimReview: which claims it publishes (`published`, the one home of that rule,
applied to the queryset so that the others are never read) and how each is written from its
row (pure, no database).

Only what the desk vetted is published: a claim whose label has a rating in the label
registry (verified, disputed) and whose source a reviewer approved. The internal note never
goes out (it may name a protected source); `reviewBody` is the claim's public summary.

The appearances of one shared claim that agree, those with the same rating (the same label
and, when graded, the same value), are one ClaimReview of one `Claim` (the shared claim,
its `url` the shared claim's page) with every appearance in its `appearance` list.
Appearances that disagree are never merged into one rating: each rating of a shared claim
is a ClaimReview of its own, of the same `Claim`. A claim in no shared claim is a
ClaimReview of its own, as it always was.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from django.db.models import QuerySet

from .. import labels
from .jsonld import _iso, article_iri, claim_iri, shared_claim_iri
from .rows import ClaimRow, claim_rows, claim_rows_by_shared_claim, counted

# reviewRating.ratingValue, on the scale fact-checkers publish (higher is truer), from the
# claim's Admiralty credibility grade: ratingValue = 6 - grade.
#
#   grade                     ratingValue
#   1 confirmed               5 (bestRating)
#   2 probably true           4
#   3 possibly true           3
#   4 doubtful                2
#   5 improbable              1 (worstRating)
#   6 cannot be judged, none  no ratingValue (the rating keeps only its alternateName)
BEST_RATING = 5
WORST_RATING = 1


def rating_value(credibility: int | None) -> int | None:
    """The ratingValue of a credibility grade (the table above), or None for none."""
    if credibility is None or not 1 <= credibility <= 5:
        return None
    return BEST_RATING + 1 - credibility


def published(claims: QuerySet) -> QuerySet:
    """The claims a ClaimReview may publish: a rated label and an approved source. Every
    door (the export button, the command, any API) reads the claims through this."""
    from ..models import Source

    return claims.filter(
        label__in=labels.rated_keys(), source__review_status=Source.Review.APPROVED
    )


def review_rating(row: ClaimRow) -> dict | None:
    """The schema.org Rating: the label's (alternateName, from the registry) and, when the
    claim has a grade 1-5, its value on the scale above."""
    rating = labels.review_rating(row.label)
    value = rating_value(row.credibility)
    if rating is not None and value is not None:
        rating.update(ratingValue=value, bestRating=BEST_RATING, worstRating=WORST_RATING)
    return rating


def _appearance(row: ClaimRow, *, site_url: str, publisher: bool = False) -> dict:
    """The article a claim appeared in, as a schema.org NewsArticle (`publisher`: its
    outlet too, as the appearances of a shared claim name theirs)."""
    node = {
        "@type": "NewsArticle",
        "url": row.article_url or article_iri(site_url, row),
        "headline": row.article_title,
    }
    if row.published_at:
        node["datePublished"] = _iso(row.published_at)
    if publisher and row.outlet:
        node["publisher"] = {"@type": "Organization", "name": row.outlet}
    return node


def _speaker(row: ClaimRow) -> dict:
    """The claim's source as the author of the Claim."""
    kind = "Person" if row.source_kind in {"expert", "spokesperson"} else "Organization"
    return {"@type": kind, "name": row.source_name}


def _review(
    first: ClaimRow,
    rating: dict,
    item_reviewed: dict,
    *,
    date: datetime,
    summary: str,
    site_url: str,
    desk_name: str,
) -> dict:
    """The review written on `first` (its page, its words), rating `item_reviewed`."""
    review = {
        "@type": "ClaimReview",
        "url": claim_iri(site_url, first.annotation_id),
        "claimReviewed": first.quote,
        "datePublished": _iso(date),
        "author": {"@type": "Organization", "name": desk_name, "url": site_url + "/"},
        "itemReviewed": item_reviewed,
        "reviewRating": rating,
    }
    if summary:  # never the note: it is internal
        review["reviewBody"] = summary
    return review


def claim_review(row: ClaimRow, *, site_url: str, desk_name: str) -> dict | None:
    """A claim as a schema.org ClaimReview, rated as its label says (labels.py: verified
    and disputed have a rating; unattributed has none, so no ClaimReview)."""
    rating = review_rating(row)
    if rating is None:
        return None
    item_reviewed = {"@type": "Claim", "appearance": _appearance(row, site_url=site_url)}
    if row.source_name:
        item_reviewed["author"] = _speaker(row)
    return _review(
        row,
        rating,
        item_reviewed,
        date=row.updated_at,
        summary=row.public_summary,
        site_url=site_url,
        desk_name=desk_name,
    )


def shared_claim_review(rows: list[ClaimRow], *, site_url: str, desk_name: str) -> dict | None:
    """Appearances of one shared claim that got the same rating (in id order) as one
    ClaimReview: its `Claim` is the shared claim (`url`, its page), with every appearance
    (the article, its outlet as `publisher`, its date) and every source that made it as
    `author`. The review is the first appearance's claim (`url`, `claimReviewed`), dated by
    the latest change of any, with each distinct public summary."""
    first = rows[0]
    rating = review_rating(first)
    if rating is None:
        return None
    item_reviewed = {
        "@type": "Claim",
        "url": shared_claim_iri(site_url, first.shared_claim_id),
        "appearance": [_appearance(r, site_url=site_url, publisher=True) for r in rows],
    }
    speakers = list({r.source_name: _speaker(r) for r in rows if r.source_name}.values())
    if speakers:
        item_reviewed["author"] = speakers[0] if len(speakers) == 1 else speakers
    summaries = dict.fromkeys(r.public_summary for r in rows if r.public_summary)
    return _review(
        first,
        rating,
        item_reviewed,
        date=max(r.updated_at for r in rows),
        summary="\n\n".join(summaries),
        site_url=site_url,
        desk_name=desk_name,
    )


def _agreeing(row: ClaimRow) -> tuple:
    """What appearances of one shared claim must share to be one ClaimReview: the rating
    (the label, and the value its grade gives)."""
    return row.label, rating_value(row.credibility)


def claim_reviews(rows: Iterable[ClaimRow], *, site_url: str, desk_name: str) -> Iterator[dict]:
    """The ClaimReviews of `rows`: each claim in no shared claim alone, and the appearances
    of each shared claim grouped by rating. The rows of one shared claim come together
    (`claim_rows_by_shared_claim`), so no more than one shared claim's rows are held."""
    for shared, together in itertools.groupby(rows, key=lambda r: r.shared_claim_id):
        if shared is None:
            for row in together:
                review = claim_review(row, site_url=site_url, desk_name=desk_name)
                if review is not None:
                    yield review
            continue
        groups: dict[tuple, list[ClaimRow]] = {}
        for row in sorted(together, key=lambda r: r.annotation_id):
            groups.setdefault(_agreeing(row), []).append(row)
        for group in groups.values():
            review = shared_claim_review(group, site_url=site_url, desk_name=desk_name)
            if review is not None:
                yield review


def claimreview_lines(rows: Iterable[ClaimRow], *, site_url: str, desk_name: str) -> Iterator[str]:
    """A JSON-LD document with every ClaimReview in an @graph, streamed (the rows of
    `published(claims)`, each shared claim's together: doors call `claimreview_pieces`)."""
    yield '{"@context": "https://schema.org", "@graph": ['
    first = True
    for review in claim_reviews(rows, site_url=site_url, desk_name=desk_name):
        yield ("" if first else ",") + "\n" + json.dumps(review, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def claimreview_pieces(
    claims: QuerySet,
    *,
    site_url: str,
    desk_name: str,
    progress: Callable[[int], object] | None = None,
) -> Iterator[str]:
    """The ClaimReview document of `claims`, of the published ones only: what every door
    sends (`progress` hears of each claim read). The claims in no shared claim first, in id
    order, then the appearances of each shared claim: one query per chunk of each."""
    vetted = published(claims)
    rows = itertools.chain(
        claim_rows(vetted.filter(shared_claim__isnull=True)), claim_rows_by_shared_claim(vetted)
    )
    if progress:
        rows = counted(rows, progress)
    return claimreview_lines(rows, site_url=site_url, desk_name=desk_name)
