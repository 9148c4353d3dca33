"""Audit history of claims and sources, the verdict timeline, and restoring deleted claims."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import history, services
from annotations.models import Annotation, Article
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory, claim_by

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
QUOTE = "31 of 38 drones were shot down"


def _claim(user, article=None, quote=QUOTE, label="disputed", **extra) -> Annotation:
    return claim_by(user, article or ArticleFactory(), quote, label, **extra)


def _update(claim, user, **fields) -> Annotation:
    values = {
        "label": claim.label,
        "source": claim.source,
        "credibility": claim.credibility,
        "note": claim.note,
        "evidence_url": claim.evidence_url,
        **fields,
    }
    return services.annotation_update(annotation=claim, user=user, **values)


def _deletion(claim, user) -> int:
    """Delete the claim (its `pk` stays set, for the test) and return its deletion record."""
    pk = claim.pk
    services.annotation_delete(annotation=claim, user=user)
    claim.pk = pk
    return Annotation.history.filter(id=pk, history_type="-").latest("history_id").history_id


def _restore_url(history_id: int) -> str:
    return reverse("annotations:claim-restore", args=[history_id])


# --- Readable entries ----------------------------------------------------------------------


def test_entries_for_create_change_and_delete_say_who_when_and_what(editor, reviewer):
    sbu = SourceFactory(name="SBU")
    claim = _claim(editor, note="one post only")
    pk = claim.pk
    _update(claim, reviewer, label="verified", source=sbu, credibility=2)
    services.annotation_delete(annotation=claim, user=reviewer)

    deleted, changed, created = history.entries(history.claim_records(pk))

    assert created["action"] == "created" and created["who"] == "editor"
    assert ("Label", "—", "Disputed") in created["changes"]
    assert ("Internal note", "—", "one post only") in created["changes"]
    assert changed["action"] == "changed" and changed["who"] == "reviewer"
    assert changed["changes"] == [
        ("Label", "Disputed", "Verified"),
        ("Source", "—", "SBU"),
        ("Credibility", "—", "2: probably true"),
    ]
    assert deleted["action"] == "deleted" and deleted["who"] == "reviewer"
    assert deleted["changes"] == []
    assert deleted["when"] >= changed["when"] >= created["when"]


def test_entries_skip_noise_and_name_records_without_user_system(editor):
    claim = AnnotationFactory(note="")  # saved outside a request: no history user
    claim.note = ""
    claim.prefix = "changed context only"
    claim._history_user = editor
    claim.save()  # updated_at and the prefix change: noise while the quote is the same

    changed, created = history.entries(history.claim_records(claim.pk))

    assert created["who"] == "system"
    assert changed["who"] == "editor" and changed["changes"] == []


def test_entries_name_a_source_merged_away_and_find_names_in_one_query(editor, reviewer):
    keep, dup = SourceFactory(name="SBU"), SourceFactory(name="Security Service")
    claim = _claim(editor, source=dup)
    services.source_merge(keep=keep, others=[dup], user=reviewer)
    records = history.claim_records(claim.pk)

    with CaptureQueriesContext(connection) as queries:
        merged, created = history.entries(records)

    assert ("Source", "Security Service (deleted)", "SBU") in merged["changes"]
    assert "merged" in merged["reason"]
    assert len(queries) == 2  # live sources, then the one merged away


def test_source_entries_read_a_sources_own_history(reviewer):
    source = SourceFactory(name="SBU", review_status="pending", reliability="F")
    source.review_status, source.reliability = "approved", "B"
    source._history_user = reviewer
    source.save()

    entries = history.source_entries(source)

    assert entries[0]["who"] == "reviewer"
    assert ("Review", "Pending review", "Approved") in entries[0]["changes"]
    assert ("Reliability", "F: reliability cannot be judged", "B: usually reliable") in (
        entries[0]["changes"]
    )
    assert entries[-1]["action"] == "created"


def test_verdict_timeline_disputed_then_verified(editor, reviewer):
    claim = _claim(editor, label="disputed")
    _update(claim, editor, note="waiting for a second source")  # not a verdict change
    _update(claim, reviewer, label="verified", evidence_url="https://example.org/geolocated")

    timeline = history.verdict_timeline(history.claim_records(claim.pk))

    assert [(p["label"], p["label_display"], p["who"]) for p in timeline] == [
        ("disputed", "Disputed", "editor"),
        ("verified", "Verified", "reviewer"),
    ]
    assert timeline[0]["when"] < timeline[1]["when"]


# --- The claim history view ----------------------------------------------------------------


def test_history_page_shows_timeline_and_changes(client, viewer, editor, reviewer):
    claim = _claim(editor, label="disputed")
    _update(claim, reviewer, label="verified", credibility=1)
    client.force_login(viewer)

    response = client.get(reverse("annotations:claim-history", args=[claim.pk]))

    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert "verdict-timeline" in html
    assert html.index("Disputed</span> by editor") < html.index("Verified</span> by reviewer")
    assert "1: confirmed by other sources" in html
    assert claim.article.title in html


def test_history_fragment_for_htmx(client, viewer, editor):
    claim = _claim(editor)
    client.force_login(viewer)

    response = client.get(reverse("annotations:claim-history", args=[claim.pk]), headers=HX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="claim-history-{claim.pk}"' in html and "history-list" in html
    assert reverse("annotations:claim-item", args=[claim.pk]) in html  # "Hide"
    assert "HX-Request" in response["Vary"]


def test_history_link_in_the_claim_list_for_readers(client, viewer, editor):
    claim = _claim(editor)
    client.force_login(viewer)

    html = client.get(claim.article.get_absolute_url()).content.decode()

    url = reverse("annotations:claim-history", args=[claim.pk])
    assert f'href="{url}" hx-get="{url}"' in html
    assert f'hx-target="#claim-{claim.pk} .claim-history"' in html


def test_history_of_missing_claim_is_404(client, viewer, admin_user):
    client.force_login(viewer)
    assert client.get(reverse("annotations:claim-history", args=[999])).status_code == 404
    client.force_login(admin_user)
    assert client.get(reverse("annotations:claim-history", args=[999])).status_code == 404


def test_history_of_deleted_claim_for_admins_only(client, viewer, editor, admin_user):
    claim = _claim(editor)
    pk = claim.pk
    services.annotation_delete(annotation=claim, user=editor)
    url = reverse("annotations:claim-history", args=[pk])

    client.force_login(viewer)
    assert client.get(url).status_code == 404
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
    assert "History of a deleted claim" in response.content.decode()
    assert "Deleted</strong> by" in response.content.decode()


def _claim_with_changes(editor, reviewer, n: int) -> Annotation:
    sources = [SourceFactory(), SourceFactory()]
    claim = _claim(editor, source=sources[0])
    for i in range(n):
        _update(
            claim,
            reviewer if i % 2 else editor,
            label="verified" if i % 2 else "disputed",
            source=sources[i % 2],
            note=f"note {i}",
        )
    return claim


def test_history_view_runs_a_constant_number_of_queries(client, viewer, editor, reviewer):
    few = _claim_with_changes(editor, reviewer, 2)
    many = _claim_with_changes(editor, reviewer, 20)
    client.force_login(viewer)
    counts = []
    for claim in (few, many):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("annotations:claim-history", args=[claim.pk]))
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert counts[1] <= 8  # session, user, claim, records, source names (+ savepoints)


def test_history_escapes_what_users_typed(client, viewer, editor):
    claim = _claim(editor, note="<script>alert(1)</script>")
    _update(claim, editor, note="<img src=x onerror=alert(2)>")
    client.force_login(viewer)

    for headers in ({}, HX):
        url = reverse("annotations:claim-history", args=[claim.pk])
        html = client.get(url, headers=headers).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(2)&gt;" in html


# --- Deleted claims and restoring them -----------------------------------------------------


def test_deleted_claims_page_lists_deleted_claims_newest_first(client, admin_user, editor):
    first = _claim(editor, label="verified")
    second = _claim(editor, quote="Residents had reportedly been evacuated", label="unattributed")
    kept = _claim(editor, quote="all designated objects were struck")
    _deletion(first, editor)
    _deletion(second, admin_user)
    client.force_login(admin_user)

    response = client.get(reverse("annotations:deleted-claims"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Residents had reportedly") < html.index("31 of 38 drones")
    assert kept.quote not in html
    assert first.article.title in html and "Unattributed" in html and "Verified" in html
    assert "editor" in html and "admin" in html
    assert html.count('action="/claims/deleted/') == 2


def test_deleted_claims_page_is_paginated_and_lists_a_claim_once(client, admin_user, editor):
    article = ArticleFactory()
    for _ in range(26):
        _deletion(_claim(editor, article=article), editor)
    # Deleted, restored, deleted again: one row, with its last state.
    again = _claim(editor, article=article, label="verified")
    services.annotation_restore(history_id=_deletion(again, editor), user=admin_user)
    _deletion(Annotation.objects.get(pk=again.pk), editor)
    client.force_login(admin_user)

    page1 = client.get(reverse("annotations:deleted-claims"))
    page2 = client.get(reverse("annotations:deleted-claims"), {"page": 2})

    assert "27 deleted claims" in page1.content.decode()
    assert page1.content.decode().count("<tr id=") == 25
    assert page2.content.decode().count("<tr id=") == 2
    assert len(history.deleted_claim_records().filter(id=again.pk)) == 1


def test_admin_restores_a_deleted_claim_with_its_id_and_fields(client, admin_user, editor):
    sbu = SourceFactory(name="SBU")
    claim = _claim(editor, source=sbu, credibility=2, note="from Telegram")
    before = Annotation.objects.values().get(pk=claim.pk)
    history_id = _deletion(claim, editor)
    client.force_login(admin_user)

    response = client.post(_restore_url(history_id), follow=True)

    restored = Annotation.objects.get(pk=before["id"])
    assert response.redirect_chain[0][0] == restored.get_absolute_url()
    assert "Claim restored." in response.content.decode()
    after = Annotation.objects.values().get(pk=before["id"])
    for field in ("article_id", "start", "end", "quote", "prefix", "suffix", "label"):
        assert after[field] == before[field]
    for field in ("credibility", "source_id", "note", "created_by_id", "created_at"):
        assert after[field] == before[field]
    assert restored.anchor_state == "anchored" and restored.updated_by == admin_user
    entry = history.entries(history.claim_records(restored.pk))[0]
    assert entry["action"] == "restored" and entry["who"] == "admin"
    assert entry["reason"] == "restored"
    assert not history.deleted_claim_records().exists()
    page = client.get(reverse("annotations:claim-history", args=[restored.pk])).content
    assert 'Restored</strong> by <span class="history-who">admin' in page.decode()


def test_restore_finds_a_quote_that_moved(admin_user, editor):
    claim = _claim(editor)
    history_id = _deletion(claim, editor)
    article = claim.article
    body = "Update: figures revised.\n\n" + article.body
    Article.objects.filter(pk=article.pk).update(body=body, version=2)

    restored = services.annotation_restore(history_id=history_id, user=admin_user)

    assert restored.anchor_state == "moved"
    assert body[restored.start : restored.end] == QUOTE
    assert restored.start == article.body.index(QUOTE) + len("Update: figures revised.\n\n")
    assert restored.prefix == body[restored.start - 32 : restored.start]
    assert restored.restore_notes and "found again" in restored.restore_notes[0]
    stored = Annotation.objects.get(pk=claim.pk)
    assert (stored.start, stored.anchor_state) == (restored.start, "moved")


def test_restore_orphans_a_claim_whose_quote_is_gone(client, admin_user, editor):
    claim = _claim(editor)
    history_id = _deletion(claim, editor)
    body = claim.article.body.replace(QUOTE, "most drones were intercepted")
    Article.objects.filter(pk=claim.article_id).update(body=body, version=2)
    client.force_login(admin_user)

    response = client.post(_restore_url(history_id), follow=True)

    restored = Annotation.objects.get(pk=claim.pk)
    assert restored.anchor_state == "orphaned"
    assert restored.quote == QUOTE
    assert "restored as orphaned" in response.content.decode()
    assert history.entries(history.claim_records(claim.pk))[0]["reason"] == "restored, orphaned"


def test_restoring_twice_is_refused(client, admin_user, editor):
    claim = _claim(editor)
    history_id = _deletion(claim, editor)
    client.force_login(admin_user)
    assert client.post(_restore_url(history_id)).status_code == 302

    response = client.post(_restore_url(history_id))

    assert response.status_code == 409
    assert "exists already" in response.content.decode()
    with pytest.raises(ValidationError, match="exists already"):
        services.annotation_restore(history_id=history_id, user=admin_user)
    assert Annotation.history.filter(id=claim.pk, history_type="+").count() == 2


def test_restore_refused_when_the_article_was_deleted(admin_user, editor):
    claim = _claim(editor)
    history_id = _deletion(claim, editor)
    services.article_delete(article=claim.article, user=admin_user)

    with pytest.raises(ValidationError, match="restore the article first"):
        services.annotation_restore(history_id=history_id, user=admin_user)
    assert not Annotation.objects.filter(pk=claim.pk).exists()


def test_restore_follows_a_source_merged_since(admin_user, editor, reviewer):
    keep, dup = SourceFactory(name="SBU"), SourceFactory(name="Security Service")
    claim = _claim(editor, source=dup)
    history_id = _deletion(claim, editor)
    services.source_merge(keep=keep, others=[dup], user=reviewer)

    restored = services.annotation_restore(history_id=history_id, user=admin_user)

    assert restored.source_id == keep.pk
    assert "merged into “SBU”" in " ".join(restored.restore_notes)


def test_restore_of_unknown_history_id_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.post(_restore_url(12345)).status_code == 404


@pytest.mark.parametrize("persona", ["viewer", "editor", "reviewer", "nobody"])
def test_only_admins_see_deleted_claims_and_restore(client, persona, request, editor):
    claim = _claim(editor)
    history_id = _deletion(claim, editor)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("annotations:deleted-claims")).status_code == 403
    assert client.post(_restore_url(history_id)).status_code == 403
    assert not Annotation.objects.filter(pk=claim.pk).exists()


def test_restore_needs_post(client, admin_user, editor):
    history_id = _deletion(_claim(editor), editor)
    client.force_login(admin_user)
    assert client.get(_restore_url(history_id)).status_code == 405
