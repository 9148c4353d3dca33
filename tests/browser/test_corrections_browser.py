"""A reviewer re-attaches a claim that a correction orphaned, by selecting its new text."""

import pytest
from playwright.sync_api import expect

from annotations import services
from annotations.models import Annotation
from tests.browser.test_annotate_browser import BODY, _install, drag, span_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_reviewer_reattaches_an_orphan_by_selecting_new_text(page, live_server, login, reviewer):
    article = services.article_create(user=reviewer, title="Night strike", body=BODY)
    quote = "Moscow did not confirm the figures"
    start = BODY.index(quote)
    services.annotation_create(
        article=article,
        user=reviewer,
        start=start,
        end=start + len(quote),
        quote=quote,
        label="disputed",
    )
    # The outlet rewrites the sentence: the claim loses its text.
    new_body = BODY.replace(
        "Moscow did not confirm the figures;", "The Kremlin declined to comment;"
    )
    result = services.article_correct(
        article=article, user=reviewer, expected_version=1, body=new_body, note="sentence rewritten"
    )
    assert result.counts["orphaned"] == 1
    claim = Annotation.objects.get()
    assert claim.anchor_state == "orphaned"

    login(page, reviewer)
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    _install(page)
    item = page.locator(f"#claim-{claim.pk}")
    expect(item.locator(".badge-orphaned")).to_be_visible()
    expect(
        page.locator(f'[data-article-body] mark[data-annotation-id="{claim.pk}"]')
    ).to_have_count(0)
    item.locator("a[data-reattach]").click()
    banner = page.locator("#reattach-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Select the passage")

    target = span_of(new_body, "The Kremlin declined to comment")
    drag(page, *target)
    expect(page.locator("#claim-popover")).to_be_hidden()  # no tagging while re-attaching
    expect(banner).to_contain_text("The Kremlin declined to comment")
    page.locator("#reattach-confirm").click()
    expect(banner).to_be_hidden()
    expect(page.locator(f'[data-article-body] mark[data-annotation-id="{claim.pk}"]')).to_have_text(
        "The Kremlin declined to comment"
    )
    expect(page.locator(f"#claim-{claim.pk} .badge-orphaned")).to_have_count(0)
    claim.refresh_from_db()
    assert (claim.anchor_state, claim.quote, claim.original_quote) == (
        "anchored",
        "The Kremlin declined to comment",
        quote,
    )
    assert new_body[claim.start : claim.end] == claim.quote
    assert (claim.start, claim.end) == target
