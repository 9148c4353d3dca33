"""W3C Web Annotation JSON-LD, written from rows: pure, no database (the articles'
text comes from the `articles` reader the caller passes)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import cache

from django.urls import get_script_prefix, reverse

from .rows import ClaimRow

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
PAGE_SIZE = 200


def claim_iri(site_url: str, annotation_id: int) -> str:
    return f"{site_url}/claims/{annotation_id}/"


def article_iri(site_url: str, row: ClaimRow) -> str:
    return f"{site_url}/articles/{row.article_id}/"


_MARKER = 987_654_321_987_654_321  # stands in for the id while the URL pattern is reversed


@cache
def _path_around_id(name: str, script_prefix: str) -> tuple[str, str]:
    """The path of the page `name` of one object below the site's root, before and after
    its id: reversed once (a reverse costs some 30 µs; a big export would pay it a million
    times). Without the script prefix, like every id here: the site URL already says where
    the app lives."""
    path = reverse(name, args=[_MARKER]).removeprefix(script_prefix)
    head, _, tail = path.partition(str(_MARKER))
    return head, tail


def _page_iri(site_url: str, name: str, pk: int) -> str:
    head, tail = _path_around_id(name, get_script_prefix())
    return f"{site_url}/{head}{int(pk)}{tail}"


def capture_warc_iri(site_url: str, capture_id: int) -> str:
    """The absolute link of a capture's WARC download (the evidence's cached copy)."""
    return _page_iri(site_url, "annotations:evidence-warc", capture_id)


def shared_claim_iri(site_url: str, shared_claim_id: int) -> str:
    """The absolute IRI of a shared claim: its page (`SharedClaim.get_absolute_url`) on the
    site. Every appearance's annotation names it (`shared_claim_body`), and a ClaimReview's
    `Claim` is it."""
    return _page_iri(site_url, "annotations:shared-claim", shared_claim_id)


# The body that says which assertion a claim is an appearance of: the same shared claim's
# IRI, as a SpecificResource with purpose "identifying" (what the passage states). Two
# annotations with the same such body are appearances of one assertion. The source's name is
# the other identifying body, a TextualBody; the evidence keeps "linking" to itself.
def shared_claim_body(site_url: str, shared_claim_id: int) -> dict:
    return {
        "type": "SpecificResource",
        "purpose": "identifying",
        "source": shared_claim_iri(site_url, shared_claim_id),
    }


def is_shared_claim_body(body) -> bool:
    """A body written by `shared_claim_body` (the readers of annotations read past it: a
    link between appearances is made by a person, through its own door, never by a file)."""
    return (
        isinstance(body, dict)
        and body.get("purpose") == "identifying"
        and body.get("type") == "SpecificResource"
    )


def _iso(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")


CREDIBILITY_PREFIX = "admiralty-credibility:"


def web_annotation(row: ClaimRow, *, site_url: str) -> dict:
    """One claim as a W3C Web Annotation: the label, source, note and summary in the body, and
    the evidence link with, once captured, a TimeState (when, and our copy), and the shared
    claim it is an appearance of; the article as target, found by a TextQuoteSelector and a
    TextPositionSelector."""
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
    # The desk's full record: the internal note (commenting) as well as the public summary
    # (describing; what a ClaimReview publishes).
    for purpose, value in (("commenting", row.note), ("describing", row.public_summary)):
        if value:
            body.append(
                {"type": "TextualBody", "purpose": purpose, "value": value, "format": "text/plain"}
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
        evidence = {"type": "SpecificResource", "purpose": "linking", "source": row.evidence_url}
        if row.evidence_capture_id is not None:
            # The link as the desk captured it: the page at that time, and our copy of it.
            evidence["state"] = {
                "type": "TimeState",
                "cached": capture_warc_iri(site_url, row.evidence_capture_id),
                "sourceDate": _iso(row.evidence_captured_at),
            }
        body.append(evidence)
    if row.shared_claim_id is not None:
        body.append(shared_claim_body(site_url, row.shared_claim_id))
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
    # Kept from an annotation posted to the protocol's container (api/w3c.py).
    if row.canonical:
        annotation["canonical"] = row.canonical
    if row.via:
        annotation["via"] = row.via
    return annotation


# The collection also carries the articles' text (schema.org NewsArticle with articleBody),
# so that an export can be imported into an empty database and give back the same claims.
SCHEMA_PREFIX = "http://schema.org/"
COLLECTION_CONTEXT = [ANNO_CONTEXT, {"schema": SCHEMA_PREFIX}]


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
    articles: Callable[[set[int]], Iterable[dict]] | None = None,
) -> Iterator[str]:
    """An AnnotationCollection whose single embedded page holds every claim, streamed,
    followed by the articles those claims target (`schema:hasPart`), read by `articles`
    (rows.article_rows) from the ids seen; without it, the claims only.

    (The HTTP export also serves the claims page by page: `annotation_page`.)
    """
    head = {
        "@context": COLLECTION_CONTEXT if articles else ANNO_CONTEXT,
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
    if articles:
        yield ', "schema:hasPart": ['
        for index, article in enumerate(articles(seen)):
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
