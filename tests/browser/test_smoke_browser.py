import pytest

from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_article_page_shows_highlight(page, live_server, login, editor):
    claim = AnnotationFactory()
    login(page, editor)
    page.goto(f"{live_server.url}{claim.article.get_absolute_url()}")
    mark = page.locator(f'[data-article-body] mark[data-annotation-id="{claim.pk}"]')
    assert mark.inner_text() == claim.quote
    text = page.locator("[data-article-body]").evaluate("el => el.textContent")
    assert text == claim.article.body
