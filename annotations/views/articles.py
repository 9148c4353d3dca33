"""The article list and the article page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from .. import permissions, rendering, selectors, services
from ..forms import ArticleFilterForm, ClaimByQuoteForm
from ..models import Article
from .common import HtmxHttpRequest, get_article


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
    context["outlets"] = selectors.outlet_names()
    return render(request, "annotations/article_list.html", context)


@require_GET
def article_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_for_page(pk)
    claims = list(selectors.article_claims(article))
    for claim in claims:
        claim.can_change = permissions.can_change_annotation(request.user, claim)
    context = {
        "article": article,
        "claims": claims,
        "body_html": rendering.render_body(article.body, claims),
        "summary": selectors.summarise(claims),
        "can_annotate": permissions.can_annotate(request.user),
        "can_correct": permissions.can_correct_article(request.user, article),
        "quote_form": ClaimByQuoteForm(),
        "export_query": f"article={article.pk}",
        "stamp": article.stamp or 0,
        "article_statuses": Article.Status.choices,
    }
    return render(request, "annotations/article_detail.html", context)


@require_http_methods(["GET", "POST"])
def article_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Delete an article after a confirmation. It is a soft delete: an admin can restore it."""
    article = get_article(pk)
    if not permissions.can_correct_article(request.user, article):
        raise PermissionDenied("Editors delete the articles they added; reviewers any article.")
    n_claims = article.annotations.count()
    if request.method == "GET":
        return render(
            request, "annotations/article_delete.html", {"article": article, "n_claims": n_claims}
        )
    services.article_delete(article=article, user=request.user)
    messages.success(
        request,
        f"Deleted “{article.title}” and its {n_claims} claim(s). An admin can restore it "
        "(Admin → Articles → Deleted → “Restore”).",
    )
    return redirect("annotations:article-list")
