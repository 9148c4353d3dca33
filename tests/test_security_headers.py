"""Security defaults (DESIGN.md "Security defaults"), without a browser.

- The Content-Security-Policy and the other security headers on every kind of answer.
- No inline script and no `on*=` attribute in any page the app renders (the CSP would block
  them, and they are where injected markup would run), scanned with `html.parser`.
- htmx comes from our own static files (vendored by django-htmx), never from a CDN.
- The HTTPS switch: `check --deploy` is clean and the secure settings follow `HTTPS`. The
  settings are read at import, so those run `manage.py` in a subprocess.
"""

from __future__ import annotations

import os
import re
import secrets
import string
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from annotations import services
from annotations.models import Annotation
from tests.factories import AnnotationFactory, SourceFactory

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parent.parent


# --- Reading headers and pages -----------------------------------------------------------


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


class _Scan(HTMLParser):
    """Every <script> (with its attributes and text), every on* attribute, every style."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict] = []
        self.handlers: list[tuple[str, str, str]] = []
        self.styles: list[str] = []
        self.links: list[tuple[str, str, str]] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.append((tag, name, value or ""))
            if name.lower() == "style":
                self.styles.append(f"<{tag} style={value!r}>")
            if name.lower() in ("href", "src", "action", "formaction"):
                self.links.append((tag, name, value or ""))
        if tag == "style":
            self.styles.append("<style> element")
        if tag == "script":
            self._in_script = {"attrs": attributes, "text": ""}
            self.scripts.append(self._in_script)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._in_script = None

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script["text"] += data


def scan(html: str) -> _Scan:
    parser = _Scan()
    parser.feed(html)
    parser.close()
    return parser


def inline_problems(html: str, *, styles: bool = True) -> list[str]:
    found = scan(html)
    problems = []
    for script in found.scripts:
        if not script["attrs"].get("src"):
            problems.append(f"inline <script> {script['attrs']!r}: {script['text'][:120]!r}")
        elif script["text"].strip():
            problems.append(f"<script src> with a body: {script['text'][:120]!r}")
        src = script["attrs"].get("src") or ""
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", src, re.I):
            problems.append(f"script from another origin or scheme: {src!r}")
    problems += [f"event handler <{t} {n}={v!r}>" for t, n, v in found.handlers]
    for tag, name, value in found.links:
        if re.match(r"^\s*(?:javascript|vbscript|data):", value, re.I) and not (
            tag == "link" and value == "data:,"  # the empty favicon (img-src allows data:)
        ):
            problems.append(f"<{tag} {name}={value!r}>")
    if styles:
        problems += [f"inline style (style-src has no 'unsafe-inline'): {s}" for s in found.styles]
    return problems


# --- Data for every page -------------------------------------------------------------------


@pytest.fixture
def site(admin_user, editor, reviewer):
    """One of everything a page can show: claims with a source and evidence, an alias, a
    pending source, a correction with an orphaned claim, a deleted claim."""
    source = SourceFactory(name="Security Service of Ukraine", url="https://ssu.gov.ua/")
    services.source_add_alias(source=source, name="SBU", user=reviewer)
    pending = services.source_create(name="Ukrainian Air Force", user=editor, kind="military")
    article = services.article_create(
        user=editor,
        title="Strike on Kharkiv",
        body="Strike on Kharkiv\n\nAccording to the SBU, 31 of 38 drones were shot down.\n"
        "Residents had reportedly been evacuated.\nMoscow did not confirm the figures.",
        url="https://example.org/kharkiv",
        outlet="Frontline Wire",
        author="I. Petrenko",
    )
    claim = AnnotationFactory(
        article=article,
        quote_text="31 of 38 drones were shot down",
        source=source,
        note="Checked against the SBU channel",
        evidence_url="https://t.me/SBUkr/1",
        created_by=editor,
    )
    gone = services.annotation_create(
        article=article,
        user=editor,
        start=article.body.index("Residents"),
        end=article.body.index("Residents") + len("Residents had"),
        quote="Residents had",
        label="unattributed",
    ).annotation
    gone_pk = gone.pk
    services.annotation_delete(annotation=gone, user=editor)
    orphan = services.annotation_create(
        article=article,
        user=reviewer,
        start=article.body.index("Moscow"),
        end=article.body.index("Moscow") + len("Moscow did not confirm"),
        quote="Moscow did not confirm",
        label="disputed",
        new_source_name="Kremlin",
    ).annotation
    services.article_correct(
        article=article,
        user=reviewer,
        expected_version=1,
        body=article.body.replace("Moscow did not confirm", "The Kremlin declined to comment on"),
        note="sentence rewritten",
    )
    orphan.refresh_from_db()
    assert orphan.anchor_state == Annotation.Anchor.ORPHANED
    article.refresh_from_db()
    deleted_history_id = Annotation.history.get(id=gone_pk, history_type="-").history_id
    return {
        "article": article,
        "claim": claim,
        "orphan": orphan,
        "source": source,
        "pending": pending,
        "deleted_claim_pk": gone_pk,
        "deleted_history_id": deleted_history_id,
    }


def app_pages(site) -> list[tuple[str, dict]]:
    """(url, headers) of every screen and fragment an admin can open."""
    a, c, s = site["article"], site["claim"], site["source"]
    htmx = {"HX-Request": "true"}
    return [
        (reverse("annotations:article-list"), {}),
        (reverse("annotations:article-list") + "?q=kharkiv&status=new", {}),
        (reverse("annotations:article-list") + "?q=kharkiv", htmx),
        (reverse("annotations:article-new"), {}),
        (reverse("annotations:article-new") + "?tab=upload", {}),
        (reverse("annotations:article-new") + "?tab=url", {}),
        (reverse("annotations:article-import"), {}),
        (a.get_absolute_url(), {}),
        (reverse("annotations:article-correct", args=[a.pk]), {}),
        (reverse("annotations:article-history", args=[a.pk]), {}),
        (reverse("annotations:claim-by-quote", args=[a.pk]), {}),
        (reverse("annotations:claim-list"), {}),
        (reverse("annotations:claim-list") + "?label=disputed", htmx),
        (reverse("annotations:claim-edit", args=[c.pk]), {}),
        (reverse("annotations:claim-edit", args=[c.pk]), htmx),
        (reverse("annotations:claim-delete", args=[c.pk]), {}),
        (reverse("annotations:claim-delete", args=[c.pk]), htmx),
        (reverse("annotations:claim-item", args=[c.pk]), htmx),
        (reverse("annotations:claim-history", args=[c.pk]), {}),
        (reverse("annotations:claim-history", args=[c.pk]), htmx),
        (reverse("annotations:claim-history", args=[site["deleted_claim_pk"]]), {}),
        (reverse("annotations:claim-reattach", args=[site["orphan"].pk]), {}),
        (reverse("annotations:deleted-claims"), {}),
        (reverse("annotations:source-list"), {}),
        (reverse("annotations:source-list") + "?q=sbu", htmx),
        (reverse("annotations:source-picker") + "?source_q=SBU", htmx),
        (reverse("annotations:source-picker") + "?source_q=nobody+yet", htmx),
        (s.get_absolute_url(), {}),
        (site["pending"].get_absolute_url(), {}),
        (reverse("annotations:review-queue"), {}),
        (reverse("password_change"), {}),
        ("/no/such/page/", {}),
    ]


def admin_pages(site) -> list[str]:
    a, c, s = site["article"], site["claim"], site["source"]
    return [
        reverse("admin:index"),
        reverse("admin:annotations_article_changelist"),
        reverse("admin:annotations_article_change", args=[a.pk]),
        reverse("admin:annotations_article_add"),
        reverse("admin:annotations_article_history", args=[a.pk]),
        reverse("admin:annotations_annotation_changelist"),
        reverse("admin:annotations_annotation_change", args=[c.pk]),
        reverse("admin:annotations_annotation_add"),
        reverse("admin:annotations_source_changelist"),
        reverse("admin:annotations_source_change", args=[s.pk]),
        reverse("admin:annotations_source_add"),
        reverse("admin:annotations_pendingsource_changelist"),
    ]


# --- The CSP and the other headers ---------------------------------------------------------


def test_csp_forbids_inline_and_eval_and_framing(client, admin_user, site):
    client.force_login(admin_user)
    response = client.get(site["article"].get_absolute_url())
    assert response.status_code == 200
    header = response.headers["Content-Security-Policy"]
    directives = csp_directives(header)
    assert directives["script-src"] == ["'self'"], header
    assert directives["default-src"] == ["'self'"], header
    assert directives["object-src"] == ["'none'"], header
    assert directives["frame-ancestors"] == ["'none'"], header
    assert directives["base-uri"] in (["'none'"], ["'self'"]), header
    assert directives["form-action"] == ["'self'"], header
    for name, sources in directives.items():
        for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:"):
            if name == "img-src" and unsafe == "data:":
                continue  # the empty favicon
            assert unsafe not in sources, f"{name} allows {unsafe}: {header}"
    assert "Content-Security-Policy-Report-Only" not in response.headers


def _assert_security_headers(response, where: str) -> None:
    headers = response.headers
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin", where
    csp = csp_directives(headers.get("Content-Security-Policy", ""))
    assert csp.get("script-src") == ["'self'"], (where, headers.get("Content-Security-Policy"))
    assert csp.get("frame-ancestors") == ["'none'"], where


def test_security_headers_on_pages_fragments_errors_and_redirects(client, admin_user, site):
    # Signed out: the login page and the redirect to it.
    for url in (reverse("login"), reverse("annotations:article-list")):
        response = client.get(url)
        assert response.status_code in (200, 302), url
        _assert_security_headers(response, url)
    client.force_login(admin_user)
    for url, headers in app_pages(site):
        response = client.get(url, headers=headers)
        assert response.status_code in (200, 404), (url, response.status_code)
        _assert_security_headers(response, url)
    # A 403, a 4xx fragment for htmx, and a POST that redirects.
    response = client.post(
        reverse("annotations:claim-create", args=[site["article"].pk]),
        {"start": "0", "end": "1", "quote": "not there", "label": "verified"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code in (409, 422)
    _assert_security_headers(response, "claim-create error fragment")


def test_security_headers_on_a_forbidden_page(client, viewer, site):
    client.force_login(viewer)
    response = client.get(reverse("annotations:review-queue"))
    assert response.status_code == 403
    _assert_security_headers(response, "403")
    assert not inline_problems(response.content.decode())


def test_csp_can_be_switched_off_for_debugging(client, admin_user, site, settings):
    settings.CONTENT_SECURITY_POLICY = None
    client.force_login(admin_user)
    response = client.get(site["article"].get_absolute_url())
    assert "Content-Security-Policy" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"  # the rest stays on


def test_csp_enabled_env_switch():
    """CSP_ENABLED=0 (read at import) removes the policy; anything else keeps it."""
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY is not None))"
    )
    on = _settings_subprocess(code, {"CSP_ENABLED": "1"})
    off = _settings_subprocess(code, {"CSP_ENABLED": "0"})
    default = _settings_subprocess(code, {})
    assert (on, off, default) == ("true", "false", "true")


# --- No inline script, no handlers, in anything we render -----------------------------------


def test_no_inline_scripts_handlers_or_styles_in_app_pages(client, admin_user, site):
    client.force_login(admin_user)
    problems = {}
    for url, headers in app_pages(site):
        response = client.get(url, headers=headers)
        assert response.status_code in (200, 404), (url, response.status_code)
        found = inline_problems(response.content.decode())
        if found:
            problems[f"{url} {headers or ''}"] = found
    # Previews, error pages and fragments that only a POST produces.
    a = site["article"]
    posts = [
        (
            reverse("annotations:article-new"),
            {"title": "A new one", "body": "Para one.\n\nPara two.", "preview": "1"},
            {},
        ),
        (
            reverse("annotations:claim-create", args=[a.pk]),
            {"start": "0", "end": "3", "quote": "xyz", "label": "verified"},
            {"HX-Request": "true"},
        ),
        (
            reverse("annotations:claim-create", args=[a.pk]),
            {"start": "0", "end": "3", "quote": "xyz", "label": "verified"},
            {},
        ),
        (
            reverse("annotations:claim-by-quote", args=[a.pk]),
            {"quote": "Kharkiv", "label": "verified"},  # twice in the body: which one?
            {},
        ),
        (
            reverse("annotations:article-correct", args=[a.pk]),
            {"title": a.title, "body": a.body + "\nMore.", "version": "1"},  # stale: 409
            {},
        ),
    ]
    for url, data, headers in posts:
        response = client.post(url, data, headers=headers)
        assert response.status_code < 500, (url, response.status_code)
        found = inline_problems(response.content.decode())
        if found:
            problems[f"POST {url} {headers or ''}"] = found
    assert not problems, problems


def test_no_inline_scripts_or_handlers_in_admin_pages(client, admin_user, site):
    """The admin is Django's own, with our templates on top: it must not need inline script
    either (styles are Django's business; the browser test records what the CSP blocks)."""
    client.force_login(admin_user)
    problems = {}
    for url in admin_pages(site):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        found = inline_problems(response.content.decode(), styles=False)
        if found:
            problems[url] = found
    assert not problems, problems


def test_login_page_has_no_inline_script(client):
    response = client.get(reverse("login"))
    assert not inline_problems(response.content.decode())


# --- htmx from our static files, no CDN ----------------------------------------------------

CDN = re.compile(
    r"unpkg\.com|jsdelivr|cdnjs|googleapis|gstatic|cloudflare|jquery\.com|bootstrapcdn|"
    r"esm\.sh|skypack|fontawesome|fonts\.",
    re.I,
)
# An absolute or protocol-relative URL in something that loads a resource.
REMOTE_LOAD = re.compile(
    r"""(?:\bsrc\s*=\s*["']?|\bhref\s*=\s*["']?(?=[^"'>]*\.(?:css|js)\b)|@import\s+(?:url\()?["']?|url\(\s*["']?)"""
    r"""(?:https?:)?//""",
    re.I,
)


def _frontend_files() -> list[Path]:
    files = [
        p
        for folder in (REPO / "templates", REPO / "static")
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in {".html", ".js", ".css", ".txt", ".svg"}
    ]
    assert any(p.name == "base.html" for p in files) and any(p.suffix == ".js" for p in files)
    return files


def test_no_cdn_urls_in_templates_or_static():
    problems = []
    for path in _frontend_files():
        text = path.read_text(encoding="utf-8")
        for pattern in (CDN, REMOTE_LOAD):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(REPO)}:{line}: {match.group(0)!r}")
    assert not problems, problems


def test_htmx_2_is_served_from_our_static_files(client, editor):
    client.force_login(editor)
    html = client.get(reverse("annotations:article-list")).content.decode()
    srcs = [s["attrs"]["src"] for s in scan(html).scripts]
    htmx = [s for s in srcs if "htmx" in s]
    assert len(htmx) == 1, srcs
    assert htmx[0].startswith("/static/"), htmx
    assert re.search(r"/htmx-2(\.min)?\.js$", htmx[0]), htmx  # htmx 2, not 4
    for src in srcs:
        assert src.startswith("/static/"), f"script not from our static files: {src}"
        path = finders.find(src.removeprefix("/static/"))
        assert path, f"{src} is not among the static files"
    vendored = Path(finders.find(htmx[0].removeprefix("/static/"))).read_text(encoding="utf-8")
    assert re.search(r"""version:\s*["']2\.""", vendored), "the vendored htmx is not 2.x"
    # And it is configured for the CSP: no eval, no inline indicator styles, no script tags.
    meta = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", html)
    assert meta, "no htmx-config meta tag"
    import json

    config = json.loads(meta.group(1))
    assert config["allowEval"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["allowScriptTags"] is False
    codes = {rule["code"]: rule for rule in config["responseHandling"]}
    assert codes["409"]["swap"] is True and codes["422"]["swap"] is True


# --- The HTTPS switch (settings are read at import: subprocesses) --------------------------

_SETTINGS_ENV = {
    "DEBUG",
    "HTTPS",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_PROXY",
    "CSP_ENABLED",
    "CSRF_TRUSTED_ORIGINS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the test suite, never in a deployment
}


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SETTINGS_ENV}
    env["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    env.setdefault("SECRET_KEY", _random_secret())
    env.update(extra)
    return env


def _random_secret() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(50))


def _settings_subprocess(code: str, extra: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=_env(extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_check_deploy_is_clean_with_https():
    env = _env(
        {
            "HTTPS": "1",
            "SECRET_KEY": _random_secret(),
            "ALLOWED_HOSTS": "news.example.org",
            "DEBUG": "0",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output


_PRINT_SECURE = """
import django, json
django.setup()
from django.conf import settings as s
print(json.dumps({
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER,
    "SESSION_COOKIE_HTTPONLY": s.SESSION_COOKIE_HTTPONLY,
}))
"""


def test_https_switch_turns_on_secure_cookies_hsts_and_redirect():
    import json

    on = json.loads(
        _settings_subprocess(
            _PRINT_SECURE, {"HTTPS": "1", "SECRET_KEY": _random_secret(), "DEBUG": "0"}
        )
    )
    assert on["SESSION_COOKIE_SECURE"] is True
    assert on["CSRF_COOKIE_SECURE"] is True
    assert on["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert on["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert on["SECURE_SSL_REDIRECT"] is True
    assert on["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert on["SESSION_COOKIE_HTTPONLY"] is True

    off = json.loads(
        _settings_subprocess(
            _PRINT_SECURE, {"HTTPS": "0", "SECRET_KEY": _random_secret(), "DEBUG": "0"}
        )
    )
    # Plain http on a laptop (`docker compose up`): nothing that would lock the browser out.
    assert off["SESSION_COOKIE_SECURE"] is False
    assert off["CSRF_COOKIE_SECURE"] is False
    assert off["SECURE_HSTS_SECONDS"] == 0
    assert off["SECURE_SSL_REDIRECT"] is False
    assert off["SECURE_PROXY_SSL_HEADER"] is None
    assert off["SESSION_COOKIE_HTTPONLY"] is True


def test_https_responses_carry_hsts_and_secure_cookies(client, editor, settings):
    """What the HTTPS settings do to a response (set here, as the subprocess showed they are)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    # Plain http is redirected to https.
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    # Behind the proxy, over https: HSTS, and the cookies it sets are Secure.
    response = client.get(reverse("login"), headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.cookies["csrftoken"]["secure"] is True
    response = client.post(
        reverse("login"),
        {"username": editor.username, "password": "pw-for-tests-only"},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["sessionid"]["httponly"] is True


@pytest.mark.parametrize(
    ("argv", "runs"),
    [
        (["manage.py", "makemigrations", "--check"], True),
        (["manage.py", "runserver"], False),
        (["gunicorn", "newsroom.wsgi"], False),
    ],
)
def test_without_secret_key_only_model_reading_commands_start(argv, runs):
    """A server never starts without SECRET_KEY (DEBUG off); makemigrations --check may."""
    code = f"import sys; sys.argv = {argv!r}; import newsroom.settings"
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert (result.returncode == 0) == runs, result.stderr[-500:]
    if not runs:
        assert "Set SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "key",
    ["short", "x" * 60, "django-insecure-" + "k7Hq2Lw9Zp4Xr8Ts1Vy6Nb3Mc5Jd0Fg2Ah7Ek9Uo4Iy6Rt1"],
)
def test_a_weak_secret_key_stops_the_server_in_production(key):
    """What Django's check security.W009 calls weak (short, few distinct characters, or
    Django's insecure prefix) stops the settings from loading with DEBUG off."""
    code = "import sys; sys.argv = ['gunicorn', 'newsroom.wsgi']; import newsroom.settings"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=_env({"SECRET_KEY": key, "DEBUG": "0"}),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "SECRET_KEY is too weak" in result.stderr
    strong = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=_env({"SECRET_KEY": _random_secret(), "DEBUG": "0"}),
        capture_output=True,
        text=True,
    )
    assert strong.returncode == 0, strong.stderr[-500:]
