"""An editor proposes a source while tagging; a reviewer grades and approves it."""

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation, Source
from bench.browser import VIEWPORT
from tests.browser.test_annotate_browser import (
    BODY,
    drag,
    open_article,
    popover,
    span_of,
    wait_for_claims,
)
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_reviewer_approves_a_source_proposed_while_tagging(
    page, browser, live_server, login, editor, reviewer
):
    article = ArticleFactory(title="Night strike on Kharkiv", body=BODY)
    open_article(page, live_server, login, editor, article)
    passage = span_of(BODY, "air defence downed 31 of 38 drones")
    drag(page, *passage)
    expect(popover(page)).to_be_visible()
    search = page.locator("#claim-popover input[type=search]")
    search.fill("Ukrainian Air Force")
    proposal = page.locator("#claim-popover .pick-new")
    expect(proposal).to_contain_text("Ukrainian Air Force")
    proposal.click()
    page.locator("#claim-popover select[name=new_source_kind]").select_option("military")
    page.locator("#claim-popover select[name=credibility]").select_option("2")
    page.locator("#claim-popover button[data-label=disputed]").click()
    wait_for_claims(page, 1)
    claim = Annotation.objects.get()
    source = claim.source
    assert (source.name, source.kind, source.review_status) == (
        "Ukrainian Air Force",
        "military",
        "pending",
    )
    expect(page.locator(f"#claim-{claim.pk} .badge-pending")).to_be_visible()

    context = browser.new_context(viewport=VIEWPORT)
    review_page = context.new_page()
    login(review_page, reviewer)
    review_page.goto(f"{live_server.url}/sources/review/")
    item = review_page.locator(f"#source-{source.pk}")
    expect(item).to_contain_text("Ukrainian Air Force")
    expect(item).to_contain_text("Proposed by editor")
    item.locator("select[name=reliability]").select_option("B")
    item.locator("input[name=note]").fill("Official channel, usually accurate")
    item.locator("button[value=approved]").click()
    expect(review_page.locator(".message-success")).to_contain_text("approved")
    expect(review_page.locator(f"#source-{source.pk}")).to_have_count(0)
    review_page.screenshot(path="/tmp/shots/review-queue.png", full_page=True)
    source.refresh_from_db()
    assert (source.review_status, source.reliability, source.reviewed_by) == (
        "approved",
        "B",
        reviewer,
    )

    # The claim now reads "B2" wherever it is shown, and the source page has the history.
    page.reload()
    expect(page.locator(f"#claim-{claim.pk} .grade")).to_have_text("B2")
    review_page.goto(f"{live_server.url}{source.get_absolute_url()}")
    expect(review_page.locator("body")).to_contain_text("Reviewed by reviewer")
    review_page.screenshot(path="/tmp/shots/source-page.png", full_page=True)
    context.close()
    assert Source.objects.count() == 1
