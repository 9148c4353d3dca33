"""An editor proposes a source while tagging; a reviewer grades and approves it."""

import pytest
from playwright.sync_api import expect

from annotations import services
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


def test_picker_hints_an_existing_source_and_reviewer_merges_a_duplicate(
    page, browser, live_server, login, editor, reviewer
):
    """Issue 18: typing "HRW" where Human Rights Watch exists shows it as likely the same,
    above the proposal; picking it attaches it. In the review queue, a pending "Песков"
    says it is possibly the same as Dmitry Peskov, and one click opens the merge's
    confirmation, which is what merges."""
    hrw = services.source_create(name="Human Rights Watch", kind="ngo", user=reviewer)
    services.source_review(source=hrw, user=reviewer, decision="approved", reliability="A")
    peskov = services.source_create(name="Dmitry Peskov", kind="spokesperson", user=editor)
    article = ArticleFactory(title="Night strike on Kharkiv", body=BODY)
    open_article(page, live_server, login, editor, article)
    drag(page, *span_of(BODY, "air defence downed 31 of 38 drones"))
    expect(popover(page)).to_be_visible()
    search = page.locator("#claim-popover input[type=search]")
    search.fill("HRW")
    hint = page.locator(f'#claim-popover .likely .pick[data-source-id="{hrw.pk}"]')
    expect(hint).to_contain_text("initials")
    expect(page.locator("#claim-popover .picker-hint")).to_contain_text("Likely the same as “HRW”")
    proposal = page.locator("#claim-popover .pick-new")
    expect(proposal).to_contain_text("Propose “HRW”")
    assert hint.bounding_box()["y"] < proposal.bounding_box()["y"]  # seen before "Propose"
    popover(page).screenshot(path="/tmp/shots/picker-hint.png")
    # An exact name, however typed, is never offered as a new source.
    search.fill("dmitry  peskov.")
    expect(page.locator(f'#claim-popover .pick[data-source-id="{peskov.pk}"]')).to_be_visible()
    expect(page.locator("#claim-popover .picker-list")).to_contain_text("pick it above")
    expect(page.locator("#claim-popover .pick-new")).to_have_count(0)
    search.fill("HRW")
    hint.click()
    expect(page.locator("#claim-popover .source-chosen")).to_contain_text("Human Rights Watch")
    page.locator("#claim-popover button[data-label=verified]").click()
    wait_for_claims(page, 1)
    assert Annotation.objects.get().source == hrw
    assert Source.objects.count() == 2  # nothing proposed

    duplicate = services.source_create(name="Песков", kind="spokesperson", user=editor)
    context = browser.new_context(viewport=VIEWPORT)
    review_page = context.new_page()
    login(review_page, reviewer)
    review_page.goto(f"{live_server.url}/sources/review/")
    item = review_page.locator(f"#source-{duplicate.pk}")
    expect(item.locator(".duplicates")).to_contain_text("Possibly the same as")
    expect(item.locator(".duplicates")).to_contain_text("Dmitry Peskov")
    item.screenshot(path="/tmp/shots/queue-duplicate.png")
    item.get_by_role("button", name="Merge into “Dmitry Peskov”…").click()
    expect(review_page.locator("h1")).to_have_text("Merge “Песков” into “Dmitry Peskov”?")
    assert Source.objects.filter(pk=duplicate.pk).exists()  # asking is not merging
    review_page.screenshot(path="/tmp/shots/merge-confirm.png", full_page=True)
    review_page.get_by_role("button", name="Merge", exact=True).click()
    expect(review_page.locator(".message-success")).to_contain_text("merged into “Dmitry Peskov”")
    assert review_page.url.endswith("/sources/review/")
    assert not Source.objects.filter(pk=duplicate.pk).exists()
    assert peskov.aliases.filter(name="Песков").exists()
    context.close()
