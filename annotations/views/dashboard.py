"""The landing page: where the reporting stands, filtered by date range and outlet."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import dashboard


def _date(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    base = dashboard.default_filters()
    filters = dashboard.Filters(
        date_from=_date(request.GET.get("date_from"), base.date_from),
        date_to=_date(request.GET.get("date_to"), base.date_to),
        outlet=request.GET.get("outlet", "")[:200],
    )
    if filters.date_from > filters.date_to:
        filters.date_from, filters.date_to = filters.date_to, filters.date_from
    # Nothing is tagged in the future; and at most five years on one page (wider ranges
    # would be thousands of bars): the page says so when it shortened the range.
    asked = (filters.date_from, filters.date_to)
    filters.date_to = min(filters.date_to, max(base.date_to, filters.date_from))
    filters.date_from = max(filters.date_from, filters.date_to - timedelta(days=5 * 366))
    context = {
        "filters": filters,
        "shortened": asked != (filters.date_from, filters.date_to),
        "over_time": dashboard.claims_over_time(filters),
        "sources": dashboard.top_sources(filters),
        "outlets": dashboard.outlets(filters),
        "in_progress": dashboard.articles_in_progress(filters),
        "today": dashboard.activity_today(filters),
        "evidence_news": dashboard.evidence_this_week(filters),
        "repeated": dashboard.repeated_this_week(),
        "outlet_choices": dashboard.outlet_choices(),
    }
    return render(request, "annotations/dashboard.html", context)
