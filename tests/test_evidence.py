"""Evidence capture (annotations/services/evidence.py, annotations/capture.py): a claim's link
captured in the background through the guarded fetcher, kept as a WARC with its hashes and
text, retried, re-checked (changed, gone, nothing to read), and verified.

A local server on 127.0.0.1 plays the web; URL_FETCH_ALLOW lets the fetcher reach its port
alone, so the guard stays on for everything else."""

import hashlib
import io
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from warcio.archiveiterator import ArchiveIterator

from annotations import jobs, selectors, services
from annotations.models import Annotation, Capture, CaptureBlob, Evidence
from annotations.services import evidence as service

from .factories import AnnotationFactory, ArticleFactory, claim_by, member
from .local_http import serving

pytestmark = pytest.mark.django_db

QUOTE = "31 of 38 drones were shot down"
PARAGRAPHS = [
    "The regional administration said on Tuesday that air defence units had intercepted "
    "most of the drones launched overnight towards the city of Kharkiv.",
    "According to the statement, thirty-one of thirty-eight drones were shot down before "
    "they reached their targets, while the remaining ones hit an industrial district.",
    "Residents of the northern districts reported explosions shortly after midnight and "
    "said that windows had been broken in several apartment blocks near the river.",
]


def page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><article>"
        f"<h1>{title}</h1>{body}</article></body></html>"
    ).encode()


class _Web(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def _answer(self, status, body=b"", content_type="text/html; charset=utf-8", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.server.seen.append(self.path)
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/page":
            self._answer(200, page("Drones over Kharkiv", PARAGRAPHS))
        elif parts.path == "/hop":
            left = int(query["left"])
            to = f"/hop?left={left - 1}" if left > 1 else "/page"
            self._answer(302, extra=[("Location", query.get("to", to))])
        elif parts.path == "/missing":
            self._answer(404, b"<html><body><p>Not here.</p></body></html>")
        elif parts.path == "/slow":
            self.server.release.wait(5)  # longer than the read timeout
            self._answer(200, page("Late", PARAGRAPHS))
        elif parts.path == "/big":
            self._answer(200, b"<p>" + b"x" * 50_000 + b"</p>")
        elif parts.path == "/changing":
            self._answer(200, page("Statement", PARAGRAPHS[: self.server.version]))
        elif parts.path == "/wall":
            self._answer(200, b"<html><head><title>Log in</title></head><body></body></html>")
        elif parts.path == "/pdf":
            self._answer(200, b"%PDF-1.7 evidence", "application/pdf")
        elif parts.path == "/script":  # words that show a tag (tests/test_evidence_views.py)
            code = '&lt;script&gt;alert("captured")&lt;/script&gt;'
            self._answer(200, page("Tags", [f"The statement quoted the code {code} in full."]))
        else:
            self._answer(500, b"down")


@pytest.fixture(scope="module")
def web():
    with serving(_Web) as httpd:
        httpd.release = threading.Event()
        yield httpd
        httpd.release.set()


@pytest.fixture(scope="module")
def elsewhere():
    """Another private site: the same address, another port, not on the allow-list."""
    with serving(_Web) as httpd:
        yield httpd


@pytest.fixture(autouse=True)
def _setup(settings, web):
    web.seen.clear()
    web.version = 2
    web.release.clear()
    settings.URL_IMPORT_ALLOW_PRIVATE = True
    settings.URL_FETCH_ALLOW = [f"127.0.0.1:{web.server_address[1]}"]
    settings.URL_IMPORT_CONNECT_TIMEOUT = 1
    settings.URL_IMPORT_READ_TIMEOUT = 0.5  # the slow page waits longer; the rest answer at once
    settings.EVIDENCE_TOTAL_TIMEOUT = 2
    settings.EVIDENCE_MAX_BYTES = 20_000
    settings.EVIDENCE_RECHECK_SECONDS = 24 * 3600
    settings.EVIDENCE_RECHECK_DAYS = 30
    settings.JOBS_BACKOFF_SECONDS = [60, 300]
    settings.JOBS_MAX_ATTEMPTS = 3
    settings.PERIODIC_JOBS = {}
    yield
    web.release.set()  # a slow answer still waiting ends now


@pytest.fixture
def base(web):
    return f"http://127.0.0.1:{web.server_address[1]}"


def claim_with(url: str, **extra) -> Annotation:
    """A claim given `url` as its link, tracked as a save tracks it."""
    claim = AnnotationFactory(evidence_url=url, **extra)
    with transaction.atomic():
        service.evidence_track(claim=claim)
    return claim


def evidence_of(claim: Annotation) -> Evidence:
    return Evidence.objects.get(claim=claim, url=claim.evidence_url)


def waiting_jobs() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path=service.capture_evidence.module_path, status=TaskResultStatus.READY
        )
    )


def capture_now() -> None:
    jobs.run_due_jobs(jobs.EVIDENCE)


def check(claim: Annotation, **kwargs) -> Evidence:
    return service.evidence_check(evidence_id=evidence_of(claim).pk, **kwargs)


def days_later(evidence: Evidence, days: float) -> None:
    """Move the evidence's past back, as if `days` had passed since."""
    shift = timedelta(days=days)
    Evidence.objects.filter(pk=evidence.pk).update(
        first_failure_at=evidence.first_failure_at - shift if evidence.first_failure_at else None
    )
    Capture.objects.filter(evidence=evidence).update(captured_at=timezone.now() - shift)


# --- Saves ----------------------------------------------------------------------------------


def test_a_claim_saved_with_a_link_gets_its_evidence_and_one_waiting_job(editor, base):
    article = ArticleFactory()
    start = article.body.index(QUOTE)
    span = {"start": start, "end": start + len(QUOTE), "quote": QUOTE}
    claim = services.annotation_create(
        article=article, user=editor, label="disputed", evidence_url=f"{base}/page", **span
    ).annotation
    evidence = evidence_of(claim)
    assert (evidence.state, evidence.current) == ("pending", None)
    [waiting] = waiting_jobs()
    assert waiting.args_kwargs["args"] == [evidence.pk]
    assert Capture.objects.count() == 0  # the save fetched nothing

    def update(url):
        return services.annotation_update(
            annotation=Annotation.objects.get(pk=claim.pk),
            user=editor,
            label="disputed",
            source=None,
            credibility=None,
            note="edited",
            evidence_url=url,
        )

    update(f"{base}/page")  # the same link: nothing new
    assert (Evidence.objects.count(), len(waiting_jobs())) == (1, 1)
    update(f"{base}/missing")  # another link: its own row and job; the old one unchecked
    assert Evidence.objects.count() == 2
    assert Evidence.objects.get(url=f"{base}/page").next_check_at is None
    assert len(waiting_jobs()) == 2
    update(f"{base}/page")  # back to the first link, its job still waiting: that job stands
    assert (Evidence.objects.count(), len(waiting_jobs())) == (2, 2)
    update("")
    assert Evidence.objects.filter(next_check_at__isnull=False).count() == 0
    capture_now()  # the jobs find their links no longer the claim's: nothing fetched
    assert Capture.objects.count() == 0


def test_a_failed_save_leaves_no_evidence_and_no_job(base):
    with pytest.raises(RuntimeError), transaction.atomic():
        claim = AnnotationFactory(evidence_url=f"{base}/page")
        service.evidence_track(claim=claim)
        raise RuntimeError("the save failed after")
    assert (Evidence.objects.count(), waiting_jobs()) == (0, [])


def test_a_bulk_import_leaves_its_links_due_for_the_scan(base, tmp_path):
    body = "Kyiv says 31 of 38 drones were shot down."
    record = {
        "title": "Strike",
        "body": body,
        "claims": [
            {"start": 10, "end": 40, "quote": body[10:40], "label": "disputed"},
            {"start": 0, "end": 4, "quote": "Kyiv", "label": "verified", "evidence_url": ""},
        ],
    }
    record["claims"][0]["evidence_url"] = f"{base}/page"
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    user = member("importer", "Reviewer").get_username()
    call_command("import_articles", str(path), "--user", user, verbosity=0)
    [evidence] = Evidence.objects.all()
    assert (evidence.url, evidence.state) == (f"{base}/page", "pending")
    assert evidence.next_check_at <= timezone.now()
    assert service.schedule_evidence_rechecks.call() == 1
    assert service.schedule_evidence_rechecks.call() == 1  # asks again: still one job
    assert len(waiting_jobs()) == 1
    capture_now()
    assert evidence_of(evidence.claim).state == "captured"


def test_a_claim_undeleted_gets_its_link_tracked_again(editor, base):
    claim = claim_by(editor, ArticleFactory(), QUOTE, evidence_url=f"{base}/page")
    pk = claim.pk
    services.annotation_delete(annotation=claim, user=editor)
    assert Evidence.objects.count() == 0  # the claim's evidence went with it
    services.annotation_undo_delete(annotation_id=pk, user=editor)
    assert Evidence.objects.get(claim_id=pk).url == f"{base}/page"
    capture_now()
    assert Evidence.objects.get(claim_id=pk).state == "captured"


def test_a_claim_whose_link_was_captured_can_be_deleted_or_merged_away(editor, reviewer, base):
    # Deleting a capture set its row's `current` to NULL first, which a captured row refuses.
    article = ArticleFactory(created_by=editor)
    claim = claim_by(editor, article, QUOTE, evidence_url=f"{base}/page")
    capture_now()
    services.annotation_delete(annotation=claim, user=editor)
    assert (Evidence.objects.count(), Capture.objects.count()) == (0, 0)
    sbu = services.source_create(name="SBU", user=editor)
    long_name = services.source_create(name="Security Service of Ukraine", user=editor)
    kept = claim_by(editor, article, QUOTE, source=long_name)
    claim_by(editor, article, QUOTE, source=sbu, evidence_url=f"{base}/pdf")
    capture_now()
    services.source_merge(keep=long_name, others=[sbu], user=reviewer)
    [evidence] = Evidence.objects.all()  # the twin's went with it; the survivor's is new
    assert (evidence.claim_id, evidence.url, evidence.state) == (kept.pk, f"{base}/pdf", "pending")


def test_a_claim_that_takes_in_its_twins_link_gets_it_tracked(editor, reviewer, base, web):
    article = ArticleFactory()
    sbu = services.source_create(name="SBU", user=editor)
    long_name = services.source_create(name="Security Service of Ukraine", user=editor)
    kept = claim_by(editor, article, QUOTE, source=long_name)
    claim_by(editor, article, QUOTE, source=sbu, evidence_url=f"{base}/page")
    services.source_merge(keep=long_name, others=[sbu], user=reviewer)
    assert Evidence.objects.get().claim_id == kept.pk
    capture_now()  # the twin's job finds its record gone; the survivor's captures
    assert evidence_of(Annotation.objects.get(pk=kept.pk)).state == "captured"
    assert web.seen == ["/page"]


# --- Capture --------------------------------------------------------------------------------


def test_capture_keeps_the_exchange_as_a_warc_with_its_hashes_and_text(base, web):
    claim = claim_with(f"{base}/hop?left=2")
    capture_now()
    evidence = evidence_of(claim)
    kept = evidence.current
    served = page("Drones over Kharkiv", PARAGRAPHS)
    assert evidence.state == "captured" and not evidence.nothing_to_read
    assert (kept.requested_url, kept.final_url) == (f"{base}/hop?left=2", f"{base}/page")
    assert (kept.http_status, kept.content_type) == (200, "text/html; charset=utf-8")
    assert kept.payload_sha256 == hashlib.sha256(served).hexdigest()
    assert kept.payload_size == len(served)
    assert "thirty-one of thirty-eight drones were shot down" in kept.text
    assert kept.text_sha256 == hashlib.sha256(kept.text.encode()).hexdigest()
    assert abs((kept.captured_at - timezone.now()).total_seconds()) < 60
    blob = CaptureBlob.objects.get()
    data = bytes(blob.data)
    assert blob.sha256 == hashlib.sha256(data).hexdigest() and blob.size == len(data)
    records = [(r, r.content_stream().read()) for r in ArchiveIterator(io.BytesIO(data))]
    assert [r.rec_type for r, _ in records] == ["request", "response"]
    (request, _), (response, payload) = records
    assert request.http_headers.protocol == "GET"
    assert request.rec_headers.get_header("WARC-Target-URI") == f"{base}/page"
    assert response.http_headers.get_statuscode() == "200"
    assert response.http_headers.get_header("Content-Type") == "text/html; charset=utf-8"
    assert hashlib.sha256(payload).hexdigest() == kept.payload_sha256
    assert web.seen == ["/hop?left=2", "/hop?left=1", "/page"]
    due = (evidence.next_check_at - timezone.now()).total_seconds()
    assert 24 * 3600 - 60 < due <= 24 * 3600


def test_the_job_run_twice_fetches_once(base, web):
    claim = claim_with(f"{base}/page")
    evidence = evidence_of(claim)
    assert service.capture_evidence.call(evidence.pk) == "captured"
    assert service.capture_evidence.call(evidence.pk) == "not due"
    with transaction.atomic():
        service.evidence_track(claim=claim, previous_url=claim.evidence_url)  # an unchanged save
    capture_now()
    assert web.seen == ["/page"]
    assert Capture.objects.count() == CaptureBlob.objects.count() == 1


def test_a_404_and_a_pdf_are_recorded_not_refused(base):
    missing, pdf = claim_with(f"{base}/missing"), claim_with(f"{base}/pdf")
    capture_now()
    gone = evidence_of(missing)
    assert (gone.state, gone.last_status, gone.failures, gone.retrying) == ("failed", 404, 1, False)
    assert gone.last_error == "The page answered 404 Not Found."
    assert gone.captures.get().http_status == 404 and gone.current is None
    assert gone.next_check_at is not None  # the re-checks try again; no quick retry
    assert waiting_jobs() == []
    document = evidence_of(pdf)
    assert (document.state, document.nothing_to_read) == ("captured", True)
    assert document.current.content_type == "application/pdf"
    assert document.current.payload_sha256 == hashlib.sha256(b"%PDF-1.7 evidence").hexdigest()


def test_an_empty_page_is_captured_with_nothing_to_read(base):
    claim = claim_with(f"{base}/wall")
    capture_now()
    evidence = evidence_of(claim)
    assert (evidence.state, evidence.nothing_to_read, evidence.current.text) == (
        "captured",
        True,
        "",
    )


def test_an_oversized_page_fails_without_retry(base):
    claim = claim_with(f"{base}/big")
    capture_now()
    evidence = evidence_of(claim)
    assert (evidence.state, evidence.last_error_code, evidence.retrying) == (
        "failed",
        "too_big",
        False,
    )
    assert Capture.objects.count() == 0 and waiting_jobs() == []


# --- Retries --------------------------------------------------------------------------------


def test_a_slow_site_is_retried_with_backoff_then_given_up(base, web):
    claim = claim_with(f"{base}/slow")
    capture_now()
    evidence = evidence_of(claim)
    assert (evidence.state, evidence.retrying, evidence.last_error_code) == (
        "failed",
        True,
        "read_timeout",
    )
    [retry] = waiting_jobs()
    assert retry.args_kwargs["kwargs"][jobs.META]["attempt"] == 2
    assert 50 < (retry.run_after - timezone.now()).total_seconds() <= 60
    # The scan leaves a link whose retry waits alone: the backoff stands.
    Evidence.objects.filter(pk=evidence.pk).update(next_check_at=timezone.now())
    assert service.schedule_evidence_rechecks.call() == 0
    for _attempt in (2, 3):
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
            run_after=timezone.now() - timedelta(seconds=1)
        )
        capture_now()
    evidence.refresh_from_db()
    assert waiting_jobs() == []
    assert (evidence.state, evidence.retrying) == ("failed", False)  # given up
    assert evidence.next_check_at > timezone.now()  # the re-checks take it from here
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 3


def test_a_retry_that_succeeds_captures(base, web):
    claim = claim_with(f"{base}/slow")
    capture_now()
    web.release.set()  # the site answers at once from now on
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
        run_after=timezone.now() - timedelta(seconds=1)
    )
    capture_now()
    evidence = evidence_of(claim)
    assert (evidence.state, evidence.retrying, evidence.last_error) == ("captured", False, "")


# --- The guard ------------------------------------------------------------------------------


def test_private_addresses_are_refused_when_the_guard_is_not_lifted(settings, base, web):
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    claim = claim_with(f"{base}/page")
    capture_now()
    evidence = evidence_of(claim)
    assert (evidence.state, evidence.last_error_code) == ("failed", "refused")
    assert "127.0.0.1 is a loopback address" in evidence.last_error
    assert web.seen == [] and Capture.objects.count() == 0


def test_a_redirect_to_another_private_port_is_refused(base, web, elsewhere):
    other = f"http://127.0.0.1:{elsewhere.server_address[1]}/page"
    claim = claim_with(f"{base}/hop?left=1&to={other}")
    capture_now()
    evidence = evidence_of(claim)
    assert (evidence.state, evidence.last_error_code) == ("failed", "refused")
    assert elsewhere.seen == [] and web.seen == [f"/hop?left=1&to={other}"]


# --- Re-checks ------------------------------------------------------------------------------


def test_a_page_whose_text_changed_is_changed_and_both_captures_kept(base, web):
    claim = claim_with(f"{base}/changing")
    capture_now()
    first = evidence_of(claim).current
    assert check(claim).state == "captured"  # the same text again: no new capture
    assert Capture.objects.count() == 1
    web.version = 3
    evidence = check(claim)
    assert evidence.state == "changed"
    assert list(evidence.captures.order_by("id")) == [first, evidence.current]
    assert evidence.current.text_sha256 != first.text_sha256
    assert "windows had been broken" in evidence.current.text
    web.version = 2  # back as first captured
    assert check(claim).state == "captured"


def test_a_page_is_gone_after_two_failures_a_day_apart(base, web):
    claim = claim_with(f"{base}/changing")
    capture_now()
    url = f"{base}/missing"
    Evidence.objects.filter(claim=claim).update(url=url)
    Annotation.objects.filter(pk=claim.pk).update(evidence_url=url)
    claim.evidence_url = url
    evidence = check(claim)
    assert (evidence.state, evidence.failures) == ("failed", 1)
    assert evidence.current is not None  # the capture of before stays to be read
    evidence = check(claim)
    assert (evidence.state, evidence.failures) == ("failed", 2)  # not 24 hours apart yet
    days_later(evidence, 1)
    evidence = check(claim)
    assert (evidence.state, evidence.failures) == ("gone", 3)


def test_now_ignores_the_24_hours_and_an_answer_clears_the_failures(base):
    claim = claim_with(f"{base}/missing")
    capture_now()
    assert check(claim, ignore_gap=True).state == "gone"
    url = f"{base}/page"
    Evidence.objects.filter(claim=claim).update(url=url)
    Annotation.objects.filter(pk=claim.pk).update(evidence_url=url)
    claim.evidence_url = url
    evidence = check(claim)
    assert (evidence.state, evidence.failures, evidence.first_failure_at) == ("captured", 0, None)


def test_a_name_that_does_not_resolve_counts_toward_gone(settings):
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    claim = claim_with("http://no-such-site.invalid/post")
    evidence = check(claim)
    assert (evidence.state, evidence.last_error_code, evidence.failures) == (
        "failed",
        "unresolved",
        1,
    )
    assert check(claim, ignore_gap=True).state == "gone"


def test_re_checks_stop_after_the_window(settings, base):
    claim = claim_with(f"{base}/page")
    capture_now()
    evidence = evidence_of(claim)
    days_later(evidence, 29.5)
    assert check(claim).next_check_at is None  # the next would fall past 30 days


def test_the_scan_enqueues_what_is_due_once(base):
    due, later = claim_with(f"{base}/page"), claim_with(f"{base}/pdf")
    capture_now()
    Evidence.objects.filter(claim=due).update(next_check_at=timezone.now())
    assert service.schedule_evidence_rechecks.call() == 1
    assert service.schedule_evidence_rechecks.call() == 1
    [waiting] = waiting_jobs()
    assert waiting.args_kwargs["args"] == [evidence_of(due).pk]
    assert evidence_of(later).next_check_at > timezone.now()


def test_the_scan_is_a_periodic_job():
    from newsroom import settings as project  # the project's value, not this file's override

    assert "annotations.services.evidence.schedule_evidence_rechecks" in project.PERIODIC_JOBS


# --- Commands -------------------------------------------------------------------------------


def test_recheck_evidence_checks_what_is_due_or_all(base, web, capsys):
    changing, missing = claim_with(f"{base}/changing"), claim_with(f"{base}/missing")
    capture_now()
    web.version = 3
    call_command("recheck_evidence")
    assert "Re-checked 0 link(s)." in capsys.readouterr().out  # nothing due yet
    call_command("recheck_evidence", "--all")
    assert "Re-checked 2 link(s): 1 changed, 1 failed." in capsys.readouterr().out
    call_command("recheck_evidence", "--all", "--now")
    assert evidence_of(missing).state == "gone"
    assert evidence_of(changing).state == "changed"


def test_verify_evidence_finds_a_stored_capture_that_changed(base, capsys):
    claim_with(f"{base}/page")
    capture_now()
    call_command("verify_evidence")
    assert "All 1 capture(s) and 1 stored file(s) verified." in capsys.readouterr().out
    blob = CaptureBlob.objects.get()
    data = bytearray(blob.data)
    data[-40] ^= 1
    CaptureBlob.objects.filter(pk=blob.pk).update(data=bytes(data))
    Capture.objects.update(text="tampered")
    with pytest.raises(CommandError, match="mismatch"):
        call_command("verify_evidence")
    found = capsys.readouterr().err
    assert f"stored file {blob.sha256}" in found
    assert "the text hash differs" in found


# --- Reads ----------------------------------------------------------------------------------


def test_each_claims_current_evidence_in_one_query(base, django_assert_num_queries):
    captured = claim_with(f"{base}/page")
    capture_now()
    pending = claim_with(f"{base}/pdf")
    bare = AnnotationFactory()
    with django_assert_num_queries(1):
        rows = {c.pk: c for c in selectors.with_evidence(Annotation.objects.all())}
    kept = evidence_of(captured).current
    assert rows[captured.pk].evidence_status == "captured"
    assert rows[captured.pk].evidence_sha256 == kept.payload_sha256
    assert rows[captured.pk].evidence_captured_at == kept.captured_at
    assert (rows[pending.pk].evidence_status, rows[pending.pk].evidence_sha256) == ("pending", "")
    assert (rows[bare.pk].evidence_status, rows[bare.pk].evidence_captured_at) == ("none", None)


def test_the_database_refuses_a_state_it_does_not_know_and_a_short_hash(base):
    from django.db import IntegrityError

    claim = claim_with(f"{base}/page")
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.filter(claim=claim).update(state="archived")
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.filter(claim=claim).update(state="captured")  # without a capture
    with pytest.raises(IntegrityError), transaction.atomic():
        CaptureBlob.objects.create(sha256="abc", data=b"x", size=1)
