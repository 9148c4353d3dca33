"""The interface in Ukrainian, in a real Chromium: an editor switches the language in the menu
(the profile keeps it), tags a claim with the Ukrainian keyboard's В key, and reads the
tagging form, the keys' help and the messages in Ukrainian. Screenshots (SHOTS) show that
the longer Ukrainian words fit their buttons, the popover and the help overlay."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, expect

from annotations.models import Annotation, UserProfile
from tests.browser.test_annotate_browser import (
    BODY,
    SHOTS,
    _key,
    assert_anchored,
    drag,
    open_article,
    popover,
    span_of,
    wait_for_claims,
)
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def article(db):
    return ArticleFactory(body=BODY, title="Night strike on Kharkiv")


def _overflowing(page: Page, selector: str) -> list[str]:
    """The texts of the elements matched whose content is wider than their box."""
    return page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)]
            .filter((el) => el.offsetParent && el.scrollWidth > el.clientWidth + 1)
            .map((el) => el.textContent.trim())""",
        selector,
    )


def switch_to_ukrainian(page: Page) -> None:
    """With the keyboard, as a screen reader user would: the select, then its button."""
    select = page.get_by_label("Language of the interface")
    select.focus()
    select.select_option("uk")
    page.keyboard.press("Tab")
    expect(page.locator(".language-switch button:focus")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "uk")


def test_switch_to_ukrainian_and_tag_a_claim(page, live_server, login, editor, article):
    SHOTS.mkdir(parents=True, exist_ok=True)
    open_article(page, live_server, login, editor, article)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch_to_ukrainian(page)

    # Back on the same page, in Ukrainian, and the choice is the editor's own.
    assert page.url.endswith(article.get_absolute_url())
    assert UserProfile.objects.get(user=editor).language == "uk"
    nav = page.locator("nav.mainnav")
    expect(nav.get_by_role("link", name="Статті")).to_be_visible()
    expect(nav.get_by_role("link", name="Твердження", exact=True)).to_be_visible()
    expect(page.get_by_label("Мова інтерфейсу")).to_have_value("uk")
    # The label buttons name the keys as printed on a Ukrainian keyboard.
    hint = page.locator("#tag-hint")
    expect(hint).to_contain_text("М")
    expect(hint).to_contain_text("підтверджено")
    page.screenshot(path=str(SHOTS / "i18n-article-uk.png"), full_page=False)
    assert _overflowing(page, ".topbar a, .topbar button, .label-button") == []

    # Select a passage: the tagging form, in Ukrainian.
    open_article(page, live_server, login, editor, article)
    expected = span_of(BODY, "Moscow did not confirm the figures")
    drag(page, *expected)
    expect(popover(page)).to_be_visible()
    expect(popover(page).locator('button[data-label="disputed"]')).to_contain_text("Під сумнівом")
    expect(popover(page).locator('button[data-label="disputed"] kbd')).to_have_text("В")
    popover(page).screenshot(path=str(SHOTS / "i18n-popover-uk.png"))
    assert _overflowing(page, "#claim-popover button, #claim-popover label") == []

    # The Ukrainian layout's В is the key D: disputed.
    _key(page, "KeyD", "в", 68)
    wait_for_claims(page, 1)
    claim = Annotation.objects.get()
    assert claim.label == Annotation.Label.DISPUTED
    assert_anchored(claim, BODY, expected)
    expect(page.locator("#announce")).to_contain_text("Твердження збережено")
    expect(page.locator("#claim-list li.claim").first).to_contain_text("Під сумнівом")

    # The keys' help: the same keys, named as the keyboard prints them.
    page.locator("#key-help-open").click()
    help_dialog = page.locator("#key-help")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Клавіатура")
    expect(help_dialog).to_contain_text("Позначити виділене як «Під сумнівом»")
    help_dialog.screenshot(path=str(SHOTS / "i18n-help-uk.png"))
    assert _overflowing(page, "#key-help th, #key-help td") == []
    page.keyboard.press("Escape")

    # The claims list and the export keep working in Ukrainian.
    page.goto(f"{live_server.url}/claims/")
    expect(page.locator("h1")).to_have_text("Твердження")
    expect(page.locator("#claim-results")).to_contain_text("1 твердження")
    page.screenshot(path=str(SHOTS / "i18n-claims-uk.png"), full_page=False)
    with page.expect_download() as download:
        page.get_by_role("link", name="Експорт CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    header = text.splitlines()[0]
    assert "label" in header and "disputed" in text  # machine keys, whatever the language
    assert "Під сумнівом" not in text and "позначка" not in header


def test_the_switcher_works_without_javascript(browser, live_server, editor, article):
    from django.conf import settings
    from django.test import Client

    context = browser.new_context(java_script_enabled=False)
    client = Client()
    client.force_login(editor)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/articles/")
    page.get_by_label("Language of the interface").select_option("uk")
    page.get_by_role("button", name="Apply the language").click()
    expect(page.locator("h1")).to_have_text("Статті")
    assert page.url.endswith("/articles/")
    context.close()


def test_the_longest_menu_fits_in_ukrainian(page, live_server, login, admin_user):
    """An admin's menu has every link; in Ukrainian its words are longer. Nothing in the top
    bar spills out of its box or over the next item."""
    from annotations import services

    SHOTS.mkdir(parents=True, exist_ok=True)
    services.profile_set_language(user=admin_user, language="uk")
    login(page, admin_user)
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    page.locator(".topbar").screenshot(path=str(SHOTS / "i18n-topbar-admin-uk.png"))
    assert _overflowing(page, ".topbar, .topbar a, .topbar button, .topbar select") == []
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.topbar .mainnav a, .topbar .usermenu > *')]
            .filter((el) => el.offsetParent)
            .map((el) => { const r = el.getBoundingClientRect();
                           return [el.textContent.trim(), r.left, r.right, r.top, r.bottom]; })"""
    )
    for (name, _left, right, top, bottom), (other, left2, _r, top2, _b) in itertools.pairwise(
        boxes
    ):
        # The next item is further along the row, or on a row of its own below.
        assert right <= left2 + 1 or top2 >= bottom - 1, f"{name!r} runs into {other!r}"
        assert bottom - top < 45, f"{name!r} wraps onto two lines"
