"""Requests per token (API_RATE): over the limit, 429 with Retry-After, and nothing done.
Each token is counted apart (the browser's session per person), in Django's database cache
"api" (settings.CACHES), which every process and container shares: the counters are rows of
its table, not memory of one process."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection

from annotations import services
from annotations.models import Article

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def _low_rate(settings):
    settings.API_RATE = f"{LIMIT}/min"  # read by the throttle at each request


def _get(client, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/v1/claims/", headers=headers)


def test_over_the_rate_a_token_gets_429_with_retry_after_and_nothing_is_done(client, editor):
    row, token = services.api_token_create(user=editor, name="busy script")
    for _ in range(LIMIT):
        assert _get(client, token).status_code == 200

    refused = _get(client, token)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited" and refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60

    posted = client.post(
        "/api/v1/articles/",
        {"title": "Evacuation in Sumy", "body": "Officials said 40 families had left."},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert posted.status_code == 429
    assert not Article.objects.exists()


def test_each_token_is_counted_apart(client, editor, reviewer):
    _row, busy = services.api_token_create(user=editor, name="busy script")
    _row, calm = services.api_token_create(user=editor, name="calm script")
    _row, other = services.api_token_create(user=reviewer, name="reviewer's bot")
    for _ in range(LIMIT):
        _get(client, busy)
    assert _get(client, busy).status_code == 429
    assert _get(client, calm).status_code == 200  # the same person's other token
    assert _get(client, other).status_code == 200


def test_the_browser_session_is_counted_per_person(client, editor):
    client.force_login(editor)
    for _ in range(LIMIT):
        assert _get(client).status_code == 200
    assert _get(client).status_code == 429


def test_the_counters_are_rows_of_the_database_cache(client, editor):
    """What a second process would read: a cache object of its own, on the same table."""
    row, token = services.api_token_create(user=editor, name="busy script")
    for _ in range(2):
        _get(client, token)
    assert isinstance(caches["api"], DatabaseCache)
    table = caches["api"]._table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {connection.ops.quote_name(table)}")  # noqa: S608
        keys = [key for (key,) in cursor.fetchall()]
    assert any(key.endswith(f"throttle_api_token-{row.pk}") for key in keys), keys
    another_process = DatabaseCache(table, {})
    assert len(another_process.get(f"throttle_api_token-{row.pk}")) == 2
