"""schemathesis against the API, in process: the schema the API serves at /api/v1/schema/
(loaded through the WSGI application, with an editor's token), and every operation in it
called through that same application with generated requests, valid and invalid ones.

Checked for every answer: no server error; the status code, the content type, the headers
and the body are the ones the schema documents; and a request that breaks the schema is
refused (4xx). Whether a request that fits the schema is accepted is not checked: the
server also checks what no schema says (a quote must be the text between its offsets).

Bounded and repeatable, for CI: a fixed number of examples per operation (the fuzzing
phase; the coverage phase adds its own boundary cases), generated deterministically, no
example database. Every example runs in a savepoint that is rolled back, so each starts
from the same rows: the editor's article and claim. An id in a path is mapped, one time in
two, to that article or claim (otherwise generated ids find nothing: 404s, which the schema
documents); a claim's body is given a span of the article's text, and a correction the
article's version in If-Match, one time in two, so that the answers of success are checked
too. A DELETE deletes in its savepoint only.
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
from tests.factories import BODY, claim_by

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


@pytest.fixture
def world(editor) -> dict:
    article = services.article_create(user=editor, title="Strike on Kharkiv", body=BODY)
    claim = claim_by(editor, article, "31 of 38 drones were shot down")
    _row, token = services.api_token_create(user=editor, name="schemathesis")
    return {"article": article, "claim": claim, "auth": {"Authorization": f"Bearer {token}"}}


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


@pytest.fixture
def api_schema(world, wsgi_app):
    return schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json",
        wsgi_app,
        headers=world["auth"],
        config=SchemathesisConfig.from_dict(CONFIG),
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
    """Half of the valid ids, spans and versions become the world's (see the docstring)."""
    article, claim = world["article"], world["claim"]
    pk = str(case.path_parameters.get("id", "")) if case.path_parameters else ""
    if _positive(case, ParameterLocation.PATH) and pk.isdigit() and int(pk) % 2 == 0:
        case.path_parameters["id"] = article.pk if "/articles/" in case.path else claim.pk
        correcting = case.operation.label == "PATCH /api/v1/articles/{id}/"
        if correcting and _positive(case, ParameterLocation.HEADER):
            case.headers = {**(case.headers or {}), "If-Match": f'"{article.version}"'}
        annotation = case.path == "/api/v1/annotations/{id}/"  # PUT, DELETE: its ETag
        if annotation and _positive(case, ParameterLocation.HEADER):
            tag = w3c_docs.etag(w3c_docs.row_of(claim.pk))
            case.headers = {**(case.headers or {}), "If-Match": tag}
    body = case.body
    if (
        case.operation.label == "POST /api/v1/claims/"
        and _positive(case, ParameterLocation.BODY)
        and isinstance(body, dict)
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


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_the_api_keeps_to_its_schema(case, world):
    _aim_at_the_world(case, world)
    with transaction.atomic():
        case.call_and_validate(headers=world["auth"])
        transaction.set_rollback(True)


def test_every_endpoint_is_in_the_schema(client, editor):
    """The endpoints schemathesis calls are all of the API's: each URL of the namespace
    "api" (but the schema and its docs page) is a path of the schema."""
    from tests.test_api_matrix import api_url_patterns

    client.force_login(editor)
    paths = set(client.get("/api/v1/schema/?format=json").json()["paths"])
    expected = {
        "/" + pattern.replace("<int:pk>", "{id}")
        for pattern, name in api_url_patterns()
        if name != "schema"
    }
    assert expected == paths
