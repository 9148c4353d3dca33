"""Bad input against the API: a 4xx problem, and nothing written. Never a 5xx.

Each case is one request (method, URL, a JSON value or raw bytes, headers, who sends it with
their token). It must answer the expected status as an RFC 9457 problem
(`application/problem+json`, its `status` the response's, a `title`, a `detail`, the
expected `code`, and, when the case names one, that field among the `errors`); and the
database must be exactly as it was: the counts and a hash of every row of articles, claims,
sources, aliases, their history, the users, link imports and queued jobs
(tests/test_api_matrix.py's `snapshot`). A new case is one entry in BAD.

The write endpoints (articles: create, correct, from a link; claims: create, update, link;
sources: propose, review, merge; shared claims: merge) get JSON that is not an object,
members of the wrong type (lists, objects, booleans, floats, numbers past 64 bits), offsets
out of order, quotes that are not the text, NUL and control characters, lone surrogates sent
as JSON escapes, a body past the size limit, bytes that are not UTF-8, other content types,
an empty body, members no form knows, and ids of things deleted or never there. The lists
and the exports get query strings they cannot read, and cursors that are not theirs; a
correction gets If-Match values that are not a version; a path no endpoint has gets every
method. Each case is sent by someone who may make the valid request (a reviewer for a review
or a merge), but for the cases that check who may not.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from annotations import services
from annotations.api import w3c_docs
from annotations.forms import NOTE_MAX, QUOTE_MAX
from annotations.models import Annotation, Article, SharedClaim, Source, UrlImport
from tests.factories import BODY, SourceFactory, claim_by, persona
from tests.test_api_matrix import LOOSE_QUOTE, snapshot
from tests.test_bad_input import (
    CLAIM_QUOTE,
    FREE_QUOTE,
    OVERFLOW,
    STALE_QUOTE,
    WITHDRAWN_LINE,
)
from tests.test_w3c_protocol import ours

pytestmark = pytest.mark.django_db

PROBLEM_JSON = "application/problem+json"
USERS = ("editor", "other_editor", "viewer", "reviewer")
LINK = "https://example.org/news/strike-on-kharkiv"  # the link article's


@dataclass
class Scene:
    article: Article  # by editor; version 2 (WITHDRAWN_LINE removed)
    claim: Annotation  # by editor
    dead_article: Article  # soft-deleted, with a claim
    dead_claim: Annotation
    source: Source  # approved
    rejected: Source
    pending: Source  # proposed by editor
    twin: Source  # pending too: a duplicate of `pending` to merge
    linked: Article  # imported from LINK
    job: UrlImport  # asked for by editor
    tokens: dict[str, str]
    shared: SharedClaim  # `claim` and its twin in another article
    twin_claim: Annotation  # in `twin_shared`
    twin_shared: SharedClaim  # another shared claim: to merge into `shared`
    loose: Annotation  # in another article, in no shared claim: to link

    @property
    def ids(self) -> dict[str, int]:
        return {
            "article": self.article.pk,
            "claim": self.claim.pk,
            "dead_article": self.dead_article.pk,
            "dead_claim": self.dead_claim.pk,
            "pending": self.pending.pk,
            "job": self.job.pk,
            "shared": self.shared.pk,
        }

    def span(self, quote: str = FREE_QUOTE) -> dict:
        start = self.article.body.index(quote)
        return {"start": start, "end": start + len(quote), "quote": quote}


@pytest.fixture(scope="module")
def _scene(rows_for_a_module) -> Iterator[Scene]:
    with rows_for_a_module():
        editor = persona("editor")
        article = services.article_create(user=editor, title="Strike on Kharkiv", body=BODY)
        claim = claim_by(editor, article, CLAIM_QUOTE)
        withdrawn = BODY.replace(WITHDRAWN_LINE, "")  # version 2: STALE_QUOTE is gone
        article = services.article_correct(
            article=article, user=editor, expected_version=1, body=withdrawn, note="Withdrawn"
        ).article
        dead_article = services.article_create(
            user=editor, title="Withdrawn story", body="Withdrawn story\n\n" + CLAIM_QUOTE + "."
        )
        dead_claim = claim_by(editor, dead_article, CLAIM_QUOTE)
        services.article_delete(article=dead_article, user=editor)
        linked = services.article_create(
            user=editor, title="Drones over Kharkiv", body="Drones over Kharkiv\n\nText.", url=LINK
        )
        sumy = services.article_create(user=editor, title="Drones over Sumy", body=BODY + "\nS")
        odesa = services.article_create(user=editor, title="Drones over Odesa", body=BODY + "\nO")
        shared = services.shared_claim_link(
            claim=claim, user=editor, other=claim_by(editor, sumy, CLAIM_QUOTE)
        )
        twin_claim = claim_by(editor, odesa, CLAIM_QUOTE)
        twin_shared = services.shared_claim_link(
            claim=twin_claim,
            user=editor,
            other=claim_by(editor, sumy, LOOSE_QUOTE, label="unattributed"),
        )
        yield Scene(
            shared=shared,
            twin_claim=twin_claim,
            twin_shared=twin_shared,
            loose=claim_by(editor, odesa, LOOSE_QUOTE, label="unattributed"),
            article=article,
            claim=claim,
            dead_article=dead_article,
            dead_claim=dead_claim,
            source=SourceFactory(name="SBU"),
            rejected=SourceFactory(name="Fake Front News", review_status="rejected"),
            pending=services.source_create(user=editor, name="Rybar"),
            twin=services.source_create(user=editor, name="Rybar channel"),
            linked=linked,
            job=services.url_import_start(user=editor, url="https://example.org/news/1"),
            tokens={
                name: services.api_token_create(user=persona(name), name="bad input")[1]
                for name in USERS
            },
        )


@pytest.fixture
def scene(_scene) -> Scene:
    scene = copy.deepcopy(_scene)
    scene.article = Article.objects.get(pk=scene.article.pk)
    return scene


# --- Building requests ------------------------------------------------------------------------

DROP = object()  # leave the member out


def _with(base: Callable[[Scene], dict], overrides: dict) -> Callable[[Scene], dict]:
    def build(s: Scene) -> dict:
        data = base(s)
        for key, value in overrides.items():
            if value is DROP:
                data.pop(key, None)
            else:
                data[key] = value(s) if callable(value) else value
        return data

    return build


def new_article(**overrides):
    """A valid article-create body, with changes."""
    return _with(
        lambda s: {
            "title": "Evacuation in Sumy",
            "body": "Evacuation in Sumy\n\nOfficials said 40 families had left.",
        },
        overrides,
    )


def correction(**overrides):
    """A valid correction body (sent with If-Match: the current version), with changes."""
    return _with(lambda s: {"body": s.article.body + "\nUPDATE: the toll rose."}, overrides)


def new_claim(**overrides):
    """A valid claim-create body (FREE_QUOTE at the current version), with changes."""
    return _with(
        lambda s: {
            "article": s.article.pk,
            **s.span(),
            "label": "disputed",
            "version": s.article.version,
        },
        overrides,
    )


def change(**overrides):
    """A valid claim-update body."""
    return _with(lambda s: {"label": "verified", "note": "Satellite images"}, overrides)


def new_source(**overrides):
    """A valid source proposal, with changes."""
    return _with(lambda s: {"name": "Kyiv Independent", "kind": "media"}, overrides)


def review(**overrides):
    """A valid review of the pending source (by a reviewer), with changes."""
    return _with(
        lambda s: {"decision": "approved", "reliability": "B", "expected_status": "pending"},
        overrides,
    )


def merge(**overrides):
    """A valid merge of the twin into the pending source (by a reviewer), with changes."""
    return _with(lambda s: {"other": s.twin.pk}, overrides)


def link_claim(**overrides):
    """A valid link of the claim (in `shared`) to a claim in none, with changes."""
    return _with(lambda s: {"other": s.loose.pk}, overrides)


def merge_shared(**overrides):
    """A valid merge of the twin shared claim into `shared` (by a reviewer), with changes."""
    return _with(lambda s: {"other": s.twin_shared.pk}, overrides)


def link(**overrides):
    """A valid link to import, with changes."""
    return _with(lambda s: {"url": "https://example.org/news/evacuation-in-sumy"}, overrides)


def raw_json(build: Callable[[Scene], dict], replace: tuple[str, str | bytes] | None = None):
    """The body as JSON text, with a piece of it replaced (for what json.dumps would not
    write: an escape of its own, a literal, bytes that are not UTF-8)."""

    def encode(s: Scene) -> bytes:
        text = json.dumps(build(s)).encode()
        if replace:
            old, new = replace
            assert old.encode() in text, replace
            text = text.replace(old.encode(), new if isinstance(new, bytes) else new.encode())
        return text

    return encode


def over_the_limit(build: Callable[[Scene], dict], member: str):
    """The body with `member` padded past DATA_UPLOAD_MAX_MEMORY_SIZE (8 MB): 10 MB."""

    def encode(s: Scene) -> bytes:
        data = build(s)
        data[member] = "x" * (10 * 1024 * 1024)
        return json.dumps(data).encode()

    return encode


def cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass
class Bad:
    method: str
    url: str  # with {article}, {claim}, {dead_article}, {dead_claim}
    body: Callable[[Scene], object] | object = None  # sent as JSON
    status: int = 422
    code: str = "invalid"
    member: str | None = None  # a member of the problem's `errors`
    raw: Callable[[Scene], bytes] | bytes | None = None  # sent as is
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)
    user: str = "editor"


ARTICLES = "/api/v1/articles/"
ARTICLE = "/api/v1/articles/{article}/"
CLAIMS = "/api/v1/claims/"
CLAIM = "/api/v1/claims/{claim}/"
FROM_URL = "/api/v1/articles/from-url/"
JOB = "/api/v1/jobs/{job}/"
SOURCES = "/api/v1/sources/"
REVIEW = "/api/v1/sources/{pending}/review/"
MERGE = "/api/v1/sources/{pending}/merge/"
CSV = "/api/v1/exports/claims.csv"
JSONLD = "/api/v1/exports/claims.jsonld"
CLAIMREVIEW = "/api/v1/exports/claimreview.jsonld"
CURRENT = {"If-Match": lambda s: f'"{s.article.version}"'}
CLAIM_LINK = "/api/v1/claims/{claim}/link/"
SIMILAR = "/api/v1/claims/{claim}/similar/"
SHARED_MERGE = "/api/v1/shared-claims/{shared}/merge/"


def post(url, body=None, status=422, code="invalid", field=None, **kw) -> Bad:
    return Bad("POST", url, body, status, code, field, **kw)


def patch(url, body=None, status=422, code="invalid", field=None, **kw) -> Bad:
    if url == ARTICLE:
        kw["headers"] = {**CURRENT, **kw.get("headers", {})}
    return Bad("PATCH", url, body, status, code, field, **kw)


def by_reviewer(url, body=None, status=422, code="invalid", field=None) -> Bad:
    """A POST by a reviewer, who may review and merge sources."""
    return Bad("POST", url, body, status, code, field, user="reviewer")


# The W3C Web Annotation Protocol's container (annotations/api/w3c.py).
W3C_CONTAINER = "/api/v1/annotations/"
W3C_ANNOTATION = "/api/v1/annotations/{claim}/"
W3C_CURRENT = {"If-Match": lambda s: w3c_docs.etag(w3c_docs.row_of(s.claim.pk))}


def put(url, body=None, status=422, code="invalid", field=None, **kw) -> Bad:
    kw["headers"] = {**W3C_CURRENT, **kw.get("headers", {})}
    return Bad("PUT", url, body, status, code, field, **kw)


def w3c_new(**overrides):
    """A valid annotation to POST: FREE_QUOTE of the article, in the export's shape
    (unattributed: claim-create's valid body tags the same words disputed)."""
    return _with(lambda s: ours(s.article, FREE_QUOTE, label="unattributed"), overrides)


def w3c_change(**overrides):
    """A valid PUT: the claim's annotation as GET gives it, its verdict changed."""

    def build(s: Scene) -> dict:
        site = "http://testserver"
        row = w3c_docs.row_of(s.claim.pk)
        document = w3c_docs.description(row, site=site, container=site + W3C_CONTAINER)
        document["body"][0]["value"] = "verified"
        return document

    return _with(build, overrides)


def get(url, status=400, code="invalid", field=None, **kw) -> Bad:
    return Bad("GET", url, None, status, code, field, **kw)


@dataclass
class Write:
    """A write endpoint: its method and URL, a valid body, the member the cases of `_every`
    spoil (`first`; `first_is_id` when it takes an id, which a number past 64 bits is,
    though no row's), and who may write there."""

    method: str
    url: str
    valid: Callable[[Scene], dict]
    first: str
    user: str = "editor"
    first_is_id: bool = False


def write_endpoints() -> dict[str, Write]:
    """Each write endpoint and a valid body for it: every one gets the cases of `_every`."""
    return {
        "article-create": Write("POST", ARTICLES, new_article(), "title"),
        "article-correct": Write("PATCH", ARTICLE, correction(), "title"),
        "article-from-url": Write("POST", FROM_URL, link(), "url"),
        "claim-create": Write("POST", CLAIMS, new_claim(), "label"),
        "claim-update": Write("PATCH", CLAIM, change(), "label"),
        "source-propose": Write("POST", SOURCES, new_source(), "name"),
        "source-review": Write("POST", REVIEW, review(), "decision", "reviewer"),
        "source-merge": Write("POST", MERGE, merge(), "other", "reviewer", first_is_id=True),
        # a member of one type (text): `label` is no member there
        "w3c-create": Write("POST", W3C_CONTAINER, w3c_new(), "canonical"),
        "w3c-update": Write("PUT", W3C_ANNOTATION, w3c_change(), "canonical"),
        "claim-link": Write("POST", CLAIM_LINK, link_claim(), "other", first_is_id=True),
        "shared-claim-merge": Write(
            "POST", SHARED_MERGE, merge_shared(), "other", "reviewer", first_is_id=True
        ),
    }


def _every(name: str, write: Write) -> dict[str, Bad]:
    """What every write endpoint refuses alike: bodies that are not an object, or cannot be
    read, or are not JSON, or are too big; members no form knows; members of a type the
    form does not take."""
    send = {"POST": post, "PATCH": patch, "PUT": put}[write.method]
    url, valid, first = write.url, write.valid, write.first
    past_64_bits = (
        send(url, _with(valid, {first: OVERFLOW}), field=first)  # no such row: 422
        if write.first_is_id
        else send(url, _with(valid, {first: OVERFLOW}), 400, field=first)  # not text
    )
    cases = {
        f"{name}-json-array": send(url, lambda s: [valid(s)], 400, "malformed"),
        f"{name}-json-string": send(url, "title", 400, "malformed"),
        f"{name}-json-number": send(url, 3, 400, "malformed"),
        f"{name}-json-null": send(url, raw=b"null", status=400, code="malformed"),
        f"{name}-json-true": send(url, True, 400, "malformed"),
        f"{name}-malformed-json": send(url, raw=b'{"title": ', status=400, code="malformed"),
        f"{name}-trailing-garbage": send(
            url, raw=raw_json(valid, ("}", "} x")), status=400, code="malformed"
        ),
        f"{name}-nan": send(
            url,
            raw=raw_json(_with(valid, {first: 0}), (": 0", ": NaN")),
            status=400,
            code="malformed",
        ),  # fmt: skip
        f"{name}-nested-too-deep": send(url, raw=b"[" * 100_000, status=400, code="malformed"),
        f"{name}-number-past-4300-digits": send(
            url,
            raw=raw_json(_with(valid, {first: 0}), (": 0", ": " + "9" * 5000)),
            status=400,
            code="malformed",
        ),  # fmt: skip
        f"{name}-empty-body": send(url, raw=b"", status=400, code="malformed"),
        f"{name}-invalid-utf8": send(
            url,
            raw=raw_json(_with(valid, {first: "XXXX"}), ("XXXX", b"\xff\xfe")),
            status=400,
            code="malformed",
        ),  # fmt: skip
        f"{name}-over-the-size-limit": send(
            url, raw=over_the_limit(valid, first), status=413, code="too_large"
        ),
        f"{name}-text-plain": send(
            url,
            raw=raw_json(valid),
            content_type="text/plain",
            status=415,
            code="unsupported_media_type",
        ),  # fmt: skip
        f"{name}-form-encoded": send(
            url,
            raw=b"title=x&body=y",
            content_type="application/x-www-form-urlencoded",
            status=415,
            code="unsupported_media_type",
        ),  # fmt: skip
        f"{name}-no-content-type": send(
            url, raw=raw_json(valid), content_type="", status=415, code="unsupported_media_type"
        ),
        f"{name}-unknown-member": send(url, _with(valid, {"foo": 1}), field="foo"),
        f"{name}-id-member": send(url, _with(valid, {"id": 1}), field="id"),
        f"{name}-created-by-member": send(
            url, _with(valid, {"created_by": "admin"}), field="created_by"
        ),
        f"{name}-list-member": send(url, _with(valid, {first: ["x"]}), 400, field=first),
        f"{name}-object-member": send(url, _with(valid, {first: {"x": 1}}), 400, field=first),
        f"{name}-boolean-member": send(url, _with(valid, {first: True}), 400, field=first),
        f"{name}-float-member": send(url, _with(valid, {first: 1.5}), 400, field=first),
        f"{name}-number-member": past_64_bits,
    }
    for case in cases.values():
        case.user = write.user
    return cases


BAD: dict[str, Bad] = {}
for _name, _write in write_endpoints().items():
    BAD |= _every(_name, _write)

BAD |= {
    # --- article-create ---
    "article-create-title-missing": post(ARTICLES, new_article(title=DROP), field="title"),
    "article-create-body-missing": post(ARTICLES, new_article(body=DROP), field="body"),
    "article-create-body-blank": post(ARTICLES, new_article(body=" \n\t "), field="body"),
    "article-create-title-null": post(ARTICLES, new_article(title=None), field="title"),
    "article-create-title-nul": post(ARTICLES, new_article(title="Strike\x00"), field="title"),
    "article-create-title-bell": post(ARTICLES, new_article(title="Strike\x07"), field="title"),
    "article-create-title-line-break": post(
        ARTICLES, new_article(title="Strike\non Kharkiv"), field="title"
    ),
    "article-create-title-surrogate": post(
        ARTICLES, new_article(title="Strike \ud800"), field="title"
    ),
    "article-create-body-surrogate": post(
        ARTICLES, new_article(body="Text \udfff here"), field="body"
    ),
    "article-create-outlet-surrogate": post(ARTICLES, new_article(outlet="\ud83d"), field="outlet"),
    "article-create-title-too-long": post(ARTICLES, new_article(title="x" * 501), field="title"),
    "article-create-url-javascript": post(
        ARTICLES, new_article(url="javascript:alert(1)"), field="url"
    ),
    "article-create-url-ftp": post(ARTICLES, new_article(url="ftp://example.org/a"), field="url"),
    "article-create-url-too-long": post(
        ARTICLES, new_article(url="https://example.org/" + "a" * 2000), field="url"
    ),
    "article-create-published-at-words": post(
        ARTICLES, new_article(published_at="yesterday-ish"), field="published_at"
    ),
    "article-create-published-at-number": post(
        ARTICLES, new_article(published_at=1700000000), 400, field="published_at"
    ),
    "article-create-published-before-year-1-in-utc": post(
        ARTICLES, new_article(published_at="0001-01-01T00:30:00+05:00"), field="published_at"
    ),
    "article-create-language-too-long": post(
        ARTICLES, new_article(language="x" * 17), field="language"
    ),
    "article-create-version": post(ARTICLES, new_article(version=1), field="version"),
    "article-create-already-here": post(
        ARTICLES, new_article(body=lambda s: s.article.body), 409, "duplicate"
    ),
    "article-create-as-viewer": post(ARTICLES, new_article(), 403, "forbidden", user="viewer"),
    # --- article-correct ---
    "article-correct-if-match-missing": patch(
        ARTICLE, correction(), 428, "precondition_required", headers={"If-Match": ""}
    ),
    "article-correct-if-match-word": patch(
        ARTICLE, correction(), 400, "malformed", headers={"If-Match": "latest"}
    ),
    "article-correct-if-match-star": patch(
        ARTICLE, correction(), 400, "malformed", headers={"If-Match": "*"}
    ),
    "article-correct-if-match-negative": patch(
        ARTICLE, correction(), 400, "malformed", headers={"If-Match": '"-2"'}
    ),
    "article-correct-if-match-decimal": patch(
        ARTICLE, correction(), 400, "malformed", headers={"If-Match": '"2.0"'}
    ),
    "article-correct-if-match-two-versions": patch(
        ARTICLE, correction(), 400, "malformed", headers={"If-Match": '"1", "2"'}
    ),
    "article-correct-if-match-huge": patch(
        ARTICLE, correction(), 400, "malformed", headers={"If-Match": '"' + "9" * 30 + '"'}
    ),
    "article-correct-if-match-control": patch(
        ARTICLE, correction(), 400, "malformed", headers={"If-Match": '"2\x00"'}
    ),
    "article-correct-if-match-stale": patch(
        ARTICLE, correction(), 412, "version_mismatch", headers={"If-Match": '"1"'}
    ),
    "article-correct-if-match-zero": patch(
        ARTICLE, correction(), 400, "malformed", headers={"If-Match": '"0"'}
    ),
    "article-correct-version-in-body": patch(ARTICLE, correction(version=2), field="version"),
    "article-correct-title-empty": patch(ARTICLE, correction(title=""), field="title"),
    "article-correct-title-null": patch(ARTICLE, correction(title=None), field="title"),
    "article-correct-body-blank": patch(ARTICLE, correction(body="   "), field="body"),
    "article-correct-body-surrogate": patch(
        ARTICLE, correction(body="Strike \ud800"), field="body"
    ),
    "article-correct-note-too-long": patch(ARTICLE, correction(note="x" * 501), field="note"),
    "article-correct-note-nul": patch(ARTICLE, correction(note="a\x00b"), field="note"),
    "article-correct-someone-elses": patch(
        ARTICLE, correction(), 403, "forbidden", user="other_editor"
    ),
    "article-correct-deleted": Bad(
        "PATCH",
        "/api/v1/articles/{dead_article}/",
        correction(),
        404,
        "not_found",
        headers={"If-Match": '"1"'},
    ),  # fmt: skip
    "article-correct-never-there": Bad(
        "PATCH",
        "/api/v1/articles/999999/",
        correction(),
        404,
        "not_found",
        headers={"If-Match": '"1"'},
    ),  # fmt: skip
    "article-correct-id-past-64-bits": Bad(
        "PATCH",
        f"/api/v1/articles/{OVERFLOW}/",
        correction(),
        404,
        "not_found",
        headers={"If-Match": '"1"'},
    ),  # fmt: skip
    "article-delete-deleted": Bad(
        "DELETE", "/api/v1/articles/{dead_article}/", None, 404, "not_found"
    ),  # fmt: skip
    "article-delete-someone-elses": Bad(
        "DELETE", ARTICLE, None, 403, "forbidden", user="other_editor"
    ),
    # --- claim-create: offsets and quote ---
    "claim-create-start-negative": post(CLAIMS, new_claim(start=-1), field="start"),
    "claim-create-end-negative": post(CLAIMS, new_claim(end=-4), field="end"),
    "claim-create-start-as-text": post(CLAIMS, new_claim(start="10"), 400, field="start"),
    "claim-create-start-float": post(CLAIMS, new_claim(start=10.0), 400, field="start"),
    "claim-create-start-boolean": post(CLAIMS, new_claim(start=False), 400, field="start"),
    "claim-create-start-list": post(CLAIMS, new_claim(start=[10]), 400, field="start"),
    "claim-create-start-null": post(CLAIMS, new_claim(start=None), field="start"),
    "claim-create-offsets-past-64-bits": post(
        CLAIMS, new_claim(start=OVERFLOW, end=OVERFLOW + 5), field="start"
    ),
    "claim-create-start-equals-end": post(
        CLAIMS, new_claim(end=lambda s: s.span()["start"]), field="non_field_errors"
    ),
    "claim-create-start-after-end": post(
        CLAIMS, new_claim(start=lambda s: s.span()["end"] + 5), field="non_field_errors"
    ),
    "claim-create-end-past-the-body": post(
        CLAIMS, new_claim(end=lambda s: len(s.article.body) + 5)
    ),
    "claim-create-quote-not-the-text": post(
        CLAIMS, new_claim(quote="Ирина said the windows came in")
    ),
    "claim-create-quote-off-by-one": post(
        CLAIMS,
        new_claim(start=lambda s: s.span()["start"] + 1, end=lambda s: s.span()["end"] + 1),
    ),
    "claim-create-quote-missing": post(CLAIMS, new_claim(quote=DROP), field="quote"),
    "claim-create-quote-too-long": post(
        CLAIMS, new_claim(quote="x" * (QUOTE_MAX + 1)), field="quote"
    ),
    "claim-create-quote-nul": post(CLAIMS, new_claim(quote="Ірина\x00said"), field="quote"),
    "claim-create-quote-escape-char": post(CLAIMS, new_claim(quote="Ірина\x1bsaid"), field="quote"),
    "claim-create-quote-surrogate": post(
        CLAIMS, new_claim(quote="Ірина \udc00said"), field="quote"
    ),
    "claim-create-quote-surrogate-pair-escaped-apart": post(
        CLAIMS,
        raw=raw_json(new_claim(quote="X"), ('"X"', '"\\ud83c said \\udde6"')),
        field="quote",
    ),
    # --- claim-create: the article ---
    "claim-create-article-deleted": post(
        CLAIMS, new_claim(article=lambda s: s.dead_article.pk), 404, "not_found"
    ),
    "claim-create-article-never-there": post(CLAIMS, new_claim(article=999_999), 404, "not_found"),
    "claim-create-article-past-64-bits": post(CLAIMS, new_claim(article=OVERFLOW), field="article"),
    "claim-create-article-zero": post(CLAIMS, new_claim(article=0), field="article"),
    "claim-create-article-as-text": post(
        CLAIMS, new_claim(article=lambda s: str(s.article.pk)), 400, field="article"
    ),
    "claim-create-article-missing": post(CLAIMS, new_claim(article=DROP), field="article"),
    # --- claim-create: label, source, details, version ---
    "claim-create-label-unknown": post(CLAIMS, new_claim(label="true"), field="label"),
    "claim-create-label-wrong-case": post(CLAIMS, new_claim(label="Verified"), field="label"),
    "claim-create-label-null": post(CLAIMS, new_claim(label=None), field="label"),
    "claim-create-source-never-there": post(CLAIMS, new_claim(source=999_999), field="source"),
    "claim-create-source-past-64-bits": post(CLAIMS, new_claim(source=OVERFLOW), field="source"),
    "claim-create-source-as-text": post(CLAIMS, new_claim(source="SBU"), 400, field="source"),
    "claim-create-source-rejected": post(CLAIMS, new_claim(source=lambda s: s.rejected.pk)),
    "claim-create-unattributed-with-source": post(
        CLAIMS, new_claim(label="unattributed", source=lambda s: s.source.pk)
    ),
    "claim-create-source-and-a-proposal": post(
        CLAIMS,
        new_claim(source=lambda s: s.source.pk, new_source_name="Brand new outlet"),
        field="non_field_errors",
    ),  # fmt: skip
    "claim-create-proposal-kind-unknown": post(
        CLAIMS,
        new_claim(new_source_name="Brand new outlet", new_source_kind="rumour"),
        field="new_source_kind",
    ),  # fmt: skip
    "claim-create-proposal-name-surrogate": post(
        CLAIMS, new_claim(new_source_name="Rybar \ud800"), field="new_source_name"
    ),
    "claim-create-evidence-javascript": post(
        CLAIMS, new_claim(evidence_url="JaVaScRiPt:alert(1)"), field="evidence_url"
    ),
    "claim-create-evidence-data-url": post(
        CLAIMS, new_claim(evidence_url="data:text/html,<script>"), field="evidence_url"
    ),
    "claim-create-note-too-long": post(CLAIMS, new_claim(note="x" * (NOTE_MAX + 1)), field="note"),
    "claim-create-credibility-seven": post(CLAIMS, new_claim(credibility=7), field="credibility"),
    "claim-create-credibility-as-text": post(
        CLAIMS, new_claim(credibility="2"), 400, field="credibility"
    ),
    "claim-create-version-zero": post(CLAIMS, new_claim(version=0), field="version"),
    "claim-create-version-stale-passage-gone": post(
        CLAIMS,
        lambda s: {
            "article": s.article.pk,
            "start": BODY.index(STALE_QUOTE),
            "end": BODY.index(STALE_QUOTE) + len(STALE_QUOTE),
            "quote": STALE_QUOTE,
            "label": "disputed",
            "version": 1,
        },
        409,
        "stale",
    ),
    "claim-create-as-viewer": post(CLAIMS, new_claim(), 403, "forbidden", user="viewer"),
    # --- claim-update ---
    "claim-update-label-unknown": patch(CLAIM, change(label="maybe"), field="label"),
    "claim-update-label-null": patch(CLAIM, change(label=None), field="label"),
    "claim-update-span": patch(CLAIM, change(start=0), field="start"),
    "claim-update-quote": patch(CLAIM, change(quote="31 of 38"), field="quote"),
    "claim-update-article": patch(CLAIM, change(article=1), field="article"),
    "claim-update-source-never-there": patch(CLAIM, change(source=999_999), field="source"),
    "claim-update-source-rejected": patch(CLAIM, change(source=lambda s: s.rejected.pk)),
    "claim-update-unattributed-with-source": patch(
        CLAIM, change(label="unattributed", source=lambda s: s.source.pk)
    ),
    "claim-update-evidence-ftp": patch(
        CLAIM, change(evidence_url="ftp://example.org/leak"), field="evidence_url"
    ),
    "claim-update-note-nul": patch(CLAIM, change(note="before\x00after"), field="note"),
    "claim-update-note-surrogate": patch(CLAIM, change(note="half \udbff"), field="note"),
    "claim-update-summary-too-long": patch(
        CLAIM, change(public_summary="x" * 2001), field="public_summary"
    ),
    "claim-update-someone-elses": patch(CLAIM, change(), 403, "forbidden", user="other_editor"),
    "claim-update-as-viewer": patch(CLAIM, change(), 403, "forbidden", user="viewer"),
    "claim-update-on-a-deleted-article": Bad(
        "PATCH", "/api/v1/claims/{dead_claim}/", change(), 404, "not_found"
    ),
    "claim-update-never-there": Bad("PATCH", "/api/v1/claims/999999/", change(), 404, "not_found"),
    "claim-delete-someone-elses": Bad("DELETE", CLAIM, None, 403, "forbidden", user="other_editor"),
    "claim-delete-on-a-deleted-article": Bad(
        "DELETE", "/api/v1/claims/{dead_claim}/", None, 404, "not_found"
    ),
    "claim-history-on-a-deleted-article": Bad(
        "GET", "/api/v1/claims/{dead_claim}/history/", None, 404, "not_found"
    ),
    # --- article-from-url ---
    "article-from-url-missing": post(FROM_URL, link(url=DROP), field="url"),
    "article-from-url-empty": post(FROM_URL, link(url=""), field="url"),
    "article-from-url-null": post(FROM_URL, link(url=None), field="url"),
    "article-from-url-javascript": post(FROM_URL, link(url="javascript:alert(1)"), field="url"),
    "article-from-url-ftp": post(FROM_URL, link(url="ftp://example.org/a"), field="url"),
    "article-from-url-file": post(FROM_URL, link(url="file:///etc/passwd"), field="url"),
    "article-from-url-too-long": post(
        FROM_URL, link(url="https://example.org/" + "a" * 2000), field="url"
    ),
    "article-from-url-nul": post(FROM_URL, link(url="https://example.org/a\x00b"), field="url"),
    "article-from-url-line-break": post(
        FROM_URL, link(url="https://example.org/a\nb"), field="url"
    ),
    "article-from-url-surrogate": post(
        FROM_URL, link(url="https://example.org/\ud800"), field="url"
    ),
    "article-from-url-already-here": post(FROM_URL, link(url=LINK), 409, "duplicate"),
    "article-from-url-as-viewer": post(FROM_URL, link(), 403, "forbidden", user="viewer"),
    # --- jobs ---
    "job-someone-elses": get(JOB, 403, "forbidden", user="other_editor"),
    "job-as-a-reviewer": get(JOB, 403, "forbidden", user="reviewer"),
    "job-never-there": get("/api/v1/jobs/999999/", 404, "not_found"),
    "job-id-past-64-bits": get(f"/api/v1/jobs/{OVERFLOW}/", 404, "not_found"),
    "job-id-word": get("/api/v1/jobs/latest/", 404, "not_found"),
    # --- source-propose ---
    "source-propose-name-missing": post(SOURCES, new_source(name=DROP), field="name"),
    "source-propose-name-blank": post(SOURCES, new_source(name="  \t "), field="name"),
    "source-propose-name-null": post(SOURCES, new_source(name=None), field="name"),
    "source-propose-name-too-long": post(SOURCES, new_source(name="x" * 201), field="name"),
    "source-propose-name-nul": post(SOURCES, new_source(name="Kyiv\x00Post"), field="name"),
    "source-propose-name-line-break": post(
        SOURCES, new_source(name="Kyiv\nIndependent"), field="name"
    ),
    "source-propose-name-surrogate": post(SOURCES, new_source(name="Rybar \udfff"), field="name"),
    "source-propose-name-taken": post(SOURCES, new_source(name="SBU"), field="name"),
    "source-propose-name-taken-folded": post(SOURCES, new_source(name="ｓｂｕ"), field="name"),
    "source-propose-kind-unknown": post(SOURCES, new_source(kind="wizard"), field="kind"),
    "source-propose-kind-number": post(SOURCES, new_source(kind=3), 400, field="kind"),
    "source-propose-url-javascript": post(
        SOURCES, new_source(url="javascript:alert(1)"), field="url"
    ),
    "source-propose-description-too-long": post(
        SOURCES, new_source(description="x" * (NOTE_MAX + 1)), field="description"
    ),
    "source-propose-reliability": post(SOURCES, new_source(reliability="A"), field="reliability"),
    "source-propose-review-status": post(
        SOURCES, new_source(review_status="approved"), field="review_status"
    ),
    "source-propose-as-viewer": post(SOURCES, new_source(), 403, "forbidden", user="viewer"),
    # --- source-review (a reviewer's) ---
    "source-review-decision-unknown": by_reviewer(
        REVIEW, review(decision="maybe"), field="decision"
    ),
    "source-review-decision-pending": by_reviewer(
        REVIEW, review(decision="pending"), field="decision"
    ),
    "source-review-decision-missing": by_reviewer(REVIEW, review(decision=DROP), field="decision"),
    "source-review-reliability-unknown": by_reviewer(
        REVIEW, review(reliability="Z"), field="reliability"
    ),
    "source-review-reliability-lower-case": by_reviewer(
        REVIEW, review(reliability="b"), field="reliability"
    ),
    "source-review-expected-status-missing": by_reviewer(
        REVIEW, review(expected_status=DROP), field="expected_status"
    ),
    "source-review-expected-status-stale": by_reviewer(REVIEW, review(expected_status="rejected")),
    "source-review-reconsider-text": by_reviewer(
        REVIEW, review(reconsider="yes"), 400, field="reconsider"
    ),
    "source-review-note-too-long": by_reviewer(
        REVIEW, review(note="x" * (NOTE_MAX + 1)), field="note"
    ),
    "source-review-note-nul": by_reviewer(REVIEW, review(note="a\x00b"), field="note"),
    # --- source-merge (a reviewer's) ---
    "source-merge-other-missing": by_reviewer(MERGE, merge(other=DROP), field="other"),
    "source-merge-other-null": by_reviewer(MERGE, merge(other=None), field="other"),
    "source-merge-other-never-there": by_reviewer(MERGE, merge(other=999_999), field="other"),
    "source-merge-other-zero": by_reviewer(MERGE, merge(other=0), field="other"),
    "source-merge-other-negative": by_reviewer(MERGE, merge(other=-3), field="other"),
    "source-merge-other-as-text": by_reviewer(
        MERGE, merge(other="Rybar channel"), 400, field="other"
    ),
    "source-merge-into-itself": by_reviewer(MERGE, merge(other=lambda s: s.pending.pk)),
    # --- sources: read ---
    "source-never-there": get("/api/v1/sources/999999/", 404, "not_found"),
    "source-id-past-64-bits": get(f"/api/v1/sources/{OVERFLOW}/", 404, "not_found"),
    "sources-filter-kind-unknown": get(SOURCES + "?kind=wizard", field="kind"),
    "sources-filter-reliability-lower-case": get(SOURCES + "?reliability=b", field="reliability"),
    "sources-filter-review-status-unknown": get(
        SOURCES + "?review_status=maybe", field="review_status"
    ),
    "sources-filter-kind-twice": get(SOURCES + "?kind=media&kind=military", field="kind"),
    "sources-filter-q-too-long": get(SOURCES + "?q=" + "x" * 201, field="q"),
    "sources-filter-q-nul": get(SOURCES + "?q=a%00b", field="q"),
    "sources-filter-not-utf8": get(SOURCES + "?q=%FF", code="malformed"),
    "sources-page-size-zero": get(SOURCES + "?page_size=0", field="page_size"),
    "sources-cursor-position-word": get(
        SOURCES + "?cursor=" + cursor("p=zzz"), code="invalid_cursor"
    ),
    # --- exports ---
    "export-csv-label-unknown": get(CSV + "?label=nonsense", field="label"),
    "export-csv-label-twice": get(CSV + "?label=disputed&label=verified", field="label"),
    "export-csv-variant-unknown": get(CSV + "?variant=excel", field="variant"),
    "export-csv-variant-twice": get(CSV + "?variant=raw&variant=safe", field="variant"),
    "export-csv-bom-yes": get(CSV + "?bom=yes", field="bom"),
    "export-csv-bom-twice": get(CSV + "?bom=1&bom=0", field="bom"),
    "export-csv-article-word": get(CSV + "?article=abc", field="article"),
    "export-csv-not-utf8": get(CSV + "?outlet=%FF", code="malformed"),
    "export-jsonld-date-impossible": get(JSONLD + "?date_to=2025-02-30", field="date_to"),
    "export-jsonld-page-word": get(JSONLD + "?page=last", field="page"),
    "export-jsonld-page-negative": get(JSONLD + "?page=-1", field="page"),
    "export-jsonld-page-huge": get(JSONLD + "?page=" + "9" * 30, field="page"),
    "export-jsonld-page-twice": get(JSONLD + "?page=1&page=2", field="page"),
    "export-jsonld-page-past-the-end": get(JSONLD + "?page=99", 404, "not_found"),
    "export-claimreview-source-word": get(CLAIMREVIEW + "?source=SBU", field="source"),
    "export-claimreview-no-outlet-maybe": get(CLAIMREVIEW + "?no_outlet=maybe", field="no_outlet"),
    # --- paths no endpoint has (any method: a 404 problem, nothing written) ---
    "path-claim-id-word": get("/api/v1/claims/abc/", 404, "not_found"),
    "path-claim-id-negative": get("/api/v1/claims/-1/", 404, "not_found"),
    "path-article-id-list": get("/api/v1/articles/1,2/", 404, "not_found"),
    "path-unknown-collection": get("/api/v1/clams/", 404, "not_found"),
    "path-post-unknown-collection": post("/api/v1/clams/", new_claim(), 404, "not_found"),
    "path-post-without-the-slash": post("/api/v1/claims", new_claim(), 404, "not_found"),
    "path-put-claim-id-word": Bad("PUT", "/api/v1/claims/abc/", change(), 404, "not_found"),
    "path-patch-article-id-negative": patch("/api/v1/articles/-1/", correction(), 404, "not_found"),
    "path-delete-below-a-claim": Bad("DELETE", "/api/v1/claims/{claim}/x/", None, 404, "not_found"),
    "path-options-unknown-collection": Bad("OPTIONS", "/api/v1/clams/", None, 404, "not_found"),
    # --- list filters ---
    "claims-filter-label-unknown": get(CLAIMS + "?label=nonsense", field="label"),
    "claims-filter-label-twice": get(CLAIMS + "?label=disputed&label=verified", field="label"),
    "claims-filter-article-word": get(CLAIMS + "?article=abc", field="article"),
    "claims-filter-article-zero": get(CLAIMS + "?article=0", field="article"),
    "claims-filter-article-past-64-bits": get(CLAIMS + f"?article={OVERFLOW}", field="article"),
    "claims-filter-source-float": get(CLAIMS + "?source=1.5", field="source"),
    "claims-filter-editor-never-there": get(CLAIMS + "?editor=999999", field="editor"),
    "claims-filter-date-impossible": get(CLAIMS + "?date_from=2025-13-45", field="date_from"),
    "claims-filter-q-too-long": get(CLAIMS + "?q=" + "x" * 201, field="q"),
    "claims-filter-q-nul": get(CLAIMS + "?q=a%00b", field="q"),
    "claims-filter-q-not-utf8": get(CLAIMS + "?q=%FF%FE", code="malformed"),
    "claims-filter-no-outlet-maybe": get(CLAIMS + "?no_outlet=maybe", field="no_outlet"),
    "claims-filter-no-outlet-on": get(CLAIMS + "?no_outlet=on", field="no_outlet"),
    "claims-filter-anchor-state-unknown": get(CLAIMS + "?anchor_state=lost", field="anchor_state"),
    "articles-filter-status-unknown": get(ARTICLES + "?status=published", field="status"),
    "articles-filter-sort-unknown": get(ARTICLES + "?sort=-id", field="sort"),
    "articles-filter-sort-title": get(ARTICLES + "?sort=title", field="sort"),  # newest first
    "articles-filter-has-disputed-yes": get(ARTICLES + "?has_disputed=yes", field="has_disputed"),
    "articles-filter-date-words": get(ARTICLES + "?date_to=yesterday", field="date_to"),
    "articles-filter-language-nul": get(ARTICLES + "?language=e%00n", field="language"),
    "articles-filter-not-utf8": get(ARTICLES + "?outlet=%C0%AF", code="malformed"),
    # --- pages and cursors ---
    "claims-page-size-zero": get(CLAIMS + "?page_size=0", field="page_size"),
    "claims-page-size-negative": get(CLAIMS + "?page_size=-5", field="page_size"),
    "claims-page-size-over-500": get(CLAIMS + "?page_size=501", field="page_size"),
    "claims-page-size-word": get(CLAIMS + "?page_size=all", field="page_size"),
    "claims-page-size-twice": get(CLAIMS + "?page_size=5&page_size=6", field="page_size"),
    "articles-page-size-float": get(ARTICLES + "?page_size=2.5", field="page_size"),
    "claims-cursor-not-base64": get(CLAIMS + "?cursor=abc", code="invalid_cursor"),
    "claims-cursor-position-word": get(
        CLAIMS + "?cursor=" + cursor("p=zzz"), code="invalid_cursor"
    ),
    "claims-cursor-position-negative": get(
        CLAIMS + "?cursor=" + cursor("p=-1"), code="invalid_cursor"
    ),
    "claims-cursor-position-float": get(
        CLAIMS + "?cursor=" + cursor("p=1.5"), code="invalid_cursor"
    ),
    "claims-cursor-position-nul": get(CLAIMS + "?cursor=" + cursor("p=%00"), code="invalid_cursor"),
    "claims-cursor-position-past-64-bits": get(
        CLAIMS + "?cursor=" + cursor(f"p={OVERFLOW}"), code="invalid_cursor"
    ),
    "claims-cursor-position-5000-digits": get(
        CLAIMS + "?cursor=" + cursor("p=" + "9" * 5000), code="invalid_cursor"
    ),
    "claims-cursor-offset-negative": get(
        CLAIMS + "?cursor=" + cursor("o=-3"), code="invalid_cursor"
    ),
    "claims-cursor-reverse-word": get(CLAIMS + "?cursor=" + cursor("r=x"), code="invalid_cursor"),
    "claims-cursor-twice": get(
        CLAIMS + "?cursor=" + cursor("p=5") + "&cursor=" + cursor("p=6"), code="invalid_cursor"
    ),
    "articles-cursor-position-word": get(
        ARTICLES + "?cursor=" + cursor("p=zzz"), code="invalid_cursor"
    ),
    "articles-cursor-not-ascii": get(ARTICLES + "?cursor=%C3%A9", code="invalid_cursor"),
}

BAD |= {  # similar claims: suggestions, links, shared claims
    "claim-link-both": post(
        CLAIM_LINK, link_claim(shared_claim=lambda s: s.shared.pk), field="non_field_errors"
    ),
    "claim-link-neither": post(CLAIM_LINK, link_claim(other=DROP), field="non_field_errors"),
    "claim-link-to-itself": post(CLAIM_LINK, link_claim(other=lambda s: s.claim.pk)),
    "claim-link-other-deleted": post(
        CLAIM_LINK, link_claim(other=lambda s: s.dead_claim.pk), field="other"
    ),
    "claim-link-shared-never-there": post(
        CLAIM_LINK, link_claim(other=DROP, shared_claim=999_999), field="shared_claim"
    ),
    "claim-link-needs-a-merge": post(
        CLAIM_LINK, link_claim(other=lambda s: s.twin_claim.pk), 409, "merge_needed"
    ),
    "claim-link-as-viewer": post(CLAIM_LINK, link_claim(), 403, "forbidden", user="viewer"),
    "claim-link-on-a-deleted-article": post(
        "/api/v1/claims/{dead_claim}/link/", link_claim(), 404, "not_found"
    ),
    "claim-unlink-as-viewer": Bad("DELETE", CLAIM_LINK, None, 403, "forbidden", user="viewer"),
    "claim-similar-limit-zero": get(SIMILAR + "?limit=0", field="limit"),
    "claim-similar-limit-word": get(SIMILAR + "?limit=all", field="limit"),
    "claim-similar-on-a-deleted-article": get(
        "/api/v1/claims/{dead_claim}/similar/", 404, "not_found"
    ),
    "shared-claim-merge-into-itself": by_reviewer(
        SHARED_MERGE, merge_shared(other=lambda s: s.shared.pk)
    ),
    "shared-claim-merge-as-editor": post(SHARED_MERGE, merge_shared(), 403, "forbidden"),
    "shared-claim-merge-never-there": by_reviewer(
        "/api/v1/shared-claims/999999/merge/", merge_shared(), 404, "not_found"
    ),
    "shared-claim-never-there": get("/api/v1/shared-claims/999999/", 404, "not_found"),
}

BAD |= {  # the W3C Web Annotation Protocol's container
    "w3c-create-generic-target": post(
        W3C_CONTAINER,
        w3c_new(target="http://www.example.com/index.html"),
        code="unknown_target",
        field="target",
    ),
    "w3c-create-on-a-deleted-article": post(
        W3C_CONTAINER,
        w3c_new(target=lambda s: {"source": f"http://testserver/articles/{s.dead_article.pk}/"}),
        code="unknown_target",
        field="target",
    ),
    "w3c-create-quote-not-the-text": post(
        W3C_CONTAINER,
        lambda s: {
            **w3c_new()(s),
            "target": {
                "source": f"http://testserver/articles/{s.article.pk}/",
                "selector": [{"type": "TextQuoteSelector", "exact": "Ирина said"}],
            },
        },
        field="target.selector.TextQuoteSelector.exact",
    ),
    "w3c-create-label-unknown": post(
        W3C_CONTAINER,
        w3c_new(body=[{"type": "TextualBody", "purpose": "assessing", "value": "true"}]),
        field="body.assessing",
    ),
    "w3c-create-as-viewer": post(W3C_CONTAINER, w3c_new(), 403, "forbidden", user="viewer"),
    "w3c-update-if-match-missing": put(
        W3C_ANNOTATION, w3c_change(), 428, "precondition_required", headers={"If-Match": ""}
    ),
    "w3c-update-if-match-stale": put(
        W3C_ANNOTATION, w3c_change(), 412, "version_mismatch", headers={"If-Match": '"1"'}
    ),
    "w3c-update-target-moved": put(
        W3C_ANNOTATION,
        w3c_change(target={"source": "http://www.example.com/other.html"}),
        409,
        "target_change",
        field="target",
    ),
    "w3c-update-someone-elses": put(
        W3C_ANNOTATION, w3c_change(), 403, "forbidden", user="other_editor"
    ),
    "w3c-update-on-a-deleted-article": put(
        "/api/v1/annotations/{dead_claim}/",
        w3c_change(),
        404,
        "not_found",
        headers={"If-Match": "*"},
    ),
    "w3c-delete-someone-elses": Bad(
        "DELETE", W3C_ANNOTATION, None, 403, "forbidden", headers=W3C_CURRENT, user="other_editor"
    ),
    "w3c-delete-if-match-missing": Bad(
        "DELETE", W3C_ANNOTATION, None, 428, "precondition_required"
    ),
    "w3c-container-page-negative": get(W3C_CONTAINER + "?page=-1", field="page"),
    "w3c-container-page-past-the-end": get(W3C_CONTAINER + "?page=9", 404, "not_found"),
}


def _reviewers_only(action: str, valid: Callable[[Scene], dict]) -> dict[str, Bad]:
    """A review or a merge (`action`) of a source not there, or by someone who may not."""
    return {
        f"source-{action}-never-there": by_reviewer(
            f"/api/v1/sources/999999/{action}/", valid, 404, "not_found"
        ),
        f"source-{action}-id-past-64-bits": by_reviewer(
            f"/api/v1/sources/{OVERFLOW}/{action}/", valid, 404, "not_found"
        ),
        f"source-{action}-as-editor": post(
            f"/api/v1/sources/{{pending}}/{action}/", valid, 403, "forbidden"
        ),
        f"source-{action}-as-viewer": post(
            f"/api/v1/sources/{{pending}}/{action}/", valid, 403, "forbidden", user="viewer"
        ),
    }


BAD |= _reviewers_only("review", review()) | _reviewers_only("merge", merge())


# --- The tests -------------------------------------------------------------------------------


def _resolve(value, s: Scene):
    return value(s) if callable(value) else value


def _send(client, case: Bad, s: Scene):
    headers = {key: _resolve(value, s) for key, value in case.headers.items()}
    headers["Authorization"] = f"Bearer {s.tokens[case.user]}"
    if case.raw is not None:
        data = _resolve(case.raw, s)
    elif case.body is None:
        data = b""
    else:
        data = json.dumps(_resolve(case.body, s)).encode()
    extra = {"CONTENT_TYPE": case.content_type} if case.content_type == "" else {}
    return client.generic(
        case.method,
        case.url.format(**s.ids),
        data,
        content_type=case.content_type or "application/octet-stream",
        headers=headers,
        **extra,
    )


@pytest.mark.parametrize("case", [pytest.param(c, id=k) for k, c in BAD.items()])
def test_bad_input_gets_a_4xx_problem_and_writes_nothing(case, scene, client):
    before = snapshot()

    response = _send(client, case, scene)

    assert snapshot() == before, "bad input changed the database"
    assert response.status_code == case.status, response.content[:500]
    assert response["Content-Type"] == PROBLEM_JSON, response.content[:300]
    problem = response.json()
    assert problem["status"] == case.status and problem["title"] and problem["detail"]
    assert problem["code"] == case.code, problem
    if case.member is not None:
        assert case.member in problem.get("errors", {}), problem


def test_the_valid_bodies_of_the_table_are_accepted(scene, client):
    """The table's cases are one change away from a request that works: these are it."""
    for name, write in write_endpoints().items():
        headers = CURRENT if write.url == ARTICLE else {}
        if write.url == W3C_ANNOTATION:
            headers = W3C_CURRENT
        case = Bad(write.method, write.url, write.valid, headers=headers, user=write.user)
        response = _send(client, case, scene)
        assert response.status_code in (200, 201, 202), (name, response.content[:300])
        scene.article.refresh_from_db()


def test_every_write_endpoint_of_the_api_is_in_the_table():
    """A new endpoint that takes a body gets the cases every write endpoint gets."""
    from django.urls import resolve

    from tests.test_api_matrix import api_url_patterns

    writes = set()
    for pattern, name in api_url_patterns():
        if name == "not-found":  # no endpoint: a 404 problem to every method ("path-…")
            continue
        view = resolve("/" + pattern.replace("<int:pk>", "1")).func.cls
        writes |= {(m.upper(), name) for m in ("post", "put", "patch") if hasattr(view, m)}
    covered = {
        (write.method, resolve(write.url.format(**SAMPLE_IDS)).url_name)
        for write in write_endpoints().values()
    }
    assert writes == covered, "Add the new write endpoint to write_endpoints()"
    assert len(write_endpoints()) == len(covered)


SAMPLE_IDS = dict.fromkeys(("article", "claim", "pending", "job", "shared"), 1)


def test_the_table_is_big_enough_to_mean_something():
    assert len(BAD) >= 200


@pytest.mark.parametrize("url", [ARTICLE, CLAIM])
def test_a_patch_that_changes_nothing_writes_nothing(url, scene, client):
    """`{}`, or the values the row has: 200 with the row as it is, and no new version of
    the article (which would fail every other script's If-Match) nor history row. Still
    only for those who may change it."""
    headers = CURRENT if url == ARTICLE else {}
    same = (
        {"title": scene.article.title, "note": "Nothing"}
        if url == ARTICLE
        else {"label": "disputed"}
    )
    for body, who, status in [
        ({}, "editor", 200),
        (same, "editor", 200),
        ({}, "other_editor", 403),
    ]:
        before = snapshot()
        response = _send(client, Bad("PATCH", url, body, status, user=who, headers=headers), scene)
        assert response.status_code == status, response.content[:300]
        assert snapshot() == before
        if status == 200 and url == ARTICLE:
            assert response.json()["version"] == 2 and response["ETag"] == '"2"'
