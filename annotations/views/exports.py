"""The claims list and the exports: the same filters choose the rows for both."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import downloads, selectors
from ..filters import ClaimFilter
from ..models import Article, SharedClaim, Source
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
    if filters.get("shared_claim"):
        context["shared_filter"] = SharedClaim.objects.filter(pk=filters["shared_claim"]).first()
    status = 200 if valid else 400  # a filter that cannot be read is refused, with why
    if request.htmx and not request.htmx.boosted:
        return render(request, "annotations/claim_list.html#claim-results", context, status=status)
    context["outlets"] = selectors.outlet_names()
    return render(request, "annotations/claim_list.html", context, status=status)


@require_GET
def export_csv(request: HtmxHttpRequest) -> HttpResponse:
    chosen = ClaimFilter(request.GET)
    if not chosen.is_valid():
        return _bad_filters(chosen)
    return downloads.csv_response(
        chosen, raw=request.GET.get("variant") == "raw", bom=request.GET.get("bom") == "1"
    )


@require_GET
def export_jsonld(request: HtmxHttpRequest) -> HttpResponse:
    """The filtered claims as a W3C AnnotationCollection; `?page=N` serves one page."""
    chosen = ClaimFilter(request.GET)
    if not chosen.is_valid():
        return _bad_filters(chosen)
    query = request.GET.copy()
    query.pop("page", None)
    try:
        return downloads.jsonld_response(
            chosen, site_url=downloads.site_url(request), query=query, page=request.GET.get("page")
        )
    except downloads.NoSuchPage as exc:
        return JsonResponse({"error": str(exc)}, status=404)


@require_GET
def export_claimreview(request: HtmxHttpRequest) -> HttpResponse:
    chosen = ClaimFilter(request.GET)
    if not chosen.is_valid():
        return _bad_filters(chosen)
    return downloads.claimreview_response(chosen, site_url=downloads.site_url(request))
