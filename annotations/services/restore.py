"""Bringing back a deleted claim, from its deletion record in the history."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .. import anchoring, history, permissions
from ..models import DUPLICATE_CLAIM, Annotation, Article, SharedClaim, Source, WebhookEvent
from .claims import lock_article_for_span
from .evidence import evidence_track
from .shared_claims import claim_terms_refresh
from .webhooks import webhook_emit, webhook_payload_of_claim

__all__ = ["annotation_restore", "annotation_undo_delete"]


def _restored_source(source_id: int | None) -> tuple[int | None, str]:
    """The source a restored claim gets back, and a note when it cannot be the same one.

    A source merged away since is found again through its name, which merging made an alias
    of the source it was merged into. One that is simply gone leaves the claim without one.
    """
    from ..models import SourceAlias

    if source_id is None or Source.objects.filter(pk=source_id).exists():
        return source_id, ""
    last = Source.history.filter(id=source_id).order_by("-history_date", "-history_id").first()
    if last is not None:
        alias = SourceAlias.objects.filter(name_key=last.name_key).select_related("source").first()
        if alias is not None:
            keep = alias.source
            note = _("Its source “%(old)s” was merged into “%(new)s”, its source now.") % {
                "old": last.name,
                "new": keep.name,
            }
            return keep.pk, note
    if last is None:
        return None, _(
            "The source of this claim no longer exists: the claim was restored without a source."
        )
    return None, _(
        "Its source “%(name)s” no longer exists: the claim was restored without a source."
    ) % {"name": last.name}


def _restored_user_ids(*ids: int | None) -> set[int]:
    from django.contrib.auth import get_user_model

    wanted = {i for i in ids if i is not None}
    return set(get_user_model().objects.filter(pk__in=wanted).values_list("pk", flat=True))


@transaction.atomic
def annotation_restore(*, history_id: int, user: AbstractBaseUser) -> Annotation:
    """Bring back a deleted claim from its deletion record, with its id, author and creation
    time. The restore is recorded in the history (reason "restored…"). Admins only.

    The article must still be there (not deleted). If its text changed since the claim was
    deleted, the claim follows the corrections as a stored claim does (`anchoring.reanchor`
    from the text of that day): on its own words, or flagged; never on another copy of them.
    If an identical claim (same words, verdict and source) was made meanwhile, it comes back
    orphaned, for a reviewer to keep one.

    Returns the claim; `claim.restore_notes` lists, in sentences, what differs from the
    deleted claim (for the message shown to the admin).
    """
    permissions.require_restore(user)
    record = Annotation.history.filter(history_id=history_id, history_type="-").first()
    if record is None:
        raise ValidationError(_("There is no deleted claim with this history id."))
    if Annotation.objects.filter(pk=record.id).exists():
        raise ValidationError(_("This claim exists already: it was restored before."))
    last = history.last_record(record.id)
    if last.history_id != record.history_id:
        raise ValidationError(
            _("This claim was restored and deleted again since: restore its latest deletion.")
        )
    return _bring_back(record, user=user, reason="restored")


@transaction.atomic
def annotation_undo_delete(
    *, annotation_id: int, user: AbstractBaseUser, now: datetime | None = None
) -> Annotation:
    """Undo a delete a moment after it: the person who deleted the claim, within
    `permissions.UNDO_DELETE_SECONDS` of the deletion (`now`, the clock, for tests). The claim
    comes back as `annotation_restore` brings it back, which this is (same id, fields and
    history; its place found again if the text changed meanwhile, or orphaned if a twin took
    it), except that it keeps who last changed it and when: undoing is not a change. The
    history records it with the reason "undone". Later, only an admin restores it.
    """
    from django.utils import timezone

    record = history.last_record(annotation_id)
    if record is None:
        raise ValidationError(_("There is no claim with this id."))
    if record.history_type != "-" or Annotation.objects.filter(pk=annotation_id).exists():
        raise ValidationError(_("This claim is not deleted: it was restored already."))
    permissions.require_undo_delete(
        user,
        record.instance,
        deleted_by_id=record.history_user_id,
        deleted_at=record.history_date,
        now=now or timezone.now(),
    )
    return _bring_back(record, user=user, reason="undone", stamp=False)


def _bring_back(record, *, user: AbstractBaseUser, reason: str, stamp: bool = True) -> Annotation:
    """The one restore: put the claim of deletion `record` back (see annotation_restore).
    `stamp`: the person restoring becomes the claim's last editor."""
    from django.utils import timezone

    article = Article.objects.filter(pk=record.article_id).only("id", "deleted_at").first()
    if article is None:
        raise ValidationError(
            _("The article of this claim no longer exists: it cannot be restored.")
        )
    if article.is_deleted:
        raise ValidationError(
            _("The article of this claim was deleted: restore the article first.")
        )
    article = lock_article_for_span(article.pk)

    claim = record.instance
    notes: list[str] = []
    claim.source_id, source_note = _restored_source(claim.source_id)
    _restored_place(claim, record, article, notes)
    if source_note:
        notes.append(source_note)
    if (
        claim.shared_claim_id is not None
        and not SharedClaim.objects.filter(pk=claim.shared_claim_id).exists()
    ):
        claim.shared_claim_id = None
        notes.append(_("Its shared claim was merged or deleted since: the claim is unlinked."))
    if claim.created_by_id not in _restored_user_ids(claim.created_by_id):
        claim.created_by_id = None
    if stamp:
        claim.updated_by = user
        claim.updated_at = timezone.now()
    elif claim.updated_by_id not in _restored_user_ids(claim.updated_by_id):
        claim.updated_by_id = None
    claim.full_clean(exclude=["article"], validate_unique=False, validate_constraints=False)

    # A raw save keeps created_at (auto_now_add would stamp it anew) and skips
    # simple-history's own record, which is written right after with who and why.
    try:
        with transaction.atomic():
            claim.save_base(raw=True, force_insert=True)
    except IntegrityError as exc:
        if Annotation.objects.filter(pk=record.id).exists():
            raise ValidationError(_("This claim exists already: it was restored before.")) from exc
        raise ValidationError(DUPLICATE_CLAIM) from exc
    if claim.anchor_state != record.anchor_state:
        reason += f", {claim.get_anchor_state_display().lower()}"
    if claim.source_id != record.source_id:
        reason += ", source changed" if claim.source_id else ", without its source"
    Annotation.history.bulk_history_create([claim], default_user=user, default_change_reason=reason)
    evidence_track(claim=claim)
    claim_terms_refresh([claim], language=article.language)
    webhook_emit(WebhookEvent.CLAIM_CREATED, webhook_payload_of_claim(claim))  # it is back
    claim.restore_notes = notes
    return claim


def _restored_place(claim: Annotation, record, article: Article, notes: list[str]) -> None:
    """Put a claim being restored where its words are now (see annotation_restore)."""
    if claim.anchor_state == Annotation.Anchor.ORPHANED:
        notes.append(_("It was orphaned when it was deleted, and comes back orphaned."))
        return
    then = (
        Article.history.filter(id=article.pk, history_date__lte=record.history_date)
        .order_by("-history_date", "-history_id")
        .values_list("body", flat=True)
        .first()
    )
    old_body = then if then is not None else article.body
    (place,) = anchoring.reanchor(
        old_body,
        article.body,
        [anchoring.Anchor(0, claim.start, claim.end, claim.quote, claim.prefix, claim.suffix)],
    )
    if place.state == "orphaned":
        claim.anchor_state = Annotation.Anchor.ORPHANED
        claim.anchor_reason = place.reason
        notes.append(
            _(
                "Its words are no longer in the article as they were: it is restored as "
                "orphaned, for a reviewer to place again."
            )
        )
        return
    if place.state == "changed":
        claim.original_quote = claim.original_quote or claim.quote
        claim.anchor_state, claim.anchor_reason = Annotation.Anchor.CHANGED, place.reason
        notes.append(_("The article’s text changed since, under its words: review its quote."))
    elif place.start != claim.start:
        if claim.anchor_state == Annotation.Anchor.ANCHORED:
            claim.anchor_state = Annotation.Anchor.MOVED
        notes.append(
            _(
                "The article’s text changed since: its words were found again where the "
                "correction moved them."
            )
        )
    claim.start, claim.end, claim.quote = place.start, place.end, place.quote
    claim.prefix, claim.suffix = anchoring.context(article.body, place.start, place.end)
    twin = (
        Annotation.objects.filter(
            article_id=claim.article_id,
            start=claim.start,
            end=claim.end,
            label=claim.label,
            source_id=claim.source_id,
        )
        .exclude(anchor_state=Annotation.Anchor.ORPHANED)
        .values_list("pk", flat=True)
        .first()
    )
    if twin is not None:
        claim.anchor_state = Annotation.Anchor.ORPHANED
        claim.anchor_reason = Annotation.AnchorWhy.COLLISION
        notes.append(
            _(
                "Claim %(twin)s has the same words, verdict and source now: this one is restored "
                "as orphaned, for a reviewer to keep one of them."
            )
            % {"twin": twin}
        )
