"""Suggested claims through the API: the same list as the command, for those who tag claims
only; dismissing one (201, then 200 for the same words); refusals are problems and write
nothing; a claim posted from a suggestion says so in its history; the schema documents it."""

import json

import pytest
import yaml
from django.core.management import call_command

from annotations import history, services, suggesting
from annotations.models import Annotation, SuggestionDismissal
from tests.factories import BODY
from tests.suggest_stub import two_rule_engine  # noqa: E402, F401 (the engine the tests name spans of)
from tests.test_api import _call, _token

pytestmark = pytest.mark.django_db

HEDGED = "Residents had reportedly been evacuated."


@pytest.fixture
def article(editor):
    return services.article_create(user=editor, title="Strike", body=BODY)


def _path(article, tail="") -> str:
    return f"/api/v1/articles/{article.pk}/suggestions/{tail}"


def _span(article, quote=HEDGED) -> dict:
    start = article.body.index(quote)
    return {"start": start, "end": start + len(quote), "quote": quote}


def test_editors_get_the_list_the_command_prints(client, article, editor, capsys):
    response = _call(client, "get", _path(article), _token(editor))
    assert response.status_code == 200
    call_command("suggest_claims", str(article.pk), "--json")
    assert response.json() == json.loads(capsys.readouterr().out)
    assert response.json() == [s.as_json() for s in suggesting.suggest_for_article(article)]


def test_viewers_get_a_readable_403_problem(client, article, viewer):
    response = _call(client, "get", _path(article), _token(viewer))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "tag claims" in response.json()["detail"]
    response = _call(client, "post", _path(article, "dismissals/"), _token(viewer), _span(article))
    assert response.status_code == 403 and not SuggestionDismissal.objects.exists()


def test_dismissing_hides_it_for_everyone_and_twice_is_the_same_dismissal(
    client, article, editor, reviewer
):
    token = _token(editor)
    response = _call(client, "post", _path(article, "dismissals/"), token, _span(article))
    assert response.status_code == 201
    body = response.json()
    assert (body["quote"], body["dismissed_by"], body["anchor_state"]) == (
        HEDGED,
        "editor",
        "anchored",
    )
    again = _call(client, "post", _path(article, "dismissals/"), _token(reviewer), _span(article))
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    quotes = [s["quote"] for s in _call(client, "get", _path(article), token).json()]
    assert HEDGED not in quotes


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"quote": "Residents"}, 422),
        ({"end": 99_999}, 422),
        ({"start": "3"}, 400),
        ({"extra": 1}, 422),
        ({"version": 9}, 422),
    ],
)
def test_a_bad_dismissal_is_a_problem_and_writes_nothing(client, article, editor, change, status):
    body = {**_span(article), **change}
    response = _call(client, "post", _path(article, "dismissals/"), _token(editor), body)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json" and response.json()["detail"]
    assert not SuggestionDismissal.objects.exists()


def test_a_deleted_article_has_no_suggestions(client, article, editor):
    services.article_delete(article=article, user=editor)
    assert _call(client, "get", _path(article), _token(editor)).status_code == 404


def test_a_claim_posted_from_a_suggestion_says_so(client, article, editor):
    response = _call(
        client,
        "post",
        "/api/v1/claims/",
        _token(editor),
        {
            "article": article.pk,
            **_span(article),
            "label": "unattributed",
            "from_suggestion": "reportedly",
        },
    )
    assert response.status_code == 201
    claim = Annotation.objects.get()
    reason = history.entries(history.claim_records(claim.pk))[0]["reason"]
    assert reason == "from a suggestion (cue “reportedly”)"


def test_the_schema_documents_both(client, editor):
    schema = yaml.safe_load(_call(client, "get", "/api/v1/schema/", _token(editor)).content)
    listing = schema["paths"]["/api/v1/articles/{id}/suggestions/"]["get"]
    item = listing["responses"]["200"]["content"]["application/json"]["schema"]["items"]
    assert item["$ref"].endswith("/Suggestion")
    assert set(schema["components"]["schemas"]["Suggestion"]["properties"]) == {
        "start",
        "end",
        "quote",
        "label",
        "source_name",
    }
    dismiss = schema["paths"]["/api/v1/articles/{id}/suggestions/dismissals/"]["post"]
    assert {"200", "201", "403", "422"} <= set(dismiss["responses"])
