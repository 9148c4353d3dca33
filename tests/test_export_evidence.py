"""Evidence in the exports (issue 19): the CSV's evidence_status, evidence_sha256 and
evidence_captured_at, written alike by both CSV writers, read in the exports' own queries."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from annotations import exporters, selectors
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
    header, by_id = _records("".join(write(selectors.live_claims(), safe)))
    assert header == exporters.CSV_COLUMNS and header[-3:] == EVIDENCE_COLUMNS
    assert header[:-3] == [c for c in exporters.CSV_COLUMNS if c not in EVIDENCE_COLUMNS]
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
    assert header[-3:] == EVIDENCE_COLUMNS
    got = {name: [by_id[c.pk][k] for k in EVIDENCE_COLUMNS] for name, c in claims.items()}
    assert got == _expected(claims)


def test_the_csv_export_reads_evidence_in_its_one_query(editor_client, django_assert_num_queries):
    for second in range(30):
        claim = AnnotationFactory(evidence_url=f"{LINK}?n={second}")
        evidence_for(claim, "captured", captured_at=FIRST.replace(second=second))
    # session, user, the role check, then one query for the one chunk, read to the end.
    with django_assert_num_queries(4):
        response = editor_client.get(reverse("annotations:export-csv"))
        text = b"".join(response.streaming_content).decode()
    assert text.count(",captured,") == 30
