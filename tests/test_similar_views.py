"""Same claim elsewhere, on the page: the suggestions while tagging, linking a new claim to
one as it is saved, and the Link and Unlink buttons of a claim; who may, what a refusal says
and that it changes nothing, the history it writes, and flat queries."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from annotations import services
from annotations.models import Annotation, Article, SharedClaim
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}

FIRST = "Russia lost 7,000 troops near Avdiivka"
SECOND = "7 000 Russian soldiers were killed around Avdiivka"
UNRELATED = "Grain exports through Odesa rose in the spring"


def _article(quote: str, **extra) -> Article:
    body = f"Front line report\n\nOfficials said that {quote} last month.\n\nMore follows."
    return ArticleFactory(body=body, language="en", **extra)


def _claim(user, article: Article, quote: str, **extra) -> Annotation:
    """A claim made as the page makes it (so that the matcher's terms are written)."""
    start = article.body.index(quote)
    details = {"label": "disputed", **extra}
    return services.annotation_create(
        article=article, user=user, start=start, end=start + len(quote), quote=quote, **details
    ).annotation


@pytest.fixture
def first(editor):
    """A disputed claim in a first outlet, with its source and grade."""
    article = _article(FIRST, outlet="Kyiv Wire", published_at=datetime(2023, 11, 7, tzinfo=UTC))
    source = SourceFactory(name="General Staff of Ukraine", reliability="B")
    return _claim(editor, article, FIRST, source=source, credibility=3)


@pytest.fixture
def second_article():
    return _article(SECOND, outlet="Black Sea Monitor")


def _similar(client, article, quote, headers=HX, **params):
    url = reverse("annotations:article-similar", args=[article.pk])
    return client.get(url, {"quote": quote, **params}, headers=headers)


def _create(client, article, quote, *, link_to="", label="verified", headers=HX):
    start = article.body.index(quote)
    data = {"start": start, "end": start + len(quote), "quote": quote, "label": label,
            "version": article.version, "link_to": link_to}  # fmt: skip
    url = reverse("annotations:claim-create", args=[article.pk])
    return client.post(url, data, headers=headers)


def _link(client, claim, other, headers=HX):
    url = reverse("annotations:claim-link", args=[claim.pk])
    return client.post(url, {"other": other.pk}, headers=headers)


def _unlink(client, claim, headers=HX):
    return client.post(reverse("annotations:claim-unlink", args=[claim.pk]), headers=headers)


def _reasons(claim) -> list[tuple[str, str]]:
    return [
        (row.history_change_reason, row.history_user.username)
        for row in claim.history.exclude(history_change_reason=None).order_by("history_id")
    ]


# --- Suggestions while tagging -----------------------------------------------------------------


def test_the_tagging_form_lists_the_same_claim_of_another_article(
    editor_client, editor, first, second_article
):
    _claim(editor, second_article, "More follows")  # of this article: never suggested
    unrelated = _claim(editor, _article(UNRELATED), UNRELATED)
    response = _similar(editor_client, second_article, SECOND, keys="1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    # The passage, its outlet, date, label, source and grade, and why it matched.
    for shown in (FIRST, "Kyiv Wire", "7 Nov 2023", "Disputed", "General Staff of Ukraine"):
        assert shown in html, shown
    assert 'class="grade' in html and ">B3<" in html
    assert "Matched on the same figures, the same names, similar wording" in html
    # A choice that the save carries, with its key, and "none" chosen until one is picked.
    assert f'name="link_to" value="{first.pk}"' in html
    assert 'data-pick="1" aria-keyshortcuts="1"' in html and "<kbd" in html
    assert 'id="similar-none" name="link_to" value="" checked' in html
    # Neither the claim of this article nor the unrelated one: one suggestion, and "none".
    assert html.count('name="link_to"') == 2
    assert UNRELATED not in html and f'value="{unrelated.pk}"' not in html


def test_a_suggestion_in_a_shared_claim_links_to_its_page(editor_client, editor, first):
    third = _claim(editor, _article("Russia lost 7,000 troops near Avdiivka, Kyiv said"), FIRST)
    shared = services.shared_claim_link(claim=third, other=first, user=editor)
    response = _similar(editor_client, _article(SECOND), SECOND)
    html = response.content.decode()
    assert f'href="{shared.get_absolute_url()}"' in html
    assert f"In shared claim #{shared.pk}: {shared.title}" in html
    # One suggestion per shared claim: its appearances stand for it together.
    assert html.count('class="similar-radio"') == 2  # one claim, and "none"


def test_the_digit_keys_show_only_in_the_tagging_form(editor_client, first, second_article):
    html = _similar(editor_client, second_article, SECOND).content.decode()
    assert f'value="{first.pk}"' in html and "<kbd" not in html and "data-pick" not in html


def test_nothing_like_it_says_so_on_the_paste_page_and_stays_silent_in_the_form(
    editor_client, first
):
    article = _article(UNRELATED)
    assert _similar(editor_client, article, UNRELATED, keys="1").content == b""
    html = _similar(editor_client, article, UNRELATED).content.decode()
    assert "No claim of another article looks like this passage." in html


def test_the_suggestions_without_htmx_are_a_page(client, viewer, first, second_article):
    client.force_login(viewer)  # reading suggestions is reading: every role may
    response = _similar(client, second_article, SECOND, headers={})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html and FIRST in html
    assert first.get_absolute_url().replace("&", "&amp;") in html
    assert "Tag this passage" not in html  # a viewer tags nothing


def test_a_bad_passage_is_refused_readably(editor_client, second_article):
    response = _similar(editor_client, second_article, "", headers={})
    assert response.status_code == 400
    assert "Select or paste a passage to look for." in response.content.decode()
    response = _similar(editor_client, second_article, "x" * 20_001)
    assert response.status_code == 400 and "at most 20000" in response.content.decode()


def test_only_the_start_of_a_long_passage_is_looked_at(editor_client, first, second_article):
    """What the pages send (a URL holds no more); a client that sends more gets the same."""
    long = SECOND + " " + "and the fighting went on " * 40
    html = _similar(editor_client, second_article, long).content.decode()
    assert f'value="{first.pk}"' in html
    ending = _similar(editor_client, second_article, "x" * 300 + " " + SECOND, keys="1").content
    assert ending == b""  # nothing: its words are past what is looked at
    assert _similar(editor_client, second_article, "   ").content == b""  # typed away


@pytest.mark.parametrize("n", [5, 50])
def test_the_suggestions_cost_the_same_queries_however_many_candidates(
    editor_client, editor, django_assert_max_num_queries, n
):
    """Candidates and their article, source and shared claim in two queries, whatever
    their number (`shared.TERM_CANDIDATES` of them at most are scored)."""
    source = SourceFactory()
    claims = [
        _claim(
            editor,
            _article(f"{FIRST} in sector {i}", outlet=f"Outlet {i}"),
            FIRST,
            source=source if i % 2 else None,
            label="unattributed" if i % 2 == 0 else "verified",
        )  # fmt: skip
        for i in range(n)
    ]
    services.shared_claim_link(claim=claims[0], other=claims[1], user=editor)
    article = _article(SECOND)
    # The session, the user and their permissions, the article, the candidates by their
    # terms, their small rows, their stored terms, the suggested claims; on PostgreSQL,
    # when the terms find few, the trigrams too (a savepoint, its time limit, the query,
    # the time limit put back, the release).
    trigrams = 5 if connection.vendor == "postgresql" else 0
    with django_assert_max_num_queries(8 + trigrams):
        response = _similar(editor_client, article, SECOND, keys="1")
    # Two of them are one shared claim, which is suggested once; and "none".
    assert response.content.decode().count('class="similar-radio"') == min(n - 1, 5) + 1


# --- A new claim linked as it is saved ----------------------------------------------------------


def test_saving_with_a_suggestion_picked_links_the_new_claim(editor_client, editor, first):
    article = _article(SECOND)
    response = _create(editor_client, article, SECOND, link_to=first.pk)
    assert response.status_code == 200
    claim = Annotation.objects.get(article=article)
    first.refresh_from_db()
    assert claim.shared_claim_id == first.shared_claim_id is not None
    shared = claim.shared_claim
    assert shared.title == FIRST  # named after the earlier appearance
    said = json.loads(response["HX-Trigger-After-Swap"])["annotations-changed"]["message"]
    assert said == f"Claim saved: verified. Linked: shared claim #{shared.pk}."
    html = response.content.decode()
    assert f'href="{shared.get_absolute_url()}">shared claim #{shared.pk}</a>' in html
    # History says who linked what, on both claims.
    reason = f"linked to shared claim #{shared.pk}"
    assert _reasons(claim) == [(reason, "editor")]
    assert _reasons(first) == [(reason, "editor")]


def test_saving_with_nothing_picked_links_nothing(editor_client, first):
    article = _article(SECOND)
    assert _create(editor_client, article, SECOND).status_code == 200
    assert Annotation.objects.get(article=article).shared_claim_id is None
    assert not SharedClaim.objects.exists()


def test_a_refused_link_still_saves_the_claim_and_says_why(editor_client, reviewer, first):
    services.article_delete(article=first.article, user=reviewer)  # gone meanwhile
    article = _article(SECOND)
    response = _create(editor_client, article, SECOND, link_to=first.pk)
    assert response.status_code == 200
    claim = Annotation.objects.get(article=article)
    assert claim.shared_claim_id is None and not SharedClaim.objects.exists()
    why = "Saved, but not linked: the claim to link it to was deleted."
    html = response.content.decode()
    assert f'<p class="claim-flag claim-link-refused" id="claim-{claim.pk}-link-refused"' in html
    assert why in html
    said = json.loads(response["HX-Trigger-After-Swap"])["annotations-changed"]["message"]
    assert said.endswith(why)


def test_the_paste_page_lists_the_suggestions_and_links_what_is_picked(
    editor_client, editor, first
):
    article = _article(SECOND)
    url = reverse("annotations:claim-by-quote", args=[article.pk])
    # "Look for the same claim" only looks: nothing saved, what was typed kept.
    looked = editor_client.post(url, {"quote": SECOND, "note": "kept", "suggest": "1"})
    html = looked.content.decode()
    assert looked.status_code == 200 and not Annotation.objects.filter(article=article).exists()
    assert f'name="link_to" value="{first.pk}"' in html and ">\nkept</textarea>" in html
    saved = editor_client.post(url, {"quote": SECOND, "label": "verified", "link_to": first.pk})
    assert saved.status_code == 302
    claim = Annotation.objects.get(article=article)
    assert claim.shared_claim_id is not None
    shared = claim.shared_claim_id
    said = [str(m) for m in saved.wsgi_request._messages]
    assert said == ["Claim saved.", f"Linked: shared claim #{shared}."]


# --- Link and unlink an existing claim -----------------------------------------------------------


def test_a_claims_panel_offers_link_to_an_editor_and_not_to_a_viewer(
    client, editor, viewer, first, second_article
):
    other = _claim(editor, second_article, SECOND)
    url = reverse("annotations:claim-similar", args=[first.pk])
    client.force_login(editor)
    html = client.get(url, headers=HX).content.decode()
    assert "<html" not in html and SECOND in html and f'name="other" value="{other.pk}"' in html
    assert f'hx-post="{reverse("annotations:claim-link", args=[first.pk])}"' in html
    client.force_login(viewer)
    html = client.get(url, headers=HX).content.decode()
    assert SECOND in html and 'name="other"' not in html
    page = client.get(url).content.decode()  # without htmx: a page, its buttons plain forms
    assert "<html" in page and SECOND in page and "hx-post" not in page


def test_an_editor_links_and_unlinks_a_claim(editor_client, editor, first, second_article):
    other = _claim(editor, second_article, SECOND)
    response = _link(editor_client, first, other)
    assert response.status_code == 200
    first.refresh_from_db()
    other.refresh_from_db()
    shared = first.shared_claim
    assert shared is not None and other.shared_claim == shared
    html = response.content.decode()
    assert "Linked with the claim in Black Sea Monitor" in html and "Unlink" in html
    assert f'id="claim-{first.pk}-shared" hx-swap-oob="true"' in html
    assert f"shared claim #{shared.pk}</a>" in html
    assert (
        json.loads(response["HX-Trigger-After-Swap"])["annotations-changed"]["action"] == "linked"
    )
    reason = f"linked to shared claim #{shared.pk}"
    assert _reasons(first) == _reasons(other) == [(reason, "editor")]

    response = _unlink(editor_client, first)
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.shared_claim_id is None
    assert f"Unlinked from shared claim #{shared.pk}." in response.content.decode()
    assert _reasons(first)[-1] == (f"unlinked from shared claim #{shared.pk}", "editor")
    other.refresh_from_db()
    assert other.shared_claim == shared  # the shared claim keeps its other appearance


def test_without_htmx_link_and_unlink_redirect_with_a_message(
    editor_client, editor, first, second_article
):
    other = _claim(editor, second_article, SECOND)
    back = reverse("annotations:claim-similar", args=[first.pk])
    response = _link(editor_client, first, other, headers={})
    assert response.status_code == 302 and response["Location"] == back
    page = editor_client.get(back).content.decode()
    assert "Linked with the claim in Black Sea Monitor" in page
    response = _unlink(editor_client, first, headers={})
    assert response.status_code == 302 and response["Location"] == back


def _state():
    return (
        sorted(Annotation.objects.values_list("pk", "shared_claim_id")),
        SharedClaim.objects.count(),
        Annotation.history.count(),
    )


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_a_viewer_may_not_link_or_unlink(client, viewer, editor, first, second_article, headers):
    other = _claim(editor, second_article, SECOND)
    third = _claim(editor, _article(f"{FIRST} again"), FIRST)
    services.shared_claim_link(claim=third, other=first, user=editor)
    client.force_login(viewer)
    before = _state()
    for response in (_link(client, other, first, headers), _unlink(client, first, headers)):
        assert response.status_code == 403
        assert "Your role cannot link claims as one shared claim." in response.content.decode()
    assert _state() == before


def test_two_shared_claims_are_not_linked_but_merged_by_a_reviewer(
    editor_client, editor, first, second_article
):
    other = _claim(editor, second_article, SECOND)
    one = services.shared_claim_link(
        claim=first, other=_claim(editor, _article(f"{FIRST}, a"), FIRST), user=editor
    )
    two = services.shared_claim_link(
        claim=other, other=_claim(editor, _article(f"{SECOND}, b"), SECOND), user=editor
    )
    # The panel does not offer what cannot be done, and says who can.
    panel = editor_client.get(reverse("annotations:claim-similar", args=[first.pk]), headers=HX)
    html = panel.content.decode()
    assert "a reviewer can merge the two shared claims" in html
    assert f'name="other" value="{other.pk}"' not in html
    before = _state()
    response = _link(editor_client, first, other)
    assert response.status_code == 422
    assert response["HX-Retarget"] == f"#claim-{first.pk}-similar-said"
    assert (
        "These claims already belong to two different shared claims." in response.content.decode()
    )
    assert _state() == before and {one.pk, two.pk} == set(
        SharedClaim.objects.values_list("pk", flat=True)
    )
    plain = _link(editor_client, first, other, headers={})
    assert plain.status_code == 422 and "A reviewer can" in plain.content.decode()


def test_link_to_a_claim_that_is_gone_is_404(editor_client, editor, first, second_article):
    other = _claim(editor, second_article, SECOND)
    gone = other.pk
    services.annotation_delete(annotation=other, user=editor)
    before = _state()
    url = reverse("annotations:claim-link", args=[first.pk])
    assert editor_client.post(url, {"other": gone}, headers=HX).status_code == 404
    assert editor_client.post(url, {"other": "x"}, headers=HX).status_code == 400
    assert _state() == before
    missing = reverse("annotations:claim-unlink", args=[gone])
    assert editor_client.post(missing, headers=HX).status_code == 404


def test_only_post_links(editor_client, first):
    url = reverse("annotations:claim-link", args=[first.pk])
    assert editor_client.get(url).status_code == 405


def test_signed_out_is_sent_to_log_in(first):
    response = Client().get(reverse("annotations:claim-similar", args=[first.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
