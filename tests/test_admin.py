"""The admin goes through the services, with review actions and no N+1 change lists."""

import pytest
from django.urls import reverse

from annotations.models import Annotation, Article, Source
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def test_review_actions_record_who_and_when(reviewer_client, reviewer):
    pending = SourceFactory(review_status="pending")
    response = reviewer_client.post(
        reverse("admin:annotations_source_changelist"),
        {"action": "approve", "_selected_action": [pending.pk], "apply": "1", "reliability": "C"},
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.review_status, pending.reliability) == ("approved", "C")
    assert pending.reviewed_by == reviewer and pending.reviewed_at is not None


def test_editor_has_no_admin(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:annotations_source_changelist"))
    assert response.status_code == 302


@pytest.mark.parametrize("model", ["source", "article", "annotation"])
def test_changelists_have_flat_query_counts(client, admin_user, model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(admin_user)
    url = reverse(f"admin:annotations_{model}_changelist")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    AnnotationFactory(source=SourceFactory())
    few = queries()
    for i in range(15):
        AnnotationFactory(
            source=SourceFactory(),
            article=ArticleFactory(body=f"{i} 31 of 38 drones were shot down"),
        )
    assert queries() == few


def test_admin_creates_source_through_services(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:annotations_source_add")
    data = {
        "name": "СБУ",
        "kind": "intelligence",
        "url": "",
        "description": "",
        "reliability": "B",
        "review_note": "",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
    }
    assert client.post(url, data).status_code == 302
    source = Source.objects.get()
    assert source.name_key == "сбу" and source.aliases.get().is_primary
    again = client.post(url, {**data, "name": "сбу"})
    assert again.status_code == 422 and "already exists" in again.content.decode()
    assert Source.objects.count() == 1


def test_admin_claim_add_checks_offsets(client, admin_user):
    client.force_login(admin_user)
    article = ArticleFactory()
    url = reverse("admin:annotations_annotation_add")
    base = {"article": article.pk, "label": "verified", "note": "", "evidence_url": ""}
    bad = client.post(url, {**base, "start": 0, "end": 5, "quote": "wrong"})
    assert bad.status_code == 422 and "does not match" in bad.content.decode()
    assert Annotation.objects.count() == 0
    start = article.body.index("drones")
    good = client.post(url, {**base, "start": start, "end": start + 6, "quote": "drones"})
    assert good.status_code == 302
    claim = Annotation.objects.get()
    assert claim.prefix and claim.created_by == admin_user


def test_admin_delete_article_is_soft_and_restorable(client, admin_user):
    client.force_login(admin_user)
    article = AnnotationFactory().article
    url = reverse("admin:annotations_article_changelist")
    client.post(url, {"action": "soft_delete", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.deleted_at is not None and Annotation.objects.count() == 1
    client.post(url, {"action": "restore", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.deleted_at is None
    assert Article.objects.count() == 1


def test_a_pending_sources_history_is_the_sources_history(reviewer_client):
    """The review queue is a proxy of Source: its history link leads to the source's own
    history (it answered 500: the proxy has no history model of its own)."""
    pending = SourceFactory(review_status=Source.Review.PENDING)
    response = reviewer_client.get(f"/admin/annotations/pendingsource/{pending.pk}/history/")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/annotations/source/{pending.pk}/history/"
    assert reviewer_client.get(response["Location"]).status_code == 200
