"""Accepting new text and moving a span while others write, on PostgreSQL (real row locks).

A correction holds the article row (FOR UPDATE) and rewrites the claims; an accept or a
respan takes the article's shared lock first (FOR KEY SHARE), then the claim's row. So one
that starts while a correction is committing waits for it, then reads the claim as the
correction left it, and refuses the words it was not shown.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from annotations import services
from annotations.models import Annotation, Article
from tests.factories import BODY

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLAIM = "31 of 38 drones were shot down"
FIXED = "13 of 38 drones were shot down"
AGAIN = "13 of 40 drones were shot down"


def _flagged(editor) -> Annotation:
    article = services.article_create(user=editor, title="Strike", body=BODY)
    start = BODY.index(CLAIM)
    claim = services.annotation_create(
        article=article, user=editor, start=start, end=start + len(CLAIM), quote=CLAIM,
        label="verified",
    ).annotation  # fmt: skip
    services.article_correct(
        article=article, user=editor, expected_version=1, body=BODY.replace(CLAIM, FIXED)
    )
    claim.refresh_from_db()
    assert (claim.anchor_state, claim.quote) == ("changed", FIXED)
    return claim


def _while_a_correction_commits(editor, article_pk: int, new_body: str, act) -> dict:
    """Run `act()` in another thread while a correction to `new_body` holds its locks
    (it commits half a second after `act` started); what `act` returned or raised, and
    whether it finished only after the correction committed."""
    outcome: dict = {}
    locked = threading.Event()

    def correct():
        try:
            with transaction.atomic():
                article = Article.objects.get(pk=article_pk)
                services.article_correct(
                    article=article, user=editor, expected_version=article.version, body=new_body
                )
                locked.set()
                time.sleep(0.5)
                outcome["committed_at"] = time.monotonic()
        finally:
            connection.close()

    def other():
        try:
            locked.wait(5)
            try:
                outcome["result"] = act()
            except ValidationError as exc:
                outcome["refused"] = exc
            outcome["finished_at"] = time.monotonic()
        finally:
            connection.close()

    threads = [threading.Thread(target=correct), threading.Thread(target=other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcome["waited"] = outcome["finished_at"] >= outcome["committed_at"]
    return outcome


def test_an_accept_waits_for_a_correction_and_refuses_the_words_it_did_not_see(editor, reviewer):
    claim = _flagged(editor)
    article = Article.objects.get(pk=claim.article_id)
    outcome = _while_a_correction_commits(
        editor,
        article.pk,
        article.body.replace(FIXED, AGAIN),
        lambda: services.annotation_accept_quote(
            annotation=claim, user=reviewer, label="disputed", expected_quote=FIXED
        ),
    )
    assert outcome["waited"]
    assert outcome["refused"].code == "stale"
    claim.refresh_from_db()
    assert (claim.anchor_state, claim.quote, claim.original_quote, claim.label) == (
        "changed",
        AGAIN,
        CLAIM,
        "verified",
    )


def test_a_respan_waits_for_a_correction_and_refuses_offsets_of_the_old_text(editor):
    claim = _flagged(editor)
    article = Article.objects.get(pk=claim.article_id)
    wider = FIXED + "."
    start = article.body.index(FIXED)
    outcome = _while_a_correction_commits(
        editor,
        article.pk,
        "UPDATE: a line above.\n\n" + article.body,
        lambda: services.annotation_respan(
            annotation=claim, user=editor, start=start, end=start + len(wider), quote=wider,
            expected_quote=FIXED, seen_version=article.version,
        ),
    )  # fmt: skip
    assert outcome["waited"]
    assert outcome["refused"].code == "stale"
    claim.refresh_from_db()
    body = Article.objects.get(pk=article.pk).body
    assert claim.quote == FIXED and body[claim.start : claim.end] == FIXED


def test_two_reviewers_accepting_at_once_make_one_acceptance(editor, reviewer, admin_user):
    claim = _flagged(editor)
    answers: list = [None, None]
    barrier = threading.Barrier(2)

    def accept(i, user, label):
        try:
            barrier.wait()
            try:
                services.annotation_accept_quote(
                    annotation=claim, user=user, label=label, expected_quote=FIXED
                )
                answers[i] = "accepted"
            except ValidationError as exc:
                answers[i] = exc.code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(0, reviewer, "disputed")),
        threading.Thread(target=accept, args=(1, admin_user, "unattributed")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == ["accepted", "stale"]
    claim.refresh_from_db()
    assert (claim.anchor_state, claim.original_quote) == ("anchored", "")
    accepted = claim.history.filter(history_change_reason__startswith="new text accepted")
    assert accepted.count() == 1
