"""The article page in a real Chromium: selection -> code point offsets -> stored claim.

Selections are made with the real mouse (down, move, up) at coordinates computed from the
rendered text, so layout, hit-testing and the browser's own selection logic are all in
play. Only the mid-grapheme case sets a selection from script, because no mouse can put a
caret between the two halves of a flag.

Every expected span is computed in Python from the article body, independently of the
page, and compared with what the server stored.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from annotations import selectors
from annotations.models import Annotation, Article
from bench.browser import install_walker
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots")

# One article that exercises everything the offsets contract is about: Cyrillic, a flag
# (two regional indicators, four UTF-16 units, one grapheme), an astral emoji (one code
# point, two UTF-16 units), curly quotes, and combining accents with no precomposed form
# ("x" + U+0301 and Cyrillic "е" + U+0301 stay two code points under NFC).
X_ACUTE = "x\u0301"
IE_ACUTE = "\u0435\u0301"
FLAG = "\U0001f1fa\U0001f1e6"  # 🇺🇦
ROCKET = "\U0001f680"  # 🚀
BODY = (
    "Night strike on Kharkiv\n"
    "\n"
    f"Kyiv {FLAG} said air defence downed 31 of 38 drones {ROCKET} overnight, "
    "according to a Telegram post from the SBU.\n"
    f"Ірина Петренко told reporters “the windows came in at three” near Sumsʹka{X_ACUTE} street.\n"
    "\n"
    f"Moscow did not confirm the figures; a spokesman called them “fabricated” and "
    f"named the vi{X_ACUTE}llage Бер{IE_ACUTE}зовка.\n"
    "Residents had reportedly been evacuated before dawn."
)
assert unicodedata.normalize("NFC", BODY) == BODY  # stored bodies are NFC


# --- Helpers -------------------------------------------------------------------------------

# The code point walker (`window.__t`: locate, rangeOf, rect, select) is shared with
# `make bench`; `_install` puts it in the page. The other browser tests import it from here.
_install = install_walker


def open_article(page: Page, live_server, login, user, article: Article) -> Page:
    login(page, user)
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(page.locator("[data-article-body]")).to_be_visible()
    _install(page)
    return page


def char_rect(page: Page, offset: int) -> dict:
    """The box of the character at code point `offset` of the body, in viewport pixels."""
    return page.evaluate("(o) => window.__t.rect(o, o + 1)", offset)


def drag(page: Page, start: int, end: int, *, pause_midway_ms: int = 0) -> None:
    """Select body[start:end] with the mouse: press on the left part of the first character,
    move across, release on the right part of the last one."""
    page.locator("[data-article-body]").scroll_into_view_if_needed()
    first = char_rect(page, start)
    last = char_rect(page, end - 1)
    x0, y0 = first["left"] + first["width"] * 0.2, first["top"] + first["height"] / 2
    x1, y1 = last["right"] - last["width"] * 0.2, last["top"] + last["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
    if pause_midway_ms:
        # An editor who stops to read mid-drag: no popover jumps up under the pointer.
        page.wait_for_timeout(pause_midway_ms)
        expect(popover(page)).to_be_hidden()
    page.mouse.move(x1, y1, steps=4)
    page.mouse.up()


def click_at(page: Page, offset: int) -> None:
    """A plain click in the middle of the character at code point `offset`."""
    r = char_rect(page, offset)
    page.mouse.click(r["left"] + r["width"] / 2, r["top"] + r["height"] / 2)


def span_of(body: str, passage: str, nth: int = 0) -> tuple[int, int]:
    """Code point offsets of the nth occurrence of `passage` in `body` (Python, not the page)."""
    start = -1
    for _ in range(nth + 1):
        start = body.index(passage, start + 1)
    return start, start + len(passage)


def popover(page: Page):
    return page.locator("#claim-popover")


def form_span(page: Page) -> dict:
    return page.evaluate(
        """() => { const f = document.getElementById("claim-form");
        return { start: +f.elements.start.value, end: +f.elements.end.value, quote: f.elements.quote.value }; }"""
    )


def claim_action(page: Page, pk: int, name: str) -> None:
    """Open claim `pk`'s actions menu in the side list (unless open) and click `name`: Edit,
    Delete, History or Re-attach; wait for the menu to close."""
    item = page.locator(f"#claim-{pk}")
    if item.locator("details.claim-menu").get_attribute("open") is None:
        item.locator("summary.claim-menu-button").click()
    item.locator(".claim-menu-panel a", has_text=name).click()
    # Done when the menu has closed (what the link brought has settled) or gone (editing).
    expect(item.locator("details.claim-menu[open]")).to_have_count(0)


def wait_for_claims(page: Page, n: int) -> None:
    try:
        expect(page.locator("#claim-list li.claim")).to_have_count(n)
    except AssertionError as exc:
        errors = page.locator("#claim-form-errors").text_content()
        raise AssertionError(f"{exc}\n#claim-form-errors: {errors!r}") from None
    expect(page.locator("#article-summary .summary-total strong")).to_have_text(str(n))


def only_claim() -> Annotation:
    claims = list(Annotation.objects.all())
    assert len(claims) == 1, claims
    return claims[0]


def assert_anchored(claim: Annotation, body: str, expected: tuple[int, int]) -> None:
    assert (claim.start, claim.end) == expected, (
        f"stored {claim.start}-{claim.end} {claim.quote!r}, meant {expected} "
        f"{body[expected[0] : expected[1]]!r}"
    )
    assert body[claim.start : claim.end] == claim.quote == body[expected[0] : expected[1]]


@pytest.fixture
def article(db):
    return ArticleFactory(body=BODY, title="Night strike on Kharkiv")


# --- 1. Selection -> offsets, in code points -----------------------------------------------


def test_drag_after_flag_and_emoji_stores_code_point_offsets(
    page, live_server, login, editor, article
):
    open_article(page, live_server, login, editor, article)
    # After the flag (2 code points, 4 UTF-16 units), across the rocket (1 and 2).
    expected = span_of(BODY, f"downed 31 of 38 drones {ROCKET} overnight")
    drag(page, *expected)
    expect(popover(page)).to_be_visible()
    assert form_span(page) == {
        "start": expected[0],
        "end": expected[1],
        "quote": BODY[slice(*expected)],
    }
    page.keyboard.press("v")
    wait_for_claims(page, 1)
    claim = only_claim()
    assert_anchored(claim, BODY, expected)
    assert claim.label == Annotation.Label.VERIFIED
    assert claim.created_by == editor
    mark = page.locator(f'[data-article-body] mark[data-annotation-id="{claim.pk}"]')
    expect(mark).to_have_text(claim.quote)
    expect(mark).to_have_class(re.compile(r"\bhl-verified\b"))
    # The page still holds exactly the body: marks add no text.
    assert page.locator("[data-article-body]").evaluate("el => el.textContent") == BODY


def test_drag_across_cyrillic_quotes_and_combining_accents(
    page, live_server, login, editor, article
):
    open_article(page, live_server, login, editor, article)
    expected = span_of(
        BODY, f"Петренко told reporters “the windows came in at three” near Sumsʹka{X_ACUTE}"
    )
    drag(page, *expected)
    expect(popover(page)).to_be_visible()
    page.keyboard.press("d")
    wait_for_claims(page, 1)
    claim = only_claim()
    assert_anchored(claim, BODY, expected)
    assert claim.quote.endswith(X_ACUTE)
    assert claim.label == Annotation.Label.DISPUTED


def test_drag_across_two_paragraphs_with_accents(page, live_server, login, editor, article):
    open_article(page, live_server, login, editor, article)
    start = BODY.index("a spokesman")
    end = BODY.index("Residents had") + len("Residents had")
    drag(page, start, end, pause_midway_ms=400)
    expect(popover(page)).to_be_visible()
    page.keyboard.press("u")
    wait_for_claims(page, 1)
    claim = only_claim()
    assert_anchored(claim, BODY, (start, end))
    assert f"Бер{IE_ACUTE}зовка.\nResidents" in claim.quote
    # The claim spans two blocks: both carry its marks; the newline between them is bare.
    marks = page.locator(f'[data-article-body] mark[data-annotation-id="{claim.pk}"]')
    assert "".join(marks.all_text_contents()) == claim.quote.replace("\n", "")


@pytest.mark.both_passes  # also on PostgreSQL (tests/conftest.py)
def test_pick_source_then_key_stores_source(page, live_server, login, editor, article):
    sbu = SourceFactory(name="Security Service of Ukraine")
    SourceFactory(name="Ministry of Defence of Russia")
    open_article(page, live_server, login, editor, article)
    expected = span_of(BODY, "according to a Telegram post from the SBU")
    drag(page, *expected)
    expect(popover(page)).to_be_visible()
    page.locator("#claim-popover input[type=search]").click()
    page.keyboard.type("secur", delay=20)
    pick = page.locator(f'#claim-popover .pick[data-source-id="{sbu.pk}"]')
    expect(pick).to_be_visible()
    expect(page.locator("#claim-popover .pick[data-source-id]")).to_have_count(1)
    pick.click()
    expect(page.locator("#claim-popover .source-chosen")).to_contain_text(
        "Security Service of Ukraine"
    )
    # Keys typed into the popover's fields are text, not labels.
    page.locator("#claim-popover textarea[name=note]").click()
    page.keyboard.type("Via the SBU's Telegram channel")
    # The public summary is its own field, named as what ClaimReview publishes.
    summary = page.get_by_label("Public summary (published in ClaimReview)")
    summary.fill("Only the SBU gives this figure.")
    expect(page.get_by_label("Internal note (never published)")).to_have_value(
        "Via the SBU's Telegram channel"
    )
    expect(popover(page)).to_be_visible()
    SHOTS.mkdir(exist_ok=True)
    popover(page).screenshot(path=str(SHOTS / "claimreview-popover.png"))
    assert Annotation.objects.count() == 0
    page.locator("#claim-popover button[data-label=disputed]").click()
    wait_for_claims(page, 1)
    claim = only_claim()
    assert_anchored(claim, BODY, expected)
    assert claim.source == sbu
    assert claim.label == Annotation.Label.DISPUTED
    assert claim.note == "Via the SBU's Telegram channel"
    assert claim.public_summary == "Only the SBU gives this figure."
    # Focus went back to the text (the button that had it is hidden), for the next claim.
    expect(popover(page)).to_be_hidden()
    assert page.evaluate("() => document.activeElement.matches('[data-article-body]')")
    expect(page.locator(f"#claim-{claim.pk} .claim-source")).to_contain_text(
        "Security Service of Ukraine"
    )

    # The next claim starts from a clean form: search box back, no source or note carried over.
    second = span_of(BODY, "the windows came in at three")
    drag(page, *second)
    expect(popover(page)).to_be_visible()
    expect(page.locator("#claim-popover .source-chosen")).to_be_hidden()
    expect(page.locator("#claim-popover input[type=search]")).to_be_visible()
    expect(page.locator("#claim-popover textarea[name=note]")).to_have_value("")
    expect(summary).to_have_value("")
    page.keyboard.press("u")
    wait_for_claims(page, 2)
    claim2 = Annotation.objects.exclude(pk=claim.pk).get()
    assert_anchored(claim2, BODY, second)
    assert claim2.source is None
    assert claim2.note == ""


# --- 2. Trimming and snapping --------------------------------------------------------------


def test_selection_with_surrounding_whitespace_is_trimmed(
    page, live_server, login, editor, article
):
    open_article(page, live_server, login, editor, article)
    # From the space before "31" to the space after "drones", both spaces selected.
    passage = "31 of 38 drones"
    start, end = span_of(BODY, passage)
    assert BODY[start - 1] == " " and BODY[end] == " "
    drag(page, start - 1, end + 1)
    assert page.evaluate("() => getSelection().toString()") == f" {passage} "  # really selected
    expect(popover(page)).to_be_visible()
    assert form_span(page) == {"start": start, "end": end, "quote": passage}
    page.keyboard.press("v")
    wait_for_claims(page, 1)
    assert_anchored(only_claim(), BODY, (start, end))


def test_triple_click_paragraph_drops_the_newlines(page, live_server, login, editor, article):
    open_article(page, live_server, login, editor, article)
    line = next(x for x in BODY.split("\n") if x.startswith("Ірина"))
    expected = span_of(BODY, line)
    r = char_rect(page, expected[0] + 3)
    page.mouse.click(r["left"] + 2, r["top"] + r["height"] / 2, click_count=3)
    expect(popover(page)).to_be_visible()
    assert form_span(page)["quote"] == line
    page.keyboard.press("u")
    wait_for_claims(page, 1)
    assert_anchored(only_claim(), BODY, expected)


def test_drag_that_runs_out_of_the_text_keeps_the_part_inside(
    page, live_server, login, editor, article
):
    open_article(page, live_server, login, editor, article)
    # The suggested claims come after the page, between the text and the form below: what
    # is below the text moves when they come, so measure it once they are there.
    expect(page.locator("#suggestions .suggestion-count")).to_be_visible()
    # From "reportedly" down past the end of the article, onto the no-JS form below it.
    start = BODY.index("reportedly been")
    r = char_rect(page, start)
    below = page.locator("#tag-by-quote").bounding_box()
    page.mouse.move(r["left"] + 1, r["top"] + r["height"] / 2)
    page.mouse.down()
    page.mouse.move(below["x"] + 200, below["y"] + below["height"] / 2, steps=6)
    page.mouse.up()
    expect(popover(page)).to_be_visible()
    assert form_span(page) == {"start": start, "end": len(BODY), "quote": BODY[start:]}
    page.keyboard.press("Escape")

    # From the headline above the body down to "Kharkiv" in the body's first line (the drag
    # above scrolled the page down: bring the headline back into view).
    end = BODY.index("Kharkiv") + len("Kharkiv")
    page.evaluate("() => window.scrollTo(0, 0)")
    head = page.locator("#article-title").bounding_box()
    r = char_rect(page, end - 1)
    page.mouse.move(head["x"] + 40, head["y"] + head["height"] / 2)
    page.mouse.down()
    page.mouse.move(r["right"] - 1, r["top"] + r["height"] / 2, steps=6)
    page.mouse.up()
    expect(popover(page)).to_be_visible()
    assert form_span(page) == {"start": 0, "end": end, "quote": BODY[:end]}
    page.keyboard.press("u")
    wait_for_claims(page, 1)
    assert_anchored(only_claim(), BODY, (0, end))


# A selection set from script, in UTF-16 units relative to code point offsets: [start
# code point, extra units, end code point, extra units]. Extra units land inside a
# surrogate pair or between the two regional indicators of the flag.
_SELECT_JS = """
([s, sx, e, ex]) => {
  const [sn, so] = window.__t.locate(s, "after");
  const [en, eo] = window.__t.locate(e, "after");
  const r = document.createRange();
  r.setStart(sn, so + sx);
  r.setEnd(en, eo + ex);
  return window.__t.select(r);
}
"""

FLAG_AT = BODY.index(FLAG)
X_AT = BODY.index(f"vi{X_ACUTE}llage") + 2  # the "x" whose accent follows


@pytest.mark.parametrize(
    ("case", "selection", "expected"),
    [
        # ends between the flag's two regional indicators (2 of its 4 UTF-16 units)
        ("end mid-flag", (BODY.index("Kyiv"), 0, FLAG_AT, 2), "Kyiv " + FLAG),
        # ends between the two halves of the flag's first surrogate pair
        ("end mid-surrogate", (BODY.index("Kyiv"), 0, FLAG_AT, 1), "Kyiv " + FLAG),
        # starts inside the flag
        ("start mid-flag", (FLAG_AT, 2, BODY.index(" air defence"), 0), FLAG + " said"),
        ("start mid-surrogate", (FLAG_AT, 3, BODY.index(" air defence"), 0), FLAG + " said"),
        # ends between "x" and its combining accent
        ("end before accent", (BODY.index("named the"), 0, X_AT, 1), f"named the vi{X_ACUTE}"),
        # starts between "x" and its accent
        ("start on accent", (X_AT + 1, 0, X_AT + 7, 0), f"{X_ACUTE}llage"),
        # ends between the Cyrillic "е" and its accent
        (
            "end before Cyrillic accent",
            (BODY.index("Бер"), 0, BODY.index("Бер") + 4, 0),
            f"Бер{IE_ACUTE}",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_selection_inside_a_grapheme_snaps_to_whole_characters(
    page, live_server, login, editor, article, case, selection, expected
):
    open_article(page, live_server, login, editor, article)
    page.evaluate(_SELECT_JS, list(selection))
    expect(popover(page)).to_be_visible()
    start, end = span_of(BODY, expected)
    assert form_span(page) == {"start": start, "end": end, "quote": expected}, case
    page.keyboard.press("d")
    wait_for_claims(page, 1)
    assert_anchored(only_claim(), BODY, (start, end))


# --- 3. Keys by physical position ----------------------------------------------------------


def _key(page: Page, code: str, key: str, vk: int) -> None:
    """A trusted key press as a non-Latin layout sends it (via the DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    common = {"code": code, "key": key, "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk}
    cdp.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": key, **common})
    cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **common})
    cdp.detach()


def test_label_keys_follow_event_code_on_a_ukrainian_layout(
    page, live_server, login, editor, article
):
    open_article(page, live_server, login, editor, article)
    expected = span_of(BODY, "Moscow did not confirm the figures")
    drag(page, *expected)
    expect(popover(page)).to_be_visible()
    page.evaluate("""() => { window.__keys = [];
        document.addEventListener("keydown", (e) => window.__keys.push([e.code, e.key]), true); }""")
    # A layout whose "v" sits on another physical key (Dvorak puts it on Period): no label.
    _key(page, "Period", "v", 190)
    # The Ukrainian layout: physical D types "в". That is "disputed".
    _key(page, "KeyD", "в", 68)
    assert page.evaluate("() => window.__keys") == [["Period", "v"], ["KeyD", "в"]]
    wait_for_claims(page, 1)
    claim = only_claim()
    assert claim.label == Annotation.Label.DISPUTED
    assert_anchored(claim, BODY, expected)


def test_the_key_map_comes_from_the_page(page, live_server, login, editor, article, fourth_label):
    """annotate.js has no letters of its own: a label added to the registry (here M,
    "misleading") brings its key. The server refuses it until the migration that allows
    it in the database, but the press posts that label."""
    open_article(page, live_server, login, editor, article)
    expected = span_of(BODY, "Moscow did not confirm the figures")
    drag(page, *expected)
    expect(popover(page)).to_be_visible()
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/claims/")) as sent:
        page.keyboard.press("KeyM")
    assert "label=misleading" in sent.value.post_data
    expect(page.locator("#claim-form-errors")).to_contain_text("misleading")
    assert not Annotation.objects.exists()


# --- 4. Overlaps, nesting, and picking a claim ---------------------------------------------


def _selected_ids(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        ".claim.is-selected", "els => els.map((e) => e.dataset.annotationId)"
    )


def _active_ids(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-article-body] mark.is-active",
        "els => [...new Set(els.map((e) => e.dataset.annotationId))]",
    )


def test_overlapping_and_nested_claims_click_and_cycle(page, live_server, login, editor, article):
    outer = AnnotationFactory(
        article=article, quote_text="air defence downed 31 of 38 drones", created_by=editor
    )
    open_article(page, live_server, login, editor, article)
    wait_for_claims(page, 1)

    # B overlaps the end of A and runs past it (across the rocket).
    overlap = span_of(BODY, f"38 drones {ROCKET} overnight")
    drag(page, *overlap)
    expect(popover(page)).to_be_visible()
    page.keyboard.press("d")
    wait_for_claims(page, 2)
    b = Annotation.objects.get(start=overlap[0])
    assert_anchored(b, BODY, overlap)

    # C sits inside A.
    nested = span_of(BODY, "defence downed")
    drag(page, *nested)
    expect(popover(page)).to_be_visible()
    page.keyboard.press("u")
    wait_for_claims(page, 3)
    c = Annotation.objects.get(start=nested[0])
    assert_anchored(c, BODY, nested)
    a, b, c = str(outer.pk), str(b.pk), str(c.pk)

    # The list is in reading order: A (starts first), C, B.
    order = page.eval_on_selector_all(
        "#claim-list .claim", "els => els.map((e) => e.dataset.annotationId)"
    )
    assert order == [a, c, b]

    def click_and_check(offset, expected_id):
        click_at(page, offset)
        expect(page.locator(f"#claim-{expected_id}")).to_have_class(re.compile(r"\bis-selected\b"))
        assert _selected_ids(page) == [expected_id]
        assert _active_ids(page) == [expected_id]
        expect(popover(page)).to_be_hidden()

    click_and_check(BODY.index("air defence") + 1, a)  # only A
    click_and_check(BODY.index("overnight") + 2, b)  # only B
    # Inside C (inside A): the innermost first, then outwards, then round again.
    in_c = BODY.index("defence downed") + 2
    click_and_check(in_c, c)
    click_and_check(in_c, a)
    click_and_check(in_c, c)
    # Where A and B overlap: B is nested inside A's mark there.
    in_ab = overlap[0] + 4
    click_and_check(in_ab, b)
    click_and_check(in_ab, a)
    click_and_check(in_ab, b)
    # A click on plain text clears the choice.
    click_at(page, BODY.index("Residents") + 2)
    expect(page.locator(".claim.is-selected")).to_have_count(0)

    # Nested claims nest as marks: A is one mark with C's inside it. B, which crosses A's
    # end, is two marks: one inside A, one after it.
    a_marks = page.locator(f'[data-article-body] mark[data-annotation-id="{a}"]')
    expect(a_marks).to_have_count(1)
    expect(a_marks.locator(f'mark[data-annotation-id="{c}"]')).to_have_count(1)
    b_marks = page.locator(f'[data-article-body] mark[data-annotation-id="{b}"]')
    expect(b_marks).to_have_count(2)
    expect(a_marks.locator(f'mark[data-annotation-id="{b}"]')).to_have_count(1)
    # Clicking a list item selects it and flashes all its marks.
    # The flash of the last save has run its course (and its class is gone).
    expect(page.locator("[data-article-body] .flash")).to_have_count(0)
    page.locator(f"#claim-{b} .claim-quote").click()
    # The flash lasts 1.4 s: read which marks flash in the first frame any does (all of B's
    # and nothing else), rather than one mark after another, which a slow machine can
    # outlast.
    flashing = page.wait_for_function(
        """() => {
            const marks = [...document.querySelectorAll("[data-article-body] mark.flash")];
            return marks.length ? marks.map((m) => m.dataset.annotationId) : null;
        }"""
    ).json_value()
    assert flashing == [b] * b_marks.count() == [b, b]
    expect(page.locator(f"#claim-{b}")).to_have_class(re.compile(r"\bis-selected\b"))


# --- 5. Saving swaps only what changed -----------------------------------------------------


def test_save_keeps_the_page_and_replaces_only_touched_blocks(
    page, live_server, login, editor, article
):
    open_article(page, live_server, login, editor, article)
    touched_line = next(x for x in BODY.split("\n") if x.startswith("Ірина"))
    untouched_line = next(x for x in BODY.split("\n") if x.startswith("Moscow"))
    touched_id = f"blk-{BODY.index(touched_line)}"
    untouched_id = f"blk-{BODY.index(untouched_line)}"
    page.evaluate(
        """([t, u]) => {
        window.__marker = "same page";
        window.__touched = document.getElementById(t);
        window.__untouched = document.getElementById(u);
        window.__touched.setAttribute("data-probe", "old");
        window.__untouched.setAttribute("data-probe", "old");
        }""",
        [touched_id, untouched_id],
    )
    expected = span_of(BODY, "the windows came in at three")
    drag(page, *expected)
    expect(popover(page)).to_be_visible()
    page.keyboard.press("v")
    wait_for_claims(page, 1)
    claim = only_claim()
    expect(page.locator(f'#{touched_id} mark[data-annotation-id="{claim.pk}"]')).to_have_text(
        claim.quote
    )
    state = page.evaluate(
        """([t, u]) => ({
        marker: window.__marker,
        touchedConnected: window.__touched.isConnected,
        newTouchedProbe: document.getElementById(t).getAttribute("data-probe"),
        untouchedSame: window.__untouched === document.getElementById(u),
        untouchedProbe: document.getElementById(u).getAttribute("data-probe"),
        blocks: document.querySelectorAll("[data-article-body] > p.blk").length,
        text: document.querySelector("[data-article-body]").textContent,
        })""",
        [touched_id, untouched_id],
    )
    assert state["marker"] == "same page"  # no reload
    assert state["touchedConnected"] is False  # the touched block was swapped out...
    assert state["newTouchedProbe"] is None  # ...for a fresh one
    assert state["untouchedSame"] is True  # the others are the very same elements
    assert state["untouchedProbe"] == "old"
    assert state["blocks"] == len([x for x in BODY.split("\n") if x.strip()])
    assert state["text"] == BODY
    assert_anchored(claim, BODY, expected)


# --- 6. Tampered requests ------------------------------------------------------------------


def test_tampered_quote_or_offsets_are_refused_with_a_message(
    page, live_server, login, editor, article
):
    open_article(page, live_server, login, editor, article)
    expected = span_of(BODY, "a spokesman called them “fabricated”")
    drag(page, *expected)
    expect(popover(page)).to_be_visible()
    errors = page.locator("#claim-form-errors")

    page.evaluate(
        "() => { document.getElementById('claim-form').elements.quote.value = 'a spokesman called them “accurate”'; }"
    )
    page.keyboard.press("v")
    expect(errors).to_contain_text("does not match the article")
    expect(errors).to_contain_text("accurate")
    expect(popover(page)).to_be_visible()
    assert Annotation.objects.count() == 0

    page.evaluate(
        """([q, s]) => { const f = document.getElementById('claim-form');
        f.elements.quote.value = q; f.elements.start.value = s; }""",
        [BODY[slice(*expected)], expected[0] + 1],
    )
    page.keyboard.press("d")
    expect(errors).to_contain_text(f"at {expected[0] + 1}")
    expect(page.locator("#toast")).to_be_hidden()  # 422 is shown in place, not as a toast
    assert Annotation.objects.count() == 0
    expect(page.locator("#claim-list li.claim")).to_have_count(0)
    assert page.locator("[data-article-body] mark").count() == 0

    # Put right, the same popover saves.
    page.evaluate(
        "(s) => { document.getElementById('claim-form').elements.start.value = s; }", expected[0]
    )
    page.keyboard.press("d")
    wait_for_claims(page, 1)
    assert_anchored(only_claim(), BODY, expected)


def test_server_failures_show_a_toast_and_the_popover_stays_for_a_retry(
    page, live_server, login, editor, article
):
    open_article(page, live_server, login, editor, article)
    answers = ["503", "abort"]

    def fail(route):
        answer = answers.pop(0) if answers else None
        if answer == "503":
            route.fulfill(status=503, body="down", content_type="text/plain")
        elif answer == "abort":
            route.abort()
        else:
            route.continue_()

    page.route(re.compile(r".*/articles/\d+/claims/$"), fail)
    expected = span_of(BODY, "Residents had reportedly been evacuated")
    drag(page, *expected)
    expect(popover(page)).to_be_visible()
    toast = page.locator("#toast")

    page.keyboard.press("v")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("The database is not answering. Nothing was saved")
    expect(popover(page)).to_be_visible()
    expect(page.locator("#claim-popover button[data-label=verified]")).to_be_enabled()

    page.keyboard.press("v")
    expect(toast).to_contain_text("The server did not answer")
    expect(popover(page)).to_be_visible()
    assert Annotation.objects.count() == 0

    page.keyboard.press("u")  # the third try goes through
    wait_for_claims(page, 1)
    claim = only_claim()
    assert_anchored(claim, BODY, expected)
    assert claim.label == Annotation.Label.UNATTRIBUTED


def test_an_ended_session_says_so_and_keeps_the_popover(page, live_server, login, editor, article):
    """Signed out in another tab: no sign-in page pasted into the popover; a link instead."""
    from django.contrib.sessions.models import Session

    open_article(page, live_server, login, editor, article)
    expected = span_of(BODY, "Residents had reportedly been evacuated")
    drag(page, *expected)
    expect(popover(page)).to_be_visible()
    page.locator("#claim-form textarea[name=note]").fill("Checked with the regional governor")
    Session.objects.all().delete()

    page.locator("#article-body").focus()
    page.keyboard.press("v")
    toast = page.locator("#toast")
    expect(toast).to_contain_text("Your session has ended, so nothing was saved.")
    expect(toast.get_by_role("link", name="Sign in again")).to_have_attribute(
        "href", f"/accounts/login/?next={article.get_absolute_url()}"
    )
    expect(popover(page)).to_be_visible()
    expect(page.locator("#claim-form textarea[name=note]")).to_have_value(
        "Checked with the regional governor"
    )
    assert page.locator("#claim-popover input[name=password]").count() == 0
    assert Annotation.objects.count() == 0

    login(page, editor)  # signed in again (in another tab)
    page.locator("#claim-popover button[data-label=verified]").click()
    wait_for_claims(page, 1)
    assert_anchored(only_claim(), BODY, expected)


# --- 7. Escape, focus, and tagging in a row ------------------------------------------------


def test_escape_closes_and_two_claims_in_a_row_need_no_clicks(
    page, live_server, login, editor, article
):
    open_article(page, live_server, login, editor, article)
    first = span_of(BODY, "Kyiv " + FLAG + " said")
    drag(page, *first)
    expect(popover(page)).to_be_visible()
    evidence = page.locator("#claim-form input[name=evidence_url]")
    evidence.fill("javascript:alert(1)")  # a wrong link typed, then the editor gives up
    page.locator("#article-body").focus()
    page.keyboard.press("Escape")
    expect(popover(page)).to_be_hidden()
    expect(evidence).to_have_value("")  # dismissed: the next claim starts clean
    assert page.evaluate("() => getSelection().isCollapsed")
    page.keyboard.press("v")  # nothing selected any more: nothing happens
    page.wait_for_timeout(300)
    assert Annotation.objects.count() == 0

    # A plain click in the text also closes it; a key press afterwards tags nothing.
    drag(page, *first)
    expect(popover(page)).to_be_visible()
    click_at(page, BODY.index("strike on") + 3)  # above the popover, which hangs below
    expect(popover(page)).to_be_hidden()
    page.keyboard.press("v")
    page.wait_for_timeout(300)
    assert Annotation.objects.count() == 0

    drag(page, *first)
    expect(popover(page)).to_be_visible()
    page.keyboard.press("v")
    wait_for_claims(page, 1)
    expect(popover(page)).to_be_hidden()
    assert page.evaluate("() => document.activeElement.matches('[data-article-body]')")

    second = span_of(BODY, "Residents had reportedly been evacuated")
    drag(page, *second)
    expect(popover(page)).to_be_visible()
    page.keyboard.press("u")
    wait_for_claims(page, 2)
    assert page.evaluate("() => document.activeElement.matches('[data-article-body]')")
    claims = list(Annotation.objects.order_by("start"))
    assert [(c.start, c.end, c.label) for c in claims] == [
        (*first, "verified"),
        (*second, "unattributed"),
    ]
    for c in claims:
        assert BODY[c.start : c.end] == c.quote


# --- 8. Without JavaScript -----------------------------------------------------------------


def test_without_javascript_tag_by_pasting_the_quote(
    browser, browser_context_args, live_server, login, editor
):
    body = (
        "Two sides, one number\n"
        "\n"
        "Kyiv says 31 drones were shot down over Бер\u0435\u0301зовка.\n"
        "Moscow says 31 drones were shot down, too, and “none hit”.\n"
        "The caf\u00e9 on Sumska street was hit."
    )
    article = ArticleFactory(body=body)
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, editor)
        url = f"{live_server.url}{article.get_absolute_url()}"
        page.goto(url)
        expect(page.locator("#claim-popover")).to_be_hidden()

        # A unique quote, with a combining accent: found and tagged at once.
        page.locator("#tag-by-quote a").click()
        quote = "over Бер\u0435\u0301зовка"
        page.locator("main form textarea[name=quote]").fill(quote)
        page.locator("main form input[name=label][value=verified]").check()
        page.locator("main form button.primary[type=submit]").click()
        page.wait_for_url(
            re.compile(re.escape(article.get_absolute_url()) + r"(\?claim=\d+)?(#.*)?$")
        )
        claim = only_claim()
        start = body.index(quote)
        assert (claim.start, claim.end, claim.quote, claim.label) == (
            start,
            start + len(quote),
            quote,
            "verified",
        )
        expect(page.locator(f'mark[data-annotation-id="{claim.pk}"]')).to_have_text(quote)

        # A quote that occurs twice: the server asks which one.
        page.locator("#tag-by-quote a").click()
        twice = "31 drones were shot down"
        page.locator("main form textarea[name=quote]").fill(twice)
        page.locator("main form input[name=label][value=disputed]").check()
        page.locator("main form button.primary[type=submit]").click()
        radios = page.locator("input[name=occurrence]")
        expect(radios).to_have_count(2)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "nojs-occurrences.png"), full_page=True)
        assert Annotation.objects.count() == 1  # nothing stored until an occurrence is chosen
        second_start = body.index(twice, body.index(twice) + 1)
        page.locator(f"input[name=occurrence][value='{second_start}']").check()
        page.locator("form button[type=submit]", has_text="Tag this occurrence").click()
        page.wait_for_url(
            re.compile(re.escape(article.get_absolute_url()) + r"(\?claim=\d+)?(#.*)?$")
        )
        claim2 = Annotation.objects.exclude(pk=claim.pk).get()
        assert (claim2.start, claim2.end, claim2.quote, claim2.label) == (
            second_start,
            second_start + len(twice),
            twice,
            "disputed",
        )
        assert body[claim2.start : claim2.end] == claim2.quote

        # Pasted decomposed (NFD, as some systems copy it): found in the NFC body all the same.
        page.locator("#tag-by-quote a").click()
        page.locator("main form textarea[name=quote]").fill("The cafe\u0301 on Sumska")
        page.locator("main form input[name=label][value=unattributed]").check()
        page.locator("main form button.primary[type=submit]").click()
        page.wait_for_url(
            re.compile(re.escape(article.get_absolute_url()) + r"(\?claim=\d+)?(#.*)?$")
        )
        claim3 = Annotation.objects.get(label="unattributed")
        nfc = "The caf\u00e9 on Sumska"
        assert (claim3.start, claim3.end, claim3.quote) == (
            body.index(nfc),
            body.index(nfc) + len(nfc),
            nfc,
        )

        # A quote that is not there is refused, and nothing is stored.
        page.locator("#tag-by-quote a").click()
        page.locator("main form textarea[name=quote]").fill("32 drones were shot down")
        page.locator("main form input[name=label][value=disputed]").check()
        page.locator("main form button.primary[type=submit]").click()
        expect(page.locator(".field-error")).to_contain_text("not in the article")
        assert Annotation.objects.count() == 3
    finally:
        context.close()


# --- 9. Viewers read only ------------------------------------------------------------------


def test_viewer_gets_no_popover_and_keys_store_nothing(page, live_server, login, viewer, article):
    existing = AnnotationFactory(article=article, quote_text="air defence downed 31 of 38 drones")
    open_article(page, live_server, login, viewer, article)
    expect(page.locator("#tag-by-quote")).to_have_count(0)
    expect(page.locator("#tag-hint")).to_have_count(0)
    expected = span_of(BODY, "the windows came in at three")
    drag(page, *expected)
    assert page.evaluate("() => getSelection().toString()") == BODY[slice(*expected)]
    page.wait_for_timeout(350)  # past the selection-settle delay
    expect(page.locator("#claim-popover")).to_have_count(0)
    for key in ("v", "d", "u"):
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    assert Annotation.objects.count() == 1
    # Reading still works: a click on a highlight picks its claim; no edit or delete links.
    click_at(page, BODY.index("air defence") + 2)
    expect(page.locator(f"#claim-{existing.pk}")).to_have_class(re.compile(r"\bis-selected\b"))
    expect(page.locator("#claim-list .claim-actions")).to_have_count(0)


# --- 10. Edit and delete in place ----------------------------------------------------------


@pytest.mark.both_passes  # also on PostgreSQL (tests/conftest.py)
def test_edit_and_delete_in_place(page, live_server, login, editor, other_editor, article):
    mine = AnnotationFactory(
        article=article, quote_text="air defence downed 31 of 38 drones", created_by=editor
    )
    theirs = AnnotationFactory(
        article=article,
        quote_text="the windows came in at three",
        created_by=other_editor,
        label=Annotation.Label.UNATTRIBUTED,
    )
    open_article(page, live_server, login, editor, article)
    page.evaluate("() => { window.__marker = 'same page'; }")
    item = page.locator(f"#claim-{mine.pk}")
    expect(page.locator(f"#claim-{theirs.pk} .claim-actions")).to_have_count(0)  # not mine

    item.locator("summary", has_text="Actions").click()  # the card's one menu
    expect(item.locator(".claim-menu-panel")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "claim-menu.png"))
    item.get_by_role("link", name="Edit").click()
    editing = page.locator(f"#claim-{mine.pk}.claim-editing form")
    expect(editing).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "edit-in-place.png"))
    editing.locator("input[name=label][value=verified]").check()
    editing.locator("textarea[name=note]").fill("Confirmed by the regional administration.")
    editing.get_by_role("button", name="Save").click()
    expect(item.locator(".label-pill")).to_have_text("Verified")
    expect(item).not_to_have_class(re.compile(r"claim-editing"))
    expect(item.locator(".claim-note")).to_have_text("Confirmed by the regional administration.")
    mine.refresh_from_db()
    assert mine.label == Annotation.Label.VERIFIED
    assert mine.updated_by == editor
    assert (mine.start, mine.end) == span_of(BODY, mine.quote)
    marks = page.locator(f'[data-article-body] mark[data-annotation-id="{mine.pk}"]')
    expect(marks.first).to_have_class(re.compile(r"\bhl-verified\b"))
    expect(page.locator("#article-summary .count-verified strong")).to_have_text("1")

    claim_action(page, mine.pk, "Delete")
    confirm = item.locator(".confirm-delete")
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name="Delete").click()
    expect(page.locator(f"#claim-{mine.pk}")).to_have_count(0)
    expect(marks).to_have_count(0)
    expect(page.locator("#article-summary .summary-total strong")).to_have_text("1")
    assert list(Annotation.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert page.locator("[data-article-body]").evaluate("el => el.textContent") == BODY
    assert page.evaluate("() => window.__marker") == "same page"
    expect(page.locator("#claim-list-empty")).to_have_count(0)


def test_deleting_the_last_claim_brings_back_the_empty_list(
    page, live_server, login, editor, article
):
    claim = AnnotationFactory(
        article=article, created_by=editor, quote_text="the windows came in at three"
    )
    open_article(page, live_server, login, editor, article)
    expect(page.locator("#claim-list-empty")).to_have_count(0)
    item = page.locator(f"#claim-{claim.pk}")
    claim_action(page, claim.pk, "Delete")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "delete-confirm.png"))
    item.locator(".confirm-delete").get_by_role("button", name="Delete").click()
    expect(page.locator(f"#claim-{claim.pk}")).to_have_count(0)
    expect(page.locator("#claim-list-empty")).to_be_visible()
    expect(page.locator("[data-article-body] mark")).to_have_count(0)
    assert Annotation.objects.count() == 0
    # And the next claim replaces the placeholder again.
    drag(page, *span_of(BODY, "Moscow did not confirm"))
    page.keyboard.press("d")
    wait_for_claims(page, 1)
    expect(page.locator("#claim-list-empty")).to_have_count(0)


# --- A crowded article, for the eye --------------------------------------------------------


def test_screenshot_of_an_article_with_many_overlapping_claims(page, live_server, login, editor):
    paragraphs = [
        "Overnight strikes across the east",
        f"Kyiv {FLAG} said air defence downed 31 of 38 drones {ROCKET} overnight, according to a "
        "Telegram post from the SBU, while regional officials reported damage in three districts.",
        "Ірина Петренко, who lives near the depot, told reporters “the windows came in at three” "
        "and that the fire brigade had reportedly arrived within minutes.",
        "Moscow did not confirm the figures; a Ministry of Defence spokesman called them "
        "“fabricated” and said all designated objects were struck.",
        "American intelligence offered a conservative estimate that losses on both sides were "
        "higher than either government admits, a senior Pentagon official said.",
        "Residents had reportedly been evacuated before dawn, and reports from the front line "
        "suggest the shelling continued into the afternoon near Бер\u0435\u0301зовка.",
    ]
    body = "\n\n".join(paragraphs)
    article = ArticleFactory(body=body, title="Overnight strikes across the east")
    words = [m.span() for m in re.finditer(r"\S+", body) if body.index(paragraphs[1]) <= m.start()]
    labels = list(Annotation.Label.values)
    made = 0
    for i in range(0, len(words) - 8, 3):
        start = words[i][0]
        end = words[min(i + 2 + (i % 7), len(words) - 1)][1]
        if "\n" in body[start:end] and i % 2:
            continue
        AnnotationFactory(
            article=article,
            quote=body[start:end],
            start=start,
            end=end,
            label=labels[made % 3],
            created_by=editor,
        )
        made += 1
        if made == 32:
            break
    assert made >= 30
    open_article(page, live_server, login, editor, article)
    # The side list shows a first page; scrolled to its end, it loads the rest.
    expect(page.locator("#claim-list li.claim")).to_have_count(selectors.CLAIM_PAGE)
    page.locator(".claims-panel").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    wait_for_claims(page, made)
    expect(page.locator("#claim-more")).to_have_count(0)
    assert page.locator("[data-article-body]").evaluate("el => el.textContent") == body
    # Every claim is highlighted, and its marks spell its quote (newlines aside).
    for claim in Annotation.objects.all():
        marks = page.locator(f'[data-article-body] mark[data-annotation-id="{claim.pk}"]')
        assert "".join(marks.all_text_contents()) == claim.quote.replace("\n", ""), claim
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "article-many-claims.png"), full_page=True)
    click_at(page, body.index("Pentagon") + 2)
    page.screenshot(path=str(SHOTS / "article-many-claims-selected.png"), full_page=False)
    # Clicking a highlight scrolls the list to its claim. Scrolling up, the item must land
    # below the panel's sticky head, not under it. Find a spot where a claim from the middle
    # of the list is the innermost mark, scroll the list to the bottom, and click there.
    claims = list(Annotation.objects.order_by("start", "-end", "id"))

    def innermost(offset):
        covering = [c for c in claims if c.start <= offset < c.end]
        return max(covering, key=lambda c: (c.start, -c.end, c.pk)) if covering else None

    target, spot = next(
        (c, o)
        for c in claims[len(claims) // 3 :]
        for o in range(c.start, c.end)
        if innermost(o) == c and not body[o].isspace()
    )
    page.locator(".claims-panel").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    click_at(page, spot)
    expect(page.locator(f"#claim-{target.pk}")).to_have_class(re.compile(r"\bis-selected\b"))
    page.wait_for_function(
        """(id) => {
        const item = document.getElementById("claim-" + id);
        const panel = document.querySelector(".claims-panel");
        const head = panel.querySelector(".panel-head, h2");
        const top = item.getBoundingClientRect().top;
        if (window.__lastTop !== top) { window.__lastTop = top; return false; }  // still moving
        return top >= head.getBoundingClientRect().bottom - 1
            && item.getBoundingClientRect().bottom <= panel.getBoundingClientRect().bottom + 1;
        }""",
        arg=target.pk,
        polling=100,
        timeout=5000,
    )
    drag(page, *span_of(body, "the shelling continued"))
    expect(popover(page)).to_be_visible()
    page.screenshot(path=str(SHOTS / "article-popover.png"), full_page=False)
