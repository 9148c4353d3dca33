"""The roles table of DESIGN.md, as group permissions and a few rules about ownership.

Groups (created by a data migration, and by the test fixtures):
- Viewer: reads everything and exports.
- Editor: adds articles, creates claims and changes or deletes their own, proposes sources,
  corrects the text of articles they created.
- Reviewer: everything an editor does, on anyone's claims and articles; bulk import;
  reviews, grades and merges sources.
- Admin: a superuser (users, restoring deleted items).
"""

from __future__ import annotations

VIEWER = "Viewer"
EDITOR = "Editor"
REVIEWER = "Reviewer"

_VIEW = [
    "annotations.view_article",
    "annotations.view_annotation",
    "annotations.view_source",
    "annotations.view_sourcealias",
]
_EDIT = [
    "annotations.add_article",
    "annotations.change_article",
    "annotations.add_annotation",
    "annotations.change_annotation",
    "annotations.delete_annotation",
    "annotations.add_source",
    "annotations.add_sourcealias",
]
_REVIEW = [
    "annotations.change_any_annotation",
    "annotations.correct_any_article",
    "annotations.import_articles",
    "annotations.change_source",
    "annotations.review_source",
    "annotations.change_sourcealias",
    "annotations.delete_sourcealias",
]

GROUP_PERMISSIONS: dict[str, list[str]] = {
    VIEWER: _VIEW,
    EDITOR: _VIEW + _EDIT,
    REVIEWER: _VIEW + _EDIT + _REVIEW,
}


def role_name(user) -> str:
    """The user's role, read from their (cached) permissions rather than a groups query."""
    if user.is_superuser:
        return "Admin"
    if can_review_sources(user):
        return REVIEWER
    if can_annotate(user):
        return EDITOR
    if user.has_perm("annotations.view_article"):
        return VIEWER
    return "No role"


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


def can_restore(user) -> bool:
    return user.is_superuser


def ensure_groups(apps=None) -> None:
    """Create the role groups with their permissions (data migration and test fixtures)."""
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        codenames = [p.split(".", 1)[1] for p in perms]
        found = list(
            Permission.objects.filter(content_type__app_label="annotations", codename__in=codenames)
        )
        missing = set(codenames) - {p.codename for p in found}
        if missing:
            raise RuntimeError(f"Permissions missing for {group_name}: {sorted(missing)}")
        group.permissions.set(found)
