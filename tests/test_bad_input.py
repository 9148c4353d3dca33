"""Bad input against the write endpoints: a clear 4xx with a readable message, and no write.

Each case is one request (method, URL, form data or a raw body, headers, who sends it). It
must answer the expected status and show a message (an error element of the page, or the
fragment htmx swaps in; for a 405 the `Allow` header), never a 5xx and never a redirect that
reads as success; and the database must be exactly as it was: the counts of Article,
Annotation, Source, SourceAlias and their history tables, and a sha256 over every row of
them (and of the users), are compared before and after. The message's words are not
checked: the interface will be translated. A new case is one entry in BAD.

What the app does with odd requests, checked here rather than assumed:
- invalid UTF-8 in a form body or a query string (raw bytes or %FF-escapes) is refused on
  the raw bytes with a 400 (Django would decode it with U+FFFD replacements and carry on);
- NUL and other control characters, in any field but the article body (normalised), 422;
- a field sent twice (`start=1&start=2`): `request.POST[...]` takes the last value, which
  is validated like any other;
- a body over DATA_UPLOAD_MAX_MEMORY_SIZE, or over DATA_UPLOAD_MAX_NUMBER_FIELDS fields,
  raises when the view reads `request.POST`: 400, with our page;
- the wrong method: 405 with an `Allow` header and an empty body (the header is the message).

ODD_READS covers list pages given filters they cannot use (a page, never a 500). Bad bulk
files (the page and the command) and the admin are in tests/test_bad_files.py. The
"N cases tried, 0 writes" figure is len(BAD) + len(ODD_READS) + those: one test each, each
comparing the database before and after.
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from annotations import services
from annotations.forms import NOTE_MAX, QUOTE_MAX
from annotations.models import (
    Annotation,
    Article,
    SharedClaim,
    Source,
    SourceAlias,
    SuggestionDismissal,
)
from tests.factories import BODY, ArticleFactory, SourceFactory, claim_by, persona

pytestmark = pytest.mark.django_db

TRACKED = (Article, Annotation, Source, SourceAlias, SharedClaim)
UNTRACKED = (SuggestionDismissal,)  # kept without a history of their own


def db_snapshot() -> dict[str, tuple[int, str]]:
    """Row count and sha256 of every row, per tracked table (and its history table)."""
    tables = {}
    for model in (*TRACKED, *(m.history.model for m in TRACKED), *UNTRACKED):
        rows = list(model._base_manager.order_by("pk").values_list())
        tables[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    users = list(
        get_user_model()
        .objects.order_by("pk")
        .values_list("pk", "username", "password", "is_active", "is_superuser")
    )
    tables["users"] = (len(users), hashlib.sha256(repr(users).encode()).hexdigest())
    return tables


# --- The scene every case starts from ---------------------------------------------------------

FREE_QUOTE = "Ірина said the windows came in"  # in the body, no claim on it yet
CLAIM_QUOTE = "31 of 38 drones were shot down"  # editor's claim
ORPHAN_QUOTE = "all designated objects were struck"  # withdrawn by the correction
RESTORED_QUOTE = "Residents had reportedly been evacuated"  # deleted, then restored
REATTACH_QUOTE = "had reportedly been evacuated"
STALE_QUOTE = "Russia’s Ministry of Defence said"  # in version 1 only
WITHDRAWN_LINE = "Russia’s Ministry of Defence said “all designated objects were struck”.\n"
OVERFLOW = 2**63  # one past the largest 64-bit id


@dataclass
class Scene:
    article: Article  # by editor; version 2, WITHDRAWN_LINE removed
    v1_body: str
    claim: Annotation  # by editor
    orphan: Annotation  # by editor, orphaned by the correction
    dead_article: Article  # soft-deleted
    dead_claim: Annotation  # on the soft-deleted article
    source: Source  # "SBU", approved
    rejected: Source
    pending: Source
    restored_deletion: int  # the deletion record of a claim that was restored since
    dead_deletion: int  # the deletion record of a claim whose article was deleted since
    restored_claim: int  # the id of the claim restored since
    dead_deleted_claim: int  # the id of the claim of dead_deletion (deleted by editor)

    @property
    def ids(self) -> dict[str, int]:
        return {
            "article": self.article.pk,
            "claim": self.claim.pk,
            "orphan": self.orphan.pk,
            "dead_article": self.dead_article.pk,
            "dead_claim": self.dead_claim.pk,
            "source": self.source.pk,
            "rejected": self.rejected.pk,
            "pending": self.pending.pk,
            "restored_deletion": self.restored_deletion,
            "dead_deletion": self.dead_deletion,
            "restored_claim": self.restored_claim,
            "dead_deleted_claim": self.dead_deleted_claim,
        }

    def span(self, quote: str = FREE_QUOTE) -> dict:
        start = self.article.body.index(quote)
        return {"start": start, "end": start + len(quote), "quote": quote}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def _scene(rows_for_a_module) -> Iterator[Scene]:
    """The scene, made once for the module's cases (each starts from these rows; see
    `rows_for_a_module`), but for the deletes a claim's author may still undo: `scene` makes
    those for each case."""
    with rows_for_a_module():
        editor, admin_user = persona("editor"), persona("admin_user")
        article = services.article_create(user=editor, title="Strike on Kharkiv", body=BODY)
        claim = claim_by(editor, article, CLAIM_QUOTE)
        orphan = claim_by(editor, article, ORPHAN_QUOTE)
        services.article_correct(
            article=article,
            user=editor,
            expected_version=1,
            body=BODY.replace(WITHDRAWN_LINE, ""),
            note="Claim withdrawn by the outlet",
        )
        article.refresh_from_db()
        orphan.refresh_from_db()
        assert (article.version, orphan.anchor_state) == (2, "orphaned")

        restored = claim_by(editor, article, RESTORED_QUOTE)
        restored_pk = restored.pk
        services.annotation_delete(annotation=restored, user=editor)
        deletion = Annotation.history.get(id=restored_pk, history_type="-").history_id
        services.annotation_restore(history_id=deletion, user=admin_user)

        dead_article = ArticleFactory(title="Withdrawn story", created_by=editor)
        dead_claim = claim_by(editor, dead_article, CLAIM_QUOTE)
        gone = claim_by(editor, dead_article, RESTORED_QUOTE)

        yield Scene(
            article=article,
            v1_body=BODY,
            claim=claim,
            orphan=orphan,
            dead_article=dead_article,
            dead_claim=dead_claim,
            dead_deletion=0,  # by `scene`
            source=SourceFactory(name="SBU"),
            rejected=SourceFactory(name="Fake Front News", review_status="rejected"),
            pending=services.source_create(name="Rybar", user=editor),
            restored_deletion=deletion,
            restored_claim=restored_pk,
            dead_deleted_claim=gone.pk,
        )


@pytest.fixture
def scene(_scene, editor) -> Scene:
    """The module's scene, where the editor deleted a claim and then its article a moment
    ago (an undo is still in time)."""
    scene = copy.deepcopy(_scene)
    gone = Annotation.objects.get(pk=scene.dead_deleted_claim)
    services.annotation_delete(annotation=gone, user=editor)
    deletion = Annotation.history.get(id=scene.dead_deleted_claim, history_type="-")
    scene.dead_deletion = deletion.history_id
    services.article_delete(article=scene.dead_article, user=editor)
    return scene


# --- Building requests ------------------------------------------------------------------------

DROP = object()  # leave the field out


def _resolve(value, s: Scene):
    return value(s) if callable(value) else value


def _form(base: Callable[[Scene], dict], overrides: dict) -> Callable[[Scene], dict]:
    def build(s: Scene) -> dict:
        data = base(s)
        for key, value in overrides.items():
            if value is DROP:
                data.pop(key, None)
            else:
                data[key] = _resolve(value, s)
        return data

    return build


def claim(**overrides):
    """A valid claim-create body (FREE_QUOTE at the current version), with changes."""
    return _form(
        lambda s: {**s.span(), "version": s.article.version, "label": "disputed"}, overrides
    )


def details(**overrides):
    """A valid claim-edit body."""
    return _form(lambda s: {"label": "verified", "note": "", "evidence_url": ""}, overrides)


def by_quote(**overrides):
    return _form(lambda s: {"quote": FREE_QUOTE, "label": "disputed"}, overrides)


def article(**overrides):
    return _form(
        lambda s: {
            "title": "Evacuation in Sumy",
            "body": "Evacuation in Sumy\n\nOfficials said 40 families had left.",
            "save": "1",
        },
        overrides,
    )


def correction(**overrides):
    return _form(
        lambda s: {
            "title": s.article.title,
            "body": s.article.body + "\nUPDATE: the toll rose.",
            "version": s.article.version,
            "note": "Toll updated",
        },
        overrides,
    )


def reattach(**overrides):
    return _form(lambda s: {**s.span(REATTACH_QUOTE), "version": s.article.version}, overrides)


def stale_span(s: Scene) -> dict:
    """Offsets and text of a passage of version 1 that the correction removed."""
    start = s.v1_body.index(STALE_QUOTE)
    return {"start": start, "end": start + len(STALE_QUOTE), "quote": STALE_QUOTE, "version": 1}


def upload(name: str, content: bytes | Callable[[], bytes], **extra):
    def build(s: Scene) -> dict:
        data = content() if callable(content) else content
        return {"file": SimpleUploadedFile(name, data, "application/octet-stream"), **extra}

    return build


def over_data_upload_max(field_name: str):
    """A urlencoded body one byte bigger than DATA_UPLOAD_MAX_MEMORY_SIZE."""

    def build(s: Scene) -> bytes:
        from django.conf import settings

        return f"{field_name}=".encode() + b"a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    return build


def upload_limit_plus(extra: int) -> Callable[[], bytes]:
    def build() -> bytes:
        from django.conf import settings

        return b"x" * (settings.ARTICLE_UPLOAD_MAX_BYTES + extra)

    return build


def urlencoded(*pairs: tuple[str, str | bytes]) -> bytes:
    from urllib.parse import quote

    return b"&".join(
        k.encode() + b"=" + (v if isinstance(v, bytes) else quote(str(v)).encode())
        for k, v in pairs
    )


@dataclass
class Bad:
    url: str  # with {article}, {claim}, ... from Scene.ids
    data: Callable[[Scene], dict] | dict | None = None
    status: int = 422
    says: str = ""  # what the message is about (for people reading the table; not checked)
    method: str = "POST"
    user: str = "editor"
    headers: dict = field(default_factory=dict)
    raw: Callable[[Scene], bytes] | None = None  # a body sent as is
    content_type: str = "application/x-www-form-urlencoded"
    csrf: bool = False  # a client that enforces CSRF checks (and sends no token)
    allow: str | None = None  # for 405: the Allow header
    retarget: str | None = None  # for htmx errors: where the fragment goes
    absent: str | None = None  # raw text the answer must not contain (unescaped markup)
    settings: dict = field(default_factory=dict)


HX = {"HX-Request": "true"}
CREATE = "/articles/{article}/claims/"
BY_QUOTE = "/articles/{article}/claims/by-quote/"
EDIT = "/claims/{claim}/edit/"
DELETE = "/claims/{claim}/delete/"
REATTACH = "/claims/{orphan}/reattach/"
NEW = "/articles/new/"
UPLOAD = "/articles/new/upload/"
IMPORT = "/articles/import/"
CORRECT = "/articles/{article}/correct/"
CSV = "/export/claims.csv"
JSONLD = "/export/claims.jsonld"
CLAIMREVIEW = "/export/claimreview.jsonld"

NOT_FOUND = "There is nothing here"
NO_MATCH = "does not match the article"
NOT_HTTP = "Enter a link that starts with http:// or https://."
BAD_CHOICE = "Select a valid choice"
UNATTRIBUTED = "An unattributed claim has no source"
REJECTED = "was rejected in review"
NOT_UNDERSTOOD = "These filters were not understood"

BAD: dict[str, Bad] = {
    # --- claim-create: offsets ---
    "create-start-negative": Bad(CREATE, claim(start=-1), 422, "Offsets cannot be negative."),
    "create-end-negative": Bad(CREATE, claim(end=-4), 422, "Offsets cannot be negative."),
    "create-start-not-a-number": Bad(
        CREATE, claim(start="ten"), 422, "Start: Enter a whole number."
    ),
    "create-end-not-a-number": Bad(CREATE, claim(end="12abc"), 422, "End: Enter a whole number."),
    "create-start-decimal": Bad(CREATE, claim(start="3.5"), 422, "Start: Enter a whole number."),
    "create-start-equals-end": Bad(
        CREATE, claim(end=lambda s: s.span()["start"]), 422, "the start must come before the end"
    ),
    "create-start-after-end": Bad(
        CREATE,
        claim(start=lambda s: s.span()["end"] + 5),
        422,
        "the start must come before the end",
    ),
    "create-end-beyond-body": Bad(
        CREATE, claim(end=lambda s: len(s.article.body) + 5), 422, "past the end of the article"
    ),
    "create-span-beyond-body": Bad(
        CREATE,
        claim(
            start=lambda s: len(s.article.body) + 10,
            end=lambda s: len(s.article.body) + 20,
            quote="x" * 10,
        ),
        422,
        "past the end of the article",
    ),
    "create-offsets-beyond-64-bits": Bad(
        CREATE, claim(start=OVERFLOW, end=OVERFLOW + 5), 422, "less than or equal to"
    ),
    "create-offsets-missing": Bad(
        CREATE, claim(start=DROP, end=DROP), 422, "Start: This field is required."
    ),
    # --- claim-create: the quote ---
    "create-quote-does-not-match": Bad(
        CREATE, claim(quote="Ирина said the windows came in"), 422, NO_MATCH
    ),
    "create-quote-off-by-one": Bad(
        CREATE,
        claim(start=lambda s: s.span()["start"] + 1, end=lambda s: s.span()["end"] + 1),
        422,
        NO_MATCH,
    ),
    "create-quote-missing": Bad(CREATE, claim(quote=DROP), 422, "Quote: This field is required."),
    "create-quote-huge": Bad(
        CREATE,
        claim(quote="x" * (QUOTE_MAX + 1), end=lambda s: s.span()["start"] + QUOTE_MAX + 1),
        422,
        f"Ensure this value has at most {QUOTE_MAX} characters",
    ),
    "create-quote-null-byte": Bad(
        CREATE, claim(quote="Ірина\x00said"), 422, "Null characters are not allowed."
    ),
    # --- claim-create: label, source, details ---
    "create-label-unknown": Bad(CREATE, claim(label="true"), 422, BAD_CHOICE),
    "create-label-wrong-case": Bad(CREATE, claim(label="Verified"), 422, BAD_CHOICE),
    "create-label-missing": Bad(CREATE, claim(label=DROP), 422, "Label: This field is required."),
    "create-unattributed-with-source": Bad(
        CREATE, claim(label="unattributed", source=lambda s: s.source.pk), 422, UNATTRIBUTED
    ),
    "create-unattributed-proposing-a-source": Bad(
        CREATE, claim(label="unattributed", new_source_name="Brand new outlet"), 422, UNATTRIBUTED
    ),
    "create-rejected-source": Bad(CREATE, claim(source=lambda s: s.rejected.pk), 422, REJECTED),
    "create-rejected-source-by-name": Bad(
        CREATE, claim(new_source_name="fake front news"), 422, REJECTED
    ),
    "create-source-does-not-exist": Bad(
        CREATE, claim(source=999_999), 422, "That source does not exist (any more)."
    ),
    "create-source-malformed": Bad(
        CREATE, claim(source="abc"), 422, "That source does not exist (any more)."
    ),
    "create-source-id-beyond-64-bits": Bad(
        CREATE, claim(source=OVERFLOW), 422, "That source does not exist (any more)."
    ),
    "create-source-and-a-proposal": Bad(
        CREATE,
        claim(source=lambda s: s.source.pk, new_source_name="Brand new outlet"),
        422,
        "not both",
    ),
    "create-proposal-with-a-bad-span": Bad(
        CREATE, claim(new_source_name="Brand new outlet", quote="not the text"), 422, NO_MATCH
    ),
    "create-source-kind-unknown": Bad(
        CREATE, claim(new_source_name="Brand new outlet", new_source_kind="rumour"), 422, BAD_CHOICE
    ),
    "create-source-name-too-long": Bad(
        CREATE, claim(new_source_name="x" * 201), 422, "at most 200 characters"
    ),
    "create-evidence-javascript": Bad(
        CREATE, claim(evidence_url="javascript:alert(document.cookie)"), 422, NOT_HTTP
    ),
    "create-evidence-javascript-mixed-case": Bad(
        CREATE, claim(evidence_url="JaVaScRiPt:alert(1)"), 422, NOT_HTTP
    ),
    "create-evidence-data-url": Bad(
        CREATE,
        claim(evidence_url="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
        422,
        NOT_HTTP,
    ),
    "create-evidence-ftp": Bad(CREATE, claim(evidence_url="ftp://example.org/leak"), 422, NOT_HTTP),
    "create-note-huge": Bad(
        CREATE,
        claim(note="x" * (NOTE_MAX + 1)),
        422,
        f"The note is too long (at most {NOTE_MAX} characters).",
    ),
    "create-note-null-byte": Bad(
        CREATE, claim(note="before\x00after"), 422, "Null characters are not allowed."
    ),
    "create-credibility-out-of-range": Bad(CREATE, claim(credibility="7"), 422, BAD_CHOICE),
    "create-credibility-letter": Bad(CREATE, claim(credibility="B"), 422, BAD_CHOICE),
    # --- claim-create: the version seen ---
    "create-version-zero": Bad(
        CREATE, claim(version=0), 422, "Ensure this value is greater than or equal to 1."
    ),
    "create-version-not-a-number": Bad(
        CREATE, claim(version="v2"), 422, "Version: Enter a whole number."
    ),
    "create-stale-version-passage-gone": Bad(
        CREATE, lambda s: {**stale_span(s), "label": "disputed"}, 409, "no longer in it"
    ),
    "create-stale-version-passage-gone-htmx": Bad(
        CREATE,
        lambda s: {**stale_span(s), "label": "disputed"},
        409,
        "no longer in it",
        headers=HX,
        retarget="#claim-form-errors",
    ),
    # A version the article never had is not "the version the editor saw": the offsets
    # below do not match, and must not be silently re-found elsewhere.
    "create-version-never-existed-with-wrong-offsets": Bad(
        CREATE,
        claim(
            version=99,
            start=lambda s: s.span()["start"] + 3,
            end=lambda s: s.span()["end"] + 3,
        ),
        422,
        "version",
    ),
    # --- claim-create: the request itself ---
    "create-duplicated-start-last-one-wins": Bad(
        CREATE,
        raw=lambda s: urlencoded(
            ("start", s.span()["start"]),
            ("start", s.span()["start"] + 2),  # Django keeps this one
            ("end", s.span()["end"]),
            ("quote", FREE_QUOTE),
            ("label", "disputed"),
        ),
        status=422,
        says=NO_MATCH,
    ),
    "create-invalid-utf8-percent-escaped": Bad(
        CREATE,
        raw=lambda s: urlencoded(
            ("quote", b"%FF%FE"),
            ("start", s.span()["start"]),
            ("end", s.span()["start"] + 2),
            ("label", "disputed"),
        ),
        status=400,
        says=NO_MATCH,
    ),
    "create-invalid-utf8-raw-bytes": Bad(
        CREATE,
        raw=lambda s: urlencoded(
            ("quote", b"\xff\xfe"),
            ("start", s.span()["start"]),
            ("end", s.span()["start"] + 2),
            ("label", "disputed"),
        ),
        status=400,
        says=NO_MATCH,
    ),
    "create-invalid-utf8-in-label": Bad(
        CREATE,
        raw=lambda s: urlencoded(
            *[(k, v) for k, v in s.span().items()],
            ("label", b"verified%C0%AF"),
        ),
        status=400,
        says=BAD_CHOICE,
    ),
    "create-json-body": Bad(
        CREATE,
        raw=lambda s: json.dumps({**s.span(), "label": "disputed"}).encode(),
        content_type="application/json",
        status=422,
        says="This field is required.",
    ),
    "create-body-over-data-upload-max": Bad(
        CREATE, raw=over_data_upload_max("note"), status=400, says="Bad Request (400)"
    ),
    "create-too-many-fields": Bad(
        CREATE,
        raw=lambda s: "&".join(f"f{i}=1" for i in range(1_001)).encode(),
        status=400,
        says="Bad Request (400)",
    ),
    "create-without-csrf-token": Bad(CREATE, claim(), 403, "This form has expired", csrf=True),
    "create-wrong-method-get": Bad(CREATE, method="GET", status=405, allow="POST"),
    "create-wrong-method-put": Bad(CREATE, claim(), method="PUT", status=405, allow="POST"),
    "create-on-soft-deleted-article": Bad(
        "/articles/{dead_article}/claims/", claim(), 404, NOT_FOUND
    ),
    "create-article-does-not-exist": Bad("/articles/999999/claims/", claim(), 404, NOT_FOUND),
    "create-article-id-malformed": Bad("/articles/abc/claims/", claim(), 404, NOT_FOUND),
    "create-as-viewer": Bad(
        CREATE, claim(), 403, "Your role can read claims but not create them.", user="viewer"
    ),
    "create-quote-with-markup-is-escaped": Bad(
        CREATE,
        claim(quote="<script>alert(1)</script>", end=lambda s: s.span()["start"] + 25),
        422,
        NO_MATCH,
        absent="<script>alert(1)",
    ),
    "create-htmx-error-is-a-fragment": Bad(
        CREATE,
        claim(quote="not the text"),
        422,
        NO_MATCH,
        headers=HX,
        retarget="#claim-form-errors",
    ),
    # --- claim-edit and claim-delete ---
    "edit-label-unknown": Bad(EDIT, details(label="maybe"), 422, BAD_CHOICE),
    "edit-evidence-javascript": Bad(
        EDIT, details(evidence_url="javascript:alert(1)"), 422, NOT_HTTP
    ),
    "edit-rejected-source": Bad(EDIT, details(source=lambda s: s.rejected.pk), 422, REJECTED),
    "edit-unattributed-with-source": Bad(
        EDIT, details(label="unattributed", source=lambda s: s.source.pk), 422, UNATTRIBUTED
    ),
    "edit-note-huge": Bad(EDIT, details(note="x" * (NOTE_MAX + 1)), 422, "The note is too long"),
    "edit-claim-does-not-exist": Bad("/claims/999999/edit/", details(), 404, NOT_FOUND),
    "edit-claim-id-malformed": Bad("/claims/abc/edit/", details(), 404, NOT_FOUND),
    "edit-claim-on-soft-deleted-article": Bad(
        "/claims/{dead_claim}/edit/", details(), 404, NOT_FOUND
    ),
    "edit-someone-elses-claim": Bad(
        EDIT, details(), 403, "You can change only the claims you made.", user="other_editor"
    ),
    "edit-wrong-method-put": Bad(EDIT, details(), method="PUT", status=405, allow="GET, POST"),
    "delete-someone-elses-claim": Bad(
        DELETE, {}, 403, "You can change only the claims you made.", user="other_editor"
    ),
    "delete-claim-does-not-exist": Bad("/claims/999999/delete/", {}, 404, NOT_FOUND),
    # --- claim-by-quote (no JavaScript) ---
    "by-quote-not-in-article": Bad(
        BY_QUOTE,
        by_quote(quote="drones were intercepted"),
        422,
        "This passage is not in the article",
    ),
    "by-quote-blank": Bad(
        BY_QUOTE, by_quote(quote="   \n "), 422, "Paste the passage you want to tag."
    ),
    "by-quote-label-unknown": Bad(BY_QUOTE, by_quote(label="fake"), 422, BAD_CHOICE),
    "by-quote-rejected-source-by-name": Bad(
        BY_QUOTE, by_quote(new_source_name="Fake Front News"), 422, REJECTED
    ),
    "by-quote-unattributed-proposing-a-source": Bad(
        BY_QUOTE, by_quote(label="unattributed", new_source_name="Rybar"), 422, UNATTRIBUTED
    ),
    "by-quote-credibility-out-of-range": Bad(BY_QUOTE, by_quote(credibility="9"), 422, BAD_CHOICE),
    "by-quote-on-soft-deleted-article": Bad(
        "/articles/{dead_article}/claims/by-quote/", by_quote(), 404, NOT_FOUND
    ),
    "by-quote-as-viewer": Bad(
        BY_QUOTE, by_quote(), 403, "Your role can read claims but not create them.", user="viewer"
    ),
    # --- article-new ---
    "new-article-empty-body": Bad(NEW, article(body="  \n\t "), 422, "The article has no text."),
    "new-article-javascript-link": Bad(NEW, article(url="javascript:alert(1)"), 422, NOT_HTTP),
    # A missing title is taken from the text's first line, in a preview (issue 17; see
    # test_views_intake.py): it is bad input only when there is no text to take it from.
    "new-article-title-missing": Bad(
        NEW, article(title=DROP, body=" \n "), 422, "The article has no text."
    ),
    "new-article-title-too-long": Bad(NEW, article(title="x" * 501), 422, "at most 500 characters"),
    "new-article-published-at-nonsense": Bad(
        NEW, article(published_at="yesterday-ish"), 422, "Enter a valid date/time."
    ),
    "new-article-null-byte-in-title": Bad(
        NEW, article(title="Strike\x00"), 422, "Null characters are not allowed."
    ),
    "new-article-body-over-data-upload-max": Bad(
        NEW, raw=over_data_upload_max("body"), status=400, says="Bad Request (400)"
    ),
    "new-article-as-viewer": Bad(
        NEW, article(), 403, "Your role cannot add articles.", user="viewer"
    ),
    # --- article-upload ---
    "upload-over-the-limit": Bad(
        UPLOAD,
        upload("big.txt", upload_limit_plus(128 * 1024)),
        413,
        "larger than the 2.0 MB limit",
    ),
    "upload-just-over-the-limit": Bad(
        UPLOAD, upload("big.txt", upload_limit_plus(1024)), 422, "the limit is 2.0 MB"
    ),
    "upload-wrong-extension": Bad(
        UPLOAD, upload("report.exe", b"MZ\x90\x00"), 422, "Upload a .txt or .html file."
    ),
    "upload-empty-file": Bad(UPLOAD, upload("empty.txt", b""), 422, "The submitted file is empty."),
    "upload-no-file": Bad(UPLOAD, {"title": "Nothing"}, 422, "This field is required."),
    "upload-wrong-method-get": Bad(UPLOAD, method="GET", status=405, allow="POST"),
    "upload-as-viewer": Bad(
        UPLOAD, upload("report.txt", b"Text"), 403, "Your role cannot add articles.", user="viewer"
    ),
    "upload-binary-named-txt": Bad(
        UPLOAD, upload("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), 422, "binary file"
    ),
    "upload-too-many-files": Bad(
        UPLOAD,
        lambda s: {
            f"file{i}": SimpleUploadedFile(f"part{i}.txt", b"x", "text/plain") for i in range(101)
        },
        400,
        "Bad Request (400)",
    ),
    # --- article-from-url (refused before any connection is made) ---
    "from-url-javascript": Bad(
        "/articles/new/from-url/", {"url": "javascript:alert(1)"}, 422, NOT_HTTP
    ),
    "from-url-file-scheme": Bad(
        "/articles/new/from-url/", {"url": "file:///etc/passwd"}, 422, NOT_HTTP
    ),
    "from-url-loopback-address": Bad(
        "/articles/new/from-url/",
        {"url": "http://127.0.0.1:8000/admin/"},
        422,
        "Private and loopback addresses are never fetched",
        settings={"URL_IMPORT_ALLOW_PRIVATE": False},
    ),
    # --- bulk import ---
    "import-empty-file": Bad(
        IMPORT, upload("batch.jsonl", b""), 422, "The submitted file is empty.", user="reviewer"
    ),
    "import-wrong-extension": Bad(
        IMPORT,
        upload("batch.xlsx", b"PK\x03\x04"),
        422,
        "Upload a .jsonl, .csv or .jsonld",
        user="reviewer",
    ),
    "import-not-utf8": Bad(
        IMPORT,
        upload("batch.jsonl", '{"title": "Київ", "body": "Текст"}'.encode("cp1251")),
        422,
        "The file is not UTF-8",
        user="reviewer",
    ),
    "import-over-the-limit": Bad(
        IMPORT,
        upload("batch.jsonl", b"{}\n" * 40_000),
        413,
        "larger than the upload limit",
        user="reviewer",
        settings={"BULK_IMPORT_MAX_BYTES": 1024},
    ),
    "import-as-editor": Bad(
        IMPORT,
        upload("batch.jsonl", b'{"title": "t", "body": "b"}\n'),
        403,
        "Only reviewers and admins can bulk import.",
    ),
    # --- sources ---
    "source-review-as-editor": Bad(
        "/sources/{pending}/review/",
        {"decision": "approved", "reliability": "B", "expected_status": "pending"},
        403,
        "Only reviewers and admins review and merge sources.",
    ),
    "source-review-source-does-not-exist": Bad(
        "/sources/999999/review/", {"decision": "approved"}, 404, NOT_FOUND, user="reviewer"
    ),
    "source-review-id-malformed": Bad(
        "/sources/abc/review/", {"decision": "approved"}, 404, NOT_FOUND, user="reviewer"
    ),
    "source-review-wrong-method-get": Bad(
        "/sources/{pending}/review/", method="GET", status=405, allow="POST", user="reviewer"
    ),
    "source-alias-as-viewer": Bad(
        "/sources/{source}/aliases/",
        {"name": "СБУ"},
        403,
        "Your role cannot add aliases.",
        user="viewer",
    ),
    "source-alias-source-does-not-exist": Bad(
        "/sources/999999/aliases/", {"name": "СБУ"}, 404, NOT_FOUND
    ),
    "source-alias-wrong-method-get": Bad(
        "/sources/{source}/aliases/", method="GET", status=405, allow="POST"
    ),
    "source-merge-as-editor": Bad(
        "/sources/{source}/merge/",
        lambda s: {"other": s.pending.pk},
        403,
        "Only reviewers and admins review and merge sources.",
    ),
    # --- claim-reattach (reviewers) ---
    "reattach-quote-not-in-article": Bad(
        REATTACH,
        {"quote": "military targets were hit"},
        422,
        "This passage is not in the article",
        user="reviewer",
    ),
    "reattach-offsets-do-not-match": Bad(
        REATTACH, reattach(quote="had reportedly been rescued"), 422, NO_MATCH, user="reviewer"
    ),
    "reattach-stale-version-passage-gone": Bad(
        REATTACH, stale_span, 422, "no longer in it", user="reviewer"
    ),
    "reattach-stale-version-passage-gone-htmx": Bad(
        REATTACH,
        stale_span,
        409,
        "no longer in it",
        user="reviewer",
        headers=HX,
        retarget="#reattach-error",
    ),
    "reattach-start-negative": Bad(
        REATTACH,
        reattach(start=-1),
        422,
        "Ensure this value is greater than or equal to 0.",
        user="reviewer",
    ),
    "reattach-start-not-a-number-htmx": Bad(
        REATTACH,
        reattach(start="x"),
        422,
        "Enter a whole number.",
        user="reviewer",
        headers=HX,
        retarget="#reattach-error",
    ),
    "reattach-blank-quote": Bad(
        REATTACH, {"quote": "  "}, 422, "Select or paste the passage", user="reviewer"
    ),
    "reattach-by-the-claims-author": Bad(
        REATTACH, reattach(), 403, "Only reviewers and admins resolve orphaned claims."
    ),
    "reattach-claim-does-not-exist": Bad(
        "/claims/999999/reattach/", reattach(), 404, NOT_FOUND, user="reviewer"
    ),
    # --- article-correct ---
    "correct-stale-version": Bad(CORRECT, correction(version=1), 409, "was not saved"),
    "correct-version-missing": Bad(
        CORRECT, correction(version=DROP), 422, "This field is required."
    ),
    "correct-version-not-a-number": Bad(
        CORRECT, correction(version="two"), 422, "Enter a whole number."
    ),
    "correct-empty-body": Bad(CORRECT, correction(body=" \n "), 422, "The article has no text."),
    "correct-javascript-link": Bad(CORRECT, correction(url="javascript:alert(1)"), 422, NOT_HTTP),
    "correct-someone-elses-article": Bad(
        CORRECT,
        correction(),
        403,
        "Editors correct the articles they added",
        user="other_editor",
    ),
    "correct-soft-deleted-article": Bad(
        "/articles/{dead_article}/correct/", correction(), 404, NOT_FOUND
    ),
    # --- exports (reads: a wrong filter must not export everything) ---
    "export-csv-label-unknown": Bad(CSV, {"label": "true"}, 400, NOT_UNDERSTOOD, method="GET"),
    "export-csv-date-malformed": Bad(
        CSV, {"date_from": "2025-13-45"}, 400, "Enter a valid date.", method="GET"
    ),
    "export-csv-source-not-a-number": Bad(
        CSV, {"source": "SBU"}, 400, "Enter a whole number.", method="GET"
    ),
    "export-csv-editor-does-not-exist": Bad(
        CSV, {"editor": "999999"}, 400, BAD_CHOICE, method="GET"
    ),
    "export-csv-article-zero": Bad(
        CSV, {"article": "0"}, 400, "greater than or equal to 1", method="GET"
    ),
    "export-csv-search-too-long": Bad(
        CSV, {"q": "x" * 201}, 400, "at most 200 characters", method="GET"
    ),
    "export-csv-source-id-beyond-64-bits": Bad(
        CSV, {"source": str(OVERFLOW)}, 400, NOT_UNDERSTOOD, method="GET"
    ),
    "export-jsonld-article-id-beyond-64-bits": Bad(
        JSONLD, {"article": str(OVERFLOW)}, 400, NOT_UNDERSTOOD, method="GET"
    ),
    "export-jsonld-page-out-of-range": Bad(
        JSONLD, {"page": "99"}, 404, "There is 1 page.", method="GET"
    ),
    "export-jsonld-page-not-a-number": Bad(
        JSONLD, {"page": "last"}, 404, "There is 1 page.", method="GET"
    ),
    "export-claimreview-anchor-state-unknown": Bad(
        CLAIMREVIEW, {"anchor_state": "lost"}, 400, NOT_UNDERSTOOD, method="GET"
    ),
    "export-csv-wrong-method-post": Bad(CSV, {}, 405, allow="GET"),
    # --- live updates (polled by the article page) ---
    "article-changes-since-not-a-number": Bad(
        "/articles/{article}/changes/",
        {"since": "yesterday", "version": "2"},
        400,
        "since and version must be whole numbers.",
        method="GET",
        headers=HX,
    ),
    "article-changes-soft-deleted-article": Bad(
        "/articles/{dead_article}/changes/",
        {"since": "0", "version": "1"},
        404,
        NOT_FOUND,
        method="GET",
        headers=HX,
    ),
    # --- ids and restore ---
    "article-id-malformed": Bad("/articles/abc/", method="GET", status=404, says=NOT_FOUND),
    "restore-history-id-does-not-exist": Bad(
        "/claims/deleted/999999/restore/", {}, 404, NOT_FOUND, user="admin_user"
    ),
    "restore-a-claim-restored-before": Bad(
        "/claims/deleted/{restored_deletion}/restore/",
        {},
        409,
        "it was restored before",
        user="admin_user",
    ),
    "restore-claim-of-a-deleted-article": Bad(
        "/claims/deleted/{dead_deletion}/restore/",
        {},
        409,
        "restore the article first",
        user="admin_user",
    ),
    # Undo a delete: the deleter, within 10 seconds (the scene's deletions are a moment old).
    "undo-delete-of-a-claim-not-deleted": Bad(
        "/claims/{claim}/undo-delete/", {}, 409, "it is not deleted"
    ),
    "undo-delete-of-a-claim-restored-since": Bad(
        "/claims/{restored_claim}/undo-delete/", {}, 409, "it was restored already", headers=HX
    ),
    "undo-delete-by-someone-else": Bad(
        "/claims/{dead_deleted_claim}/undo-delete/",
        {},
        403,
        "only the person who deleted it",
        user="other_editor",
    ),
    "undo-delete-by-an-admin-who-did-not-delete": Bad(
        "/claims/{dead_deleted_claim}/undo-delete/",
        {},
        403,
        "admins restore from Deleted claims",
        user="admin_user",
        headers=HX,
    ),
    "undo-delete-claim-of-a-deleted-article": Bad(
        "/claims/{dead_deleted_claim}/undo-delete/", {}, 409, "restore the article first"
    ),
    "undo-delete-id-does-not-exist": Bad("/claims/999999/undo-delete/", {}, 404, NOT_FOUND),
    "undo-delete-wrong-method-get": Bad(
        "/claims/{dead_deleted_claim}/undo-delete/", method="GET", status=405, allow="POST"
    ),
    "restore-wrong-method-get": Bad(
        "/claims/deleted/{restored_deletion}/restore/",
        method="GET",
        status=405,
        allow="POST",
        user="admin_user",
    ),
    "workflow-as-viewer": Bad(
        "/articles/{article}/workflow/",
        {"take": "1"},
        403,
        "Your role cannot change the workflow of articles.",
        user="viewer",
    ),
}


# Refusals that once answered with a redirect and a message (which reads as success to htmx
# and to scripts): now a 4xx with the message, like every other refusal.
REFUSED = {
    "source-review-decision-unknown": Bad(
        "/sources/{pending}/review/",
        {"decision": "maybe", "reliability": "B", "expected_status": "pending"},
        422,
        BAD_CHOICE,
        user="reviewer",
    ),
    "source-review-reliability-unknown": Bad(
        "/sources/{pending}/review/",
        {"decision": "approved", "reliability": "Z", "expected_status": "pending"},
        422,
        BAD_CHOICE,
        user="reviewer",
    ),
    "source-review-decided-meanwhile": Bad(
        "/sources/{source}/review/",
        {"decision": "rejected", "reliability": "E", "expected_status": "pending"},
        422,
        "was meanwhile marked approved",
        user="reviewer",
    ),
    "source-review-turnaround-without-reconsider": Bad(
        "/sources/{rejected}/review/",
        {"decision": "approved", "reliability": "B", "expected_status": "rejected"},
        422,
        "Tick “Reconsider” to change the decision.",
        user="reviewer",
    ),
    "source-review-htmx": Bad(
        "/sources/{pending}/review/",
        {"decision": "approved", "reliability": "Z", "expected_status": "pending"},
        422,
        BAD_CHOICE,
        user="reviewer",
        headers=HX,
    ),
    "source-alias-name-taken": Bad(
        "/sources/{pending}/aliases/",
        {"name": "sbu"},
        422,
        "A source named “SBU” already exists",
        user="reviewer",
    ),
    "source-alias-name-empty": Bad(
        "/sources/{source}/aliases/", {"name": ""}, 422, "This field is required.", user="reviewer"
    ),
    "source-merge-into-itself": Bad(
        "/sources/{source}/merge/",
        lambda s: {"other": s.source.pk},
        422,
        "Pick at least one other source to merge into this one.",
        user="reviewer",
    ),
    "source-merge-unknown-other": Bad(
        "/sources/{source}/merge/",
        {"other": "999999"},
        422,
        "That source does not exist (any more).",
        user="reviewer",
    ),
    "workflow-status-unknown": Bad(
        "/articles/{article}/workflow/", {"status": "published"}, 422, "Status", user="editor"
    ),
    "workflow-status-unknown-htmx": Bad(
        "/articles/{article}/workflow/",
        {"status": "nope"},
        422,
        "Status",
        user="editor",
        headers=HX,
    ),
}
BAD.update(REFUSED)


def multipart(fields: dict[str, bytes], boundary: str = "desk-boundary") -> bytes:
    """A multipart/form-data body with text fields sent as raw bytes (for bytes a browser
    would never send)."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value
        + b"\r\n"
        for name, value in fields.items()
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


MULTIPART = "multipart/form-data; boundary=desk-boundary"

# The one text rule (annotations/text.py), at every form door: control characters and
# broken characters are refused, with a message, before anything is written.
TEXT_RULE = {
    "create-note-bell": Bad(CREATE, claim(note="ring \x07 ring"), 422, "control character"),
    "create-note-escape-sequence": Bad(CREATE, claim(note="\x1b[31mred"), 422, "control"),
    "create-note-c1-control": Bad(CREATE, claim(note="next\x85line"), 422, "control"),
    "create-quote-with-nul-htmx": Bad(
        CREATE, claim(note="a\x00b"), 422, "NUL", headers=HX, retarget="#claim-form-errors"
    ),
    "create-proposal-name-with-nul": Bad(CREATE, claim(new_source_name="Rybar\x00"), 422, "NUL"),
    "create-proposal-name-with-line-break": Bad(
        CREATE, claim(new_source_name="Two\nlines"), 422, "line break"
    ),
    "create-evidence-with-control": Bad(
        CREATE, claim(evidence_url="https://example.org/\x01"), 422, "control"
    ),
    "create-lone-surrogate-as-bytes": Bad(
        CREATE,
        raw=lambda s: urlencoded(
            *[(k, v) for k, v in s.span().items()],
            ("label", "disputed"),
            ("note", b"%ED%A0%80"),  # U+D800 encoded as if it were a character
        ),
        status=400,
        says="not valid UTF-8",
    ),
    "create-overlong-utf8": Bad(
        CREATE,
        raw=lambda s: urlencoded(
            *[(k, v) for k, v in s.span().items()], ("label", "disputed"), ("note", b"%C0%80")
        ),
        status=400,
        says="not valid UTF-8",
    ),
    "create-invalid-utf8-in-query-string": Bad(
        CREATE + "?next=%FF", claim(), 400, "not valid UTF-8"
    ),
    "create-invalid-utf8-htmx": Bad(
        CREATE,
        raw=lambda s: urlencoded(
            *[(k, v) for k, v in s.span().items()], ("label", "disputed"), ("note", b"%FF")
        ),
        status=400,
        says="not valid UTF-8",
        headers=HX,
    ),
    "edit-note-with-nul": Bad(EDIT, details(note="x\x00"), 422, "NUL"),
    "edit-note-with-control-htmx": Bad(EDIT, details(note="x\x02"), 422, "control", headers=HX),
    "by-quote-note-with-nul": Bad(BY_QUOTE, by_quote(note="a\x00"), 422, "NUL"),
    "new-article-outlet-with-escape": Bad(NEW, article(outlet="\x1b[2JWire"), 422, "control"),
    "new-article-author-with-nul": Bad(NEW, article(author="Olena\x00"), 422, "NUL"),
    "new-article-title-with-line-break": Bad(NEW, article(title="Two\nlines"), 422, "line"),
    "new-article-language-with-control": Bad(NEW, article(language="en\x7f"), 422, "control"),
    "upload-title-invalid-utf8-multipart": Bad(
        UPLOAD,
        raw=lambda s: multipart({"title": b"\xff\xfeStrike"}),
        content_type=MULTIPART,
        status=400,
        says="not valid UTF-8",
    ),
    "new-article-invalid-utf8-multipart": Bad(
        NEW,
        raw=lambda s: multipart({"title": b"Strike", "body": b"Text \xc3\x28 here", "save": b"1"}),
        content_type=MULTIPART,
        status=400,
        says="not valid UTF-8",
    ),
    "correct-note-with-nul": Bad(CORRECT, correction(note="fixed\x00"), 422, "NUL"),
    "correct-title-with-control": Bad(CORRECT, correction(title="T\x08itle"), 422, "control"),
    "source-alias-with-control": Bad(
        "/sources/{source}/aliases/", {"name": "S\x1fBU"}, 422, "control", user="reviewer"
    ),
    "source-review-note-with-nul": Bad(
        "/sources/{pending}/review/",
        {
            "decision": "approved",
            "reliability": "B",
            "expected_status": "pending",
            "note": "ok\x00",
        },
        422,
        "NUL",
        user="reviewer",
    ),
    "reattach-quote-with-nul": Bad(
        REATTACH, reattach(quote="had\x00reportedly"), 422, "NUL", user="reviewer"
    ),
    "claim-list-search-invalid-utf8": Bad("/claims/?q=%FF%FE", None, 400, "UTF-8", method="GET"),
    "article-list-search-invalid-utf8": Bad(
        "/articles/?q=%C3%28", None, 400, "UTF-8", method="GET"
    ),
    "export-csv-search-invalid-utf8": Bad(CSV + "?q=%FF", None, 400, "UTF-8", method="GET"),
}
BAD.update(TEXT_RULE)

# Filters a list cannot read: refused with 400 and the reason, never ignored (an export of
# "everything" because a filter was mistyped would send more than was asked for).
BAD_FILTERS = {
    "claim-list-source-id-beyond-64-bits": Bad(
        "/claims/", {"source": str(OVERFLOW)}, 400, "Source", method="GET"
    ),
    "claim-list-article-id-beyond-64-bits": Bad(
        "/claims/", {"article": str(OVERFLOW)}, 400, "Article", method="GET"
    ),
    "claim-list-label-unknown": Bad("/claims/", {"label": "maybe"}, 400, BAD_CHOICE, method="GET"),
    "claim-list-date-impossible-htmx": Bad(
        "/claims/", {"date_from": "2026-02-30"}, 400, "date", method="GET", headers=HX
    ),
    "claim-list-editor-unknown": Bad("/claims/", {"editor": "999999"}, 400, "Editor", method="GET"),
    "article-list-status-unknown": Bad(
        "/articles/", {"status": "nope"}, 400, BAD_CHOICE, method="GET"
    ),
    "article-list-date-impossible": Bad(
        "/articles/", {"date_from": "2026-02-30"}, 400, "date", method="GET"
    ),
    "article-list-sort-unknown": Bad("/articles/", {"sort": "body"}, 400, BAD_CHOICE, method="GET"),
    "article-list-assignee-unknown-htmx": Bad(
        "/articles/", {"assignee": "x"}, 400, BAD_CHOICE, method="GET", headers=HX
    ),
    "source-list-kind-unknown": Bad("/sources/", {"kind": "alien"}, 400, BAD_CHOICE, method="GET"),
    "source-list-reliability-unknown": Bad(
        "/sources/", {"reliability": "Z"}, 400, BAD_CHOICE, method="GET"
    ),
    "source-list-search-with-control": Bad(
        "/sources/", {"q": "S\x07BU"}, 400, "control", method="GET"
    ),
}
BAD.update(BAD_FILTERS)


# Reads with odd filters: a page, never a 500 (the list shows no rows for filters it
# cannot use; the dashboard falls back to its default range).
ODD_READS: dict[str, tuple[str, dict, str]] = {
    "dashboard-widest-date-range": (
        "/",
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        "Where the reporting stands",
    ),
}


# --- The tests --------------------------------------------------------------------------------


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return html.unescape(content.decode("utf-8", "replace"))


_MESSAGE = re.compile(
    r'<(?P<tag>p|div|ul|li|span|td)[^>]*(?:class="[^"]*(?:form-error|field-error|errorlist|'
    r'errornote|messages?)[^"]*"|role="alert")[^>]*>(?P<inner>.*?)</(?P=tag)>',
    re.S,
)


def _shown_message(text: str) -> str:
    """The words of the error the answer shows: an error element of a page, the messages
    list, or the whole of a short fragment (what htmx swaps in, or shows as a toast)."""
    found = " ".join(
        re.sub(r"<[^>]+>", " ", m.group("inner")) for m in _MESSAGE.finditer(text)
    ).strip()
    if found:
        return found
    if "<html" not in text and len(text) < 4000:
        return re.sub(r"<[^>]+>", " ", text).strip()
    # An error page (404, 403, 400): the paragraphs of its main content.
    main = _main(text) if "<main" in text else ""
    return " ".join(
        re.sub(r"<[^>]+>", " ", p) for p in re.findall(r"<p[^>]*>(.*?)</p>", main, re.S)
    ).strip()


def _main(text: str) -> str:
    """The page's own content (for failure messages), or the whole text of a fragment."""
    start, end = text.find("<main"), text.rfind("</main>")
    return text[start:end] if 0 <= start < end else text[:3000]


def _client(request, user: str, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(request.getfixturevalue(user))
    return client


def _send(client: Client, case: Bad, url: str, s: Scene):
    headers = case.headers
    if case.raw is not None:
        body = case.raw(s)
        return client.generic(
            case.method, url, body, content_type=case.content_type, headers=headers
        )
    data = _resolve(case.data, s)
    if case.method == "GET":
        return client.get(url, data, headers=headers)
    if case.method == "POST":
        return client.post(url, data or {}, headers=headers)
    from urllib.parse import urlencode

    body = urlencode(data or {}, doseq=True).encode()
    return client.generic(case.method, url, body, content_type=case.content_type, headers=headers)


@pytest.mark.parametrize("case", [pytest.param(c, id=k) for k, c in BAD.items()])
def test_bad_input_gets_a_clear_4xx_and_writes_nothing(case, scene, request, settings):
    for name, value in case.settings.items():
        setattr(settings, name, value)
    client = _client(request, case.user, csrf=case.csrf)
    url = case.url.format(**scene.ids)
    before = db_snapshot()

    response = _send(client, case, url, scene)
    text = _text(response)

    assert db_snapshot() == before, "bad input changed the database"
    assert response.status_code == case.status, _main(text)
    assert 400 <= response.status_code < 500
    # A readable message is shown (its words are not checked: they will be translated).
    if case.allow is not None:  # 405: the Allow header is the message
        assert response["Allow"] == case.allow
    else:
        assert _shown_message(text), _main(text)
    if case.absent is not None:
        raw = response.content.decode("utf-8", "replace")
        assert case.absent not in raw, "user input echoed unescaped"
    if case.retarget is not None:  # htmx: an error fragment swapped where the user looks
        assert response["HX-Retarget"] == case.retarget
        assert "<html" not in text


@pytest.mark.parametrize(
    ("url", "params", "says"), [pytest.param(*v, id=k) for k, v in ODD_READS.items()]
)
def test_odd_filters_on_pages_are_not_a_server_error(url, params, says, scene, request):
    client = _client(request, "viewer")
    before = db_snapshot()

    response = client.get(url, params)
    text = _text(response)

    assert db_snapshot() == before
    assert response.status_code == 200, _main(text)
    assert says in text


def test_the_tables_are_big_enough_to_mean_something():
    """The closing figure, "N cases tried, 0 writes", is len(BAD) + len(ODD_READS) (and the
    bulk files and commands of tests/test_bad_files.py): one test each, every one comparing
    the database before and after."""
    assert len(BAD) >= 150
    assert not {*BAD} & {*ODD_READS}
