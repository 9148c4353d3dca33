"""schema.org ClaimReview, written from rows: pure, no database."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from .. import labels
from .jsonld import _iso, article_iri, claim_iri
from .rows import ClaimRow


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
