"""Personal API tokens in the app (list, make, shown once, revoke) and in the admin."""

import re

import pytest
from django.urls import reverse

from annotations import services
from annotations.models import ApiToken

pytestmark = pytest.mark.django_db

TOKENS = "/account/tokens/"


def _key_in(html: str) -> str:
    match = re.search(r'id="new-token"[^>]*value="(nca_[^"]+)"', html)
    assert match, html
    return match.group(1)


def test_a_token_is_made_named_and_shown_once(client, editor):
    client.force_login(editor)
    page = client.get(TOKENS)
    assert page.status_code == 200 and "You have no tokens yet." in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    made = client.post(TOKENS, {"name": "  CMS   push "})
    assert made.status_code == 200 and "no-store" in made["Cache-Control"]
    html = made.content.decode()
    key = _key_in(html)
    assert "It is shown only this once" in html and "Ctrl+C" in html
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.hint) == (editor, "CMS push", key[:10])
    assert services.api_token_find(key) == token
    # The API takes it.
    assert client.get("/api/v1/claims/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    # Never again: the list shows its first characters only.
    listed = client.get(TOKENS).content.decode()
    assert "CMS push" in listed and f"{key[:10]}…" in listed and key not in listed
    assert token.key_sha256 not in listed


def test_the_list_says_when_each_was_made_and_used_and_which_are_revoked(client, editor):
    used, _key = services.api_token_create(user=editor, name="Used one")
    services.api_token_touch(used)
    gone, _key = services.api_token_create(user=editor, name="Old script")
    services.api_token_revoke(token=gone, user=editor)
    services.api_token_create(user=editor, name="Never used")
    client.force_login(editor)
    html = client.get(TOKENS).content.decode()
    rows = re.findall(r"<tr data-token-id.*?</tr>", html, re.S)
    assert len(rows) == 3
    by_name = {re.search(r'data-heading="Name">([^<]+)<', row).group(1): row for row in rows}
    assert "Never" in by_name["Never used"] and "Revoke" in by_name["Never used"]
    assert f'datetime="{used.last_used_at:%Y-%m-%d}' in by_name["Used one"]
    assert "Revoked" in by_name["Old script"] and "/revoke/" not in by_name["Old script"]


def test_another_persons_tokens_are_neither_listed_nor_revoked(client, editor, other_editor):
    theirs, key = services.api_token_create(user=other_editor, name="Their bot")
    client.force_login(editor)
    assert "Their bot" not in client.get(TOKENS).content.decode()
    assert client.get(f"{TOKENS}{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"{TOKENS}{theirs.pk}/revoke/").status_code == 404
    assert services.api_token_find(key) == theirs


def test_revoking_asks_first_then_the_token_stops_working(client, editor):
    token, key = services.api_token_create(user=editor, name="Daily export")
    client.force_login(editor)
    asked = client.get(f"{TOKENS}{token.pk}/revoke/")
    html = asked.content.decode()
    assert asked.status_code == 200 and "Revoke “Daily export”?" in html
    assert f'action="{TOKENS}{token.pk}/revoke/"' in html and 'method="post"' in html
    token.refresh_from_db()
    assert token.revoked_at is None  # asking changes nothing
    done = client.post(f"{TOKENS}{token.pk}/revoke/", follow=True)
    assert done.redirect_chain == [(TOKENS, 302)]
    assert "“Daily export” is revoked" in done.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and services.api_token_find(key) is None
    api = client.get("/api/v1/claims/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 401
    again = client.post(f"{TOKENS}{token.pk}/revoke/")
    assert again.status_code == 302 and ApiToken.objects.get().revoked_at == token.revoked_at


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 101, "at most 100 characters"),
        ("Bad\u0007name", "control character"),
    ],
)
def test_a_bad_name_is_refused_and_nothing_made(client, editor, name, message):
    client.force_login(editor)
    refused = client.post(TOKENS, {"name": name})
    html = refused.content.decode()
    assert refused.status_code == 422 and message in html and "nca_" not in html
    assert 'aria-invalid="true"' in html
    assert not ApiToken.objects.exists()


def test_too_many_tokens_are_refused_with_the_services_words(client, editor, monkeypatch):
    monkeypatch.setattr("annotations.services.tokens.TOKENS_PER_USER_MAX", 1)
    services.api_token_create(user=editor, name="One")
    client.force_login(editor)
    refused = client.post(TOKENS, {"name": "Two"})
    assert refused.status_code == 422
    assert "revoke one you no longer use first" in refused.content.decode()
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize("persona", ["viewer", "editor", "reviewer", "admin_user"])
def test_everyone_with_a_role_has_a_tokens_page_in_the_menu(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    dashboard = client.get(reverse("annotations:dashboard")).content.decode()
    assert f'href="{TOKENS}"' in dashboard and ">API tokens<" in dashboard
    assert client.post(TOKENS, {"name": "Mine"}).status_code == 200


def test_without_a_role_or_a_session_there_is_no_tokens_page(client, nobody):
    assert client.get(TOKENS).status_code == 302  # to the sign-in page
    assert client.post(TOKENS, {"name": "x"}).status_code == 302
    client.force_login(nobody)
    assert client.get(TOKENS).status_code == 403
    assert client.post(TOKENS, {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


# --- Admin ----------------------------------------------------------------------------------


def test_the_admin_lists_tokens_without_their_hash_and_revokes_them(
    client, admin_user, editor, viewer
):
    token, key = services.api_token_create(user=editor, name="CMS push")
    services.api_token_create(user=viewer, name="Spreadsheet")
    client.force_login(admin_user)
    listing = client.get(reverse("admin:annotations_apitoken_changelist"))
    html = listing.content.decode()
    assert listing.status_code == 200 and "CMS push" in html and token.hint in html
    assert token.key_sha256 not in html and key not in html
    assert f"?user__id__exact={editor.pk}" in html  # filtered by user
    only = client.get(
        reverse("admin:annotations_apitoken_changelist"), {"user__id__exact": editor.pk}
    )
    assert "CMS push" in only.content.decode() and "Spreadsheet" not in only.content.decode()
    page = client.get(reverse("admin:annotations_apitoken_change", args=[token.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and token.key_sha256 not in html and "key_sha256" not in html
    assert 'name="name"' not in html  # read only
    assert client.get(reverse("admin:annotations_apitoken_add")).status_code == 403
    revoked = client.post(
        reverse("admin:annotations_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "1 token revoked." in revoked.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and services.api_token_find(key) is None


def test_a_reviewer_on_the_admin_does_not_see_tokens(client, reviewer, editor):
    services.api_token_create(user=editor, name="CMS push")
    client.force_login(reviewer)
    assert client.get(reverse("admin:annotations_apitoken_changelist")).status_code == 403
