"""Reviewing sources in the admin never approves blind: the approve action asks for the grade
first, and a reviewer's source form decides the review through the service."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from annotations import services
from annotations.models import Source
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

# The plain source list and the review queue (a proxy of pending sources) behave alike.
ADMINS = ["source", "pendingsource"]


@pytest.fixture
def proposed(editor) -> Source:
    source = services.source_create(name="Odesa port authority", user=editor, kind="government")
    services.source_add_alias(source=source, name="Odesa port", user=editor)
    return source


@pytest.fixture
def clerk(roles):
    """Staff who may change sources but not review them (no role gives this; a desk could)."""
    user = UserFactory(username="clerk", is_staff=True)
    for codename in ("view_source", "change_source", "view_sourcealias"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def _said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _state(source: Source) -> tuple:
    source.refresh_from_db()
    return (source.review_status, source.reliability, source.reviewed_by, source.review_note)


# --- The approve action: a page that asks for the grade, then the approval -----------------


@pytest.mark.parametrize("admin_name", ADMINS)
def test_approve_asks_for_the_grade_then_approves_at_it(client, reviewer, proposed, admin_name):
    other = services.source_create(name="Rybar", user=reviewer, kind="social_media")
    client.force_login(reviewer)
    url = reverse(f"admin:annotations_{admin_name}_changelist")
    selected = {"action": "approve", "_selected_action": [proposed.pk, other.pk]}

    ask = client.post(url, selected)
    html = ask.content.decode()
    assert ask.status_code == 200
    assert "Odesa port authority" in html and "Rybar" in html
    assert html.count('type="radio" name="reliability"') == 6  # A to F ...
    assert "checked" not in html  # ... and none chosen for the reviewer
    assert _state(proposed) == ("pending", "F", None, "")  # nothing decided yet

    done = client.post(url, {**selected, "apply": "1", "reliability": "B", "note": "Checked"})
    assert done.status_code == 302
    for source in (proposed, other):
        assert _state(source) == ("approved", "B", reviewer, "Checked")
        assert source.history.first().history_user == reviewer
    assert "2 sources approved at reliability B." in _said(done)


@pytest.mark.parametrize("admin_name", ADMINS)
@pytest.mark.parametrize("grade", [None, "", "Z"], ids=["missing", "empty", "not-a-grade"])
def test_approve_without_a_grade_is_refused_and_changes_nothing(
    client, reviewer, proposed, admin_name, grade
):
    client.force_login(reviewer)
    url = reverse(f"admin:annotations_{admin_name}_changelist")
    data = {"action": "approve", "_selected_action": [proposed.pk], "apply": "1", "note": "x"}
    if grade is not None:
        data["reliability"] = grade
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 422
    assert 'class="errornote"' in html and "Odesa port authority" in html
    if grade == "Z":
        assert "Select a valid choice" in html
    else:
        assert "Choose a reliability grade" in html
    assert _state(proposed) == ("pending", "F", None, "")
    assert proposed.history.count() == 1


def test_approve_skips_decided_sources_with_a_warning(client, reviewer, proposed):
    rejected = services.source_create(name="Rybar", user=reviewer)
    services.source_review(source=rejected, user=reviewer, decision="rejected", reliability="E")
    client.force_login(reviewer)
    url = reverse("admin:annotations_source_changelist")
    selected = {"action": "approve", "_selected_action": [proposed.pk, rejected.pk]}
    ask = client.post(url, selected)
    assert "Already rejected: skipped" in ask.content.decode()
    done = client.post(url, {**selected, "apply": "1", "reliability": "C"})
    assert done.status_code == 302
    assert _state(proposed)[:3] == ("approved", "C", reviewer)
    assert _state(rejected)[:2] == ("rejected", "E")
    said = _said(done)
    assert "1 source approved at reliability C." in said
    assert "1 source skipped: it is not pending any more" in said


def test_the_queue_skips_a_source_decided_while_the_grade_page_was_open(client, reviewer, proposed):
    client.force_login(reviewer)
    url = reverse("admin:annotations_pendingsource_changelist")
    selected = {"action": "approve", "_selected_action": [proposed.pk]}
    assert client.post(url, selected).status_code == 200
    colleague = member("colleague", "Reviewer", is_staff=True)
    services.source_review(source=proposed, user=colleague, decision="rejected", reliability="E")
    done = client.post(url, {**selected, "apply": "1", "reliability": "A"})
    assert done.status_code == 302
    assert _state(proposed)[:3] == ("rejected", "E", colleague)
    assert "approved" not in _said(done) and "1 source skipped" in _said(done)


def test_reject_needs_no_grade(client, reviewer, proposed):
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:annotations_pendingsource_changelist"),
        {"action": "reject", "_selected_action": [proposed.pk]},
    )
    assert response.status_code == 302
    assert _state(proposed)[:3] == ("rejected", "F", reviewer)


def test_only_reviewers_approve(client, editor, clerk, proposed):
    apply = {"action": "approve", "_selected_action": [proposed.pk], "apply": "1"}
    client.force_login(editor)  # no admin at all: sent to the login page
    url = reverse("admin:annotations_source_changelist")
    assert client.post(url, {**apply, "reliability": "A"}).status_code == 302
    client.force_login(clerk)  # in the admin, but not a reviewer
    for step in ({}, {"apply": "1", "reliability": "A"}):
        response = client.post(url, {**apply, **step})
        assert response.status_code == 403
        assert "You may not run that action." in response.content.decode()
    queue = reverse("admin:annotations_pendingsource_changelist")
    assert client.post(queue, {**apply, "reliability": "A"}).status_code == 403
    assert _state(proposed) == ("pending", "F", None, "")


# --- A reviewer's source form decides the review ---------------------------------------------


def _form_data(client, url: str, **changes) -> dict:
    """What the change form at `url` posts when saved with `changes` (as a browser would)."""
    page = client.get(url)
    assert page.status_code == 200
    forms = [page.context["adminform"].form]
    data = {}
    for formset in page.context["inline_admin_formsets"]:
        forms += [formset.formset.management_form, *formset.formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            data[form.add_prefix(name)] = "" if value is None else value
    return {**data, **changes}


@pytest.mark.parametrize("admin_name", ADMINS)
def test_a_reviewer_approves_on_the_form_at_the_grade_chosen(
    client, reviewer, proposed, admin_name
):
    client.force_login(reviewer)
    url = reverse(f"admin:annotations_{admin_name}_change", args=[proposed.pk])
    html = client.get(url).content.decode()
    assert '<option value="" selected>Choose a grade</option>' in html  # none preselected
    assert "Now F: reliability cannot be judged" in html
    data = _form_data(client, url, review_status="approved", reliability="B", review_note="Seen")
    response = client.post(url, data)
    assert response.status_code == 302
    assert _state(proposed) == ("approved", "B", reviewer, "Seen")
    last = proposed.history.first()
    assert (last.history_user, last.review_status, last.reviewed_by) == (
        reviewer,
        "approved",
        reviewer,
    )


def test_deciding_in_the_queue_and_continuing_goes_to_the_source_page(client, reviewer, proposed):
    client.force_login(reviewer)
    url = reverse("admin:annotations_pendingsource_change", args=[proposed.pk])
    data = _form_data(client, url, review_status="rejected", _continue="1")
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url == reverse("admin:annotations_source_change", args=[proposed.pk])
    assert _state(proposed)[:3] == ("rejected", "F", reviewer)


def test_approving_on_the_form_without_choosing_a_grade_is_refused(client, reviewer, proposed):
    client.force_login(reviewer)
    url = reverse("admin:annotations_source_change", args=[proposed.pk])
    data = _form_data(client, url, review_status="approved", description="Port body")
    response = client.post(url, data)
    assert response.status_code == 422
    assert "Choose the reliability grade to approve this source at" in response.content.decode()
    proposed.refresh_from_db()
    assert (proposed.review_status, proposed.description) == ("pending", "")
    # F is a grade like the others, when it is chosen.
    assert client.post(url, {**data, "reliability": "F"}).status_code == 302
    assert _state(proposed)[:3] == ("approved", "F", reviewer)


def test_changing_a_decision_on_the_form_reconsiders_it(client, reviewer, proposed):
    services.source_review(source=proposed, user=reviewer, decision="rejected", reliability="E")
    client.force_login(reviewer)
    url = reverse("admin:annotations_source_change", args=[proposed.pk])
    refused = client.post(url, _form_data(client, url, review_status="approved"))
    assert refused.status_code == 422 and _state(proposed)[0] == "rejected"
    data = _form_data(client, url, review_status="approved", reliability="C")
    assert client.post(url, data).status_code == 302
    assert _state(proposed)[:3] == ("approved", "C", reviewer)
    back = _form_data(client, url, review_status="pending")
    response = client.post(url, back)
    assert response.status_code == 422
    assert "does not go back to pending" in response.content.decode()
    assert _state(proposed)[0] == "approved"


def test_an_approved_source_is_regraded_on_the_form(client, reviewer, proposed):
    services.source_review(source=proposed, user=reviewer, decision="approved", reliability="B")
    colleague = member("colleague", "Reviewer", is_staff=True)
    client.force_login(colleague)
    url = reverse("admin:annotations_source_change", args=[proposed.pk])
    assert '<option value="B" selected>' in client.get(url).content.decode()
    assert client.post(url, _form_data(client, url, reliability="D")).status_code == 302
    assert _state(proposed)[:3] == ("approved", "D", colleague)


def test_a_decision_made_meanwhile_by_someone_else_is_not_overwritten(client, reviewer, proposed):
    client.force_login(reviewer)
    url = reverse("admin:annotations_pendingsource_change", args=[proposed.pk])
    data = _form_data(client, url, review_status="approved", reliability="B")
    colleague = member("colleague", "Reviewer", is_staff=True)
    services.source_review(source=proposed, user=colleague, decision="rejected", reliability="E")
    source_url = reverse("admin:annotations_source_change", args=[proposed.pk])
    response = client.post(source_url, data)
    assert response.status_code == 422
    assert "was meanwhile marked rejected by colleague" in response.content.decode()
    assert _state(proposed)[:3] == ("rejected", "E", colleague)
    # A grade on a source left pending is refused too, once someone else decided it.
    other = services.source_create(name="Rybar", user=reviewer)
    other_url = reverse("admin:annotations_source_change", args=[other.pk])
    data = _form_data(client, other_url, reliability="D")
    services.source_review(source=other, user=colleague, decision="approved", reliability="B")
    assert client.post(other_url, data).status_code == 422
    assert _state(other)[:3] == ("approved", "B", colleague)


def test_a_form_that_does_not_say_what_status_was_seen_is_refused(client, reviewer, proposed):
    client.force_login(reviewer)
    url = reverse("admin:annotations_source_change", args=[proposed.pk])
    for seen in ("", "maybe"):
        data = _form_data(client, url, review_status="approved", reliability="B")
        response = client.post(url, {**data, "seen_status": seen})
        assert response.status_code == 422
        assert "did not say which review status you saw" in response.content.decode()
    assert _state(proposed) == ("pending", "F", None, "")


def test_a_pending_source_keeps_a_grade_and_note_until_it_is_decided(client, reviewer, proposed):
    client.force_login(reviewer)
    url = reverse("admin:annotations_source_change", args=[proposed.pk])
    data = _form_data(client, url, reliability="C", review_note="Asking the desk in Odesa")
    assert client.post(url, data).status_code == 302
    assert _state(proposed) == ("pending", "C", None, "Asking the desk in Odesa")
    assert proposed.history.first().history_user == reviewer


def test_without_the_review_right_the_review_fields_are_read_only(clerk, client, proposed):
    client.force_login(clerk)
    url = reverse("admin:annotations_source_change", args=[proposed.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    assert not {"review_status", "reliability", "review_note"} & set(form.fields)
    assert "Pending review" in page.content.decode()  # shown, not editable
    data = _form_data(client, url, description="The port's own channel")
    data.update(review_status="approved", reliability="A", review_note="sneaked in")
    assert client.post(url, data).status_code == 302
    proposed.refresh_from_db()
    assert proposed.description == "The port's own channel"
    assert _state(proposed) == ("pending", "F", None, "")
    # The service holds the rule, whatever the door.
    with pytest.raises(PermissionDenied):
        services.source_update(source=proposed, user=clerk, reliability="A")
    with pytest.raises(PermissionDenied):
        services.source_update(source=proposed, user=clerk, review_note="x")
    services.source_update(source=proposed, user=clerk, reliability="F", url="")  # unchanged


def test_the_service_refuses_an_update_after_a_decision_it_did_not_see(reviewer, proposed):
    services.source_review(source=proposed, user=reviewer, decision="approved", reliability="A")
    with pytest.raises(ValidationError, match="meanwhile marked approved by reviewer"):
        services.source_update(
            source=proposed, user=reviewer, expected_status="pending", reliability="E"
        )
    assert _state(proposed)[:2] == ("approved", "A")


def test_renaming_in_the_admin_moves_the_name_key_and_primary_name(client, reviewer, proposed):
    client.force_login(reviewer)
    url = reverse("admin:annotations_source_change", args=[proposed.pk])
    assert client.post(url, _form_data(client, url, name="Port of Odesa")).status_code == 302
    proposed.refresh_from_db()
    assert (proposed.name, proposed.name_key) == ("Port of Odesa", "port of odesa")
    names = set(proposed.aliases.values_list("name", "is_primary"))
    assert names == {("Port of Odesa", True), ("Odesa port", False)}
