"""Phones and narrow windows (issue 16, item 4), in Chromium emulating a phone (touch, mobile
viewport): no page scrolls sideways at 390 or 360 px, the navigation folds into a menu that
still reaches Sign out, the claims table becomes cards, the article's claims go under the
text, and a claim is tagged by a touch selection and the bottom sheet's label buttons.

The data is made to be awkward on a small screen: unbroken URLs in the body, the notes and
the file names, a source named by its Telegram handle, long Cyrillic words.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from annotations import services
from annotations.models import Annotation, ImportRun
from bench.browser import install_walker
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory

# Layout only: run once, in the SQLite pass (see tests/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.layout]

WIDTHS = (390, 360)
HEIGHT = 844
PHONE = {"has_touch": True, "is_mobile": True}

LONG_URL = (
    "https://t.me/s/Voenkor_Kotenok_Z_official_channel_mirror_backup/123456789"
    "?utm_source=telegram_desktop_share&utm_medium=social&utm_campaign=overnight_strike_2026"
)
HANDLE = "t.me/Voenkor_Kotenok_Z_official_channel_mirror_backup_2026"
QUOTE = "Повітряні сили повідомили про знищення тридцяти одного дрона"
PARAGRAPHS = [
    "Нічна атака на Харків",
    f"Про удар першим написав канал {HANDLE}: {LONG_URL}",
    *(
        f"Абзац {n}: рятувальники працювали на місці до ранку, мешканців "
        "евакуювали, а енергетики відновлювали живлення району."
        for n in range(1, 9)
    ),
    f"{QUOTE}, а Міністерство оборони росії заявило, що «всі цілі уражено».",
    "Мешканці, за повідомленнями, були евакуйовані ще до світанку.",
]
BODY = "\n\n".join(PARAGRAPHS)


@pytest.fixture
def desk(editor, reviewer, admin_user):
    """An article, claims (one deleted), a long-named source and an import run."""
    source = SourceFactory(name=HANDLE, url=LONG_URL, description=f"Mirror of {LONG_URL}")
    article = ArticleFactory(
        title="Нічна атака на Харків: Повітряні сили, енергетики і Міноборони",
        body=BODY,
        url=LONG_URL,
        outlet="Укрінформ",
        created_by=editor,
    )
    claim = AnnotationFactory(
        article=article,
        quote_text=HANDLE,
        label=Annotation.Label.DISPUTED,
        source=source,
        created_by=editor,
        note=f"See {LONG_URL}",
        evidence_url=LONG_URL,
    )
    gone = AnnotationFactory(
        article=article,
        quote_text="всі цілі уражено",
        label=Annotation.Label.DISPUTED,
        source=source,
        created_by=editor,
    )
    gone_id = gone.pk
    services.annotation_delete(annotation=gone, user=admin_user)
    run = ImportRun.objects.create(
        user=reviewer,
        file_name=f"export_{'telegram_channel_dump_' * 5}2026-12-01.jsonl",
        format="jsonl",
        status=ImportRun.Status.DONE,
        articles_created=1,
        rows_failed=1,
        report=[{"line": 3, "kind": "error", "reason": f"Not a web address: {LONG_URL}x y"}],
        committed=[article.pk],
    )
    return SimpleNamespace(article=article, claim=claim, gone_id=gone_id, source=source, run=run)


# The first cell with a column name in the claims table: that name, what CSS shows before the
# cell, how its row is laid out, and the header row's width.
CARD_JS = """() => {
  const td = document.querySelector("table.claims tbody td[data-heading]");
  const head = document.querySelector("table.claims thead").getBoundingClientRect();
  return td && [td.dataset.heading, getComputedStyle(td, "::before").content,
                getComputedStyle(td.parentElement).display, Math.round(head.width)];
}"""


def phone(browser, width: int = WIDTHS[0], **extra):
    return browser.new_context(viewport={"width": width, "height": HEIGHT}, **PHONE, **extra)


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def check_pages(page: Page, base: str, paths: list[str], problems: list[str], who: str) -> None:
    """Every page at every width: it loads, and is no wider than the screen."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        for path in paths:
            response = page.goto(base + path)
            assert response is not None and response.status == 200, (who, path, response)
            if (seen := scroll_width(page)) > width:
                problems.append(f"{who} {path} at {width} px is {seen} px wide")


def test_no_page_scrolls_sideways(browser, live_server, login, desk, editor, reviewer, admin_user):
    article, claim = desk.article.pk, desk.claim.pk
    everyone = [
        "/",
        "/articles/",
        f"/articles/{article}/",
        "/claims/",
        "/sources/",
        f"/sources/{desk.source.pk}/",
        "/articles/new/",
        "/articles/new/?tab=upload",
        "/articles/new/?tab=url",
        f"/articles/{article}/correct/",
        f"/articles/{article}/history/",
        f"/articles/{article}/claims/by-quote/",
        f"/claims/{claim}/history/",
        f"/claims/{claim}/edit/",
        f"/claims/{claim}/delete/",
        "/accounts/password/",
        "/accounts/password/done/",
    ]
    reviewers = ["/sources/review/", "/articles/import/", f"/imports/{desk.run.pk}/"]
    admins = ["/claims/deleted/", f"/claims/{desk.gone_id}/history/"]
    problems: list[str] = []
    for user, paths in [
        (editor, everyone),
        (reviewer, everyone + reviewers),
        (admin_user, admins),
    ]:
        context = phone(browser)
        page = context.new_page()
        if user == editor:
            check_pages(page, live_server.url, ["/accounts/login/"], problems, "signed out")
        login(page, user)
        check_pages(page, live_server.url, paths, problems, user.username)
        if user == editor:
            # The claims table as cards: each cell names its column (from data-heading), the
            # header row is out of sight.
            page.goto(f"{live_server.url}/claims/")
            cards = page.evaluate(CARD_JS)
            if cards != ["Source", '"Source"', "block", 1]:
                problems.append(f"the claims table at {WIDTHS[-1]} px is not cards: {cards}")
        context.close()
    assert not problems, "\n".join(problems)


def test_menu_button_folds_the_navigation(browser, live_server, login, desk, reviewer):
    context = phone(browser)
    page = login(context.new_page(), reviewer)
    page.goto(f"{live_server.url}/claims/")
    toggle = page.locator("button.nav-toggle")
    sign_out = page.get_by_role("button", name="Sign out")
    links = page.locator("nav.mainnav a")

    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    menu = page.locator(f"#{toggle.get_attribute('aria-controls')}")
    expect(menu).to_be_hidden()
    expect(sign_out).to_be_hidden()

    toggle.tap()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(sign_out).to_be_visible()
    expect(sign_out).to_be_in_viewport()
    for i in range(links.count()):  # the reviewer's longer nav, all of it on screen
        expect(links.nth(i)).to_be_in_viewport()
    assert scroll_width(page) <= WIDTHS[0]

    # Escape closes it and gives focus back to the button; Enter opens it again.
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(sign_out).to_be_hidden()
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(sign_out).to_be_visible()
    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    # Tapping outside it closes it.
    page.touchscreen.tap(4, HEIGHT - 20)  # the page's margin, beside the cards
    expect(page).to_have_url(f"{live_server.url}/claims/")
    expect(sign_out).to_be_hidden()

    # Wide screens keep the bar as it was: no button, the links and Sign out in view.
    page.set_viewport_size({"width": 1400, "height": 900})
    expect(toggle).to_be_hidden()
    expect(sign_out).to_be_visible()
    expect(links.first).to_be_visible()
    context.close()

    # Without JavaScript the links wrap instead: all of them and Sign out are on screen.
    context = phone(browser, WIDTHS[1], java_script_enabled=False)
    page = login(context.new_page(), reviewer)
    page.goto(f"{live_server.url}/claims/")
    expect(page.locator("button.nav-toggle")).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport()
    links = page.locator("nav.mainnav a")
    for i in range(links.count()):
        expect(links.nth(i)).to_be_in_viewport()
    assert scroll_width(page) <= WIDTHS[1]
    context.close()


def test_tag_a_claim_by_touch_with_the_bottom_sheet(browser, live_server, login, desk, editor):
    context = phone(browser)
    page = login(context.new_page(), editor)
    page.goto(f"{live_server.url}{desk.article.get_absolute_url()}")
    body = page.locator("[data-article-body]")
    expect(body).to_be_visible()
    install_walker(page)

    # The text first, the claims under it: a whole list, neither sticky nor a scroll box.
    panel = page.locator(".claims-panel")
    assert panel.bounding_box()["y"] >= body.bounding_box()["y"] + body.bounding_box()["height"]
    assert panel.evaluate("el => getComputedStyle(el).position") == "static"
    assert panel.evaluate("el => el.scrollHeight <= el.clientHeight + 1")

    # A touch selection (long press, then the handles) is a selection without mouse events:
    # the page opens the sheet once it settles. The passage sits at the bottom of the screen.
    start = BODY.index(QUOTE)
    end = start + len(QUOTE)
    page.evaluate(
        """([s, e]) => {
          const box = window.__t.rect(s, e);
          window.scrollBy(0, box.bottom - window.innerHeight + 30);
          const sel = getSelection();
          sel.removeAllRanges();
          sel.addRange(window.__t.rangeOf(s, e));
        }""",
        [start, end],
    )
    sheet = page.locator("#claim-popover")
    expect(sheet).to_be_visible()
    box = sheet.bounding_box()
    assert (box["x"], box["width"]) == (0, WIDTHS[0])
    assert abs(box["y"] + box["height"] - HEIGHT) <= 1, box
    assert sheet.evaluate("el => getComputedStyle(el).position") == "fixed"
    # The passage was scrolled up out from under the sheet.
    passage = page.evaluate("([s, e]) => window.__t.rect(s, e)", [start, end])
    assert passage["top"] >= 52 and passage["bottom"] <= box["y"], (passage, box)

    buttons = sheet.locator(".label-buttons button[data-label]")
    expect(buttons).to_have_count(3)
    for i in range(3):
        button = buttons.nth(i)
        expect(button).to_be_in_viewport(ratio=1)
        assert button.bounding_box()["height"] >= 44
    assert scroll_width(page) <= WIDTHS[0]

    sheet.locator('button[data-label="disputed"]').tap()
    expect(page.locator("#claim-list li.claim")).to_have_count(2)
    expect(sheet).to_be_hidden()
    claim = Annotation.objects.exclude(pk=desk.claim.pk).get()
    assert (claim.start, claim.end, claim.quote) == (start, end, QUOTE)
    assert desk.article.body[claim.start : claim.end] == QUOTE
    assert claim.label == Annotation.Label.DISPUTED
    assert claim.created_by == editor
    context.close()
