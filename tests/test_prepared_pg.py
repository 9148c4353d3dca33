"""PostgreSQL plans a statement the app runs again and again once (prepared statements,
newsroom.settings: DB_PREPARE_THRESHOLD), and the setting turns them off for a pooler."""

import json

import pytest
from django.db import connection

from annotations.models import Article
from tests.factories import ArticleFactory
from tests.test_security_headers import _settings_subprocess

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_a_statement_run_often_is_prepared_and_still_answers_right():
    articles = [ArticleFactory(body=f"Text {i}.") for i in range(8)]
    before = _prepared()
    for article in articles:  # the same statement, another parameter each time
        assert Article.objects.get(pk=article.pk).body == article.body
    new = [s for s in _prepared() - before if '"annotations_article"' in s]
    assert new, "the article read was run 8 times and never prepared"
    assert any("$1" in s for s in new)  # its parameter is bound by the server


def _options(threshold: str) -> dict:
    """The database OPTIONS the settings make of DB_PREPARE_THRESHOLD (read at import)."""
    code = "import django, json; django.setup(); from django.conf import settings; "
    code += "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    extra = {
        "DB_PREPARE_THRESHOLD": threshold,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
    }
    return json.loads(_settings_subprocess(code, extra).splitlines()[-1])


@pytest.mark.parametrize(
    ("threshold", "binding", "prepare"), [("", True, 5), ("2", True, 2), ("0", False, None)]
)
def test_the_threshold_setting(threshold, binding, prepare):
    options = _options(threshold)
    assert options["server_side_binding"] is binding
    assert options["prepare_threshold"] == prepare
