"""Personas and fixtures shared by the whole suite.

Roles are created here as well as by the data migration, because tests that use
`live_server` flush the database (and the groups with it) after each test.
"""

import os

import pytest
from django.contrib.auth.models import Group

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from annotations.permissions import EDITOR, REVIEWER, VIEWER, ensure_groups  # noqa: E402
from tests.factories import UserFactory  # noqa: E402


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` run in the PostgreSQL pass of `make test` only, and tests
    marked `layout` (page audits in which the database plays no part) in the SQLite pass
    only: CI runs both passes, so each runs once. A case marked `only_on("sqlite")` or
    `only_on("postgresql")` runs in that pass only: the cases of a parametrisation that
    differ in nothing the database plays a part in are shared out between the passes, so
    that CI runs each case once and the test itself on both databases."""
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    other = "layout" if on_postgres else "postgres"
    vendor = "postgresql" if on_postgres else "sqlite"

    def kept(item) -> bool:
        only_on = item.get_closest_marker("only_on")
        if only_on is not None and only_on.args[0] not in ("sqlite", "postgresql"):
            raise pytest.UsageError(f"{item.nodeid}: only_on takes 'sqlite' or 'postgresql'")
        return item.get_closest_marker(other) is None and (
            only_on is None or only_on.args[0] == vendor
        )

    keep = [item for item in items if kept(item)]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Django's default hasher takes about half a second a password, by design; tests that
    make users would spend minutes on it. Signing in works the same with a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def fourth_label(monkeypatch):
    """The label registry with a fourth label, as a desk would add one to labels.py (the
    model's choices and check constraint, made at import, would need a migration)."""
    from django.utils.translation import gettext_lazy as _

    from annotations import labels

    misleading = labels.ClaimLabel(
        key="misleading",
        name=_("Misleading"),
        code="KeyM",
        colour="#0e7490",
        tint="rgba(14, 116, 144, 0.2)",
        underline="dashed",
        glyph="!",
        glossary=_("Framed to suggest what the facts do not support."),
        rating="Misleading",
    )
    monkeypatch.setattr(labels, "LABELS", (*labels.LABELS, misleading))
    labels.check(labels.LABELS)
    return misleading


@pytest.fixture
def roles(db):
    ensure_groups()
    return {g.name: g for g in Group.objects.all()}


def _member(roles, username, group=None, **extra):
    user = UserFactory(username=username, **extra)
    if group:
        user.groups.add(roles[group])
    return user


@pytest.fixture
def viewer(roles):
    return _member(roles, "viewer", VIEWER)


@pytest.fixture
def editor(roles):
    return _member(roles, "editor", EDITOR)


@pytest.fixture
def other_editor(roles):
    return _member(roles, "other_editor", EDITOR)


@pytest.fixture
def reviewer(roles):
    return _member(roles, "reviewer", REVIEWER, is_staff=True)


@pytest.fixture
def admin_user(roles):
    return _member(roles, "admin", None, is_staff=True, is_superuser=True)


@pytest.fixture
def nobody(roles):
    """Signed in, but in no group."""
    return _member(roles, "nobody")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
