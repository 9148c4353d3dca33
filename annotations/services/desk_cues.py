"""A desk's own cues for suggested claims (DeskCue): saved and deleted by reviewers, in the
admin. Each is validated by `cues.validate_cue` (through the model's clean) before it is
written."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import DeskCue

__all__ = ["desk_cue_delete", "desk_cue_save"]


def _require(user, action: str) -> None:
    if not user.has_perm(f"annotations.{action}_deskcue"):
        raise PermissionDenied(_("Only reviewers may change the desk's cues."))


def desk_cue_save(*, cue: DeskCue, user) -> DeskCue:
    """Add or change a cue; the one who adds it is its `created_by`."""
    _require(user, "change" if cue.pk else "add")
    if cue.pk is None and cue.created_by_id is None:
        cue.created_by = user
    cue.full_clean()
    with transaction.atomic():
        cue.save()
    return cue


def desk_cue_delete(*, cue: DeskCue, user) -> None:
    _require(user, "delete")
    with transaction.atomic():
        cue.delete()
