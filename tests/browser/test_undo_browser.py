"""Undo a delete, in a real Chromium: with the keyboard alone, in time (the claim comes back
exactly, with its history), too late (the server refuses, whatever the page still shows),
by someone else (refused), and without JavaScript.

No test sleeps ten seconds: "too late" is the deletion record moved back in time on the
server, and the bar's own clock is Playwright's fake clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from playwright.sync_api import Page, expect

from annotations import permissions, services
from annotations.models import Annotation, Article
from tests.browser.test_annotate_browser import BODY, SHOTS, claim_action, open_article
from tests.browser.test_keyboard_browser import caret_to, open_by_keyboard

pytestmark = pytest.mark.django_db(transaction=True)

QUOTE = "Moscow did not confirm the figures"
FOCUSED = "() => document.activeElement"


@pytest.fixture
def article(editor) -> Article:
    return services.article_create(user=editor, title="Night strike on Kharkiv", body=BODY)


@pytest.fixture
def claim(article, editor) -> Annotation:
    """A claim with some history: tagged, then its verdict and note changed."""
    start = BODY.index(QUOTE)
    claim = services.annotation_create(
        article=article, user=editor, start=start, end=start + len(QUOTE), quote=QUOTE,
        label="unattributed",
    ).annotation  # fmt: skip
    return services.annotation_update(
        annotation=claim, user=editor, label="disputed", source=None, credibility=3,
        note="Kremlin line, no figures", evidence_url="https://example.org/kremlin",
    )  # fmt: skip


def history_rows(pk: int) -> list[tuple]:
    return list(
        Annotation.history.filter(id=pk)
        .order_by("history_id")
        .values_list("history_id", "history_type", "history_user__username", "label", "note")
    )


def delete_with_the_keyboard(page: Page, claim: Annotation) -> None:
    """From the text: Enter on the highlight (its menu opens on Edit), Tab to Delete, Enter,
    Enter on the confirmation."""
    caret_to(page, claim.start + 3)
    page.keyboard.press("Enter")
    assert page.evaluate(f"{FOCUSED}.textContent.trim()") == "Edit"
    page.keyboard.press("Tab")
    assert page.evaluate(f"{FOCUSED}.textContent.trim()") == "Delete"
    page.keyboard.press("Enter")
    expect(page.locator(f"#claim-{claim.pk} .confirm-delete button")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#claim-{claim.pk}")).to_have_count(0)


def test_delete_then_undo_with_the_keyboard_brings_the_claim_back_exactly(
    page, live_server, login, editor, article, claim
):
    before = Annotation.objects.values().get(pk=claim.pk)
    rows_before = history_rows(claim.pk)
    marks = page.locator(f'[data-article-body] mark[data-annotation-id="{claim.pk}"]')
    open_by_keyboard(page, live_server, login, editor, article)
    expect(marks).to_have_count(1)

    delete_with_the_keyboard(page, claim)
    assert not Annotation.objects.filter(pk=claim.pk).exists()
    expect(marks).to_have_count(0)
    bar = page.locator("#undo-bar")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("Claim deleted.")
    announce = page.locator("#announce")
    expect(announce).to_contain_text("Claim deleted: disputed")
    expect(announce).to_contain_text("To undo, press Tab, then Enter, within 10 seconds.")
    page.wait_for_function(f"() => {FOCUSED}().matches('[data-article-body]')")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "undo-bar.png"))

    page.keyboard.press("Tab")  # from the text, the next stop is Undo
    undo = bar.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(f"#claim-{claim.pk}")).to_be_visible()  # back in the list
    expect(marks).to_have_count(1)  # and in the text
    expect(bar).to_be_hidden()
    expect(announce).to_contain_text("Claim restored: disputed")
    page.wait_for_function(f"() => {FOCUSED}().matches('[data-article-body]')")
    expect(page.locator(f"#claim-{claim.pk}")).to_have_class("claim claim-disputed is-selected")
    expect(page.locator(f"#claim-{claim.pk} .claim-note")).to_have_text("Kremlin line, no figures")
    expect(page.locator("#article-summary .summary-total strong")).to_have_text("1")
    page.screenshot(path=str(SHOTS / "undo-done.png"))

    assert Annotation.objects.values().get(pk=claim.pk) == before  # same id, every field
    rows = history_rows(claim.pk)
    assert rows[: len(rows_before)] == rows_before  # its history, kept
    assert [r[1:3] for r in rows[len(rows_before) :]] == [("-", "editor"), ("+", "editor")]
    assert page.locator("[data-article-body]").evaluate("el => el.textContent") == BODY


def test_the_bar_goes_after_ten_seconds(page, live_server, login, editor, article, claim):
    # The page's clock is Playwright's: the bar's ten seconds pass without waiting for them.
    # It stands still from before the delete, so that only `run_for` moves it: time the test
    # itself takes (a busy machine's) does not eat into the bar's ten seconds.
    page.clock.install()
    open_article(page, live_server, login, editor, article)
    claim_action(page, claim.pk, "Delete")
    page.clock.pause_at(datetime.now(UTC) + timedelta(seconds=1))
    page.locator(f"#claim-{claim.pk} .confirm-delete button").click()
    bar = page.locator("#undo-bar")
    undo = bar.get_by_role("button", name="Undo")
    expect(bar).to_be_visible()
    undo.focus()
    page.clock.run_for(9000)
    expect(bar).to_be_visible()
    page.clock.run_for(1500)
    expect(bar).to_be_hidden()
    # The keyboard was on Undo: it goes back to the text, not to the top of the page.
    page.wait_for_function(f"() => {FOCUSED}().matches('[data-article-body]')")


def test_a_late_undo_is_refused_by_the_server(page, live_server, login, editor, article, claim):
    """The page still offers Undo, but the server's ten seconds have passed: refused with the
    reason, and nothing comes back."""
    open_article(page, live_server, login, editor, article)
    claim_action(page, claim.pk, "Delete")
    page.locator(f"#claim-{claim.pk} .confirm-delete button").click()
    bar = page.locator("#undo-bar")
    expect(bar).to_be_visible()
    rows = history_rows(claim.pk)
    late = timedelta(seconds=permissions.UNDO_DELETE_SECONDS + 1)
    Annotation.history.filter(id=claim.pk).update(history_date=F("history_date") - late)
    bar.get_by_role("button", name="Undo").click()

    toast = page.locator("#toast")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("A delete can be undone for 10 seconds only")
    expect(bar).to_be_hidden()
    page.screenshot(path=str(SHOTS / "undo-too-late.png"))
    expect(page.locator(f"#claim-{claim.pk}")).to_have_count(0)
    assert not Annotation.objects.filter(pk=claim.pk).exists()
    assert history_rows(claim.pk) == rows


def test_another_editor_cannot_undo(
    page, browser, live_server, login, editor, other_editor, article, claim
):
    open_article(page, live_server, login, editor, article)
    claim_action(page, claim.pk, "Delete")
    page.locator(f"#claim-{claim.pk} .confirm-delete button").click()
    expect(page.locator("#undo-bar")).to_be_visible()
    rows = history_rows(claim.pk)

    theirs = browser.new_context().new_page()
    open_article(theirs, live_server, login, other_editor, article)
    expect(theirs.locator(f"#claim-{claim.pk}")).to_have_count(0)
    expect(theirs.locator("#undo-bar")).to_be_hidden()  # not theirs to undo
    # Even asked by hand, with their valid session and token, the server refuses.
    answer = theirs.evaluate(
        """async (url) => {
          const headers = JSON.parse(document.body.getAttribute("hx-headers"));
          const r = await fetch(url, { method: "POST", headers: { ...headers, "HX-Request": "true" } });
          return { status: r.status, text: await r.text() };
        }""",
        reverse("annotations:claim-undo-delete", args=[claim.pk]),
    )
    assert answer["status"] == 403
    assert "Only the person who deleted this claim can undo" in answer["text"]
    assert not Annotation.objects.filter(pk=claim.pk).exists()
    assert history_rows(claim.pk) == rows
    theirs.context.close()


def test_without_javascript_the_delete_page_offers_undo(
    browser, live_server, login, editor, article, claim
):
    context = browser.new_context(java_script_enabled=False)
    page = login(context.new_page(), editor)
    page.goto(f"{live_server.url}{reverse('annotations:claim-delete', args=[claim.pk])}")
    page.get_by_role("button", name="Delete").click()
    bar = page.locator("#undo-bar")
    expect(bar).to_contain_text("Claim deleted.")
    page.screenshot(path=str(SHOTS / "undo-no-js.png"))
    assert not Annotation.objects.filter(pk=claim.pk).exists()
    bar.get_by_role("button", name="Undo").click()
    expect(page.locator("#messages")).to_contain_text("Claim restored.")
    expect(page.locator(f"#claim-{claim.pk}")).to_be_visible()
    assert Annotation.objects.filter(pk=claim.pk).exists()
    context.close()
