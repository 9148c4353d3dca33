"""Labels told apart without colour, in a real Chromium: overlapping claims as stacked
underlines with no blended tint, the selected claim outlined in a colour no label has, and a
glyph wherever a label is named. Screenshots go to /tmp/shots/colour-*.png for a person to
look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from annotations import labels
from tests.browser.test_annotate_browser import claim_action
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory

# Layout only: run once, in the SQLite pass (see tests/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.layout]

SHOTS = Path("/tmp/shots")
BODY = (
    "Night attack on Kharkiv\n"
    "\n"
    "According to a Telegram post from the SBU, air defence units shot down 31 of 38 "
    "drones launched from the Belgorod region overnight. The post included "
    "photographs of wreckage that could not be independently verified."
)
OUTER = "According to a Telegram post from the SBU, air defence units shot down 31 of 38 drones"
MIDDLE = "air defence units shot down 31 of 38"
INNER = "31 of 38"

# The underline of a mark, wherever the label draws it: a border, or a wavy decoration.
UNDERLINE_JS = """(m) => {
  const s = getComputedStyle(m);
  const r = m.getClientRects()[0];
  return {
    background: s.backgroundColor,
    border: s.borderBottomStyle, borderWidth: s.borderBottomWidth,
    decoration: s.textDecorationLine, decorationStyle: s.textDecorationStyle,
    offset: parseFloat(s.textUnderlineOffset), bottom: r.bottom,
    outline: s.outlineStyle, outlineColor: s.outlineColor, outlineWidth: s.outlineWidth,
  };
}"""


def _rgb(colour: str) -> str:
    colour = colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (0, 2, 4)))


@pytest.fixture
def nested(editor):
    source = SourceFactory(name="Security Service of Ukraine", reliability="B")
    article = ArticleFactory(title="Night attack on Kharkiv", body=BODY, created_by=editor)
    mine = {"article": article, "created_by": editor}
    claims = [
        AnnotationFactory(**mine, quote_text=OUTER, label="verified", source=source),
        AnnotationFactory(**mine, quote_text=MIDDLE, label="disputed", source=source),
        AnnotationFactory(**mine, quote_text=INNER, label="unattributed"),
    ]
    return article, claims


def _open(page: Page, live_server, login, user, article) -> Page:
    login(page, user)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(page.locator("[data-article-body]")).to_be_visible()
    return page


def _marks(page: Page, claims) -> list[dict]:
    return [
        page.locator(f'mark[data-annotation-id="{c.pk}"]').first.evaluate(UNDERLINE_JS)
        for c in claims
    ]


def test_nested_claims_are_stacked_underlines_without_blended_tints(
    page, live_server, login, editor, nested
):
    article, claims = nested
    _open(page, live_server, login, editor, article)
    block = page.locator("[data-article-body] .blk").nth(1)
    block.screenshot(path=SHOTS / "colour-nested.png")
    outer, middle, inner = _marks(page, claims)

    # One tint only, the outermost claim's: the nested marks add none to blend with it
    assert outer["background"] != "rgba(0, 0, 0, 0)"
    assert middle["background"] == inner["background"] == "rgba(0, 0, 0, 0)"

    # Each label draws its own style: verified solid, disputed wavy, unattributed dotted
    assert (outer["border"], outer["borderWidth"]) == ("solid", "2px")
    assert (middle["decoration"], middle["decorationStyle"]) == ("underline", "wavy")
    assert (inner["border"], inner["borderWidth"]) == ("dotted", "2px")

    # ... each level lower than its parent's: the innermost border (its mark's bottom) sits
    # below the outermost's, and a wavy line is drawn deeper at each level too
    assert inner["bottom"] >= outer["bottom"] + 6
    assert inner["offset"] > middle["offset"] > outer["offset"]

    # The marks add no text: the body's text is the article's
    text = page.locator("[data-article-body]").evaluate("el => el.textContent")
    assert text == article.body


def test_the_selected_claim_is_outlined_in_no_labels_colour(
    page, live_server, login, editor, nested
):
    article, claims = nested
    _open(page, live_server, login, editor, article)
    inner = claims[2]
    page.locator(f'.claim-jump[data-annotation-id="{inner.pk}"]').click()
    mark = page.locator(f'mark[data-annotation-id="{inner.pk}"]').first
    expect(mark).to_have_class("hl hl-unattributed is-active")
    item = page.locator(f"#claim-{inner.pk}")
    expect(item).to_have_class("claim claim-unattributed is-selected")
    page.wait_for_timeout(1600)  # the jump's flash has faded
    page.locator(".article-layout").screenshot(path=SHOTS / "colour-selected.png")

    label_colours = {_rgb(label.colour) for label in labels.LABELS}
    for element in (mark, item):
        style = element.evaluate(UNDERLINE_JS)
        assert style["outline"] == "solid" and style["outlineWidth"] == "2px"
        assert style["outlineColor"] not in label_colours
    # the selected item's background is no amber or salmon: it is a neutral grey
    background = item.evaluate("el => getComputedStyle(el).backgroundColor")
    r, g, b = (int(v) for v in background[4:-1].split(", "))
    assert max(r, g, b) - min(r, g, b) <= 8, background


def test_labels_carry_their_glyph_in_lists_legend_and_buttons(
    page, live_server, login, editor, nested
):
    article, claims = nested
    _open(page, live_server, login, editor, article)

    def glyph(locator, pseudo="::before"):
        return locator.evaluate(
            f"el => getComputedStyle(el, '{pseudo}').content.split(' / ')[0].replaceAll('\"', '')"
        )

    for label in labels.LABELS:
        legend = page.locator(f".legend .swatch.hl-{label.key}")
        assert label.glyph in glyph(legend, "::after")
        button = page.locator(f'.label-button[data-label="{label.key}"]')
        assert glyph(button) == label.glyph
        count = page.locator(f"#article-summary .count-{label.key}")
        assert glyph(count) == label.glyph
    pill = page.locator(f"#claim-{claims[0].pk} .label-pill")
    assert glyph(pill) == "✓"

    # the edit form's radios
    claim_action(page, claims[1].pk, "Edit")
    radio = page.locator(f"#claim-{claims[1].pk} .label-radio.label-disputed")
    expect(radio).to_be_visible()
    assert glyph(radio, "::after") == "✗"

    page.goto(f"{live_server.url}/claims/")
    page.screenshot(path=SHOTS / "colour-claims.png")
    assert glyph(page.locator(".table.claims .label-pill.label-disputed").first) == "✗"
