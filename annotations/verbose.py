"""The names people read for the models and their fields, in their language: one home for
the admin's columns, filters and forms, the history's field names and Django's own messages
("Article with this Url already exists").

The models name their fields in code only where a name needs saying (`note`: "internal
note"); every other field would show Django's default, its attribute name with spaces
("evidence url"), in English whatever the language. Below, the English names are those
defaults, but where a default does not read as a name ("url" is "link"). `apply()` (from
the app's `ready`) gives those fields and models the names below, translated lazily. It
sets what Django reads for display (`field.verbose_name`, `_meta.verbose_name`), not what
the migrations record (the names given in code: `field._verbose_name`, `Meta`), so it
writes no migration.

A field or model that gets a name in code keeps it: that name wins.
"""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

FIELD_NAMES = {
    "active": _("active"),
    "anchor_reason": _("anchor reason"),
    "anchor_state": _("anchor"),
    "annotation": _("claim"),
    "article": _("article"),
    "articles_created": _("articles created"),
    "assignee": _("assignee"),
    "at": pgettext_lazy("time", "at"),
    "attempts": _("attempts"),
    "author": _("author"),
    "body": _("body"),
    "body_hash": _("body hash"),
    "canonical": _("canonical"),
    "captured_at": _("captured at"),
    "claim": _("claim"),
    "claims_created": _("claims created"),
    "committed": _("committed"),
    "content_type": _("content type"),
    "created_at": _("created at"),
    "created_by": _("created by"),
    "credibility": _("credibility"),
    "cue": _("cue"),
    "current": _("current"),
    "data": _("data"),
    "deleted_at": _("deleted at"),
    "deleted_by": _("deleted by"),
    "dismissed_at": _("dismissed at"),
    "dismissed_by": _("dismissed by"),
    "delivered_at": _("delivered at"),
    "delivery": _("delivery"),
    "description": _("description"),
    "door": _("door"),
    "dry_run": _("dry run"),
    "duration_ms": _("duration ms"),
    "enabled": _("enabled"),
    "end": _("end"),
    "endpoint": _("endpoint"),
    "error": _("error"),
    "event": _("event"),
    "event_id": _("event id"),
    "events": _("events"),
    "evidence": _("evidence"),
    "evidence_url": _("evidence link"),
    "failures": _("failures"),
    "file_name": _("file name"),
    "file_sha256": _("file sha256"),
    "file_size": _("file size"),
    "final_url": _("final url"),
    "finished_at": _("finished at"),
    "first_failure_at": _("first failure at"),
    "format": _("format"),
    "hint": _("hint"),
    "host": _("host"),
    "http_status": _("http status"),
    "is_primary": _("is primary"),
    "job": _("job"),
    "key": _("key"),
    "key_sha256": _("key sha256"),
    "kind": _("kind"),
    "label": _("label"),
    "language": _("language"),
    "last_checked_at": _("last checked at"),
    "last_error": _("last error"),
    "last_error_code": _("last error code"),
    "last_status": _("last status"),
    "last_used_at": _("last used at"),
    "name": _("name"),
    "name_key": _("name key"),
    "next_check_at": _("next check at"),
    "note": _("note"),
    "nothing_to_read": _("nothing to read"),
    "original_quote": _("original quote"),
    "outlet": _("outlet"),
    "payload": _("payload"),
    "payload_sha256": _("payload sha256"),
    "payload_size": _("payload size"),
    "phrase": _("phrase"),
    "pid": _("pid"),
    "prefix": _("prefix"),
    "published_at": _("published at"),
    "queues": _("queues"),
    "quote": _("quote"),
    "reliability": _("reliability"),
    "report": _("report"),
    "requested_url": _("requested url"),
    "retrying": _("retrying"),
    "review_note": _("review note"),
    "review_status": _("review"),
    "reviewed_at": _("reviewed at"),
    "reviewed_by": _("reviewed by"),
    "revoked_at": _("revoked at"),
    "role": pgettext_lazy("cue", "role"),
    "rows_failed": _("rows failed"),
    "rows_skipped": _("rows skipped"),
    "secret": _("secret"),
    "seen_at": _("seen at"),
    "sha256": _("sha256"),
    "shared_claim": _("shared claim"),
    "size": _("size"),
    "source": _("source"),
    "sources_created": _("sources created"),
    "start": _("start"),
    "started_at": _("started at"),
    "state": _("state"),
    "state_since": _("state since"),
    "status": _("status"),
    "status_code": _("status code"),
    "suffix": _("suffix"),
    "term": _("term"),
    "text": _("text"),
    "text_sha256": _("text sha256"),
    "title": _("title"),
    "updated_at": _("updated at"),
    "updated_by": _("updated by"),
    "url": _("link"),
    "user": _("user"),
    "version": _("version"),
    "via": _("via"),
    "warc": _("warc"),
    "weight": _("weight"),
    "worker_id": _("worker id"),
}

# Models by class name: (singular, plural).
MODEL_NAMES = {
    "Source": (_("source"), _("sources")),
    "PendingSource": (_("source awaiting review"), _("review queue")),
    "SourceAlias": (_("source alias"), _("source aliases")),
    "Article": (_("article"), _("articles")),
    "Annotation": (_("claim"), _("claims")),
    "SharedClaim": (_("shared claim"), _("shared claims")),
    "ClaimTerm": (_("claim term"), _("claim terms")),
    "ClaimQuote": (
        _("claim quote for the trigram search"),
        _("claim quotes for the trigram search"),
    ),
    "TermsPending": (_("article awaiting claim terms"), _("articles awaiting claim terms")),
    "ImportRun": (_("bulk import"), _("bulk imports")),
    "JobKey": (_("job key"), _("job keys")),
    "JobWorker": (_("worker"), _("workers")),
    "Evidence": (_("evidence"), _("evidence")),
    "CaptureBlob": (_("capture file"), _("capture files")),
    "Capture": (_("capture"), _("captures")),
    "ApiToken": (_("API token"), _("API tokens")),
    "UrlImport": (_("import from a link"), _("imports from links")),
    "WebhookEndpoint": (_("webhook endpoint"), _("webhook endpoints")),
    "WebhookDelivery": (_("webhook delivery"), _("webhook deliveries")),
    "WebhookAttempt": (_("webhook attempt"), _("webhook attempts")),
    "UserProfile": (_("profile"), _("profiles")),
    "DeskCue": (_("desk cue"), _("desk cues")),
    "SuggestionDismissal": (_("dismissed suggestion"), _("dismissed suggestions")),
}


def apply(app: AppConfig) -> None:
    """Give the app's models and fields that have no name in code their names above."""
    for model in app.get_models():
        singular, plural = MODEL_NAMES.get(model.__name__, (None, None))
        given = model._meta.original_attrs
        if singular is not None and "verbose_name" not in given:
            model._meta.verbose_name = singular
        if plural is not None and "verbose_name_plural" not in given:
            model._meta.verbose_name_plural = plural
        for field in model._meta.get_fields():
            if getattr(field, "_verbose_name", True) is None and field.name in FIELD_NAMES:
                field.verbose_name = FIELD_NAMES[field.name]
