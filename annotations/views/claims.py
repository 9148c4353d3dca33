"""Creating, editing and deleting claims. Plain POSTs redirect; htmx gets fragments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from .. import anchoring, history, permissions, rendering, selectors, services
from ..forms import (
    NUDGES,
    QUOTE_MAX,
    SIMILAR_QUOTE_CHARS,
    ClaimByQuoteForm,
    ClaimCreateForm,
    ClaimDetailsForm,
    ClaimSpanForm,
    form_errors,
)
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
from .similar import link_new_claim, say_saved, similar_to_quote


def _claim_saved_response(
    request: HtmxHttpRequest,
    article: Article,
    claim: Annotation,
    *,
    action: str,
    old_span=None,
    said: str = "",
) -> HttpResponse:
    """The blocks the claim touches, its list item and the summary: nothing else."""
    start, end = claim.start, claim.end
    if old_span:
        start, end = min(start, old_span[0]), max(end, old_span[1])
    around = selectors.around_saved_claim(article, claim, start, end)
    claim.can_change = True
    if action in ("created", "restored"):  # the page puts it at its place in the list
        claim.next_id = around.next_id
    context = {
        "article": article,
        "claim": claim,
        "action": action,
        "blocks_html": rendering.render_blocks(article.body, around.nearby, start, end),
        "updates": [claim],
        "summary": around.summary,
        "can_change": True,
    }
    response = render(request, "annotations/article_detail.html#claim-saved", context)
    message = " ".join([announcement(claim, action), *getattr(claim, "restore_notes", [])])
    if said:  # what became of the link to the suggestion picked
        message = f"{message}. {said}"
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
    permissions.require_annotate(request.user)
    form = ClaimCreateForm(request.POST)
    if not form.is_valid():
        return _claim_error(request, form_errors(form), 422)
    data = form.cleaned_data
    try:
        result = services.annotation_create(
            # Only its id: the service reads the article under its lock, or says it is gone.
            article=Article(pk=pk),
            user=request.user,
            start=data["start"],
            end=data["end"],
            quote=data["quote"],
            **form.details(),
            seen_version=data["version"],
            from_suggestion=data["from_suggestion"],
        )
    except services.ArticleGone as exc:
        raise Http404(error_message(exc)) from exc
    except services.StaleArticle as exc:
        return _claim_error(request, str(exc), 409)
    except ValidationError as exc:
        return _claim_error(request, error_message(exc), 422)
    claim = result.annotation
    # Saved; then linked to the suggestion of the same claim elsewhere, if one was picked.
    linked, link_said = link_new_claim(request.user, claim, data["link_to"])
    if not request.htmx or result.relocated:
        say_saved(request, linked, link_said)
    if not request.htmx:
        return redirect(claim.get_absolute_url())
    if result.relocated:
        # The page shows an older text: reload it rather than patch blocks that moved.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    if link_said and not linked:
        claim.link_refused = link_said  # on its card, where the editor looks next
    return _claim_saved_response(request, result.article, claim, action="created", said=link_said)


@require_http_methods(["GET", "POST"])
def claim_create_by_quote(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The no-JavaScript way: paste the passage; the server finds it and asks which one."""
    article = get_article(pk)
    permissions.require_annotate(request.user)
    form = _by_quote_form(request)
    context = {
        "article": article,
        "form": form,
        "occurrences": [],
        **_similar_choice(article, form),
    }
    if form.is_bound and form.is_valid():
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
                result = services.annotation_create(
                    article=article,
                    user=request.user,
                    start=start,
                    end=start + len(data["quote"]),
                    quote=data["quote"],
                    **form.details(),
                    seen_version=article.version,
                )
            except ValidationError as exc:
                form.add_error(None, error_message(exc))
            else:
                say_saved(
                    request, *link_new_claim(request.user, result.annotation, data["link_to"])
                )
                return redirect(article)
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "annotations/claim_by_quote.html", context, status=status)


def _by_quote_form(request: HtmxHttpRequest) -> ClaimByQuoteForm:
    """The paste form as sent; unbound, showing what was typed, when "Look for the same
    claim in other articles" was pressed (nothing is saved); on a first look, `?quote=` may
    fill in the passage."""
    if request.method == "POST" and "suggest" not in request.POST:
        return ClaimByQuoteForm(request.POST)
    if request.method == "POST":
        return ClaimByQuoteForm(initial=request.POST)
    return ClaimByQuoteForm(initial={"quote": request.GET.get("quote", "")[:QUOTE_MAX]})


def _similar_choice(article: Article, form: ClaimByQuoteForm) -> dict:
    """The paste page's suggestions of the same claim elsewhere, with the one picked."""
    return {
        "suggestions": similar_to_quote(article, str(form["quote"].value() or "")),
        "chosen": str(form["link_to"].value() or ""),
        "quote_chars": SIMILAR_QUOTE_CHARS,
    }


@require_http_methods(["GET", "POST"])
def claim_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Edit a claim's details, and move its edges by whole graphemes (the nudge buttons
    preview the new span; Save writes it with the rest, through one service call)."""
    claim = get_claim_for_change(request, pk)
    if request.method == "GET":
        form = ClaimDetailsForm(initial=ClaimDetailsForm.values_of(claim))
        return _edit_form(request, claim, form, span=_span_of(claim))
    if request.POST.get("nudge"):
        return _claim_nudge(request, claim)
    form = ClaimDetailsForm(request.POST)
    # The span fields come with the edit form; a client that sends none keeps the span.
    span_form = ClaimSpanForm(request.POST) if "start" in request.POST else None
    old_span = (claim.start, claim.end)
    error = None
    if form.is_valid() and (span_form is None or span_form.is_valid()):
        try:
            services.annotation_update(
                annotation=claim,
                user=request.user,
                **form.details(),
                span=_new_span(span_form),
            )
        except ValidationError as exc:
            error = error_message(exc)
        except services.ClaimGone as exc:
            raise Http404(str(exc)) from exc
    else:
        error = form_errors(form) or (form_errors(span_form) if span_form else "")
    if error:
        span = _posted_span(claim, span_form) or _span_of(claim)
        return _edit_form(request, claim, form, span=span, error=error, status=422)
    if not request.htmx:
        messages.success(request, _("Claim updated."))
        return redirect(claim.get_absolute_url())
    return _claim_saved_response(request, claim.article, claim, action="updated", old_span=old_span)


def _edit_form(
    request: HtmxHttpRequest, claim: Annotation, form, *, span: dict | None, error=None, status=200
) -> HttpResponse:
    template = "annotations/claim_edit.html" + ("#claim-edit-form" if request.htmx else "")
    context = {
        "claim": claim,
        "form": form,
        "span": span,
        "error": error,
        "source": _shown_source(claim, form),
    }
    return render(request, template, context, status=status)


def _shown_source(claim: Annotation, form) -> Source | None:
    """The source the form shows: the one sent (a page redrawn after a nudge without
    JavaScript, or a refusal), else the claim's."""
    if form.is_bound:
        picked = form.data.get("source", "")
        if not picked.isdigit():
            return None
        return (
            claim.source
            if int(picked) == claim.source_id
            else Source.objects.filter(pk=int(picked)).first()
        )
    return claim.source


def _new_span(span_form: ClaimSpanForm | None) -> services.NewSpan | None:
    if span_form is None or not span_form.moved:
        return None
    data = span_form.cleaned_data
    return services.NewSpan(
        start=data["start"],
        end=data["end"],
        quote=data["quote"],
        expected_quote=data["was_quote"],
        seen_version=data["version"],
    )


def _span_of(claim: Annotation) -> dict | None:
    """The span part of the edit form for the claim as it is (nothing moved yet); none for
    an orphan, whose offsets belong to an older text (a reviewer re-attaches it)."""
    if claim.anchor_state == Annotation.Anchor.ORPHANED:
        return None
    place = (claim.start, claim.end, claim.quote)
    return span_preview(claim.article.body, *place, was=place, version=claim.article.version)


def _posted_span(claim: Annotation, span_form: ClaimSpanForm | None) -> dict | None:
    """The span the form held, when it still fits the article (redrawn after a refusal)."""
    if span_form is None or not span_form.is_valid():
        return None
    data = span_form.cleaned_data
    body = claim.article.body
    if (
        data["version"] != claim.article.version
        or body[data["start"] : data["end"]] != data["quote"]
    ):
        return None
    was = (data["was_start"], data["was_end"], data["was_quote"])
    place = (data["start"], data["end"], data["quote"])
    return span_preview(body, *place, was=was, version=data["version"])


def span_preview(body: str, start: int, end: int, quote: str, *, was, version: int) -> dict:
    """What the span fieldset shows and carries: the quote in its context, and where it was."""
    head, tail = (quote, "") if len(quote) <= 200 else (quote[:90], quote[-90:])
    # Up to 40 characters either side, within the paragraph; "…" where more of it goes on.
    line_start = body.rfind("\n", 0, start) + 1
    line_end = body.find("\n", end)
    line_end = len(body) if line_end == -1 else line_end
    before_at, after_at = max(line_start, start - 40), min(line_end, end + 40)
    return {
        "start": start,
        "end": end,
        "quote": quote,
        "head": head,
        "tail": tail,
        "before": ("…" if before_at > line_start else "") + body[before_at:start],
        "after": body[end:after_at] + ("…" if after_at < line_end else ""),
        "was_start": was[0],
        "was_end": was[1],
        "was_quote": was[2],
        "version": version,
        "moved": (start, end, quote) != tuple(was),
    }


def _claim_nudge(request: HtmxHttpRequest, claim: Annotation) -> HttpResponse:
    """One press of a nudge button: the span with one edge moved by a grapheme, shown for
    the editor to check; nothing is written until Save."""
    if claim.anchor_state == Annotation.Anchor.ORPHANED:
        message = _("This claim’s words are gone from the article: its span cannot be adjusted.")
        return refused(request, message, back=claim.get_absolute_url())
    span_form = ClaimSpanForm(request.POST)
    span = _posted_span(claim, span_form)
    if span is None or span["was_quote"] != claim.quote or not span_form.cleaned_data["nudge"]:
        error = _(
            "The article or this claim changed while you were adjusting it (or the form was "
            "incomplete). This is its span now: adjust it again."
        )
        return _nudged(request, claim, _span_of(claim), error)
    edge, direction = NUDGES[span_form.cleaned_data["nudge"]]
    body = claim.article.body
    start, end = anchoring.nudge_span(body, span["start"], span["end"], edge, direction)
    if (start, end) == (span["start"], span["end"]):
        return _nudged(request, claim, span, _nudge_limit(edge, direction))
    was = (span["was_start"], span["was_end"], span["was_quote"])
    moved = span_preview(body, start, end, body[start:end], was=was, version=span["version"])
    return _nudged(request, claim, moved)


def _nudge_limit(edge: str, direction: int) -> str:
    if edge == anchoring.START and direction == anchoring.BACK:
        return _("The claim already starts at the beginning of the article.")
    if edge == anchoring.END and direction == anchoring.FORWARD:
        return _("The claim already ends at the end of the article.")
    return _("A claim holds at least one character: it cannot be made shorter.")


def _nudged(
    request: HtmxHttpRequest, claim: Annotation, span: dict, error: str | None = None
) -> HttpResponse:
    status = 422 if error else 200
    if not request.htmx:  # the whole form again, with what was typed in it kept
        form = ClaimDetailsForm(request.POST)
        return _edit_form(request, claim, form, span=span, error=error, status=status)
    context = {"claim": claim, "span": span, "span_error": error, "announce": True}
    response = render(request, "annotations/claim_edit.html#claim-span", context, status=status)
    # Always onto the fieldset, even when the press reached htmx as the form's submit (a key
    # pressed on a button swapped in a moment before, not yet wired by htmx).
    return reswap(retarget(response, f"#claim-{claim.pk}-span"), "outerHTML settle:0ms")


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
