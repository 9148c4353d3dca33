import re

import pytest
from django.urls import reverse

from annotations.models import Annotation
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db


def _many_claims(article, n):
    body = article.body
    rows = []
    for i in range(n):
        start = (i * 7) % (len(body) - 12)
        end = start + 5 + i % 9
        rows.append(
            Annotation(
                article=article,
                start=start,
                end=end,
                quote=body[start:end],
                label=("verified", "disputed", "unattributed")[i % 3],
            )
        )
    Annotation.objects.bulk_create(rows)


def test_article_list_shows_articles_with_label_counts(editor_client):
    claim = AnnotationFactory(label="disputed")
    ArticleFactory(title="Other <b>story</b>", body="Other body")
    response = editor_client.get(reverse("annotations:article-list"))
    html = response.content.decode()
    assert claim.article.title in html
    assert "Other &lt;b&gt;story&lt;/b&gt;" in html
    assert re.search(r'count-disputed" title="disputed">1<', html)


def test_article_list_search_and_filters(editor_client, editor):
    ArticleFactory(title="Kharkiv strike", body="a", status="done")
    ArticleFactory(title="Odesa port", body="b", assignee=editor)
    url = reverse("annotations:article-list")
    assert "Odesa port" not in editor_client.get(url, {"q": "kharkiv"}).content.decode()
    html = editor_client.get(url, {"status": "done"}).content.decode()
    assert "Kharkiv strike" in html and "Odesa port" not in html
    html = editor_client.get(url, {"assignee": str(editor.pk)}).content.decode()
    assert "Odesa port" in html and "Kharkiv strike" not in html


def test_article_list_htmx_gets_fragment(editor_client):
    response = editor_client.get(
        reverse("annotations:article-list"), headers={"HX-Request": "true"}
    )
    assert b"<html" not in response.content
    assert b'id="article-results"' in response.content


def test_article_list_query_count_is_flat(editor_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = editor_client.get(reverse("annotations:article-list"), {"sort": "-n_claims"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        AnnotationFactory(article=ArticleFactory(body=f"Body {i} 31 of 38 drones were shot down"))
    few = count_queries()
    for i in range(3, 60):
        AnnotationFactory(article=ArticleFactory(body=f"Body {i} 31 of 38 drones were shot down"))
    assert count_queries() == few <= 8


def test_article_page_renders_blocks_exactly(editor_client):
    claim = AnnotationFactory()
    response = editor_client.get(claim.article.get_absolute_url())
    html = response.content.decode()
    body = claim.article.body
    for match in re.finditer(
        r'<p class="blk" id="blk-(\d+)" data-start="(\d+)" data-end="(\d+)">(.*?)</p>', html
    ):
        start, end = int(match[2]), int(match[3])
        text = re.sub(r"<[^>]+>", "", match[4])
        from html import unescape

        assert unescape(text) == body[start:end]
    assert f'data-annotation-id="{claim.pk}"' in html
    assert "data-article-body" in html
    for label in ("verified", "disputed", "unattributed"):
        assert f'data-label="{label}"' in html


def test_article_page_escapes_everything_user_supplied(editor_client):
    article = ArticleFactory(
        title="<script>alert(1)</script>", body="<img src=x onerror=alert(1)> text"
    )
    source = SourceFactory(name='"><script>alert(2)</script>')
    AnnotationFactory(
        article=article,
        quote_text="text",
        label="verified",
        source=source,
        note="<b>note</b>",
        evidence_url="https://example.org/?q=<x>",
    )
    html = editor_client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>note</b>" not in html


@pytest.mark.parametrize("n", [10, 2000])
def test_article_page_query_count_flat(editor_client, django_assert_max_num_queries, n):
    article = ArticleFactory(body="Paragraph one of the article text.\n\n" * 400)
    _many_claims(article, n)
    # 8: with one query each for the evidence of the article's page and of the claims shown
    with django_assert_max_num_queries(8):
        response = editor_client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count("data-annotation-id=") >= n


def test_deleted_article_is_404(editor_client):
    article = ArticleFactory()
    article.deleted_at = article.created_at
    article.save()
    assert editor_client.get(article.get_absolute_url()).status_code == 404


def test_viewer_sees_no_tagging_controls(client, viewer):
    claim = AnnotationFactory()
    client.force_login(viewer)
    html = client.get(claim.article.get_absolute_url()).content.decode()
    assert 'id="claim-popover"' not in html
    assert 'data-can-annotate="false"' in html
    assert "claim-edit" not in html


def test_article_search_finds_words_in_the_body(editor_client):
    ArticleFactory(title="Night attack", body="Air defence downed Shahed drones over Odesa.")
    ArticleFactory(title="Harvest report", body="Grain exports rose in October.")
    html = editor_client.get(reverse("annotations:article-list"), {"q": "Shahed"}).content.decode()
    assert "Night attack" in html and "Harvest report" not in html
    html = editor_client.get(
        reverse("annotations:article-list"), {"q": "grain exports"}
    ).content.decode()
    assert "Harvest report" in html and "Night attack" not in html


def test_deleting_an_article_asks_first_and_an_admin_can_restore_it(client, editor, admin_user):
    from annotations.models import Article

    article = ArticleFactory(created_by=editor)
    AnnotationFactory(article=article)
    client.force_login(editor)
    url = reverse("annotations:article-delete", args=[article.pk])
    confirm = client.get(url)
    assert (
        confirm.status_code == 200 and "It has <strong>1</strong> claim" in confirm.content.decode()
    )
    assert Article.objects.alive().count() == 1
    response = client.post(url)
    assert response.status_code == 302
    assert client.get(article.get_absolute_url()).status_code == 404
    assert Annotation.objects.count() == 1  # kept for the restore
    client.force_login(admin_user)
    client.post(
        reverse("admin:annotations_article_changelist"),
        {"action": "restore", "_selected_action": [article.pk]},
    )
    client.force_login(editor)
    assert client.get(article.get_absolute_url()).status_code == 200


def test_other_editor_cannot_delete_the_article(client, editor, other_editor):
    article = ArticleFactory(created_by=editor)
    client.force_login(other_editor)
    assert client.post(reverse("annotations:article-delete", args=[article.pk])).status_code == 403
    article.refresh_from_db()
    assert article.deleted_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["²", "١٢", "abc", "9" * 40])
def test_a_claim_link_that_is_not_a_plain_number_is_ignored(editor_client, raw):
    """?claim=N only makes the side list go as far as claim N: "²" and Arabic-Indic digits
    pass str.isdigit() but are no number int() reads (a 500 before)."""
    article = ArticleFactory()
    response = editor_client.get(article.get_absolute_url(), {"claim": raw})
    assert response.status_code == 200
