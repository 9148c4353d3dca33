"""The W3C Web Annotation Protocol at /api/v1/annotations/ (annotations/api/w3c.py).

The first part ports the protocol's own tests: web-platform-tests/wpt, file
`annotation-protocol/server/server-manual.html` at commit
ce4675b8ab9c07e079afa2750d75ae8003390661 (the same assertions as
`annotation-protocol/server/server-musts-manual.html` at 699b635fd65453bf17ed5dbeca74f1505da19b56,
numbered there as TESTS 1 to 46). That suite is a manual HTML harness (testharness.js over
XMLHttpRequest against a server someone types in); each of its assertions is a test here,
named by its text: TESTS 1 to 37 are the MUSTs, 38 to 46 the SHOULDs (38, HTTPS, is a
deployment's: see README, Settings). Where the harness asks what we refuse, the refusal is
asserted instead, as README ("W3C Web Annotation Protocol") explains:

- its annotation targets "http://www.example.com/index.html", not one of our articles: we
  post one of ours (the harness lets a tester choose it: "Annotation to submit for creation
  tests"), and assert that the generic one is refused with a problem;
- its update (TEST 34) moves the target to another page: we change the claim's body (its
  label), and assert that a changed target is refused (409);
- the container's two Link assertions (12, 13) test a loose pattern there
  (`rel="type"|/ns/ldp#|Container`, the same for both); here each is tested as its words
  say, with the pattern of the suite's earlier revision (03b1adcc) for 12.

The rest tests what the protocol's text asks beyond the suite: the `Prefer` preferences,
pages, ETags and If-Match, what a POST becomes, what a PUT may change, who may, deleted
articles, a round trip of our own export, and flat queries.
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations import services
from annotations.api.w3c_docs import etag, row_of
from annotations.models import Annotation, Article, Source
from tests import w3c
from tests.factories import BODY, SourceFactory, claim_by

pytestmark = pytest.mark.django_db

CONTAINER = "/api/v1/annotations/"
SITE = "http://testserver"
MEDIA_TYPE_REGEX = re.compile(r"application/ld\+json")  # the suite's: the profile is a SHOULD
PROFILED = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
QUOTE = "31 of 38 drones were shot down"
FREE_QUOTE = "Ірина said the windows came in"
PROBLEM_JSON = "application/problem+json"
PREFER = 'return=representation;include="{}"'
IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"
MINIMAL = "http://www.w3.org/ns/ldp#PreferMinimalContainer"


def _token(user) -> str:
    return services.api_token_create(user=user, name="w3c")[1]


class Api:
    """Calls as one person (a token), JSON-LD in."""

    def __init__(self, client, user):
        self.client = client
        self.auth = {"Authorization": f"Bearer {_token(user)}"}

    def __call__(self, method: str, url: str, body=None, raw: bytes | None = None, **headers):
        content = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return self.client.generic(
            method,
            url,
            content,
            content_type=headers.pop("content_type", "application/ld+json"),
            headers={**self.auth, **headers},
        )

    def get(self, url: str, **headers):
        return self("GET", url, **headers)


@pytest.fixture
def article(editor) -> Article:
    return services.article_create(user=editor, title="Strike on Kharkiv", body=BODY)


@pytest.fixture
def claim(editor, article) -> Annotation:
    return claim_by(editor, article, QUOTE)


@pytest.fixture
def as_editor(client, editor):
    return Api(client, editor)


def ours(article: Article, quote: str = FREE_QUOTE, *, label: str = "disputed", **members):
    """An annotation of one of our articles, in the export's shape: our "creation" test
    annotation, in place of the harness's generic one (the API's tables use it too)."""
    start = article.body.index(quote)
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "assessing",
        "body": [{"type": "TextualBody", "purpose": "assessing", "value": label}],
        "target": {
            "type": "SpecificResource",
            "source": f"{SITE}/articles/{article.pk}/",
            "selector": [
                {"type": "TextQuoteSelector", "exact": quote},
                {"type": "TextPositionSelector", "start": start, "end": start + len(quote)},
            ],
        },
    }
    return {**annotation, **members}


# The harness's creation annotation, as it posts it (a generic target).
GENERIC = {
    "@context": "http://www.w3.org/ns/anno.jsonld",
    "type": "Annotation",
    "body": {"type": "TextualBody", "value": "I like this page!"},
    "target": "http://www.example.com/index.html",
}


def _problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    if code:
        assert problem["code"] == code, problem
    return problem


def _page_iri(value) -> str:
    """A page's IRI: `first` and `last` may be a link or an embedded page (the harness's
    `if ("object" === typeof(f) && f.hasOwnProperty('id'))`)."""
    return value["id"] if isinstance(value, dict) else value


def _path(iri: str) -> str:
    return iri.removeprefix(SITE)


# --- The suite's MUSTs: the container (TESTS 1 to 20) -----------------------------------------


def test_wpt_container_must_end_in_a_slash():
    """TEST 1: 'Container MUST end in a "/" character'."""
    from django.urls import reverse

    assert reverse("api:w3c-container") == CONTAINER and CONTAINER.endswith("/")


def _header(name: str, pattern: str | re.Pattern):
    return lambda response: re.search(pattern, response.get(name, "")) is not None


CONTAINER_GET = {  # TESTS 2 to 13 and 16, 17: one GET of the container, no Accept header
    "Containers MUST support GET (check Allow on GET)": _header("Allow", "GET"),
    "Containers MUST support HEAD (check Allow on GET)": _header("Allow", "HEAD"),
    "Containers MUST support OPTIONS (check Allow on GET)": _header("Allow", "OPTIONS"),
    "Containers MUST have a Content-Type header with the application/ld+json media type": (
        _header("Content-Type", MEDIA_TYPE_REGEX)
    ),
    "Containers MUST respond with the JSON-LD representation (by default)": (
        _header("Content-Type", MEDIA_TYPE_REGEX)
    ),
    "Containers MUST return a description of the container with BasicContainer": (
        lambda r: "BasicContainer" in r.json()["type"]
    ),
    "Containers MUST return a description of the container with AnnotationCollection": (
        lambda r: "AnnotationCollection" in r.json()["type"]
    ),
    "Containers MUST return a Link header (rfc5988) on all responses": _header("Link", ".+"),
    "Containers MUST have an ETag header": _header("ETag", ".+"),
    "Containers MUST have a Vary header with Accept in the value": _header("Vary", "Accept"),
    "Containers MUST advertise its type by including a link where the rel parameter value "
    "is type and the target IRI is the appropriate Container Type": _header(
        "Link",
        r"<http://www.w3.org/ns/(ldp#BasicContainer|oa#AnnotationCollection)>; *rel=\"type\"",
    ),
    "Containers MUST advertise that it imposes Annotation protocol specific constraints by "
    "including a link where the target IRI is http://www.w3.org/TR/annotation-protocol/, and "
    "the rel parameter value is the IRI http://www.w3.org/ns/ldp#constrainedBy": _header(
        "Link",
        r"<http://www.w3.org/TR/annotation-protocol/>; *rel=\"http://www.w3.org/ns/ldp#constrainedBy\"",
    ),
    "Containers MUST include a Content-Location header with the IRI as its value": (
        _header("Content-Location", ".+")
    ),
    "Container's Content-Location and `id` MUST match": (
        lambda r: r["Content-Location"] == r.json()["id"]
    ),
}


@pytest.mark.parametrize("assertion", CONTAINER_GET)
def test_wpt_container(assertion, as_editor, claim):
    response = as_editor.get(CONTAINER)
    assert response.status_code == 200
    assert CONTAINER_GET[assertion](response), dict(response.headers)


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS"])
def test_wpt_containers_must_support_head_and_options(method, as_editor, claim):
    """TESTS 14, 15: 'Containers MUST support HEAD method', '… OPTIONS method'."""
    response = as_editor(method, CONTAINER)
    assert response.status_code == 200
    assert response.content == b"" or method == "OPTIONS"
    assert "POST" in response["Allow"] and response["Accept-Post"].startswith(PROFILED)


@pytest.fixture
def three_claims(editor, article, claim):
    """Three claims: three pages of one, with the harness's "Additional URI parameters"
    (its `query`) set to page_size=1."""
    claim_by(editor, article, FREE_QUOTE)
    claim_by(editor, article, "Residents had reportedly been evacuated", label="unattributed")
    return "page_size=1"


def _with(url: str, query: str) -> str:
    return url + ("&" if "?" in url else "?") + query


def test_wpt_annotation_pages_must_link_to_their_container(as_editor, three_claims):
    """TEST 18: 'Annotation Pages must have a link to the container they are part of,
    using the partOf property'."""
    container = as_editor.get(_with(CONTAINER, three_claims)).json()
    first = as_editor.get(_path(_page_iri(container["first"])))
    assert first.status_code == 200
    assert first.json()["partOf"]["id"] == container["id"]


def test_wpt_annotation_pages_must_link_to_the_previous_page(as_editor, three_claims):
    """TEST 19: 'Annotation Pages MUST have a link to the previous page in the sequence,
    using the prev property (if not the first page)'."""
    container = as_editor.get(_with(CONTAINER, three_claims)).json()
    last = as_editor.get(_path(_page_iri(container["last"]))).json()
    assert "prev" in last
    assert "prev" not in as_editor.get(_path(_page_iri(container["first"]))).json()


def test_wpt_annotation_pages_must_link_to_the_next_page(as_editor, three_claims):
    """TEST 20: 'Annotation Pages MUST have a link to the next page in the sequence, using
    the next property (if not the last page)'."""
    container = as_editor.get(_with(CONTAINER, three_claims)).json()
    first = as_editor.get(_path(_page_iri(container["first"]))).json()
    assert "next" in first
    assert "next" not in as_editor.get(_path(_page_iri(container["last"]))).json()


# --- The suite's MUSTs: one annotation (TESTS 21 to 29) ---------------------------------------

ANNOTATION_GET = {
    "Annotations MUST support GET (check Allow on GET)": _header("Allow", "GET"),
    "Annotations MUST support HEAD (check Allow on GET)": _header("Allow", "HEAD"),
    "Annotations MUST support OPTIONS (check Allow on GET)": _header("Allow", "OPTIONS"),
    "Annotations MUST have a Content-Type header with the application/ld+json media type": (
        _header("Content-Type", MEDIA_TYPE_REGEX)
    ),
    "Annotations MUST have a Link header entry where the target IRI is "
    "http://www.w3.org/ns/ldp#Resource and the rel parameter value is type": _header(
        "Link", r"<http://www.w3.org/ns/ldp#Resource>;[ ]*rel[ ]*=[ ]*\"type\""
    ),
    "Annotations MUST have an ETag header": _header("ETag", ".+"),
    "Annotations MUST have a Vary header with Accept in the value": _header("Vary", "Accept"),
}


@pytest.mark.parametrize("assertion", ANNOTATION_GET)
def test_wpt_annotation(assertion, as_editor, claim):
    response = as_editor.get(f"{CONTAINER}{claim.pk}/")
    assert response.status_code == 200
    assert ANNOTATION_GET[assertion](response), dict(response.headers)


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS"])
def test_wpt_annotations_must_support_head_and_options(method, as_editor, claim):
    """TESTS 28, 29: 'Annotations MUST support HEAD method', '… OPTIONS method'."""
    assert as_editor(method, f"{CONTAINER}{claim.pk}/").status_code == 200


# --- The suite's MUSTs: creation, update, deletion (TESTS 30 to 37) ---------------------------


@pytest.fixture
def creation(as_editor, article):
    """The harness's `theCreation`, with our annotation (and, as in TESTS 36 and 37, a
    canonical IRI)."""
    canonical = "urn:uuid:6a1d9c3e-0b8e-4a5f-9a61-2c3f5d7e8f90"
    return as_editor("POST", CONTAINER, ours(article, canonical=canonical)), canonical


def test_wpt_created_annotation_must_have_an_id(creation):
    """TEST 30: 'Created Annotation MUST have an id property'."""
    assert "id" in creation[0].json()


def test_wpt_created_annotation_id_starts_with_the_container_iri(creation):
    """TEST 31: 'Created Annotation MUST have an id that starts with the Container IRI'."""
    assert creation[0].json()["id"].startswith(SITE + CONTAINER)


def test_wpt_server_must_respond_201_created(creation):
    """TESTS 32 and 37: 'Annotation Server MUST respond with a 201 Created code if the
    creation is successful' (… 'with a canonical URI')."""
    assert creation[0].status_code == 201


def test_wpt_location_header_matches_the_new_id(creation):
    """TEST 33: 'Location header SHOULD match the id of the new Annotation' (the protocol:
    'The response MUST have a Location header with the Annotation's new IRI')."""
    response = creation[0]
    assert response["Location"] == response.json()["id"]


def test_wpt_created_annotation_must_preserve_any_canonical_iri(creation, as_editor):
    """TEST 36: 'Created Annotation MUST preserve any canonical IRI' (and keeps it: the
    annotation and the JSON-LD export say it)."""
    response, canonical = creation
    assert response.json()["canonical"] == canonical
    assert as_editor.get(_path(response["Location"])).json()["canonical"] == canonical
    export = as_editor.get("/api/v1/exports/claims.jsonld")
    (item,) = json.loads(b"".join(export.streaming_content))["first"]["items"]
    assert item["canonical"] == canonical


def test_what_the_container_serves_passes_the_data_models_musts(as_editor, editor, article):
    """The annotations, as served (with `canonical` and `via`), and the container's pages
    keep to the Web Annotation Data Model's must-assertions (tests/w3c.py)."""
    sbu = SourceFactory(name="SBU")
    claim_by(editor, article, QUOTE, source=sbu, credibility=2, evidence_url="https://t.me/1")
    posted = as_editor(
        "POST", CONTAINER, ours(article, canonical="urn:uuid:1", id="https://a.example/1")
    )
    annotations = as_editor.get(CONTAINER).json()["first"]["items"]
    assert len(annotations) == 2 and posted.status_code == 201
    for annotation in [posted.json(), *annotations]:
        annotation = {"@context": "http://www.w3.org/ns/anno.jsonld", **annotation}
        assert w3c.failures(annotation) == [], annotation


def test_wpt_annotation_update_must_be_done_with_put(creation, as_editor):
    """TEST 34: 'Annotation update must be done with the PUT method', with the creation's
    ETag in If-Match. Its modification moves the target to another page: refused (README),
    so the update here changes the claim's verdict."""
    created = creation[0]
    changed = {**created.json(), "body": [{**created.json()["body"][0], "value": "verified"}]}
    url = _path(created.json()["id"])
    updated = as_editor("PUT", url, changed, **{"If-Match": created["ETag"]})
    assert updated.status_code == 200, updated.content
    assert updated.json()["body"][0]["value"] == "verified"
    assert Annotation.objects.get(pk=url.split("/")[-2]).label == "verified"

    moved = {**updated.json(), "target": "http://www.example.com/other.html"}
    refused = as_editor("PUT", url, moved, **{"If-Match": updated["ETag"]})
    _problem(refused, 409, "target_change")


def test_wpt_annotation_deletion_must_return_204(creation, as_editor):
    """TEST 35: 'Annotation deletion with DELETE method MUST return a 204 status'."""
    created = creation[0]
    deleted = as_editor("DELETE", _path(created["Location"]), **{"If-Match": created["ETag"]})
    assert deleted.status_code == 204
    assert not Annotation.objects.filter(canonical=creation[1]).exists()


def test_wpt_generic_annotation_is_refused_with_a_problem(as_editor, article):
    """The harness's own creation annotation targets a page that is not one of our
    articles: refused (422), and nothing written."""
    problem = _problem(as_editor("POST", CONTAINER, GENERIC), 422, "unknown_target")
    assert "www.example.com/index.html" in problem["detail"] and problem["errors"]["target"]
    assert not Annotation.objects.exists()


# --- The suite's SHOULDs (TESTS 39 to 46) ------------------------------------------------------

MINIMAL_GET = {
    "SHOULD include the total property with the total number of annotations in the "
    "container": lambda r: r.json()["total"] == 3,
    "SHOULD have a link to the first page of its contents using `first`": (
        lambda r: isinstance(r.json()["first"], str)
    ),
    "SHOULD have a link to the last page of its contents using `last`": (
        lambda r: isinstance(r.json()["last"], str)
    ),
    "Response contains annotations via `items` when it SHOULD NOT": lambda r: (
        "items" not in r.json() and "items" not in json.dumps(r.json())
    ),
    "Response contains annotations via `ldp:contains` when it SHOULD NOT": lambda r: (
        "ldp:contains" not in r.json() and "contains" not in r.json()
    ),
    "SHOULD include Prefer in the Vary header": _header("Vary", "Prefer"),
    "SHOULD NOT [receive] the Prefer header when requesting the page": (
        lambda r: "Prefer" not in r.headers
    ),
}


@pytest.mark.parametrize("assertion", MINIMAL_GET)
def test_wpt_should_minimal_container(assertion, as_editor, three_claims):
    """TESTS 40 to 46, with `Prefer: …include="…#PreferMinimalContainer"`."""
    response = as_editor.get(CONTAINER, Prefer=PREFER.format(MINIMAL))
    assert response.status_code == 200
    assert MINIMAL_GET[assertion](response), response.json()


def test_wpt_should_return_full_annotation_descriptions(as_editor, three_claims):
    """TEST 39: 'SHOULD return the full annotation descriptions' on the first page."""
    container = as_editor.get(CONTAINER, Prefer=PREFER.format(MINIMAL)).json()
    items = as_editor.get(_path(container["first"])).json()["items"]
    assert len(items) == 3 and all(item["type"] == "Annotation" for item in items)
    assert all(item["target"]["selector"] and item["body"] for item in items)


# --- Prefer, pages, Accept ---------------------------------------------------------------------


def test_prefer_contained_iris_embeds_a_page_of_iris(as_editor, three_claims):
    response = as_editor.get(CONTAINER, Prefer=PREFER.format(IRIS))
    container = response.json()
    ids = sorted(Annotation.objects.values_list("id", flat=True))
    assert container["id"] == f"{SITE}{CONTAINER}?iris=1" == response["Content-Location"]
    assert container["first"]["items"] == [f"{SITE}{CONTAINER}{pk}/" for pk in ids]
    assert container["last"] == f"{SITE}{CONTAINER}?iris=1&page=0"
    assert response["Preference-Applied"] == "return=representation"
    page = as_editor.get(_path(container["last"])).json()  # the pages follow the preference
    assert page["items"] == container["first"]["items"] and page["partOf"]["total"] == 3


def test_descriptions_by_default_and_when_asked(as_editor, three_claims):
    plain = as_editor.get(CONTAINER)
    asked = as_editor.get(CONTAINER, Prefer=PREFER.format(DESCRIPTIONS))
    both = as_editor.get(CONTAINER, Prefer=PREFER.format(f"{IRIS} {DESCRIPTIONS}"))
    for response in (plain, asked, both):  # both: they exclude each other; the default wins
        container = response.json()
        assert container["id"].endswith("?iris=0")
        assert [item["type"] for item in container["first"]["items"]] == ["Annotation"] * 3
        assert "@context" not in container["first"]["items"][0]  # the container's applies
    assert "Preference-Applied" not in plain
    assert plain.json() == asked.json() and plain["ETag"] == asked["ETag"]


def test_minimal_with_iris_links_pages_of_iris(as_editor, three_claims):
    prefer = PREFER.format(f"{MINIMAL} {IRIS}")
    container = as_editor.get(CONTAINER, Prefer=prefer).json()
    assert container["first"] == f"{SITE}{CONTAINER}?iris=1&page=0"
    assert isinstance(as_editor.get(_path(container["first"])).json()["items"][0], str)


def test_iris_in_the_query_decides_over_prefer(as_editor, three_claims):
    container = as_editor.get(CONTAINER + "?iris=1", Prefer=PREFER.format(DESCRIPTIONS)).json()
    assert all(isinstance(item, str) for item in container["first"]["items"])


def test_pages_hold_every_claim_once_oldest_first(as_editor, editor, article, three_claims):
    container = as_editor.get(CONTAINER + "?page_size=2").json()
    assert container["total"] == 3 and container["last"].endswith("&page=1&page_size=2")
    seen, url = [], _page_iri(container["first"])
    while url:
        page = as_editor.get(_path(url)).json()
        assert page["startIndex"] == len(seen)
        seen += [item["id"] for item in page["items"]]
        url = page.get("next")
    ids = sorted(Annotation.objects.values_list("id", flat=True))
    assert seen == [f"{SITE}{CONTAINER}{pk}/" for pk in ids]


def test_a_page_past_the_last_is_a_404_problem(as_editor, three_claims):
    problem = _problem(as_editor.get(CONTAINER + "?page=3&page_size=1"), 404, "not_found")
    assert "0 to 2" in problem["detail"]
    assert as_editor.get(CONTAINER + "?page=0").json()["items"]  # the first page is there


def test_an_empty_container_has_one_empty_page(as_editor):
    container = as_editor.get(CONTAINER).json()
    assert container["total"] == 0 and container["first"]["items"] == []
    assert "next" not in container["first"] and container["last"].endswith("page=0")


@pytest.mark.parametrize(
    ("query", "member"),
    [
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=1.5", "page"),
        ("page=0&page=1", "page"),
        ("page=" + "9" * 12, "page"),
        ("iris=2", "iris"),
        ("iris=true", "iris"),
        ("page_size=0", "page_size"),
        ("page_size=501", "page_size"),
        ("cursor=abc", "cursor"),
        ("label=disputed", "label"),
    ],
)
def test_a_query_that_cannot_be_read_is_a_400_problem(query, member, as_editor, claim):
    response = as_editor.get(f"{CONTAINER}?{query}")
    assert member in _problem(response, 400, "invalid")["errors"]
    assert "BasicContainer" in response["Link"]  # the protocol's headers on refusals too


def test_plain_json_when_asked_and_406_for_other_formats(as_editor, claim):
    as_json = as_editor.get(f"{CONTAINER}{claim.pk}/", Accept="application/json")
    assert as_json.status_code == 200 and as_json["Content-Type"] == "application/json"
    profiled = as_editor.get(f"{CONTAINER}{claim.pk}/", Accept=PROFILED)
    assert profiled["Content-Type"] == PROFILED
    assert as_json.json() == profiled.json()
    _problem(as_editor.get(CONTAINER, Accept="text/turtle"), 406, "not_acceptable")


# --- ETags and If-Match -----------------------------------------------------------------------


def test_the_etag_follows_the_annotation(as_editor, editor, claim):
    url = f"{CONTAINER}{claim.pk}/"
    before = as_editor.get(url)
    container_before = as_editor.get(CONTAINER)["ETag"]
    assert before["ETag"] == as_editor.get(url)["ETag"] == etag(row_of(claim.pk))
    services.annotation_update(
        annotation=claim, user=editor, label="verified", source=None, credibility=None,
        note="Satellite images", evidence_url="",
    )  # fmt: skip
    assert as_editor.get(url)["ETag"] != before["ETag"]
    assert as_editor.get(CONTAINER)["ETag"] != container_before


def _changed(as_editor, claim, **body_values) -> tuple[str, dict, str]:
    """(url, the annotation with its verdict changed, its ETag)."""
    url = f"{CONTAINER}{claim.pk}/"
    current = as_editor.get(url)
    document = current.json()
    document["body"][0]["value"] = body_values.get("label", "verified")
    return url, document, current["ETag"]


@pytest.mark.parametrize(
    ("if_match", "status", "code"),
    [
        (None, 428, "precondition_required"),
        ('"0123456789abcdef0123456789abcdef"', 412, "version_mismatch"),
        ("W/{etag}", 412, "version_mismatch"),  # If-Match compares strongly
        ("{bare}", 400, "malformed"),
        ('"a b"', 400, "malformed"),
    ],
)
@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_if_match_is_required_and_checked(method, if_match, status, code, as_editor, claim):
    url, document, tag = _changed(as_editor, claim)
    headers = {} if if_match is None else {"If-Match": if_match.format(etag=tag, bare=tag[1:-1])}
    history = claim.history.count()
    _problem(as_editor(method, url, document if method == "PUT" else None, **headers), status, code)
    claim.refresh_from_db()
    assert claim.label == "disputed" and claim.history.count() == history


def test_if_match_star_or_one_of_several_tags_matches(as_editor, claim):
    url, document, tag = _changed(as_editor, claim)
    assert as_editor("PUT", url, document, **{"If-Match": f'"stale", {tag}'}).status_code == 200
    document["body"][0]["value"] = "unattributed"
    assert as_editor("PUT", url, document, **{"If-Match": "*"}).status_code == 200
    assert Annotation.objects.get(pk=claim.pk).label == "unattributed"


def test_a_put_after_someone_else_changed_it_is_412(as_editor, editor, claim):
    url, document, tag = _changed(as_editor, claim)
    services.annotation_update(
        annotation=claim, user=editor, label="disputed", source=None, credibility=3,
        note="", evidence_url="",
    )  # fmt: skip
    problem = _problem(as_editor("PUT", url, document, **{"If-Match": tag}), 412)
    assert problem["etag"] == as_editor.get(url)["ETag"]
    assert Annotation.objects.get(pk=claim.pk).label == "disputed"


# --- What a POST becomes ------------------------------------------------------------------------


def test_a_posted_annotation_is_a_claim_on_the_article_page(as_editor, editor_client, article):
    sbu = SourceFactory(name="Security Service of Ukraine")
    sbu.aliases.create(name="SBU", name_key="sbu")
    annotation = ours(
        article,
        body=[
            {"type": "TextualBody", "purpose": "assessing", "value": "verified"},
            {"type": "TextualBody", "purpose": "identifying", "value": "sbu"},
            {"type": "TextualBody", "purpose": "commenting", "value": "Called the press desk."},
            {"type": "TextualBody", "purpose": "describing", "value": "Confirmed by photos."},
            {"type": "TextualBody", "purpose": "classifying", "value": "admiralty-credibility:2"},
            {"type": "SpecificResource", "purpose": "linking", "source": "https://t.me/s/1"},
        ],
        id="https://other-desk.example/claims/77/",
    )
    response = as_editor("POST", CONTAINER, annotation)
    assert response.status_code == 201, response.content
    claim = Annotation.objects.get()
    start = BODY.index(FREE_QUOTE)
    assert (claim.start, claim.end, claim.quote, claim.label) == (
        start, start + len(FREE_QUOTE), FREE_QUOTE, "verified",
    )  # fmt: skip
    assert claim.source == sbu  # found by its alias
    assert (claim.note, claim.public_summary, claim.credibility) == (
        "Called the press desk.", "Confirmed by photos.", 2,
    )  # fmt: skip
    assert claim.evidence_url == "https://t.me/s/1" and claim.created_by.username == "editor"
    assert claim.via == "https://other-desk.example/claims/77/"  # the id it came with
    assert response.json()["via"] == claim.via and response.json()["id"].endswith(f"/{claim.pk}/")
    page = editor_client.get(article.get_absolute_url()).content.decode()
    assert f'data-annotation-id="{claim.pk}"' in page


def test_a_new_source_name_is_proposed_for_review(as_editor, article):
    body = [
        {"type": "TextualBody", "purpose": "assessing", "value": "disputed"},
        {"type": "TextualBody", "purpose": "identifying", "value": "  Rybar   channel "},
    ]
    assert as_editor("POST", CONTAINER, ours(article, body=body)).status_code == 201
    source = Source.objects.get(name="Rybar channel")
    assert source.review_status == Source.Review.PENDING
    assert Annotation.objects.get().source == source


def test_the_article_may_be_named_by_its_own_link(as_editor, editor):
    article = services.article_create(
        user=editor, title="Strike", body=BODY, url="https://wire.example/strike"
    )
    annotation = ours(article)
    annotation["target"]["source"] = "https://wire.example/strike"
    response = as_editor("POST", CONTAINER, annotation)
    assert response.status_code == 201, response.content
    assert response.json()["target"]["source"] == "https://wire.example/strike"


def test_a_quote_selector_alone_finds_its_passage(as_editor, editor):
    body = "Kyiv said the bridge held. Moscow said the bridge held. Nobody else spoke."
    article = services.article_create(user=editor, title="Bridge", body=body)
    annotation = ours(article, "the bridge held")
    annotation["target"]["selector"] = [
        {"type": "TextQuoteSelector", "exact": "the bridge held", "prefix": "Moscow said "}
    ]
    response = as_editor("POST", CONTAINER, annotation)
    assert response.status_code == 201, response.content
    assert Annotation.objects.get().start == body.index("the bridge held", 20)

    annotation["target"]["selector"] = [{"type": "TextQuoteSelector", "exact": "said"}]
    problem = _problem(as_editor("POST", CONTAINER, annotation), 422, "invalid")
    assert "2 times" in problem["errors"]["target.selector.TextQuoteSelector.exact"][0]
    annotation["target"]["selector"] = [{"type": "TextQuoteSelector", "exact": "tanks"}]
    problem = _problem(as_editor("POST", CONTAINER, annotation), 422, "invalid")
    assert "not in the article" in problem["detail"]


def _post_refused(as_editor, annotation, status: int, member: str, code: str = "invalid"):
    before = (Annotation.objects.count(), Source.objects.count())
    problem = _problem(as_editor("POST", CONTAINER, annotation), status, code)
    assert member in problem["errors"], problem
    assert (Annotation.objects.count(), Source.objects.count()) == before
    return problem


def _bodies(*bodies) -> list[dict]:
    return [{"type": "TextualBody", "purpose": p, "value": v} for p, v in bodies]


REFUSED_POSTS = {
    # member: (what changes in our annotation, status, where the problem says the fault is)
    "generic-target-string": ({"target": "http://www.example.com/index.html"}, 422, "target"),
    "two-targets": (lambda a: {"target": [a["target"], a["target"]]}, 422, "target"),
    "whole-article": (lambda a: {"target": a["target"]["source"]}, 422, "target"),
    "target-source-number": (lambda a: {"target": {"source": 5}}, 422, "target"),
    "no-target": (lambda a: {"target": None}, 422, "target"),
    "no-type": ({"type": "TextualBody"}, 422, "type"),
    "context-other": ({"@context": "https://www.w3.org/ns/activitystreams"}, 422, "@context"),
    "motivation-commenting": ({"motivation": "commenting"}, 422, "motivation"),
    "motivation-number": ({"motivation": 3}, 400, "motivation"),
    "unknown-member": ({"stylesheet": {"type": "CssStylesheet"}}, 422, "stylesheet"),
    "canonical-number": ({"canonical": 5}, 400, "canonical"),
    "canonical-not-an-iri": ({"canonical": "not an iri"}, 422, "canonical"),
    "canonical-control": ({"canonical": "urn:x\x00"}, 422, "canonical"),
    "id-number": ({"id": 7}, 422, "id"),
    "via-relative": ({"via": "/claims/5/"}, 422, "via"),
    "plain-comment": ({"body": {"type": "TextualBody", "value": "I like it"}}, 422, "body"),
    "tagging": ({"body": _bodies(("assessing", "verified"), ("tagging", "war"))}, 422, "body"),
    "two-labels": (
        {"body": _bodies(("assessing", "verified"), ("assessing", "disputed"))},
        422,
        "body",
    ),
    "no-label": ({"body": _bodies(("commenting", "a note"))}, 422, "body.assessing"),
    "label-unknown": ({"body": _bodies(("assessing", "true"))}, 422, "body.assessing"),
    "label-number": ({"body": _bodies(("assessing", 1))}, 400, "body.assessing"),
    "label-missing-value": (
        {"body": [{"type": "TextualBody", "purpose": "assessing"}]},
        422,
        "body.assessing",
    ),
    "unattributed-with-source": (
        {"body": _bodies(("assessing", "unattributed"), ("identifying", "SBU"))},
        422,
        "body.identifying",
    ),
    "source-list": (
        {"body": _bodies(("assessing", "disputed"), ("identifying", ["SBU"]))},
        400,
        "body.identifying",
    ),
    "credibility-seven": (
        {"body": _bodies(("assessing", "disputed"), ("classifying", "admiralty-credibility:7"))},
        422,
        "body.classifying",
    ),
    "credibility-bare": (
        {"body": _bodies(("assessing", "disputed"), ("classifying", "2"))},
        422,
        "body.classifying",
    ),
    "evidence-javascript": (
        {
            "body": [
                *_bodies(("assessing", "disputed")),
                {"type": "SpecificResource", "purpose": "linking", "source": "javascript:x"},
            ]
        },
        422,
        "body.linking",
    ),
    "note-nul": (
        {"body": _bodies(("assessing", "disputed"), ("commenting", "a\x00b"))},
        422,
        "body.commenting",
    ),
    "quote-not-the-text": (
        lambda a: {
            "target": {
                **a["target"],
                "selector": [
                    {**a["target"]["selector"][0], "exact": "Ирина said the windows came in"},
                    a["target"]["selector"][1],
                ],
            }
        },
        422,
        "non_field_errors",
    ),
    "start-text": (
        lambda a: {
            "target": {
                **a["target"],
                "selector": [
                    a["target"]["selector"][0],
                    {**a["target"]["selector"][1], "start": "211"},
                ],
            }
        },
        400,
        "target.selector.TextPositionSelector.start",
    ),
    "start-after-end": (
        lambda a: {
            "target": {
                **a["target"],
                "selector": [
                    a["target"]["selector"][0],
                    {"type": "TextPositionSelector", "start": 240, "end": 211},
                ],
            }
        },
        422,
        "non_field_errors",
    ),
    "only-a-start": (
        lambda a: {
            "target": {
                **a["target"],
                "selector": [
                    a["target"]["selector"][0],
                    {"type": "TextPositionSelector", "start": 211},
                ],
            }
        },
        422,
        "target.selector.TextPositionSelector.end",
    ),
    "no-quote-selector": (
        lambda a: {"target": {**a["target"], "selector": [a["target"]["selector"][1]]}},
        422,
        "target.selector.TextQuoteSelector.exact",
    ),
    "selector-type-list": (
        lambda a: {"target": {**a["target"], "selector": [{"type": ["TextQuoteSelector"]}]}},
        422,
        "non_field_errors",
    ),
    "selectors-not-objects": (
        lambda a: {"target": {**a["target"], "selector": ["TextQuoteSelector"]}},
        422,
        "non_field_errors",
    ),
    "prefix-number": (
        lambda a: {
            "target": {
                **a["target"],
                "selector": [{**a["target"]["selector"][0], "prefix": 3}],
            }
        },
        400,
        "target.selector.TextQuoteSelector.prefix",
    ),
}


@pytest.mark.parametrize("case", REFUSED_POSTS)
def test_a_post_that_cannot_be_a_claim_is_refused(case, as_editor, article):
    change, status, member = REFUSED_POSTS[case]
    annotation = ours(article)
    annotation = {**annotation, **(change(annotation) if callable(change) else change)}
    code = "unknown_target" if case == "generic-target-string" else "invalid"
    _post_refused(as_editor, annotation, status, member, code)


def test_an_article_deleted_is_no_target(as_editor, editor, article):
    services.article_delete(article=article, user=editor)
    problem = _post_refused(as_editor, ours(article), 422, "target", "unknown_target")
    assert f"/articles/{article.pk}/" in problem["detail"]


def test_a_post_to_a_page_is_405_and_with_another_query_400(as_editor, article):
    _problem(as_editor("POST", CONTAINER + "?page=0", ours(article)), 405)
    problem = _problem(as_editor("POST", CONTAINER + "?label=x", ours(article)), 400)
    assert "label" in problem["errors"]
    assert not Annotation.objects.exists()
    assert as_editor("POST", CONTAINER + "?iris=1", ours(article)).status_code == 201


def test_the_same_claim_twice_is_refused(as_editor, article):
    assert as_editor("POST", CONTAINER, ours(article)).status_code == 201
    problem = _post_refused(as_editor, ours(article), 422, "non_field_errors")
    assert "already tagged" in problem["detail"]


# --- What a PUT may change ------------------------------------------------------------------------


def test_a_put_changes_the_source_the_note_and_the_evidence(as_editor, claim):
    url, document, tag = _changed(as_editor, claim)
    document["body"] = [
        {"type": "TextualBody", "purpose": "assessing", "value": "disputed"},
        {"type": "TextualBody", "purpose": "identifying", "value": "Ukrainian Air Force"},
        {"type": "TextualBody", "purpose": "commenting", "value": "Kyiv's figure."},
        {"type": "SpecificResource", "purpose": "linking", "source": "https://t.me/kpszsu/1"},
    ]
    response = as_editor("PUT", url, document, **{"If-Match": tag})
    assert response.status_code == 200, response.content
    claim.refresh_from_db()
    assert claim.source.name == "Ukrainian Air Force" and claim.note == "Kyiv's figure."
    assert claim.evidence_url == "https://t.me/kpszsu/1"
    assert response["ETag"] == etag(row_of(claim.pk)) != tag
    assert [b["purpose"] for b in response.json()["body"]] == [
        "assessing", "identifying", "commenting", "linking",
    ]  # fmt: skip

    document["body"] = document["body"][:1]  # a PUT is the whole new state: no source now
    again = as_editor("PUT", url, document, **{"If-Match": response["ETag"]})
    assert again.status_code == 200
    claim.refresh_from_db()
    assert (claim.source, claim.note, claim.evidence_url) == (None, "", "")


def test_a_put_that_changes_nothing_writes_nothing(as_editor, claim):
    url = f"{CONTAINER}{claim.pk}/"
    current = as_editor.get(url)
    history = claim.history.count()
    again = as_editor("PUT", url, current.json(), **{"If-Match": current["ETag"]})
    assert again.status_code == 200 and again["ETag"] == current["ETag"]
    assert claim.history.count() == history


def test_a_put_keeps_a_source_by_its_name_in_any_case(as_editor, editor, article):
    rejected = SourceFactory(name="Fake Front")
    claim = claim_by(editor, article, QUOTE, source=rejected)
    rejected.review_status = Source.Review.REJECTED
    rejected.save()
    url, document, tag = _changed(as_editor, claim)
    document["body"][1]["value"] = "FAKE FRONT"
    response = as_editor("PUT", url, document, **{"If-Match": tag})
    assert response.status_code == 200, response.content  # kept, though rejected since
    assert Annotation.objects.get(pk=claim.pk).source == rejected


@pytest.mark.parametrize(
    ("change", "member"),
    [
        (lambda d: {"id": f"{SITE}{CONTAINER}999/"}, "id"),
        (lambda d: {"canonical": "urn:uuid:other"}, "canonical"),
        (lambda d: {"via": "https://other.example/1"}, "via"),
    ],
)
def test_a_put_cannot_change_the_id_canonical_or_via(change, member, as_editor, claim):
    url, document, tag = _changed(as_editor, claim)
    problem = _problem(
        as_editor("PUT", url, {**document, **change(document)}, **{"If-Match": tag}),
        409,
        "read_only",
    )
    assert member in problem["errors"]
    assert Annotation.objects.get(pk=claim.pk).label == "disputed"


@pytest.mark.parametrize(
    "change",
    [
        lambda t, a: {**t, "source": "http://www.example.com/other.html"},
        lambda t, a: {
            **t,
            "selector": [{**t["selector"][0], "exact": "31 of 38 drones"}, t["selector"][1]],
        },
        lambda t, a: {**t, "selector": [t["selector"][0], {**t["selector"][1], "start": 63}]},
        lambda t, a: {**t, "source": f"{SITE}/articles/{a.pk}/"},  # another article
    ],
)
def test_a_put_cannot_move_the_target(change, as_editor, editor, claim):
    other = services.article_create(user=editor, title="Another", body=BODY + "\nMore.")
    url, document, tag = _changed(as_editor, claim)
    document["target"] = change(document["target"], other)
    response = as_editor("PUT", url, document, **{"If-Match": tag})
    _problem(response, 409, "target_change")
    assert Annotation.objects.get(pk=claim.pk).label == "disputed"


def test_a_put_with_a_quote_selector_only_keeps_the_target(as_editor, claim):
    url, document, tag = _changed(as_editor, claim)
    document["target"]["selector"] = document["target"]["selector"][:1]
    assert as_editor("PUT", url, document, **{"If-Match": tag}).status_code == 200


# --- Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "put", "delete"),
    [
        ("viewer", 403, 403),
        ("other_editor", 403, 403),
        ("editor", 200, 204),  # made the claim
        ("reviewer", 200, 204),
        ("admin_user", 200, 204),
    ],
)
def test_who_may_change_or_delete(who, put, delete, request, client, claim):
    api = Api(client, request.getfixturevalue(who))
    url, document, tag = _changed(api, claim)
    changed = api("PUT", url, document, **{"If-Match": tag})
    assert changed.status_code == put
    tag = api.get(url)["ETag"]
    assert api("DELETE", url, **{"If-Match": tag}).status_code == delete
    assert Annotation.objects.filter(pk=claim.pk).exists() == (delete != 204)


def test_a_viewer_reads_but_cannot_post(client, viewer, article, claim):
    api = Api(client, viewer)
    assert api.get(CONTAINER).json()["total"] == 1
    _problem(api("POST", CONTAINER, ours(article)), 403, "forbidden")
    assert Annotation.objects.count() == 1


def test_without_a_token_a_401_problem_with_the_protocol_headers(client, claim):
    response = client.get(CONTAINER)
    _problem(response, 401, "not_authenticated")
    assert "BasicContainer" in response["Link"] and "Accept" in response["Vary"]


def test_claims_of_a_deleted_article_are_invisible(as_editor, editor, article, claim):
    other = services.article_create(user=editor, title="Other", body=BODY + "\nMore.")
    kept = claim_by(editor, other, QUOTE)
    services.article_delete(article=article, user=editor)
    container = as_editor.get(CONTAINER).json()
    assert container["total"] == 1
    assert [i["id"] for i in container["first"]["items"]] == [f"{SITE}{CONTAINER}{kept.pk}/"]
    _problem(as_editor.get(f"{CONTAINER}{claim.pk}/"), 404, "not_found")
    _problem(as_editor("DELETE", f"{CONTAINER}{claim.pk}/", **{"If-Match": "*"}), 404)
    assert Annotation.objects.filter(pk=claim.pk).exists()


# --- A round trip of our own export ----------------------------------------------------------


def _claims() -> list[tuple]:
    return sorted(
        Annotation.objects.values_list(
            "article_id", "start", "end", "quote", "label", "source__name", "note",
            "public_summary", "credibility", "evidence_url",
        )
    )  # fmt: skip


def test_posting_our_own_export_gives_back_the_same_claims(as_editor, editor, reviewer):
    wire = services.article_create(
        user=editor, title="Wire", body=BODY, url="https://wire.example/kharkiv"
    )
    desk = services.article_create(user=editor, title="Desk", body=BODY + "\nUPDATE: calm.")
    sbu = SourceFactory(name="Security Service of Ukraine")
    claim_by(
        editor, wire, QUOTE, label="verified", source=sbu, credibility=2, note="Called them.",
        public_summary="Confirmed.", evidence_url="https://t.me/SBUkr/1",
    )  # fmt: skip
    claim_by(editor, wire, "Residents had reportedly been evacuated", label="unattributed")
    claim_by(reviewer, desk, FREE_QUOTE, new_source_name="Ірина (resident)")
    claim_by(reviewer, desk, "UPDATE: calm", label="disputed", note="Two lines\nof note")
    before = _claims()
    export = as_editor.get("/api/v1/exports/claims.jsonld")
    assert export.status_code == 200
    items = json.loads(b"".join(export.streaming_content))["first"]["items"]
    assert len(items) == 4

    Annotation.objects.all().delete()  # an empty set of claims; the articles stay
    for item in items:  # as the export wrote each one (its @context is the collection's)
        response = as_editor("POST", CONTAINER, item)
        assert response.status_code == 201, response.content
        assert response.json()["via"] == item["id"]
    assert _claims() == before


# --- Flat queries -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?iris=1", "?page=0", "?page=0&iris=1"])
def test_the_containers_pages_ask_the_same_questions_for_10_claims_as_for_100(
    query, as_editor, editor
):
    from tests.test_api_queries import _claims as seed

    seed(10)
    as_editor.get(CONTAINER)  # the first call notes the token's use
    with CaptureQueriesContext(connection) as few:
        assert len(_items(as_editor.get(CONTAINER + query).json())) == 10
    seed(90)
    with CaptureQueriesContext(connection) as many:
        assert len(_items(as_editor.get(CONTAINER + query).json())) == 100
    assert len(few) == len(many), [q["sql"][:120] for q in many.captured_queries]


def _items(document: dict) -> list:
    return document["items"] if "items" in document else document["first"]["items"]
