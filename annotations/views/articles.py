"""The article list and the article page."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from .. import keymap, permissions, rendering, selectors, services
from ..filters import ArticleFilter
from ..forms import SIMILAR_QUOTE_CHARS
from ..models import Annotation, Article
from .common import HtmxHttpRequest, get_article, undo_offer


@require_GET
@vary_on_headers("HX-Request")
def article_list(request: HtmxHttpRequest) -> HttpResponse:
    chosen = ArticleFilter(request.GET or None)
    valid = chosen.is_valid() if chosen.is_bound else True
    articles = chosen.qs if valid else chosen.queryset.none()
    page = Paginator(articles, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": chosen.form, "page": page, "query": query.urlencode()}
    status = 200 if valid else 400  # a filter that cannot be read is refused, with why
    if request.htmx and not request.htmx.boosted:
        return render(
            request, "annotations/article_list.html#article-results", context, status=status
        )
    context["outlets"] = selectors.outlet_names()
    return render(request, "annotations/article_list.html", context, status=status)


@require_GET
def article_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_for_page(pk)
    marks = selectors.article_marks(article)
    claims, more = selectors.first_claim_page(article, marks, upto=_claim_asked_for(request))
    context = {
        "article": article,
        "claims": _with_permissions(request, claims),
        "more": _more(claims, more, len(marks)),
        "body_html": rendering.render_body(article.body, marks),
        "summary": selectors.summarise(marks),
        "can_annotate": permissions.can_annotate(request.user),
        "can_correct": permissions.can_correct_article(request.user, article),
        "export_query": f"article={article.pk}",
        "stamp": article.stamp or 0,
        "article_statuses": Article.Status.choices,
        "keymap": json.dumps(keymap.client()),  # an attribute: the CSP allows no inline script
        "key_help": keymap.help_groups(),
        "similar_quote_chars": SIMILAR_QUOTE_CHARS,  # what the same-claim suggestions look at
    }
    deleted = request.GET.get("deleted", "")  # a claim just deleted without JavaScript
    if deleted.isascii() and deleted.isdigit() and len(deleted) <= 18:
        context["undo"] = undo_offer(request, int(deleted), article.pk)
    return render(request, "annotations/article_detail.html", context)


def _claim_asked_for(request: HtmxHttpRequest) -> int | None:
    """The claim a link points at (?claim=N): the side list goes at least as far."""
    raw = request.GET.get("claim", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def _with_permissions(request: HtmxHttpRequest, claims: list) -> list:
    for claim in claims:
        claim.can_change = permissions.can_change_annotation(request.user, claim)
    return claims


def _more(claims: list, more: bool, total: int | None = None) -> dict | None:
    """Where the side list goes on: the key of its last claim, for the next page."""
    if not more:
        return None
    last = claims[-1]
    return {"after": f"{last.start},{last.end},{last.pk}", "total": total}


@require_GET
def article_claim_list(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """More of the article page's side list: the page after `after`, or up to `upto`."""
    article = get_article(pk, light=True)
    try:
        after = tuple(int(x) for x in request.GET["after"].split(","))
        upto = request.GET.get("upto")
        upto = article.annotations.get(pk=int(upto)) if upto else None
        if len(after) != 3:
            raise ValueError
    except (KeyError, ValueError, Annotation.DoesNotExist):
        return HttpResponseBadRequest("after must be start,end,id of a claim; upto a claim.")
    claims, more = selectors.claim_page(article, after=after, upto=upto)
    context = {"article": article, "claims": _with_permissions(request, claims)}
    context["more"] = _more(claims, more)
    return render(request, "annotations/article_detail.html#claim-page", context)


@require_http_methods(["GET", "POST"])
def article_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Delete an article after a confirmation. It is a soft delete: an admin can restore it."""
    article = get_article(pk)
    permissions.require_correct_article(request.user, article)
    n_claims = article.annotations.count()
    if request.method == "GET":
        return render(
            request, "annotations/article_delete.html", {"article": article, "n_claims": n_claims}
        )
    services.article_delete(article=article, user=request.user)
    messages.success(
        request,
        ngettext(
            "Deleted “%(title)s” and its %(n)d claim. An admin can restore it "
            "(Admin → Articles → Deleted → “Restore”).",
            "Deleted “%(title)s” and its %(n)d claims. An admin can restore it "
            "(Admin → Articles → Deleted → “Restore”).",
            n_claims,
        )
        % {"title": article.title, "n": n_claims},
    )
    return redirect("annotations:article-list")
