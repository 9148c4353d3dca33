"""The export files as HTTP responses, for every door that serves them: the web's buttons
(`views.exports`) and the API (`api.exports`) answer with the very same bytes.

Each function takes a `ClaimFilter` that is valid (the door refuses one that is not, in its
own way: a plain-text 400 on the web, a problem in the API) and streams its claims from the
database, chunk by chunk, as `exporters` writes them. Nothing is built in memory.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, JsonResponse, QueryDict, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import ngettext

from . import exporters
from .filters import ClaimFilter

CSV_TYPE = "text/csv; charset=utf-8"
JSONLD_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
JSONLD_PAGE_TYPE = "application/ld+json; charset=utf-8"
CLAIMREVIEW_TYPE = "application/ld+json"


class NoSuchPage(Exception):
    """A JSON-LD page number out of range; the message says how many pages there are."""


def site_url(request: HttpRequest) -> str:
    """The base of the export's ids: `SITE_URL` when it is set, else the scheme and host
    this request came to (behind a proxy, as `HTTPS` trusts it to say)."""
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


def _attachment(response: StreamingHttpResponse, name: str) -> StreamingHttpResponse:
    """Send the export as a download under `name` (see `ClaimFilter.download_name`)."""
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _stream(lines, content_type: str) -> StreamingHttpResponse:
    return StreamingHttpResponse(
        (line.encode("utf-8") for line in lines), content_type=content_type
    )


def csv_response(chosen: ClaimFilter, *, raw: bool, bom: bool) -> StreamingHttpResponse:
    """The claims as CSV: spreadsheet-safe, or `raw` (exact text, for machines and round
    trips); `bom` starts it with a UTF-8 byte order mark (for Excel)."""
    chunks = exporters.csv_chunks(chosen.qs, safe=not raw, bom=bom)  # bytes already
    return _attachment(
        StreamingHttpResponse(chunks, content_type=CSV_TYPE),
        chosen.download_name("csv", variant="raw" if raw else ""),
    )


def jsonld_response(
    chosen: ClaimFilter, *, site_url: str, query: QueryDict, page: str | None
) -> StreamingHttpResponse | JsonResponse:
    """The claims as a W3C AnnotationCollection, streamed; with `page` (a number from 1),
    that one AnnotationPage. `query` is the request's query without `page`: the
    collection's id is the web's export link with it. NoSuchPage for a page out of range."""
    claims = chosen.qs
    collection_id = site_url + reverse("annotations:export-jsonld")
    if query:
        collection_id += "?" + query.urlencode()
    total = claims.count()
    if page is not None:
        return _jsonld_page(
            claims, page, site_url=site_url, collection_id=collection_id, total=total
        )
    lines = exporters.jsonld_collection(
        exporters.claim_rows(claims),
        site_url=site_url,
        collection_id=collection_id,
        total=total,
        label=f"Claims exported by {settings.DESK_NAME}",
        articles=exporters.articles_reader(chosen.article_scope()),
    )
    return _attachment(_stream(lines, JSONLD_TYPE), chosen.download_name("jsonld"))


def _jsonld_page(claims, page: str, *, site_url: str, collection_id: str, total: int):
    pages = max(1, math.ceil(total / exporters.PAGE_SIZE))
    try:
        number = int(page)
    except ValueError:
        number = 0
    if not 1 <= number <= pages:
        raise NoSuchPage(
            ngettext("There is %(n)d page.", "There are %(n)d pages.", pages) % {"n": pages}
        )

    def page_url(n: int) -> str:
        joiner = "&" if "?" in collection_id else "?"
        return f"{collection_id}{joiner}page={n}"

    rows = list(exporters.claim_rows(_page_of(claims, number), chunk_size=exporters.PAGE_SIZE))
    document = exporters.annotation_page(
        rows,
        site_url=site_url,
        collection_id=collection_id,
        page=number,
        pages=pages,
        total=total,
        page_url=page_url,
    )
    return JsonResponse(
        document, content_type=JSONLD_PAGE_TYPE, json_dumps_params={"ensure_ascii": False}
    )


def _page_of(claims, number: int):
    ids = list(
        claims.order_by("id").values_list("id", flat=True)[
            (number - 1) * exporters.PAGE_SIZE : number * exporters.PAGE_SIZE
        ]
    )
    return claims.filter(id__in=ids)


def claimreview_response(chosen: ClaimFilter, *, site_url: str) -> StreamingHttpResponse:
    """The claims the desk publishes (vetted: see `exporters.published`) as schema.org
    ClaimReview."""
    lines = exporters.claimreview_pieces(chosen.qs, site_url=site_url, desk_name=settings.DESK_NAME)
    return _attachment(
        _stream(lines, CLAIMREVIEW_TYPE), chosen.download_name("jsonld", kind="claimreview")
    )
