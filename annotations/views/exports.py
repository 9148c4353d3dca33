"""The claims list and the exports: the same filters choose the rows for both."""

from __future__ import annotations

import math

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import exporters, selectors
from ..filters import ClaimFilter
from ..models import Article, Source
from .common import HtmxHttpRequest


def _bad_filters(claims: ClaimFilter) -> HttpResponse:
    """An export whose filters cannot be read sends nothing: "everything" would leak more
    than was asked for."""
    message = _("These filters were not understood, so nothing was exported: %(problems)s") % {
        "problems": claims.refusal()
    }
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


@require_GET
@vary_on_headers("HX-Request")
def claim_list(request: HtmxHttpRequest) -> HttpResponse:
    chosen = ClaimFilter(request.GET)
    valid = chosen.is_valid()
    claims = chosen.qs if valid else chosen.queryset.none()
    claims = claims.select_related("article", "source", "created_by")
    page = Paginator(claims, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": chosen.form, "page": page, "query": query.urlencode()}
    # Filters that have no field of their own on the page (from a source page, an article,
    # a dashboard bar) are named above the results.
    filters = chosen.form.cleaned_data if valid else {}
    if filters.get("source"):
        context["source_filter"] = Source.objects.filter(pk=filters["source"]).first()
    if filters.get("article"):
        context["article_filter"] = Article.objects.alive().filter(pk=filters["article"]).first()
    status = 200 if valid else 400  # a filter that cannot be read is refused, with why
    if request.htmx and not request.htmx.boosted:
        return render(request, "annotations/claim_list.html#claim-results", context, status=status)
    context["outlets"] = selectors.outlet_names()
    return render(request, "annotations/claim_list.html", context, status=status)


def _site_url(request: HtmxHttpRequest) -> str:
    """The base of the export's ids: `SITE_URL` when it is set, else the scheme and host
    this request came to (behind a proxy, as `HTTPS` trusts it to say)."""
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


def _attachment(response: StreamingHttpResponse, name: str) -> StreamingHttpResponse:
    """Send the export as a download under `name` (see `ClaimFilter.download_name`)."""
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_GET
def export_csv(request: HtmxHttpRequest) -> HttpResponse:
    chosen = ClaimFilter(request.GET)
    if not chosen.is_valid():
        return _bad_filters(chosen)
    raw = request.GET.get("variant") == "raw"
    claims = chosen.qs
    lines = exporters.csv_pieces(claims, safe=not raw, bom=request.GET.get("bom") == "1")
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, chosen.download_name("csv", variant="raw" if raw else ""))


@require_GET
def export_jsonld(request: HtmxHttpRequest) -> HttpResponse:
    """The filtered claims as a W3C AnnotationCollection; `?page=N` serves one page."""
    chosen = ClaimFilter(request.GET)
    if not chosen.is_valid():
        return _bad_filters(chosen)
    claims = chosen.qs
    site_url = _site_url(request)
    query = request.GET.copy()
    query.pop("page", None)
    collection_id = site_url + reverse("annotations:export-jsonld")
    if query:
        collection_id += "?" + query.urlencode()
    total = claims.count()
    if "page" in request.GET:
        pages = max(1, math.ceil(total / exporters.PAGE_SIZE))
        try:
            number = int(request.GET["page"])
        except ValueError:
            number = 0
        if not 1 <= number <= pages:
            return JsonResponse(
                {
                    "error": ngettext("There is %(n)d page.", "There are %(n)d pages.", pages)
                    % {"n": pages}
                },
                status=404,
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
            document,
            content_type="application/ld+json; charset=utf-8",
            json_dumps_params={"ensure_ascii": False},
        )
    lines = exporters.jsonld_collection(
        exporters.claim_rows(claims),
        site_url=site_url,
        collection_id=collection_id,
        total=total,
        label=f"Claims exported by {settings.DESK_NAME}",
        articles=exporters.articles_reader(chosen.article_scope()),
    )
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines),
        content_type='application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
    )
    return _attachment(response, chosen.download_name("jsonld"))


def _page_of(claims, number: int):
    ids = list(
        claims.order_by("id").values_list("id", flat=True)[
            (number - 1) * exporters.PAGE_SIZE : number * exporters.PAGE_SIZE
        ]
    )
    return claims.filter(id__in=ids)


@require_GET
def export_claimreview(request: HtmxHttpRequest) -> HttpResponse:
    chosen = ClaimFilter(request.GET)
    if not chosen.is_valid():
        return _bad_filters(chosen)
    lines = exporters.claimreview_pieces(
        chosen.qs, site_url=_site_url(request), desk_name=settings.DESK_NAME
    )
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines), content_type="application/ld+json"
    )
    return _attachment(response, chosen.download_name("jsonld", kind="claimreview"))
