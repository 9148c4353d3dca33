"""Who may do what through the API: every endpoint of the URL namespace "api" x method x
persona, checked against the roles table (README "Roles", annotations/permissions.py).

The cells are generated from the URL conf, so an endpoint added without an entry in
EXPECTED fails (test_every_api_endpoint_has_a_decision, and each of its cells), and so does
an entry whose allowed methods are not the view's. Every persona calls with a personal token
(`Authorization: Bearer`), but `anonymous`, who sends none; `revoked` sends the editor's
revoked token; `nobody` has a valid token but no role. Each cell starts from the same rows,
made once for the module by `editor` (see `rows_for_a_module`), sends a request that is
valid for a role allowed to make it, and checks:

- the status, and for an allowed request its JSON body (or none, for 204);
- every refusal is a problem (`application/problem+json` with `code`, `title` and a
  `status` equal to the response's), and a 405 names the allowed methods in `Allow`;
- the database: reads and refusals change nothing (the counts and a hash of every row of
  articles, claims, sources, shared claims and their history, link imports and queued
  jobs); an allowed write changes it;
- an export streams its file, read to the end, in the type the schema documents.

The last URL of the namespace, "not-found", is no endpoint but the API's answer to a path
none has: every method (OPTIONS too) gets a 404 problem, from every persona with a role.

The docs page (`api:docs`) is a page, signed in by session as every page: it is in the web's
matrix (tests/test_permission_matrix.py).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django_tasks_db.models import DBTaskResult

from annotations import services
from annotations.api import w3c_docs
from annotations.models import (
    Annotation,
    Article,
    SharedClaim,
    Source,
    SuggestionDismissal,
    UrlImport,
)
from tests.factories import BODY, claim_by, persona
from tests.test_bad_input import db_snapshot
from tests.test_permission_matrix import check_the_table
from tests.test_w3c_protocol import ours

pytestmark = pytest.mark.django_db

NAMESPACE = "api"
PAGES = {"docs"}  # in the namespace, but pages: tests/test_permission_matrix.py
ROLES = ("viewer", "editor", "other_editor", "reviewer", "admin_user")
PERSONAS = ("anonymous", "revoked", "nobody", *ROLES)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
PROBLEM_JSON = "application/problem+json"


# --- The URL conf ---------------------------------------------------------------------------


def api_url_patterns(resolver=None, prefix: str = "", inside: bool = False) -> Iterator:
    """(pattern, name) of every endpoint of the namespace "api" (its pages left out)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            within = inside or entry.namespace == NAMESPACE
            yield from api_url_patterns(entry, prefix + str(entry.pattern), within)
        elif isinstance(entry, URLPattern) and inside and entry.name not in PAGES:
            yield prefix + str(entry.pattern), entry.name


def api_names() -> list[str | None]:
    return [name for _pattern, name in api_url_patterns()]


# --- The decisions ---------------------------------------------------------------------------

# Without a valid token: 401; with a token but no role: 403 (HasRole, before anything else).
UNSIGNED = {"anonymous": 401, "revoked": 401, "nobody": 403}


def everyone(status: int) -> dict:
    """The same answer for every persona with a role."""
    return {**UNSIGNED, **dict.fromkeys(ROLES, status)}


def by_role(*, viewer, editor, other_editor, reviewer, admin_user) -> dict:
    return {
        **UNSIGNED,
        "viewer": viewer,
        "editor": editor,  # made the article and the claim
        "other_editor": other_editor,  # an editor who made neither
        "reviewer": reviewer,
        "admin_user": admin_user,
    }


def annotators(status: int) -> dict:
    """Editors, reviewers and admins (adding articles, creating claims)."""
    return by_role(
        viewer=403, editor=status, other_editor=status, reviewer=status, admin_user=status
    )


def owner(status: int) -> dict:
    """The editor who made it, reviewers and admins (changing or deleting a claim;
    correcting or deleting an article)."""
    return by_role(viewer=403, editor=status, other_editor=403, reviewer=status, admin_user=status)


def reviewers(status: int) -> dict:
    """Reviewers and admins (reviewing and merging sources)."""
    return by_role(viewer=403, editor=403, other_editor=403, reviewer=status, admin_user=status)


def asker(status: int) -> dict:
    """The person who asked for it (editor) and admins: a link import's job."""
    return by_role(viewer=403, editor=status, other_editor=403, reviewer=403, admin_user=status)


NO = everyone(405)


def methods(**allowed: dict) -> dict[str, dict]:
    """The cells of an endpoint: the allowed methods as given, OPTIONS (DRF's description
    of what the endpoint renders and parses) for everyone with a role, every other 405."""
    return {method: allowed.get(method, NO) for method in METHODS} | {
        "OPTIONS": allowed.get("OPTIONS", everyone(200))
    }


EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    # Reading: everyone with a role. Adding: editors, reviewers, admins.
    "article-list": methods(GET=everyone(200), POST=annotators(201)),
    # Correcting and deleting an article: the editor who added it, reviewers, admins.
    "article-detail": methods(GET=everyone(200), PATCH=owner(200), DELETE=owner(204)),
    # Claims: any annotator creates; the author, reviewers and admins change or delete.
    "claim-list": methods(GET=everyone(200), POST=annotators(201)),
    "claim-detail": methods(GET=everyone(200), PATCH=owner(200), DELETE=owner(204)),
    "claim-history": methods(GET=everyone(200)),
    # An article from its link: whoever adds articles; its job: who asked, and admins.
    "article-from-url": methods(POST=annotators(202)),
    "job-detail": methods(GET=asker(200)),
    # Sources: everyone reads, annotators propose, reviewers and admins review and merge.
    "source-list": methods(GET=everyone(200), POST=annotators(201)),
    "source-detail": methods(GET=everyone(200)),
    "source-review": methods(POST=reviewers(200)),
    "source-merge": methods(POST=reviewers(200)),
    # Exports: everyone with a role, as the web's buttons.
    "export-csv": methods(GET=everyone(200)),
    "export-jsonld": methods(GET=everyone(200)),
    "export-claimreview": methods(GET=everyone(200)),
    # Similar claims: everyone reads the suggestions and the shared claims; whoever tags
    # claims links and unlinks them (on anyone's claims); reviewers and admins merge.
    "claim-similar": methods(GET=everyone(200)),
    "claim-link": methods(POST=annotators(200), DELETE=annotators(204)),
    "shared-claim-list": methods(GET=everyone(200)),
    "shared-claim-detail": methods(GET=everyone(200)),
    "shared-claim-merge": methods(POST=reviewers(200)),
    # Suggested claims: whoever tags claims sees them and dismisses one (for everyone).
    "article-suggestions": methods(GET=annotators(200)),
    "article-suggestion-dismissals": methods(POST=annotators(201)),
    # The OpenAPI schema: a role too.
    "schema": methods(GET=everyone(200)),
    # The W3C Web Annotation Protocol: the claims again, as a container of annotations.
    "w3c-container": methods(GET=everyone(200), POST=annotators(201)),
    "w3c-annotation": methods(GET=everyone(200), PUT=owner(200), DELETE=owner(204)),
    # A path no endpoint has: a 404 problem, whatever the method (a role first).
    "not-found": dict.fromkeys(METHODS, everyone(404)),
}


# --- The rows every cell starts from ----------------------------------------------------------

CLAIM_QUOTE = "31 of 38 drones were shot down"
NEW_QUOTE = "Ірина said the windows came in"
LOOSE_QUOTE = "Residents had reportedly been evacuated"


@dataclass
class World:
    article: Article  # by editor
    claim: Annotation  # by editor
    source: Source  # proposed by editor, pending review
    twin: Source  # pending too: a duplicate to merge into `source`
    job: UrlImport  # asked for by editor
    tokens: dict[str, str]  # persona -> token ("anonymous" has none)
    shared: SharedClaim  # `claim`, and its twin in another article
    loose: Annotation  # in another article, in no shared claim: to link
    twin_shared: SharedClaim  # two more claims: to merge into `shared`

    def span(self, quote: str) -> dict:
        start = self.article.body.index(quote)
        return {"start": start, "end": start + len(quote), "quote": quote}


def _token_without_a_role() -> str:
    """A token of an account whose role was taken away after it made the token (the
    service makes none for an account without a role)."""
    from django.contrib.auth.models import Group

    user = persona("nobody")
    viewers = Group.objects.get(name="Viewer")
    user.groups.add(viewers)
    key = services.api_token_create(user=user, name="left over")[1]
    user.groups.remove(viewers)
    return key


@pytest.fixture(scope="module")
def _world(rows_for_a_module) -> Iterator[World]:
    with rows_for_a_module():
        editor = persona("editor")
        article = services.article_create(user=editor, title="Strike on Kharkiv", body=BODY)
        claim = claim_by(editor, article, CLAIM_QUOTE)
        source = services.source_create(user=editor, name="Security Service of Ukraine")
        twin = services.source_create(user=editor, name="SSU")
        job = services.url_import_start(user=editor, url="https://example.org/news/strike")
        tokens = {
            name: services.api_token_create(user=persona(name), name="matrix")[1] for name in ROLES
        }
        revoked, tokens["revoked"] = services.api_token_create(user=editor, name="old")
        services.api_token_revoke(token=revoked, user=editor)
        tokens["nobody"] = _token_without_a_role()
        sumy = services.article_create(user=editor, title="Drones over Sumy", body=BODY + "\nS")
        odesa = services.article_create(user=editor, title="Drones over Odesa", body=BODY + "\nO")
        shared = services.shared_claim_link(
            claim=claim, user=editor, other=claim_by(editor, sumy, CLAIM_QUOTE)
        )
        twin_shared = services.shared_claim_link(
            claim=claim_by(editor, odesa, CLAIM_QUOTE),
            user=editor,
            other=claim_by(editor, sumy, LOOSE_QUOTE, label="unattributed"),
        )
        yield World(
            article=article, claim=claim, source=source, twin=twin, job=job, tokens=tokens,
            shared=shared, loose=claim_by(editor, odesa, LOOSE_QUOTE, label="unattributed"),
            twin_shared=twin_shared,
        )  # fmt: skip


@pytest.fixture
def world(_world) -> World:
    world = copy.deepcopy(_world)
    world.article = Article.objects.get(pk=world.article.pk)
    return world


# --- How to ask each endpoint -----------------------------------------------------------------


@dataclass
class Ask:
    """The object in the URL, and for each method that writes a body valid for a role that
    may write (and its headers)."""

    target: Callable[[World], int] | None = None
    bodies: dict[str, Callable[[World], dict]] = field(default_factory=dict)
    headers: dict[str, Callable[[World], str]] = field(default_factory=dict)
    answers: str = "application/json"  # the media type of a success, as the schema says
    path: str | None = None  # the address, for a URL that reverse() cannot make

    def url(self, name: str, world: World) -> str:
        if self.path is not None:
            return self.path
        return reverse(f"{NAMESPACE}:{name}", args=[self.target(world)] if self.target else [])


def _article(w: World) -> int:
    return w.article.pk


def _claim(w: World) -> int:
    return w.claim.pk


def _source(w: World) -> int:
    return w.source.pk


def _job(w: World) -> int:
    return w.job.pk


def _shared(w: World) -> int:
    return w.shared.pk


ASK: dict[str, Ask] = {
    "article-list": Ask(
        bodies={
            "POST": lambda w: {
                "title": "Evacuation in Sumy",
                "body": "Evacuation in Sumy\n\nOfficials said 40 families had left.",
            }
        }
    ),
    "article-detail": Ask(
        _article,
        bodies={"PATCH": lambda w: {"body": w.article.body + "\nUPDATE: the toll rose."}},
        headers={"If-Match": lambda w: f'"{w.article.version}"'},
    ),
    "claim-list": Ask(
        bodies={
            "POST": lambda w: {
                "article": w.article.pk,
                **w.span(NEW_QUOTE),
                "label": "unattributed",
                "version": w.article.version,
            }
        }
    ),
    "claim-detail": Ask(
        _claim, bodies={"PATCH": lambda w: {"label": "verified", "note": "Satellite images"}}
    ),
    "claim-history": Ask(_claim),
    "article-from-url": Ask(
        bodies={"POST": lambda w: {"url": "https://example.org/news/evacuation"}}
    ),
    "job-detail": Ask(_job),
    "source-list": Ask(bodies={"POST": lambda w: {"name": "Kyiv Independent", "kind": "media"}}),
    "source-detail": Ask(_source),
    "source-review": Ask(
        _source,
        bodies={
            "POST": lambda w: {
                "decision": "approved",
                "reliability": "B",
                "expected_status": "pending",
            }
        },
    ),
    "source-merge": Ask(_source, bodies={"POST": lambda w: {"other": w.twin.pk}}),
    "claim-similar": Ask(_claim),
    "claim-link": Ask(_claim, bodies={"POST": lambda w: {"other": w.loose.pk}}),
    "shared-claim-list": Ask(),
    "shared-claim-detail": Ask(_shared),
    "shared-claim-merge": Ask(_shared, bodies={"POST": lambda w: {"other": w.twin_shared.pk}}),
    "article-suggestions": Ask(_article),
    "article-suggestion-dismissals": Ask(
        _article,
        bodies={"POST": lambda w: {**w.span(LOOSE_QUOTE), "version": w.article.version}},
    ),
    "export-csv": Ask(answers="text/csv"),
    "export-jsonld": Ask(answers="application/ld+json"),
    "export-claimreview": Ask(answers="application/ld+json"),
    "schema": Ask(answers="application/vnd.oai.openapi"),  # YAML unless ?format=json
    "not-found": Ask(path="/api/v1/claims/latest/"),
    "w3c-container": Ask(
        bodies={"POST": lambda w: ours(w.article, NEW_QUOTE)}, answers="application/ld+json"
    ),
    "w3c-annotation": Ask(
        _claim,
        bodies={"PUT": lambda w: ours(w.article, CLAIM_QUOTE, label="verified")},
        headers={"If-Match": lambda w: w3c_docs.etag(w3c_docs.row_of(w.claim.pk))},
        answers="application/ld+json",
    ),
}


def snapshot() -> dict[str, tuple[int, str]]:
    """tests/test_bad_input.py's `db_snapshot`, and the API's own writes: link imports and
    the jobs queued for them; shared claims and their history; dismissed suggestions."""
    tables = db_snapshot()
    for model in (
        UrlImport,
        DBTaskResult,
        SharedClaim,
        SharedClaim.history.model,
        SuggestionDismissal,
    ):
        rows = list(model.objects.order_by("pk").values_list())
        tables[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return tables


def _media_type(response) -> str:
    return response["Content-Type"].split(";")[0].strip()


# --- The tests -------------------------------------------------------------------------------


def test_every_api_endpoint_has_a_decision():
    check_the_table(api_names(), EXPECTED, ASK, METHODS, PERSONAS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_table_allows_the_methods_the_view_has(name, world):
    """A method the table refuses everywhere (405) is one the view does not have, and the
    other way round: a new method on a view needs its row here."""
    view = resolve(ASK[name].url(name, world)).func.cls
    has = {m.upper() for m in view.http_method_names if hasattr(view, m)} & set(METHODS)
    allowed = {m for m, cells in EXPECTED[name].items() if cells != NO}
    assert has == allowed


def _cells() -> list:
    return [
        pytest.param(name, method, who, id=f"{name}-{method}-{who}")
        for name in api_names()
        if name is not None
        for method in METHODS
        for who in PERSONAS
    ]


@pytest.mark.parametrize(("name", "method", "who"), _cells())
def test_api_permission_matrix(client, world, name, method, who):
    expected = EXPECTED[name][method][who]
    ask = ASK[name]
    headers = {key: make(world) for key, make in ask.headers.items()}
    if who in world.tokens:
        headers["Authorization"] = f"Bearer {world.tokens[who]}"
    body = ask.bodies.get(method, lambda w: {})(world)
    before = snapshot()

    response = client.generic(
        method,
        ask.url(name, world),
        json.dumps(body) if method in ("POST", "PUT", "PATCH") else "",
        content_type="application/json",
        headers=headers,
    )

    content = b"".join(response.streaming_content) if response.streaming else response.content
    after = snapshot()
    status = response.status_code
    assert status == expected, (status, content[:300])
    if status >= 400:
        assert response["Content-Type"] == PROBLEM_JSON
        problem = response.json()
        assert problem["status"] == status and problem["code"] and problem["title"]
        assert problem["detail"]
        assert after == before, f"{name}: {method} by {who} was refused ({status}) but wrote"
        if status == 405:
            assert method not in response["Allow"]
        if status == 401:
            assert response["WWW-Authenticate"].startswith("Bearer")
        return
    if status == 204:
        assert content == b""
    elif method == "OPTIONS":  # DRF's description of the endpoint, by its first renderer
        first = ask.answers if name == "schema" or name.startswith("w3c-") else "application/json"
        assert _media_type(response) in (first, "application/json")
        assert content
    else:
        assert _media_type(response) == ask.answers, response["Content-Type"]
        assert content
        if ask.answers in ("application/json", "application/ld+json"):
            assert json.loads(content)
        assert response.streaming == name.startswith("export-"), "exports stream"
    if method in ("GET", "OPTIONS"):
        assert after == before, f"{name}: {method} by {who} changed the database"
    else:
        assert after != before, f"{name}: an allowed {method} by {who} wrote nothing"
