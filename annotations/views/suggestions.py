"""Suggested claims on the article page (services.suggestions): the list the page loads
after itself (htmx, `hx-trigger="load"`: opening an article costs nothing more), which
annotate.js draws as dashed outlines over the text; and dismissing one (X, or the list's
Dismiss button, which works without JavaScript too).

Only those who may tag claims see suggestions (the service decides: 403 otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import services
from ..forms import SuggestionDismissForm, form_errors
from ..models import Article, Source
from .common import HtmxHttpRequest, error_message, refused


def _article(pk: int) -> Article:
    return get_object_or_404(
        Article.objects.alive().only("id", "title", "body", "version", "language"), pk=pk
    )


def _context(request: HtmxHttpRequest, article: Article) -> dict:
    """The suggestions as the list shows them, each with its registry source (one query
    for all of them) and the words a screen reader says."""
    found = services.suggestions_for(request.user, article)
    sources = Source.objects.in_bulk({s.source_id for s in found if s.source_id})
    items = [{"s": s, "source": sources.get(s.source_id)} for s in found]
    return {"article": article, "items": items}


@require_GET
@vary_on_headers("HX-Request")
def article_suggestions(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """htmx: the list of suggested claims, for the page to draw. Otherwise (no JavaScript),
    a page of them, each with a way to tag it by its quote and to dismiss it."""
    article = _article(pk)
    context = _context(request, article)
    if request.htmx:
        return render(request, "annotations/article_detail.html#suggestions", context)
    return render(request, "annotations/suggestions.html", context)


@require_POST
def suggestion_dismiss(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Dismiss one suggestion for everyone. htmx gets the list as it is now; a plain POST
    goes back to the list of suggestions with a message."""
    article = _article(pk)
    back = reverse("annotations:article-suggestions", args=[article.pk])
    form = SuggestionDismissForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back=back)
    try:
        services.dismiss(user=request.user, article=article, **form.dismissal())
    except services.StaleArticle as exc:
        return refused(request, str(exc), back=back, status=409)
    except ValidationError as exc:
        return refused(request, error_message(exc), back=back)
    if request.htmx:
        return render(
            request,
            "annotations/article_detail.html#suggestions",
            _context(request, article),
        )
    messages.success(request, _("Suggestion dismissed for everyone."))
    return redirect(back)
