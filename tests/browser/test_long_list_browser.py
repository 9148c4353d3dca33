"""A long article: the side list loads page by page, yet every claim can be reached from its
highlight, a new claim lands in its place, and live updates leave an open edit form alone."""

import re

import pytest
from playwright.sync_api import expect

from annotations import selectors, services
from annotations.models import Annotation
from tests.browser.test_annotate_browser import _install, click_at, drag, open_article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)

N_PARAGRAPHS = 70


def _long_article(user):
    paragraphs = [
        f"Dispatch {i}: officials in Kharkiv said {i} drones were shot down overnight, "
        f"while Moscow did not confirm the figures for district {i}."
        for i in range(N_PARAGRAPHS)
    ]
    body = "\n\n".join(paragraphs)
    article = ArticleFactory(body=body, title="Overnight dispatches")
    for i in range(N_PARAGRAPHS):
        quote = f"{i} drones were shot down"
        start = body.index(f"Dispatch {i}:")
        start = body.index(quote, start)
        services.annotation_create(
            article=article,
            user=user,
            start=start,
            end=start + len(quote),
            quote=quote,
            label=("verified", "disputed", "unattributed")[i % 3],
        )
    return article, body


def listed(page) -> list[int]:
    return [int(x) for x in page.locator("#claim-list li.claim").evaluate_all(
        "els => els.map(e => e.dataset.annotationId)"
    )]  # fmt: skip


def test_the_list_loads_by_page_and_a_highlight_far_down_brings_its_claim(
    page, live_server, login, editor
):
    article, body = _long_article(editor)
    in_order = list(
        Annotation.objects.filter(article=article)
        .order_by("start", "-end", "id")
        .values_list("pk", flat=True)
    )
    open_article(page, live_server, login, editor, article)
    assert listed(page) == in_order[: selectors.CLAIM_PAGE]
    # Every highlight is there from the start, even for claims not listed yet.
    expect(page.locator("[data-article-body] mark[data-annotation-id]")).to_have_count(N_PARAGRAPHS)

    # A click on a highlight near the end: the list loads as far as its claim, selects it.
    far = Annotation.objects.get(article=article, quote=f"{N_PARAGRAPHS - 3} drones were shot down")
    page.locator(f'mark[data-annotation-id="{far.pk}"]').scroll_into_view_if_needed()
    _install(page)
    click_at(page, far.start + 2)
    item = page.locator(f"#claim-{far.pk}")
    expect(item).to_have_class(re.compile(r"\bis-selected\b"))
    expect(item).to_be_in_viewport()
    assert listed(page) == in_order[: len(listed(page))]  # in reading order, no duplicates

    # Scrolled to its end, the list loads the rest, once each.
    panel = page.locator(".claims-panel")
    for _ in range(5):
        panel.evaluate("el => { el.scrollTop = el.scrollHeight; }")
        page.wait_for_timeout(200)
    expect(page.locator("#claim-more")).to_have_count(0)
    assert listed(page) == in_order


def test_a_new_claim_past_the_loaded_part_is_listed_and_selected(page, live_server, login, editor):
    article, body = _long_article(editor)
    open_article(page, live_server, login, editor, article)
    quote = f"Moscow did not confirm the figures for district {N_PARAGRAPHS - 2}"
    start = body.index(quote)
    top = page.evaluate("(o) => window.__t.rect(o, o + 1).top", start)
    page.evaluate("(y) => window.scrollBy(0, y - 300)", top)
    drag(page, start, start + len(quote))
    expect(page.locator("#claim-popover")).to_be_visible()
    page.keyboard.press("d")
    # The page has the answer (so the save is committed) before the database is read: a
    # read while the server writes meets a locked table on SQLite's shared memory database.
    expect(page.locator("#article-summary .summary-total strong")).to_have_text(
        str(N_PARAGRAPHS + 1)
    )
    claim = Annotation.objects.filter(article=article, quote=quote).first()
    assert claim is not None and body[claim.start : claim.end] == quote
    item = page.locator(f"#claim-{claim.pk}")
    expect(item).to_have_class(re.compile(r"\bis-selected\b"))
    panel = page.locator(".claims-panel")
    for _ in range(5):
        panel.evaluate("el => { el.scrollTop = el.scrollHeight; }")
        page.wait_for_timeout(200)
    expect(page.locator("#claim-more")).to_have_count(0)
    ids = listed(page)
    assert len(ids) == len(set(ids)) == N_PARAGRAPHS + 1


def test_a_link_to_a_claim_far_down_the_list_opens_with_it_listed(page, live_server, login, editor):
    article, _ = _long_article(editor)
    far = Annotation.objects.filter(article=article).order_by("-start").first()
    login(page, editor)
    page.goto(f"{live_server.url}{far.get_absolute_url()}")
    expect(page.locator(f"#claim-{far.pk}")).to_be_attached()
    expect(page.locator(f"#claim-{far.pk}")).to_have_class(re.compile(r"\bis-selected\b"))


def test_live_updates_keep_an_open_edit_form_and_add_the_new_claim(
    page, browser, live_server, login, editor, other_editor
):
    article = ArticleFactory(
        title="Night strike",
        body="Kyiv said air defence downed 31 of 38 drones overnight.\n\n"
        "Moscow did not confirm the figures.\n\n"
        "Residents had reportedly been evacuated before dawn.",
    )
    body = article.body

    def tag(user, quote, label):
        start = body.index(quote)
        return services.annotation_create(
            article=article, user=user, start=start, end=start + len(quote),
            quote=quote, label=label,
        ).annotation  # fmt: skip

    mine = tag(editor, "air defence downed 31 of 38 drones", "disputed")
    theirs = tag(other_editor, "Residents had reportedly been evacuated", "unattributed")
    open_article(page, live_server, login, editor, article)
    page.locator(f"#claim-{mine.pk} .claim-actions a", has_text="Edit").click()
    note = page.locator(f"#claim-{mine.pk} textarea[name=note]")
    note.fill("Half typed: checking with the Air Force")

    # Meanwhile the other editor tags a new claim and a reviewer-like change lands on mine.
    new = tag(other_editor, "Moscow did not confirm the figures", "disputed")
    services.annotation_update(
        annotation=Annotation.objects.get(pk=mine.pk),
        user=editor,  # from another tab of the same editor
        label="verified",
        source=None,
        credibility=None,
        note="changed elsewhere",
        evidence_url="",
    )
    services.annotation_delete(annotation=Annotation.objects.get(pk=theirs.pk), user=other_editor)

    expect(page.locator(f"#claim-{new.pk}")).to_be_visible(timeout=9000)
    expect(page.locator(f"#claim-{theirs.pk}")).to_have_count(0)
    # The open form and what was typed in it stayed, flagged as changed elsewhere.
    expect(note).to_have_value("Half typed: checking with the Air Force")
    expect(page.locator(f"#claim-{mine.pk}")).to_have_class(re.compile(r"\bchanged-elsewhere\b"))
    assert listed(page) == [mine.pk, new.pk]
    expect(page.locator("#article-summary")).to_contain_text("2 claims")
