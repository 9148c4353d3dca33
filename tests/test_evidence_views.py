# ruff: noqa: F811 - the fixtures imported from tests/test_evidence.py are asked for by name
"""Evidence as people see it (annotations/views/evidence.py, views/live.py, the partial
`evidence-line` of fragments.html): the line on a claim's card and on the article for each
state, a capture's text page and its WARC download, the live poll that brings a waiting
line's new state, and the pages articles come from, tracked like claims' links.

Captures are real where it matters: a local server on 127.0.0.1 plays the web (see
tests/test_evidence.py), and URL_FETCH_ALLOW lets the fetcher reach its port alone."""

import hashlib
import io
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from warcio.archiveiterator import ArchiveIterator

from annotations import jobs, selectors, services
from annotations.models import Annotation, Article, Capture, Evidence
from annotations.services import evidence as service

from .factories import AnnotationFactory, ArticleFactory, claim_by
from .test_evidence import (  # noqa: F401 - the local web and its settings, as fixtures
    _setup,
    base,
    capture_now,
    claim_with,
    evidence_of,
    waiting_jobs,
    web,
)

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
SCRIPT = '<script>alert("captured")</script>'  # the words of the page /script


def words(html: str) -> str:
    """What a reader reads of some HTML: the text, entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def evidence_line(html: str, claim: Annotation) -> str:
    """The evidence line on `claim`'s card in an article page."""
    card = re.search(rf'<li[^>]* id="claim-{claim.pk}".*?</li>', html, re.S)
    assert card, f"no card for claim {claim.pk}"
    line = re.search(r'<p class="claim-evidence[^"]*".*?</p>', card.group(0), re.S)
    assert line, "no evidence line on the card"
    return line.group(0)


def card_line(client, claim: Annotation) -> str:
    response = client.get(claim.article.get_absolute_url())
    assert response.status_code == 200
    return evidence_line(response.content.decode(), claim)


def when(value) -> str:
    return date_filter(value, "j M Y H:i")


def poll(client, article: Article, waiting: str, since: int | None = None):
    since = selectors.article_stamp(article.pk) if since is None else since
    params = {"since": since, "version": article.version, "waiting": waiting}
    url = reverse("annotations:article-changes", args=[article.pk])
    return client.get(url, params, headers=HX)


# --- The line on the card -------------------------------------------------------------------


def test_a_link_waiting_for_its_capture_says_so_and_asks_the_poll(editor_client, base):
    claim = claim_with(f"{base}/page")
    evidence = evidence_of(claim)
    line = card_line(editor_client, claim)
    assert words(line) == "Evidence ↗ Capturing the page…"
    assert f'href="{base}/page"' in line
    assert f'id="evidence-{evidence.pk}"' in line
    assert f'data-evidence-waiting="{evidence.pk}:pending"' in line
    assert "View text" not in line and "Download WARC" not in line


def test_a_captured_link_shows_when_its_hash_and_the_capture(editor_client, base):
    claim = claim_with(f"{base}/page")
    capture_now()
    kept = evidence_of(claim).current
    line = card_line(editor_client, claim)
    text = words(line)
    assert text.startswith(f"Evidence ↗ Captured {when(kept.captured_at)} · SHA-256 ")
    assert f'<code title="{kept.payload_sha256}">{kept.payload_sha256[:12]}…</code>' in line
    assert text.endswith("View text Download WARC")
    assert f'href="{reverse("annotations:evidence-text", args=[kept.pk])}"' in line
    assert f'href="{reverse("annotations:evidence-warc", args=[kept.pk])}" download' in line
    assert "data-evidence-waiting" not in line


def test_a_failure_being_retried_says_so(editor_client, base):
    claim = claim_with(f"{base}/down")  # answers 500: a failure that may pass
    capture_now()
    evidence = evidence_of(claim)
    assert (evidence.state, evidence.retrying) == ("failed", True)
    line = card_line(editor_client, claim)
    assert words(line) == "Evidence ↗ Capture failed: 500 (retrying)"
    assert f'data-evidence-waiting="{evidence.pk}:failed+"' in line
    # A 404 being retried (a job's last attempts) reads the same way.
    Evidence.objects.filter(pk=evidence.pk).update(last_status=404)
    assert words(card_line(editor_client, claim)) == "Evidence ↗ Capture failed: 404 (retrying)"


def test_a_failure_not_retried_and_a_page_gone_say_why(editor_client, base):
    claim = claim_with(f"{base}/missing")
    capture_now()
    evidence = evidence_of(claim)
    line = card_line(editor_client, claim)
    assert words(line) == "Evidence ↗ Capture failed: 404"
    assert "data-evidence-waiting" not in line  # the re-checks take it from here
    gone = service.evidence_check(evidence_id=evidence.pk, ignore_gap=True)
    assert gone.state == "gone"
    text = words(card_line(editor_client, claim))
    assert text == f"Evidence ↗ Gone: 404 since {when(gone.first_failure_at)}"


def test_a_page_that_changed_says_when_and_offers_its_last_capture(editor_client, base, web):
    claim = claim_with(f"{base}/changing")
    capture_now()
    web.version = 3
    changed = service.evidence_check(evidence_id=evidence_of(claim).pk)
    assert changed.state == "changed"
    text = words(card_line(editor_client, claim))
    assert text.startswith(
        f"Evidence ↗ Changed {when(changed.state_since)}: its text differs from the first "
        f"capture Last captured {when(changed.current.captured_at)} · SHA-256 "
        f"{changed.current.payload_sha256[:12]}…"
    )
    assert text.endswith("View text Download WARC")


def test_a_page_with_nothing_to_read_is_flagged(editor_client, base):
    claim = claim_with(f"{base}/wall")
    capture_now()
    text = words(card_line(editor_client, claim))
    assert text.startswith("Evidence ↗ Captured ")
    assert text.endswith(
        "View text Download WARC Nothing to read on the page: a login wall, or a post that is "
        "not found?"
    )


def test_a_link_never_tracked_says_not_captured(editor_client, base):
    claim = AnnotationFactory(evidence_url=f"{base}/page")  # made before capture existed
    line = card_line(editor_client, claim)
    assert words(line) == "Evidence ↗ not captured"
    assert "data-evidence-waiting" not in line and 'id="evidence-' not in line


def test_the_article_shows_the_line_of_the_page_it_came_from(editor_client, editor, base):
    article = services.article_create(
        user=editor, title="Night strike", body="Kyiv says 31 drones.", url=f"{base}/page"
    )
    evidence = Evidence.objects.get(article=article)
    html = editor_client.get(article.get_absolute_url()).content.decode()
    line = re.search(rf'<p [^>]*id="evidence-{evidence.pk}".*?</p>', html, re.S).group(0)
    assert words(line) == "Original page ↗ Capturing the page…"
    capture_now()
    html = editor_client.get(article.get_absolute_url()).content.decode()
    line = re.search(rf'<p [^>]*id="evidence-{evidence.pk}".*?</p>', html, re.S).group(0)
    assert words(line).startswith("Original page ↗ Captured ")


# --- The capture's text page and its WARC ---------------------------------------------------


def test_the_warc_is_a_sandboxed_download_of_the_stored_exchange(client, viewer, base):
    claim = claim_with(f"{base}/page")
    capture_now()
    kept = evidence_of(claim).current
    client.force_login(viewer)  # reading is for every role
    response = client.get(reverse("annotations:evidence-warc", args=[kept.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/warc"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="evidence-')
    assert disposition.endswith('.warc.gz"')
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == bytes(kept.warc.data)
    records = [
        (r, r.content_stream().read()) for r in ArchiveIterator(io.BytesIO(response.content))
    ]
    assert [r.rec_type for r, _ in records] == ["request", "response"]
    response_record, payload = records[1]
    assert hashlib.sha256(payload).hexdigest() == kept.payload_sha256
    assert response_record.rec_headers.get_header("WARC-Target-URI") == f"{base}/page"


def test_the_text_page_shows_the_captured_words_escaped(editor_client, base):
    claim = claim_with(f"{base}/script")
    capture_now()
    kept = evidence_of(claim).current
    assert SCRIPT in kept.text  # the page's words, as extracted
    response = editor_client.get(reverse("annotations:evidence-text", args=[kept.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&quot;captured&quot;)&lt;/script&gt;" in html
    assert kept.payload_sha256 in html and kept.text_sha256 in html
    assert f'href="{claim.get_absolute_url()}"' in html  # back to the claim
    assert reverse("annotations:evidence-warc", args=[kept.pk]) in html


def test_the_text_page_lists_every_capture_of_a_changed_page(editor_client, base, web):
    claim = claim_with(f"{base}/changing")
    capture_now()
    first = evidence_of(claim).current
    web.version = 3
    latest = service.evidence_check(evidence_id=evidence_of(claim).pk).current
    html = editor_client.get(reverse("annotations:evidence-text", args=[latest.pk])).content
    html = html.decode()
    assert "Every capture of this link" in html
    assert f'href="{reverse("annotations:evidence-text", args=[first.pk])}"' in html
    assert "windows had been broken" in html
    older = editor_client.get(reverse("annotations:evidence-text", args=[first.pk]))
    assert "windows had been broken" not in older.content.decode()


def test_the_page_an_article_came_from_has_its_text_page(editor_client, editor, base):
    article = services.article_create(
        user=editor, title="Night strike", body="Kyiv says 31 drones.", url=f"{base}/page"
    )
    capture_now()
    kept = Evidence.objects.get(article=article).current
    response = editor_client.get(reverse("annotations:evidence-text", args=[kept.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The page the article “Night strike” was imported from" in html
    assert f'href="{article.get_absolute_url()}"' in html


@pytest.mark.parametrize("name", ["evidence-text", "evidence-warc"])
def test_captures_of_a_deleted_articles_claims_are_not_found(editor_client, editor, base, name):
    claim = claim_with(f"{base}/page", article=ArticleFactory(created_by=editor))
    capture_now()
    kept = evidence_of(claim).current
    url = reverse(f"annotations:{name}", args=[kept.pk])
    assert editor_client.get(url).status_code == 200
    services.article_delete(article=claim.article, user=editor)
    assert editor_client.get(url).status_code == 404
    for missing in (10**12, 10**30):
        assert editor_client.get(reverse(f"annotations:{name}", args=[missing])).status_code == 404


@pytest.mark.parametrize("name", ["evidence-text", "evidence-warc"])
def test_captures_ask_a_stranger_to_sign_in_and_refuse_an_account_without_a_role(
    client, nobody, base, name
):
    claim = claim_with(f"{base}/page")
    capture_now()
    url = reverse(f"annotations:{name}", args=[evidence_of(claim).current.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert b"Drones over Kharkiv" not in response.content
    client.force_login(nobody)
    response = client.get(url)
    assert response.status_code == 403
    assert b"Drones over Kharkiv" not in response.content and b"WARC" not in response.content


# --- Live updates ---------------------------------------------------------------------------


def test_a_waiting_line_comes_back_out_of_band_once_captured(editor_client, base):
    claim = claim_with(f"{base}/page")
    evidence = evidence_of(claim)
    waiting = f"{evidence.pk}:pending"
    assert poll(editor_client, claim.article, waiting).status_code == 204  # nothing yet
    capture_now()
    response = poll(editor_client, claim.article, waiting)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    line = re.search(rf'<p [^>]*id="evidence-{evidence.pk}"[^>]*>.*?</p>', html, re.S).group(0)
    assert 'hx-swap-oob="true"' in line and "data-evidence-waiting" not in line
    assert words(line).startswith("Evidence ↗ Captured ")
    assert "View text" in line
    assert "The evidence of 1 link was checked." in response["HX-Trigger-After-Settle"]
    # The page now shows it captured and no longer waits: nothing to say.
    assert poll(editor_client, claim.article, "").status_code == 204


def test_a_retry_that_is_still_waiting_is_not_news(editor_client, base):
    claim = claim_with(f"{base}/down")
    capture_now()
    evidence = evidence_of(claim)
    assert poll(editor_client, claim.article, f"{evidence.pk}:failed+").status_code == 204
    response = poll(editor_client, claim.article, f"{evidence.pk}:pending")
    assert "Capture failed: 500 (retrying)" in words(response.content.decode())


def test_a_moved_line_of_a_changed_claim_comes_once_with_its_card(editor_client, reviewer, base):
    claim = claim_with(f"{base}/page")
    evidence = evidence_of(claim)
    since = selectors.article_stamp(claim.article.pk)
    capture_now()
    verdict = {"label": "verified", "source": None, "credibility": None, "note": "checked"}
    edited = Annotation.objects.get(pk=claim.pk)
    services.annotation_update(
        annotation=edited, user=reviewer, evidence_url=claim.evidence_url, **verdict
    )
    html = poll(editor_client, claim.article, f"{evidence.pk}:pending", since=since).content
    html = html.decode()
    assert html.count(f'id="evidence-{evidence.pk}"') == 1  # in the card only
    assert words(evidence_line(html, claim)).startswith("Evidence ↗ Captured ")


def test_a_moved_line_comes_beside_other_claims_changes(editor_client, reviewer, base):
    claim = claim_with(f"{base}/page")
    evidence = evidence_of(claim)
    since = selectors.article_stamp(claim.article.pk)
    capture_now()
    other = claim_by(reviewer, claim.article, "Residents had reportedly been evacuated")
    html = poll(editor_client, claim.article, f"{evidence.pk}:pending", since=since).content
    html = html.decode()
    assert f'id="claim-{other.pk}"' in html
    line = re.search(rf'<p [^>]*id="evidence-{evidence.pk}"[^>]*>.*?</p>', html, re.S).group(0)
    assert 'hx-swap-oob="true"' in line and words(line).startswith("Evidence ↗ Captured ")


JUNK = {
    "words": "pending,abc:def,:pending,12:,x12:pending",
    "digits of other scripts": "²:pending,١٢:pending,१:pending,½:pending",
    "signs and spaces": "-1:pending, 1:pending,+1:pending,1.0:pending,0x1:pending",
    "huge numbers": f"{10**11}:pending,{10**30}:pending,{2**63}:pending",
    "ten thousand items": ",".join(f"{n}:pending" for n in range(10_000)),
    "a long signature": "1:" + "p" * 100_000,
}


@pytest.mark.parametrize("junk", JUNK.values(), ids=JUNK.keys())
def test_junk_in_waiting_is_left_out(editor_client, base, junk):
    claim = claim_with(f"{base}/page")
    capture_now()
    response = poll(editor_client, claim.article, junk)
    assert response.status_code in (200, 204)


def test_a_poll_never_shows_another_articles_evidence(editor_client, editor, base):
    mine = claim_with(f"{base}/page")
    theirs = claim_with(f"{base}/wall")
    page_of_theirs = services.article_create(
        user=editor, title="Elsewhere", body="Another text.", url=f"{base}/missing"
    )
    capture_now()
    others = [evidence_of(theirs), Evidence.objects.get(article=page_of_theirs)]
    waiting = ",".join(f"{ev.pk}:pending" for ev in others)
    assert poll(editor_client, mine.article, waiting).status_code == 204
    # ...while the same question of the article they belong to answers.
    response = poll(editor_client, theirs.article, waiting)
    assert f'id="evidence-{others[0].pk}"' in response.content.decode()


def test_the_polls_queries_do_not_grow_with_the_waiting_lines(editor_client, base):
    article = ArticleFactory()
    quotes = ["31 of 38 drones", "Residents had reportedly been evacuated"]
    claims = [
        claim_with(f"{base}/page?n={n}", article=article, quote_text=q)
        for n, q in enumerate(quotes)
    ]
    ids = [evidence_of(c).pk for c in claims]
    capture_now()

    def queries(waiting: str) -> int:
        with CaptureQueriesContext(connection) as seen:
            response = poll(editor_client, article, waiting)
        assert response.status_code == 200
        return len(seen)

    one = queries(f"{ids[0]}:pending")
    many = queries(",".join(f"{pk}:pending" for pk in [*ids, *range(10**6, 10**6 + 500)]))
    assert one == many


# --- Pages articles come from, and links never tracked --------------------------------------


def test_an_article_added_with_its_link_gets_its_page_captured(editor_client):
    url = "https://news.example.org/2026/12/night-strike"
    data = {"title": "Night strike", "body": "Kyiv says 31 drones.", "url": url, "save": "1"}
    response = editor_client.post(reverse("annotations:article-new"), data)
    article = Article.objects.get()
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.article, evidence.claim, evidence.url) == (article, None, url)
    assert evidence.state == "pending"
    [job] = waiting_jobs()
    assert (job.args_kwargs["args"], job.queue_name) == ([evidence.pk], jobs.EVIDENCE)
    assert Capture.objects.count() == 0  # the save fetched nothing


def test_an_article_with_a_link_that_is_not_http_gets_no_capture(editor):
    article = services.article_create(
        user=editor, title="Archive", body="Kyiv says 31 drones.", url="ftp://example.org/a.txt"
    )
    assert article.url == "ftp://example.org/a.txt"
    assert Evidence.objects.count() == 0 and waiting_jobs() == []


def test_recheck_all_tracks_and_captures_the_links_never_tracked(base, capsys):
    # Made before capture existed (or in bulk, or by a door that did not track).
    claim = AnnotationFactory(evidence_url=f"{base}/page")
    article = ArticleFactory(url=f"{base}/wall")
    deleted = ArticleFactory(url=f"{base}/pdf", deleted_at=timezone.now())
    AnnotationFactory(evidence_url=f"{base}/page", article=deleted)
    ArticleFactory(url="ftp://example.org/a.txt")
    call_command("recheck_evidence", "--all")
    assert "Re-checked 2 link(s): 2 captured." in capsys.readouterr().out
    assert Evidence.objects.count() == 2
    of_claim, of_article = Evidence.objects.get(claim=claim), Evidence.objects.get(article=article)
    assert (of_claim.url, of_claim.state) == (f"{base}/page", "captured")
    assert (of_article.url, of_article.state, of_article.nothing_to_read) == (
        f"{base}/wall",
        "captured",
        True,
    )
