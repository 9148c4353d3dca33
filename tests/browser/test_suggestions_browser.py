"""Suggested claims in a real Chromium (issue 23): they load after the page as dashed
outlines; A opens the tagging form filled in and one more key saves the claim; X dismisses
one for everyone (a reload shows it gone); accepting four takes eight key presses."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from annotations import history
from annotations.models import Annotation, SuggestionDismissal
from tests.browser.test_annotate_browser import SHOTS
from tests.factories import ArticleFactory, SourceFactory
from tests.suggest_stub import two_rule_engine  # noqa: E402, F401 (the engine the tests name spans of)

pytestmark = pytest.mark.django_db(transaction=True)

# Four cues the suggestion engine knows in every version of its rules: two attributions
# ("according to X, …": the clause after the comma, source X) and two hedges.
BODY = (
    "Front line report\n"
    "\n"
    "According to the General Staff, 12 tanks were destroyed near Pokrovsk.\n"
    "Troops had reportedly left Avdiivka by dawn.\n"
    "\n"
    "According to SBU, two saboteurs were detained in Odesa.\n"
    "The bridge had reportedly been hit twice."
)
TANKS = "12 tanks were destroyed near Pokrovsk"
AVDIIVKA = "Troops had reportedly left Avdiivka by dawn."
SABOTEURS = "two saboteurs were detained in Odesa"
BRIDGE = "The bridge had reportedly been hit twice."


@pytest.fixture
def article(db):
    SourceFactory(name="SBU")
    return ArticleFactory(body=BODY, title="Front line report")


def _open(page: Page, login, live_server, editor, article) -> None:
    login(page, editor)
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator("#suggestion-list li.suggestion-item")).to_have_count(4)
    expect(page.locator(".suggestion-box").first).to_be_visible()
    # The keyboard in the text, its caret at the start (focus is no key press of the task).
    page.focus("[data-article-body]")


def _claims(page: Page, n: int) -> None:
    expect(page.locator("#claim-list li.claim")).to_have_count(n)


def _from_a_suggestion(claim: Annotation) -> str:
    return history.entries(history.claim_records(claim.pk))[-1]["reason"]


def test_suggestions_show_as_dashed_outlines_and_a_then_one_key_saves_a_claim(
    page: Page, login, live_server, editor, article
):
    _open(page, login, live_server, editor, article)
    box = page.locator(".suggestion-box").first
    assert box.evaluate("b => getComputedStyle(b).outlineStyle") == "dashed"
    assert box.evaluate("b => getComputedStyle(b).backgroundColor") in (
        "rgba(0, 0, 0, 0)",
        "rgba(31, 78, 140, 0.06)",
    )
    # Each one is said in the list, in reading order.
    texts = page.locator("#suggestion-list .suggestion-text").all_inner_texts()
    assert texts[0].startswith(f"Suggested claim: “{TANKS}”, source the General Staff")
    assert AVDIIVKA in texts[1] and SABOTEURS in texts[2] and BRIDGE in texts[3]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "sugui-outlines.png"))

    page.keyboard.press("a")
    popover = page.locator("#claim-popover")
    expect(popover).to_be_visible()
    expect(page.locator("#popover-quote")).to_have_text(f"“{TANKS}”")
    expect(popover.locator(".source-chosen")).to_contain_text("the General Staff")
    page.screenshot(path=str(SHOTS / "sugui-accept-popover.png"))
    page.keyboard.press("v")
    _claims(page, 1)
    claim = Annotation.objects.get()
    assert (claim.quote, claim.label, claim.source.name) == (TANKS, "verified", "the General Staff")
    assert claim.source.review_status == "pending"  # offered as a new source, as the popover does
    assert _from_a_suggestion(claim) == "from a suggestion (cue “According to”)"
    # Gone from the suggestions (the claim is on its words); the next is the current one.
    expect(page.locator(".suggestion-box")).to_have_count(3)

    page.keyboard.press("x")  # the one after the caret: Avdiivka
    expect(page.locator("#suggestion-list li.suggestion-item")).to_have_count(2)
    row = SuggestionDismissal.objects.get()
    assert (row.quote, row.dismissed_by) == (AVDIIVKA, editor)
    page.reload()
    expect(page.locator("#suggestion-list li.suggestion-item")).to_have_count(2)
    expect(page.locator("#suggestion-list")).not_to_contain_text("Avdiivka")
    expect(page.locator(".suggestion-box")).to_have_count(2)
    page.screenshot(path=str(SHOTS / "sugui-after-dismiss.png"))


def test_accepting_four_suggestions_takes_eight_key_presses(
    page: Page, login, live_server, editor, article
):
    _open(page, login, live_server, editor, article)
    presses = 0
    # Unattributed ones come with their label chosen: Enter saves. The others: a label key.
    for n, second in enumerate(["d", "Enter", "v", "Enter"], start=1):
        page.keyboard.press("a")
        page.keyboard.press(second)
        presses += 2
        _claims(page, n)
    assert presses == 8
    claims = {c.quote: c for c in Annotation.objects.select_related("source")}
    assert set(claims) == {TANKS, AVDIIVKA, SABOTEURS, BRIDGE}
    assert claims[TANKS].label == "disputed" and claims[TANKS].source.name == "the General Staff"
    assert claims[AVDIIVKA].label == "unattributed" and claims[AVDIIVKA].source is None
    assert claims[SABOTEURS].label == "verified" and claims[SABOTEURS].source.name == "SBU"
    assert claims[BRIDGE].label == "unattributed"
    assert all(_from_a_suggestion(c).startswith("from a suggestion") for c in claims.values())
    expect(page.locator(".suggestion-box")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "sugui-four-accepted.png"))


def test_j_and_k_move_between_suggestions_and_say_each(
    page: Page, login, live_server, editor, article
):
    _open(page, login, live_server, editor, article)
    page.keyboard.press("j")
    page.keyboard.press("j")
    current = page.locator(".suggestion-box.is-current")
    expect(current).to_have_count(1)
    expect(page.locator("#suggestion-list li[aria-current=true]")).to_contain_text("Avdiivka")
    expect(page.locator("#announce")).to_contain_text("Suggested claim: “Troops had reportedly")
    page.keyboard.press("k")
    expect(page.locator("#suggestion-list li[aria-current=true]")).to_contain_text("12 tanks")
    page.emulate_media(forced_colors="active")
    page.screenshot(path=str(SHOTS / "sugui-forced-colors.png"))
    assert current.evaluate("b => getComputedStyle(b).outlineStyle") == "dashed"
