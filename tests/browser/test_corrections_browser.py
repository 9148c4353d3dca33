"""A reviewer re-attaches a claim that a correction orphaned, by selecting its new text."""

import pytest
from playwright.sync_api import expect

from annotations import services
from annotations.models import Annotation
from tests.browser.test_annotate_browser import BODY, _install, claim_action, drag, span_of

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
    claim_action(page, claim.pk, "Re-attach")
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


LIVE_BLOG = (
    "Live: drones over Kyiv and Odesa overnight\n"
    "\n"
    "06:10 Kyiv: 31 drones were shot down over the capital overnigth, the regional governor "
    "said.\n"
    "\n"
    "06:25 Odesa: 31 drones hit the port area, the regional governor said."
)


def test_a_typo_fixed_next_to_a_repeated_phrase_leaves_each_claim_on_its_own_words(
    page, live_server, login, editor
):
    """The issue's case, through the correction page: fixing "overnigth" beside Kyiv's
    "31 drones" keeps that claim on Kyiv's words, not on Odesa's; deleting the Kyiv entry
    then orphans it, never moving it to Odesa."""
    article = services.article_create(user=editor, title="Live", body=LIVE_BLOG)
    kyiv, odesa = [
        services.annotation_create(
            article=article,
            user=editor,
            start=at,
            end=at + len("31 drones"),
            quote="31 drones",
            label=label,
        ).annotation
        for at, label in (
            (LIVE_BLOG.index("31 drones"), "verified"),
            (LIVE_BLOG.rindex("31 drones"), "disputed"),
        )
    ]
    login(page, editor)
    page.goto(f"{live_server.url}/articles/{article.pk}/correct/")
    body = page.locator("textarea[name=body]")
    body.fill(body.input_value().replace("overnigth", "overnight"))
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator("[data-article-body]")).to_contain_text("capital overnight")
    for claim, entry in ((kyiv, "06:10 Kyiv: "), (odesa, "06:25 Odesa: ")):
        mark = page.locator(f'[data-article-body] mark[data-annotation-id="{claim.pk}"]')
        expect(mark).to_have_text("31 drones")
        claim.refresh_from_db()
        article.refresh_from_db()
        assert article.body[claim.start - len(entry) : claim.end] == entry + "31 drones"
        assert claim.anchor_state == "anchored"

    page.goto(f"{live_server.url}/articles/{article.pk}/correct/")
    body = page.locator("textarea[name=body]")
    body.fill("\n\n".join(p for p in body.input_value().split("\n\n") if not p.startswith("06:10")))
    page.get_by_role("button", name="Save the correction").click()
    item = page.locator(f"#claim-{kyiv.pk}")
    expect(item.locator(".badge-orphaned")).to_be_visible()
    expect(item.locator(".claim-flag")).to_contain_text("deleted")
    expect(page.locator(f'[data-article-body] mark[data-annotation-id="{kyiv.pk}"]')).to_have_count(
        0
    )
    kyiv.refresh_from_db()
    odesa.refresh_from_db()
    assert (kyiv.anchor_state, odesa.anchor_state) == ("orphaned", "moved")
