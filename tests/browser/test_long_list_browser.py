"""A long article: the side list loads page by page, yet every claim can be reached from its
highlight, a new claim lands in its place, and live updates leave an open edit form alone."""

import re

import pytest
from playwright.sync_api import expect

from annotations import selectors, services
from annotations.models import Annotation
from tests.browser.test_annotate_browser import _install, claim_action, click_at, drag, open_article
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
    # Scrolled with the pointer on the list, which then does not follow the text (see the
    # next test): the new claim's place stays past the part of the list loaded.
    page.locator(".claims-panel").hover()
    page.evaluate("(y) => window.scrollBy(0, y - 300)", top)
    page.wait_for_timeout(400)
    assert len(listed(page)) == selectors.CLAIM_PAGE
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


def _scroll_text_to(page, claim: Annotation) -> None:
    """Scroll the page (the wheel, over the text) until the claim's highlight is the first
    one under the top bar."""
    page.locator("[data-article-body]").hover()
    mark = page.locator(f'[data-article-body] mark[data-annotation-id="{claim.pk}"]')
    for _ in range(80):
        top = mark.evaluate("m => m.getBoundingClientRect().top")
        if 80 <= top <= 200:
            return
        page.mouse.wheel(0, top - 120)
        page.wait_for_timeout(50)
    raise AssertionError("the text never scrolled there")


def _panel_top(page) -> int:
    return page.locator(".claims-panel").evaluate("el => el.scrollTop")


def test_the_side_list_follows_the_text_as_it_is_read(page, live_server, login, editor):
    """Scrolling the text brings the claims in view into the list, loading it as far as
    needed; never while the pointer is on the list; not at all where the list is below the
    text (narrow screens)."""
    page.emulate_media(reduced_motion="reduce")  # the list jumps: nothing to wait for
    article, _ = _long_article(editor)
    claims = list(Annotation.objects.filter(article=article).order_by("start"))
    open_article(page, live_server, login, editor, article)
    assert len(listed(page)) == selectors.CLAIM_PAGE

    _scroll_text_to(page, claims[12])
    expect(page.locator(f"#claim-{claims[12].pk}")).to_be_in_viewport()
    expect(page.locator(f"#claim-{claims[2].pk}")).not_to_be_in_viewport()
    _scroll_text_to(page, claims[55])  # past the part of the list loaded: it loads
    expect(page.locator(f"#claim-{claims[55].pk}")).to_be_in_viewport()
    ids = listed(page)
    assert ids == [c.pk for c in claims[: len(ids)]]  # in order, once each
    page.screenshot(path="/tmp/shots/list-follows.png")

    # The pointer on the list: the reader is using it, it stays where it is.
    page.locator(".claims-panel").hover()
    before = _panel_top(page)
    page.evaluate("() => window.scrollBy(0, -1500)")
    page.wait_for_timeout(500)
    assert _panel_top(page) == before
    # The keyboard in the list: the same.
    page.locator(f"#claim-{claims[55].pk} .claim-jump").focus()
    page.mouse.move(5, 400)  # the pointer off the list, over the page's margin
    page.evaluate("() => window.scrollBy(0, 1200)")
    page.wait_for_timeout(500)
    assert _panel_top(page) == before

    # A narrow screen: the list is below the text, and scrolling the text leaves it alone.
    page.set_viewport_size({"width": 600, "height": 800})
    page.locator("[data-article-body]").focus()
    page.evaluate("() => window.scrollTo(0, 600)")
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.scrollY") == 600


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
    claim_action(page, mine.pk, "Edit")
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
