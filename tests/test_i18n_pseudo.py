"""Every string a person reads is translatable: every page, for each role, rendered with a
pseudo catalogue in which each translation is its English source between ⟦ and ⟧, shows no
text outside those marks.

The pages are found by following every link and every htmx GET from the main pages, as
each role sees them. What users wrote (articles, claims, sources, notes, names) is made of
words that contain "zqx", and is ignored; so are the users' names. The pseudo catalogue
stands in for the Ukrainian one (the page's language is uk), so Django's own strings (its
date names, the admin) come in Ukrainian and are told apart from ours by their script: any
Latin word left outside the marks is an untranslated string of ours.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from annotations import catalogues, services
from annotations.models import Annotation
from tests.factories import ArticleFactory, SourceFactory, claim_by

OPEN, CLOSE = "⟦", "⟧"
LOCALE = Path(settings.LOCALE_PATHS[0])

# Words that are names, not sentences: formats, standards and products, and each language's
# own name in the switcher; and what Django's admin writes as it is (a boolean's icon's alt
# text, simple-history's "None").
NOT_TRANSLATED = {
    "api", "csv", "json", "ld", "jsonld", "json-ld", "claimreview", "url", "sha", "warc",
    "utf", "html", "http", "https", "id", "english", "openapi", "swagger", "admiralty",
    "telegram", "iso", "true", "false", "none",
}  # fmt: skip
# What users wrote (every word of it has "zqx" in it, and a claim's context may cut one),
# API tokens' first characters, and hashes.
USER_TEXT = re.compile(r"\S*zqx\S*|nca_\S*|\b[0-9a-f]{16,}\b", re.IGNORECASE)
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]{2,}")
READ_ATTRIBUTES = {
    "title", "aria-label", "placeholder", "alt", "aria-description", "data-heading",
    "data-say", "data-confirm", "data-ask", "data-empty-text", "data-pick",
    "data-source-label",
}  # fmt: skip
SKIP_PATHS = ("/admin/", "/api/", "/static/", "/export/", "/jsi18n/", "/accounts/logout/")
PAGES_PER_ROLE = 250
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


# What the code fills in: left outside the marks, so that a value that is English words (a
# key shown as it is, a name not translated) is found too.
_FILLED_IN = re.compile(r"(%\(\w+\)[sdif]|%\.\d[fd]|%%|\{\w*\})")


def _marked(text: str) -> str:
    """ "Saved by %(who)s." -> "⟦Saved by ⟧%(who)s⟦.⟧": each piece of the sentence marked,
    what is filled in not."""
    return "".join(
        piece if _FILLED_IN.fullmatch(piece) or not piece else OPEN + piece + CLOSE
        for piece in _FILLED_IN.split(text)
    )


def _pseudo_catalogue(locale_dir: Path) -> None:
    """uk/LC_MESSAGES/django.mo in `locale_dir`: each msgstr is its msgid with every piece
    of text between ⟦ and ⟧."""
    source = polib.pofile(str(LOCALE / "uk" / "LC_MESSAGES" / "django.po"))
    pseudo = polib.POFile()
    pseudo.metadata = dict(source.metadata)
    for entry in source:
        if entry.obsolete:
            continue
        marked = polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid, flags=[])
        if entry.msgid_plural:
            marked.msgid_plural = entry.msgid_plural
            marked.msgstr_plural = {
                0: _marked(entry.msgid),
                1: _marked(entry.msgid_plural),
                2: _marked(entry.msgid_plural),
            }
        else:
            marked.msgstr = _marked(entry.msgid)
        pseudo.append(marked)
    target = locale_dir / "uk" / "LC_MESSAGES"
    target.mkdir(parents=True)
    pseudo.save(str(target / "django.po"))
    catalogues.compile_po(target / "django.po")


class _Text(HTMLParser):
    """The text a person reads on a page: text nodes (not scripts or styles), the
    attributes read aloud or shown, the labels of buttons; and the links to follow."""

    def __init__(self, within: str = ""):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, bool]] = []  # (url, is htmx)
        self._skip = 0
        # Only the text inside the element of this id (its links are all followed).
        self._within, self._depth = within, 0 if within else 1

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._within and (self._depth or attrs.get("id") == self._within):
            self._depth += 1
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append((attrs["href"], False))
        if attrs.get("hx-get"):
            self.links.append((attrs["hx-get"], True))
        if not self._depth:
            return
        for name in READ_ATTRIBUTES & attrs.keys():
            self.parts.append(attrs[name] or "")
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self.parts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if self._within and self._depth and tag not in VOID:
            self._depth -= 1

    def handle_data(self, data):
        if not self._skip and self._depth:
            self.parts.append(data)


def _unmarked(text: str, names: set[str]) -> list[str]:
    """The Latin words of `text` outside ⟦…⟧ (innermost first, as translations nest), other
    than users' text and names."""
    previous = None
    while previous != text:
        previous, text = text, re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
    users_words = " ".join([*USER_TEXT.findall(text), BODY]).lower()
    text = USER_TEXT.sub(" ", text)
    # A piece of a user's word (a claim's context is cut at 32 characters) is theirs too.
    words = [w for w in LATIN_WORD.findall(text) if w.lower() not in users_words]
    # Users' names as written (the user "editor" is not the role "Editor").
    return [w for w in words if w.lower() not in NOT_TRANSLATED and w not in names]


def _page_key(url: str) -> tuple[str, tuple[str, ...]]:
    """Pages that differ only in the values of their query (filters, page numbers) are one
    page here; numbers in the path too (article 3 and article 4 are one page)."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+/", "/N/", parts.path)
    return path, tuple(sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)}))


BODY = (
    "Zqxheadline zqxstrike\n\n"
    "Zqxsbu zqxsaid 31 zqxof 38 zqxdrones zqxwere zqxdown.\n"
    "Zqxministry zqxsaid “zqxall zqxobjects zqxwere zqxstruck”.\n\n"
    "Zqxresidents zqxhad zqxreportedly zqxbeen zqxevacuated."
)


def _rich_desk(editor, reviewer, admin_user) -> None:
    """A desk with something on every page: articles in each state, claims of each label
    (with sources, grades, notes, evidence, a shared claim), a claim deleted and one whose
    words a correction changed, sources approved and pending, a token, an import."""
    t = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    body = BODY
    source = SourceFactory(name="Zqxsecurity zqxservice", reliability="B")
    pending = services.source_create(name="Zqxpending zqxsource", kind="media", user=editor)
    services.source_add_alias(source=source, name="Zqxsbu", user=editor)
    first = ArticleFactory(
        title="Zqxfirst zqxarticle", body=body, outlet="Zqxwire", published_at=t, created_by=editor
    )
    second = ArticleFactory(
        title="Zqxsecond zqxarticle", body=body, outlet="Zqxdaily", url="https://zqx.example/2"
    )
    verified = claim_by(
        editor,
        first,
        "31 zqxof 38 zqxdrones",
        label="verified",
        source=source,
        credibility=2,
        note="Zqxnote zqxhere",
        evidence_url="https://zqx.example/evidence",
    )
    claim_by(editor, first, "Zqxministry zqxsaid", label="disputed", source=pending)
    claim_by(editor, first, "Zqxresidents zqxhad zqxreportedly", label="unattributed")
    twin = claim_by(editor, second, "31 zqxof 38 zqxdrones", label="verified", source=source)
    services.shared_claim_link(claim=twin, other=verified, user=editor)
    gone = claim_by(editor, second, "Zqxresidents zqxhad", label="unattributed")
    services.annotation_delete(annotation=gone, user=editor)
    doubtful = services.source_create(name="Zqxdoubtful", kind="social_media", user=editor)
    services.source_review(source=doubtful, user=reviewer, decision="rejected", note="Zqxwhy")
    for user in (editor, reviewer, admin_user):
        services.api_token_create(user=user, name="Zqxscript")
    first.refresh_from_db()
    services.article_correct(
        article=first,
        user=reviewer,
        expected_version=first.version,
        body=body.replace("Zqxministry zqxsaid", "Zqxministry zqxclaimed"),
        note="Zqxfix",
    )
    assert Annotation.objects.filter(anchor_state__in=["changed", "orphaned"]).exists()


START = [
    "annotations:dashboard",
    "annotations:article-list",
    "annotations:article-new",
    "annotations:article-import",
    "annotations:claim-list",
    "annotations:shared-claim-list",
    "annotations:source-list",
    "annotations:review-queue",
    "annotations:deleted-claims",
    "annotations:token-list",
    "password_change",
]


@pytest.fixture
def pseudo_locale(tmp_path, settings):
    _pseudo_catalogue(tmp_path)
    settings.LOCALE_PATHS = [tmp_path]  # resets Django's loaded catalogues (and after)
    settings.DESK_NAME = "Zqxdesk"
    translation.activate("uk")
    yield
    translation.deactivate()


def _crawl(
    client,
    names: set[str],
    start: list[str],
    skip: tuple[str, ...] = SKIP_PATHS,
    within: str = "",
) -> tuple[dict[str, list[str]], int]:
    queue = [(url, False) for url in start]
    seen: set = set()
    found: dict[str, list[str]] = {}
    pages = 0
    while queue and pages < PAGES_PER_ROLE:
        url, htmx = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(skip):
            continue
        key = (_page_key(url), htmx)
        if key in seen:
            continue
        seen.add(key)
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url, headers=headers, HTTP_ACCEPT_LANGUAGE="uk")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        parser = _Text(within)
        parser.feed(response.content.decode())
        words = _unmarked(" ".join(parser.parts), names)
        if words:
            found[url] = sorted(set(words))
        queue += parser.links
    return found, pages


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["viewer", "editor", "reviewer", "admin_user"])
def test_every_page_shows_only_translated_text(request, role, pseudo_locale, client):
    editor = request.getfixturevalue("editor")
    reviewer = request.getfixturevalue("reviewer")
    admin_user = request.getfixturevalue("admin_user")
    user = request.getfixturevalue(role)
    _rich_desk(editor, reviewer, admin_user)
    names = {"viewer", "editor", "reviewer", "admin"}
    client.force_login(user)
    found, pages = _crawl(client, names, [reverse(name) for name in START])
    assert pages >= 25, f"only {pages} pages reached"
    assert found == {}, "\n".join(f"{url}: {words}" for url, words in sorted(found.items()))


@pytest.mark.django_db
def test_the_sign_in_page_shows_only_translated_text(pseudo_locale, client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="uk")
    parser = _Text()
    parser.feed(response.content.decode())
    assert _unmarked(" ".join(parser.parts), set()) == []


def test_the_check_finds_an_unmarked_word():
    assert _marked("Saved by %(who)s, {n}%%.") == "⟦Saved by ⟧%(who)s⟦, ⟧{n}%%⟦.⟧"
    assert _unmarked(_marked("Saved by %(who)s.") % {"who": "system"}, set()) == ["system"]
    assert _unmarked(f"{OPEN}Claims{CLOSE} Zqxtitle Saved", set()) == ["Saved"]
    assert _unmarked(f"{OPEN}Tag as {OPEN}Verified{CLOSE}{CLOSE} · 12 CSV", set()) == []


# The admin: our models' lists and forms (Django's own words come in its Ukrainian; ours must
# be marked). Not the app's index (Django 5.2's new column headings have no Ukrainian yet),
# nor the history pages (simple-history's words), nor auth's users and groups (Django's
# permission names are stored in English), nor other apps' pages (axes, the task queue).
OURS = re.compile(r"^/admin/annotations/\w+/(\d+/change/)?$")
# Django's changelist search box has an icon whose alt text its template does not translate.
DJANGO_UNTRANSLATED = {"Search"}


@pytest.mark.django_db
def test_the_admin_shows_only_translated_text(request, pseudo_locale, client):
    editor = request.getfixturevalue("editor")
    reviewer = request.getfixturevalue("reviewer")
    admin_user = request.getfixturevalue("admin_user")
    _rich_desk(editor, reviewer, admin_user)
    client.force_login(admin_user)
    names = {"viewer", "editor", "reviewer", "admin"} | DJANGO_UNTRANSLATED
    skip = ("/admin/logout/", "/admin/password_change/", "/admin/jsi18n/", "/api/", "/static/")
    found, pages = _crawl(client, names, [reverse("admin:index")], skip, within="content")
    found = {url: words for url, words in found.items() if OURS.match(urlsplit(url).path)}
    assert pages >= 25, f"only {pages} pages reached"
    assert found == {}, "\n".join(f"{url}: {words}" for url, words in sorted(found.items()))
