"""Creating, editing and deleting claims. Plain POSTs redirect; htmx gets fragments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from .. import history, permissions, rendering, selectors, services
from ..forms import ClaimByQuoteForm, ClaimCreateForm, ClaimDetailsForm, form_errors
from ..models import Annotation, Article, Source
from .common import (
    HtmxHttpRequest,
    announcement,
    error_message,
    get_article,
    get_claim_for_change,
    refused,
    undo_offer,
)


def _source_args(request: HttpRequest, data: dict) -> dict:
    """The source fields of a claim form, as keyword arguments for the claim services."""
    name = (data.get("new_source_name") or "").strip()
    if name:
        permissions.require_propose_source(request.user)
    return {
        "source": data.get("source"),
        "new_source_name": name,
        "new_source_kind": data.get("new_source_kind") or Source.Kind.OTHER,
    }


def _claim_saved_response(
    request: HtmxHttpRequest, article: Article, claim: Annotation, *, action: str, old_span=None
) -> HttpResponse:
    """The blocks the claim touches, its list item and the summary: nothing else."""
    start, end = claim.start, claim.end
    if old_span:
        start, end = min(start, old_span[0]), max(end, old_span[1])
    nearby = list(selectors.claims_between(article, start, end))
    claim.can_change = True
    if action in ("created", "restored"):  # the page puts it at its place in the list
        claim.next_id = selectors.next_claim_id(claim, nearby)
    context = {
        "article": article,
        "claim": claim,
        "action": action,
        "blocks_html": rendering.render_blocks(article.body, nearby, start, end),
        "updates": [claim],
        "summary": selectors.article_summary(article),
        "can_change": True,
    }
    response = render(request, "annotations/article_detail.html#claim-saved", context)
    message = " ".join([announcement(claim, action), *getattr(claim, "restore_notes", [])])
    detail = {"id": claim.pk, "action": action, "message": message}
    return trigger_client_event(response, "annotations-changed", detail, after="swap")


def _claim_error(request: HtmxHttpRequest, message: str, status: int) -> HttpResponse:
    if request.htmx:
        response = render(
            request, "annotations/fragments.html#form-error", {"message": message}, status=status
        )
        return reswap(retarget(response, "#claim-form-errors"), "innerHTML")
    return render(request, "annotations/claim_error.html", {"message": message}, status=status)


@require_http_methods(["POST"])
def claim_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = get_article(pk, light=True)
    permissions.require_annotate(request.user)
    form = ClaimCreateForm(request.POST)
    if not form.is_valid():
        return _claim_error(request, form_errors(form), 422)
    data = form.cleaned_data
    try:
        result = services.annotation_create(
            article=article,
            user=request.user,
            start=data["start"],
            end=data["end"],
            quote=data["quote"],
            label=data["label"],
            **_source_args(request, data),
            credibility=data["credibility"],
            note=data["note"],
            evidence_url=data["evidence_url"],
            seen_version=data["version"],
        )
    except services.StaleArticle as exc:
        return _claim_error(request, str(exc), 409)
    except ValidationError as exc:
        return _claim_error(request, error_message(exc), 422)
    claim = result.annotation
    if not request.htmx:
        messages.success(request, "Claim saved.")
        return redirect(claim.get_absolute_url())
    if result.relocated:
        # The page shows an older text: reload it rather than patch blocks that moved.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return _claim_saved_response(request, result.article, claim, action="created")


@require_http_methods(["GET", "POST"])
def claim_create_by_quote(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The no-JavaScript way: paste the passage; the server finds it and asks which one."""
    article = get_article(pk)
    permissions.require_annotate(request.user)
    form = ClaimByQuoteForm(request.POST or None)
    context = {"article": article, "form": form, "occurrences": []}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        positions = services.quote_occurrences(article, data["quote"])
        chosen = data["occurrence"]
        if not positions:
            form.add_error("quote", "This passage is not in the article. Copy it exactly.")
        elif len(positions) > 1 and (chosen is None or chosen not in positions):
            context["occurrences"] = services.occurrence_choices(article, data["quote"], positions)
        else:
            start = chosen if len(positions) > 1 else positions[0]
            try:
                services.annotation_create(
                    article=article,
                    user=request.user,
                    start=start,
                    end=start + len(data["quote"]),
                    quote=data["quote"],
                    label=data["label"],
                    **_source_args(request, data),
                    credibility=data["credibility"],
                    note=data["note"],
                    evidence_url=data["evidence_url"],
                    seen_version=article.version,
                )
            except ValidationError as exc:
                form.add_error(None, error_message(exc))
            else:
                messages.success(request, "Claim saved.")
                return redirect(article)
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "annotations/claim_by_quote.html", context, status=status)


@require_http_methods(["GET", "POST"])
def claim_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    claim = get_claim_for_change(request, pk)
    if request.method == "GET":
        form = ClaimDetailsForm(initial=_claim_initial(claim))
        template = "annotations/claim_edit.html"
        if request.htmx:
            template += "#claim-edit-form"
        return render(request, template, {"claim": claim, "form": form})
    form = ClaimDetailsForm(request.POST)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.annotation_update(
                annotation=claim,
                user=request.user,
                label=data["label"],
                **_source_args(request, data),
                credibility=data["credibility"],
                note=data["note"],
                evidence_url=data["evidence_url"],
            )
        except ValidationError as exc:
            error = error_message(exc)
        except services.ClaimGone as exc:
            raise Http404(str(exc)) from exc
    else:
        error = form_errors(form)
    if error:
        template = "annotations/claim_edit.html" + ("#claim-edit-form" if request.htmx else "")
        context = {"claim": claim, "form": form, "error": error}
        return render(request, template, context, status=422)
    if not request.htmx:
        messages.success(request, "Claim updated.")
        return redirect(claim.get_absolute_url())
    return _claim_saved_response(request, claim.article, claim, action="updated")


def _claim_initial(claim: Annotation) -> dict:
    return {
        "label": claim.label,
        "source": claim.source_id,
        "credibility": claim.credibility,
        "note": claim.note,
        "evidence_url": claim.evidence_url,
    }


@require_http_methods(["GET", "POST"])
def claim_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    claim = get_claim_for_change(request, pk)
    if request.method == "GET":
        template = "annotations/claim_delete.html" + ("#confirm" if request.htmx else "")
        context = {"claim": claim, "undo_seconds": permissions.UNDO_DELETE_SECONDS}
        return render(request, template, context)
    article, claim_id = claim.article, claim.pk
    span = (claim.start, claim.end)
    said = announcement(claim, "deleted")
    try:
        services.annotation_delete(annotation=claim, user=request.user)
    except services.ClaimGone as exc:
        raise Http404(str(exc)) from exc
    if not request.htmx:  # the article page says so, with the undo bar
        return redirect(f"{article.get_absolute_url()}?{urlencode({'deleted': claim_id})}")
    nearby = list(selectors.claims_between(article, *span))
    context = {
        "article": article,
        "claim_id": claim_id,
        "blocks_html": rendering.render_blocks(article.body, nearby, *span),
        "summary": selectors.article_summary(article),
        "undo": undo_offer(request, claim_id, article.pk),
    }
    response = render(request, "annotations/article_detail.html#claim-deleted", context)
    detail = {"id": claim_id, "action": "deleted", "message": said}
    return trigger_client_event(response, "annotations-changed", detail, after="swap")


@require_POST
def claim_undo_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Undo a delete (claim `pk`), for the person who deleted it, for a few seconds: the
    service decides. htmx gets the claim back as a new claim's save does."""
    record = history.last_record(pk)
    if record is None:
        raise Http404("No such claim.")
    back = Article(pk=record.article_id).get_absolute_url()
    try:
        claim = services.annotation_undo_delete(annotation_id=pk, user=request.user)
    except PermissionDenied as exc:
        return refused(request, str(exc), back=back, status=403)
    except ValidationError as exc:
        return refused(request, error_message(exc), back=back, status=409)
    if not request.htmx:
        messages.success(request, " ".join([gettext("Claim restored."), *claim.restore_notes]))
        return redirect(claim.get_absolute_url())
    article = get_article(claim.article_id)
    return _claim_saved_response(request, article, claim, action="restored")


@require_GET
def claim_item(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One list item (to cancel an edit in place)."""
    claim = get_object_or_404(
        Annotation.objects.select_related("article", "source", "created_by", "updated_by"),
        pk=pk,
        article__deleted_at__isnull=True,
    )
    context = {"claim": claim, "can_change": permissions.can_change_annotation(request.user, claim)}
    if not request.htmx:
        return redirect(claim.get_absolute_url())
    return render(request, "annotations/article_detail.html#claim-item", context)
