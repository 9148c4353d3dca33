"""Sources: directory, page, review workflow, merging, aliases, and who may do what."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from annotations import selectors, services
from annotations.models import Annotation, Source, SourceAlias
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_directory_searches_aliases_and_filters(editor_client, sbu):
    SourceFactory(name="Rybar", kind="social_media", review_status="rejected", reliability="E")
    url = reverse("annotations:source-list")
    html = editor_client.get(url, {"q": "sbu"}).content.decode()
    assert "Security Service of Ukraine" in html and "Rybar" not in html
    html = editor_client.get(url, {"review_status": "rejected"}).content.decode()
    assert "Rybar" in html and "Security Service" not in html
    html = editor_client.get(url, {"kind": "intelligence", "reliability": "F"}).content.decode()
    assert "Security Service" in html


def _queries(client, url, **params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_directory_and_source_page_and_queue_query_counts_are_flat(client, reviewer, sbu):
    client.force_login(reviewer)
    AnnotationFactory(source=sbu, label="disputed")
    pages = [
        reverse("annotations:source-list"),
        sbu.get_absolute_url(),
        reverse("annotations:review-queue"),
    ]
    few = [_queries(client, url) for url in pages]
    for i in range(25):
        AnnotationFactory(
            source=sbu, article=ArticleFactory(body=f"{i}: 31 of 38 drones were shot down")
        )
        SourceFactory(review_status="pending")
        services.source_update(source=sbu, user=reviewer, description=f"edit {i}")
    assert [_queries(client, url) for url in pages] == few


def test_source_page_lists_claims_counts_and_export(editor_client, sbu):
    AnnotationFactory(source=sbu, label="disputed")
    AnnotationFactory(
        source=sbu,
        label="verified",
        article=ArticleFactory(body="Other: 31 of 38 drones were shot down"),
    )
    html = editor_client.get(sbu.get_absolute_url()).content.decode()
    assert "<strong>1</strong> verified" in html and "<strong>1</strong> disputed" in html
    assert f"export/claims.csv?source={sbu.pk}" in html
    assert "SBU" in html


def test_review_records_who_when_and_grade(client, reviewer, sbu):
    client.force_login(reviewer)
    url = reverse("annotations:source-review", args=[sbu.pk])
    response = client.post(
        url,
        {
            "decision": "approved",
            "reliability": "B",
            "note": "Official",
            "expected_status": "pending",
        },
    )
    assert response.status_code == 302
    sbu.refresh_from_db()
    assert (sbu.review_status, sbu.reliability, sbu.reviewed_by, sbu.review_note) == (
        "approved",
        "B",
        reviewer,
        "Official",
    )
    assert sbu.reviewed_at is not None


def test_turning_a_decision_around_must_be_explicit(reviewer, sbu):
    services.source_review(source=sbu, user=reviewer, decision="rejected")
    with pytest.raises(ValidationError, match="Reconsider"):
        services.source_review(source=sbu, user=reviewer, decision="approved")
    sbu.refresh_from_db()
    assert sbu.review_status == "rejected"
    services.source_review(source=sbu, user=reviewer, decision="approved", reconsider=True)
    sbu.refresh_from_db()
    assert sbu.review_status == "approved"


def test_review_based_on_a_stale_page_is_refused(reviewer, other_editor, sbu):
    services.source_review(source=sbu, user=reviewer, decision="rejected")
    with pytest.raises(ValidationError, match="meanwhile"):
        services.source_review(
            source=sbu,
            user=reviewer,
            decision="approved",
            expected_status="pending",
            reconsider=True,
        )


def test_unknown_decision_refused(reviewer, sbu):
    with pytest.raises(ValidationError):
        services.source_review(source=sbu, user=reviewer, decision="maybe")


def test_rejected_source_keeps_its_claims_flagged(editor_client, reviewer, sbu):
    claim = AnnotationFactory(source=sbu, label="disputed")
    services.source_review(source=sbu, user=reviewer, decision="rejected")
    html = editor_client.get(claim.article.get_absolute_url()).content.decode()
    assert "badge-rejected" in html
    assert Annotation.objects.filter(source=sbu).count() == 1


def test_picker_shows_status_and_refuses_rejected(editor_client, reviewer, sbu):
    services.source_review(source=sbu, user=reviewer, decision="rejected")
    html = editor_client.get(
        reverse("annotations:source-picker"), {"source_q": "sbu"}
    ).content.decode()
    assert "disabled" in html and "Rejected" in html
    html = editor_client.get(
        reverse("annotations:source-picker"), {"source_q": "sbu", "mode": "merge"}
    ).content.decode()
    assert "disabled" not in html and "Propose" not in html


def test_merge_moves_claims_and_names_atomically(reviewer, editor, sbu):
    cyr = services.source_create(name="СБУ", user=editor)
    services.source_add_alias(source=cyr, name="Служба безпеки", user=editor)
    claims = [
        AnnotationFactory(source=cyr, label="disputed"),
        AnnotationFactory(
            source=sbu,
            label="verified",
            article=ArticleFactory(body="x 31 of 38 drones were shot down"),
        ),
    ]
    services.source_merge(keep=sbu, others=[cyr], user=reviewer)
    assert not Source.objects.filter(pk=cyr.pk).exists()
    assert all(Annotation.objects.get(pk=c.pk).source_id == sbu.pk for c in claims)
    names = set(SourceAlias.objects.filter(source=sbu).values_list("name", flat=True))
    assert names == {"Security Service of Ukraine", "SBU", "СБУ", "Служба безпеки"}
    assert (
        SourceAlias.objects.get(source=sbu, is_primary=True).name == "Security Service of Ukraine"
    )
    assert [s.pk for s in selectors.source_search("сбу")] == [sbu.pk]
    moved = Annotation.objects.get(pk=claims[0].pk)
    assert moved.history.first().history_user == reviewer


def test_merge_is_all_or_nothing(reviewer, editor, sbu, monkeypatch):
    cyr = services.source_create(name="СБУ", user=editor)
    claim = AnnotationFactory(source=cyr, label="disputed")

    def boom(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Source, "delete", boom)
    with pytest.raises(RuntimeError):
        services.source_merge(keep=sbu, others=[cyr], user=reviewer)
    assert Annotation.objects.get(pk=claim.pk).source_id == cyr.pk
    assert SourceAlias.objects.get(name="СБУ").source_id == cyr.pk


def test_merge_with_itself_refused(reviewer, sbu):
    with pytest.raises(ValidationError):
        services.source_merge(keep=sbu, others=[sbu], user=reviewer)


def test_editor_adds_alias_by_hand_and_clash_is_refused(editor_client, sbu):
    url = reverse("annotations:source-alias-add", args=[sbu.pk])
    editor_client.post(url, {"name": "Служба безпеки України"})
    assert SourceAlias.objects.filter(source=sbu, name="Служба безпеки України").exists()
    other = SourceFactory(name="Other")
    response = editor_client.post(
        reverse("annotations:source-alias-add", args=[other.pk]), {"name": "sbu"}, follow=True
    )
    assert "already exists" in response.content.decode()
    assert not SourceAlias.objects.filter(source=other, name="sbu").exists()


ROLES = ["viewer", "editor", "reviewer", "admin_user"]


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("queue", {"reviewer", "admin_user"}),
        ("review", {"reviewer", "admin_user"}),
        ("merge", {"reviewer", "admin_user"}),
        ("alias", {"editor", "reviewer", "admin_user"}),
        ("directory", set(ROLES)),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(request, client, sbu, action, allowed, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    dup = SourceFactory(name=f"dup {role}")
    calls = {
        "queue": lambda: client.get(reverse("annotations:review-queue")),
        "review": lambda: client.post(
            reverse("annotations:source-review", args=[sbu.pk]),
            {"decision": "approved", "reliability": "B", "expected_status": "pending"},
        ),
        "merge": lambda: client.post(
            reverse("annotations:source-merge", args=[sbu.pk]), {"other": dup.pk, "confirm": "1"}
        ),
        "alias": lambda: client.post(
            reverse("annotations:source-alias-add", args=[sbu.pk]), {"name": f"alias {role}"}
        ),
        "directory": lambda: client.get(reverse("annotations:source-list")),
    }
    status = calls[action]().status_code
    if role in allowed:
        assert status in (200, 302)
    else:
        assert status == 403
    sbu.refresh_from_db()
    if action == "review":
        assert (sbu.review_status == "approved") == (role in allowed)
    if action == "merge":
        assert Source.objects.filter(pk=dup.pk).exists() == (role not in allowed)


def test_admin_queue_and_merge_action(client, reviewer, editor, sbu):
    client.force_login(reviewer)
    cyr = services.source_create(name="СБУ", user=editor)
    AnnotationFactory(source=cyr, label="disputed")
    queue = client.get(reverse("admin:annotations_pendingsource_changelist"))
    assert queue.status_code == 200 and "СБУ" in queue.content.decode()
    url = reverse("admin:annotations_source_changelist")
    ask = client.post(url, {"action": "merge", "_selected_action": [sbu.pk, cyr.pk]})
    assert ask.status_code == 200 and "which one do you keep" in ask.content.decode()
    done = client.post(
        url, {"action": "merge", "_selected_action": [sbu.pk, cyr.pk], "keep": sbu.pk, "apply": "1"}
    )
    assert done.status_code == 302
    assert not Source.objects.filter(pk=cyr.pk).exists()
    assert Annotation.objects.get().source == sbu


def test_admin_approve_action_keeps_the_note_the_reviewer_wrote(client, reviewer, editor):
    source = services.source_create(name="Odesa port authority", user=editor)
    Source.objects.filter(pk=source.pk).update(review_note="Official port body; checked its site")
    client.force_login(reviewer)
    url = reverse("admin:annotations_source_changelist")
    selected = {"action": "approve", "_selected_action": [source.pk]}
    response = client.post(url, {**selected, "apply": "1", "reliability": "B", "note": ""})
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.review_status == "approved" and source.reviewed_by == reviewer
    assert source.review_note == "Official port body; checked its site"


def test_merging_in_the_app_asks_first_and_says_what_moves(client, reviewer, editor, sbu):
    dup = services.source_create(name="Sluzhba Bezpeky Ukrainy", user=editor)
    AnnotationFactory(source=dup, label="disputed")
    client.force_login(reviewer)
    url = reverse("annotations:source-merge", args=[sbu.pk])
    ask = client.post(url, {"other": dup.pk})
    html = ask.content.decode()
    assert ask.status_code == 200 and "1 claim of “Sluzhba Bezpeky Ukrainy” will move" in html
    assert Source.objects.filter(pk=dup.pk).exists()  # nothing merged yet
    done = client.post(url, {"other": dup.pk, "confirm": "1"})
    assert done.status_code == 302 and not Source.objects.filter(pk=dup.pk).exists()
    assert Annotation.objects.get().source == sbu
