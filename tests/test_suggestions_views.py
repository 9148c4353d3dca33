"""Suggested claims on the article page: the list loaded after the page, dismissing one
(htmx and without JavaScript), who may, and a claim accepted from one through the form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotations import history, services
from annotations.models import Annotation, SuggestionDismissal
from tests.factories import BODY, SourceFactory
from tests.suggest_stub import two_rule_engine  # noqa: E402, F401 (the engine the tests name spans of)
from tests.test_bad_input import db_snapshot

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
ATTRIBUTED = "31 of 38 drones were shot down"
HEDGED = "Residents had reportedly been evacuated."


@pytest.fixture
def article(editor):
    return services.article_create(user=editor, title="Strike on Kharkiv", body=BODY)


def _url(article, name="article-suggestions"):
    return reverse(f"annotations:{name}", args=[article.pk])


def _span(article, quote: str) -> dict:
    start = article.body.index(quote)
    return {"start": start, "end": start + len(quote), "quote": quote}


def test_the_page_loads_its_suggestions_after_itself_for_editors_only(
    client, article, editor, viewer
):
    client.force_login(editor)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'hx-get="{_url(article)}" hx-trigger="load' in page
    assert 'name="from_suggestion"' in page
    assert "suggestion-item" not in page  # not in the page itself: it stays as fast
    client.force_login(viewer)
    assert _url(article) not in client.get(article.get_absolute_url()).content.decode()


def test_the_list_carries_each_suggestion_for_the_script_and_says_it(editor_client, article):
    sbu = SourceFactory(name="a Telegram post from the SBU")
    response = editor_client.get(_url(article), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.count('class="suggestion-item"') == 2
    first = _span(article, ATTRIBUTED)
    assert f'data-start="{first["start"]}" data-end="{first["end"]}"' in html
    assert f'data-source-id="{sbu.pk}"' in html and 'data-cue="According to"' in html
    assert f"Suggested claim: “{ATTRIBUTED}”, source a Telegram post from the SBU" in html
    assert f"Suggested claim: “{HEDGED}”, unattributed (“reportedly”)" in html
    assert html.index(ATTRIBUTED) < html.index(HEDGED)  # reading order


def test_without_javascript_the_list_is_a_page(editor_client, article):
    html = editor_client.get(_url(article)).content.decode()
    assert "<html" in html and "suggestion-item" in html
    assert reverse("annotations:claim-by-quote", args=[article.pk]) + "?quote=" in html


def test_viewers_get_no_suggestions(client, viewer, article):
    client.force_login(viewer)
    assert client.get(_url(article), headers=HX).status_code == 403
    before = db_snapshot(), SuggestionDismissal.objects.count()
    response = client.post(_url(article, "suggestion-dismiss"), _span(article, HEDGED))
    assert response.status_code == 403
    assert (db_snapshot(), SuggestionDismissal.objects.count()) == before


def test_an_article_without_cues_lists_none(editor_client, editor):
    plain = services.article_create(user=editor, title="Weather", body="Weather\n\nRain today.")
    html = editor_client.get(_url(plain), headers=HX).content.decode()
    assert "suggestion-item" not in html and 'id="suggestion-list-empty"' in html


def test_dismissing_with_htmx_answers_the_list_without_it(editor_client, article, editor):
    response = editor_client.post(
        _url(article, "suggestion-dismiss"),
        {**_span(article, HEDGED), "version": article.version, "cue": "reportedly"},
        headers=HX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.count('class="suggestion-item"') == 1
    assert HEDGED not in html
    row = SuggestionDismissal.objects.get()
    assert (row.dismissed_by, row.cue) == (editor, "reportedly")


def test_dismissing_without_javascript_redirects_to_the_list(editor_client, article):
    response = editor_client.post(_url(article, "suggestion-dismiss"), _span(article, HEDGED))
    assert response.status_code == 302 and response.url == _url(article)
    assert SuggestionDismissal.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"quote": "Residents had"}, 422),  # not body[start:end]
        ({"end": 10_000}, 422),
        ({"start": -1}, 422),
        ({"version": 7}, 422),  # a version the article never had
        ({"quote": "x\x00y"}, 422),
    ],
)
def test_a_bad_dismissal_is_refused_readably_and_writes_nothing(
    editor_client, article, change, status
):
    before = SuggestionDismissal.objects.count()
    data = {**_span(article, HEDGED), "version": article.version, **change}
    response = editor_client.post(_url(article, "suggestion-dismiss"), data, headers=HX)
    assert response.status_code == status
    assert response.content.decode().strip()
    assert SuggestionDismissal.objects.count() == before


def test_a_claim_saved_from_the_form_of_a_suggestion_says_so(editor_client, article):
    response = editor_client.post(
        reverse("annotations:claim-create", args=[article.pk]),
        {
            **_span(article, HEDGED),
            "version": article.version,
            "label": "unattributed",
            "from_suggestion": "reportedly",
        },
        headers=HX,
    )
    assert response.status_code == 200
    claim = Annotation.objects.get()
    assert history.entries(history.claim_records(claim.pk))[0]["reason"] == (
        "from a suggestion (cue “reportedly”)"
    )
    html = editor_client.get(_url(article), headers=HX).content.decode()
    assert HEDGED not in html  # tagged now: no longer suggested


@pytest.mark.parametrize("n", [1, 40])
def test_the_list_costs_the_same_queries_for_many_suggestions(
    editor_client, editor, django_assert_max_num_queries, n
):
    paragraphs = [
        f"According to Source {i}, {i} drones were shot down.\nTroops had reportedly left {i}."
        for i in range(n)
    ]
    for i in range(n):
        SourceFactory(name=f"Source {i}")
    article = services.article_create(user=editor, title="Many", body="\n\n".join(paragraphs))
    # session, user, the user's permissions (two), article, registry, claims, dismissals;
    # the registry's sources in one more (none when nothing matched)
    with django_assert_max_num_queries(8):
        response = editor_client.get(_url(article), headers=HX)
    assert response.content.decode().count('class="suggestion-item"') == 2 * n
