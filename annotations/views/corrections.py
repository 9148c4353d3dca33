"""Correcting an article (optimistic locking, re-anchoring), its history, and orphans."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from .. import history, permissions, rendering, selectors, services
from ..forms import AcceptQuoteForm, CorrectionForm, ReattachForm, form_errors
from ..models import Annotation, Article
from .claims import _claim_saved_response
from .common import HtmxHttpRequest, announcement, error_message, get_article


def body_diff(old: str, new: str) -> list[tuple[str, str]]:
    """A line diff as (kind, line) pairs for the template: kind is " ", "-", "+" or "@"."""
    lines = []
    for line in difflib.unified_diff(old.split("\n"), new.split("\n"), lineterm="", n=1):
        if line.startswith(("---", "+++")):
            continue
        lines.append((line[:1], line[1:]))
    return lines


def _initial(article: Article) -> dict:
    return {
        "title": article.title,
        "body": article.body,
        "url": article.url,
        "outlet": article.outlet,
        "author": article.author,
        "language": article.language,
        "published_at": article.published_at,
        "version": article.version,
    }


@require_http_methods(["GET", "POST"])
def article_correct(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = get_article(pk)
    permissions.require_correct_article(request.user, article)
    form = CorrectionForm(request.POST or None, initial=_initial(article))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version, note, body = data.pop("version"), data.pop("note"), data.pop("body")
        try:
            result = services.article_correct(
                article=article,
                user=request.user,
                expected_version=version,
                body=body,
                note=note,
                **data,
            )
        except services.ArticleConflict as exc:
            seen = services.article_version_body(article, exc.seen_version) or ""
            context = {
                "article": exc.current,
                "form": form,
                "seen_version": exc.seen_version,
                "their_diff": body_diff(seen, exc.current.body),
                "history": _corrections(exc.current)[:1],
            }
            return render(request, "annotations/article_conflict.html", context, status=409)
        except ValidationError as exc:
            form.add_error(None, error_message(exc))
        else:
            messages.success(
                request,
                _("Correction saved (version %(version)d): %(summary)s")
                % {"version": result.article.version, "summary": result.summary()},
            )
            return redirect(result.article)
    status = 422 if form.is_bound else 200
    return render(
        request,
        "annotations/article_correct.html",
        {"article": article, "form": form},
        status=status,
    )


def _corrections(article: Article) -> list[dict]:
    """Each saved version: who, when, why, and the diff of its text from the one before."""
    records = list(
        Article.history.filter(id=article.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    entries = []
    for record, older in zip(records, [*records[1:], None], strict=True):
        if older is not None and older.body == record.body and older.title == record.title:
            continue  # workflow or deletion changes: not a correction of the text
        entries.append(
            {
                "version": record.version,
                "who": history.who_of(record),
                "when": record.history_date,
                "reason": record.history_change_reason or (_("Added") if older is None else ""),
                "title_change": (older.title, record.title)
                if older is not None and older.title != record.title
                else None,
                "diff": body_diff(older.body, record.body) if older is not None else [],
            }
        )
    return entries


@require_GET
def article_history(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_article(pk)
    return render(
        request,
        "annotations/article_history.html",
        {"article": article, "entries": _corrections(article)},
    )


@require_http_methods(["GET", "POST"])
def claim_reattach(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Re-attach an orphaned or changed claim: by a selection (JS) or a pasted passage."""
    claim = get_object_or_404(
        Annotation.objects.select_related("article", "source", "created_by"),
        pk=pk,
        article__deleted_at__isnull=True,
    )
    permissions.require_resolve_orphans(request.user)
    article = claim.article
    form = ReattachForm(request.POST or None, initial={"quote": claim.quote})
    context = {"claim": claim, "article": article, "form": form, "occurrences": []}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start, quote = data["start"], data["quote"]
        if start is None:  # pasted: find it, or ask which occurrence
            positions = services.quote_occurrences(article, quote)
            if len(positions) == 1 or data["occurrence"] in positions:
                start = positions[0] if len(positions) == 1 else data["occurrence"]
            elif positions:
                context["occurrences"] = services.occurrence_choices(article, quote, positions)
            else:
                form.add_error("quote", "This passage is not in the article. Copy it exactly.")
        if start is not None:
            end = data["end"] if data["end"] is not None else start + len(quote)
            try:
                claim = services.annotation_reattach(
                    annotation=claim,
                    user=request.user,
                    start=start,
                    end=end,
                    quote=quote,
                    seen_version=data["version"] or article.version,
                )
            except (ValidationError, services.StaleArticle) as exc:
                stale = isinstance(exc, services.StaleArticle)
                message = str(exc) if stale else error_message(exc)
                if request.htmx:
                    return _reattach_error(request, message, status=409 if stale else 422)
                form.add_error(None, message)
            else:
                return _reattached(request, article, claim)
    elif request.method == "POST" and request.htmx:
        return _reattach_error(request, form_errors(form))
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "annotations/claim_reattach.html", context, status=status)


def _reattach_error(request: HtmxHttpRequest, message: str, status: int = 422) -> HttpResponse:
    response = render(
        request, "annotations/fragments.html#form-error", {"message": message}, status=status
    )
    response["HX-Retarget"] = "#reattach-error"
    response["HX-Reswap"] = "innerHTML"
    return response


def _reattached(request: HtmxHttpRequest, article: Article, claim: Annotation) -> HttpResponse:
    if not request.htmx:
        messages.success(request, _("Claim re-attached."))
        return redirect(claim.get_absolute_url())
    nearby = list(selectors.claims_between(article, claim.start, claim.end))
    claim.can_change = True
    context = {
        "article": article,
        "claim": claim,
        "action": "updated",
        "can_change": True,
        "blocks_html": rendering.render_blocks(article.body, nearby, claim.start, claim.end),
        "summary": selectors.article_summary(article),
    }
    response = render(request, "annotations/article_detail.html#claim-saved", context)
    response["HX-Retarget"] = f"#claim-{claim.pk}"
    response["HX-Reswap"] = "outerHTML"
    detail = {"id": claim.pk, "action": "updated", "message": announcement(claim, "updated")}
    return trigger_client_event(response, "annotations-changed", detail, after="swap")


@require_http_methods(["GET", "POST"])
def claim_accept_quote(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Accept the words a correction put under a claim, in one step: a small form shows the
    word diff and asks for the label again (the current one checked); the claim is then
    anchored on its new words (services.annotation_accept_quote)."""
    claim = get_object_or_404(
        Annotation.objects.select_related("article", "source", "created_by", "updated_by"),
        pk=pk,
        article__deleted_at__isnull=True,
    )
    permissions.require_resolve_orphans(request.user)
    if request.method == "GET":
        form = AcceptQuoteForm(initial={"label": claim.label, "expected_quote": claim.quote})
        return _accept_form(request, claim, form)
    form = AcceptQuoteForm(request.POST)
    if not form.is_valid():
        return _accept_form(request, claim, form, error=form_errors(form))
    try:
        accepted = services.annotation_accept_quote(
            annotation=claim,
            user=request.user,
            label=form.cleaned_data["label"],
            expected_quote=form.cleaned_data["expected_quote"],
        )
    except ValidationError as exc:
        # Show the claim as it is now (its words may have changed again): the reviewer
        # looks at that difference before accepting it.
        claim.refresh_from_db()
        form = AcceptQuoteForm(
            initial={"label": form.cleaned_data["label"], "expected_quote": claim.quote}
        )
        return _accept_form(request, claim, form, error=error_message(exc))
    except services.ClaimGone as exc:
        raise Http404(str(exc)) from exc
    if not request.htmx:
        messages.success(request, _("New text accepted."))
        return redirect(accepted.get_absolute_url())
    article = Article.objects.get(pk=accepted.article_id)  # as it is now, for its blocks
    return _claim_saved_response(request, article, accepted, action="updated")


def _accept_form(
    request: HtmxHttpRequest, claim: Annotation, form: AcceptQuoteForm, *, error: str = ""
) -> HttpResponse:
    context = {"claim": claim, "form": form, "error": error, "in_list": bool(request.htmx)}
    template = "annotations/claim_accept.html"
    if request.htmx:
        template += "#claim-accept-form"
    return render(request, template, context, status=422 if error else 200)
