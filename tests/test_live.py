"""Live updates: a cheap "has anything changed" check, then only what changed."""

import pytest
from django.urls import reverse

from annotations import selectors, services
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def _poll(client, article, since, version=None):
    return client.get(
        reverse("annotations:article-changes", args=[article.pk]),
        {"since": since, "version": version or article.version},
        headers=HX,
    )


def test_unchanged_answers_204_in_four_queries(editor_client, editor, django_assert_num_queries):
    article = ArticleFactory()
    stamp = selectors.article_stamp(article.pk)
    # session, user with their permissions (annotations.backends), version, claims' stamp
    with django_assert_num_queries(4):
        response = _poll(editor_client, article, stamp)
    assert response.status_code == 204 and response.content == b""


def test_a_new_claim_comes_as_its_blocks_the_list_and_the_summary(editor_client, other_editor):
    article = ArticleFactory()
    stamp = selectors.article_stamp(article.pk)
    quote = "31 of 38 drones were shot down"
    start = article.body.index(quote)
    claim = services.annotation_create(
        article=article,
        user=other_editor,
        start=start,
        end=start + len(quote),
        quote=quote,
        label="disputed",
    ).annotation
    response = _poll(editor_client, article, stamp)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.count('class="blk"') == 1 and 'hx-swap-oob="true"' in html
    assert f'id="claim-{claim.pk}"' in html and 'id="article-summary"' in html
    new_stamp = selectors.article_stamp(article.pk)
    assert f'"stamp": {new_stamp}' in response["HX-Trigger-After-Settle"]
    assert _poll(editor_client, article, new_stamp).status_code == 204


def test_a_deleted_claim_redraws_its_old_blocks(editor_client, other_editor):
    article = ArticleFactory()
    quote = "Residents had reportedly been evacuated"
    start = article.body.index(quote)
    claim = services.annotation_create(
        article=article,
        user=other_editor,
        start=start,
        end=start + len(quote),
        quote=quote,
        label="unattributed",
    ).annotation
    stamp = selectors.article_stamp(article.pk)
    pk = claim.pk
    services.annotation_delete(annotation=claim, user=other_editor)
    html = _poll(editor_client, article, stamp).content.decode()
    assert f'data-annotation-id="{pk}"' not in html
    assert html.count('class="blk"') == 1 and "Residents had reportedly" in html
    assert f'<i data-deleted="{pk}"></i>' in html


def test_changes_come_as_items_with_their_place_not_as_the_whole_list(
    editor_client, other_editor, django_assert_max_num_queries
):
    """Only the changed claims' items, each with the claim that follows it, so the page can
    put them in place without touching an open edit form or the part not loaded yet."""
    article = ArticleFactory()

    def tag(quote, label="disputed"):
        start = article.body.index(quote)
        return services.annotation_create(
            article=article, user=other_editor, start=start, end=start + len(quote),
            quote=quote, label=label,
        ).annotation  # fmt: skip

    later = tag("Residents had reportedly been evacuated", "unattributed")
    stamp = selectors.article_stamp(article.pk)
    first = tag("31 of 38 drones were shot down")
    # 11: with the one query of the changed claims' evidence rows (their evidence lines)
    with django_assert_max_num_queries(11):
        html = _poll(editor_client, article, stamp).content.decode()
    assert '<template id="claim-updates" hx-swap-oob="true">' in html
    assert (
        f'<div data-next="{later.pk}"><li class="claim claim-disputed" id="claim-{first.pk}"'
        in html
    )
    assert f'id="claim-{later.pk}"' not in html  # unchanged: not sent again


def test_a_correction_shows_a_banner_instead_of_patching(editor_client, reviewer):
    article = ArticleFactory()
    services.article_correct(
        article=article, user=reviewer, expected_version=1, body="UPDATE.\n\n" + article.body
    )
    response = _poll(editor_client, article, 0, version=1)
    assert response.status_code == 200
    assert (
        "was corrected" in response.content.decode()
        and 'id="live-banner"' in response.content.decode()
    )


def test_bad_parameters_and_viewers(client, viewer):
    article = ArticleFactory()
    client.force_login(viewer)
    url = reverse("annotations:article-changes", args=[article.pk])
    assert client.get(url, {"since": "x", "version": 1}).status_code == 400
    assert client.get(url, {"since": 0, "version": 1}).status_code == 204  # viewers see updates
