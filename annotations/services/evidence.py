"""Evidence capture: every claim's evidence link fetched once in the background, kept as a
WARC with its hashes and main text, and re-checked for a while (`Evidence`, `Capture`,
`CaptureBlob`; the pure parts in `annotations.capture`).

- `evidence_track`: a claim's save that gives it a link, or another one, makes (or finds)
  the link's `Evidence` row and enqueues its job, in the save's transaction.
- `capture_evidence` (job, queue "evidence", keyed "evidence:<id>"): fetches the link when
  the row says a check is due, and records what came back (`evidence_check`). A failure
  that may pass is retried with the queue's backoff; a run that finds nothing due returns.
- `schedule_evidence_rechecks` (periodic): enqueues the job of every row whose next check
  is due (daily, EVIDENCE_RECHECK_SECONDS, for EVIDENCE_RECHECK_DAYS after the capture).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import capture, fetching, jobs
from ..models import Annotation, Article, Capture, CaptureBlob, Evidence, WebhookEvent
from ..selectors import current_evidence
from .webhooks import webhook_emit, webhook_payload_of_evidence

__all__ = [
    "GONE_AFTER",
    "capture_evidence",
    "current_evidence",
    "evidence_check",
    "evidence_track",
    "evidence_track_article",
    "evidence_track_many",
    "evidence_track_untracked",
    "schedule_evidence_rechecks",
]

# Two failures that say a page is gone, this far apart at least, and it is *gone*.
GONE_AFTER = timedelta(hours=24)
_SCAN_BATCH = 1000


def _key(evidence_id: int) -> str:
    return f"evidence:{evidence_id}"


# --- Saves ----------------------------------------------------------------------------------


def evidence_track(
    *, claim: Annotation, previous_url: str = "", new: bool = False
) -> Evidence | None:
    """Call in the transaction that saves `claim`, with the link it had before the save.
    A new link gets its Evidence row (or finds the one it had, when a claim goes back to an
    earlier link) and its capture job, due now; the link left behind is no longer checked.
    Nothing happens when the link did not change. `new`: the claim was made in this
    transaction, so it has no Evidence row yet: one INSERT, and its job (`enqueue_new`)."""
    if claim.evidence_url == previous_url:
        return None
    if new:
        evidence = Evidence.objects.create(
            claim=claim, url=claim.evidence_url, next_check_at=timezone.now()
        )
        jobs.enqueue_new(capture_evidence, evidence.pk, key=_key(evidence.pk))
        return evidence
    if previous_url:
        Evidence.objects.filter(claim=claim, url=previous_url).update(
            next_check_at=None, retrying=False, updated_at=timezone.now()
        )
    if not claim.evidence_url:
        return None
    now = timezone.now()
    # Made if need be, then locked: two saves at once make one row (and one waiting job).
    Evidence.objects.bulk_create(
        [Evidence(claim=claim, url=claim.evidence_url, next_check_at=now)], ignore_conflicts=True
    )
    evidence = Evidence.objects.select_for_update().get(claim=claim, url=claim.evidence_url)
    if evidence.next_check_at is None or evidence.next_check_at > now:
        evidence.next_check_at = now
        evidence.save(update_fields=["next_check_at", "updated_at"])
    jobs.enqueue_once(capture_evidence, evidence.pk, key=_key(evidence.pk))
    return evidence


def evidence_track_article(article: Article) -> Evidence | None:
    """Call in the transaction that saves an article imported from its URL: the page gets
    its Evidence row and capture job (a page rewritten overnight is then on record)."""
    if not capture.is_http(article.url):
        return None
    Evidence.objects.bulk_create(
        [Evidence(article=article, url=article.url, next_check_at=timezone.now())],
        ignore_conflicts=True,
    )
    evidence = Evidence.objects.get(article=article, url=article.url)
    jobs.enqueue_once(capture_evidence, evidence.pk, key=_key(evidence.pk))
    return evidence


def evidence_track_many(claims: list[Annotation]) -> int:
    """For claims saved in bulk (an import), in their transaction: their links' Evidence
    rows, due now, in one query; `schedule_evidence_rechecks` enqueues their jobs."""
    now = timezone.now()
    rows = [
        Evidence(claim=claim, url=claim.evidence_url, next_check_at=now)
        for claim in claims
        if claim.evidence_url
    ]
    Evidence.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def evidence_track_untracked() -> int:
    """Track the links that have no row yet, due now: claims' links and the pages articles
    came from (of live articles). Claims and articles made before evidence capture, an
    article that came in bulk or whose link was changed, a door that did not track.
    Returns how many."""
    tracked = Evidence.objects.filter(claim=OuterRef("pk"), url=OuterRef("evidence_url"))
    claims = (
        Annotation.objects.exclude(evidence_url="")
        .filter(article__deleted_at__isnull=True)
        .exclude(Exists(tracked))
        .only("pk", "evidence_url")
    )
    page_tracked = Evidence.objects.filter(article=OuterRef("pk"), url=OuterRef("url"))
    articles = (
        Article.objects.alive()
        .filter(Q(url__startswith="http://") | Q(url__startswith="https://"))
        .exclude(Exists(page_tracked))
        .only("pk", "url")
    )
    now = timezone.now()
    pages = [Evidence(article=article, url=article.url, next_check_at=now) for article in articles]
    Evidence.objects.bulk_create(pages, ignore_conflicts=True)
    return evidence_track_many(list(claims)) + len(pages)


# --- Checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    """What one fetch brought: an answer (any status), or the fetcher's failure."""

    result: fetching.FetchResult | None
    error: fetching.FetchError | None
    at: datetime

    @property
    def ok(self) -> bool:
        return self.result is not None and 200 <= self.result.status < 300

    @property
    def says_gone(self) -> bool:
        if self.result is not None:
            return self.result.status in capture.GONE_STATUSES
        return self.error is not None and self.error.code in capture.GONE_CODES

    @property
    def may_pass(self) -> bool:
        """A failure worth retrying soon: the site down, slow, or busy."""
        if self.result is not None:
            return self.result.status >= 500 or self.result.status == 429
        return self.error is not None and self.error.code in capture.PASSING_CODES


def _fetch(url: str) -> _Answer:
    try:
        result = fetching.fetch(
            url,
            headers=capture.HEADERS,
            raise_for_status=False,
            allow_private=fetching.private_allowance(),
            connect_timeout=settings.URL_IMPORT_CONNECT_TIMEOUT,
            read_timeout=settings.URL_IMPORT_READ_TIMEOUT,
            total_timeout=settings.EVIDENCE_TOTAL_TIMEOUT,
            max_bytes=settings.EVIDENCE_MAX_BYTES,
            max_redirects=settings.URL_IMPORT_MAX_REDIRECTS,
        )
    except fetching.FetchError as exc:
        return _Answer(None, exc, timezone.now())
    return _Answer(result, None, timezone.now())


def _status_message(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = _("an error")
    return _("The page answered %(status)s %(phrase)s.") % {"status": status, "phrase": phrase}


def _store(evidence: Evidence, answer: _Answer) -> Capture:
    """A capture of the answer, unless it repeats the latest one (the same status and
    extracted text): then that one."""
    result = answer.result
    assert result is not None
    text = capture.main_text(result)
    text_hash = capture.text_sha256(text)
    latest = evidence.captures.order_by("-captured_at", "-id").first()
    if latest and (latest.http_status, latest.text_sha256) == (result.status, text_hash):
        return latest
    data = capture.warc(result, captured_at=answer.at)
    blob_key = capture.sha256(data)
    CaptureBlob.objects.bulk_create(
        [CaptureBlob(sha256=blob_key, data=data, size=len(data))], ignore_conflicts=True
    )
    return Capture.objects.create(
        evidence=evidence,
        requested_url=evidence.url,
        final_url=result.url,
        http_status=result.status,
        content_type=result.headers.get("Content-Type", "")[:255],
        captured_at=answer.at,
        payload_sha256=capture.sha256(result.content),
        payload_size=len(result.content),
        text=text,
        text_sha256=text_hash,
        warc_id=blob_key,
    )


def _next_check(evidence: Evidence, now: datetime) -> datetime | None:
    """The next re-check: a period on, while within EVIDENCE_RECHECK_DAYS of the first
    capture that answered (of the row's making, before one did)."""
    first = evidence.captures.filter(http_status__range=(200, 299)).order_by("captured_at")
    since = first.values_list("captured_at", flat=True).first() or evidence.created_at
    due = now + timedelta(seconds=settings.EVIDENCE_RECHECK_SECONDS)
    return due if due <= since + timedelta(days=settings.EVIDENCE_RECHECK_DAYS) else None


def _succeeded(evidence: Evidence, kept: Capture) -> None:
    first = (
        evidence.captures.filter(http_status__range=(200, 299))
        .order_by("captured_at", "id")
        .values_list("text_sha256", flat=True)
        .first()
    )
    evidence.current = kept
    evidence.state = (
        Evidence.State.CAPTURED if first == kept.text_sha256 else Evidence.State.CHANGED
    )
    evidence.nothing_to_read = not kept.text
    evidence.failures, evidence.first_failure_at = 0, None
    evidence.last_error = evidence.last_error_code = ""
    evidence.last_status = None


def _failed(evidence: Evidence, answer: _Answer, *, ignore_gap: bool) -> None:
    if answer.result is not None:
        evidence.last_status = answer.result.status
        evidence.last_error_code = "status"
        evidence.last_error = _status_message(answer.result.status)
    else:
        assert answer.error is not None
        evidence.last_status = None
        evidence.last_error_code = answer.error.code
        evidence.last_error = str(answer.error)[:500]
    if answer.says_gone:
        if not evidence.failures:
            evidence.first_failure_at = answer.at
        evidence.failures = min(evidence.failures + 1, 1000)
    apart = evidence.first_failure_at and answer.at - evidence.first_failure_at >= GONE_AFTER
    if answer.says_gone and evidence.failures >= 2 and (ignore_gap or apart):
        evidence.state = Evidence.State.GONE
    elif evidence.state != Evidence.State.GONE or not answer.says_gone:
        evidence.state = Evidence.State.FAILED


def evidence_check(*, evidence_id: int, ignore_gap: bool = False, retry: bool = False) -> Evidence:
    """Fetch the link once (outside any transaction) and record what came back, under the
    row's lock: a capture unless the answer repeats the latest, the state, the failures
    that count toward *gone* (`ignore_gap`: the 24 hours between two of them are not
    waited for), and the next check. `retry`: a job that will try again soon after a
    failure that may pass (the row says `retrying`, its next check is left due)."""
    url = Evidence.objects.values_list("url", flat=True).get(pk=evidence_id)
    answer = _fetch(url)
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().get(pk=evidence_id)
        evidence.last_checked_at = answer.at
        kept = _store(evidence, answer) if answer.result is not None else None
        was = evidence.state
        if answer.ok and kept is not None:
            _succeeded(evidence, kept)
        else:
            _failed(evidence, answer, ignore_gap=ignore_gap)
        moved = evidence.state != was
        if moved or evidence.state_since is None:
            evidence.state_since = answer.at
        evidence.retrying = retry and not answer.ok and answer.may_pass
        if not evidence.retrying:
            evidence.next_check_at = _next_check(evidence, answer.at)
        evidence.save()
        if moved:
            webhook_emit(WebhookEvent.EVIDENCE_CHANGED, webhook_payload_of_evidence(evidence))
    return evidence


# --- Jobs -----------------------------------------------------------------------------------


def _gave_up(evidence_id: int, *, error: BaseException, **kwargs) -> None:
    """The last attempt failed: no retry waits; the re-checks take it from here."""
    evidence = Evidence.objects.select_for_update().filter(pk=evidence_id).first()
    if evidence is not None:
        evidence.retrying = False
        evidence.next_check_at = _next_check(evidence, timezone.now())
        evidence.save(update_fields=["retrying", "next_check_at", "updated_at"])


@jobs.job(queue=jobs.EVIDENCE, on_give_up=_gave_up)
def capture_evidence(evidence_id: int) -> str:
    """Capture or re-check one evidence link, when its row says a check is due (or a retry
    waits); else return: the work was done by an earlier run."""
    evidence = current_evidence().filter(pk=evidence_id).first()
    now = timezone.now()
    if evidence is None:
        return "not current"  # the claim was deleted, or its link changed
    if not evidence.retrying and (evidence.next_check_at is None or evidence.next_check_at > now):
        return "not due"
    evidence = evidence_check(evidence_id=evidence_id, retry=True)
    if evidence.retrying:
        raise jobs.Retry(evidence.last_error)
    return evidence.state


@jobs.job(queue=jobs.EVIDENCE, priority=10)
def schedule_evidence_rechecks() -> int:
    """Enqueue the job of each current evidence link whose next check is due (up to a
    thousand a run; the next run takes the rest). Returns how many."""
    due = (
        current_evidence()
        .filter(next_check_at__lte=timezone.now(), retrying=False)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:_SCAN_BATCH]
    )
    ids = list(due)
    for evidence_id in ids:
        jobs.enqueue_once(capture_evidence, evidence_id, key=_key(evidence_id))
    return len(ids)
