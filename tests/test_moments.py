"""Publication times are stored in UTC, whatever offset a door was given: PostgreSQL refuses
offsets past 15:59 (schemathesis found '-22:13' answered 500 on an API correction), and a
moment that does not exist in UTC is refused with a message at every door."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from annotations.importers import bulk
from annotations.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

FAR = "0486-10-17T19:23:45.400000-22:13"
FAR_IN_UTC = datetime(486, 10, 18, 17, 36, 45, 400000, tzinfo=UTC)


def test_an_api_correction_with_a_far_offset_is_stored_in_utc(client, editor):
    article = ArticleFactory(created_by=editor)
    client.force_login(editor)
    response = client.patch(
        f"/api/v1/articles/{article.pk}/",
        {"published_at": FAR},
        content_type="application/json",
        headers={"If-Match": f'"{article.version}"'},
    )
    assert response.status_code == 200, response.content
    article.refresh_from_db()
    assert article.published_at == FAR_IN_UTC
    assert article.published_at.utcoffset() == timedelta(0)


def test_an_api_article_with_a_far_offset_is_stored_in_utc(client, editor):
    client.force_login(editor)
    response = client.post(
        "/api/v1/articles/",
        {"title": "Far", "body": "Far\n\nA far offset.", "published_at": FAR},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Article.objects.get(title="Far").published_at == FAR_IN_UTC


def test_the_bulk_file_stores_utc_and_refuses_a_moment_off_the_calendar():
    assert bulk._when(FAR) == FAR_IN_UTC
    with pytest.raises(bulk.RecordProblem, match="published_at"):
        bulk._when("0001-01-01T00:00:00+05:00")
    plus_two = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert bulk._when("2026-03-01T12:00:00+02:00") == plus_two.astimezone(UTC)
