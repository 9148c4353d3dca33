"""Evidence in the exports (issue 19): the CSV's evidence_status, evidence_sha256 and
evidence_captured_at, written alike by both CSV writers, and the JSON-LD evidence body's
W3C TimeState (when captured, and our cached copy), read in the exports' own queries."""

import copy
import csv
import io
import json
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from django.urls import get_script_prefix, reverse, set_script_prefix

from annotations import exporters, selectors
from annotations.models import Annotation
from tests import w3c
from tests.factories import AnnotationFactory, evidence_for

pytestmark = pytest.mark.django_db

LINK = "https://t.me/s/example/1234"
EVIDENCE_COLUMNS = ["evidence_status", "evidence_sha256", "evidence_captured_at"]
FIRST = datetime(2026, 3, 1, 10, 0, 7, 250_000, tzinfo=UTC)
LATER = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


@pytest.fixture
def claims():
    """One claim for each case of the evidence columns, by name."""
    made = {
        "captured": AnnotationFactory(evidence_url=LINK),
        "pending": AnnotationFactory(evidence_url=LINK),
        "failed": AnnotationFactory(evidence_url=LINK),  # a retry waits: still "failed"
        "gone": AnnotationFactory(evidence_url=LINK),  # went dark after a capture
        "changed": AnnotationFactory(evidence_url=LINK),
        "none": AnnotationFactory(),  # no link
        "untracked": AnnotationFactory(evidence_url=LINK),  # a link with no record yet
        "relinked": AnnotationFactory(evidence_url="https://example.org/new"),
    }
    evidence_for(made["captured"], "captured", captured_at=FIRST)
    evidence_for(made["pending"], "pending")
    evidence_for(made["failed"], "failed", retrying=True, last_error="The site did not answer.")
    evidence_for(made["gone"], "gone", captured_at=LATER)
    evidence_for(made["changed"], "changed", captured_at=[FIRST, LATER])
    # The claim's former link was captured; its link now is not tracked yet.
    evidence_for(made["relinked"], "captured", captured_at=FIRST, url=LINK)
    return made


def _current(claim):
    return claim.evidence.get(url=claim.evidence_url).current


def _expected(claims) -> dict:
    captured, gone, changed = (_current(claims[k]) for k in ("captured", "gone", "changed"))
    return {
        "captured": ["captured", captured.payload_sha256, "2026-03-01T10:00:07.250000+00:00"],
        "pending": ["pending", "", ""],
        "failed": ["failed", "", ""],
        "gone": ["gone", gone.payload_sha256, "2026-03-02T08:30:00+00:00"],
        "changed": ["changed", changed.payload_sha256, "2026-03-02T08:30:00+00:00"],
        "none": ["none", "", ""],
        "untracked": ["none", "", ""],
        "relinked": ["none", "", ""],
    }


def _records(text: str) -> tuple[list[str], dict[int, dict]]:
    header, *rows = csv.reader(io.StringIO(text, newline=""))
    return header, {int(r[0]): dict(zip(header, r, strict=True)) for r in rows}


# Three claims a query: the keyset bound (`with_evidence(after_id=…)`) falls between claims
# with evidence.
WRITERS = [
    pytest.param(
        lambda qs, safe: exporters.csv_lines(exporters.claim_rows(qs, chunk_size=3), safe=safe),
        id="python",
    ),
    pytest.param(
        lambda qs, safe: exporters.pg_csv_pieces(qs, safe=safe, chunk_size=3),
        id="database",
        marks=pytest.mark.postgres,
    ),
]


@pytest.mark.parametrize("safe", [True, False], ids=["safe", "raw"])
@pytest.mark.parametrize("write", WRITERS)
def test_each_csv_writer_gives_the_evidence_columns_last(claims, write, safe):
    """Last but the shared claim's (issue 22), added after them."""
    header, by_id = _records("".join(write(selectors.live_claims(), safe)))
    assert header == exporters.CSV_COLUMNS and header[-4:-1] == EVIDENCE_COLUMNS
    assert header[:-4] == [
        c for c in exporters.CSV_COLUMNS if c not in (*EVIDENCE_COLUMNS, "shared_claim_id")
    ]
    assert header[-1] == "shared_claim_id"
    got = {name: [by_id[c.pk][k] for k in EVIDENCE_COLUMNS] for name, c in claims.items()}
    assert got == _expected(claims)
    # The hash is the current capture's (the later one of a changed page), as served.
    assert claims["changed"].evidence.get().captures.count() == 2


@pytest.mark.parametrize("variant", [{}, {"variant": "raw"}, {"bom": "1"}])
def test_the_csv_download_carries_the_evidence(editor_client, claims, variant):
    """Through the door: the database's writer on PostgreSQL, Python's elsewhere."""
    response = editor_client.get(reverse("annotations:export-csv"), variant)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff") == ("bom" in variant)
    header, by_id = _records(text.removeprefix("\ufeff"))
    assert header[-4:-1] == EVIDENCE_COLUMNS
    got = {name: [by_id[c.pk][k] for k in EVIDENCE_COLUMNS] for name, c in claims.items()}
    assert got == _expected(claims)


def test_the_csv_export_reads_evidence_in_its_one_query(editor_client, django_assert_num_queries):
    for second in range(30):
        claim = AnnotationFactory(evidence_url=f"{LINK}?n={second}")
        evidence_for(claim, "captured", captured_at=FIRST.replace(second=second))
    # session, user with the role's permissions, then one query for the one chunk, read to
    # the end.
    with django_assert_num_queries(3):
        response = editor_client.get(reverse("annotations:export-csv"))
        text = b"".join(response.streaming_content).decode()
    assert text.count(",captured,") == 30


def _jsonld(client, **params) -> dict:
    response = client.get(reverse("annotations:export-jsonld"), params)
    assert response.status_code == 200
    if response.streaming:
        return json.loads(b"".join(response.streaming_content))
    return response.json()


def _evidence_body(item: dict) -> dict:
    (body,) = [b for b in item["body"] if b.get("purpose") == "linking"]
    return body


def test_jsonld_evidence_gets_a_time_state_once_captured(editor_client, claims, settings):
    settings.SITE_URL = "https://desk.example.org"
    collection = _jsonld(editor_client)
    items = {item["id"]: item for item in collection["first"]["items"]}

    def item(name):
        return items[f"https://desk.example.org/claims/{claims[name].pk}/"]

    captured = _current(claims["captured"])
    assert _evidence_body(item("captured")) == {
        "type": "SpecificResource",
        "purpose": "linking",
        "source": LINK,
        "state": {
            "type": "TimeState",
            "cached": f"https://desk.example.org/evidence/captures/{captured.pk}/warc/",
            "sourceDate": "2026-03-01T10:00:07Z",
        },
    }
    changed = _evidence_body(item("changed"))["state"]
    assert changed["cached"].endswith(f"/captures/{_current(claims['changed']).pk}/warc/")
    assert changed["sourceDate"] == _evidence_body(item("gone"))["state"]["sourceDate"]
    for name in ("pending", "failed", "untracked", "relinked"):
        assert "state" not in _evidence_body(item(name)), name
    assert not [b for b in item("none")["body"] if b.get("purpose") == "linking"]
    for annotation in items.values():
        assert w3c.failures({"@context": collection["@context"], **annotation}) == []
    # The W3C's own detectors see the TimeState and its cached copy, so the must-assertions
    # above (4.3-stateValidIfPresent, 4.3.1-timeStateValid) had it to check.
    for assertion in ("4.3.1-timeState.json", "4.3.1-cached.json"):
        assert w3c.implements(item("captured"), f"annotations/specificResource/{assertion}")
        assert not w3c.implements(item("pending"), f"annotations/specificResource/{assertion}")
    # The cached copy is the capture's WARC download.
    warc = editor_client.get(urlsplit(changed["cached"]).path)
    assert warc.status_code == 200 and warc["Content-Type"] == "application/warc"
    assert warc.content == bytes(_current(claims["changed"]).warc.data)
    # A page of the collection says the same.
    page = {i["id"]: i for i in _jsonld(editor_client, page=1)["items"]}
    assert page[item("captured")["id"]]["body"] == item("captured")["body"]


def test_a_time_state_that_breaks_the_model_fails_the_w3c_check(editor_client, claims, settings):
    settings.SITE_URL = "https://desk.example.org"
    claim = Annotation.objects.filter(pk=claims["captured"].pk)
    (row,) = exporters.claim_rows(claim)
    good = exporters.web_annotation(row, site_url="https://desk.example.org")
    assert w3c.failures(good) == []
    for change in [
        {"sourceDate": "1 March 2026"},
        {"sourceDate": "2026-02-30T10:00:00Z"},
        {"sourceDateStart": "2026-03-01T10:00:00Z", "sourceDateEnd": "2026-03-02T10:00:00Z"},
        {"cached": "not a link"},
    ]:
        bad = copy.deepcopy(good)
        _evidence_body(bad)["state"].update(change)
        assert w3c.failures(bad), change


def test_the_cached_link_is_built_on_the_site_url_under_a_script_prefix():
    """The site URL already names the path the app lives under; the WARC link is not
    given it twice (like every other id of the export)."""
    before = get_script_prefix()
    set_script_prefix("/desk/")
    try:
        assert reverse("annotations:evidence-warc", args=[7]) == "/desk/evidence/captures/7/warc/"
        assert (
            exporters.capture_warc_iri("https://x.example/desk", 7)
            == "https://x.example/desk/evidence/captures/7/warc/"
        )
    finally:
        set_script_prefix(before)
    assert (
        exporters.capture_warc_iri("https://x.example", 8)
        == "https://x.example/evidence/captures/8/warc/"
    )


def test_the_jsonld_export_reads_evidence_without_a_query_per_claim(editor_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            collection = _jsonld(editor_client)  # the whole stream
        assert all("state" in _evidence_body(i) for i in collection["first"]["items"])
        return len(seen.captured_queries)

    def add(n):
        for _ in range(n):
            claim = AnnotationFactory(evidence_url=LINK)
            evidence_for(claim, "captured", captured_at=FIRST)

    add(2)
    few = queries()
    add(30)
    assert queries() == few
