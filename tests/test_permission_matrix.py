"""Who may do what: every named URL x GET/POST x persona, checked against DESIGN.md's roles.

The cells are generated from the URL conf, so a new URL without an entry in EXPECTED fails
(test_every_url_has_a_permission_decision, and each of its cells). Every cell starts from
fresh objects made by `editor`, sends a request that is valid for a role allowed to make it,
and checks the status and the database: GETs and refused POSTs change nothing; an allowed
POST writes exactly when the endpoint is meant to write.

Statuses: an int, a set of ints, or LOGIN (302 to the login page, for anonymous users).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from annotations import fetching, services
from annotations.importers import drafts, web
from annotations.models import (
    Annotation,
    ApiToken,
    Article,
    Capture,
    Evidence,
    ImportRun,
    SharedClaim,
    Source,
)
from annotations.services import evidence as evidence_service
from tests.factories import BODY, SourceFactory, claim_by, persona
from tests.test_bad_input import db_snapshot

pytestmark = pytest.mark.django_db

LOGIN = "login"
SIGNED_IN = ("viewer", "editor", "other_editor", "reviewer", "admin_user")
PERSONAS = ("anonymous", *SIGNED_IN)
METHODS = ("GET", "POST")
PUBLIC = {"healthz", "login"}  # open without login: tests/test_auth.py
SKIPPED_NAMESPACES = {"admin"}  # the Django admin has its own tests (tests/test_admin.py)
# The API's endpoints have their own matrix (tests/test_api_matrix.py), with tokens; its docs
# page is a page, signed in by session, and is here.
API_NAMESPACE, API_PAGES = "api", {"docs"}


# --- The URL conf ---------------------------------------------------------------------------


def url_names(resolver=None, namespace: str = "") -> Iterator[str | None]:
    """The name (with its namespace) of every URL pattern; None for a nameless one."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry, inner)
        elif isinstance(entry, URLPattern):
            if entry.name in PUBLIC and not namespace:
                continue
            if namespace == f"{API_NAMESPACE}:" and entry.name not in API_PAGES:
                continue
            yield f"{namespace}{entry.name}" if entry.name else None


# --- The decisions ---------------------------------------------------------------------------


def everyone(status) -> dict:
    """The same answer for every signed-in persona; anonymous users go to the login page."""
    return {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, status)}


def by_role(*, viewer, editor, other_editor, reviewer, admin_user) -> dict:
    return {
        "anonymous": LOGIN,
        "viewer": viewer,
        "editor": editor,  # created the article and the claims
        "other_editor": other_editor,  # an editor who owns none of them
        "reviewer": reviewer,
        "admin_user": admin_user,
    }


READ = {"GET": everyone(200), "POST": everyone(405)}
POST_ONLY = everyone(405)
ANNOTATORS = {"viewer": 403, "editor": 200, "other_editor": 200, "reviewer": 200, "admin_user": 200}
ANNOTATORS_REDIRECT = {k: 302 if v == 200 else v for k, v in ANNOTATORS.items()}
OWNER = {"viewer": 403, "editor": 200, "other_editor": 403, "reviewer": 200, "admin_user": 200}
OWNER_REDIRECT = {k: 302 if v == 200 else v for k, v in OWNER.items()}
REVIEWERS = {"viewer": 403, "editor": 403, "other_editor": 403, "reviewer": 200, "admin_user": 200}
REVIEWERS_REDIRECT = {k: 302 if v == 200 else v for k, v in REVIEWERS.items()}
ADMINS = {"viewer": 403, "editor": 403, "other_editor": 403, "reviewer": 403, "admin_user": 200}

EXPECTED: dict[str, dict[str, dict[str, int | set[int] | str]]] = {
    # Accounts: every signed-in user manages their own session and password.
    "logout": {"GET": everyone(405), "POST": everyone(302)},
    "password_change": {"GET": everyone(200), "POST": everyone(302)},
    "password_change_done": {"GET": everyone(200), "POST": everyone(405)},
    # Reading and exporting: everyone with a role.
    "annotations:dashboard": READ,
    "annotations:article-list": READ,
    "annotations:article-detail": READ,
    "annotations:article-history": READ,
    "annotations:article-changes": READ,  # the article page polls it for live updates
    "annotations:article-claims": READ,  # the article page's side list, page by page
    "annotations:claim-list": READ,
    "annotations:claim-item": READ,
    "annotations:claim-history": READ,
    "annotations:source-picker": READ,
    "annotations:source-list": READ,
    "annotations:source-detail": READ,
    "annotations:export-csv": READ,
    "annotations:export-jsonld": READ,
    "annotations:export-claimreview": READ,
    "annotations:evidence-text": READ,  # a capture's text, in our template
    "annotations:evidence-warc": READ,  # its WARC, as a sandboxed download
    # Adding articles: editors, reviewers, admins. Upload and link answer with a preview.
    "annotations:article-new": {
        "GET": by_role(**ANNOTATORS),
        "POST": by_role(**ANNOTATORS_REDIRECT),
    },
    "annotations:article-upload": {"GET": POST_ONLY, "POST": by_role(**ANNOTATORS)},
    "annotations:article-from-url": {"GET": POST_ONLY, "POST": by_role(**ANNOTATORS)},
    # Bulk import: reviewers and admins.
    "annotations:article-import": {
        "GET": by_role(**REVIEWERS),
        "POST": by_role(**REVIEWERS_REDIRECT),  # to the run's page
    },
    # A bulk import's record: the people who may import.
    "annotations:import-run": {"GET": by_role(**REVIEWERS), "POST": everyone(405)},
    # Taking an article / setting its status: anyone who annotates.
    "annotations:article-workflow": {"GET": POST_ONLY, "POST": by_role(**ANNOTATORS_REDIRECT)},
    # Correcting the text: the editor who added it, reviewers, admins.
    "annotations:article-correct": {"GET": by_role(**OWNER), "POST": by_role(**OWNER_REDIRECT)},
    # Deleting an article (soft): the same people as correcting it.
    "annotations:article-delete": {"GET": by_role(**OWNER), "POST": by_role(**OWNER_REDIRECT)},
    # Claims: any annotator creates; the author, reviewers and admins change or delete.
    "annotations:claim-create": {"GET": POST_ONLY, "POST": by_role(**ANNOTATORS_REDIRECT)},
    "annotations:claim-by-quote": {
        "GET": by_role(**ANNOTATORS),
        "POST": by_role(**ANNOTATORS_REDIRECT),
    },
    "annotations:claim-edit": {"GET": by_role(**OWNER), "POST": by_role(**OWNER_REDIRECT)},
    "annotations:claim-delete": {"GET": by_role(**OWNER), "POST": by_role(**OWNER_REDIRECT)},
    # Same claim elsewhere: everyone reads the suggestions; editors, reviewers and admins
    # link a claim to another as one shared claim, and unlink it (anyone's claim: a link
    # changes no claim's words or verdict).
    "annotations:article-similar": READ,
    "annotations:claim-similar": READ,
    "annotations:claim-link": {"GET": POST_ONLY, "POST": by_role(**ANNOTATORS_REDIRECT)},
    "annotations:claim-unlink": {"GET": POST_ONLY, "POST": by_role(**ANNOTATORS_REDIRECT)},
    # Suggested claims: whoever tags claims sees them and dismisses one (for everyone).
    "annotations:article-suggestions": {"GET": by_role(**ANNOTATORS), "POST": everyone(405)},
    "annotations:suggestion-dismiss": {
        "GET": POST_ONLY,
        "POST": by_role(**ANNOTATORS_REDIRECT),
    },
    # Resolving orphans: reviewers and admins, not even the claim's author.
    "annotations:claim-reattach": {
        "GET": by_role(**REVIEWERS),
        "POST": by_role(**REVIEWERS_REDIRECT),
    },
    # Undoing a delete: the person who deleted the claim, for 10 seconds (the editor deleted
    # the world's deleted claim a moment ago). Not even an admin: theirs is the restore below.
    "annotations:claim-undo-delete": {
        "GET": POST_ONLY,
        "POST": by_role(viewer=403, editor=302, other_editor=403, reviewer=403, admin_user=403),
    },
    # Accepting the words a correction put under a claim: the same people as re-attaching.
    "annotations:claim-accept-quote": {
        "GET": by_role(**REVIEWERS),
        "POST": by_role(**REVIEWERS_REDIRECT),
    },
    # Restoring deleted claims: admins only.
    "annotations:deleted-claims": {"GET": by_role(**ADMINS), "POST": everyone(405)},
    "annotations:claim-restore": {
        "GET": POST_ONLY,
        "POST": by_role(**{**ADMINS, "admin_user": 302}),
    },
    # Sources: editors propose (and add aliases); reviewers review and merge.
    "annotations:review-queue": {"GET": by_role(**REVIEWERS), "POST": everyone(405)},
    "annotations:source-review": {"GET": POST_ONLY, "POST": by_role(**REVIEWERS_REDIRECT)},
    "annotations:source-alias-add": {"GET": POST_ONLY, "POST": by_role(**ANNOTATORS_REDIRECT)},
    "annotations:source-merge": {"GET": POST_ONLY, "POST": by_role(**REVIEWERS_REDIRECT)},
    # Shared claims: everyone reads them; anyone who tags claims links and unlinks them (on
    # anyone's claims: a link changes no claim's words) and names them; reviewers merge.
    "annotations:shared-claim-list": READ,
    "annotations:shared-claim": READ,
    "annotations:shared-claim-unlink": {"GET": POST_ONLY, "POST": by_role(**ANNOTATORS_REDIRECT)},
    "annotations:shared-claim-title": {"GET": POST_ONLY, "POST": by_role(**ANNOTATORS_REDIRECT)},
    "annotations:shared-claim-merge": {"GET": POST_ONLY, "POST": by_role(**REVIEWERS_REDIRECT)},
    # Personal API tokens: everyone with a role makes their own (the answer shows it once);
    # only its owner finds a token to revoke (the world's token is the editor's).
    "annotations:token-list": {"GET": everyone(200), "POST": everyone(200)},
    "annotations:token-revoke": {
        "GET": by_role(viewer=404, editor=200, other_editor=404, reviewer=404, admin_user=404),
        "POST": by_role(viewer=404, editor=302, other_editor=404, reviewer=404, admin_user=404),
    },
    # The menu's language switcher: anyone's, signed in or not (the sign-in page has it too);
    # each person chooses only their own language (test_i18n.py).
    "annotations:language": {
        "GET": dict.fromkeys(PERSONAS, 405),
        "POST": dict.fromkeys(PERSONAS, 302),
    },
    # The API's docs page (Swagger UI): a page for everyone with a role.
    "api:docs": READ,
}


# --- The objects every cell starts from ------------------------------------------------------

CLAIM_QUOTE = "31 of 38 drones were shot down"
ORPHAN_QUOTE = "all designated objects were struck"
DELETED_QUOTE = "Residents had reportedly been evacuated"
NEW_QUOTE = "Ірина said the windows came in"
REATTACH_QUOTE = "had reportedly been evacuated"
WITHDRAWN_LINE = "Russia’s Ministry of Defence said “all designated objects were struck”.\n"
HEADLINE, RESPELT = "Strike on Kharkiv", "Strike on Kharkov"  # a claim's words, then changed
PASSWORD = "pw-for-tests-only"


@dataclass
class World:
    article: Article
    claim: Annotation  # by editor, anchored
    orphan: Annotation  # by editor, orphaned by a correction
    changed: Annotation  # by editor, its words changed by the correction (quote changed)
    deletion: int  # history id of a deleted claim (by editor)
    deleted: int  # that claim's id
    pending: Source  # proposed by editor, pending review
    approved: Source
    duplicate: Source  # approved too: merged into `approved`
    run: ImportRun  # a bulk import, by a reviewer
    capture: Capture  # of a link the claim had before
    token: ApiToken  # the editor's personal API token
    shared: SharedClaim  # the claim and its appearance in a second article, linked by editor
    twin: SharedClaim  # two more claims of the second article: merged into `shared`

    def span(self, quote: str) -> dict:
        self.article.refresh_from_db()
        start = self.article.body.index(quote)
        return {
            "start": start,
            "end": start + len(quote),
            "quote": quote,
            "version": self.article.version,
        }


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Importing from a link previews a draft; the fetch itself is tested elsewhere."""

    def draft(url, **kwargs):
        return drafts.ArticleDraft(
            title="From a link", body="Fetched text.\n\nSecond line.", url=url
        )

    monkeypatch.setattr(web, "draft_from_url", draft)


def _captured(claim: Annotation) -> Capture:
    """A capture of a link `claim` had before, kept as a worker keeps it (the fetch is
    played: the fetcher is tested elsewhere)."""
    url = "https://example.org/statement"
    page = b"<html><body><article><p>Air defence shot down 31 of 38 drones.</p></article>"
    answer = fetching.FetchResult(url, 200, {"Content-Type": "text/html"}, page)
    evidence = Evidence.objects.create(claim=claim, url=url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fetching, "fetch", lambda url, **kwargs: answer)
        return evidence_service.evidence_check(evidence_id=evidence.pk).current


@pytest.fixture(scope="module")
def _world(rows_for_a_module) -> Iterator[World]:
    """The world, made once for the module's 468 cells (each starts from these rows; see
    `rows_for_a_module`), but for its deletion: `world` deletes the claim for each cell."""
    with rows_for_a_module():
        editor = persona("editor")
        article = services.article_create(user=editor, title="Strike on Kharkiv", body=BODY)
        claim = claim_by(editor, article, CLAIM_QUOTE)
        orphan = claim_by(editor, article, ORPHAN_QUOTE)
        gone = claim_by(editor, article, DELETED_QUOTE)
        changed = claim_by(editor, article, HEADLINE)
        services.article_correct(
            article=article,
            user=editor,
            expected_version=article.version,
            body=BODY.replace(WITHDRAWN_LINE, "").replace(HEADLINE, RESPELT),
            note="Claim withdrawn by the outlet",
        )
        orphan.refresh_from_db()
        assert orphan.anchor_state == Annotation.Anchor.ORPHANED
        changed.refresh_from_db()
        assert (changed.anchor_state, changed.quote) == (Annotation.Anchor.CHANGED, RESPELT)
        yield World(
            article=article,
            claim=claim,
            orphan=orphan,
            changed=changed,
            deletion=0,  # by `world`
            deleted=gone.pk,
            pending=services.source_create(
                name="Rybar", user=editor, kind=Source.Kind.SOCIAL_MEDIA
            ),
            approved=SourceFactory(name="SBU"),
            duplicate=SourceFactory(name="Security Service of Ukraine"),
            run=ImportRun.objects.create(file_name="archive.jsonl", format="jsonl"),
            capture=_captured(claim),
            token=services.api_token_create(user=editor, name="CMS")[0],
            **_shared_claims(editor, claim),
        )


def _shared_claims(editor, claim: Annotation) -> dict:
    second = services.article_create(user=editor, title="Drones over Kyiv", body=BODY)
    shared = services.shared_claim_link(
        claim=claim, other=claim_by(editor, second, CLAIM_QUOTE), user=editor
    )
    twin = services.shared_claim_link(
        claim=claim_by(editor, second, NEW_QUOTE),
        other=claim_by(editor, second, DELETED_QUOTE),
        user=editor,
    )
    return {"shared": shared, "twin": twin}


@pytest.fixture
def world(_world, editor) -> World:
    """The module's world, with the claim deleted by the editor a moment ago (an undo is
    still in time)."""
    world = copy.deepcopy(_world)
    services.annotation_delete(annotation=Annotation.objects.get(pk=world.deleted), user=editor)
    world.deletion = Annotation.history.get(id=world.deleted, history_type="-").history_id
    world.article = Article.objects.get(pk=world.article.pk)
    return world


# --- How to ask each URL ----------------------------------------------------------------------


@dataclass
class Ask:
    """The object in the URL, a POST body valid for an allowed role, and whether it writes."""

    target: Callable[[World], int] | None = None
    data: Callable[[World], dict] = lambda w: {}
    headers: dict = field(default_factory=dict)
    writes: bool = False  # an allowed POST changes the database
    query: Callable[[World], str] | None = None

    def url(self, name: str, world: World) -> str:
        url = reverse(name, args=[self.target(world)] if self.target else [])
        return f"{url}?{self.query(world)}" if self.query else url


def _article(w: World) -> int:
    return w.article.pk


def _claim_pk(w: World) -> int:
    return w.claim.pk


def _correction(w: World) -> dict:
    w.article.refresh_from_db()
    return {
        "title": w.article.title,
        "body": w.article.body + "\nUPDATE: the toll rose.",
        "version": w.article.version,
        "url": "",
        "outlet": w.article.outlet,
        "author": "",
        "language": "en",
        "published_at": "",
        "note": "Toll updated",
    }


def _bulk_file(w: World) -> dict:
    line = json.dumps({"title": "Bulk one", "body": "A bulk-imported article.\n\nTwo lines."})
    return {"file": SimpleUploadedFile("batch.jsonl", line.encode(), "application/jsonl")}


ASK: dict[str, Ask] = {
    "logout": Ask(),
    "password_change": Ask(
        data=lambda w: {
            "old_password": PASSWORD,
            "new_password1": "Kharkiv-desk-2026!",
            "new_password2": "Kharkiv-desk-2026!",
        },
        writes=True,
    ),
    "password_change_done": Ask(),
    "annotations:dashboard": Ask(),
    "annotations:article-list": Ask(),
    "annotations:article-detail": Ask(_article),
    "annotations:article-history": Ask(_article),
    "annotations:article-changes": Ask(_article, headers={"HX-Request": "true"}),
    "annotations:article-claims": Ask(
        _article, headers={"HX-Request": "true"}, query=lambda w: "after=0,0,0"
    ),
    "annotations:claim-list": Ask(),
    "annotations:claim-item": Ask(_claim_pk, headers={"HX-Request": "true"}),
    "annotations:claim-history": Ask(_claim_pk),
    "annotations:source-picker": Ask(),
    "annotations:source-list": Ask(),
    "annotations:source-detail": Ask(lambda w: w.approved.pk),
    "annotations:export-csv": Ask(),
    "annotations:export-jsonld": Ask(),
    "annotations:export-claimreview": Ask(),
    "annotations:evidence-text": Ask(lambda w: w.capture.pk),
    "annotations:evidence-warc": Ask(lambda w: w.capture.pk),
    "annotations:article-new": Ask(
        data=lambda w: {
            "title": "Evacuation in Sumy",
            "body": "Evacuation in Sumy\n\nOfficials said 40 families had left.",
            "language": "en",
            "save": "1",
        },
        writes=True,
    ),
    "annotations:article-upload": Ask(
        data=lambda w: {
            "file": SimpleUploadedFile("report.txt", b"Report\n\nPlain text.", "text/plain")
        }
    ),
    "annotations:article-from-url": Ask(data=lambda w: {"url": "https://example.org/report"}),
    "annotations:article-import": Ask(data=_bulk_file, writes=True),
    "annotations:import-run": Ask(lambda w: w.run.pk),
    "annotations:article-workflow": Ask(_article, data=lambda w: {"take": "1"}, writes=True),
    "annotations:article-correct": Ask(_article, data=_correction, writes=True),
    "annotations:article-delete": Ask(_article, writes=True),
    "annotations:claim-create": Ask(
        _article, data=lambda w: {**w.span(NEW_QUOTE), "label": "verified"}, writes=True
    ),
    "annotations:claim-by-quote": Ask(
        _article, data=lambda w: {"quote": NEW_QUOTE, "label": "unattributed"}, writes=True
    ),
    "annotations:claim-edit": Ask(
        _claim_pk,
        data=lambda w: {
            "label": "verified",
            "source": w.approved.pk,
            "credibility": "2",
            "note": "Confirmed by satellite images",
            "evidence_url": "https://example.org/evidence",
        },
        writes=True,
    ),
    "annotations:claim-delete": Ask(_claim_pk, writes=True),
    "annotations:article-similar": Ask(_article, query=lambda w: "quote=31+of+38+drones"),
    "annotations:article-suggestions": Ask(_article),
    "annotations:suggestion-dismiss": Ask(
        _article, data=lambda w: w.span(DELETED_QUOTE + "."), writes=True
    ),
    "annotations:claim-similar": Ask(_claim_pk),
    "annotations:claim-link": Ask(_claim_pk, data=lambda w: {"other": w.changed.pk}, writes=True),
    # The world's claim is in a shared claim: Unlink takes it out.
    "annotations:claim-unlink": Ask(_claim_pk, writes=True),
    "annotations:claim-reattach": Ask(
        lambda w: w.orphan.pk, data=lambda w: w.span(REATTACH_QUOTE), writes=True
    ),
    "annotations:claim-undo-delete": Ask(lambda w: w.deleted, writes=True),
    "annotations:claim-accept-quote": Ask(
        lambda w: w.changed.pk,
        data=lambda w: {"label": "disputed", "expected_quote": RESPELT},
        writes=True,
    ),
    "annotations:deleted-claims": Ask(),
    "annotations:claim-restore": Ask(lambda w: w.deletion, writes=True),
    "annotations:review-queue": Ask(),
    "annotations:source-review": Ask(
        lambda w: w.pending.pk,
        data=lambda w: {"decision": "approved", "reliability": "C", "expected_status": "pending"},
        writes=True,
    ),
    "annotations:source-alias-add": Ask(
        lambda w: w.approved.pk, data=lambda w: {"name": "СБУ"}, writes=True
    ),
    "annotations:source-merge": Ask(
        lambda w: w.approved.pk,
        data=lambda w: {"other": w.duplicate.pk, "confirm": "1"},
        writes=True,
    ),
    "annotations:shared-claim-list": Ask(),
    "annotations:shared-claim": Ask(lambda w: w.shared.pk),
    "annotations:shared-claim-unlink": Ask(
        lambda w: w.shared.pk, data=lambda w: {"claim": w.claim.pk}, writes=True
    ),
    "annotations:shared-claim-title": Ask(
        lambda w: w.shared.pk, data=lambda w: {"title": "31 of 38 drones downed"}, writes=True
    ),
    "annotations:shared-claim-merge": Ask(
        lambda w: w.shared.pk, data=lambda w: {"other": w.twin.pk, "confirm": "1"}, writes=True
    ),
    # Tokens are not among db_snapshot's tables: tests/test_token_page.py checks the writes.
    "annotations:token-list": Ask(data=lambda w: {"name": "Spreadsheet"}),
    "annotations:token-revoke": Ask(lambda w: w.token.pk),
    "annotations:language": Ask(data=lambda w: {"language": "uk", "next": "/"}),
    "api:docs": Ask(),
}


# --- The tests -------------------------------------------------------------------------------


def check_the_table(names: list, expected: dict, ask: dict, methods, personas) -> None:
    """Every named URL has a decision for every method and persona, and a way to ask it;
    no decision is left for a URL that is gone. (The API's matrix checks its table so too.)"""
    assert None not in names, "A URL pattern has no name: name it and decide who may use it."
    missing = sorted(set(names) - expected.keys())
    assert not missing, f"URL patterns with no entry in EXPECTED (who may use them?): {missing}"
    stale = sorted(expected.keys() - set(names))
    assert not stale, f"EXPECTED has entries for URLs that no longer exist: {stale}"
    assert set(ask) == set(expected)
    for name, cells_by_method in expected.items():
        assert set(cells_by_method) == set(methods), name
        for method, cells in cells_by_method.items():
            assert set(cells) == set(personas), (name, method)


def test_every_url_has_a_permission_decision():
    check_the_table(list(url_names()), EXPECTED, ASK, METHODS, PERSONAS)


def _cells() -> list:
    return [
        pytest.param(
            name, method, persona, id=f"{name.removeprefix('annotations:')}-{method}-{persona}"
        )
        for name in url_names()
        if name is not None
        for method in METHODS
        for persona in PERSONAS
    ]


def _read_all(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _allowed(status: int) -> bool:
    return status < 400


@pytest.mark.parametrize(("name", "method", "persona"), _cells())
def test_permission_matrix(client, request, world, name, method, persona):
    expected = EXPECTED[name][method][persona]
    ask = ASK[name]
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = ask.url(name, world)
    data = ask.data(world) if method == "POST" else None
    before = db_snapshot()

    if method == "GET":
        response = client.get(url, headers=ask.headers)
    else:
        response = client.post(url, data, headers=ask.headers)
    body = _read_all(response)
    after = db_snapshot()

    status = response.status_code
    if expected == LOGIN and ask.headers.get("HX-Request"):
        # htmx would follow a redirect and paste the sign-in page into the page: a 401 instead.
        assert status == 401, body[:300]
        assert b"Your session has ended" in body and b"/accounts/login/?next=" in body
    elif expected == LOGIN:
        assert status == 302, body[:300]
        assert response["Location"].startswith("/accounts/login/?next="), response["Location"]
    elif isinstance(expected, set):
        assert status in expected, (status, body[:300])
    else:
        assert status == expected, (status, body[:300])
    if status == 302 and expected != LOGIN:  # a redirect after success, not "sign in first"
        assert "?next=" not in response["Location"], response["Location"]
    if status == 405:
        assert method not in response["Allow"]

    writes = method == "POST" and expected != LOGIN and _allowed(status) and ask.writes
    if writes:
        assert after != before, f"{name}: an allowed POST wrote nothing"
    else:
        assert after == before, f"{name}: {method} by {persona} ({status}) changed the database"
