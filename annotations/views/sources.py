"""Sources: the picker used while tagging, and the source page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .. import selectors
from ..models import Source
from .common import HtmxHttpRequest


@require_GET
def source_picker(request: HtmxHttpRequest) -> HttpResponse:
    """Search-as-you-type over source names and aliases, for the claim popover."""
    term = request.GET.get("source_q", "")[:200]
    sources = selectors.source_search(term)
    context = {"sources": sources, "term": term.strip()}
    return render(request, "annotations/partials/source_picker.html", context)


@require_GET
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=pk)
    return render(request, "annotations/source_detail.html", {"source": source})
