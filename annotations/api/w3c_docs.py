"""What the W3C Web Annotation Protocol's container (`w3c`) answers with: one claim as an
annotation (the JSON-LD export's, with the container's IRI as its id), the container's
description and its pages (ActivityStreams paging, as the protocol asks), their ETags; and
the same shapes for the OpenAPI schema."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .. import exporters
from ..exporters.jsonld import ANNO_CONTEXT
from ..models import Annotation
from .w3c_reading import IRI_MAX

LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


def visible() -> QuerySet[Annotation]:
    """Claims of live articles: those the container holds."""
    return Annotation.objects.filter(article__deleted_at__isnull=True)


def row_of(pk: int) -> exporters.ClaimRow | None:
    """One visible claim as the exports read it (its evidence too), in one query."""
    found = exporters.claim_values(visible().filter(pk=pk)).first()
    return exporters.ClaimRow._make(found) if found else None


def description(row: exporters.ClaimRow, *, site: str, container: str) -> dict:
    """One claim as an annotation of the container: the export's, with the container's id."""
    annotation = exporters.web_annotation(row, site_url=site)
    annotation["id"] = f"{container}{row.annotation_id}/"
    return annotation


def _hash(document: dict) -> str:
    dumped = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(dumped.encode()).hexdigest()[:32] + '"'


def etag(row: exporters.ClaimRow) -> str:
    """A strong ETag: the hash of the claim's representation, the same at any address."""
    return _hash(description(row, site="", container=""))


def document_etag(document: dict) -> str:
    return _hash(document)


@dataclass
class Listing:
    """The container as one request asks for it: its claims as IRIs or descriptions, so many
    to a page. Two queries a page: the count and the page's rows (with their evidence)."""

    claims: QuerySet[Annotation]
    site: str
    container: str  # the container's IRI
    iris: bool
    size: int = PAGE_SIZE
    size_given: bool = False  # carried in the pages' IRIs

    def __post_init__(self) -> None:
        self.total = self.claims.count()
        self.pages = max(1, math.ceil(self.total / self.size))
        # The IRI says whether the pages hold IRIs or descriptions (the protocol's advice).
        self.id = f"{self.container}?iris={int(self.iris)}"

    def page_iri(self, n: int) -> str:
        size = f"&page_size={self.size}" if self.size_given else ""
        return f"{self.id}&page={n}{size}"

    def _items(self, start: int) -> list:
        if self.iris:
            ids = self.claims.order_by("id").values_list("id", flat=True)
            return [f"{self.container}{pk}/" for pk in ids[start : start + self.size]]
        items = []
        for values in exporters.claim_values(self.claims)[start : start + self.size]:
            row = exporters.ClaimRow._make(values)
            item = description(row, site=self.site, container=self.container)
            item.pop("@context")  # the page's
            items.append(item)
        return items

    def page(self, n: int, *, embedded: bool = False) -> dict:
        """Page `n` (from 0) as an AnnotationPage; on its own, with its context and the
        container it is part of."""
        document = {"id": self.page_iri(n), "type": "AnnotationPage"}
        if not embedded:
            document = {
                "@context": ANNO_CONTEXT,
                **document,
                "partOf": {"id": self.id, "total": self.total},
            }
        start = n * self.size
        document["startIndex"] = start
        if n + 1 < self.pages:
            document["next"] = self.page_iri(n + 1)
        if n > 0:
            document["prev"] = self.page_iri(n - 1)
        document["items"] = self._items(start)
        return document

    def description(self, *, minimal: bool) -> dict:
        """The container: with its first page embedded, or (`minimal`) linked only."""
        return {
            "@context": [ANNO_CONTEXT, LDP_CONTEXT],
            "id": self.id,
            "type": ["BasicContainer", "AnnotationCollection"],
            "label": f"Claims of {settings.DESK_NAME}",
            "total": self.total,
            "first": self.page_iri(0) if minimal else self.page(0, embedded=True),
            "last": self.page_iri(self.pages - 1),
        }


# --- For the OpenAPI schema ------------------------------------------------------------------

_TEXTS = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
ANNOTATION_IN = {
    "type": "object",
    "description": "A W3C Web Annotation in the shape of the JSON-LD export: the target an "
    "article of ours (`source`: its link, as the export writes it) with a TextQuoteSelector "
    "and a TextPositionSelector, the bodies by purpose (assessing: the label; identifying: "
    "the source's name; commenting, describing, classifying, linking). The body that names "
    "the claim's shared claim (a SpecificResource with purpose identifying) is the "
    "server's: read back as it came, never taken.",
    "properties": {
        "@context": {"oneOf": [{"type": "string"}, {"type": "array"}]},
        "id": {"type": "string", "description": "Kept as `via` (POST)."},
        "type": _TEXTS,
        "motivation": _TEXTS,
        "created": {"description": "The server's: not taken."},
        "modified": {"description": "The server's: not taken."},
        "creator": {"description": "The server's: not taken."},
        "canonical": {"type": "string", "maxLength": IRI_MAX},
        "via": {"type": "string", "maxLength": IRI_MAX},
        "body": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]},
        "target": {"oneOf": [{"type": "string"}, {"type": "object"}, {"type": "array"}]},
    },
    "required": ["type", "body", "target"],
    "additionalProperties": False,
}
ANNOTATION_OUT = {
    "type": "object",
    "properties": {
        "@context": {"type": "string"},
        "id": {"type": "string"},
        "type": {"type": "string"},
        "motivation": {"type": "string"},
        "created": {"type": "string"},
        "modified": {"type": "string"},
        "creator": {"type": "object"},
        "canonical": {"type": "string"},
        "via": {"type": "string"},
        "body": {"type": "array", "items": {"type": "object"}},
        "target": {"type": "object"},
    },
    "required": ["@context", "id", "type", "body", "target"],
}
CONTAINER_OUT = {
    "type": "object",
    "description": "The container (BasicContainer, AnnotationCollection) or one AnnotationPage.",
    "properties": {
        "id": {"type": "string"},
        "type": _TEXTS,
        "total": {"type": "integer"},
        "first": {"oneOf": [{"type": "string"}, {"type": "object"}]},
        "last": {"type": "string"},
        "partOf": {"type": "object"},
        "startIndex": {"type": "integer"},
        "next": {"type": "string"},
        "prev": {"type": "string"},
        "items": {"type": "array"},
    },
    "required": ["id", "type"],
}
_KINDS = ("application/ld+json", "application/json")


def answers(code: int, schema: dict, description: str) -> dict:
    """A response of JSON-LD (or JSON, when asked for), for the schema."""
    return {(code, kind): OpenApiResponse(schema, description=description) for kind in _KINDS}


def annotation_request() -> dict:
    return dict.fromkeys(_KINDS, ANNOTATION_IN)


def headers(code: int, *names: str) -> list[OpenApiParameter]:
    """Headers an answer always has, for the schema."""
    return [
        OpenApiParameter(name, str, OpenApiParameter.HEADER, response=[code], required=True)
        for name in names
    ]


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The annotation's ETag, as it came.",
)
CONTAINER_PARAMETERS = [
    OpenApiParameter("iris", str, enum=["0", "1"], description="1: pages of IRIs."),
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 0, "maximum": 999_999_999},
        description="One AnnotationPage, from 0, instead of the container.",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        description=f"Annotations per page, 1 to {MAX_PAGE_SIZE} ({PAGE_SIZE} if left out).",
    ),
    OpenApiParameter(
        "Prefer",
        str,
        OpenApiParameter.HEADER,
        description='RFC 7240: `return=representation;include="…"` with '
        "http://www.w3.org/ns/oa#PreferContainedIRIs, …#PreferContainedDescriptions or "
        "http://www.w3.org/ns/ldp#PreferMinimalContainer.",
    ),
]
