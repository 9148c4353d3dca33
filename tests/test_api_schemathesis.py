"""schemathesis against the API, in process: the schema the API serves at /api/v1/schema/
(loaded through the WSGI application, with a reviewer's token: a reviewer may call every
operation, reviewing and merging sources included, so that each one's answers of success
are checked too; who may not is the matrix's, tests/test_api_matrix.py), and every
operation in it called through that same application with generated requests, valid and
invalid ones.

Checked for every answer: no server error; the status code, the content type, the headers
and the body are the ones the schema documents; and a request that breaks the schema is
refused (4xx). Whether a request that fits the schema is accepted is not checked: the
server also checks what no schema says (a quote must be the text between its offsets).

Bounded and repeatable, for CI: a fixed number of examples per operation (the fuzzing
phase; the coverage phase adds its own boundary cases), generated deterministically, no
example database. The operations are called in parts (PARTS: by the path's collection),
each a test of its own that `make test`'s processes share out; every operation is in one. Every example runs in a savepoint that is rolled back, so each starts
from the same rows: an editor's article and claim (of an approved source, so that the
ClaimReview export has it), a source pending review and a duplicate of it, the
reviewer's link import, a shared claim of that claim and its twin in another article,
another shared claim, and a claim in none. An id in a path is mapped, one time in two, to
that article, claim, source, job or shared claim (otherwise generated ids find nothing:
404s, which the schema documents); a claim's body is given a span of the article's text, a
correction the article's version in If-Match, a review the source's status, a merge the
duplicate (or the other shared claim), a link the claim in none, one time in two, so that
the answers of success are checked too. A DELETE deletes in its
savepoint only. The exports stream: schemathesis reads each to its end and checks its
content type (text/csv, application/ld+json) against the schema's.

Only the URL "not-found" of the namespace is not in the schema: it is no endpoint but the
answer to a path none has, tested for what it does (a 404 problem to any method).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

from annotations import services
from annotations.api import w3c_docs
from tests.factories import BODY, SourceFactory, claim_by

pytestmark = pytest.mark.django_db

EXAMPLES = 25  # per operation, in the fuzzing phase
CONFIG = {
    "generation": {
        "mode": "all",  # valid requests, and requests that break the schema
        "max-examples": EXAMPLES,
        "deterministic": True,
        "database": "none",
        "with-security-parameters": False,  # the editor's token is sent with every call
    },
    "checks": {
        "enabled": False,
        "not_a_server_error": {"enabled": True},
        "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
        "response_headers_conformance": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
        "negative_data_rejection": {"enabled": True},
    },
}
FREE_QUOTE = "Ірина said the windows came in"  # in the body, no claim on it
QUOTE = "31 of 38 drones were shot down"


@pytest.fixture
def world(editor, reviewer) -> dict:
    article = services.article_create(user=editor, title="Strike on Kharkiv", body=BODY)
    vetted = SourceFactory(name="Air Force of Ukraine")  # approved: ClaimReview publishes it
    claim = claim_by(editor, article, QUOTE, source=vetted)
    source = services.source_create(user=editor, name="Security Service of Ukraine")
    twin = services.source_create(user=editor, name="SSU")
    job = services.url_import_start(user=reviewer, url="https://example.org/news/strike")
    _row, token = services.api_token_create(user=reviewer, name="schemathesis")
    sumy = services.article_create(user=editor, title="Drones over Sumy", body=BODY + "\nS")
    odesa = services.article_create(user=editor, title="Drones over Odesa", body=BODY + "\nO")
    shared = services.shared_claim_link(
        claim=claim, user=editor, other=claim_by(editor, sumy, QUOTE)
    )
    twin_shared = services.shared_claim_link(
        claim=claim_by(editor, odesa, QUOTE), user=editor, other=claim_by(editor, sumy, FREE_QUOTE)
    )
    return {
        "article": article,
        "claim": claim,
        "source": source,
        "twin": twin,
        "job": job,
        "shared": shared,  # `claim` and its twin in another article
        "loose": claim_by(editor, odesa, FREE_QUOTE),  # in no shared claim: to link
        "twin_shared": twin_shared,  # to merge into `shared`
        "auth": {"Authorization": f"Bearer {token}"},
    }


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, called in this thread: it sees the test's transaction, as
    long as the end of a request does not close the connection (the test client disconnects
    the same handlers)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# The operations in parts, each a test of its own (with its own world), so that `make test`'s
# processes share them out instead of one process calling all of them. Each part is the
# operations whose path matches its pattern; the last, REST, is every operation that no
# other part has, so that an operation added to the API is called whatever its path. Each
# operation gets the same examples whichever part it is in.
PARTS = {
    "articles": r"^/api/v1/articles/",
    "claims": r"^/api/v1/claims/",
    "annotations": r"^/api/v1/annotations/",
    "sources": r"^/api/v1/sources/",
}
REST = "rest"


def _config_of_part(part: str) -> dict:
    """CONFIG, with every operation outside `part` turned off."""
    if part == REST:
        off = [{"include-path-regex": pattern, "enabled": False} for pattern in PARTS.values()]
    else:
        off = [{"exclude-path-regex": PARTS[part], "enabled": False}]
    return {**CONFIG, "operations": off}


@pytest.fixture(params=[*PARTS, REST])
def api_schema(request, world, wsgi_app):
    return schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json",
        wsgi_app,
        headers=world["auth"],
        config=SchemathesisConfig.from_dict(_config_of_part(request.param)),
    )


@pytest.fixture(autouse=True)
def _nodeid_for_schemathesis(request):
    """schemathesis 4 (`from_fixture`) reads and sets `Node._nodeid`, which pytest 9 keeps
    elsewhere: give the node the attribute it reads (it only names the subtests)."""
    request.node._nodeid = request.node.nodeid


def _positive(case, location: ParameterLocation) -> bool:
    component = case.meta.components.get(location) if case.meta else None
    return component is not None and component.mode == GenerationMode.POSITIVE


def _aim_at_the_world(case, world: dict) -> None:
    """Half of the valid ids, spans, versions, review statuses and merges become the
    world's (see the docstring)."""
    article, claim, source = world["article"], world["claim"], world["source"]
    label = case.operation.label
    pk = str(case.path_parameters.get("id", "")) if case.path_parameters else ""
    if _positive(case, ParameterLocation.PATH) and pk.isdigit() and int(pk) % 2 == 0:
        collection = case.path.split("/")[3]  # /api/v1/<collection>/{id}/…
        row = {
            "articles": article, "claims": claim, "annotations": claim, "sources": source,
            "jobs": world["job"], "shared-claims": world["shared"],
        }  # fmt: skip
        case.path_parameters["id"] = row[collection].pk
        correcting = label == "PATCH /api/v1/articles/{id}/"
        if correcting and _positive(case, ParameterLocation.HEADER):
            case.headers = {**(case.headers or {}), "If-Match": f'"{article.version}"'}
        annotation = case.path == "/api/v1/annotations/{id}/"  # PUT, DELETE: its ETag
        if annotation and _positive(case, ParameterLocation.HEADER):
            tag = w3c_docs.etag(w3c_docs.row_of(claim.pk))
            case.headers = {**(case.headers or {}), "If-Match": tag}
    body = case.body
    if not (_positive(case, ParameterLocation.BODY) and isinstance(body, dict)):
        return
    if (
        label == "POST /api/v1/claims/"
        and isinstance(body.get("start"), int)
        and body["start"] % 2 == 0
    ):
        start = article.body.index(FREE_QUOTE)
        body.update(
            article=article.pk,
            start=start,
            end=start + len(FREE_QUOTE),
            quote=FREE_QUOTE,
            version=article.version,
            source=None,
            new_source_name="",
        )
    elif label == "POST /api/v1/sources/{id}/review/" and body.get("decision") == "approved":
        body["expected_status"] = source.review_status
    elif label in MERGES and isinstance(body.get("other"), int) and body["other"] % 2 == 0:
        body["other"] = world[MERGES[label]].pk
    elif label == "POST /api/v1/claims/{id}/link/" and len(body) % 2 == 0:
        body.clear()
        body["other"] = world["loose"].pk


# What a merge's `other` becomes, one time in two: a duplicate of the world's.
MERGES = {
    "POST /api/v1/sources/{id}/merge/": "twin",
    "POST /api/v1/shared-claims/{id}/merge/": "twin_shared",
}

schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_the_api_keeps_to_its_schema(case, world):
    _aim_at_the_world(case, world)
    with transaction.atomic():
        case.call_and_validate(headers=world["auth"])
        transaction.set_rollback(True)


NOT_AN_ENDPOINT = "not-found"  # the answer to a path no endpoint has: see the next test


def test_every_endpoint_is_in_the_schema(client, editor):
    """The endpoints schemathesis calls are all of the API's: each URL of the namespace
    "api" (but the schema itself, and the catch-all for paths none has) is a path of the
    schema, and the schema has no other."""
    from tests.test_api_matrix import api_url_patterns

    client.force_login(editor)
    paths = set(client.get("/api/v1/schema/?format=json").json()["paths"])
    patterns = {name: pattern for pattern, name in api_url_patterns()}
    assert list(patterns)[-1] == NOT_AN_ENDPOINT, "the catch-all must be the API's last URL"
    expected = {
        "/" + pattern.replace("<int:pk>", "{id}")
        for name, pattern in patterns.items()
        if name not in ("schema", NOT_AN_ENDPOINT)
    }
    assert expected == paths


@pytest.mark.parametrize(
    "method", ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"]
)
def test_a_path_no_endpoint_has_is_a_404_problem_whatever_the_method(client, editor, method):
    """What the schema leaves out, "not-found", answers: to any method, a 404 problem (no
    405, no DRF description for OPTIONS, no redirect to add a slash), after the checks every
    endpoint makes (401 without a token); and nothing is written."""
    from tests.test_api_matrix import snapshot

    _row, token = services.api_token_create(user=editor, name="typos")
    before = snapshot()
    for path, hint in [
        ("/api/v1/claims/latest/", "see /api/v1/schema/"),
        ("/api/v1/sources/-3/review/", "see /api/v1/schema/"),
        ("/api/v1/claims", "end with “/”"),
    ]:
        answer = client.generic(
            method, path, b'{"label": "verified"}', content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
        assert answer.status_code == 404, (path, answer.status_code)
        assert answer["Content-Type"] == "application/problem+json"
        if method != "HEAD":
            assert answer.json()["code"] == "not_found" and hint in answer.json()["detail"]
        unsigned = client.generic(method, path)
        assert (
            unsigned.status_code == 401 and unsigned["Content-Type"] == "application/problem+json"
        )
    assert snapshot() == before
