"""The interface in Ukrainian (and any language a desk adds): the catalogues are complete
and up to date, the language is chosen in the menu and kept on the profile, plurals and
dates follow the language, and exports never change with it."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from annotations import catalogues, keymap, labels
from annotations.models import UserProfile
from tests.factories import ArticleFactory, SourceFactory, claim_by

LOCALE = Path(settings.LOCALE_PATHS[0])
DOMAINS = ["django", "djangojs"]
# Ukrainian's three forms: one (1, 21, 31…), few (2-4, 22-24…), many (5-20, 25-30…, 11-14).
UK_PLURALS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);"
)
# Named placeholders ("%(count)s", "{name}") and markup ("<strong>", "<kbd>") that a
# translation must keep: the code and the templates fill them in.
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|(?<!\{)\{\w*\}(?!\})|</?[a-z]+[^>]*>")


def _catalogue(language: str, domain: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / f"{domain}.po"))


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def _key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


# --- The Ukrainian catalogue ---------------------------------------------------------------


def test_languages_are_english_and_ukrainian():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "uk"]
    assert settings.LANGUAGE_CODE == "en"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_entry_of_the_ukrainian_catalogue_is_translated(domain):
    po = _catalogue("uk", domain)
    assert po.metadata["Plural-Forms"] == UK_PLURALS
    assert po.metadata["Language"] == "uk"
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [], f"{len(untranslated)} untranslated: {untranslated[:20]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"
    assert po.percent_translated() == 100


@pytest.mark.parametrize("domain", DOMAINS)
def test_translations_keep_their_placeholders_and_markup(domain):
    wrong = []
    for entry in _catalogue("uk", domain).translated_entries():
        if entry.msgid_plural:
            wanted = _placeholders(entry.msgid_plural)
            forms = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
            if len(forms) != 3:
                wrong.append((entry.msgid, "needs three plural forms"))
            wrong += [(entry.msgid, form) for form in forms[1:] if _placeholders(form) != wanted]
            # The form for 1 (and 21, 31…) has the singular's placeholders, and may have more.
            first, singular = set(_placeholders(forms[0])), set(_placeholders(entry.msgid))
            if not singular <= first <= singular | set(wanted):
                wrong.append((entry.msgid, forms[0]))
        elif _placeholders(entry.msgstr) != _placeholders(entry.msgid):
            wrong.append((entry.msgid, entry.msgstr))
    assert wrong == []


def _gathered_now(tmp_path: Path, domain: str) -> polib.POFile:
    """What `makemessages` gathers from the source as it is now, into a copy of the project
    (never into the committed catalogues)."""
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    for part in ("annotations", "newsroom", "templates", "static"):
        shutil.copytree(
            root / part,
            copy / part,
            ignore=shutil.ignore_patterns("__pycache__", "locale", "jsi18n", "*.mo", "*.po"),
        )
    shutil.copy(root / "manage.py", copy / "manage.py")
    (copy / "annotations" / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "uk", "-d", domain, "--no-obsolete"],
        cwd=copy,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "PYTHONPATH": str(copy)},
        check=True,
        capture_output=True,
    )
    return polib.pofile(
        str(copy / "annotations" / "locale" / "uk" / "LC_MESSAGES" / f"{domain}.po")
    )


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="GNU gettext (xgettext) is not installed, so makemessages cannot gather the source's "
    "strings to compare; CI installs it (.ci/run)",
)
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogues_hold_exactly_the_strings_of_the_source(tmp_path, domain):
    """A string added to a template or the code without `make messages`, or one left in the
    catalogue after the code dropped it, fails here."""
    now = {_key(e) for e in _gathered_now(tmp_path, domain) if not e.obsolete}
    committed = {_key(e) for e in _catalogue("uk", domain) if not e.obsolete}
    assert sorted(now - committed) == [], "run `make messages` and translate the new strings"
    assert sorted(committed - now) == [], "run `make messages` (these are no longer used)"


def test_compile_catalogues_writes_the_mo_files_with_polib(tmp_path):
    po_dir = tmp_path / "uk" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    shutil.copy(LOCALE / "uk" / "LC_MESSAGES" / "django.po", po_dir / "django.po")
    assert catalogues.compile_all([tmp_path]) == [po_dir / "django.mo"]
    assert catalogues.compile_all([tmp_path]) == []  # up to date: nothing written
    mo = polib.mofile(str(po_dir / "django.mo"))
    assert mo.find("Claims").msgstr == _catalogue("uk", "django").find("Claims").msgstr


# --- Plurals, dates and keys in Ukrainian --------------------------------------------------


# The counts as the claim list and the article list write them (their msgids).
CLAIMS = "{{ counter }} claim{% plural %}{{ counter }} claims"
ARTICLES = "{{ n }} article{% plural %}{{ n }} articles"


@pytest.mark.parametrize(
    ("sentence", "n", "ukrainian", "english"),
    [
        (CLAIMS, 1, "1 твердження", "1 claim"),
        (CLAIMS, 2, "2 твердження", "2 claims"),
        (CLAIMS, 5, "5 тверджень", "5 claims"),
        (CLAIMS, 21, "21 твердження", "21 claims"),
        (ARTICLES, 1, "1 стаття", "1 article"),
        (ARTICLES, 2, "2 статті", "2 articles"),
        (ARTICLES, 5, "5 статей", "5 articles"),
        (ARTICLES, 11, "11 статей", "11 articles"),
        (ARTICLES, 21, "21 стаття", "21 articles"),
    ],
)
def test_counts_take_the_three_ukrainian_plural_forms(sentence, n, ukrainian, english):
    template = Template(
        "{% load i18n %}{% blocktranslate count counter=n with n=n %}"
        + sentence
        + "{% endblocktranslate %}"
    )
    with translation.override("uk"):
        assert template.render(Context({"n": n})) == ukrainian
    with translation.override("en"):
        assert template.render(Context({"n": n})) == english


def test_dates_and_numbers_follow_the_language():
    from datetime import datetime

    from django.utils import formats

    when = datetime(2026, 12, 2, 9, 30)
    template = Template('{% load humanize %}{{ when|date:"DATE_FORMAT" }} {{ n|intcomma }}')
    with translation.override("uk"):
        assert template.render(Context({"when": when, "n": 12345})) == "2 грудня 2026 12\xa0345"
        assert formats.date_format(when, "DATETIME_FORMAT") == "2 грудня 2026, 09:30"
    with translation.override("en"):
        assert template.render(Context({"when": when, "n": 12345})) == "2 Dec 2026 12,345"


def test_the_keys_are_named_as_printed_on_a_ukrainian_keyboard():
    with translation.override("uk"):
        assert [label.letter for label in labels.LABELS] == ["М", "В", "Г"]
        tag_keys = [
            s.keys
            for s in keymap.shortcuts()
            if s.scope == keymap.TEXT and s.bindings and s.bindings[0].action == "tag"
        ]
        assert [str(k) for k in tag_keys] == ["М", "В", "Г"]
        # …and they are still matched by the key's place, whatever the layout.
        tags = keymap.client()["bindings"]
        assert [b["code"] for b in tags if b["action"] == "tag"] == ["KeyV", "KeyD", "KeyU"] * 2
    with translation.override("en"):
        assert [label.letter for label in labels.LABELS] == ["V", "D", "U"]


# --- Choosing the language -----------------------------------------------------------------


def _lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.django_db
def test_the_browser_language_is_the_default(client, editor):
    client.force_login(editor)
    url = reverse("annotations:article-list")
    assert _lang(client.get(url, HTTP_ACCEPT_LANGUAGE="uk-UA,uk;q=0.9,en;q=0.5")) == "uk"
    assert _lang(client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")) == "en"
    assert _lang(client.get(url, HTTP_ACCEPT_LANGUAGE="fr-FR")) == "en"  # not offered
    assert "Статті" in client.get(url, HTTP_ACCEPT_LANGUAGE="uk").content.decode()


@pytest.mark.django_db
def test_the_switcher_keeps_the_choice_on_the_profile(client, editor):
    client.force_login(editor)
    page = reverse("annotations:claim-list") + "?label=verified"
    response = client.post(
        reverse("annotations:language"), {"language": "uk", "next": page}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302 and response["Location"] == page  # back where it was
    assert UserProfile.objects.get(user=editor).language == "uk"
    assert _lang(client.get(page, HTTP_ACCEPT_LANGUAGE="en")) == "uk"  # over the browser's

    # Another browser, a new sign-in: the profile's language, not this browser's.
    other = type(client)()
    other.force_login(editor)
    assert _lang(other.get(page, HTTP_ACCEPT_LANGUAGE="en")) == "uk"

    # Blank: follow the browser again.
    client.post(reverse("annotations:language"), {"language": "", "next": page})
    assert UserProfile.objects.get(user=editor).language == ""
    assert _lang(client.get(page, HTTP_ACCEPT_LANGUAGE="en")) == "en"
    assert _lang(client.get(page, HTTP_ACCEPT_LANGUAGE="uk")) == "uk"


@pytest.mark.django_db
def test_a_session_from_before_profiles_reads_the_profile_once(client, editor):
    from annotations import services
    from annotations.services.profiles import LANGUAGE_SESSION_KEY

    services.profile_set_language(user=editor, language="uk")
    client.force_login(editor)
    session = client.session
    del session[LANGUAGE_SESSION_KEY]  # as a session made before this release
    session.save()
    assert _lang(client.get(reverse("annotations:source-list"), HTTP_ACCEPT_LANGUAGE="en")) == "uk"
    assert client.session[LANGUAGE_SESSION_KEY] == "uk"


@pytest.mark.django_db
def test_the_switcher_refuses_a_language_not_offered_and_changes_nothing(client, viewer):
    client.force_login(viewer)
    response = client.post(reverse("annotations:language"), {"language": "fr", "next": "/"})
    assert response.status_code == 400
    assert "not one this desk offers" in response.content.decode()
    assert not UserProfile.objects.filter(user=viewer).exists()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_the_switcher_ignores_a_next_on_another_site(client, viewer):
    client.force_login(viewer)
    response = client.post(
        reverse("annotations:language"), {"language": "uk", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.mark.django_db
def test_signed_out_the_switcher_sets_the_cookie(client):
    login = reverse("login")
    response = client.post(reverse("annotations:language"), {"language": "uk", "next": login})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "uk"
    page = client.get(login, HTTP_ACCEPT_LANGUAGE="en")
    assert _lang(page) == "uk"
    assert 'value="uk" lang="uk" selected' in page.content.decode()


@pytest.mark.django_db
def test_the_menu_has_the_switcher_as_a_form(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("annotations:dashboard")).content.decode()
    form = re.search(r'<form class="language-switch".*?</form>', html, re.S).group(0)
    assert f'action="{reverse("annotations:language")}"' in form
    assert 'method="post"' in form and "csrfmiddlewaretoken" in form
    assert '<label for="language-select"' in form and '<button type="submit"' in form
    assert '<option value="uk" lang="uk">Українська</option>' in form
    assert '<option value="en" lang="en">English</option>' in form


@pytest.mark.django_db
def test_the_choice_costs_no_query_per_request(client, editor, django_assert_max_num_queries):
    """The profile's language is read once, at sign-in, into the session."""
    client.force_login(editor)
    client.post(reverse("annotations:language"), {"language": "uk", "next": "/"})
    url = reverse("annotations:source-list")
    client.get(url)
    with translation.override("en"), django_assert_max_num_queries(100) as queries:
        client.get(url)
    assert not any("annotations_userprofile" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_the_admin_shows_the_profile_on_the_user(client, admin_user, editor):
    client.force_login(admin_user)
    html = client.get(reverse("admin:auth_user_change", args=[editor.pk])).content.decode()
    assert 'name="profile-0-language"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Sign in again"), ("uk", "Увійдіть знову")]
)
def test_the_scripts_sentences_are_a_static_file_per_language(client, language, expected):
    """app.js reads its sentences from Django's JavaScript catalogue, written as a static file
    (catalogues.write_js_catalogues): every page, the sign-in page too, loads the reader's."""
    from django.contrib.staticfiles import finders

    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    src = f"/static/jsi18n/{language}.js"
    assert html.index(f'<script src="{src}" defer>') < html.index("js/app.js")
    script = Path(finders.find(src.removeprefix("/static/"))).read_text(encoding="utf-8")
    if language == "uk":
        assert '"Sign in again": ' + json.dumps(expected) in script  # escaped as JSON
    assert "django.gettext = function" in script and "eval(" not in script


# --- Exports never change with the language ------------------------------------------------


EXPORTS = [
    "annotations:export-csv",
    "annotations:export-jsonld",
    "annotations:export-claimreview",
    "api:claim-list",
    "api:export-csv",
    "api:w3c-container",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", EXPORTS)
def test_exports_are_the_same_in_every_language(client, editor, url_name):
    sbu = SourceFactory(name="Security Service of Ukraine")  # approved: ClaimReview has it
    article = ArticleFactory(published_at="2026-03-01T10:00:00Z")
    claim_by(
        editor,
        article,
        "31 of 38 drones were shot down",
        label="verified",
        public_summary="Confirmed by the air force.",
    )
    claim_by(editor, article, "Residents had reportedly been evacuated", label="unattributed")
    claim_by(
        editor,
        article,
        "all designated objects were struck",
        source=sbu,
        credibility=3,
        public_summary="Not confirmed by anyone else.",
    )
    client.force_login(editor)
    url = reverse(url_name)

    def body(language: str) -> bytes:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        return b"".join(response.streaming_content) if response.streaming else response.content

    english = body("en")
    client.post(reverse("annotations:language"), {"language": "uk", "next": "/"})
    ukrainian = body("uk")
    assert ukrainian == english
    assert b"disputed" in english or b'"Disputed"' in english  # ClaimReview: its rating
    for label in labels.LABELS:  # keys, never the names people read
        with translation.override("uk"):
            assert str(label.name).encode() not in english


# SVG coordinates, sizes and view boxes: numbers for the browser, never in a language's
# format ("198,0" is no coordinate: a Ukrainian chart drew nothing).
_SVG_NUMBER = re.compile(r'\s(?:x|y|x1|x2|y1|y2|width|height|viewBox)="[^"]*\d,\d')


def test_charts_write_their_numbers_for_the_browser_in_any_language(client, editor):
    article = ArticleFactory(body="Report\n\nOne claim here, and a second claim there.")
    claim_by(editor, article, "One claim here", label="disputed")
    claim_by(editor, article, "a second claim there", label="unattributed")
    client.force_login(editor)
    for url in (reverse("annotations:dashboard"),):
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        ukrainian = client.get(url, HTTP_ACCEPT_LANGUAGE="uk").content.decode()
        assert "<rect" in english and "<rect" in ukrainian
        assert not _SVG_NUMBER.findall(english)
        assert not _SVG_NUMBER.findall(ukrainian), _SVG_NUMBER.findall(ukrainian)[:3]
