"""Same claim elsewhere, in a real Chromium: tagging a passage lists the same claim of
another article, one key picks it and V saves and links; a claim's card links and unlinks
in place; the popover and the card as a laptop and a phone show them, with axe's audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from annotations import services
from annotations.models import Annotation, Article
from tests.browser.test_annotate_browser import drag, open_article, span_of
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots")
FIRST = "Russia lost 7,000 troops near Avdiivka"
SECOND = "7 000 Russian soldiers were killed around Avdiivka"


def _claim(user, article: Article, quote: str, **extra) -> Annotation:
    start, end = span_of(article.body, quote)
    details = {"label": "unattributed", **extra}
    return services.annotation_create(
        article=article, user=user, start=start, end=end, quote=quote, **details
    ).annotation


@pytest.fixture
def two_outlets(editor):
    """The casualty claim as one outlet disputed it, and a second article that says it in
    other words."""
    first = ArticleFactory(
        title="Russian losses near Avdiivka",
        outlet="Kyiv Wire",
        language="en",
        body=f"Losses near Avdiivka\n\nThe General Staff said {FIRST} in October.",
    )
    source = SourceFactory(name="General Staff of Ukraine", reliability="B")
    claim = _claim(editor, first, FIRST, label="disputed", source=source, credibility=3)
    second = ArticleFactory(
        title="Heavy fighting around Avdiivka",
        outlet="Black Sea Monitor",
        language="en",
        body=f"Fighting around Avdiivka\n\nUkrainian officials said {SECOND} last month.",
    )
    return {"claim": claim, "second": second}


def _suggestions(page: Page):
    return page.locator("#claim-similar .similar-item:not(.similar-none)")


def test_tag_see_the_same_claim_pick_it_with_one_key_and_open_the_shared_claim(
    page, live_server, login, editor, two_outlets
):
    first, second = two_outlets["claim"], two_outlets["second"]
    open_article(page, live_server, login, editor, second)
    drag(page, *span_of(second.body, SECOND))
    dialog = page.locator("#claim-popover")
    expect(dialog).to_be_visible()
    # The form is there at once; the suggestion comes a moment later.
    suggestion = _suggestions(page).first
    expect(suggestion).to_contain_text(FIRST)
    expect(suggestion).to_contain_text("Kyiv Wire")
    expect(suggestion).to_contain_text("Disputed")
    expect(suggestion).to_contain_text("General Staff of Ukraine")
    expect(suggestion).to_contain_text("the same figures")
    expect(dialog.locator("#similar-none")).to_be_checked()
    page.keyboard.press("1")  # pick it: Digit1, on any layout
    expect(suggestion.locator("input")).to_be_checked()
    expect(page.locator("#announce")).to_contain_text("Picked the claim in Kyiv Wire")
    page.keyboard.press("1")  # again: unpicked
    expect(dialog.locator("#similar-none")).to_be_checked()
    page.keyboard.press("1")
    page.keyboard.press("v")  # save as verified, and link
    expect(dialog).to_be_hidden()
    claim = Annotation.objects.get(article=second)
    first.refresh_from_db()
    assert claim.label == "verified" and claim.shared_claim_id == first.shared_claim_id
    card = page.locator(f"#claim-{claim.pk}")
    expect(page.locator("#announce")).to_contain_text(f"shared claim #{claim.shared_claim_id}")
    card.get_by_role("link", name=f"shared claim #{claim.shared_claim_id}").click()
    appearances = page.locator("table.appearances")
    expect(appearances).to_contain_text("Kyiv Wire")
    expect(appearances).to_contain_text("Black Sea Monitor")


def test_ignoring_the_suggestions_saves_as_before(page, live_server, login, editor, two_outlets):
    second = two_outlets["second"]
    open_article(page, live_server, login, editor, second)
    drag(page, *span_of(second.body, SECOND))
    expect(_suggestions(page).first).to_be_visible()
    page.keyboard.press("d")
    expect(page.locator("#claim-popover")).to_be_hidden()
    assert Annotation.objects.get(article=second).shared_claim_id is None


def test_a_claims_card_links_and_unlinks_in_place(page, live_server, login, editor, two_outlets):
    first, second = two_outlets["claim"], two_outlets["second"]
    other = _claim(editor, second, SECOND, label="verified")
    open_article(page, live_server, login, editor, first.article)
    card = page.locator(f"#claim-{first.pk}")
    card.get_by_text("Same claim elsewhere?").click()
    panel = card.locator(".similar-panel")
    expect(panel).to_contain_text(SECOND)
    expect(panel).to_contain_text("Black Sea Monitor")
    panel.get_by_role("button", name="Link").click()
    expect(panel).to_contain_text("Linked with the claim in Black Sea Monitor")
    first.refresh_from_db()
    shared = first.shared_claim_id
    assert shared is not None and Annotation.objects.get(pk=other.pk).shared_claim_id == shared
    expect(card.locator(".claim-meta")).to_contain_text(f"shared claim #{shared}")
    # The keyboard is on what happened; the live update that brings the card anew (the link
    # changed the claim) keeps the panel open, and the keyboard where it was.
    said = page.locator(f"#claim-{first.pk}-similar-said")
    expect(said).to_be_focused()
    with page.expect_response(lambda r: "/changes/" in r.url and r.status == 200):
        pass
    page.wait_for_timeout(200)  # put in place
    expect(panel).to_be_visible()
    expect(said).to_be_focused()
    panel.get_by_role("button", name="Unlink").click()
    expect(panel).to_contain_text(f"Unlinked from shared claim #{shared}.")
    expect(card.locator(".claim-meta")).not_to_contain_text("shared claim")
    first.refresh_from_db()
    assert first.shared_claim_id is None


BLOCKING = ("serious", "critical")


def _blocking(page: Page, where: str) -> list[str]:
    lines = []
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [node["target"] for node in violation["nodes"]]
            lines.append(f"{where}: {violation['id']} ({violation['impact']}): {targets}")
    return lines


@pytest.mark.layout
@pytest.mark.parametrize("width", [1280, 390])
def test_the_suggestions_look_tidy_and_pass_axe(
    page, live_server, login, editor, two_outlets, width
):
    """Screenshots for a person to look at (/tmp/shots), and axe on both states."""
    page.set_viewport_size({"width": width, "height": 844})
    first, second = two_outlets["claim"], two_outlets["second"]
    third = ArticleFactory(outlet="Donetsk Daily", language="en", body=f"Report\n\n{FIRST}, a.")
    services.shared_claim_link(claim=_claim(editor, third, FIRST), other=first, user=editor)
    open_article(page, live_server, login, editor, second)
    drag(page, *span_of(second.body, SECOND))
    expect(_suggestions(page).first).to_contain_text("In shared claim #")
    page.keyboard.press("1")
    dialog = page.locator("#claim-popover")
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # it fits the screen
    SHOTS.mkdir(exist_ok=True)
    dialog.screenshot(path=SHOTS / f"similar-popover-{width}.png")
    page.screenshot(path=SHOTS / f"similar-popover-page-{width}.png")
    problems = _blocking(page, "popover with suggestions")
    page.keyboard.press("u")
    expect(dialog).to_be_hidden()

    _claim(editor, ArticleFactory(outlet="Odesa Post", language="en", body=SECOND), SECOND)
    page.goto(f"{live_server.url}{first.article.get_absolute_url()}")
    card = page.locator(f"#claim-{first.pk}")
    card.get_by_text("Same claim elsewhere?").click()
    expect(card.locator(".similar-panel")).to_contain_text("Odesa Post")
    card.scroll_into_view_if_needed()
    card.screenshot(path=SHOTS / f"similar-card-{width}.png")
    problems += _blocking(page, "claim card with its suggestions")
    assert not problems, "\n".join(problems)
