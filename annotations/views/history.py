"""The audit history of a claim, and restoring deleted claims (admins only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import history, permissions, services
from ..models import Annotation, Article
from .common import HtmxHttpRequest, error_message


@require_GET
@vary_on_headers("HX-Request")
def claim_history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Verdict timeline and every change of one claim: a page, or for htmx the panel that
    opens under the claim in the side list. Admins may also read a deleted claim's."""
    claim = (
        Annotation.objects.select_related("article")
        .filter(pk=pk, article__deleted_at__isnull=True)
        .first()
    )
    if claim is None and not permissions.can_restore(request.user):
        raise Http404("No such claim.")
    records = history.claim_records(pk)
    if claim is None and not records:
        raise Http404("No such claim.")
    context = {
        "pk": pk,
        "claim": claim,
        "last_record": records[0] if records else None,
        "entries": history.entries(records),
        "timeline": history.verdict_timeline(records),
        "fragment": bool(request.htmx),
    }
    if claim is None:
        context["article"] = Article.objects.filter(pk=records[0].article_id).first()
    template = "annotations/claim_history.html"
    if request.htmx and claim is not None:
        template += "#history-panel"
    return render(request, template, context)


def _check_can_restore(request: HtmxHttpRequest) -> None:
    permissions.require_restore(request.user)


@require_GET
def deleted_claims(request: HtmxHttpRequest) -> HttpResponse:
    _check_can_restore(request)
    return _deleted_claims_page(request)


def _deleted_claims_page(
    request: HtmxHttpRequest, error: str = "", status: int = 200
) -> HttpResponse:
    page = Paginator(history.deleted_claim_records(), 25).get_page(request.GET.get("page"))
    rows = list(page)
    articles = Article.objects.filter(pk__in={r.article_id for r in rows}).only(
        "id", "title", "deleted_at"
    )
    by_id = {a.pk: a for a in articles}
    for row in rows:
        row.article_now = by_id.get(row.article_id)
    context = {"page": page, "rows": rows, "error": error}
    return render(request, "annotations/deleted_claims.html", context, status=status)


@require_POST
def claim_restore(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Restore the deleted claim of the deletion record `pk` (a history id)."""
    _check_can_restore(request)
    if not Annotation.history.filter(history_id=pk, history_type="-").exists():
        raise Http404("No such deleted claim.")
    try:
        claim = services.annotation_restore(history_id=pk, user=request.user)
    except ValidationError as exc:
        return _deleted_claims_page(request, error=error_message(exc), status=409)
    messages.success(request, " ".join([_("Claim restored."), *claim.restore_notes]))
    return redirect(claim.get_absolute_url())
