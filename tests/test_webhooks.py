"""Webhooks: the desk's events, signed (Standard Webhooks), delivered once per event and
endpoint through the guarded fetcher, retried with backoff, logged attempt by attempt."""

import json
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks.webhooks import Webhook

from annotations import jobs, services
from annotations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

from .factories import ArticleFactory, SourceFactory, claim_by
from .local_http import serving

pytestmark = pytest.mark.django_db

QUOTE = "31 of 38 drones were shot down"


class _Receiver(BaseHTTPRequestHandler):
    """Keeps what it receives; answers `server.answers` in turn (then 204)."""

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.seen.append((dict(self.headers), body))
        status = self.server.answers.pop(0) if self.server.answers else 204
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def receiver():
    with serving(_Receiver) as httpd:
        yield httpd


@pytest.fixture(autouse=True)
def _allowed(settings, receiver):
    receiver.seen.clear()
    receiver.answers = []
    settings.URL_IMPORT_ALLOW_PRIVATE = True
    settings.URL_FETCH_ALLOW = [f"127.0.0.1:{receiver.server_address[1]}"]
    settings.JOBS_BACKOFF_SECONDS = [60]
    settings.PERIODIC_JOBS = {}


@pytest.fixture
def endpoint(admin_user, receiver):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hooks"
    made, secret = services.webhook_endpoint_create(
        user=admin_user, name="CMS", url=url, events=["claim.created", "claim.deleted"]
    )
    made.plain_secret = secret
    return made


def _deliver() -> None:
    jobs.run_due_jobs(jobs.WEBHOOKS)


def _make_retry_due() -> None:
    DBTaskResult.objects.filter(status="READY").update(
        run_after=timezone.now() - timedelta(seconds=1)
    )


def test_a_claim_created_reaches_the_receiver_signed(endpoint, receiver, editor):
    claim = claim_by(editor, ArticleFactory(), QUOTE)
    assert not receiver.seen  # nothing is sent in the save: the queue sends it
    _deliver()
    ((headers, body),) = receiver.seen
    payload = Webhook(endpoint.plain_secret).verify(body, headers)
    assert payload["type"] == "claim.created"
    assert payload["data"]["id"] == claim.pk and payload["data"]["quote"] == QUOTE
    assert (
        headers["webhook-id"].startswith("evt_") and headers["Content-Type"] == "application/json"
    )
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 44).verify(body, headers)  # another secret does not verify
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("delivered", 1)
    assert WebhookAttempt.objects.get().status_code == 204


def test_a_receiver_that_answers_500_gets_the_event_again_later(endpoint, receiver, editor):
    receiver.answers = [500]
    claim_by(editor, ArticleFactory(), QUOTE)
    _deliver()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("retrying", 1)
    assert len(receiver.seen) == 1
    _deliver()  # the retry waits for its backoff
    assert len(receiver.seen) == 1
    _make_retry_due()
    _deliver()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    assert [a.status_code for a in delivery.tries.all()] == [500, 204]
    first, second = receiver.seen
    assert first[0]["webhook-id"] == second[0]["webhook-id"]  # the same event, resent


def test_the_guard_refuses_a_private_address_not_allowed(settings, endpoint, receiver, editor):
    settings.URL_FETCH_ALLOW = []
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    claim_by(editor, ArticleFactory(), QUOTE)
    _deliver()
    assert not receiver.seen
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "private" in attempt.error.lower()


def test_an_event_is_sent_exactly_once(endpoint, receiver, editor):
    claim_by(editor, ArticleFactory(), QUOTE)
    delivery = WebhookDelivery.objects.get()
    services.deliver_webhook.enqueue(delivery.pk)  # a second job of the same delivery
    _deliver()
    _deliver()
    assert len(receiver.seen) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookDelivery.objects.create(
            endpoint=endpoint, event_id=delivery.event_id, event=delivery.event, payload={}
        )


def test_a_refused_save_sends_nothing(endpoint, receiver, editor):
    article = ArticleFactory()
    with pytest.raises(Exception):  # noqa: B017 - the service's refusal, whatever it is
        services.annotation_create(
            article=article, user=editor, start=0, end=5, quote="wrong", label="disputed"
        )
    assert not WebhookDelivery.objects.exists()


def test_disabling_an_endpoint_stops_its_deliveries_at_once(admin_user, endpoint, receiver, editor):
    claim = claim_by(editor, ArticleFactory(), QUOTE)
    services.webhook_endpoint_update(
        user=admin_user, endpoint=endpoint, name="CMS", url=endpoint.url,
        events=endpoint.events, enabled=False,
    )  # fmt: skip
    _deliver()
    assert not receiver.seen
    assert WebhookDelivery.objects.get().state == "cancelled"
    services.annotation_delete(annotation=claim, user=editor)
    assert WebhookDelivery.objects.count() == 1  # no new delivery for a disabled endpoint


def test_each_event_of_the_desk(admin_user, receiver, editor, reviewer):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/all"
    services.webhook_endpoint_create(
        user=admin_user, name="All", url=url, events=[e.value for e in WebhookEndpoint.Event]
    )
    article = ArticleFactory(created_by=editor)
    claim = claim_by(editor, article, QUOTE)
    services.annotation_update(
        annotation=claim, user=editor, label="verified", source=None, credibility=None,
        note="", evidence_url="",
    )  # fmt: skip
    claim_id = claim.pk
    services.annotation_delete(annotation=claim, user=editor)
    source = SourceFactory(name="Rybar", review_status="pending")
    services.source_review(source=source, user=reviewer, decision="approved", reliability="C")
    services.article_correct(
        article=article, user=editor, expected_version=1, body=article.body + "\nMore."
    )
    _deliver()
    kinds = [json.loads(body)["type"] for _headers, body in receiver.seen]
    assert sorted(kinds) == sorted(
        ["claim.created", "claim.updated", "claim.deleted", "source.reviewed", "article.corrected"]
    )
    by_type = {json.loads(body)["type"]: json.loads(body)["data"] for _h, body in receiver.seen}
    assert by_type["source.reviewed"]["review_status"] == "approved"
    assert by_type["article.corrected"]["version"] == 2
    assert by_type["claim.deleted"] == {"id": claim_id, "article": article.pk}


def test_only_admins_register_endpoints(reviewer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.webhook_endpoint_create(
            user=reviewer, name="x", url="https://example.org/h", events=["claim.created"]
        )
    assert not WebhookEndpoint.objects.exists()


def test_the_admin_shows_the_secret_once(admin_client, receiver):
    add = reverse("admin:annotations_webhookendpoint_add")
    page = admin_client.post(
        add, {"name": "CMS", "url": "https://cms.example.org/hooks", "events": ["claim.created"],
              "enabled": "on"},
    )  # fmt: skip
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in page.content.decode()
    change = admin_client.get(
        reverse("admin:annotations_webhookendpoint_change", args=[endpoint.pk])
    )
    listed = admin_client.get(reverse("admin:annotations_webhookendpoint_changelist"))
    for later in (change, listed):
        assert later.status_code == 200 and endpoint.secret not in later.content.decode()
    refused = admin_client.post(add, {"name": "Bad", "url": "https://x.org/", "events": ["nope"]})
    assert refused.status_code == 422 and WebhookEndpoint.objects.count() == 1


def test_reviewers_do_not_see_webhooks_in_the_admin(client, reviewer):
    client.force_login(reviewer)
    for name in ("webhookendpoint", "webhookdelivery"):
        response = client.get(reverse(f"admin:annotations_{name}_changelist"))
        assert response.status_code == 403


def test_an_evidence_link_whose_state_changes_is_an_event(admin_user, receiver, editor):
    from annotations.models import Evidence

    url = f"http://127.0.0.1:{receiver.server_address[1]}/hooks"
    services.webhook_endpoint_create(
        user=admin_user, name="Archive", url=url, events=["evidence.changed"]
    )
    claim = claim_by(editor, ArticleFactory(), QUOTE, evidence_url=f"{url}/post")
    evidence = Evidence.objects.get(claim=claim)
    services.evidence_check(evidence_id=evidence.pk)  # the receiver answers a GET with 501
    services.evidence_check(evidence_id=evidence.pk)  # still failed: no second event
    _deliver()
    ((_headers, body),) = [seen for seen in receiver.seen if b"evidence.changed" in seen[1]]
    data = json.loads(body)["data"]
    assert (data["claim"], data["state"], data["url"]) == (claim.pk, "failed", f"{url}/post")
