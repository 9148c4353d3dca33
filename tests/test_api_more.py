"""The API's sources, exports and article-from-a-link job, and who may call them (the web's
forms, services and rules, through another door)."""

import json
import re
from http.server import BaseHTTPRequestHandler

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from annotations import jobs, services
from annotations.models import Annotation, Article, Source, SourceAlias, UrlImport

from .factories import BODY, AnnotationFactory, ArticleFactory, SourceFactory
from .local_http import serving
from .test_api import _call, _token

pytestmark = pytest.mark.django_db

ROLES = ["viewer", "editor", "reviewer", "admin_user"]


def _caller(request, persona: str) -> str | None:
    """A token of `persona`; "revoked": a revoked token; "none": no token at all."""
    if persona == "none":
        return None
    if persona == "revoked":
        user = request.getfixturevalue("editor")
        row, key = services.api_token_create(user=user, name="old")
        services.api_token_revoke(token=row, user=user)
        return key
    if persona == "nobody":  # a token made while the person had a role, since taken away
        user, roles = request.getfixturevalue("nobody"), request.getfixturevalue("roles")
        user.groups.add(roles["Viewer"])
        key = _token(type(user).objects.get(pk=user.pk))
        user.groups.clear()
        return key
    return _token(request.getfixturevalue(persona))


def _problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    if code:
        assert body["code"] == code, body
    return body


# --- Sources --------------------------------------------------------------------------------


def test_the_directory_filters_and_searches_names_and_aliases(client, viewer, sbu):
    token = _token(viewer)
    SourceFactory(name="Rybar", kind="social_media", review_status="rejected", reliability="E")
    AnnotationFactory(source=sbu, label="disputed")
    found = _call(client, "get", "/api/v1/sources/?q=sbu", token).json()
    assert [s["name"] for s in found["results"]] == ["Security Service of Ukraine"]
    first = found["results"][0]
    assert first["aliases"] == ["SBU"] and first["review_status"] == "pending"
    assert (first["claims"], first["disputed"], first["created_by"]) == (1, 1, "editor")
    assert found["next"] is None
    rejected = _call(client, "get", "/api/v1/sources/?review_status=rejected", token).json()
    assert [s["name"] for s in rejected["results"]] == ["Rybar"]
    both = _call(client, "get", "/api/v1/sources/?page_size=1", token).json()
    assert len(both["results"]) == 1 and both["next"]
    rest = client.get(both["next"], HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert {both["results"][0]["name"], rest["results"][0]["name"]} == {
        "Rybar",
        "Security Service of Ukraine",
    }
    bad = _call(client, "get", "/api/v1/sources/?kind=wizard", token)
    assert "kind" in _problem(bad, 400, "invalid")["errors"]


def test_the_directory_costs_the_same_queries_for_many_sources(client, viewer, sbu):
    token = _token(viewer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert _call(client, "get", "/api/v1/sources/", token).status_code == 200
        return len(ctx.captured_queries)

    AnnotationFactory(source=sbu)
    queries()  # the token's first use is written down ("last used"): once a minute
    few = queries()
    for i in range(15):
        source = SourceFactory(reviewed_by=viewer, created_by=viewer)
        SourceAlias.objects.create(source=source, name=f"Alias {i}", name_key=f"alias {i}")
        AnnotationFactory(source=source, article=ArticleFactory(body=f"{i} {BODY}"))
    assert queries() == few


def test_claims_on_a_deleted_article_are_not_counted(client, editor, viewer, sbu):
    """A deleted article and its claims are invisible: in a source's counts too (the
    directory's, the API's)."""
    kept, gone = ArticleFactory(), ArticleFactory(body=f"Gone. {BODY}", created_by=editor)
    AnnotationFactory(article=kept, source=sbu, label="verified")
    AnnotationFactory(article=gone, source=sbu, label="disputed")
    services.article_delete(article=gone, user=editor)
    token = _token(viewer)
    one = _call(client, "get", f"/api/v1/sources/{sbu.pk}/", token).json()
    listed = _call(client, "get", "/api/v1/sources/", token).json()["results"][0]
    assert (one["claims"], one["disputed"]) == (listed["claims"], listed["disputed"]) == (1, 0)
    client.force_login(viewer)
    directory = client.get("/sources/").content.decode()
    assert '<td class="num" data-heading="Claims">1</td>' in directory


def test_a_source_is_read_by_its_id(client, viewer, sbu):
    token = _token(viewer)
    body = _call(client, "get", f"/api/v1/sources/{sbu.pk}/", token).json()
    assert body["id"] == sbu.pk and body["web_url"] == sbu.get_absolute_url()
    _problem(_call(client, "get", "/api/v1/sources/999999/", token), 404, "not_found")


def test_proposing_a_source_starts_it_pending(client, editor):
    token = _token(editor)
    made = _call(
        client, "post", "/api/v1/sources/", token,
        {"name": "  Air  Force of Ukraine ", "kind": "military", "url": "https://mil.gov.ua"},
    )  # fmt: skip
    assert made.status_code == 201, made.content
    source = Source.objects.get()
    assert made.json()["id"] == source.pk and made["Location"] == f"/api/v1/sources/{source.pk}/"
    assert (source.name, source.kind, source.review_status, source.created_by) == (
        "Air Force of Ukraine",
        "military",
        "pending",
        editor,
    )
    plain = _call(client, "post", "/api/v1/sources/", token, {"name": "Kyiv Independent"})
    assert plain.status_code == 201 and plain.json()["kind"] == "other"


def test_a_name_already_taken_is_refused_in_the_webs_words(client, editor, sbu):
    token = _token(editor)
    taken = _call(client, "post", "/api/v1/sources/", token, {"name": "sbu"})
    errors = _problem(taken, 422, "invalid")["errors"]
    assert "already exists (as an alias of “Security Service of Ukraine”)" in errors["name"][0]
    assert Source.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "name"),
        ({"name": "   "}, 422, "name"),
        ({"name": 3}, 400, "name"),
        ({"name": "X", "kind": "wizard"}, 422, "kind"),
        ({"name": "X", "url": "javascript:alert(1)"}, 422, "url"),
        ({"name": "X\u0000"}, 422, "name"),
        ({"name": "X", "reliability": "A"}, 422, "reliability"),  # a reviewer's, not here
    ],
)
def test_a_bad_proposal_changes_nothing(client, editor, body, status, field):
    response = _call(client, "post", "/api/v1/sources/", _token(editor), body)
    assert field in _problem(response, status)["errors"]
    assert not Source.objects.exists()


def _review(client, token, source, **changes):
    body = {"decision": "approved", "reliability": "B", "expected_status": "pending"} | changes
    return _call(client, "post", f"/api/v1/sources/{source.pk}/review/", token, body)


def test_a_reviewer_approves_and_grades_with_the_webs_form(client, reviewer, sbu):
    token = _token(reviewer)
    done = _review(client, token, sbu, note="Checked against their site.")
    assert done.status_code == 200, done.content
    assert done.json()["review_status"] == "approved" and done.json()["reliability"] == "B"
    sbu.refresh_from_db()
    assert (sbu.review_status, sbu.reliability, sbu.reviewed_by, sbu.review_note) == (
        "approved",
        "B",
        reviewer,
        "Checked against their site.",
    )
    # Someone decided meanwhile: the status seen is not the status now; nothing changes.
    stale = _review(client, token, sbu, decision="rejected", reliability="E")
    assert "meanwhile marked approved by reviewer" in _problem(stale, 422)["detail"]
    turned = _review(client, token, sbu, decision="rejected", expected_status="approved")
    assert "Reconsider" in _problem(turned, 422)["detail"]
    sbu.refresh_from_db()
    assert (sbu.review_status, sbu.reliability) == ("approved", "B")
    again = _review(
        client, token, sbu, decision="rejected", expected_status="approved", reconsider=True
    )
    assert again.status_code == 200 and again.json()["review_status"] == "rejected"


@pytest.mark.parametrize(
    "changes",
    [{"decision": "maybe"}, {"reliability": "Z"}, {"expected_status": None}, {"reconsider": "yes"}],
)
def test_a_bad_review_changes_nothing(client, reviewer, sbu, changes):
    response = _review(client, _token(reviewer), sbu, **changes)
    assert set(changes) <= set(_problem(response, response.status_code)["errors"])
    assert response.status_code in (400, 422)
    sbu.refresh_from_db()
    assert (sbu.review_status, sbu.reviewed_by) == ("pending", None)


def test_a_reviewer_merges_a_duplicate_into_a_source(client, reviewer, editor, sbu):
    token = _token(reviewer)
    twin = services.source_create(name="SSU", user=editor)
    article = ArticleFactory()
    moved = AnnotationFactory(article=article, source=twin, label="verified")
    merged = _call(client, "post", f"/api/v1/sources/{sbu.pk}/merge/", token, {"other": twin.pk})
    assert merged.status_code == 200, merged.content
    body = merged.json()
    assert body["id"] == sbu.pk and "SSU" in body["aliases"] and body["merged_claims"] == 0
    assert not Source.objects.filter(pk=twin.pk).exists()
    assert Annotation.objects.get(pk=moved.pk).source_id == sbu.pk
    gone = _call(client, "post", f"/api/v1/sources/{sbu.pk}/merge/", token, {"other": twin.pk})
    assert "does not exist" in _problem(gone, 422)["errors"]["other"][0]
    itself = _call(client, "post", f"/api/v1/sources/{sbu.pk}/merge/", token, {"other": sbu.pk})
    assert "Pick at least one other source" in _problem(itself, 422)["detail"]
    nowhere = _call(client, "post", "/api/v1/sources/999999/merge/", token, {"other": sbu.pk})
    _problem(nowhere, 404, "not_found")
    assert Source.objects.filter(pk=sbu.pk).exists()


@pytest.mark.parametrize("persona", [*ROLES, "nobody", "revoked", "none"])
def test_who_may_read_propose_review_and_merge_sources(client, request, persona, editor, sbu):
    token = _caller(request, persona)
    other = services.source_create(name="SSU", user=editor)
    unknown = {"nobody": 403, "revoked": 401, "none": 401}
    reading = unknown.get(persona, 200)
    proposing = (unknown | {"viewer": 403}).get(persona, 201)
    reviewing = (unknown | {"viewer": 403, "editor": 403}).get(persona, 200)
    answers = [
        _call(client, "get", "/api/v1/sources/", token).status_code,
        _call(client, "get", f"/api/v1/sources/{sbu.pk}/", token).status_code,
        _call(client, "post", "/api/v1/sources/", token, {"name": "New one"}).status_code,
        _review(client, token, sbu).status_code,
        _call(
            client, "post", f"/api/v1/sources/{sbu.pk}/merge/", token, {"other": other.pk}
        ).status_code,
    ]
    assert answers == [reading, reading, proposing, reviewing, reviewing]
    sbu.refresh_from_db()
    assert (sbu.review_status == "approved") == (reviewing == 200)
    assert Source.objects.filter(pk=other.pk).exists() == (reviewing != 200)
    assert Source.objects.filter(name="New one").exists() == (proposing == 201)


# --- Exports --------------------------------------------------------------------------------

EXPORTS = {
    "csv": ("/export/claims.csv", "/api/v1/exports/claims.csv"),
    "jsonld": ("/export/claims.jsonld", "/api/v1/exports/claims.jsonld"),
    "claimreview": ("/export/claimreview.jsonld", "/api/v1/exports/claimreview.jsonld"),
}


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def claims(editor, reviewer):
    """Claims of every kind: vetted (approved source) and not, on two outlets, one with a
    Cyrillic outlet and a formula-like note."""
    approved = SourceFactory(name="Air Force", review_status="approved")
    pending = SourceFactory(name="Unvetted channel", review_status="pending")
    one = ArticleFactory(outlet="Українська правда")
    two = ArticleFactory(body=BODY + "\nMore.", outlet="Frontline Wire")
    AnnotationFactory(article=one, source=approved, label="disputed", note="=SUM(A1)")
    AnnotationFactory(article=one, source=pending, label="verified", credibility=2)
    AnnotationFactory(
        article=two, source=None, label="unattributed", quote_text="had reportedly been evacuated"
    )
    AnnotationFactory(article=two, source=approved, label="verified", public_summary="Checked.")
    return one


@pytest.mark.parametrize(
    ("kind", "query"),
    [
        ("csv", ""),
        ("csv", "label=disputed&variant=raw&bom=1"),
        ("csv", "outlet=Українська правда"),
        ("csv", "outlet=No such outlet"),  # the header only (PostgreSQL built none: a 500)
        ("jsonld", ""),
        ("jsonld", "label=verified"),
        ("jsonld", "page=1"),
        ("claimreview", ""),
        ("claimreview", "source_status=approved"),
    ],
)
def test_an_export_is_byte_for_byte_the_web_buttons(client, viewer, claims, kind, query):
    web, api = EXPORTS[kind]
    browser = Client()
    browser.force_login(viewer)
    from_web = browser.get(f"{web}?{query}")
    from_api = client.get(f"{api}?{query}", HTTP_AUTHORIZATION=f"Bearer {_token(viewer)}")
    assert from_web.status_code == from_api.status_code == 200
    web_bytes = _body(from_web)
    assert _body(from_api) == web_bytes and len(web_bytes) > 100
    for header in ("Content-Type", "Content-Disposition"):
        assert from_api.get(header) == from_web.get(header)


def test_claimreview_publishes_only_vetted_claims(client, viewer, claims):
    body = _body(_call(client, "get", EXPORTS["claimreview"][1], _token(viewer)))
    graph = json.loads(body)["@graph"]
    reviewed = {item["claimReviewed"] for item in graph}
    assert len(graph) == 2 and all("Unvetted" not in json.dumps(item) for item in graph)
    assert reviewed == {"31 of 38 drones were shot down"}


@pytest.mark.parametrize(
    ("kind", "accept"),
    [
        ("csv", "text/csv"),
        ("jsonld", "application/ld+json"),
        ("claimreview", "application/ld+json"),
        ("csv", "application/xml"),
    ],
)
def test_an_export_answers_whatever_the_client_accepts(client, viewer, claims, kind, accept):
    response = _call(client, "get", EXPORTS[kind][1], _token(viewer), accept=accept)
    assert response.status_code == 200 and response.streaming
    bad = _call(client, "get", EXPORTS[kind][1] + "?label=x", _token(viewer), accept=accept)
    assert "label" in _problem(bad, 400, "invalid")["errors"]


@pytest.mark.parametrize(
    ("kind", "query", "status", "field"),
    [
        ("csv", "label=nonsense", 400, "label"),
        ("csv", "article=-1", 400, "article"),
        ("csv", "variant=excel", 400, "variant"),
        ("csv", "bom=yes", 400, "bom"),
        ("jsonld", "date_from=yesterday", 400, "date_from"),
        ("jsonld", "page=x", 400, "page"),
        ("jsonld", "page=99", 404, None),
        ("claimreview", "source=abc", 400, "source"),
    ],
)
def test_filters_that_cannot_be_read_stream_nothing(client, viewer, claims, kind, query, status, field):  # fmt: skip
    response = _call(client, "get", f"{EXPORTS[kind][1]}?{query}", _token(viewer))
    body = _problem(response, status)
    assert not response.streaming and "Content-Disposition" not in response
    if field:
        assert field in body["errors"]
    else:
        assert body["detail"] == "There is 1 page."


@pytest.mark.parametrize("persona", [*ROLES, "nobody", "revoked", "none"])
def test_who_may_export(client, request, persona, claims):
    token = _caller(request, persona)
    expected = {"nobody": 403, "revoked": 401, "none": 401}.get(persona, 200)
    for _web, api in EXPORTS.values():
        response = _call(client, "get", api, token)
        assert response.status_code == expected
        assert response.streaming == (expected == 200)


def test_an_export_costs_the_same_queries_for_many_claims(client, viewer, claims):
    token = _token(viewer)

    def queries() -> list[int]:
        counts = []
        for _web, api in EXPORTS.values():
            with CaptureQueriesContext(connection) as ctx:
                _body(_call(client, "get", api, token))
            counts.append(len(ctx.captured_queries))
        return counts

    queries()  # the token's first use is written down
    few = queries()
    source = Source.objects.get(name="Air Force")
    for i in range(20):
        AnnotationFactory(article=ArticleFactory(body=f"{i} {BODY}"), source=source)
    assert queries() == few


# --- An article from its link ---------------------------------------------------------------

PAGE = (
    b"<html lang='en'><head><title>Drones over Kharkiv</title></head><body><article>"
    b"<h1>Drones over Kharkiv</h1>"
    b"<p>According to a Telegram post from the SBU, 31 of 38 drones were shot down overnight "
    b"over the Kharkiv region, officials said on Tuesday morning.</p>"
    b"<p>Residents had reportedly been evacuated from two districts near the border before "
    b"the attack began, and the windows of a school came in.</p>"
    b"</article></body></html>"
)


class _Site(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.seen.append(self.path)
        if self.path == "/article":
            self._answer(200, PAGE)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/article")
            self.end_headers()
        elif self.path == "/pdf":
            self._answer(200, b"%PDF-1.7", "application/pdf")
        else:
            self._answer(500, b"down")

    def _answer(self, status: int, body: bytes, kind: str = "text/html; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def site():
    with serving(_Site) as httpd:
        yield httpd


@pytest.fixture
def base(settings, site):
    """The local site, reachable as URL_FETCH_ALLOW lets the guard reach it (test_evidence)."""
    site.seen.clear()
    settings.URL_IMPORT_ALLOW_PRIVATE = True
    settings.URL_FETCH_ALLOW = [f"127.0.0.1:{site.server_address[1]}"]
    settings.URL_IMPORT_CONNECT_TIMEOUT = 1
    settings.URL_IMPORT_READ_TIMEOUT = 1
    settings.PERIODIC_JOBS = {}
    return f"http://127.0.0.1:{site.server_address[1]}"


def _ask(client, token, url):
    return _call(client, "post", "/api/v1/articles/from-url/", token, {"url": url})


def _job(client, token, response) -> dict:
    polled = client.get(response["Location"], HTTP_AUTHORIZATION=f"Bearer {token}")
    assert polled.status_code == 200, polled.content
    return polled.json()


def _run_jobs() -> None:
    jobs.run_due_jobs(jobs.DEFAULT)


def test_a_link_becomes_an_article_in_the_background(client, editor, base, site):
    token = _token(editor)
    asked = _ask(client, token, f"{base}/article")
    assert asked.status_code == 202, asked.content
    job = asked.json()
    assert asked["Location"] == f"/api/v1/jobs/{job['id']}/"
    assert (job["status"], job["article"], job["error"]) == ("pending", None, None)
    assert job["url"] == f"{base}/article" and site.seen == []  # nothing fetched yet
    _run_jobs()
    job = _job(client, token, asked)
    assert job["status"] == "done" and job["error"] is None and job["finished_at"]
    article = Article.objects.get(pk=job["article"])
    assert (article.title, article.url, article.created_by) == (
        "Drones over Kharkiv",
        f"{base}/article",
        editor,
    )
    assert "31 of 38 drones were shot down" in article.body
    assert site.seen == ["/article"]
    # The article is the API's as any other: read it with its body.
    read = _call(client, "get", f"/api/v1/articles/{article.pk}/", token)
    assert read.json()["body"] == article.body


def test_a_link_already_here_is_refused_at_once(client, editor, base, site):
    token = _token(editor)
    existing = ArticleFactory(url=f"{base}/article")
    again = _ask(client, token, f"{base}/article")
    body = _problem(again, 409, "duplicate")
    assert body["existing"] == existing.pk and "already here" in body["detail"]
    assert not UrlImport.objects.exists() and site.seen == []


def test_a_page_already_here_under_another_link_ends_done_with_it(client, editor, base):
    token = _token(editor)
    first = _ask(client, token, f"{base}/article")
    _run_jobs()
    made = _job(client, token, first)["article"]
    moved = _ask(client, token, f"{base}/moved")  # redirects to the same page
    assert moved.status_code == 202
    _run_jobs()
    job = _job(client, token, moved)
    assert (job["status"], job["article"], job["error"]) == ("done", made, None)
    assert "already here" in job["note"] and Article.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/pdf", "not a web page"),
        ("/down", "Check the link, or paste the article's text instead."),
    ],
)
def test_a_fetch_that_fails_ends_failed_with_the_webs_message(client, editor, base, path, words):
    token = _token(editor)
    asked = _ask(client, token, base + path)
    _run_jobs()
    job = _job(client, token, asked)
    assert (job["status"], job["article"]) == ("failed", None)
    assert words in job["error"]
    client.force_login(editor)
    page = client.post("/articles/new/from-url/", {"url": base + path})
    assert escape(job["error"]) in page.content.decode()
    assert not Article.objects.exists()


def test_a_private_address_is_refused_by_the_guard(client, editor, base, site, settings):
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    token = _token(editor)
    asked = _ask(client, token, f"{base}/article")
    _run_jobs()
    job = _job(client, token, asked)
    assert job["status"] == "failed" and "127.0.0.1 is a loopback address" in job["error"]
    assert site.seen == [] and not Article.objects.exists()
    client.force_login(editor)
    page = client.post("/articles/new/from-url/", {"url": f"{base}/article"})
    assert escape(job["error"]) in page.content.decode()


def test_a_job_run_again_does_no_harm(client, editor, base, site):
    token = _token(editor)
    asked = _ask(client, token, f"{base}/article")
    _run_jobs()
    record = services.url_import_run(asked.json()["id"])
    assert record.status == "done" and Article.objects.count() == 1
    assert site.seen == ["/article"]  # not fetched again


def test_the_job_acts_with_the_role_its_person_has_when_it_runs(client, editor, base, roles):
    token = _token(editor)
    asked = _ask(client, token, f"{base}/article")
    editor.groups.set([roles["Viewer"]])
    _run_jobs()
    job = (
        Client()
        .get(  # the token acts with the role the person has now: a viewer reads
            asked["Location"], HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        .json()
    )
    assert job["status"] == "failed" and job["error"] == "Your role cannot add articles."
    assert not Article.objects.exists()


def test_a_job_that_breaks_ends_failed(client, editor, base, monkeypatch):
    token = _token(editor)
    asked = _ask(client, token, f"{base}/article")

    def broken(url):
        raise RuntimeError("a bug")

    monkeypatch.setattr("annotations.importers.web.draft_from_link", broken)
    _run_jobs()
    job = _job(client, token, asked)
    assert job["status"] == "failed" and "stopped unexpectedly" in job["error"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"url": ""}, 422),
        ({"url": "javascript:alert(1)"}, 422),
        ({"url": "ftp://example.org/a"}, 422),
        ({"url": 7}, 400),
        ({"url": ["https://example.org"]}, 400),
        ({"url": "https://example.org", "title": "x"}, 422),
        ("https://example.org", 400),
    ],
)
def test_a_bad_link_is_refused_and_nothing_queued(client, editor, body, status):
    response = _call(
        client, "post", "/api/v1/articles/from-url/", _token(editor), body
    )  # fmt: skip
    _problem(response, status)
    assert not UrlImport.objects.exists()


@pytest.mark.parametrize("persona", [*ROLES, "nobody", "revoked", "none"])
def test_who_may_ask_for_a_link(client, request, persona):
    response = _ask(client, _caller(request, persona), "https://example.org/news/1")
    expected = {"viewer": 403, "nobody": 403, "revoked": 401, "none": 401}.get(persona, 202)
    assert response.status_code == expected
    assert UrlImport.objects.exists() == (expected == 202)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("editor", 200),
        ("other_editor", 403),
        ("reviewer", 403),
        ("viewer", 403),
        ("admin_user", 200),
        ("nobody", 403),
        ("revoked", 401),
        ("none", 401),
    ],
)
def test_only_who_asked_or_an_admin_reads_a_job(client, request, editor, persona, expected):
    record = services.url_import_start(user=editor, url="https://example.org/news/1")
    response = _call(client, "get", f"/api/v1/jobs/{record.pk}/", _caller(request, persona))
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["id"] == record.pk
    missing = _call(client, "get", "/api/v1/jobs/999999/", _token(editor))
    _problem(missing, 404, "not_found")


def test_the_schema_describes_the_files_and_the_job(client, editor):
    client.force_login(editor)
    schema = json.loads(client.get("/api/v1/schema/?format=json").content)
    paths, shapes = schema["paths"], schema["components"]["schemas"]
    csv = paths["/api/v1/exports/claims.csv"]["get"]["responses"]
    assert set(csv["200"]["content"]) == {"text/csv"}
    assert set(csv["400"]["content"]) == {"application/problem+json"}
    for path in ("/api/v1/exports/claims.jsonld", "/api/v1/exports/claimreview.jsonld"):
        assert set(paths[path]["get"]["responses"]["200"]["content"]) == {"application/ld+json"}
    asked = paths["/api/v1/articles/from-url/"]["post"]["responses"]
    assert {"202", "409"} <= set(asked) and "/api/v1/jobs/{id}/" in paths
    assert re.search(r"merge", " ".join(paths))
    # A list answers a cursor page; a link may be empty; a body holds the form's fields only.
    listed = paths["/api/v1/sources/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listed["schema"]["$ref"].endswith("/PagedSource")
    assert {"next", "previous", "results"} == set(shapes["PagedSource"]["properties"])
    assert shapes["Source"]["properties"]["url"] == {
        "type": "string",
        "readOnly": True,
        "title": "Link",
    }
    assert shapes["SourceInRequest"]["additionalProperties"] is False
    assert shapes["UrlImport"]["properties"]["error"]["nullable"] is True


@pytest.mark.parametrize(
    "path",
    ["/api/v1/jobs/-1/", "/api/v1/sources/-5/merge/", "/api/v1/sources/x/", "/api/v1/nothing"],
)
def test_an_address_the_api_does_not_have_is_a_404_problem(client, viewer, path):
    token = _token(viewer)
    for method in ("get", "post", "patch", "delete"):
        _problem(_call(client, method, path, token), 404, "not_found")
    _problem(_call(client, "get", path), 401, "not_authenticated")
