"""Thin views: load through scoped helpers, validate with forms, write through services.

A plain POST answers with a redirect; an htmx request gets the fragments that changed.
"""

from __future__ import annotations

import sys

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget, trigger_client_event
from django_htmx.middleware import HtmxDetails

from . import permissions, rendering, selectors, services
from .forms import ArticleFilterForm, ClaimByQuoteForm, ClaimCreateForm, ClaimDetailsForm
from .middleware import is_outage, outage_response
from .models import Annotation, Article, Source


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# --- Loading with permissions --------------------------------------------------------------


def _get_article(pk: int) -> Article:
    return get_object_or_404(
        Article.objects.alive().select_related("assignee", "created_by"), pk=pk
    )


def _get_claim_for_change(request: HttpRequest, pk: int) -> Annotation:
    claim = get_object_or_404(
        Annotation.objects.select_related("article", "source", "created_by", "updated_by"),
        pk=pk,
        article__deleted_at__isnull=True,
    )
    if not permissions.can_change_annotation(request.user, claim):
        raise PermissionDenied("You can change only the claims you made.")
    return claim


def _error_message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- Service pages -------------------------------------------------------------------------


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        return JsonResponse({"status": "unavailable", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if exc is not None and is_outage(exc):
        return outage_response()
    return HttpResponse(render_to_string("500.html"), status=500)


# --- Articles ------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def article_list(request: HtmxHttpRequest) -> HttpResponse:
    form = ArticleFilterForm(request.GET or None)
    articles = selectors.article_list(**form.selector_kwargs())
    page = Paginator(articles, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    if request.htmx and not request.htmx.boosted:
        return render(request, "annotations/article_list.html#article-results", context)
    return render(request, "annotations/article_list.html", context)


@require_GET
def article_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = _get_article(pk)
    claims = list(selectors.article_claims(article))
    for claim in claims:
        claim.can_change = permissions.can_change_annotation(request.user, claim)
    context = {
        "article": article,
        "claims": claims,
        "body_html": rendering.render_body(article.body, claims),
        "summary": selectors.summarise(claims),
        "can_annotate": permissions.can_annotate(request.user),
        "quote_form": ClaimByQuoteForm(),
    }
    return render(request, "annotations/article_detail.html", context)


# --- Claims --------------------------------------------------------------------------------


def _source_args(request: HttpRequest, data: dict) -> dict:
    """The source fields of a claim form, as keyword arguments for the claim services."""
    name = (data.get("new_source_name") or "").strip()
    if name and not permissions.can_propose_source(request.user):
        raise PermissionDenied("Your role cannot propose sources.")
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
    context = {
        "article": article,
        "claim": claim,
        "action": action,
        "blocks_html": rendering.render_blocks(article.body, nearby, start, end),
        "next_claim_id": selectors.next_claim_id(claim) if action == "created" else None,
        "summary": selectors.article_summary(article),
        "can_change": True,
    }
    response = render(request, "annotations/partials/claim_saved.html", context)
    return trigger_client_event(response, "annotations-changed", {"id": claim.pk, "action": action})


def _claim_error(request: HtmxHttpRequest, message: str, status: int) -> HttpResponse:
    if request.htmx:
        response = render(
            request, "annotations/partials/form_error.html", {"message": message}, status=status
        )
        return reswap(retarget(response, "#claim-form-errors"), "innerHTML")
    return render(request, "annotations/claim_error.html", {"message": message}, status=status)


@require_http_methods(["POST"])
def claim_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = _get_article(pk)
    if not permissions.can_annotate(request.user):
        raise PermissionDenied("Your role can read claims but not create them.")
    form = ClaimCreateForm(request.POST)
    if not form.is_valid():
        return _claim_error(request, _form_errors(form), 422)
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
        return _claim_error(request, _error_message(exc), 422)
    claim = result.annotation
    if not request.htmx:
        messages.success(request, "Claim saved.")
        return redirect(claim.get_absolute_url())
    if result.relocated:
        # The page shows an older text: reload it rather than patch blocks that moved.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return _claim_saved_response(request, article, claim, action="created")


def _form_errors(form) -> str:
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else None
        prefix = f"{label or field.replace('_', ' ').capitalize()}: " if field != "__all__" else ""
        parts.extend(prefix + str(e) for e in errors)
    return " ".join(parts)


@require_http_methods(["GET", "POST"])
def claim_create_by_quote(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The no-JavaScript way: paste the passage; the server finds it and asks which one."""
    article = _get_article(pk)
    if not permissions.can_annotate(request.user):
        raise PermissionDenied("Your role can read claims but not create them.")
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
                form.add_error(None, _error_message(exc))
            else:
                messages.success(request, "Claim saved.")
                return redirect(article)
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "annotations/claim_by_quote.html", context, status=status)


@require_http_methods(["GET", "POST"])
def claim_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    claim = _get_claim_for_change(request, pk)
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
            error = _error_message(exc)
    else:
        error = _form_errors(form)
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
    claim = _get_claim_for_change(request, pk)
    if request.method == "GET":
        template = "annotations/claim_delete.html" + ("#confirm" if request.htmx else "")
        return render(request, template, {"claim": claim})
    article, claim_id = claim.article, claim.pk
    span = (claim.start, claim.end)
    services.annotation_delete(annotation=claim, user=request.user)
    if not request.htmx:
        messages.success(request, "Claim deleted.")
        return redirect(article)
    nearby = list(selectors.claims_between(article, *span))
    context = {
        "article": article,
        "claim_id": claim_id,
        "blocks_html": rendering.render_blocks(article.body, nearby, *span),
        "summary": selectors.article_summary(article),
    }
    response = render(request, "annotations/partials/claim_deleted.html", context)
    return trigger_client_event(
        response, "annotations-changed", {"id": claim_id, "action": "deleted"}
    )


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
    return render(request, "annotations/partials/claim_item.html", context)


# --- Sources -------------------------------------------------------------------------------


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
