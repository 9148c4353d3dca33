"""Two editors on one article: one tags a claim, the other sees it appear while holding a
selection with the popover open, and keeps both."""

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation
from bench.browser import VIEWPORT
from tests.browser.test_annotate_browser import BODY, drag, open_article, span_of, wait_for_claims
from tests.factories import ArticleFactory

# Also on PostgreSQL (tests/conftest.py): a save seen by another editor's poll.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.both_passes]


def test_a_claim_tagged_elsewhere_appears_while_a_selection_is_held(
    page, browser, live_server, login, editor, other_editor
):
    article = ArticleFactory(title="Night strike", body=BODY)
    open_article(page, live_server, login, editor, article)
    held = span_of(BODY, "according to a Telegram post from the SBU")
    drag(page, *held)
    expect(page.locator("#claim-popover")).to_be_visible()
    scroll = page.evaluate("() => window.scrollY")

    other = browser.new_context(viewport=VIEWPORT)
    them = other.new_page()
    open_article(them, live_server, login, other_editor, article)
    theirs = span_of(BODY, "air defence downed 31 of 38 drones")  # the same paragraph
    drag(them, *theirs)
    them.keyboard.press("d")
    wait_for_claims(them, 1)
    claim = Annotation.objects.get()
    other.close()

    # Within about one polling interval it shows up here, without a reload...
    mark = page.locator(f'[data-article-body] mark[data-annotation-id="{claim.pk}"]')
    expect(mark).to_have_text("air defence downed 31 of 38 drones", timeout=9000)
    expect(page.locator(f"#claim-{claim.pk}")).to_be_visible()
    expect(page.locator("#article-summary")).to_contain_text("1 disputed")
    # ...and the selection, the open popover and the scroll position stayed.
    assert page.evaluate("() => String(window.getSelection())") == BODY[held[0] : held[1]]
    expect(page.locator("#claim-popover")).to_be_visible()
    assert page.evaluate("() => window.scrollY") == scroll
    # The held selection can still be tagged: it lands exactly where it was selected.
    page.fill("#claim-popover textarea[name=note]", "typing a note while someone else works")
    page.locator("#claim-popover button[data-label=verified]").click()
    wait_for_claims(page, 2)
    mine = Annotation.objects.exclude(pk=claim.pk).get()
    assert (mine.start, mine.end, mine.quote) == (held[0], held[1], BODY[held[0] : held[1]])
    assert mine.note == "typing a note while someone else works"
