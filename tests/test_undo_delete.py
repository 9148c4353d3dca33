"""Undoing a delete: the person who deleted a claim brings it back exactly, within
`permissions.UNDO_DELETE_SECONDS`; anyone else, or later, is refused and nothing changes
(an admin's restore, tests/test_history.py, stays for later). The clock is the service's
`now`, or the deletion record moved back in time: no test sleeps."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.urls import reverse

from annotations import history, permissions, services
from annotations.models import Annotation, Article
from tests.factories import ArticleFactory, SourceFactory, claim_by

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
QUOTE = "31 of 38 drones were shot down"
WINDOW = timedelta(seconds=permissions.UNDO_DELETE_SECONDS)


def _claim(user, article=None, quote=QUOTE, label="disputed", **extra) -> Annotation:
    return claim_by(user, article or ArticleFactory(), quote, label, **extra)


def _delete(claim: Annotation, user):
    """Delete the claim (its `pk` stays set, for the test) and return its deletion record."""
    pk = claim.pk
    services.annotation_delete(annotation=claim, user=user)
    claim.pk = pk
    record = history.last_record(pk)
    assert record.history_type == "-"
    return record


def _age(claim_id: int, seconds: float) -> None:
    """Move the claim's history, its deletion last, `seconds` into the past."""
    Annotation.history.filter(id=claim_id).update(
        history_date=F("history_date") - timedelta(seconds=seconds)
    )


def _history_rows(pk: int) -> list[tuple]:
    return list(
        Annotation.history.filter(id=pk)
        .order_by("history_id")
        .values_list("history_id", "history_type", "history_user_id", "label", "note")
    )


@pytest.fixture
def claim(editor) -> Annotation:
    sbu = SourceFactory(name="SBU")
    claim = _claim(editor, source=sbu, credibility=2, note="from Telegram")
    return services.annotation_update(
        annotation=claim,
        user=editor,
        label="verified",
        source=sbu,
        credibility=2,
        note="from Telegram, confirmed",
        evidence_url="https://example.org/evidence",
    )


# --- The service ----------------------------------------------------------------------------


def test_the_deleter_undoes_within_the_window_and_gets_it_back_exactly(editor, claim):
    before = Annotation.objects.values().get(pk=claim.pk)
    rows_before = _history_rows(claim.pk)
    record = _delete(claim, editor)

    restored = services.annotation_undo_delete(
        annotation_id=claim.pk, user=editor, now=record.history_date + WINDOW
    )

    assert Annotation.objects.values().get(pk=claim.pk) == before  # every field, the id too
    assert restored.restore_notes == []
    rows = _history_rows(claim.pk)
    assert rows[: len(rows_before)] == rows_before  # its history kept, then two more rows
    assert [r[1:3] for r in rows[len(rows_before) :]] == [("-", editor.pk), ("+", editor.pk)]
    entry = history.entries(history.claim_records(claim.pk))[0]
    assert (entry["action"], entry["reason"], entry["who"]) == ("restored", "undone", "editor")
    assert not history.deleted_claim_records().exists()


def test_undo_is_refused_after_the_window_and_nothing_changes(editor, claim):
    record = _delete(claim, editor)
    rows = _history_rows(claim.pk)
    late = record.history_date + WINDOW + timedelta(milliseconds=1)

    with pytest.raises(PermissionDenied, match="10 seconds"):
        services.annotation_undo_delete(annotation_id=claim.pk, user=editor, now=late)

    assert not Annotation.objects.filter(pk=claim.pk).exists()
    assert _history_rows(claim.pk) == rows


@pytest.mark.parametrize(
    "who", ["other_editor", "reviewer", "admin_user", "viewer", "anonymous", None]
)
def test_only_the_person_who_deleted_may_undo(request, editor, claim, who):
    """Not even an admin (who restores from Deleted claims, tests/test_history.py); nor a
    call without a signed-in user, whichever door makes it."""
    record = _delete(claim, editor)
    rows = _history_rows(claim.pk)
    user = (
        None
        if who is None
        else AnonymousUser()
        if who == "anonymous"
        else request.getfixturevalue(who)
    )

    with pytest.raises(PermissionDenied, match="Only (the person who deleted|a signed-in)"):
        services.annotation_undo_delete(annotation_id=claim.pk, user=user, now=record.history_date)

    assert not Annotation.objects.filter(pk=claim.pk).exists()
    assert _history_rows(claim.pk) == rows


def test_a_reviewer_undoes_their_delete_of_an_editors_claim_which_keeps_its_editor(
    editor, reviewer, claim
):
    before = Annotation.objects.values().get(pk=claim.pk)
    _delete(claim, reviewer)
    with pytest.raises(PermissionDenied):  # the claim's author did not delete it
        services.annotation_undo_delete(annotation_id=claim.pk, user=editor)
    services.annotation_undo_delete(annotation_id=claim.pk, user=reviewer)
    after = Annotation.objects.values().get(pk=claim.pk)
    assert after == before and after["updated_by_id"] == editor.pk


def test_undo_twice_or_of_a_claim_never_deleted_is_refused(editor, claim):
    _delete(claim, editor)
    services.annotation_undo_delete(annotation_id=claim.pk, user=editor)
    with pytest.raises(ValidationError, match="not deleted"):
        services.annotation_undo_delete(annotation_id=claim.pk, user=editor)
    with pytest.raises(ValidationError, match="no claim"):
        services.annotation_undo_delete(annotation_id=claim.pk + 1000, user=editor)


def test_a_twin_made_meanwhile_makes_the_undone_claim_an_orphan_as_restore_does(editor):
    first = _claim(editor)
    _delete(first, editor)
    twin = _claim(editor, article=first.article)  # tagged again before Undo was pressed

    restored = services.annotation_undo_delete(annotation_id=first.pk, user=editor)

    assert (restored.pk, restored.anchor_state, restored.anchor_reason) == (
        first.pk,
        "orphaned",
        Annotation.AnchorWhy.COLLISION,
    )
    assert f"Claim {twin.pk} has the same words" in restored.restore_notes[0]
    assert history.claim_records(first.pk)[0].history_change_reason == "undone, orphaned"


def test_a_correction_meanwhile_moves_the_undone_claim_as_restore_does(editor):
    claim = _claim(editor, article=ArticleFactory(created_by=editor))
    _delete(claim, editor)
    article = Article.objects.get(pk=claim.article_id)
    services.article_correct(
        article=article,
        user=editor,
        expected_version=article.version,
        body="Update: figures revised.\n\n" + article.body,
        note="Update",
    )

    restored = services.annotation_undo_delete(annotation_id=claim.pk, user=editor)

    body = Article.objects.get(pk=article.pk).body
    assert restored.anchor_state == "moved" and body[restored.start : restored.end] == QUOTE


def test_the_rule_lives_in_permissions(editor, other_editor, claim):
    record = _delete(claim, editor)
    rule = {
        "deleted_by_id": record.history_user_id,
        "deleted_at": record.history_date,
    }
    at = record.history_date
    assert permissions.can_undo_delete(editor, record.instance, **rule, now=at + WINDOW)
    assert not permissions.can_undo_delete(
        editor, record.instance, **rule, now=at + WINDOW + timedelta(seconds=1)
    )
    assert not permissions.can_undo_delete(other_editor, record.instance, **rule, now=at)


# --- The pages --------------------------------------------------------------------------------


def _undo_url(pk: int) -> str:
    return reverse("annotations:claim-undo-delete", args=[pk])


def test_htmx_delete_offers_undo_and_undo_brings_the_claim_back_in_place(
    editor_client, editor, claim
):
    pk = claim.pk
    response = editor_client.post(reverse("annotations:claim-delete", args=[pk]), headers=HX)
    html = response.content.decode()
    assert 'id="undo-bar"' in html and 'hx-swap-oob="true"' in html
    assert f'action="{_undo_url(pk)}"' in html and f'hx-post="{_undo_url(pk)}"' in html
    ms = int(html.split('data-ms="')[1].split('"')[0])
    assert 9000 < ms <= 10000

    response = editor_client.post(_undo_url(pk), headers=HX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="claim-{pk}"' in html and 'id="claim-updates"' in html  # its list item
    assert f'data-annotation-id="{pk}"' in html  # its highlight, in the redrawn block
    trigger = json.loads(response["HX-Trigger-After-Swap"])["annotations-changed"]
    assert trigger == {"id": pk, "action": "restored", "message": "Claim restored: verified, SBU"}
    assert Annotation.objects.filter(pk=pk).exists()


def test_plain_delete_and_undo_without_javascript(editor_client, editor, claim):
    pk, article_url = claim.pk, claim.article.get_absolute_url()
    response = editor_client.post(reverse("annotations:claim-delete", args=[pk]))
    assert response.status_code == 302 and response["Location"] == f"{article_url}?deleted={pk}"

    page = editor_client.get(response["Location"]).content.decode()
    assert "Claim deleted." in page
    assert f'<form method="post" action="{_undo_url(pk)}"' in page

    response = editor_client.post(_undo_url(pk), follow=True)
    assert response.redirect_chain[0][0] == claim.get_absolute_url()
    assert "Claim restored." in response.content.decode()
    assert Annotation.objects.filter(pk=pk).exists()


def test_the_undo_bar_is_only_for_the_deleter_and_only_offers_undo_in_time(
    client, editor, other_editor, claim
):
    pk, article_url = claim.pk, claim.article.get_absolute_url()
    _delete(claim, editor)
    client.force_login(other_editor)
    assert 'id="undo-status"' not in client.get(f"{article_url}?deleted={pk}").content.decode()
    client.force_login(editor)
    _age(pk, permissions.UNDO_DELETE_SECONDS + 1)
    page = client.get(f"{article_url}?deleted={pk}").content.decode()
    assert "Claim deleted." in page and _undo_url(pk) not in page
    other = ArticleFactory(title="Another story")
    page = client.get(f"{other.get_absolute_url()}?deleted={pk}").content.decode()
    assert 'id="undo-status"' not in page  # a claim of another article


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_undo_after_ten_seconds_is_a_403_with_a_message_and_changes_nothing(
    editor_client, editor, claim, htmx
):
    pk = claim.pk
    _delete(claim, editor)
    _age(pk, permissions.UNDO_DELETE_SECONDS + 0.5)
    rows = _history_rows(pk)

    response = editor_client.post(_undo_url(pk), headers=HX if htmx else {})

    assert response.status_code == 403
    text = response.content.decode()
    assert "can be undone for 10 seconds only" in text
    assert ("<html" in text) is not htmx
    assert not Annotation.objects.filter(pk=pk).exists() and _history_rows(pk) == rows


def test_another_editor_cannot_undo_and_a_second_undo_is_a_409(client, editor, other_editor, claim):
    pk = claim.pk
    _delete(claim, editor)
    client.force_login(other_editor)
    response = client.post(_undo_url(pk), headers=HX)
    assert response.status_code == 403
    assert "Only the person who deleted this claim" in response.content.decode()
    assert not Annotation.objects.filter(pk=pk).exists()
    client.force_login(editor)
    assert client.post(_undo_url(pk), headers=HX).status_code == 200
    again = client.post(_undo_url(pk), headers=HX)
    assert again.status_code == 409 and "it was restored already" in again.content.decode()
    assert client.post(_undo_url(pk + 1000)).status_code == 404
