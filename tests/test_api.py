"""The REST API's basics: tokens, the documented shapes, problems."""

import json

import pytest
from django.core.management import call_command

from annotations import services
from annotations.models import ApiToken, Article

from .factories import BODY, ArticleFactory

pytestmark = pytest.mark.django_db


def _token(user) -> str:
    return services.api_token_create(user=user, name="test")[1]


def _call(client, method, path, token=None, body=None, **headers):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    if token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    kwargs = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    return getattr(client, method)(path, **kwargs, **extra)


def test_a_token_is_shown_once_and_kept_as_its_hash(editor):
    row, key = services.api_token_create(user=editor, name="CMS")
    assert key.startswith("nca_") and len(key) > 40
    assert key not in {row.key_sha256, row.hint} and row.hint == key[:10]
    assert (
        ApiToken.objects.get().key_sha256 == __import__("hashlib").sha256(key.encode()).hexdigest()
    )


def test_the_documented_script_works(client, editor):
    token = _token(editor)
    made = _call(client, "post", "/api/v1/articles/", token, {"title": "Strikes", "body": BODY})
    assert made.status_code == 201, made.content
    article = made.json()
    assert {"id", "version"} <= set(article) and article["version"] == 1
    quote = "31 of 38 drones were shot down"
    start = BODY.index(quote)
    claim = _call(
        client, "post", "/api/v1/claims/", token,
        {"article": article["id"], "start": start, "end": start + len(quote), "quote": quote,
         "label": "disputed", "new_source_name": "Air Force"},
    )  # fmt: skip
    assert claim.status_code == 201, claim.content
    assert claim.json()["id"] and claim.json()["source"]["name"] == "Air Force"
    listed = _call(client, "get", f"/api/v1/claims/?label=disputed&article={article['id']}", token)
    assert listed.status_code == 200
    body = listed.json()
    assert [c["id"] for c in body["results"]] == [claim.json()["id"]] and body["next"] is None


def test_refusals_are_problems(client, editor, viewer):
    token = _token(editor)
    no_token = _call(client, "get", "/api/v1/claims/")
    assert no_token.status_code == 401 and no_token["Content-Type"] == "application/problem+json"
    assert no_token.json()["code"] == "not_authenticated"
    bad = _call(client, "get", "/api/v1/claims/", "nca_nonsense")
    assert bad.status_code == 401 and bad.json()["code"] == "token_invalid"
    wrong = _call(client, "post", "/api/v1/articles/", token, {"title": ["x"], "body": 3})
    assert wrong.status_code == 400 and set(wrong.json()["errors"]) == {"title", "body"}
    empty = _call(client, "post", "/api/v1/articles/", token, {"title": "x", "body": "  "})
    assert empty.status_code == 422 and empty.json()["errors"]["body"]
    unknown = _call(
        client, "post", "/api/v1/articles/", token, {"title": "x", "body": "y", "foo": 1}
    )
    assert unknown.status_code == 422 and "foo" in unknown.json()["errors"]
    viewer_token = _token(viewer)
    refused = _call(client, "post", "/api/v1/articles/", viewer_token, {"title": "x", "body": "y"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert not Article.objects.exists()
    filters = _call(client, "get", "/api/v1/claims/?label=nonsense", token)
    assert filters.status_code == 400 and "label" in filters.json()["errors"]


def test_correcting_needs_the_version_seen(client, editor):
    token = _token(editor)
    article = ArticleFactory(created_by=editor)
    path = f"/api/v1/articles/{article.pk}/"
    assert _call(client, "get", path, token)["ETag"] == '"1"'
    missing = _call(client, "patch", path, token, {"title": "New"})
    assert missing.status_code == 428
    stale = _call(client, "patch", path, token, {"title": "New"}, if_match='"7"')
    assert stale.status_code == 412 and stale.json()["version"] == 1
    done = _call(client, "patch", path, token, {"body": BODY + "\nMore."}, if_match='"1"')
    assert done.status_code == 200, done.content
    assert done.json()["version"] == 2 and done["ETag"] == '"2"'


def test_the_command_prints_the_token_last(editor, capsys):
    call_command("create_api_token", editor.username, "--name", "Bot")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert services.api_token_find(key).user == editor


def test_schema_and_docs(client, editor):
    client.force_login(editor)
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/claims/" in json.loads(schema.content)["paths"]
    assert client.get("/api/v1/docs/").status_code == 200


def test_a_claim_says_where_its_evidence_stands(client, editor):
    from annotations.models import Capture, CaptureBlob, Evidence

    token = _token(editor)
    article = ArticleFactory(created_by=editor)
    quote = "31 of 38 drones were shot down"
    start = article.body.index(quote)
    made = _call(
        client, "post", "/api/v1/claims/", token,
        {"article": article.pk, "start": start, "end": start + len(quote), "quote": quote,
         "label": "disputed", "evidence_url": "https://example.org/post"},
    ).json()  # fmt: skip
    assert made["evidence"] == {"status": "pending", "sha256": "", "captured_at": None}
    evidence = Evidence.objects.get(claim_id=made["id"])
    blob = CaptureBlob.objects.create(sha256="b" * 64, data=b"", size=0)
    capture = Capture.objects.create(
        evidence=evidence, requested_url=evidence.url, final_url=evidence.url, http_status=200,
        captured_at=evidence.created_at, payload_sha256="a" * 64, payload_size=1, text="t",
        text_sha256="c" * 64, warc=blob,
    )  # fmt: skip
    Evidence.objects.filter(pk=evidence.pk).update(state="captured", current=capture)
    for path in (f"/api/v1/claims/{made['id']}/", f"/api/v1/claims/?article={article.pk}"):
        body = _call(client, "get", path, token).json()
        shown = body["results"][0] if "results" in body else body
        assert shown["evidence"]["status"] == "captured" and shown["evidence"]["sha256"] == "a" * 64
