"""Creating, editing and deleting claims: fragments, redirects, errors and who may do it."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from annotations import services
from annotations.models import Annotation, ClaimTerm, Source
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory, member

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def _span(article, quote, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = article.body.index(quote, start + 1)
    return {"start": start, "end": start + len(quote), "quote": quote, "version": article.version}


def _create(client, article, quote, label="verified", headers=HX, **extra):
    data = {**_span(article, quote), "label": label, **extra}
    return client.post(
        reverse("annotations:claim-create", args=[article.pk]), data, headers=headers
    )


def test_create_htmx_returns_touched_blocks_and_trigger(editor_client, editor):
    article = ArticleFactory()
    response = _create(editor_client, article, "Ірина said the windows came in")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    claim = Annotation.objects.get()
    assert claim.article.body[claim.start : claim.end] == claim.quote
    assert claim.created_by == editor and claim.label == "verified"
    assert json.loads(response["HX-Trigger-After-Swap"]) == {
        "annotations-changed": {
            "id": claim.pk,
            "action": "created",
            "message": "Claim saved: verified",  # said by the page's live region
        }
    }
    # Only the block holding the claim is re-rendered, out of band.
    assert html.count('class="blk"') == 1
    assert 'hx-swap-oob="true">Residents' in html
    assert f'id="claim-{claim.pk}"' in html and 'id="article-summary"' in html


def test_create_counts_code_points_after_an_emoji(editor_client):
    article = ArticleFactory()
    quote = "Ірина said"
    response = _create(editor_client, article, quote)
    assert response.status_code == 200
    claim = Annotation.objects.get()
    # "🇺🇦" is 2 code points (4 UTF-16 units) before the quote.
    assert claim.start == article.body.index(quote)
    assert claim.prefix.endswith("evacuated. 🇺🇦 ") and len(claim.prefix) <= 32


def test_create_without_htmx_redirects_to_the_claim(editor_client):
    article = ArticleFactory()
    response = _create(editor_client, article, "31 of 38 drones", headers={})
    claim = Annotation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}?claim={claim.pk}#claim-{claim.pk}"


def test_create_with_picked_source_and_details(editor_client):
    article = ArticleFactory()
    source = SourceFactory(name="SBU")
    response = _create(
        editor_client,
        article,
        "31 of 38 drones",
        label="disputed",
        source=source.pk,
        credibility="3",
        note="one source only",
        evidence_url="https://example.org/post",
    )
    assert response.status_code == 200
    claim = Annotation.objects.get()
    assert (claim.source, claim.credibility, claim.note, claim.evidence_url) == (
        source,
        3,
        "one source only",
        "https://example.org/post",
    )


def test_create_proposes_a_new_source_pending(editor_client, editor):
    article = ArticleFactory()
    response = _create(
        editor_client,
        article,
        "31 of 38 drones",
        label="disputed",
        new_source_name="Rybar",
        new_source_kind="social_media",
    )
    assert response.status_code == 200
    source = Source.objects.get(name="Rybar")
    assert source.review_status == "pending" and source.created_by == editor
    assert Annotation.objects.get().source == source


def test_proposing_an_existing_alias_reuses_the_source(editor_client):
    sbu = services.source_create(
        name="Security Service of Ukraine", user=member("desk", "Reviewer")
    )
    services.source_add_alias(source=sbu, name="СБУ", user=member("desk", "Reviewer"))
    _create(editor_client, ArticleFactory(), "31 of 38 drones", new_source_name="сбу")
    assert Annotation.objects.get().source == sbu
    assert Source.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"quote": "32 of 38 drones"}, "does not match"),
        ({"start": -1}, "negative"),
        ({"start": "ten"}, "Enter a whole number"),
        ({"end": 10_000, "quote": "x"}, "past the end"),
        ({"label": "mostly-true"}, "not one of the available choices"),
        ({"evidence_url": "javascript:alert(1)"}, "http"),
        ({"note": "x" * 5001}, "too long"),
        ({"source": 999_999}, "does not exist"),
    ],
)
def test_create_refuses_bad_input_with_422_and_writes_nothing(editor_client, change, message):
    article = ArticleFactory()
    data = {**_span(article, "31 of 38 drones"), "label": "verified", **change}
    response = editor_client.post(
        reverse("annotations:claim-create", args=[article.pk]), data, headers=HX
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert response["HX-Retarget"] == "#claim-form-errors"
    assert Annotation.objects.count() == 0 and Source.objects.count() == 0


def test_the_same_passage_verdict_and_source_twice_is_refused(editor_client, other_editor):
    article = ArticleFactory()
    sbu = SourceFactory(name="SBU")
    assert _create(editor_client, article, "31 of 38 drones", source=sbu.pk).status_code == 200
    again = _create(editor_client, article, "31 of 38 drones", source=sbu.pk)  # V pressed twice
    assert again.status_code == 422
    assert "already tagged verified with this source" in again.content.decode()
    assert Annotation.objects.count() == 1
    # Another verdict, or another source, on the same words is a claim of its own.
    assert _create(editor_client, article, "31 of 38 drones", label="disputed").status_code == 200
    other = SourceFactory(name="Ukrainian Air Force")
    assert _create(editor_client, article, "31 of 38 drones", source=other.pk).status_code == 200
    assert Annotation.objects.count() == 3


def test_unattributed_with_source_is_refused(editor_client):
    response = _create(
        editor_client,
        ArticleFactory(),
        "31 of 38 drones",
        label="unattributed",
        source=SourceFactory().pk,
    )
    assert response.status_code == 422
    assert "unattributed claim has no source" in response.content.decode()
    assert Annotation.objects.count() == 0


def test_unattributed_with_new_source_writes_no_source(editor_client):
    response = _create(
        editor_client,
        ArticleFactory(),
        "31 of 38 drones",
        label="unattributed",
        new_source_name="Somebody",
    )
    assert response.status_code == 422
    assert Source.objects.count() == 0 and Annotation.objects.count() == 0


def test_rejected_source_cannot_be_attached(editor_client):
    source = SourceFactory(review_status="rejected")
    response = _create(editor_client, ArticleFactory(), "31 of 38 drones", source=source.pk)
    assert response.status_code == 422
    assert "rejected" in response.content.decode()


def test_stale_version_refinds_the_quote(editor_client, editor):
    article = ArticleFactory()
    seen = _span(article, "31 of 38 drones")
    # A correction lands after the editor loaded the page: text inserted before the quote.
    article.body = "UPDATE: new lead paragraph.\n\n" + article.body
    article.version = 2
    article.save()
    data = {**seen, "label": "verified"}
    response = editor_client.post(
        reverse("annotations:claim-create", args=[article.pk]), data, headers=HX
    )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    claim = Annotation.objects.get()
    assert article.body[claim.start : claim.end] == "31 of 38 drones"


def test_stale_version_with_passage_gone_is_409(editor_client):
    article = ArticleFactory()
    seen = _span(article, "31 of 38 drones")
    article.body = "Completely rewritten."
    article.version = 2
    article.save()
    response = editor_client.post(
        reverse("annotations:claim-create", args=[article.pk]),
        {**seen, "label": "verified"},
        headers=HX,
    )
    assert response.status_code == 409
    assert "corrected" in response.content.decode()
    assert Annotation.objects.count() == 0


def test_viewer_and_nobody_cannot_create(client, viewer, nobody):
    article = ArticleFactory()
    for user in (viewer, nobody):
        client.force_login(user)
        assert _create(client, article, "31 of 38 drones").status_code == 403
    assert Annotation.objects.count() == 0


def test_by_quote_without_js_creates_or_asks_which(editor_client):
    body = "Kyiv says 5 drones fell. Later: Kyiv says 5 drones fell again."
    article = ArticleFactory(body=body)
    url = reverse("annotations:claim-by-quote", args=[article.pk])
    missing = editor_client.post(url, {"quote": "6 drones", "label": "disputed"})
    assert missing.status_code == 422 and b"not in the article" in missing.content
    ask = editor_client.post(url, {"quote": "Kyiv says 5 drones fell", "label": "disputed"})
    assert ask.status_code == 200 and b"occurs 2 times" in ask.content
    assert Annotation.objects.count() == 0
    second = body.rindex("Kyiv says 5 drones fell")
    done = editor_client.post(
        url, {"quote": "Kyiv says 5 drones fell", "label": "disputed", "occurrence": second}
    )
    assert done.status_code == 302
    claim = Annotation.objects.get()
    assert (claim.start, claim.quote) == (second, "Kyiv says 5 drones fell")


def test_by_quote_normalises_pasted_line_endings(editor_client):
    article = ArticleFactory(body="First line\nsecond line")
    url = reverse("annotations:claim-by-quote", args=[article.pk])
    response = editor_client.post(url, {"quote": "First line\r\nsecond", "label": "unattributed"})
    assert response.status_code == 302
    assert Annotation.objects.get().quote == "First line\nsecond"


def _edit(client, claim, headers=HX, **data):
    payload = {"label": claim.label, "note": claim.note, **data}
    return client.post(reverse("annotations:claim-edit", args=[claim.pk]), payload, headers=headers)


def test_editor_edits_own_claim_in_place(editor_client, editor):
    claim = AnnotationFactory(created_by=editor)
    response = _edit(editor_client, claim, label="verified", note="confirmed by video")
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.label, claim.note, claim.updated_by) == ("verified", "confirmed by video", editor)
    html = response.content.decode()
    assert html.lstrip().startswith('<p class="blk"') or f'id="claim-{claim.pk}"' in html
    assert "hl-verified" in html
    assert (
        json.loads(response["HX-Trigger-After-Swap"])["annotations-changed"]["action"] == "updated"
    )


def test_edit_form_fragment_and_full_page(editor_client, editor):
    claim = AnnotationFactory(created_by=editor)
    url = reverse("annotations:claim-edit", args=[claim.pk])
    fragment = editor_client.get(url, headers=HX)
    assert b"<html" not in fragment.content and b"<form" in fragment.content
    assert b"<html" in editor_client.get(url).content


def test_editor_cannot_change_another_editors_claim(client, other_editor, editor, viewer):
    claim = AnnotationFactory(created_by=editor)
    for user in (other_editor, viewer):
        client.force_login(user)
        assert _edit(client, claim, label="verified").status_code == 403
        response = client.post(reverse("annotations:claim-delete", args=[claim.pk]))
        assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.label == "disputed"


def test_reviewer_changes_and_deletes_anyones_claim(client, reviewer, editor):
    claim = AnnotationFactory(created_by=editor)
    client.force_login(reviewer)
    assert _edit(client, claim, label="verified").status_code == 200
    response = client.post(reverse("annotations:claim-delete", args=[claim.pk]), headers=HX)
    assert response.status_code == 200
    assert not Annotation.objects.exists()
    assert f"delete:#claim-{claim.pk}" in response.content.decode()


def test_delete_asks_first_then_deletes_and_keeps_history(editor_client, editor):
    claim = AnnotationFactory(created_by=editor)
    url = reverse("annotations:claim-delete", args=[claim.pk])
    confirm = editor_client.get(url)
    assert confirm.status_code == 200 and b"Delete this claim?" in confirm.content
    assert Annotation.objects.count() == 1
    response = editor_client.post(url)
    assert response.status_code == 302
    assert Annotation.objects.count() == 0
    assert Annotation.history.filter(id=claim.pk, history_type="-").exists()


def test_edit_refuses_bad_input(editor_client, editor):
    claim = AnnotationFactory(created_by=editor)
    response = _edit(editor_client, claim, label="unattributed", source=SourceFactory().pk)
    assert response.status_code == 422
    claim.refresh_from_db()
    assert claim.label == "disputed"


def test_source_picker_searches_names_and_aliases(editor_client):
    sbu = services.source_create(
        name="Security Service of Ukraine", user=member("desk", "Reviewer")
    )
    services.source_add_alias(source=sbu, name="СБУ", user=member("desk", "Reviewer"))
    SourceFactory(name="Rejected channel", review_status="rejected")
    url = reverse("annotations:source-picker")
    html = editor_client.get(url, {"source_q": "сбу"}).content.decode()
    assert "Security Service of Ukraine" in html and f'data-source-id="{sbu.pk}"' in html
    html = editor_client.get(url, {"source_q": "rejected"}).content.decode()
    assert "disabled" in html and "Rejected" in html
    assert "Propose “rejected”" in html
    # A name that is taken already (any case, any alias) is not offered as a new source.
    html = editor_client.get(url, {"source_q": "сбу"}).content.decode()
    assert "Propose" not in html and "“сбу” is a name of Security Service of Ukraine" in html
    html = editor_client.get(url, {"source_q": "Rejected Channel"}).content.decode()
    assert "Propose" not in html and "which was rejected in review" in html


@pytest.mark.parametrize("n", [5, 500])
def test_saving_a_claim_costs_the_same_queries_however_many_claims(
    editor_client, django_assert_num_queries, n
):
    """The htmx save answers with the touched blocks, the item and the summary: a fixed
    number of queries, not one per claim of the article (make bench P2)."""
    body = "\n\n".join(
        f"Paragraph {i}: officials said 31 of 38 drones were shot down." for i in range(60)
    )
    article = ArticleFactory(body=body)
    rows = []
    for i in range(n):
        start = body.index(f"Paragraph {i % 60}:")
        rows.append(Annotation(article=article, start=start, end=start + 9 + i // 60,
                               quote=body[start : start + 9 + i // 60], label="unattributed"))  # fmt: skip
    Annotation.objects.bulk_create(rows)
    quote = "31 of 38 drones were shot down"
    start = body.index(quote, body.index("Paragraph 7:"))
    data = {"start": start, "end": start + len(quote), "quote": quote, "label": "disputed",
            "version": article.version}  # fmt: skip
    # Exactly (make bench P2, README "What a save costs"): session; user with permissions
    # (annotations.backends); the article under the lock; the claim, its history row and its
    # matcher terms (no SELECT for a twin: the unique indexes refuse one); the webhook
    # endpoints; then the answer in one query (selectors.around_saved_claim: the claims of
    # the touched blocks, the next claim's id, the summary). BEGIN and COMMIT make ten.
    with django_assert_num_queries(10):
        response = editor_client.post(
            reverse("annotations:claim-create", args=[article.pk]), data, headers=HX
        )
    assert response.status_code == 200
    assert response.content.decode().count('class="blk"') == 1


def test_a_repeated_save_is_refused_by_the_unique_index_and_changes_nothing(editor_client, editor):
    """The save reads no twin first: the INSERT meets the unique index, the transaction
    rolls back (no history row, no terms), and the answer names the claim already there."""
    article = ArticleFactory()
    quote = "31 of 38 drones were shot down"
    start = article.body.index(quote)
    data = {"start": start, "end": start + len(quote), "quote": quote, "label": "disputed",
            "version": article.version}  # fmt: skip
    url = reverse("annotations:claim-create", args=[article.pk])
    assert editor_client.post(url, data, headers=HX).status_code == 200
    counts = (Annotation.objects.count(), Annotation.history.count(), ClaimTerm.objects.count())
    response = editor_client.post(url, data, headers=HX)
    assert response.status_code == 422
    assert f"already tagged disputed (by {editor.username})" in response.content.decode()
    assert counts == (
        Annotation.objects.count(),
        Annotation.history.count(),
        ClaimTerm.objects.count(),
    )


def test_saving_on_an_article_that_is_not_there_is_a_404(editor_client):
    article = ArticleFactory()
    article.deleted_at = timezone.now()
    article.save()
    quote = "31 of 38 drones were shot down"
    start = article.body.index(quote)
    data = {"start": start, "end": start + len(quote), "quote": quote, "label": "disputed"}
    for pk in (article.pk, 999_999):
        url = reverse("annotations:claim-create", args=[pk])
        assert editor_client.post(url, data, headers=HX).status_code == 404
    assert not Annotation.objects.exists()


def test_a_save_queues_its_webhook_delivery_and_evidence_capture_in_a_fixed_count(
    editor_client, admin_user, django_assert_num_queries
):
    """With a webhook subscription and an evidence link (make bench P2 saves with both), the
    jobs are queued in the save's transaction with two statements each (jobs.enqueue_new)."""
    from django_tasks_db.models import DBTaskResult

    from annotations.models import Evidence, JobKey, WebhookDelivery

    services.webhook_endpoint_create(
        user=admin_user, name="CMS", url="https://cms.example.org/hooks", events=["claim.created"]
    )
    article = ArticleFactory()
    quote = "31 of 38 drones were shot down"
    start = article.body.index(quote)
    data = {"start": start, "end": start + len(quote), "quote": quote, "label": "disputed",
            "version": article.version, "evidence_url": "https://example.org/report"}  # fmt: skip
    # The ten of a save, and: the delivery, its job and key; the evidence row, its job and
    # key; the answer's evidence line of the claim.
    with django_assert_num_queries(17):
        response = editor_client.post(
            reverse("annotations:claim-create", args=[article.pk]), data, headers=HX
        )
    assert response.status_code == 200
    claim = Annotation.objects.get()
    evidence = Evidence.objects.get(claim=claim)
    delivery = WebhookDelivery.objects.get()
    for key in (f"evidence:{evidence.pk}", f"webhook:{delivery.pk}"):
        job = DBTaskResult.objects.get(pk=JobKey.objects.get(key=key).job_id)
        assert job.status == "READY"
