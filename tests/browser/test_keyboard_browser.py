"""Tagging with the keyboard alone, in a real Chromium (issue: every person on the desk).

No mouse anywhere here: focus comes from Tab, the caret moves with the arrow keys, Shift
selects, V/D/U/Enter/Escape/Ctrl+Enter act. The page is only read from script (where the
caret is, what is selected), never driven by it. Every expected span is computed in Python
from the body and compared with what the server stored.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from annotations import keymap, labels
from annotations.models import Annotation
from tests.browser.test_annotate_browser import BODY, FLAG, ROCKET, assert_anchored, span_of
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Where the selection's focus (the caret) and anchor are, in code points of the body.
_POINTS_JS = """() => {
  const body = document.querySelector("[data-article-body]");
  const sel = getSelection();
  if (!sel.rangeCount || !body.contains(sel.focusNode)) return null;
  const cp = (node, offset) => {
    const r = document.createRange();
    r.setStart(body, 0);
    r.setEnd(node, offset);
    return Array.from(r.toString()).length;
  };
  return { focus: cp(sel.focusNode, sel.focusOffset), anchor: cp(sel.anchorNode, sel.anchorOffset) };
}"""


@pytest.fixture
def article(db):
    return ArticleFactory(body=BODY, title="Night strike on Kharkiv")


def points(page: Page) -> dict | None:
    return page.evaluate(_POINTS_JS)


def tab_to_text(page: Page) -> int:
    """Press Tab from the top of the page until the article text has focus; how many."""
    for presses in range(1, 80):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('[data-article-body]')"):
            return presses
    raise AssertionError("Tab never reached the article text")


def caret_to(page: Page, target: int) -> None:
    """Move the caret to code point `target` with the arrow keys (by word while far)."""
    for _ in range(600):
        at = points(page)["focus"]
        if at == target:
            return
        if target - at > 12:
            page.keyboard.press("Control+ArrowRight")
        else:
            page.keyboard.press("ArrowRight" if target > at else "ArrowLeft")
    raise AssertionError(f"the caret never reached {target}")


def select_words_to(page: Page, end: int) -> None:
    """Extend the selection word by word (Ctrl+Shift+→) to `end`, then back by character
    (Shift+←) over anything past it that is not white space (which the page trims)."""
    for _ in range(40):
        if points(page)["focus"] >= end:
            break
        page.keyboard.press("Control+Shift+ArrowRight")
    for _ in range(40):
        at = points(page)["focus"]
        if at <= end or not BODY[end:at].strip():
            return
        page.keyboard.press("Shift+ArrowLeft")
    raise AssertionError(f"the selection never ended at {end}")


def claims_listed(page: Page, n: int) -> None:
    expect(page.locator("#claim-list li.claim")).to_have_count(n)


def open_by_keyboard(page: Page, live_server, login, user, article) -> int:
    login(page, user)
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(page.locator("[data-article-body]")).to_be_visible()
    return tab_to_text(page)


def test_three_claims_tagged_with_the_keyboard_alone(page, live_server, login, editor, article):
    outer = span_of(BODY, "air defence downed 31 of 38 drones")
    AnnotationFactory(article=article, start=outer[0], end=outer[1], quote=BODY[slice(*outer)])
    presses = open_by_keyboard(page, live_server, login, editor, article)
    assert presses <= 40, f"{presses} Tab presses to reach the text"

    # The caret stands at the start of the text, and is drawn.
    assert points(page) == {"focus": 0, "anchor": 0}
    caret = page.locator("#text-caret")
    expect(caret).to_be_visible()

    # 1. Text with emoji: the flag is one step of the caret, as a reader sees it.
    kyiv = span_of(BODY, f"Kyiv {FLAG} said")
    caret_to(page, kyiv[0] + len("Kyiv "))
    page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("() => getSelection().toString()") == FLAG
    page.keyboard.press("ArrowLeft")  # collapses to the selection's start
    caret_to(page, kyiv[0])
    select_words_to(page, kyiv[1])
    expect(page.locator("#claim-popover")).to_be_hidden()  # selecting does not open the form
    page.keyboard.press("v")
    claims_listed(page, 2)
    first = Annotation.objects.get(label="verified", start=kyiv[0])
    assert_anchored(first, BODY, kyiv)
    page.wait_for_function("() => document.activeElement.matches('[data-article-body]')")
    expect(page.locator("#announce")).to_contain_text("Claim saved: verified")

    # 2. Inside an existing claim.
    inner = span_of(BODY, "31 of 38")
    caret_to(page, inner[0])
    select_words_to(page, inner[1])
    page.keyboard.press("d")
    claims_listed(page, 3)
    assert_anchored(Annotation.objects.get(label="disputed", start=inner[0]), BODY, inner)

    # 3. After the rocket, further down, by line and word.
    page.keyboard.press("ArrowDown")
    last = span_of(BODY, "reportedly been evacuated")
    caret_to(page, last[0])
    select_words_to(page, last[1])
    page.keyboard.press("u")
    claims_listed(page, 4)
    assert_anchored(Annotation.objects.get(label="unattributed", start=last[0]), BODY, last)
    assert ROCKET in BODY[: last[0]]
    assert Annotation.objects.count() == 4


def test_the_form_is_a_dialog_and_saves_with_ctrl_enter(page, live_server, login, editor, article):
    sbu = SourceFactory(name="Security Service of Ukraine", review_status="approved")
    open_by_keyboard(page, live_server, login, editor, article)
    passage = span_of(BODY, "according to a Telegram post from the SBU")
    caret_to(page, passage[0])
    select_words_to(page, passage[1])
    selected = page.evaluate("() => getSelection().toString()").strip()

    page.keyboard.press("Enter")
    popover = page.locator("#claim-popover")
    expect(popover).to_be_visible()
    inside = "() => document.getElementById('claim-popover').contains(document.activeElement)"
    assert page.evaluate(inside), "focus did not move into the form"
    # Tab cycles inside it, both ways.
    for _ in range(25):
        page.keyboard.press("Tab")
        assert page.evaluate(inside)
    for _ in range(25):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(inside)

    def back_in_the_text_with_the_selection_kept():
        expect(popover).to_be_hidden()
        page.wait_for_function("() => document.activeElement.matches('[data-article-body]')")
        assert page.evaluate("() => getSelection().toString()").strip() == selected

    page.keyboard.press("Escape")
    back_in_the_text_with_the_selection_kept()
    # Its Close button does the same (for touch screens, and from the keyboard).
    page.keyboard.press("Enter")
    expect(popover).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # on Close
    back_in_the_text_with_the_selection_kept()

    # Ctrl+Enter before a label is chosen: says why, saves nothing.
    page.keyboard.press("Enter")
    expect(popover).to_be_visible()
    page.keyboard.press("Control+Enter")
    expect(page.locator("#claim-form-errors")).to_contain_text("No label chosen yet")
    assert Annotation.objects.count() == 0

    # The label buttons are one Tab stop (after the form's Close); the arrows choose.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "popover-close"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.label") == "verified"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.dataset.label") == "disputed"
    page.keyboard.press("Tab")  # on to the source search, past the other label buttons
    assert page.evaluate("() => document.activeElement.matches('input[type=search]')")
    page.keyboard.type("Security Service")
    expect(page.locator(f'#claim-popover .pick[data-source-id="{sbu.pk}"]')).to_be_visible()
    page.keyboard.press("Enter")  # picks the first match
    assert page.evaluate(inside), "picking a source lost the focus"
    for _ in range(6):  # on to the note
        if page.evaluate("() => document.activeElement.name") == "note":
            break
        page.keyboard.press("Tab")
    page.keyboard.type("Typed without a mouse")
    page.keyboard.press("Control+Enter")
    claims_listed(page, 1)
    claim = Annotation.objects.get()
    assert_anchored(claim, BODY, passage)
    assert (claim.label, claim.source, claim.note) == ("disputed", sbu, "Typed without a mouse")
    expect(page.locator("#announce")).to_have_text(
        "Claim saved: disputed, Security Service of Ukraine"
    )
    page.wait_for_function("() => document.activeElement.matches('[data-article-body]')")


def test_a_label_key_after_choosing_a_grade_saves(page, live_server, login, editor, article):
    """V/D/U were ignored once focus was in the form's credibility select."""
    open_by_keyboard(page, live_server, login, editor, article)
    passage = span_of(BODY, "Residents had reportedly been evacuated")
    caret_to(page, passage[0])
    select_words_to(page, passage[1])
    page.keyboard.press("Enter")
    for _ in range(10):
        if page.evaluate("() => document.activeElement.name") == "credibility":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # a grade chosen from the keyboard
    page.keyboard.press("u")
    claims_listed(page, 1)
    claim = Annotation.objects.get()
    assert claim.label == "unattributed" and claim.credibility is not None
    assert_anchored(claim, BODY, passage)


def test_no_key_press_is_silently_ignored(page, live_server, login, editor, viewer, article):
    claim = AnnotationFactory(
        article=article, start=BODY.index("Moscow"), end=BODY.index("Moscow") + 6, quote="Moscow"
    )
    open_by_keyboard(page, live_server, login, editor, article)
    announce = page.locator("#announce")
    page.keyboard.press("v")  # nothing selected: says how to select
    expect(announce).to_contain_text("Nothing is selected")
    # Enter on a highlight goes to its claim in the list.
    caret_to(page, claim.start + 2)
    page.keyboard.press("Enter")
    assert page.evaluate(
        f"() => document.getElementById('claim-{claim.pk}').contains(document.activeElement)"
    )
    # ? opens the help, which lists every tagging key; Escape closes it.
    page.locator("[data-article-body]").focus()
    page.keyboard.press("?")
    help_dialog = page.locator("#key-help")
    expect(help_dialog).to_be_visible()
    for label in labels.LABELS:
        expect(help_dialog).to_contain_text(f"Tag the selection as {label.name}")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    assert Annotation.objects.count() == 1

    # A viewer's tagging key says why it cannot act.
    page.context.clear_cookies()
    open_by_keyboard(page, live_server, login, viewer, article)
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("v")
    expect(announce).to_contain_text("can read claims but not tag them")
    assert Annotation.objects.count() == 1


def test_single_keys_act_only_in_the_text_or_the_form(page, live_server, login, editor, article):
    """WCAG 2.1.4: with focus elsewhere (a link in the list), V tags nothing."""
    open_by_keyboard(page, live_server, login, editor, article)
    passage = span_of(BODY, "Night strike")
    select_words_to(page, passage[1])
    page.keyboard.press("Shift+Tab")
    assert not page.evaluate(
        "() => document.activeElement.matches('[data-article-body], #claim-popover *')"
    )
    page.keyboard.press("v")
    page.wait_for_timeout(300)
    assert Annotation.objects.count() == 0


def test_the_help_and_the_readme_show_the_one_keyboard_map(
    page, live_server, login, editor, article
):
    open_by_keyboard(page, live_server, login, editor, article)
    page.keyboard.press("?")
    rows = page.locator("#key-help .key-table tr")
    assert rows.count() == len(keymap.shortcuts())


def test_a_claim_is_edited_and_deleted_with_the_keyboard(page, live_server, login, editor, article):
    start = BODY.index("Moscow did not confirm")
    claim = AnnotationFactory(
        article=article, start=start, end=start + 22, quote=BODY[start : start + 22],
        label="disputed", created_by=editor,
    )  # fmt: skip
    open_by_keyboard(page, live_server, login, editor, article)
    focused = "() => document.activeElement"
    caret_to(page, start + 3)
    page.keyboard.press("Enter")  # on the highlight: its claim's menu, open, on Edit
    assert page.evaluate(f"{focused}.textContent.trim()") == "Edit"
    assert page.evaluate(f"{focused}.closest('details.claim-menu').open")
    page.keyboard.press("Enter")
    radio = page.locator(f"#claim-{claim.pk} input[type=radio]:checked")
    expect(radio).to_be_focused()
    page.keyboard.press("ArrowLeft")  # verified, the radio before disputed
    page.keyboard.press("Control+Enter")
    expect(page.locator(f"#claim-{claim.pk} .label-pill")).to_have_text("Verified")
    claim.refresh_from_db()
    assert claim.label == "verified"
    # Focus stays in the item, on its actions menu (closed again): Enter opens it, Tab
    # goes down its actions.
    page.wait_for_function(  # once htmx has settled the new item
        f"() => document.getElementById('claim-{claim.pk}').contains(document.activeElement)"
    )
    assert page.evaluate(f"{focused}.matches('summary.claim-menu-button')")
    assert page.evaluate("() => !document.activeElement.closest('details').open")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # -> Edit
    assert page.evaluate(f"{focused}.textContent.trim()") == "Edit"
    page.keyboard.press("Tab")  # Edit -> Delete
    assert page.evaluate(f"{focused}.textContent.trim()") == "Delete"
    page.keyboard.press("Enter")
    confirm = page.locator(f"#claim-{claim.pk} .confirm-delete button")
    expect(confirm).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#claim-{claim.pk}")).to_have_count(0)
    assert Annotation.objects.count() == 0
    expect(page.locator("#announce")).to_contain_text("Claim deleted: verified")
    page.wait_for_function("() => document.activeElement.matches('[data-article-body]')")


def test_the_claim_menu_works_with_the_keyboard_alone(page, live_server, login, editor, article):
    """The card's one menu: Enter opens it, Tab goes through its actions in order, Escape
    closes it and leaves the focus on its button; Tab past the last action closes it."""
    start = BODY.index("Moscow did not confirm")
    claim = AnnotationFactory(
        article=article, start=start, end=start + 22, quote=BODY[start : start + 22],
        label="disputed", created_by=editor,
    )  # fmt: skip
    AnnotationFactory(
        article=article, quote_text="reportedly been evacuated", label="unattributed",
        created_by=editor,
    )  # fmt: skip
    open_by_keyboard(page, live_server, login, editor, article)
    focused = "() => document.activeElement"
    caret_to(page, start + 3)
    page.keyboard.press("Enter")  # to the claim: its menu open, on Edit
    menu = page.locator(f"#claim-{claim.pk} details.claim-menu")
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    assert page.evaluate(f"{focused}.matches('summary.claim-menu-button')")
    page.keyboard.press("Space")
    expect(menu).to_have_attribute("open", "")
    names = []
    for _ in range(3):
        page.keyboard.press("Tab")
        names.append(page.evaluate(f"{focused}.textContent.trim()"))
    assert names == ["Edit", "Delete", "History"]
    page.keyboard.press("Tab")  # out of the menu, to the card's next stop: it closes
    assert page.evaluate(f"{focused}.matches('details.claim-similar > summary')")
    expect(menu).not_to_have_attribute("open", "")
    page.keyboard.press("Shift+Tab")  # back on its button
    assert page.evaluate(f"{focused}.matches('summary.claim-menu-button')")
    page.keyboard.press("Enter")
    for _ in range(3):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # History: the panel opens under the card, the menu closes
    expect(page.locator(f"#claim-{claim.pk} .history-panel")).to_be_visible()
    expect(menu).not_to_have_attribute("open", "")
    page.wait_for_function(
        f"() => document.querySelector('#claim-{claim.pk} .claim-history').contains("
        "document.activeElement)"
    )
