"""`manage.py suggest_claims ARTICLE_ID [--json]`: an article's suggested claims, exactly as
the engine's `as_json`, less tagged and dismissed ones; refusals exit 1 with a readable line
and change nothing."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from annotations import services, suggesting
from tests.factories import BODY, claim_by
from tests.suggest_stub import two_rule_engine  # noqa: E402, F401 (the engine the tests name spans of)
from tests.test_bad_input import db_snapshot

pytestmark = pytest.mark.django_db

ATTRIBUTED = "31 of 38 drones were shot down"
HEDGED = "Residents had reportedly been evacuated."


@pytest.fixture
def article(editor):
    return services.article_create(user=editor, title="Strike", body=BODY)


def _run(*args) -> str:
    out = StringIO()
    call_command("suggest_claims", *map(str, args), stdout=out)
    return out.getvalue()


def test_json_is_the_engines_list_in_reading_order(article):
    rows = json.loads(_run(article.pk, "--json"))
    assert rows == [s.as_json() for s in suggesting.suggest_for_article(article)]
    assert [r["quote"] for r in rows] == [ATTRIBUTED, HEDGED]
    for row in rows:
        assert set(row) == {"start", "end", "quote", "label", "source_name"}
        assert article.body[row["start"] : row["end"]] == row["quote"]
    assert rows[1]["label"] == "unattributed" and rows[1]["source_name"] == ""


def test_tagged_and_dismissed_ones_are_left_out(article, editor):
    claim_by(editor, article, ATTRIBUTED)
    start = BODY.index(HEDGED)
    services.dismiss(
        user=editor, article=article, start=start, end=start + len(HEDGED), quote=HEDGED
    )
    assert json.loads(_run(article.pk, "--json")) == []
    assert "No suggested claims in article" in _run(article.pk)


def test_an_article_without_cues_prints_an_empty_list(editor):
    plain = services.article_create(user=editor, title="Weather", body="Weather\n\nRain today.")
    assert json.loads(_run(plain.pk, "--json")) == []


def test_without_json_a_table_for_people(article):
    header, first, second = _run(article.pk).splitlines()
    assert header.split() == ["start", "end", "label", "source", "cue", "quote"]
    assert "a Telegram post from the SBU (new)" in first and ATTRIBUTED in first
    assert "unattributed" in second and "reportedly" in second


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999"], "There is no article #999999."),
        (["{dead}"], "was deleted"),
        (["abc"], "invalid int value"),
        ([], "the following arguments are required"),
    ],
)
def test_a_refusal_exits_1_with_a_readable_line(editor, article, capsys, args, message):
    services.article_delete(article=article, user=editor)
    argv = [a.format(dead=article.pk) for a in args]
    with pytest.raises(SystemExit) as stopped:
        ManagementUtility(["manage.py", "suggest_claims", *argv, "--json"]).execute()
    assert stopped.value.code == 1
    out, err = capsys.readouterr()
    assert out == "" and message in err and "Traceback" not in err


def test_a_refusal_changes_nothing(editor, article):
    """(Through call_command: the command line's exit closes the database connection.)"""
    services.article_delete(article=article, user=editor)
    before = db_snapshot()
    for pk in (article.pk, 999_999):
        with pytest.raises(CommandError):
            call_command("suggest_claims", str(pk), "--json", stdout=StringIO())
    assert db_snapshot() == before
