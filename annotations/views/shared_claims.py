"""Shared claims: one assertion's page, with every appearance across articles."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .. import shared
from ..models import SharedClaim


@require_GET
def shared_claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Every appearance (outlet, date, label, source and its reliability, a link to the
    passage), the first one, and whether they disagree."""
    found = get_object_or_404(SharedClaim.objects.select_related("created_by"), pk=pk)
    return render(request, "annotations/shared_claim_detail.html", {"spread": shared.spread(found)})
