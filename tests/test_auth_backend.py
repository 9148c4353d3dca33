"""annotations.backends: the signed-in user and their permissions in one query, read again on
every request (nothing kept between requests, so a role taken away applies at once)."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from annotations.backends import ModelBackendOneQuery
from tests.factories import ArticleFactory, member

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_their_permissions_in_one_query(django_assert_num_queries):
    editor = member("backend-editor", "Editor")
    editor.user_permissions.add(Permission.objects.get(codename="correct_any_article"))
    with django_assert_num_queries(1):
        user = ModelBackendOneQuery().get_user(editor.pk)
        assert user.has_perm("annotations.add_annotation")  # from the group
        assert user.has_perm("annotations.correct_any_article")  # their own
        assert not user.has_perm("annotations.change_any_annotation")
        assert user.username == "backend-editor" and not hasattr(user, "perm")
    # The same set as Django's own backend reads in its two queries.
    assert user.get_all_permissions() == ModelBackend().get_all_permissions(editor)


def test_nobody_for_an_unknown_inactive_or_junk_id():
    backend = ModelBackendOneQuery()
    gone = member("backend-gone", "Editor")
    gone.is_active = False
    gone.save()
    assert backend.get_user(gone.pk) is None
    assert backend.get_user(999_999) is None
    assert backend.get_user("junk") is None


def test_a_user_without_a_group_has_no_permissions(django_assert_num_queries):
    loner = member("backend-loner", "Editor")
    loner.groups.clear()
    with django_assert_num_queries(1):
        user = ModelBackendOneQuery().get_user(loner.pk)
        assert user.get_all_permissions() == set()


def test_a_role_taken_away_applies_on_the_next_request(client):
    editor = member("backend-demoted", "Editor")
    client.force_login(editor)
    article = ArticleFactory()
    quote = "31 of 38 drones were shot down"
    start = article.body.index(quote)
    data = {"start": start, "end": start + len(quote), "quote": quote, "label": "disputed"}
    url = reverse("annotations:claim-create", args=[article.pk])
    assert client.post(url, data).status_code == 302
    editor.groups.set([Group.objects.get(name="Viewer")])
    data["label"] = "verified"
    assert client.post(url, data).status_code == 403
