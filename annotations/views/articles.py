"""The article list and the article page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import permissions, rendering, selectors
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
    return render(request, "annotations/article_list.html", context)


@require_GET
def article_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = get_article(pk)
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
        "article_statuses": Article.Status.choices,
    }
    return render(request, "annotations/article_detail.html", context)
