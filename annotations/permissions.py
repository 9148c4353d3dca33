"""The roles table of DESIGN.md, as group permissions and a few rules about ownership.

Groups (created by a data migration, and by the test fixtures):
- Viewer: reads everything and exports.
- Editor: adds articles, creates claims and changes or deletes their own, proposes sources,
  corrects the text of articles they created.
- Reviewer: everything an editor does, on anyone's claims and articles; bulk import;
  reviews, grades and merges sources.
- Admin: a superuser (users, restoring deleted items).

Whoever deletes a claim may undo that delete for UNDO_DELETE_SECONDS; after that, and for
anyone else, bringing it back is an admin's restore.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

VIEWER = "Viewer"
EDITOR = "Editor"
REVIEWER = "Reviewer"

# How long the person who deleted a claim may undo it (the server decides, not the page).
UNDO_DELETE_SECONDS = 10

_VIEW = [
    "annotations.view_article",
    "annotations.view_annotation",
    "annotations.view_source",
    "annotations.view_sourcealias",
    "annotations.view_sharedclaim",
]
_EDIT = [
    "annotations.add_article",
    "annotations.change_article",
    "annotations.add_annotation",
    "annotations.change_annotation",
    "annotations.delete_annotation",
    "annotations.add_source",
    "annotations.add_sourcealias",
    "annotations.link_shared_claim",
]
_REVIEW = [
    "annotations.change_any_annotation",
    "annotations.correct_any_article",
    "annotations.import_articles",
    "annotations.change_source",
    "annotations.review_source",
    "annotations.change_sourcealias",
    "annotations.delete_sourcealias",
    "annotations.merge_shared_claim",
    # A desk's own cues for suggested claims (the admin's DeskCue pages).
    "annotations.view_deskcue",
    "annotations.add_deskcue",
    "annotations.change_deskcue",
    "annotations.delete_deskcue",
]

GROUP_PERMISSIONS: dict[str, list[str]] = {
    VIEWER: _VIEW,
    EDITOR: _VIEW + _EDIT,
    REVIEWER: _VIEW + _EDIT + _REVIEW,
}


# The roles as people read them (the group names above are keys: they never change).
ROLE_NAMES = {
    "admin": pgettext_lazy("role", "Admin"),
    REVIEWER: pgettext_lazy("role", "Reviewer"),
    EDITOR: pgettext_lazy("role", "Editor"),
    VIEWER: pgettext_lazy("role", "Viewer"),
    "": pgettext_lazy("role", "No role"),
}


def role_name(user) -> str:
    """The user's role as people read it (in their language), read from their (cached)
    permissions rather than a groups query."""
    if user.is_superuser:
        role = "admin"
    elif can_review_sources(user):
        role = REVIEWER
    elif can_annotate(user):
        role = EDITOR
    elif user.has_perm("annotations.view_article"):
        role = VIEWER
    else:
        role = ""
    return str(ROLE_NAMES[role])


def has_role(user) -> bool:
    """Signed in with a role (Viewer, Editor, Reviewer, or an admin): may see the desk's work,
    on the pages and through the API."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("annotations.view_article"))
    )


def can_add_article(user) -> bool:
    return user.has_perm("annotations.add_article")


def can_import(user) -> bool:
    return user.has_perm("annotations.import_articles")


def can_annotate(user) -> bool:
    return user.has_perm("annotations.add_annotation")


def can_change_annotation(user, annotation) -> bool:
    if user.has_perm("annotations.change_any_annotation"):
        return True
    return user.has_perm("annotations.change_annotation") and annotation.created_by_id == user.pk


def can_correct_article(user, article) -> bool:
    if user.has_perm("annotations.correct_any_article"):
        return True
    return user.has_perm("annotations.change_article") and article.created_by_id == user.pk


def can_propose_source(user) -> bool:
    return user.has_perm("annotations.add_source")


def can_review_sources(user) -> bool:
    return user.has_perm("annotations.review_source")


def can_link_claims(user) -> bool:
    """Link a claim to its appearances in other articles (a shared claim), or unlink it:
    anyone who tags claims, on anyone's claims, since a link changes no claim's words or
    verdict (history records who linked what)."""
    return user.has_perm("annotations.link_shared_claim")


def can_merge_shared_claims(user) -> bool:
    return user.has_perm("annotations.merge_shared_claim")


def can_restore(user) -> bool:
    return user.is_superuser


def can_undo_delete(user, annotation, *, deleted_by_id, deleted_at, now) -> bool:
    """The person who deleted `annotation` (as it was when deleted), who may still change it,
    within UNDO_DELETE_SECONDS of `deleted_at`."""
    return (
        deleted_by_id is not None
        and user.pk == deleted_by_id
        and can_change_annotation(user, annotation)
        and now - deleted_at <= timedelta(seconds=UNDO_DELETE_SECONDS)
    )


def can_resolve_orphans(user) -> bool:
    return user.has_perm("annotations.change_any_annotation")


def can_add_alias(user) -> bool:
    return user.has_perm("annotations.add_sourcealias")


def can_change_source(user) -> bool:
    return user.has_perm("annotations.change_source")


def can_see_url_import(user, url_import) -> bool:
    """A link import's job is read by the person who asked for it, and by admins."""
    return user.is_superuser or url_import.user_id == user.pk


# --- Required by the services ---------------------------------------------------------------
#
# Every service checks its own right with one of these, so the web pages, the admin, the
# commands and any later door get the same rules. A service called without a signed-in
# user refuses: commands that write name theirs with --user.


def _require(user, allowed, message: str) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Only a signed-in person of the desk can do this."))
    if not allowed(user):
        raise PermissionDenied(message)


def require_api_token(user) -> None:
    _require(user, has_role, _("Only people with a role on the desk can make API tokens."))


def require_add_article(user) -> None:
    _require(user, can_add_article, _("Your role cannot add articles."))


def require_import(user) -> None:
    _require(user, can_import, _("Only reviewers and admins can bulk import."))


def require_annotate(user) -> None:
    _require(user, can_annotate, _("Your role cannot tag claims or change articles' workflow."))


def require_change_annotation(user, annotation) -> None:
    _require(
        user,
        lambda u: can_change_annotation(u, annotation),
        _("You can change only the claims you made."),
    )


def require_resolve_orphans(user) -> None:
    _require(user, can_resolve_orphans, _("Only reviewers and admins resolve orphaned claims."))


def require_correct_article(user, article) -> None:
    _require(
        user,
        lambda u: can_correct_article(u, article),
        _("Only the editor who added this article, reviewers and admins can change it."),
    )


def require_link_claims(user) -> None:
    _require(user, can_link_claims, _("Your role cannot link claims as one shared claim."))


def require_merge_shared_claims(user) -> None:
    _require(user, can_merge_shared_claims, _("Only reviewers and admins merge shared claims."))


def require_propose_source(user) -> None:
    _require(user, can_propose_source, _("Your role cannot propose sources."))


def require_add_alias(user) -> None:
    _require(user, can_add_alias, _("Your role cannot add aliases."))


def require_change_source(user) -> None:
    _require(user, can_change_source, _("Only reviewers and admins change sources."))


def require_review_sources(user) -> None:
    _require(user, can_review_sources, _("Only reviewers and admins review and merge sources."))


def require_see_url_import(user, url_import) -> None:
    _require(
        user,
        lambda u: can_see_url_import(u, url_import),
        _("Only the person who asked for this import (or an admin) can see it."),
    )


def require_restore(user) -> None:
    _require(user, can_restore, _("Only admins restore deleted items."))


def require_undo_delete(
    user, annotation, *, deleted_by_id: int | None, deleted_at: datetime, now: datetime
) -> None:
    _require(
        user,
        lambda u: u.pk == deleted_by_id and can_change_annotation(u, annotation),
        _(
            "Only the person who deleted this claim can undo the delete. An admin can restore "
            "it from Deleted claims."
        ),
    )
    if not can_undo_delete(
        user, annotation, deleted_by_id=deleted_by_id, deleted_at=deleted_at, now=now
    ):
        raise PermissionDenied(
            _(
                "A delete can be undone for %(n)d seconds only, and that time has passed. An "
                "admin can restore the claim from Deleted claims."
            )
            % {"n": UNDO_DELETE_SECONDS}
        )


def ensure_groups(apps=None, *, partial: bool = False) -> None:
    """Create the role groups with their permissions (data migrations and test fixtures).
    `partial`: an early migration, before later models' permissions exist, sets what
    exists; a later migration sets them all."""
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, perms in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        codenames = [p.split(".", 1)[1] for p in perms]
        found = list(
            Permission.objects.filter(content_type__app_label="annotations", codename__in=codenames)
        )
        missing = set(codenames) - {p.codename for p in found}
        if missing and not partial:
            raise RuntimeError(f"Permissions missing for {group_name}: {sorted(missing)}")
        group.permissions.set(found)
