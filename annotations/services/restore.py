"""Bringing back a deleted claim, from its deletion record in the history."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .. import anchoring, permissions
from ..models import DUPLICATE_CLAIM, Annotation, Article, Source
from .claims import _lock_article_for_claim

__all__ = ["annotation_restore"]


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
    time. The restore is recorded in the history (reason "restored…").

    The article must still be there (not deleted). If its text changed since the claim was
    deleted, the claim follows the corrections as a stored claim does (`anchoring.reanchor`
    from the text of that day): on its own words, or flagged; never on another copy of them.
    If an identical claim (same words, verdict and source) was made meanwhile, it comes back
    orphaned, for a reviewer to keep one.

    Returns the claim; `claim.restore_notes` lists, in sentences, what differs from the
    deleted claim (for the message shown to the admin).
    """
    from django.utils import timezone

    permissions.require_restore(user)
    record = Annotation.history.filter(history_id=history_id, history_type="-").first()
    if record is None:
        raise ValidationError(_("There is no deleted claim with this history id."))
    if Annotation.objects.filter(pk=record.id).exists():
        raise ValidationError(_("This claim exists already: it was restored before."))
    last = (
        Annotation.history.filter(id=record.id)
        .order_by("-history_date", "-history_id")
        .values_list("history_id", flat=True)
        .first()
    )
    if last != record.history_id:
        raise ValidationError(
            "This claim was restored and deleted again since: restore its latest deletion."
        )
    article = Article.objects.filter(pk=record.article_id).only("id", "deleted_at").first()
    if article is None:
        raise ValidationError(
            _("The article of this claim no longer exists: it cannot be restored.")
        )
    if article.is_deleted:
        raise ValidationError(
            _("The article of this claim was deleted: restore the article first.")
        )
    article = _lock_article_for_claim(article.pk)

    claim = record.instance
    notes: list[str] = []
    claim.source_id, source_note = _restored_source(claim.source_id)
    _restored_place(claim, record, article, notes)
    if source_note:
        notes.append(source_note)
    if claim.created_by_id not in _restored_user_ids(claim.created_by_id):
        claim.created_by_id = None
    claim.updated_by = user
    claim.updated_at = timezone.now()
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
    reason = "restored"
    if claim.anchor_state != record.anchor_state:
        reason += f", {claim.get_anchor_state_display().lower()}"
    if claim.source_id != record.source_id:
        reason += ", source changed" if claim.source_id else ", without its source"
    Annotation.history.bulk_history_create([claim], default_user=user, default_change_reason=reason)
    claim.restore_notes = notes
    return claim


def _restored_place(claim: Annotation, record, article: Article, notes: list[str]) -> None:
    """Put a claim being restored where its words are now (see annotation_restore)."""
    if claim.anchor_state == Annotation.Anchor.ORPHANED:
        notes.append("It was orphaned when it was deleted, and comes back orphaned.")
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
            "Its words are no longer in the article as they were: it is restored as orphaned, "
            "for a reviewer to place again."
        )
        return
    if place.state == "changed":
        claim.original_quote = claim.original_quote or claim.quote
        claim.anchor_state, claim.anchor_reason = Annotation.Anchor.CHANGED, place.reason
        notes.append("The article’s text changed since, under its words: review its quote.")
    elif place.start != claim.start:
        if claim.anchor_state == Annotation.Anchor.ANCHORED:
            claim.anchor_state = Annotation.Anchor.MOVED
        notes.append(
            "The article’s text changed since: its words were found again where the "
            "correction moved them."
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
