"""Shared claims: their list, one assertion's page with every appearance across articles,
and what reviewers and editors do there (unlink an appearance, rename, merge)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import history, permissions, services, shared
from ..filters import SharedClaimFilter
from ..forms import AppearanceForm, SharedClaimMergeForm, SharedClaimTitleForm, form_errors
from ..models import Annotation, SharedClaim
from .common import error_message, refused


def _posted(request: HttpRequest, pk: int, form_class) -> tuple[SharedClaim, str, Any]:
    """The shared claim a POST is about (or a 404), the way back to its page, and the form."""
    found = get_object_or_404(SharedClaim, pk=pk)
    return found, found.get_absolute_url(), form_class(request.POST)


def _refusal(request: HttpRequest, exc: Exception, back: str) -> HttpResponse:
    """A service's refusal, nothing changed: 403 for a role that may not, 409 for what went
    away meanwhile (merged, unlinked, deleted), 422 for the rest."""
    if isinstance(exc, PermissionDenied):
        return refused(request, str(exc), back=back, status=403)
    if isinstance(exc, ObjectDoesNotExist):
        return refused(request, str(exc), back=back, status=409)
    return refused(request, error_message(exc), back=back)


REFUSALS = (PermissionDenied, ObjectDoesNotExist, ValidationError)


@require_GET
def shared_claim_list(request: HttpRequest) -> HttpResponse:
    """Every shared claim, newest first: its appearances, outlets, and whether they disagree."""
    chosen = SharedClaimFilter(request.GET)
    valid = chosen.is_valid()
    page = Paginator(chosen.qs if valid else chosen.queryset.none(), 25).get_page(
        request.GET.get("page")
    )
    summaries = shared.summaries([row.pk for row in page])
    for row in page:
        row.summary = summaries.get(row.pk, shared.Summary())
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": chosen.form, "page": page, "query": query.urlencode()}
    status = 200 if valid else 400
    return render(request, "annotations/shared_claim_list.html", context, status=status)


@require_GET
def shared_claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Every appearance (outlet, date, label, source and its reliability, a link to the
    passage), the first one, when it spread, whether they disagree, and who linked what."""
    found = get_object_or_404(SharedClaim.objects.select_related("created_by"), pk=pk)
    context = {
        "spread": shared.spread(found),
        "events": history.shared_claim_events(found.pk),
        "can_link": permissions.can_link_claims(request.user),
        "can_merge": permissions.can_merge_shared_claims(request.user),
        "export_query": urlencode({"shared_claim": found.pk}),
    }
    return render(request, "annotations/shared_claim_detail.html", context)


@require_POST
def shared_claim_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one appearance (`claim`) out of this shared claim; the service decides who may."""
    found, back, form = _posted(request, pk, AppearanceForm)
    if not form.is_valid():
        return refused(request, form_errors(form), back=back)
    claim = Annotation.objects.filter(
        pk=form.cleaned_data["claim"], shared_claim=found, article__deleted_at__isnull=True
    ).first()
    if claim is None:
        message = _("That claim is not an appearance of this shared claim (any more).")
        return refused(request, message, back=back, status=409)
    try:
        services.shared_claim_unlink(claim=claim, user=request.user)
    except REFUSALS as exc:
        return _refusal(request, exc, back)
    message = _("Claim #%(id)d unlinked from this shared claim.") % {"id": claim.pk}
    messages.success(request, message)
    return redirect(back)


@require_POST
def shared_claim_retitle(request: HttpRequest, pk: int) -> HttpResponse:
    found, back, form = _posted(request, pk, SharedClaimTitleForm)
    if not form.is_valid():
        return refused(request, form_errors(form), back=back)
    title = form.cleaned_data["title"]
    try:
        services.shared_claim_retitle(shared_claim=found, title=title, user=request.user)
    except REFUSALS as exc:
        return _refusal(request, exc, back)
    messages.success(request, _("Shared claim renamed."))
    return redirect(back)


@require_POST
def shared_claim_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge another shared claim (by number, or picked among those whose title matches)
    into this one. A merge cannot be undone, so it always asks first, showing both."""
    permissions.require_merge_shared_claims(request.user)  # before showing what would merge
    keep, back, form = _posted(request, pk, SharedClaimMergeForm)
    if not form.is_valid():
        return refused(request, form_errors(form), back=back)
    asked = form.cleaned_data["other"]
    matches, exact = shared.find_for_merge(asked, keep=keep, limit=10)
    if not matches:
        message = _("No other shared claim has the number or title “%(asked)s”.") % {"asked": asked}
        return refused(request, message, back=back)
    if len(matches) > 1:  # which one? the page lists them
        context = {"keep": keep, "asked": asked, "candidates": matches[:10], "more": matches[10:]}
        return render(request, "annotations/shared_claim_merge_confirm.html", context)
    other = matches[0]
    if not (form.cleaned_data["confirm"] and exact):  # merges only what the confirm page named
        sides = {"keep": shared.spread(keep), "other": shared.spread(other)}
        sides["sides"] = [sides["other"], sides["keep"]]  # the table's columns: goes, stays
        return render(request, "annotations/shared_claim_merge_confirm.html", sides)
    try:
        services.shared_claim_merge(keep=keep, merge=other, user=request.user)
    except REFUSALS as exc:
        return _refusal(request, exc, back)
    message = _("Shared claim #%(other)d merged into this one: its appearances are here now.")
    messages.success(request, message % {"other": other.pk})
    return redirect(back)
