"""Issue 17, item 1: paste an article as a scraper left it, clean it in the preview, save."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from annotations.models import Article
from bench.browser import VIEWPORT

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots")
TITLE = "Drone strike hits Kharkiv energy site"
PARAGRAPHS = [
    "A wave of drones struck an energy facility in Kharkiv overnight, the regional "
    "administration said.",
    "Read more about the strike in our live blog.",
    "According to a Telegram post from the SBU, air defence shot down 31 of 38 drones.",
]
PASTED = TITLE + "\n\n" + "\n\n".join(PARAGRAPHS) + "\n\nSource: Read Full Article"


def _paste_clean_and_save(page, live_server, shot: str) -> Article:
    page.goto(f"{live_server.url}/articles/new/")
    page.locator("textarea[name=body]").fill(PASTED)  # the title field stays empty
    page.get_by_role("button", name="Preview").click()

    # The preview: the title came from the first line, the trailer is offered, not removed.
    title = page.locator("input[name=title]")
    expect(title).to_have_value(TITLE)
    expect(page.locator(".message").first).to_contain_text("taken from the first line")
    offered = page.locator(".trailers")
    expect(offered).to_contain_text("Line 7:")
    expect(offered.locator(".trailer-text")).to_have_text(["Source: Read Full Article"])
    expect(page.locator("[data-article-body]")).to_contain_text("Source: Read Full Article")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"intake-{shot}-offered.png"), full_page=True)

    # One click: the server takes the line out and shows the text again.
    offered.get_by_role("button", name="Remove this line").click()
    expect(page.locator(".trailers")).to_have_count(0)
    expect(page.locator(".message").first).to_contain_text(
        "Removed 1 line: “Source: Read Full Article”"
    )
    expect(page.locator("[data-article-body]")).not_to_contain_text("Read Full Article")
    expect(page.locator("[data-article-body]")).to_contain_text("in our live blog")
    body = page.locator("textarea[name=body]").input_value()
    assert body == "\n\n".join(PARAGRAPHS)

    title.fill("Kharkiv: drones hit an energy site overnight")
    page.screenshot(path=str(SHOTS / f"intake-{shot}-cleaned.png"), full_page=True)
    page.get_by_role("button", name="Save article").click()
    expect(page.locator("h1").first).to_have_text("Kharkiv: drones hit an energy site overnight")
    return Article.objects.get()


def _check_stored(article: Article) -> None:
    assert article.title == "Kharkiv: drones hit an energy site overnight"
    assert article.body == "\n\n".join(PARAGRAPHS)  # no title paragraph, no trailer
    assert not article.body.startswith(TITLE)
    assert "Read Full Article" not in article.body


def test_paste_clean_and_save(page, live_server, login, editor):
    login(page, editor)
    _check_stored(_paste_clean_and_save(page, live_server, "js"))


def test_paste_clean_and_save_without_javascript(browser, live_server, login, editor):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORT)
    try:
        page = context.new_page()
        login(page, editor)
        _check_stored(_paste_clean_and_save(page, live_server, "nojs"))
    finally:
        context.close()
