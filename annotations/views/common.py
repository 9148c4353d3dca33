"""What every view module shares: the request type, scoped loaders, service pages."""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from .. import jobs, labels, permissions
from ..middleware import outage_response
from ..models import Annotation, Article
from ..outage import is_outage


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# --- Loading with permissions --------------------------------------------------------------


def get_article(pk: int, *, light: bool = False) -> Article:
    """The live article or a 404; `light` reads only its id (no 100,000-character body),
    for views that pass it on to a service that reads it again under its lock."""
    if light:
        return get_object_or_404(Article.objects.alive().only("id"), pk=pk)
    return get_object_or_404(
        Article.objects.alive().select_related("assignee", "created_by"), pk=pk
    )


def get_claim_for_change(request: HttpRequest, pk: int) -> Annotation:
    claim = get_object_or_404(
        Annotation.objects.select_related("article", "source", "created_by", "updated_by"),
        pk=pk,
        article__deleted_at__isnull=True,
    )
    permissions.require_change_annotation(request.user, claim)
    return claim


def error_message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- Service pages -------------------------------------------------------------------------


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, with how long the oldest due job of each queue has
    waited (seconds; a worker that is down or behind shows here). One query."""
    try:
        waiting = jobs.waiting_ages()
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        answer = {"status": "unavailable"}
        if _is_staff(request):  # the reason is for the people who run the desk's server
            answer["database"] = str(exc)[:200]
        return JsonResponse(answer, status=503)
    answer = {"status": "ok", "oldest_waiting_job_seconds": waiting}
    if _is_staff(request):
        answer["database"] = connection.vendor
    return JsonResponse(answer)


def _is_staff(request: HttpRequest) -> bool:
    try:  # the session may live in the database that is down
        return bool(request.user.is_authenticated and request.user.is_staff)
    except Exception:  # noqa: BLE001
        return False


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form whose security token is missing or stale: say what to do, in our own page
    (Django's has an inline style, which the CSP blocks, and speaks of "CSRF")."""
    if request.headers.get("HX-Request") == "true":
        return render(request, "403_csrf.html#message", status=403)
    return render(request, "403_csrf.html", status=403)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if exc is not None and is_outage(exc):
        return outage_response()
    return HttpResponse(render_to_string("500.html"), status=500)


def refused(request: HttpRequest, message: str, *, back: str, status: int = 422) -> HttpResponse:
    """A refusal answered as a refusal: 422 (or `status`) with the message, never a redirect
    that looks like success to htmx and to scripts. htmx gets the message as a fragment;
    a plain request gets a page with the message and the way back."""
    if request.headers.get("HX-Request") == "true":
        return render(
            request, "annotations/fragments.html#form-error", {"message": message}, status=status
        )
    return render(
        request, "annotations/refused.html", {"message": message, "back": back}, status=status
    )


def undo_offer(request: HttpRequest, claim_id: int, article_id: int) -> dict | None:
    """The undo bar after a delete: for the person who deleted claim `claim_id` of article
    `article_id`, while it is still deleted. `ms`: the milliseconds left to undo (0 once the
    time has passed: the bar then only says that the claim was deleted). The service decides
    again when Undo is pressed."""
    from django.utils import timezone

    from .. import history

    record = history.last_record(claim_id)
    if (
        record is None
        or record.history_type != "-"
        or record.article_id != article_id
        or record.history_user_id != request.user.pk
    ):
        return None
    now = timezone.now()
    allowed = permissions.can_undo_delete(
        request.user,
        record.instance,
        deleted_by_id=record.history_user_id,
        deleted_at=record.history_date,
        now=now,
    )
    left = permissions.UNDO_DELETE_SECONDS - (now - record.history_date).total_seconds()
    ms = int(max(0.0, left) * 1000) if allowed else 0
    return {"id": claim_id, "ms": ms, "seconds": permissions.UNDO_DELETE_SECONDS}


def announcement(claim: Annotation, action: str) -> str:
    """What the page's polite live region says after a save or delete, for screen readers:
    "Claim saved: disputed, Security Service of Ukraine"."""
    label = str(labels.display(claim.label)).lower()
    what = f"{label}, {claim.source.name}" if claim.source_id else label
    if action == "created":
        return gettext("Claim saved: %(what)s") % {"what": what}
    if action == "deleted":
        return gettext("Claim deleted: %(what)s") % {"what": what}
    if action == "restored":
        return gettext("Claim restored: %(what)s") % {"what": what}
    return gettext("Claim updated: %(what)s") % {"what": what}
