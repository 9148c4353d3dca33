"""Sources: the picker used while tagging, the directory, a source's page, review and merge."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import names, permissions, selectors, services
from ..filters import SourceFilter
from ..forms import AliasForm, MergeForm, SourceReviewForm, form_errors
from ..models import Source
from .common import HtmxHttpRequest, error_message, refused


def _back_url(request: HttpRequest, source: Source) -> str:
    """The review queue when the form came from there, else the source's page."""
    if request.POST.get("from") == "queue":
        return reverse("annotations:review-queue")
    return source.get_absolute_url()


def _back(request: HttpRequest, source: Source) -> HttpResponse:
    return redirect(_back_url(request, source))


def _require_reviewer(request: HttpRequest) -> None:
    permissions.require_review_sources(request.user)


@require_GET
def source_picker(request: HtmxHttpRequest) -> HttpResponse:
    """Search-as-you-type over source names and aliases, for the claim popover; below the
    sources that contain the typed name, those it likely names (the name matcher), so a
    duplicate is hinted before anyone proposes it."""
    term = request.GET.get("source_q", "")[:200]
    sources = selectors.source_search(term)
    # For merging, any source can be the duplicate, and proposing a new one makes no sense.
    merging = request.GET.get("mode") == "merge"
    found = selectors.likely_sources(term)
    why = {row.source.pk: row for row in found}
    listed = {source.pk for source in sources}
    context = {
        # Found by their names, each with why it is likely the one meant, when it is.
        "sources": [(source, why.get(source.pk)) for source in sources],
        # Likely meant, though no name of theirs contains what was typed.
        "likely": [row for row in found if row.source.pk not in listed],
        "term": term.strip(),
        "merging": merging,
    }
    if term.strip() and not merging:
        # A name already there, however it is typed, is not offered as a new source.
        context["taken"] = next((row for row in found if row.match.why == names.Why.SAME), None)
    return render(request, "annotations/fragments.html#source-picker", context)


@require_GET
@vary_on_headers("HX-Request")
def source_list(request: HtmxHttpRequest) -> HttpResponse:
    chosen = SourceFilter(request.GET)
    valid = chosen.is_valid()
    sources = chosen.qs if valid else chosen.queryset.none()
    page = Paginator(sources, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": chosen.form, "page": page, "query": query.urlencode()}
    status = 200 if valid else 400  # a filter that cannot be read is refused, with why
    if request.htmx and not request.htmx.boosted:
        return render(
            request, "annotations/source_list.html#source-results", context, status=status
        )
    return render(request, "annotations/source_list.html", context, status=status)


@require_GET
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source.objects.select_related("reviewed_by", "created_by"), pk=pk)
    claims = selectors.live_claims().filter(source=source).select_related("article", "created_by")
    context = {
        "source": source,
        "aliases": [a for a in source.aliases.all() if not a.is_primary],
        "counts": selectors.source_label_counts(source),
        "page": Paginator(claims, 50).get_page(request.GET.get("page")),
        "export_query": f"source={source.pk}",
        "review_form": SourceReviewForm(
            initial={
                "reliability": source.reliability,
                "expected_status": source.review_status,
                "decision": Source.Review.APPROVED,
            }
        ),
        "can_review": permissions.can_review_sources(request.user),
        "can_add_alias": request.user.has_perm("annotations.add_sourcealias"),
        "history": _history_entries(source),
    }
    if context["can_review"]:
        context["likely"] = selectors.possible_duplicates([source]).get(source.pk, [])
    return render(request, "annotations/source_detail.html", context)


def _history_entries(source: Source) -> list:
    from .. import history

    return history.source_entries(source)


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    sources = list(selectors.review_queue()[:200])
    duplicates = selectors.possible_duplicates(sources)
    rows = [
        (
            s,
            SourceReviewForm(
                initial={
                    "reliability": s.reliability,
                    "expected_status": s.review_status,
                    "decision": Source.Review.APPROVED,
                }
            ),
            duplicates.get(s.pk, []),
        )
        for s in sources
    ]
    context = {"rows": rows}
    return render(request, "annotations/review_queue.html", context)


@require_POST
def source_review(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    _require_reviewer(request)
    source = get_object_or_404(Source, pk=pk)
    form = SourceReviewForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back=_back_url(request, source))
    try:
        source = services.source_review(source=source, user=request.user, **form.cleaned_data)
    except ValidationError as exc:
        return refused(request, error_message(exc), back=_back_url(request, source))
    messages.success(
        request,
        _("“%(name)s”: %(status)s, reliability %(grade)s.")
        % {
            "name": source.name,
            "status": source.get_review_status_display().lower(),
            "grade": source.reliability,
        },
    )
    return _back(request, source)


@require_POST
def source_alias_add(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require_add_alias(request.user)
    source = get_object_or_404(Source, pk=pk)
    form = AliasForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back=source.get_absolute_url())
    try:
        services.source_add_alias(source=source, name=form.cleaned_data["name"], user=request.user)
    except ValidationError as exc:
        return refused(request, error_message(exc), back=source.get_absolute_url())
    messages.success(request, _("“%(name)s” added as an alias.") % form.cleaned_data)
    return redirect(source)


@require_http_methods(["POST"])
def source_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge another source into this one; a merge cannot be undone, so it always asks
    first (the form's `confirm`), naming both and what moves."""
    _require_reviewer(request)
    keep = get_object_or_404(Source, pk=pk)
    form = MergeForm(request.POST)
    back = _back_url(request, keep)
    if not form.is_valid():
        return refused(request, form_errors(form), back=back)
    other = form.cleaned_data["other"]
    try:
        services.source_check_merge(keep=keep, others=[other])
    except ValidationError as exc:
        return refused(request, error_message(exc), back=back)
    if request.POST.get("confirm") != "1":
        context = {
            "keep": keep,
            "other": other,
            "n_claims": other.annotations.count(),
            "from_queue": request.POST.get("from") == "queue",
            "back": back,
        }
        return render(request, "annotations/source_merge_confirm.html", context)
    try:
        merged = services.source_merge(keep=keep, others=[other], user=request.user)
    except ValidationError as exc:
        return refused(request, error_message(exc), back=back)
    twins = getattr(merged, "merged_claims", 0)
    message = _(
        "“%(other)s” merged into “%(keep)s”: its claims moved there and its names became aliases."
    ) % {"other": other.name, "keep": keep.name}
    if twins:
        message += " " + ngettext(
            "%(n)d claim that became the same claim was merged into one.",
            "%(n)d claims that became the same claim were merged into one.",
            twins,
        ) % {"n": twins}
    messages.success(request, message)
    return redirect(back)
