"""schema.org ClaimReview: which claims it publishes (`published`, the one home of that rule,
applied to the queryset so that the others are never read) and how each is written from its
row (pure, no database).

Only what the desk vetted is published: a claim whose label has a rating in the label
registry (verified, disputed) and whose source a reviewer approved. The internal note never
goes out (it may name a protected source); `reviewBody` is the claim's public summary.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from django.db.models import QuerySet

from .. import labels
from .jsonld import _iso, article_iri, claim_iri
from .rows import ClaimRow, claim_rows, counted

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


def claim_review(row: ClaimRow, *, site_url: str, desk_name: str) -> dict | None:
    """A claim as a schema.org ClaimReview, rated as its label says (labels.py: verified
    and disputed have a rating; unattributed has none, so no ClaimReview)."""
    rating = review_rating(row)
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
    if row.public_summary:  # never the note: it is internal
        review["reviewBody"] = row.public_summary
    return review


def claimreview_lines(rows: Iterable[ClaimRow], *, site_url: str, desk_name: str) -> Iterator[str]:
    """A JSON-LD document with every ClaimReview in an @graph, streamed (the rows of
    `published(claims)`: doors call `claimreview_pieces`)."""
    yield '{"@context": "https://schema.org", "@graph": ['
    first = True
    for row in rows:
        review = claim_review(row, site_url=site_url, desk_name=desk_name)
        if review is None:
            continue
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
    sends (`progress` hears of each claim read)."""
    rows = claim_rows(published(claims))
    if progress:
        rows = counted(rows, progress)
    return claimreview_lines(rows, site_url=site_url, desk_name=desk_name)
