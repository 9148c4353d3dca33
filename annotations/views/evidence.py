"""A capture of an evidence link, as people may see it: its extracted text in our own
template, or its WARC file as a download. The captured page itself never runs in our
origin: it is never served inline, and the download carries `Content-Disposition:
attachment` and `Content-Security-Policy: sandbox`."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from ..models import Capture


def _capture(pk: int, *, with_text: bool) -> Capture:
    """A capture of a live claim's or article's link (a 404 for a deleted article's)."""
    captures = Capture.objects.select_related(
        "evidence", "evidence__claim", "evidence__claim__article", "evidence__article"
    ).filter(
        Q(evidence__claim__article__deleted_at__isnull=True, evidence__claim__isnull=False)
        | Q(evidence__article__deleted_at__isnull=True, evidence__article__isnull=False)
    )
    if not with_text:
        captures = captures.defer("text")
    return get_object_or_404(captures, pk=pk)


@require_GET
def evidence_text(request: HttpRequest, pk: int) -> HttpResponse:
    """The capture's extracted main text, with what was fetched when, and the link's other
    captures (a page that changed keeps each version)."""
    capture = _capture(pk, with_text=True)
    evidence = capture.evidence
    others = evidence.captures.defer("text").order_by("-captured_at", "-id")
    context = {
        "capture": capture,
        "evidence": evidence,
        "claim": evidence.claim,
        "article": evidence.claim.article if evidence.claim_id else evidence.article,
        "captures": others,
    }
    return render(request, "annotations/evidence_text.html", context)


@require_GET
def evidence_warc(request: HttpRequest, pk: int) -> HttpResponse:
    """The capture's WARC file (gzipped records: request, response with the raw body), as
    a download that no browser renders in our origin."""
    capture = _capture(pk, with_text=False)
    data = bytes(capture.warc.data)
    stamp = capture.captured_at.strftime("%Y%m%dT%H%M%SZ")
    response = HttpResponse(data, content_type="application/warc")
    name = f"evidence-{capture.pk}-{stamp}.warc.gz"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
