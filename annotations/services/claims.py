"""Writes to claims: the server checks every span against the body."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from .. import anchoring, capture, labels, permissions, text
from ..models import Annotation, Article, Source, WebhookEvent
from .evidence import evidence_track
from .shared_claims import claim_terms_refresh
from .sources import source_resolve_or_propose
from .webhooks import webhook_emit, webhook_payload_of_claim

__all__ = [
    "ArticleGone",
    "ClaimGone",
    "ClaimResult",
    "NewSpan",
    "StaleArticle",
    "annotation_accept_quote",
    "annotation_create",
    "annotation_delete",
    "annotation_reattach",
    "annotation_respan",
    "annotation_update",
    "claim_check_source",
    "occurrence_choices",
    "quote_occurrences",
]


class ClaimGone(Exception):
    """The claim was deleted by someone else meanwhile."""


class ArticleGone(ValidationError):
    """The article is not there (never was, or deleted): a door that names the article in
    its address answers 404 (not found) rather than 422."""


class StaleArticle(Exception):
    """The article changed since the editor loaded it and the passage is no longer there."""


@dataclass
class ClaimResult:
    annotation: Annotation
    # True when the article was corrected after the editor loaded it: their page is stale.
    relocated: bool = False
    # The article as read under the claim's lock (id, body, version).
    article: Article | None = None


@dataclass(frozen=True)
class NewSpan:
    """A claim's span moved by the person editing it (its edges nudged by graphemes).

    `quote` is `body[start:end]` as the page previewed it; `expected_quote` is the claim's
    quote when the form was opened, and `seen_version` the article's version then: if either
    changed meanwhile (a correction, another edit), the offsets were computed on a text that
    is not there any more, and the change is refused."""

    start: int
    end: int
    quote: str
    expected_quote: str
    seen_version: int | None = None


def lock_article_for_span(article_id: int) -> Article:
    """Read the article so that no correction can commit until this claim (or a suggestion's
    dismissal, services.suggestions) has.

    On PostgreSQL this is `FOR KEY SHARE`, in the same query that reads the body: claim
    saves share the lock and never wait for each other (nor for workflow changes), while a
    correction's `FOR UPDATE` waits for them (and they for it). It is the lock the claim's
    foreign key takes anyway, only taken before the body is read. On SQLite, transactions
    are IMMEDIATE, so every write is serialised anyway.
    """
    if connection.vendor == "postgresql":
        table = Article._meta.db_table
        found = list(
            Article.objects.raw(
                f"SELECT id, body, version, language, deleted_at FROM {table} "  # noqa: S608
                "WHERE id = %s AND deleted_at IS NULL FOR KEY SHARE",
                [article_id],
            )
        )
    else:
        found = list(
            Article.objects.filter(pk=article_id, deleted_at__isnull=True).only(
                "id", "body", "version", "language", "deleted_at"
            )
        )
    if not found:
        raise ArticleGone(_("This article no longer exists."))
    return found[0]


def _version_body(article: Article, version: int) -> str | None:
    record = (
        Article.history.filter(id=article.pk, version=version)
        .order_by("-history_date")
        .only("body")
        .first()
    )
    return record.body if record else None


def span_fields(article: Article, start: int, end: int, quote: str) -> dict:
    """A checked span of the article as a row stores it (a claim, a dismissed suggestion):
    offsets, quote, and the words around it to find it again after a correction."""
    prefix, suffix = anchoring.context(article.body, start, end)
    return {
        "article_id": article.pk,
        "start": start,
        "end": end,
        "quote": quote,
        "prefix": prefix,
        "suffix": suffix,
    }


def place_span(
    article: Article, *, start: int, end: int, quote: str, seen_version: int | None
) -> tuple[int, int, bool]:
    """Offsets of the quote in the current body; re-found when the article changed since.
    The one check of a span a page or a client sends (body[start:end] == quote, or a 4xx):
    claims, and dismissals of suggested claims (services.suggestions), go through it."""
    if seen_version is None or seen_version == article.version:
        try:
            anchoring.check_span(article.body, start, end, quote)
        except anchoring.AnchorError as exc:
            raise ValidationError(str(exc)) from exc
        return start, end, False
    if seen_version > article.version:
        raise ValidationError(
            _(
                "The page says version %(seen)d, but the article is at version %(current)d. "
                "Reload the article and select the passage again."
            )
            % {"seen": seen_version, "current": article.version}
        )
    old_body = _version_body(article, seen_version)
    if old_body is None:
        raise StaleArticle(
            "The article changed since you opened it and that version is not on record. "
            "Reload the article and select the passage again."
        )
    try:  # the selection must match the text the editor saw: no silent fix-up
        anchoring.check_span(old_body, start, end, quote)
    except anchoring.AnchorError as exc:
        raise ValidationError(str(exc)) from exc
    # Followed through the correction as a stored claim would be: on its own characters,
    # or refused (never put on another copy of the same words).
    prefix, suffix = anchoring.context(old_body, start, end)
    (place,) = anchoring.reanchor(
        old_body, article.body, [anchoring.Anchor(0, start, end, quote, prefix, suffix)]
    )
    if place.state not in ("anchored", "moved"):
        raise StaleArticle(
            {
                "ambiguous": _(
                    "The article was corrected after you opened it and the passage you "
                    "selected now reads the same in two places. Reload the article and select "
                    "the passage again."
                ),
                "altered": _(
                    "The article was corrected after you opened it and the passage you "
                    "selected was changed by it. Reload the article and select the passage "
                    "again."
                ),
            }.get(
                place.reason,
                _(
                    "The article was corrected after you opened it and the passage you "
                    "selected is no longer in it. Reload the article and select the passage "
                    "again."
                ),
            )
        )
    return place.start, place.end, True


def _pick_source(
    source: Source | None, new_name: str, new_kind: str, user, label: str
) -> Source | None:
    if new_name.strip():
        if source is not None:
            raise ValidationError(_("Pick an existing source or propose a new one, not both."))
        if label == Annotation.Label.UNATTRIBUTED:
            claim_check_source(label, Source(name=new_name))
        source = source_resolve_or_propose(name=new_name, kind=new_kind, user=user)
    claim_check_source(label, source)
    return source


def claim_check_source(label: str, source: Source | None, *, newly_attached: bool = True) -> None:
    if label == Annotation.Label.UNATTRIBUTED and source is not None:
        raise ValidationError(
            {
                "source": _(
                    "An unattributed claim has no source: remove the source or pick another label."
                )
            }
        )
    if source is not None and newly_attached and source.is_rejected:
        raise ValidationError(
            {
                "source": _(
                    "“%(name)s” was rejected in review and cannot be attached to new claims. "
                    "Pick another source."
                )
                % {"name": source.name}
            }
        )


def _refuse_duplicate(
    article_id: int, start: int, end: int, label: str, source_id: int | None, *, exclude=None
) -> None:
    """The same passage with the same verdict and source again (a key pressed twice) would
    count twice in every export and chart. A different label or source is a claim of its
    own: two editors may disagree, or two sources may say the same thing. The database
    holds the rule (two partial unique indexes); this check gives the readable answer."""
    twins = Annotation.objects.filter(
        article_id=article_id, start=start, end=end, label=label, source_id=source_id
    ).exclude(anchor_state=Annotation.Anchor.ORPHANED)
    if exclude is not None:
        twins = twins.exclude(pk=exclude)
    twin = twins.values_list("id", "created_by__username").first()
    if twin is not None:
        username = twin[1]
        values = {"label": labels.display(label).lower(), "who": username or _("someone")}
        raise ValidationError(
            (
                _(
                    "This passage is already tagged %(label)s with this source (by %(who)s). "
                    "Edit that claim instead."
                )
                if source_id
                else _(
                    "This passage is already tagged %(label)s (by %(who)s). "
                    "Edit that claim instead."
                )
            )
            % values,
            code="duplicate",
        )


def _one_claim(write):
    """Run a claim write (in its own transaction); if the unique index finds a twin saved
    meanwhile (the same POST sent twice at once, on PostgreSQL), the write is rolled back
    and answered as a sequential repeat is: "already tagged". Caught outside the write's
    transaction, so that a save costs no savepoint."""

    @functools.wraps(write)
    def wrapper(**kwargs):
        try:
            return write(**kwargs)
        except IntegrityError as exc:
            twin = getattr(exc, "claim", None)
            if twin is not None:
                _refuse_duplicate(
                    twin.article_id,
                    twin.start,
                    twin.end,
                    twin.label,
                    twin.source_id,
                    exclude=twin.pk,
                )
            raise

    return wrapper


def _save_once(annotation: Annotation, *, words_of: Article | None = None, **save_kwargs) -> None:
    """Save; an IntegrityError carries the claim, for `_one_claim` to name its twin. The
    webhooks hear of it (claim.created or claim.updated), in the same transaction.
    `words_of`: the (locked) article, when the claim is new or its words changed: the
    similar-claims matcher's terms follow them."""
    created = annotation._state.adding
    try:
        annotation.save(**save_kwargs)
    except IntegrityError as exc:
        exc.claim = annotation
        raise
    if words_of is not None:
        claim_terms_refresh([annotation], language=words_of.language, new=created)
    event = WebhookEvent.CLAIM_CREATED if created else WebhookEvent.CLAIM_UPDATED
    webhook_emit(event, webhook_payload_of_claim(annotation))


_FK_FIELDS = ["article", "source", "created_by", "updated_by"]


def _validate(annotation: Annotation, **kwargs) -> None:
    """full_clean without its per-save queries: the foreign keys were loaded or checked
    already, and Django would test each CHECK constraint with its own SELECT (in a
    savepoint: 21 queries a save). The same rules are checked here in Python, and the
    database still enforces them on the INSERT or UPDATE."""
    annotation.full_clean(exclude=_FK_FIELDS, validate_constraints=False, **kwargs)
    if not 0 <= annotation.start < annotation.end:
        raise ValidationError(_("A claim needs 0 <= start < end."))
    if annotation.label == Annotation.Label.UNATTRIBUTED and annotation.source_id is not None:
        raise ValidationError({"source": _("An unattributed claim has no source.")})
    if annotation.evidence_url and not capture.is_http(annotation.evidence_url):
        raise ValidationError(
            {"evidence_url": _("Enter a link that starts with http:// or https://.")}
        )


# How far from a claim the cue of the suggestion it came from may stand ("According to the
# SBU, …" before it; "…, the SBU said" after it): a sentence or two.
SUGGESTION_CUE_REACH = 400
SUGGESTION_CUE_MAX = 100


def _from_suggestion_reason(body: str, start: int, end: int, cue: str) -> str:
    """The history's reason for a claim accepted from a suggestion. The cue is what the
    page said the suggestion came from: one short line, found in the text near the claim
    (a cue from elsewhere is refused, not recorded)."""
    cue = cue.strip()
    if len(cue) > SUGGESTION_CUE_MAX or "\n" in cue or text.problem(cue):
        raise ValidationError(
            {"from_suggestion": _("The suggestion’s cue must be one short line of text.")}
        )
    near = body[max(0, start - SUGGESTION_CUE_REACH) : end + SUGGESTION_CUE_REACH]
    if cue.casefold() not in near.casefold():
        raise ValidationError(
            {
                "from_suggestion": _(
                    "The suggestion’s cue “%(cue)s” is not in the text near this passage."
                )
                % {"cue": cue}
            }
        )
    return _("from a suggestion (cue “%(cue)s”)") % {"cue": cue}


@_one_claim
@transaction.atomic
def annotation_create(
    *,
    article: Article,
    user: AbstractBaseUser | None,
    start: int,
    end: int,
    quote: str,
    label: str,
    source: Source | None = None,
    credibility: int | None = None,
    note: str = "",
    public_summary: str = "",
    evidence_url: str = "",
    seen_version: int | None = None,
    new_source_name: str = "",
    new_source_kind: str = Source.Kind.OTHER,
    canonical: str = "",
    via: str = "",
    from_suggestion: str = "",
) -> ClaimResult:
    """Tag `body[start:end]` as a claim. The server checks the quote against the body.

    Only `article.pk` is read: the article is read again under the claim's lock (a door
    may pass `Article(pk=…)`); `ArticleGone` when it is not there or deleted.

    `new_source_name` proposes a source in the same transaction (or picks the existing one
    of that name), so a claim that fails leaves no stray source behind. `canonical` and `via`
    are the IRIs a W3C Web Annotation came with (see Annotation), kept as they are.
    `from_suggestion` is the cue of the suggested claim the editor accepted (as written:
    "according to"); the claim's history says it came from a suggestion.
    """
    permissions.require_annotate(user)
    if label not in Annotation.Label.values:
        raise ValidationError({"label": _("Unknown label “%(label)s”.") % {"label": label}})
    source = _pick_source(source, new_source_name, new_source_kind, user, label)
    current = lock_article_for_span(article.pk)
    start, end, relocated = place_span(
        current, start=start, end=end, quote=quote, seen_version=seen_version
    )
    # No SELECT for a twin first: the unique indexes refuse one on the INSERT, and
    # `_one_claim` answers that as "already tagged", with the twin named (one query less
    # on every save; a repeat costs the rolled-back INSERT instead).
    annotation = Annotation(
        **span_fields(current, start, end, quote),
        label=label,
        source=source,
        credibility=credibility,
        note=note,
        public_summary=public_summary,
        evidence_url=evidence_url,
        canonical=canonical,
        via=via,
        created_by=user if user and user.is_authenticated else None,
        updated_by=user if user and user.is_authenticated else None,
    )
    _validate(annotation)
    annotation._history_user = user
    if from_suggestion:
        annotation._change_reason = _from_suggestion_reason(
            current.body, start, end, from_suggestion
        )
    _save_once(annotation, words_of=current)
    evidence_track(claim=annotation, new=True)
    return ClaimResult(annotation, relocated, current)


@_one_claim
@transaction.atomic
def annotation_update(
    *,
    annotation: Annotation,
    user: AbstractBaseUser,
    label: str,
    source: Source | None,
    credibility: int | None,
    note: str,
    evidence_url: str,
    public_summary: str | None = None,
    new_source_name: str = "",
    new_source_kind: str = Source.Kind.OTHER,
    span: NewSpan | None = None,
) -> Annotation:
    """Change a claim's verdict and details; its span stays where it is, unless `span`
    moves it (checked as `annotation_respan` checks it, in the same transaction).
    `public_summary` None keeps the one the claim has (a door without that field).

    A claim may keep a source that was rejected after it was attached (it stays flagged),
    but a rejected source cannot be newly attached.
    """
    if label not in Annotation.Label.values:
        raise ValidationError({"label": _("Unknown label “%(label)s”.") % {"label": label}})
    # Lock the row: an edit racing a delete must not re-insert the claim (a plain save()
    # of a row that is gone becomes an INSERT), nor overwrite a concurrent re-anchoring.
    current = lock_article_for_span(annotation.article_id) if span is not None else None
    locked = Annotation.objects.select_for_update().filter(pk=annotation.pk).first()
    if locked is None:
        raise ClaimGone("This claim was deleted meanwhile. Reload the article.")
    permissions.require_change_annotation(user, locked)
    # Where the claim stands and why belongs to re-anchoring, not to the edit: take it from
    # the row as it is now, never from the caller's copy (loaded before a correction, say).
    for field in Annotation.PLACEMENT_FIELDS:
        setattr(annotation, field, getattr(locked, field))
    moved = span is not None and _respan(annotation, current, span)
    if source is not None and source.pk == locked.source_id and not new_source_name:
        claim_check_source(label, source, newly_attached=False)
    else:
        source = _pick_source(source, new_source_name, new_source_kind, user, label)
    annotation.label = label
    annotation.source = source
    annotation.credibility = credibility
    annotation.note = note
    annotation.public_summary = locked.public_summary if public_summary is None else public_summary
    annotation.evidence_url = evidence_url
    annotation.updated_by = user
    _validate(annotation)
    if locked.anchor_state != Annotation.Anchor.ORPHANED:
        _refuse_duplicate(
            locked.article_id,
            annotation.start,
            annotation.end,
            label,
            source.pk if source else None,
            exclude=locked.pk,
        )
    annotation._history_user = user
    if moved:
        annotation._change_reason = _span_reason(locked)
    # A moved span has other words: the matcher's terms follow them, as `annotation_respan`'s.
    _save_once(annotation, words_of=current if moved else None, force_update=True)
    evidence_track(claim=annotation, previous_url=locked.evidence_url)
    return annotation


@transaction.atomic
def annotation_delete(*, annotation: Annotation, user: AbstractBaseUser) -> None:
    """Delete a claim; django-simple-history keeps it for an admin to restore."""
    locked = Annotation.objects.select_for_update().filter(pk=annotation.pk).first()
    if locked is None:
        raise ClaimGone("This claim was already deleted.")
    permissions.require_change_annotation(user, locked)
    # The row as it is now (not the caller's copy) goes into history, for a restore.
    locked._history_user = user
    gone = {"id": locked.pk, "article": locked.article_id}
    locked.delete()
    webhook_emit(WebhookEvent.CLAIM_DELETED, gone)


def quote_occurrences(article: Article, quote: str) -> list[int]:
    return anchoring.find_occurrences(article.body, quote)


def occurrence_choices(article: Article, quote: str, positions: list[int]) -> list[dict]:
    """Each place the quote occurs, with the words around it, for the editor to choose."""
    choices = []
    for position in positions:
        before, after = anchoring.context(article.body, position, position + len(quote))
        choices.append({"start": position, "before": before, "after": after})
    return choices


@_one_claim
@transaction.atomic
def annotation_reattach(
    *,
    annotation: Annotation,
    user: AbstractBaseUser,
    start: int,
    end: int,
    quote: str,
    seen_version: int | None = None,
) -> Annotation:
    """Put an orphaned (or changed) claim back on text the reviewer selected."""
    permissions.require_resolve_orphans(user)
    current = lock_article_for_span(annotation.article_id)
    start, end, _relocated = place_span(
        current, start=start, end=end, quote=quote, seen_version=seen_version
    )
    claim = Annotation.objects.select_for_update().get(pk=annotation.pk)
    if quote != claim.quote:
        claim.original_quote = claim.original_quote or claim.quote
    claim.start, claim.end, claim.quote = start, end, quote
    claim.prefix, claim.suffix = anchoring.context(current.body, start, end)
    claim.anchor_state = Annotation.Anchor.ANCHORED
    claim.anchor_reason = Annotation.AnchorWhy.NONE
    claim.updated_by = user
    _refuse_duplicate(claim.article_id, start, end, claim.label, claim.source_id, exclude=claim.pk)
    claim.full_clean(exclude=["article"], validate_constraints=False)
    claim._history_user = user
    claim._change_reason = "re-attached"
    _save_once(claim, words_of=current)
    return claim


# --- Fixing a claim's words: its span by graphemes, or the text a correction put there -------


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _span_reason(before: Annotation) -> str:
    """The history's reason for a moved span; the record's diff has the old offsets and
    quote too ("Position 120–150 → 118–150")."""
    return f"span adjusted (was {before.start}–{before.end}: “{_clip(before.quote)}”)"


def _respan(claim: Annotation, article: Article, span: NewSpan) -> bool:
    """Put `claim` (as locked) on `span` of the article's body (as locked), or refuse with
    a readable message. False when the span is the one it has already."""
    if claim.anchor_state == Annotation.Anchor.ORPHANED:
        raise ValidationError(
            _(
                "This claim’s words are gone from the article, so its span cannot be "
                "adjusted. A reviewer re-attaches it to the passage it refers to now."
            ),
            code="orphaned",
        )
    if claim.quote != span.expected_quote or (
        span.seen_version is not None and span.seen_version != article.version
    ):
        raise ValidationError(
            _(
                "The article or this claim changed while you were adjusting it. Reload the "
                "article and adjust the claim again."
            ),
            code="stale",
        )
    if (span.start, span.end, span.quote) == (claim.start, claim.end, claim.quote):
        return False
    body = article.body
    if not 0 <= span.start < span.end <= len(body):
        raise ValidationError(
            _("A claim must hold at least one character of the article, inside it."),
            code="bad_span",
        )
    if body[span.start : span.end] != span.quote:
        raise ValidationError(
            _(
                "The text at the new place is not the text you saw there. Reload the article "
                "and adjust the claim again."
            ),
            code="stale",
        )
    if not span.quote.strip():
        raise ValidationError(
            _("A claim needs words: the new span holds only spaces or line breaks."),
            code="bad_span",
        )
    claim.start, claim.end, claim.quote = span.start, span.end, span.quote
    claim.prefix, claim.suffix = anchoring.context(body, span.start, span.end)
    return True


@_one_claim
@transaction.atomic
def annotation_respan(
    *,
    annotation: Annotation,
    user: AbstractBaseUser,
    start: int,
    end: int,
    quote: str,
    expected_quote: str,
    seen_version: int | None = None,
) -> Annotation:
    """Move a claim's start and end (the same claim: its id, verdict and history stay).
    `quote` must be `body[start:end]`; `expected_quote` is the claim's quote the editor
    started from (and `seen_version` the article's version): if the claim or the article
    changed meanwhile, nothing is written. The history keeps the old span. The edit page
    moves a span together with the claim's details, through `annotation_update(span=…)`."""
    current = lock_article_for_span(annotation.article_id)
    claim = Annotation.objects.select_for_update().filter(pk=annotation.pk).first()
    if claim is None:
        raise ClaimGone("This claim was deleted meanwhile. Reload the article.")
    permissions.require_change_annotation(user, claim)
    before = Annotation(start=claim.start, end=claim.end, quote=claim.quote)
    span = NewSpan(start, end, quote, expected_quote, seen_version)
    if not _respan(claim, current, span):
        return claim
    _refuse_duplicate(
        claim.article_id, claim.start, claim.end, claim.label, claim.source_id, exclude=claim.pk
    )
    claim.updated_by = user
    _validate(claim)
    claim._history_user = user
    claim._change_reason = _span_reason(before)
    _save_once(claim, words_of=current)
    return claim


@_one_claim
@transaction.atomic
def annotation_accept_quote(
    *, annotation: Annotation, user: AbstractBaseUser, label: str, expected_quote: str
) -> Annotation:
    """Accept the words a correction put under a claim ("31 drones" now reads "13 drones"):
    the claim is anchored on them, its flag and original quote are cleared, and it takes the
    label the reviewer confirmed or chose, since the new words may change the verdict.

    The same people as re-attaching (who resolve flags). Refused, with nothing written, when
    the claim is an orphan (it has no new words: re-attach it), is not flagged any more, or
    its quote is not `expected_quote` (the words the reviewer accepted) because it changed
    meanwhile. One history record holds who, when, the old quote and the label's change."""
    permissions.require_resolve_orphans(user)
    if label not in Annotation.Label.values:
        raise ValidationError({"label": _("Unknown label “%(label)s”.") % {"label": label}})
    current = lock_article_for_span(annotation.article_id)
    claim = Annotation.objects.select_for_update().filter(pk=annotation.pk).first()
    if claim is None:
        raise ClaimGone("This claim was deleted meanwhile. Reload the article.")
    if claim.anchor_state == Annotation.Anchor.ORPHANED:
        raise ValidationError(
            _(
                "This claim’s words are gone from the article, so there is no new text to "
                "accept. Re-attach it to the passage it refers to now, or delete it."
            ),
            code="orphaned",
        )
    if claim.anchor_state != Annotation.Anchor.CHANGED:
        raise ValidationError(
            _("This claim is not waiting for review any more: someone resolved it meanwhile."),
            code="stale",
        )
    if claim.quote != expected_quote:
        raise ValidationError(
            _(
                "The text under this claim changed again since you looked: it now reads "
                "“%(quote)s”. Check the difference and accept again."
            )
            % {"quote": _clip(claim.quote, 120)},
            code="stale",
        )
    if current.body[claim.start : claim.end] != claim.quote:
        raise ValidationError(
            _("This claim’s place does not hold its quote. Re-attach it instead."),
            code="stale",
        )
    # It keeps its source (a rejected one too: it was attached before); only "unattributed"
    # with a source is refused, as in an edit.
    kept = Source(pk=claim.source_id) if claim.source_id else None
    claim_check_source(label, kept, newly_attached=False)
    _refuse_duplicate(
        claim.article_id, claim.start, claim.end, label, claim.source_id, exclude=claim.pk
    )
    old_quote = claim.original_quote
    claim.label = label
    claim.anchor_state = Annotation.Anchor.ANCHORED
    claim.anchor_reason = Annotation.AnchorWhy.NONE
    claim.original_quote = ""
    claim.prefix, claim.suffix = anchoring.context(current.body, claim.start, claim.end)
    claim.updated_by = user
    _validate(claim)
    claim._history_user = user
    claim._change_reason = f"new text accepted (was “{_clip(old_quote)}”)"
    _save_once(claim)
    return claim
