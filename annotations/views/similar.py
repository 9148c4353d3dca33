"""Same claim elsewhere: the claims of other articles that may make the same assertion as a
passage being tagged or as a claim (`shared.suggestions`), and linking a claim to one of
them as appearances of one shared claim, or unlinking it.

The services decide who may link and what can be linked: a refusal changes nothing and
says why (403 for a role that may not link, 422 for a link that cannot be made, such as two
claims already in two shared claims, 404 for a claim that is gone). htmx gets fragments; a
plain POST redirects to the claim's suggestions page with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget, trigger_client_event

from .. import permissions, services, shared
from ..forms import SIMILAR_QUOTE_CHARS, LinkClaimForm, SimilarQuoteForm, form_errors
from ..models import Annotation, Article, SharedClaim
from .common import HtmxHttpRequest, error_message, refused

# What a link or an unlink may meet when a claim or shared claim went meanwhile.
GONE = (Annotation.DoesNotExist, SharedClaim.DoesNotExist)


def similar_to_quote(article: Article, quote: str) -> list[shared.Suggestion]:
    """The suggestions for a passage of `article` (its first `SIMILAR_QUOTE_CHARS`
    characters, as the pages send): claims of other articles only."""
    quote = quote.strip()[:SIMILAR_QUOTE_CHARS]
    if not quote:
        return []
    return shared.suggestions(quote, language=article.language, exclude_article=article.pk)


@require_GET
@vary_on_headers("HX-Request")
def article_similar(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The suggestions for the passage `?quote=` of article `pk`. htmx (the tagging form,
    the paste form): a list of choices for the new claim's form; `?keys=1` shows the digit
    key of each. Otherwise a page of them."""
    article = get_object_or_404(Article.objects.alive().only("id", "language", "title"), pk=pk)
    if request.htmx and not request.GET.get("quote", "").strip():
        return HttpResponse("")  # the passage was emptied as it was typed: nothing to list
    form = SimilarQuoteForm(request.GET)
    if not form.is_valid():
        return refused(request, form_errors(form), back=article.get_absolute_url(), status=400)
    quote = form.cleaned_data["quote"]
    context = {
        "article": article,
        "quote": quote,
        "suggestions": similar_to_quote(article, quote),
        "keys": request.GET.get("keys") == "1",
    }
    if request.htmx:
        return render(request, "annotations/fragments.html#similar-choices", context)
    context["can_annotate"] = permissions.can_annotate(request.user)
    return render(request, "annotations/similar.html", context)


def link_new_claim(user, claim: Annotation, other_id: int | None) -> tuple[bool, str]:
    """Link a claim just saved to the suggestion its form picked (none: nothing to do).
    Returns (linked, what to say). A refused link leaves the claim saved and unlinked, and
    says why; `claim.shared_claim` is set when it is linked."""
    if other_id is None:
        return False, ""
    other = Annotation.objects.filter(pk=other_id, article__deleted_at__isnull=True).first()
    try:
        if other is None:
            raise Annotation.DoesNotExist(_("the claim to link it to was deleted."))
        found = services.shared_claim_link(claim=claim, other=other, user=user)
    except (PermissionDenied, *GONE) as exc:
        return False, _("Saved, but not linked: %(why)s") % {"why": exc}
    except ValidationError as exc:
        return False, _("Saved, but not linked: %(why)s") % {"why": error_message(exc)}
    claim.shared_claim = found
    return True, _("Linked: shared claim #%(id)d.") % {"id": found.pk}


def say_saved(request: HtmxHttpRequest, linked: bool, said: str) -> None:
    """A new claim saved by a plain POST (or before a reload): the messages that say so,
    and what became of its link (`link_new_claim`)."""
    messages.success(request, _("Claim saved."))
    if said:
        (messages.success if linked else messages.warning)(request, said)


# --- An existing claim ------------------------------------------------------------------------


def _claim(pk: int) -> Annotation:
    return get_object_or_404(
        Annotation.objects.select_related("article", "shared_claim"),
        pk=pk,
        article__deleted_at__isnull=True,
    )


def _panel(request: HtmxHttpRequest, claim: Annotation, *, said: str = "") -> HttpResponse:
    """The claim's "Same claim elsewhere?" panel: its shared claim (with Unlink) and the
    suggestions (with Link). htmx: the panel, and the line of the claim's card that names
    its shared claim; otherwise the page."""
    context = {
        "claim": claim,
        "suggestions": shared.suggestions_for_claim(claim),
        "appearances": (
            shared.live_appearances(claim.shared_claim_id).count() if claim.shared_claim_id else 0
        ),
        "can_link": permissions.can_link_claims(request.user),
        "said": said,
        "enhanced": bool(request.htmx),
    }
    if request.htmx:
        return render(request, "annotations/fragments.html#similar-panel-update", context)
    return render(request, "annotations/similar.html", context)


@require_GET
@vary_on_headers("HX-Request")
def claim_similar(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The suggestions for claim `pk`: other articles' claims, not in its shared claim."""
    return _panel(request, _claim(pk))


def _refused(request: HtmxHttpRequest, claim: Annotation, message: str, status: int):
    """Not linked or unlinked: why, in the panel (htmx) or on a page with the way back."""
    back = reverse("annotations:claim-similar", args=[claim.pk])
    response = refused(request, message, back=back, status=status)
    if request.htmx:
        return reswap(retarget(response, f"#claim-{claim.pk}-similar-said"), "innerHTML")
    return response


def _changed(request: HtmxHttpRequest, pk: int, said: str) -> HttpResponse:
    if not request.htmx:
        messages.success(request, said)
        return redirect("annotations:claim-similar", pk)
    response = _panel(request, _claim(pk), said=said)
    detail = {"id": pk, "action": "linked", "message": said}
    return trigger_client_event(response, "annotations-changed", detail, after="swap")


@require_POST
def claim_link(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Link claim `pk` and the claim `other` as appearances of one shared claim."""
    claim = _claim(pk)
    form = LinkClaimForm(request.POST)
    if not form.is_valid():
        return _refused(request, claim, form_errors(form), 400)
    other = Annotation.objects.select_related("article").filter(pk=form.cleaned_data["other"])
    other = other.filter(article__deleted_at__isnull=True).first()
    if other is None:
        raise Http404(_("The claim to link to was deleted."))
    try:
        found = services.shared_claim_link(claim=claim, other=other, user=request.user)
    except PermissionDenied as exc:
        return _refused(request, claim, str(exc), 403)
    except ValidationError as exc:
        return _refused(request, claim, error_message(exc), 422)
    except GONE as exc:
        raise Http404(str(exc)) from exc
    where = other.article.outlet or other.article.title
    said = _("Linked with the claim in %(where)s: both are appearances of shared claim #%(id)d.")
    return _changed(request, pk, said % {"where": where, "id": found.pk})


@require_POST
def claim_unlink(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Take claim `pk` out of its shared claim (the shared claim keeps its others)."""
    claim = _claim(pk)
    try:
        left = services.shared_claim_unlink(claim=claim, user=request.user)
    except PermissionDenied as exc:
        return _refused(request, claim, str(exc), 403)
    except GONE as exc:
        raise Http404(str(exc)) from exc
    if left is None:
        said = _("This claim is in no shared claim: nothing to unlink.")
    else:
        said = _("Unlinked from shared claim #%(id)d.") % {"id": left.pk}
    return _changed(request, pk, said)
