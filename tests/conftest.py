"""Personas and fixtures shared by the whole suite.

Roles are created here as well as by the data migration, because tests that use
`live_server` flush the database (and the groups with it) after each test.
"""

import os
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.test import override_settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.factories import persona, role_groups  # noqa: E402

# Django's default hasher takes about half a second a password, by design; tests that make
# users would spend minutes on it. Signing in works the same with a fast hasher.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _on_postgresql() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


# pytest-django's fixtures that give a test the database (`fixturenames` holds every
# fixture a test uses, those its fixtures use included).
_DATABASE_FIXTURES = frozenset(
    {
        "_django_db_helper",
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


def _uses_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or not _DATABASE_FIXTURES.isdisjoint(
        getattr(item, "fixturenames", ())
    )


def _browser_on_sqlite_only(item) -> bool:
    """A browser test left out of the PostgreSQL pass (pytest_collection_modifyitems)."""
    return item.get_closest_marker("browser") is not None and not any(
        item.get_closest_marker(name) for name in ("both_passes", "only_on")
    )


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` run in the PostgreSQL pass of `make test` only, and tests
    marked `layout` (page audits in which the database plays no part) in the SQLite pass
    only: CI runs both passes, so each runs once. A case marked `only_on("sqlite")` or
    `only_on("postgresql")` runs in that pass only: the cases of a parametrisation that
    differ in nothing the database plays a part in are shared out between the passes, so
    that CI runs each case once and the test itself on both databases.

    A test that uses no database at all (no `django_db` mark, no fixture that opens one:
    pytest-django refuses it any query) runs in the SQLite pass only: in the PostgreSQL
    pass it would run the very same code again.

    A browser test (under tests/browser/, marked `browser` here) runs in the SQLite pass
    only, unless it is marked `both_passes` or its case `only_on("postgresql")`: it drives
    the interface (markup, scripts, keys), the same on either database, through views and
    services whose every database-dependent path the other tests run in both passes. The few
    marked `both_passes` drive a save, an edit and a live update on PostgreSQL too."""
    for item in items:
        if item.path.parent.name == "browser":
            item.add_marker(pytest.mark.browser)
    on_postgres = _on_postgresql()
    other = "layout" if on_postgres else "postgres"
    vendor = "postgresql" if on_postgres else "sqlite"

    def kept(item) -> bool:
        only_on = item.get_closest_marker("only_on")
        if only_on is not None and only_on.args[0] not in ("sqlite", "postgresql"):
            raise pytest.UsageError(f"{item.nodeid}: only_on takes 'sqlite' or 'postgresql'")
        if on_postgres and (not _uses_database(item) or _browser_on_sqlite_only(item)):
            return False
        return item.get_closest_marker(other) is None and (
            only_on is None or only_on.args[0] == vendor
        )

    keep = [item for item in items if kept(item)]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    """The translations as the app reads them: each .mo compiled from its .po when missing or
    older, and the scripts' catalogues written from them (`make setup` does the same; a bare
    `pytest` run must not test stale ones)."""
    from pathlib import Path

    from django.conf import settings

    from annotations import catalogues

    catalogues.compile_all(settings.LOCALE_PATHS)
    languages = [code for code, _name in settings.LANGUAGES]
    catalogues.write_js_catalogues(Path(settings.BASE_DIR) / "static", languages)


@pytest.fixture(autouse=True)
def _language_put_back():
    """A request activates its language (LocaleMiddleware) in the thread that served it, and
    it stays active after the response, as in Django; the next test starts in the desk's."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete_on_postgresql():
    """After each test that commits (`transactional_db`, `live_server`), Django empties every
    table. On PostgreSQL it does so with one TRUNCATE of all of them, which costs from a tenth
    of a second to over a second (a new file for each table, and a sync); DELETE FROM each,
    for the few rows a test leaves, costs milliseconds, and is what Django's flush does on
    SQLite. The end is the same: every table empty, sequences not reset (a test that asks
    for `reset_sequences` still gets Django's TRUNCATE). Django's foreign keys are
    DEFERRABLE, and the flush is one transaction: they are checked when all is deleted."""
    if not _on_postgresql():
        yield
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            "SET CONSTRAINTS ALL DEFERRED;",
            *(f"DELETE FROM {self.quote_name(table)};" for table in tables),  # noqa: S608 - table names from Django
        ]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(scope="session", autouse=True)
def _commits_not_waiting_for_the_disk():
    """On PostgreSQL, each connection of the tests (and of the live server's threads) sets
    `synchronous_commit` off: a commit returns before its WAL is on disk. What a transaction
    sees, locks and commits is the same; only a crash of the server could lose the last
    commits of this throwaway database. It spares a disk sync for every commit, and the
    suite commits often (each write of a `transactional_db` test, each flush)."""
    if not _on_postgresql():
        yield
        return
    from django.db.backends.signals import connection_created

    def no_wait(sender, connection, **kwargs):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")

    connection_created.connect(no_wait, weak=False)
    yield
    connection_created.disconnect(no_wait)


@pytest.fixture(autouse=True)
def _fresh_name_index():
    """The source name index is kept between requests; each test starts without it."""
    from annotations import selectors

    selectors.forget_name_index()


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
    return role_groups()


@pytest.fixture
def viewer(roles):
    return persona("viewer", roles)


@pytest.fixture
def editor(roles):
    return persona("editor", roles)


@pytest.fixture
def other_editor(roles):
    return persona("other_editor", roles)


@pytest.fixture
def reviewer(roles):
    return persona("reviewer", roles)


@pytest.fixture
def admin_user(roles):
    return persona("admin_user", roles)


@pytest.fixture
def sbu(editor):
    """A source the editor proposed (pending), with an alias: "SBU"."""
    from annotations import services

    source = services.source_create(
        name="Security Service of Ukraine", kind="intelligence", user=editor
    )
    services.source_add_alias(source=source, name="SBU", user=editor)
    return source


@pytest.fixture
def nobody(roles):
    """Signed in, but in no group."""
    return persona("nobody", roles)


@pytest.fixture(scope="session")
def rows_for_a_module(django_db_setup, django_db_blocker):
    """For a module-scoped fixture that makes rows once for all the module's tests, where
    making them for each test would cost more than the test: `with rows_for_a_module():`
    around making them and yielding them. They are made in a transaction that is rolled back
    after the module's last test, and each test runs in a savepoint inside it (pytest-django's
    `db`, as ever), so every test starts from exactly those rows and what it writes is gone
    before the next. For tests that do not use `transactional_db` (nor `live_server`).

    What each test receives should be a copy (`copy.deepcopy`) of the instances made, or
    read again, since a test may change them in memory; and whatever must be "a moment old"
    (a delete that may still be undone) is done by the function-scoped fixture, for each
    test. Passwords are hashed with the fast hasher, as in the tests."""

    @contextmanager
    def rows():
        with (
            django_db_blocker.unblock(),
            override_settings(PASSWORD_HASHERS=FAST_HASHERS),
            transaction.atomic(),
        ):
            yield
            transaction.set_rollback(True)

    return rows


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
