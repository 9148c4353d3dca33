"""Live updates on the article page: htmx polls a cheap "has anything changed" check.

Unchanged: 204 after two small queries (the article's version and the claims' history
stamp), without rendering. Changed: the blocks the changed claims touch (before and after)
and the summary, as out-of-band swaps, and the changed claims' list items, which the page
puts in place itself (annotate.js): it keeps the editor's selection, an open popover and
any claim whose edit form is open, and leaves alone the part of the list not loaded yet.
Polling rather than server-sent events: an open SSE stream would hold a gunicorn worker per
tab.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_htmx.http import trigger_client_event

from .. import permissions, rendering, selectors
from ..models import Article


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


@require_GET
@never_cache
def article_changes(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        since = int(request.GET.get("since", "0"))
        version = int(request.GET.get("version", "0"))
    except ValueError:
        return HttpResponseBadRequest("since and version must be whole numbers.")
    current = (
        Article.objects.filter(pk=pk, deleted_at__isnull=True)
        .values_list("version", flat=True)
        .first()
    )
    if current is None:
        raise Http404("This article was deleted.")
    if current != version:
        return render(
            request, "annotations/article_detail.html#live-corrected", {"version": current}
        )
    stamp = selectors.article_stamp(pk)
    moved = selectors.evidence_moved(pk, _waiting(request.GET.get("waiting", "")))
    if stamp <= since and not moved:
        return HttpResponse(status=204)
    if stamp <= since:  # only evidence lines that were waiting have news
        template = "annotations/article_detail.html#live-evidence"
        response = render(request, template, {"moved": moved})
        return trigger_client_event(
            response,
            "live-updated",
            {"stamp": stamp, "message": _evidence_message(moved)},
            after="settle",
        )
    article = Article.objects.get(pk=pk)
    changed = selectors.changed_since(pk, since, request.user.pk)
    marks = selectors.article_marks(article)
    following = {m.pk: n.pk for m, n in zip(marks, marks[1:], strict=False)}
    updates = list(selectors.article_claims(article).filter(pk__in=changed.ids))
    for claim in updates:
        claim.can_change = permissions.can_change_annotation(request.user, claim)
        claim.next_id = following.get(claim.pk)
    blocks = "".join(
        rendering.render_blocks(article.body, marks, start, end)
        for start, end in _merged(changed.spans)
    )
    in_updates = {claim.pk for claim in updates}
    context = {
        "article": article,
        "blocks_html": mark_safe(blocks),  # noqa: S308 - joined from render_blocks' safe HTML
        "updates": updates,
        "moved": [ev for ev in moved if ev.claim_id not in in_updates],
        "deleted": sorted(changed.ids - {c.pk for c in updates}),
        "summary": selectors.summarise(marks),
    }
    response = render(request, "annotations/article_detail.html#live-update", context)
    detail = {"stamp": stamp}
    if changed.by_others:  # said in the page's polite live region
        n = len(changed.by_others)
        detail["message"] = ngettext(
            "Another editor changed %(n)d claim.", "Other editors changed %(n)d claims.", n
        ) % {"n": n}
    elif moved:
        detail["message"] = _evidence_message(moved)
    return trigger_client_event(response, "live-updated", detail, after="settle")


# The evidence lines a page may ask about in one poll (it shows one line per claim loaded).
_WAITING_MAX = 200


def _waiting(value: str) -> dict[int, str]:
    """The page's waiting evidence lines, "id:signature,…", as {id: signature}; what is not
    of that form is left out (a page cannot get more than the lines it could show)."""
    waiting: dict[int, str] = {}
    for item in value.split(",")[:_WAITING_MAX]:
        pk, _sep, signature = item.partition(":")
        # ASCII digits only: str.isdigit() also says yes to "²" or "١", which int() refuses.
        if pk.isascii() and pk.isdigit() and len(pk) < 12 and signature:
            waiting[int(pk)] = signature[:20]
    return waiting


def _evidence_message(moved: list) -> str:
    n = len(moved)
    return ngettext(
        "The evidence of %(n)d link was checked.", "The evidence of %(n)d links was checked.", n
    ) % {"n": n}
