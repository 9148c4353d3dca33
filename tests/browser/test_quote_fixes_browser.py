"""Quicker fixes to a claim's words, in Chromium (issue 17, items 2 and 3).

- A correction turns a claim's "31 drones" into "13 drones": the claim shows the word diff,
  the reviewer presses "Accept new text", changes the label to disputed, and the claim is
  anchored on the new words; no re-drag.
- An editor moves a claim's start over a flag emoji and back with the keyboard (each press
  one grapheme, computed on the server), and saves: the stored span is exact.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from annotations import services
from annotations.models import Annotation, Article
from tests.browser.test_annotate_browser import claim_action

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots")
FLAG = "\U0001f1fa\U0001f1e6"  # 🇺🇦: two regional indicators, four UTF-16 units, one grapheme
BODY = (
    "Night strike on Kharkiv\n"
    "\n"
    "Air defence said 31 drones were shot down over the region overnight.\n"
    f"Kyiv {FLAG} said air defence worked through the night, the governor wrote.\n"
    "\n"
    "Residents had reportedly been evacuated before dawn."
)
OLD, NEW = "31 drones were shot down", "13 drones were shot down"


def _shot(page: Page, name: str, locator=None) -> None:
    SHOTS.mkdir(exist_ok=True)
    (locator or page).screenshot(path=str(SHOTS / f"quotes-{name}.png"))


def test_a_reviewer_accepts_a_corrected_figure_and_changes_the_label(
    page, live_server, login, editor, reviewer
):
    article = services.article_create(user=editor, title="Night strike", body=BODY)
    start = BODY.index(OLD)
    claim = services.annotation_create(
        article=article,
        user=editor,
        start=start,
        end=start + len(OLD),
        quote=OLD,
        label="verified",
    ).annotation

    # The outlet corrects the figure: through the correction page, as a reviewer would.
    login(page, reviewer)
    page.goto(f"{live_server.url}/articles/{article.pk}/correct/")
    text = page.locator("textarea[name=body]")
    text.fill(text.input_value().replace("31 drones", "13 drones"))
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator("[data-article-body]")).to_contain_text("13 drones were shot down")

    item = page.locator(f"#claim-{claim.pk}")
    expect(item.locator(".badge-changed")).to_have_text("Quote changed")
    diff = item.locator(".claim-changed .quote-diff")
    expect(diff.locator("del")).to_have_text("removed: 31")
    expect(diff.locator("ins")).to_have_text("added: 13")
    expect(diff).to_have_text("removed: 31added: 13 drones were shot down")
    # The words for screen readers are there, not shown: struck and underlined is what shows.
    assert diff.locator("del .visually-hidden").bounding_box()["width"] <= 1
    item.scroll_into_view_if_needed()
    _shot(page, "browser-changed-card", item)

    item.get_by_role("link", name="Accept new text").click()
    form = page.locator(f"#claim-{claim.pk} form.claim-accept")
    expect(form).to_be_visible()
    # The label is asked again, the current one checked: nothing changes it silently.
    expect(form.locator("input[name=label]:checked")).to_have_value("verified")
    expect(form.locator("input[name=label]:checked")).to_be_focused()
    _shot(page, "browser-accept-form", page.locator(f"#claim-{claim.pk}"))
    form.get_by_label("Disputed").check()
    form.get_by_role("button", name="Accept new text").click()

    item = page.locator(f"#claim-{claim.pk}")
    expect(item.locator(".label-pill")).to_have_text("Disputed")
    expect(item.locator(".badge-changed")).to_have_count(0)
    expect(item.locator(".quote-diff")).to_have_count(0)
    mark = page.locator(f'[data-article-body] mark[data-annotation-id="{claim.pk}"]')
    expect(mark).to_have_text(NEW)
    expect(mark).to_have_class(re.compile(r"\bhl-disputed\b"))
    expect(mark).not_to_have_class(re.compile(r"hl-changed"))
    expect(page.locator("#announce")).to_contain_text("Claim updated: disputed")
    _shot(page, "browser-accepted")

    claim.refresh_from_db()
    body = Article.objects.get(pk=article.pk).body
    new_start = body.index(NEW)
    assert (
        claim.start,
        claim.end,
        claim.quote,
        claim.label,
        claim.anchor_state,
        claim.anchor_reason,
        claim.original_quote,
        claim.updated_by,
    ) == (new_start, new_start + len(NEW), NEW, "disputed", "anchored", "", "", reviewer)
    assert body[claim.start : claim.end] == NEW
    record = claim.history.order_by("-history_id").first()
    assert (record.history_user, record.history_change_reason) == (
        reviewer,
        f"new text accepted (was “{OLD}”)",
    )
    before = claim.history.order_by("-history_id")[1]
    assert (before.label, before.anchor_state, before.original_quote) == (
        "verified",
        "changed",
        OLD,
    )


def _focused_id(page: Page) -> str:
    return page.evaluate("() => document.activeElement.id")


def _shows(page: Page, pk: int, quote: str) -> None:
    """Wait until the edit form holds `quote` as the claim's passage, exactly (Playwright's
    to_have_text would trim the space a press may have added), and shows it."""
    field = page.locator(f"#claim-{pk} form.claim-edit input[name=quote]")
    expect(field).to_have_value(quote)
    assert page.locator(f"#claim-{pk} .span-quote").text_content() == quote


def _span_fields(page: Page, pk: int) -> dict:
    return page.evaluate(
        """(pk) => { const f = document.querySelector(`#claim-${pk} form.claim-edit`);
        return { start: +f.elements.start.value, end: +f.elements.end.value,
                 quote: f.elements.quote.value }; }""",
        pk,
    )


def test_an_editor_moves_a_claims_start_over_a_flag_and_back_with_the_keyboard(
    page, live_server, login, editor
):
    article = services.article_create(user=editor, title="Night strike", body=BODY)
    words = "said air defence worked through the night"
    start = BODY.index(words)
    claim = services.annotation_create(
        article=article,
        user=editor,
        start=start,
        end=start + len(words),
        quote=words,
        label="disputed",
    ).annotation
    flag_at = BODY.index(FLAG)
    assert start == flag_at + len(FLAG) + 1  # the flag, a space, then the claim

    login(page, editor)
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    menu = page.locator(f"#claim-{claim.pk} summary.claim-menu-button")
    menu.focus()
    page.keyboard.press("Enter")  # the claim's actions menu
    page.locator(f"#claim-{claim.pk} .claim-menu-panel a", has_text="Edit").focus()
    page.keyboard.press("Enter")
    label = page.locator(f"#claim-{claim.pk} input[name=label]:checked")
    expect(label).to_be_focused()
    # Back from the label to the passage's buttons: end ▶, end ◀, start ▶, start ◀.
    for expected in ("end-forward", "end-back", "start-forward", "start-back"):
        page.keyboard.press("Shift+Tab")
        assert _focused_id(page) == f"claim-{claim.pk}-{expected}"

    page.keyboard.press("Enter")  # start ◀: the space before the words
    _shows(page, claim.pk, f" {words}")
    assert _focused_id(page) == f"claim-{claim.pk}-start-back"  # the key stays where it was
    page.keyboard.press("Enter")  # start ◀ again: the whole flag, in one press
    _shows(page, claim.pk, f"{FLAG} {words}")
    assert _span_fields(page, claim.pk) == {
        "start": flag_at,
        "end": start + len(words),
        "quote": f"{FLAG} {words}",
    }
    said = page.locator(f"#claim-{claim.pk}-span-said")  # a status line for screen readers
    expect(said).to_have_text(f"The claim would now read “{FLAG} {words}”.")
    expect(said).to_have_attribute("role", "status")
    expect(page.locator(f"#claim-{claim.pk} .span-was")).to_contain_text("Not saved yet")
    _shot(page, "browser-span-flag", page.locator(f"#claim-{claim.pk}"))
    page.keyboard.press("Tab")
    assert _focused_id(page) == f"claim-{claim.pk}-start-forward"
    page.keyboard.press("Space")  # start ▶: over the flag again, the other way
    _shows(page, claim.pk, f" {words}")
    assert _span_fields(page, claim.pk)["start"] == flag_at + len(FLAG)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # and back over it: the flag is in
    _shows(page, claim.pk, f"{FLAG} {words}")
    # The end with the mouse: one word character back, then forward again.
    page.locator(f"#claim-{claim.pk}-end-back").click()
    _shows(page, claim.pk, f"{FLAG} {words[:-1]}")
    page.locator(f"#claim-{claim.pk}-end-forward").click()
    _shows(page, claim.pk, f"{FLAG} {words}")
    claim.refresh_from_db()
    assert claim.quote == words  # nothing saved by the presses

    page.locator(f"#claim-{claim.pk}-start-forward").focus()
    page.keyboard.press("Control+Enter")  # saves, even from a nudge button
    mark = page.locator(f'[data-article-body] mark[data-annotation-id="{claim.pk}"]')
    expect(mark).to_have_text(f"{FLAG} {words}")
    expect(page.locator(f"#claim-{claim.pk} .claim-quote")).to_have_text(f"{FLAG} {words}")
    claim.refresh_from_db()
    assert (claim.start, claim.end, claim.quote, claim.label) == (
        flag_at,
        start + len(words),
        f"{FLAG} {words}",
        "disputed",
    )
    assert BODY[claim.start : claim.end] == claim.quote
    previous = claim.history.order_by("-history_id")[1]
    assert (previous.start, previous.end, previous.quote) == (start, start + len(words), words)


def test_enter_in_a_field_of_the_edit_form_saves_and_moves_no_edge(
    page, live_server, login, editor
):
    """The nudge buttons are submit buttons (they work without JavaScript), but the form's
    default button is Save: Enter in the evidence field saves the claim as it is."""
    article = services.article_create(user=editor, title="Night strike", body=BODY)
    start = BODY.index(OLD)
    claim = services.annotation_create(
        article=article, user=editor, start=start, end=start + len(OLD), quote=OLD,
        label="verified",
    ).annotation  # fmt: skip
    login(page, editor)
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    claim_action(page, claim.pk, "Edit")
    field = page.locator(f"#claim-{claim.pk} input[name=evidence_url]")
    field.fill("https://example.org/evidence")
    field.press("Enter")
    expect(page.locator(f"#claim-{claim.pk} .claim-evidence a")).to_be_visible()
    claim = Annotation.objects.get(pk=claim.pk)
    assert (claim.evidence_url, claim.start, claim.end, claim.quote) == (
        "https://example.org/evidence",
        start,
        start + len(OLD),
        OLD,
    )
