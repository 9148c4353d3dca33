"""PostgreSQL plans a statement the app runs again and again once (prepared statements,
newsroom.settings: DB_PREPARE_THRESHOLD), and the setting turns them off for a pooler."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from annotations.models import Article
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
ROOT = Path(__file__).resolve().parents[1]


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
    env = {
        **os.environ,
        "DB_PREPARE_THRESHOLD": threshold,
        "SECRET_KEY": "settings-only-" + "x7Qm2vX9pL4sR8wK1zN6bT3yH5cJ0dF2gA7eU9iO4tY6rW1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
    }
    code = "from django.conf import settings; import json; "
    code += "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("threshold", "binding", "prepare"), [("", True, 5), ("2", True, 2), ("0", False, None)]
)
def test_the_threshold_setting(threshold, binding, prepare):
    options = _options(threshold)
    assert options["server_side_binding"] is binding
    assert options["prepare_threshold"] == prepare
