"""Login, roles and the pages that are open without it."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# The language switcher is open too: the sign-in page has it (it only sets the language cookie
# for someone signed out; tests/test_i18n.py).
OPEN = {"login", "healthz", "language"}


def _patterns(resolver=None, prefix="", *, api=False):
    """The pages (or, `api`, the API's endpoints: every name in the app "api" but its docs
    page, which is a page)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # the admin has its own login: checked below
            yield from _patterns(entry, prefix + str(entry.pattern), api=api)
        elif isinstance(entry, URLPattern):
            path = prefix + str(entry.pattern)
            is_api = path.startswith("api/") and entry.name != "docs"
            if is_api == api:
                yield path, entry.name


@pytest.mark.parametrize(("pattern", "name"), list(_patterns(api=True)))
def test_every_api_endpoint_answers_401_without_a_token_not_the_login_page(client, pattern, name):
    path = _example_path(pattern)
    for method in ("get", "post", "patch", "delete"):
        response = getattr(client, method)(path, headers={"HX-Request": "true"})
        assert response.status_code == 401, (method, path)
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")


def _example_path(pattern: str) -> str:
    path = re.sub(r"<int:\w+>", "1", pattern)
    path = re.sub(r"<(?:str|slug):\w+>", "x", path)
    return "/" + path.replace("^", "").replace("$", "")


def test_groups_exist_with_their_permissions():
    groups = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()
    }
    assert {"Viewer", "Editor", "Reviewer"} <= set(groups)
    assert "add_annotation" not in groups["Viewer"]
    assert "add_annotation" in groups["Editor"]
    assert "review_source" not in groups["Editor"]
    assert {"review_source", "change_any_annotation", "import_articles"} <= groups["Reviewer"]


@pytest.mark.parametrize(("pattern", "name"), list(_patterns()))
def test_every_page_requires_login(client, pattern, name):
    path = _example_path(pattern)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if name in OPEN:
            assert response.status_code != 302 or "/accounts/login/" not in response.get(
                "Location", ""
            )
        else:
            assert response.status_code == 302, (method, path)
            assert response["Location"].startswith("/accounts/login/"), (method, path)


@pytest.mark.parametrize(("pattern", "name"), [p for p in _patterns() if p[1] not in OPEN])
def test_htmx_requests_of_an_ended_session_get_401_not_the_login_page(client, pattern, name):
    """htmx would follow a redirect and paste the sign-in page into a popover or list."""
    path = _example_path(pattern)
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/articles/1/"}
    for method in ("get", "post"):
        response = getattr(client, method)(path, headers=headers)
        assert response.status_code == 401, (method, path)
        html = response.content.decode()
        assert "<html" not in html and "Your session has ended" in html
        assert 'data-login-url="/accounts/login/?next=/articles/1/"' in html


def test_a_stale_csrf_token_gets_a_readable_page(editor):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    page = client.post("/articles/new/", {"title": "x"})
    assert page.status_code == 403
    assert "This form has expired" in page.content.decode()
    fragment = client.post("/articles/new/", {"title": "x"}, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert fragment.status_code == 403 and "<html" not in html
    assert "Reload the page and try again; nothing was saved." in html


def test_admin_requires_login(client):
    response = client.get("/admin/annotations/source/")
    assert response.status_code == 302
    # The site-wide login guards the admin too; both login forms are throttled by axes.
    assert response["Location"].startswith("/accounts/login/?next=/admin/")


def test_root_sends_anonymous_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_login_page_and_sign_in(client, editor):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b"Sign in" in page.content
    response = client.post(
        "/accounts/login/", {"username": "editor", "password": "pw-for-tests-only"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    from django.db import connection
    from django.db.utils import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_security_headers(client, editor):
    client.force_login(editor)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_lockout_after_repeated_failures(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "editor", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "editor", "password": "pw-for-tests-only"}
    )
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content


def _fail_logins(client, times, forwarded):
    for _ in range(times):
        client.post(
            "/accounts/login/",
            {"username": "editor", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=forwarded,
        )


def _sign_in(client, forwarded):
    return client.post(
        "/accounts/login/",
        {"username": "editor", "password": "pw-for-tests-only"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_a_proxy_a_lockout_holds_the_attacker_not_everyone(client, editor, settings):
    """Behind nginx (PROXY_COUNT=1) every request comes from the proxy: the lockout is kept
    for the client's address the proxy appended, not for the proxy's, so an attacker's
    failures do not lock the editor out of their own account."""
    settings.PROXY_COUNT = 1
    _fail_logins(client, settings.AXES_FAILURE_LIMIT, "198.51.100.7")
    assert _sign_in(client, "198.51.100.7").status_code == 429
    assert _sign_in(client, "203.0.113.9").status_code == 302  # the editor, elsewhere


def test_behind_a_proxy_what_the_client_wrote_in_the_header_is_not_believed(
    client, editor, settings
):
    """An attacker who writes a new address left of the one the proxy appends each time is
    still held: only the proxy's entry counts."""
    settings.PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail_logins(client, 1, f"192.0.2.{n}, 198.51.100.7")
    assert _sign_in(client, "192.0.2.99, 198.51.100.7").status_code == 429


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.2"),  # no proxy: the header is ignored
        (1, "", "10.0.0.2"),  # fewer hops than proxies
        (1, "192.0.2.1, 198.51.100.7", "198.51.100.7"),
        (2, "192.0.2.1, 198.51.100.7, 10.0.0.9", "198.51.100.7"),  # TLS proxy, then nginx
        (1, "not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_rule(rf, settings, count, forwarded, expected):
    from annotations.clientip import client_ip

    settings.PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_createsuperuser_works(monkeypatch):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Desk-admin-pass-2026")
    call_command("createsuperuser", "--noinput", username="boss", email="boss@example.org")
    boss = get_user_model().objects.get(username="boss")
    assert boss.is_superuser and boss.check_password("Desk-admin-pass-2026")


def test_an_account_without_a_role_sees_nothing(client, nobody):
    client.force_login(nobody)
    for url in ("/", "/articles/", "/claims/", "/export/claims.csv", "/sources/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"no role yet" in response.content
    assert client.get("/accounts/password/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
