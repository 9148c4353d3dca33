"""Search and filters ignore case in every script, on SQLite as well as on PostgreSQL."""

import pytest
from django.urls import reverse

from annotations.filters import ArticleFilter, ClaimFilter, SourceFilter
from annotations.models import Article
from tests.factories import AnnotationFactory, ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kyiv():
    article = ArticleFactory(
        title="Коваленко: обстріл Харкова",
        outlet="Kyiv Daily",
        body="Голова ОВА Олег Синєгубов повідомив про удар по Харкову.",
    )
    other = ArticleFactory(title="Port strike in Odesa", outlet="Odesa Evening")
    AnnotationFactory(article=article, quote_text="Олег Синєгубов", label="verified")
    AnnotationFactory(article=other, label="disputed")
    return article


@pytest.mark.parametrize("q", ["Коваленко", "коваленко", "КОВАЛЕНКО", "синєгубов"])
def test_article_search_ignores_case_in_cyrillic(kyiv, q):
    assert list(ArticleFilter({"q": q}).qs) == [kyiv]


@pytest.mark.parametrize("q", ["олег синєгубов", "ОЛЕГ"])
def test_claim_search_ignores_case_in_cyrillic(editor_client, kyiv, q):
    html = editor_client.get(reverse("annotations:claim-list"), {"q": q}).content.decode()
    assert "Олег Синєгубов" in html
    assert [c.article for c in ClaimFilter({"q": q}).qs] == [kyiv]


@pytest.mark.parametrize("outlet", ["Kyiv Daily", "kyiv daily", "KYIV DAILY"])
def test_outlet_filter_ignores_case(kyiv, outlet):
    assert list(ArticleFilter({"outlet": outlet}).qs) == [kyiv]
    assert [c.article for c in ClaimFilter({"outlet": outlet}).qs] == [kyiv]


def test_outlet_filter_is_a_whole_name_so_dashboard_counts_agree(kyiv):
    ArticleFactory(title="Other", outlet="Kyiv Daily Weekend", body="Something else entirely.")
    assert list(ArticleFilter({"outlet": "Kyiv Daily"}).qs) == [kyiv]


def test_list_pages_suggest_the_known_outlets(editor_client, kyiv):
    for name in ("annotations:article-list", "annotations:claim-list"):
        html = editor_client.get(reverse(name)).content.decode()
        assert 'list="outlet-names"' in html
        assert '<option value="Kyiv Daily">' in html and '<option value="Odesa Evening">' in html


def test_admin_search_ignores_case_in_cyrillic(client, admin_user, kyiv):
    client.force_login(admin_user)
    html = client.get(reverse("admin:annotations_article_changelist"), {"q": "коваленко"})
    assert "Коваленко: обстріл Харкова" in html.content.decode()
    assert Article.objects.filter(title__icontains="ХАРКОВА").get() == kyiv


@pytest.mark.parametrize("filterset", [ArticleFilter, ClaimFilter, SourceFilter])
def test_every_filter_has_a_name_a_refusal_can_give(filterset):
    """A refused filter is named in the 400's message ("Sort: Select a valid choice…"): a
    filter without a label was named "[invalid name]"."""
    form = filterset({}).form
    for name, field in form.fields.items():
        assert field.label and "invalid name" not in str(field.label), name


def test_a_refused_sort_names_the_sort(editor_client):
    response = editor_client.get(reverse("annotations:article-list"), {"sort": "bogus"})
    assert response.status_code == 400
    assert "Sort: " in response.content.decode()
    assert "[invalid name]" not in response.content.decode()
