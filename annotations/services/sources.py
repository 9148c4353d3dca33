"""Writes to sources and their names (aliases)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import names, permissions
from ..models import Annotation, Source, SourceAlias, WebhookEvent
from .evidence import evidence_track
from .webhooks import webhook_emit, webhook_payload_of_source

__all__ = [
    "source_add_alias",
    "source_check_merge",
    "source_check_name",
    "source_create",
    "source_merge",
    "source_resolve_or_propose",
    "source_review",
    "source_update",
]


class SourceNameTaken(ValidationError):
    """Another source took the name between the check and the insert."""


def _claimed_name(name_key: str, *, exclude_source: Source | None = None) -> SourceAlias | None:
    qs = SourceAlias.objects.select_related("source").filter(name_key=name_key)
    if exclude_source is not None:
        qs = qs.exclude(source=exclude_source)
    return qs.first()


def source_check_name(name: str, *, exclude_source: Source | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("A source needs a name.")})
    key = names.fold_name(name)
    taken = _claimed_name(key, exclude_source=exclude_source)
    if taken is not None:
        message = (
            _("A source named “%(name)s” already exists. Pick it instead.")
            if taken.is_primary
            else _(
                "A source named “%(name)s” already exists (as an alias of “%(source)s”). "
                "Pick it instead."
            )
        )
        raise ValidationError({"name": message % {"name": taken.name, "source": taken.source.name}})
    return key


@transaction.atomic
def source_create(
    *,
    name: str,
    user: AbstractBaseUser | None,
    kind: str = Source.Kind.OTHER,
    url: str = "",
    description: str = "",
    reliability: str = Source.Reliability.F,
) -> Source:
    """Create a source (pending review) and record its name among the names and aliases."""
    permissions.require_propose_source(user)
    key = source_check_name(name)
    source = Source(
        name=" ".join(name.split()),
        name_key=key,
        kind=kind,
        url=url,
        description=description,
        reliability=reliability,
        created_by=user if user and user.is_authenticated else None,
    )
    source.full_clean()
    source._history_user = user
    try:
        with transaction.atomic():
            source.save()
            SourceAlias.objects.create(
                source=source, name=source.name, name_key=key, is_primary=True
            )
    except IntegrityError as exc:  # a concurrent create of the same name
        raise SourceNameTaken(
            {"name": _("A source named “%(name)s” already exists.") % {"name": name}}
        ) from exc
    return source


# A source's grade and review note are the reviewer's: changing them is reviewing.
_REVIEW_FIELDS = ("reliability", "review_note")


@transaction.atomic
def source_update(
    *,
    source: Source,
    user: AbstractBaseUser | None,
    expected_status: str | None = None,
    **fields,
) -> Source:
    """Change a source's own fields; a new name moves its primary name record too.

    Its grade and review note change only for a reviewer (a pending source can carry a
    grade before it is decided). `expected_status` is the review status the user saw: if
    someone decided the source in between, nothing changes and the user is told."""
    permissions.require_change_source(user)
    if any(f in fields and fields[f] != getattr(source, f) for f in _REVIEW_FIELDS):
        permissions.require_review_sources(user)
    if expected_status:
        _check_not_decided_meanwhile(
            Source.objects.select_for_update().get(pk=source.pk), expected_status
        )
    name = fields.pop("name", source.name)
    if " ".join(name.split()) != source.name:
        key = source_check_name(name, exclude_source=source)
        source.name, source.name_key = " ".join(name.split()), key
        SourceAlias.objects.filter(source=source, name_key=key, is_primary=False).delete()
        SourceAlias.objects.filter(source=source, is_primary=True).update(
            name=source.name, name_key=key, updated_at=timezone.now()
        )
    reviewed = (source.review_status, source.reliability)
    for field, value in fields.items():
        setattr(source, field, value)
    source.full_clean()
    source._history_user = user
    source.save()
    if (source.review_status, source.reliability) != reviewed:  # decided or graded here
        webhook_emit(WebhookEvent.SOURCE_REVIEWED, webhook_payload_of_source(source))
    return source


@transaction.atomic
def source_review(
    *,
    source: Source,
    user: AbstractBaseUser,
    decision: str,
    reliability: str | None = None,
    note: str | None = None,
    expected_status: str | None = None,
    reconsider: bool = False,
) -> Source:
    """Approve or reject a source, recording who and when (and, optionally, its grade and a
    note; without one, the note already on the source stays, as in the admin's actions).

    Turning a decided source around (rejected -> approved, or the reverse) must be meant:
    it needs `reconsider`. `expected_status` is the status the reviewer saw: if someone
    else decided in between, nothing changes and the reviewer is told.
    """
    permissions.require_review_sources(user)
    if decision not in (Source.Review.APPROVED, Source.Review.REJECTED):
        raise ValidationError(_("A review decision is either approved or rejected."))
    source = Source.objects.select_for_update().get(pk=source.pk)
    if expected_status:
        _check_not_decided_meanwhile(source, expected_status)
    decided = source.review_status != Source.Review.PENDING
    if decided and source.review_status != decision and not reconsider:
        raise ValidationError(
            _("“%(name)s” is already %(status)s. Tick “Reconsider” to change the decision.")
            % {"name": source.name, "status": source.get_review_status_display().lower()}
        )
    source.review_status = decision
    if reliability:
        source.reliability = reliability
    if note is not None:
        source.review_note = note
    source.reviewed_by = user
    source.reviewed_at = timezone.now()
    source.full_clean()
    source._history_user = user
    source.save()
    webhook_emit(WebhookEvent.SOURCE_REVIEWED, webhook_payload_of_source(source))
    return source


def _check_not_decided_meanwhile(source: Source, expected_status: str) -> None:
    """Refuse when the (locked) source's review status is not the one the user saw."""
    if source.review_status == expected_status:
        return
    who = source.reviewed_by.get_username() if source.reviewed_by else _("someone")
    raise ValidationError(
        _(
            "“%(name)s” was meanwhile marked %(status)s by %(who)s. Reload and review it "
            "again if you disagree."
        )
        % {
            "name": source.name,
            "status": source.get_review_status_display().lower(),
            "who": who,
        }
    )


@transaction.atomic
def source_add_alias(*, source: Source, name: str, user: AbstractBaseUser | None) -> SourceAlias:
    permissions.require_add_alias(user)
    key = source_check_name(name)
    alias = SourceAlias(source=source, name=" ".join(name.split()), name_key=key)
    alias.full_clean()
    alias._history_user = user
    alias.save()
    return alias


def source_resolve_or_propose(*, name: str, kind: str, user: AbstractBaseUser) -> Source:
    """The source going by `name` (or one of its aliases); else a new one, pending review.

    Two editors proposing the same new name at once both get the one source that won: the
    loser finds the name taken (by source_create's check, or by the unique name index, in
    a savepoint), and looks it up again, so neither claim is lost."""
    key = names.fold_name(name)
    existing = _claimed_name(key)
    if existing is not None:
        return existing.source
    try:
        return source_create(name=name, kind=kind, user=user)
    except ValidationError:
        # Taken between our look and the insert: by the check inside source_create (the
        # other editor committed just before it) or by the unique index (just after).
        existing = _claimed_name(key)
        if existing is None:
            raise
        return existing.source


def source_check_merge(*, keep: Source, others: list[Source]) -> list[int]:
    """The ids to merge into `keep`, or a ValidationError (before anyone is asked)."""
    other_ids = sorted({o.pk for o in others} - {keep.pk})
    if not other_ids:
        raise ValidationError(_("Pick at least one other source to merge into this one."))
    return other_ids


@transaction.atomic
def source_merge(*, keep: Source, others: list[Source], user: AbstractBaseUser) -> Source:
    """Merge duplicates into `keep`: their claims move to it, their names become its aliases,
    and they are deleted (their history stays). All or nothing, in one transaction."""
    from simple_history.utils import bulk_update_with_history

    permissions.require_review_sources(user)
    other_ids = source_check_merge(keep=keep, others=others)
    locked = {
        s.pk: s for s in Source.objects.select_for_update().filter(pk__in=[keep.pk, *other_ids])
    }
    if len(locked) != len(other_ids) + 1:
        raise ValidationError(_("One of these sources no longer exists. Reload and try again."))
    keep = locked[keep.pk]
    claims = list(Annotation.objects.filter(source_id__in=other_ids))
    gone = _merge_twin_claims(keep, claims, user)
    claims = [c for c in claims if c.pk is not None]  # the merged twins are deleted
    for claim in claims:
        claim.source = keep
        claim.updated_by = user
    bulk_update_with_history(
        claims,
        Annotation,
        ["source", "updated_by"],
        default_user=user,
        default_change_reason=f"source merged into “{keep.name}”",
    )
    for alias in SourceAlias.objects.filter(source_id__in=other_ids):
        alias.source = keep
        alias.is_primary = False
        alias._history_user = user
        alias.save()
    for pk in other_ids:
        other = locked[pk]
        other._history_user = user
        other._change_reason = f"merged into “{keep.name}”"
        other.delete()
    keep._history_user = user
    keep._change_reason = "merged " + ", ".join(f"“{locked[pk].name}”" for pk in other_ids)
    keep.save(update_fields=["updated_at"])
    keep.merged_claims = len(gone)
    return keep


def _merge_twin_claims(keep: Source, moving: list[Annotation], user) -> set[int]:
    """Claims that become one claim when their sources merge (the same passage and verdict,
    "SBU" and "Security Service of Ukraine"): the oldest stays, takes in a note, a public
    summary, evidence link or grade the others had and it lacked, and the others are
    deleted with a history record that names it. Returns the ids deleted."""
    live = [c for c in moving if c.anchor_state != Annotation.Anchor.ORPHANED]
    if not live:
        return set()
    staying = Annotation.objects.filter(
        source=keep, article_id__in={c.article_id for c in live}
    ).exclude(anchor_state=Annotation.Anchor.ORPHANED)
    groups: dict[tuple, list[Annotation]] = {}
    for claim in [*staying, *live]:
        groups.setdefault((claim.article_id, claim.start, claim.end, claim.label), []).append(claim)
    gone: set[int] = set()
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda c: (c.created_at, c.pk))
        survivor, twins = group[0], group[1:]
        linked = survivor.evidence_url
        for twin in twins:
            if twin.note and twin.note not in survivor.note:
                survivor.note = f"{survivor.note}\n{twin.note}".strip()
            survivor.public_summary = survivor.public_summary or twin.public_summary
            survivor.evidence_url = survivor.evidence_url or twin.evidence_url
            survivor.credibility = survivor.credibility or twin.credibility
            twin._history_user = user
            twin._change_reason = (
                f"merged into claim {survivor.pk}: the same passage and verdict once the "
                f"sources were merged into “{keep.name}”"
            )
            gone.add(twin.pk)
            twin.delete()
        survivor.updated_by = user
        survivor._history_user = user
        survivor._change_reason = "took in the claims merged into it"
        survivor.save(
            update_fields=["note", "public_summary", "evidence_url", "credibility", "updated_by"]
        )
        evidence_track(claim=survivor, previous_url=linked)
    return gone
