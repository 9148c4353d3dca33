"""`manage.py similar_claims CLAIM_ID [--limit N] [--json]`: the suggestions for a claim,
best first, from other articles only; refusals exit 1 with a readable line."""

import json

import pytest
from django.core.management import ManagementUtility, call_command

from annotations import services
from tests.factories import BODY, claim_by

pytestmark = pytest.mark.django_db

QUOTE = "31 of 38 drones were shot down"


@pytest.fixture
def claims(editor) -> dict:
    """The same words in three articles (one linked to the first), and again, apart, in
    the first article."""

    def article(title: str, body: str = BODY):
        return services.article_create(user=editor, title=title, body=body, outlet=title)

    first = article("Wire")
    found = {
        "first": claim_by(editor, first, QUOTE),
        "same_article": claim_by(editor, first, "Residents had reportedly been evacuated"),
        "kyiv": claim_by(editor, article("Kyiv Post", BODY + "\nMore."), QUOTE, label="verified"),
        "repost": claim_by(editor, article("Repost", BODY + "\nMore again."), QUOTE),
    }
    services.shared_claim_link(claim=found["repost"], user=editor, other=found["kyiv"])
    return found


def _run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("similar_claims", *map(str, args), stdout=out)
    return out.getvalue()


def test_json_lists_the_other_articles_claims_best_first(claims):
    rows = json.loads(_run(claims["first"].pk, "--json"))
    # One per shared claim: the linked pair is one suggestion (the later one's id wins a tie).
    assert [r["annotation_id"] for r in rows] == [claims["repost"].pk]
    (row,) = rows
    assert set(row) == {"annotation_id", "article_id", "score"}
    assert row["article_id"] == claims["repost"].article_id and 0 < row["score"] <= 1
    # From the linked one: the other article's claim, not its own shared claim's.
    assert [r["annotation_id"] for r in json.loads(_run(claims["kyiv"].pk, "--json"))] == [
        claims["first"].pk
    ]


def test_json_is_an_empty_list_when_nothing_looks_alike(claims):
    assert json.loads(_run(claims["same_article"].pk, "--json")) == []


def test_limit_and_scores_best_first(editor, claims):
    services.shared_claim_unlink(claim=claims["repost"], user=editor)
    rows = json.loads(_run(claims["first"].pk, "--json", "--limit", 50))
    assert {r["annotation_id"] for r in rows} == {claims["kyiv"].pk, claims["repost"].pk}
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert len(json.loads(_run(claims["first"].pk, "--json", "--limit", 1))) == 1


def test_without_json_a_table_for_people(claims):
    text = _run(claims["first"].pk)
    header, line = text.splitlines()
    assert header.split()[:4] == ["score", "claim", "article", "shared"]
    repost = claims["repost"]
    repost.refresh_from_db()
    assert f"  {repost.pk}  " in line and "Repost" in line and QUOTE in line
    assert "the same figures" in line and str(repost.shared_claim_id) in line
    assert "No claim of another article" in _run(claims["same_article"].pk)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999"], "There is no claim #999999."),
        (["{first}", "--limit", "0"], "--limit must be from 1 to 50."),
        (["{first}", "--limit", "51"], "--limit must be from 1 to 50."),
        (["{dead}"], "is on a deleted article"),
        (["abc"], "invalid int value"),
    ],
)
def test_a_refusal_exits_1_with_a_readable_line(editor, claims, capsys, args, message):
    dead = claims["same_article"].article
    services.article_delete(article=dead, user=editor)
    ids = {"first": claims["kyiv"].pk, "dead": claims["first"].pk}
    argv = [a.format(**ids) for a in args]
    with pytest.raises(SystemExit) as stopped:
        ManagementUtility(["manage.py", "similar_claims", *argv, "--json"]).execute()
    assert stopped.value.code == 1
    out, err = capsys.readouterr()
    assert out == "" and message in err and "Traceback" not in err
