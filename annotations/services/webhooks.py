"""Webhooks: the desk's events sent to the endpoints admins registered, signed as Standard
Webhooks sign them (`webhook-id`, `webhook-timestamp`, `webhook-signature`: HMAC-SHA256 of
"id.timestamp.body" with the endpoint's secret; the `standardwebhooks` library signs).

- `webhook_emit(event, data)`: call in the transaction of the change. Each enabled endpoint
  that takes the event gets a `WebhookDelivery` row (one per event and endpoint: a unique
  constraint) and its job, keyed "webhook:<delivery id>", on the "webhooks" queue; both
  exist only if the change commits.
- `deliver_webhook` (job): POSTs the payload through the guarded fetcher (private and
  loopback addresses refused, checked at each delivery, on every redirect), records the
  attempt, and retries a failure with the queue's backoff, WEBHOOK_MAX_ATTEMPTS in all. An
  endpoint disabled meanwhile: the delivery is cancelled, nothing is sent.
- `webhook_endpoint_create` makes the secret, which the admin sees once.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from .. import fetching, jobs
from ..models import (
    Annotation,
    Article,
    Evidence,
    Source,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "deliver_webhook",
    "webhook_emit",
    "webhook_endpoint_create",
    "webhook_endpoint_update",
    "webhook_payload_of_article",
    "webhook_payload_of_claim",
    "webhook_payload_of_evidence",
    "webhook_payload_of_source",
    "webhook_sign",
]

USER_AGENT = f"{fetching.USER_AGENT} (webhooks)"


def _key(delivery_id: int) -> str:
    return f"webhook:{delivery_id}"


# --- Endpoints --------------------------------------------------------------------------------


def _require_admin(user) -> None:
    if not (user is not None and user.is_authenticated and user.is_superuser):
        raise PermissionDenied(_("Only an admin can register webhook endpoints."))


def _check_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(WebhookEvent.values))
    if unknown:
        raise ValidationError({"events": _("Unknown events: %(e)s.") % {"e": ", ".join(unknown)}})
    if not events:
        raise ValidationError({"events": _("Choose at least one event.")})
    return [e for e in WebhookEvent.values if e in events]


@transaction.atomic
def webhook_endpoint_create(
    *, user: AbstractBaseUser, name: str, url: str, events: list[str], enabled: bool = True
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret ("whsec_" and 32 random bytes in base64), which the
    caller shows the admin once."""
    _require_admin(user)
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    endpoint = WebhookEndpoint(
        name=" ".join(name.split()), url=url, events=_check_events(events), enabled=enabled,
        secret=secret, created_by=user,
    )  # fmt: skip
    endpoint.full_clean()
    endpoint.save()
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(
    *, user: AbstractBaseUser, endpoint: WebhookEndpoint, name: str, url: str,
    events: list[str], enabled: bool,
) -> WebhookEndpoint:  # fmt: skip
    """Change an endpoint; disabled, it gets nothing more (deliveries waiting are cancelled
    when their turn comes, and none is made for new events)."""
    _require_admin(user)
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.name, locked.url, locked.enabled = " ".join(name.split()), url, enabled
    locked.events = _check_events(events)
    locked.full_clean()
    locked.save()
    return locked


# --- Events -----------------------------------------------------------------------------------


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def webhook_payload_of_claim(claim: Annotation) -> dict:
    return {
        "id": claim.pk,
        "article": claim.article_id,
        "start": claim.start,
        "end": claim.end,
        "quote": claim.quote,
        "label": claim.label,
        "source": {"id": claim.source_id, "name": claim.source.name} if claim.source_id else None,
        "credibility": claim.credibility,
        "public_summary": claim.public_summary,
        "evidence_url": claim.evidence_url,
        "anchor_state": claim.anchor_state,
        "shared_claim": claim.shared_claim_id,  # the API's claim says it so too
        "updated_at": _stamp(claim.updated_at),
        "api_path": f"/api/v1/claims/{claim.pk}/",
        "web_path": claim.get_absolute_url(),
    }


def webhook_payload_of_source(source: Source) -> dict:
    return {
        "id": source.pk,
        "name": source.name,
        "kind": source.kind,
        "review_status": source.review_status,
        "reliability": source.reliability,
        "reviewed_at": _stamp(source.reviewed_at),
        "api_path": f"/api/v1/sources/{source.pk}/",
    }


def webhook_payload_of_article(article: Article) -> dict:
    return {
        "id": article.pk,
        "title": article.title,
        "url": article.url,
        "version": article.version,
        "api_path": f"/api/v1/articles/{article.pk}/",
        "web_path": article.get_absolute_url(),
    }


def webhook_payload_of_evidence(evidence: Evidence) -> dict:
    return {
        "id": evidence.pk,
        "claim": evidence.claim_id,
        "article": evidence.article_id,
        "url": evidence.url,
        "state": evidence.state,
        "state_since": _stamp(evidence.state_since),
        "sha256": evidence.current.payload_sha256 if evidence.current_id else "",
    }


def webhook_emit(event: str, data: dict) -> int:
    """Call in the transaction of the change: a delivery for each enabled endpoint that
    takes `event`, and its job. Returns how many. One query when no endpoint takes it."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(enabled=True).only("pk", "events")
        if event in endpoint.events
    ]
    if not endpoints:
        return 0
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = {"type": event, "timestamp": timezone.now().isoformat(), "data": data}
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event_id=event_id, event=event, payload=payload
        )
        jobs.enqueue_new(deliver_webhook, delivery.pk, key=_key(delivery.pk))
    return len(endpoints)


# --- Deliveries -------------------------------------------------------------------------------


def webhook_sign(secret: str, event_id: str, at: datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers of one delivery."""
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, at, body),
    }


def _gave_up(delivery_id: int, *, error: BaseException, **kwargs) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.State.RETRYING).update(
        state=WebhookDelivery.State.FAILED
    )


@jobs.job(queue=jobs.WEBHOOKS, on_give_up=_gave_up, max_attempts=settings.WEBHOOK_MAX_ATTEMPTS)
def deliver_webhook(delivery_id: int) -> str:
    """POST one delivery (once it is sent, a second run does nothing)."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.state in (
        WebhookDelivery.State.DELIVERED,
        WebhookDelivery.State.CANCELLED,
        WebhookDelivery.State.FAILED,
    ):
        return "nothing to do"
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(state=WebhookDelivery.State.CANCELLED)
        return "cancelled"
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"))
    at = timezone.now()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **webhook_sign(endpoint.secret, delivery.event_id, at, body),
    }
    started = time.monotonic()
    status, error = None, ""
    try:
        answer = fetching.fetch(
            endpoint.url,
            method="POST",
            body=body.encode(),
            headers=headers,
            raise_for_status=False,
            allow_private=fetching.private_allowance(),
            connect_timeout=settings.WEBHOOK_TIMEOUT,
            read_timeout=settings.WEBHOOK_TIMEOUT,
            total_timeout=settings.WEBHOOK_TIMEOUT * 2,
            max_bytes=64 * 1024,
            max_redirects=0,
        )
        status = answer.status
    except fetching.FetchError as exc:
        error = str(exc)[:500]
    ok = status is not None and 200 <= status < 300
    if status is not None and not ok:
        error = _("The receiver answered %(status)d.") % {"status": status}
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery, at=at, status_code=status, error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
        )  # fmt: skip
        delivery.attempts += 1
        delivery.state = WebhookDelivery.State.DELIVERED if ok else WebhookDelivery.State.RETRYING
        delivery.delivered_at = at if ok else None
        delivery.save(update_fields=["attempts", "state", "delivered_at"])
    if not ok:
        raise jobs.Retry(error)
    return "delivered"
