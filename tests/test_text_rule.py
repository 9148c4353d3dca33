"""The one text rule, what it lets through, and the small leaks of issue 14: health details,
private caching, deleted articles."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from annotations import services, text
from annotations.models import Annotation
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    ("value", "rules", "refused"),
    [
        ("Київ 🇺🇦 says", {}, False),
        ("replacement \ufffd character from a scraper", {}, False),  # never refused
        ("tab\tinside", {}, False),
        ("two\nlines", {}, True),
        ("two\nlines", {"lines": True}, False),
        ("crlf\r\nlines", {"lines": True}, False),
        ("nul\x00", {"lines": True}, True),
        ("bell\x07", {"lines": True}, True),
        ("c1\x9b[", {"lines": True}, True),
        ("del\x7f", {}, True),
        ("half \ud800 pair", {"lines": True}, True),
        ("half \udfff pair", {"body": True}, True),
        ("control \x01 in a body is normalised, not refused", {"body": True}, False),
    ],
)
def test_the_rule(value, rules, refused):
    found = text.problem(value, **rules)
    assert bool(found) == refused, found
    if refused:
        validator = (
            text.validate_body
            if rules.get("body")
            else text.validate_lines
            if rules.get("lines")
            else text.validate_line
        )
        with pytest.raises(ValidationError):
            validator(value)


def test_a_real_replacement_character_and_crlf_notes_are_saved(editor_client):
    article = ArticleFactory()
    quote = "Ірина said the windows came in"
    start = article.body.index(quote)
    response = editor_client.post(
        reverse("annotations:claim-create", args=[article.pk]),
        {
            "start": start,
            "end": start + len(quote),
            "quote": quote,
            "label": "verified",
            "version": article.version,
            "note": "Scraped as \ufffd by the outlet.\r\nSecond line.",
        },
        headers=HX,
    )
    assert response.status_code == 200
    assert Annotation.objects.get().note == "Scraped as \ufffd by the outlet.\nSecond line."


def test_services_apply_the_rule_for_every_door(editor):
    """A command or the API calls the services: the rule holds there too."""
    with pytest.raises(ValidationError):
        services.article_create(user=editor, title="Nul\x00title", body="Text.")
    with pytest.raises(ValidationError):
        services.source_create(name="Rybar\x07", user=editor)
    article = services.article_create(user=editor, title="Fine", body="Kyiv \x01says.")
    assert article.body == "Kyiv says."  # the body is normalised instead


def test_healthz_says_only_ok_or_unavailable_to_anyone(client, admin_user):
    answer = client.get("/healthz").json()
    # The queue's backlog is for monitors too; nothing about the database itself.
    queues = {"default": 0, "evidence": 0, "webhooks": 0}
    assert answer == {"status": "ok", "oldest_waiting_job_seconds": queues}
    client.force_login(admin_user)
    assert client.get("/healthz").json()["database"] in ("sqlite", "postgresql")


def test_healthz_hides_the_database_error_from_anyone_not_staff(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute") as execute:
        execute.side_effect = Exception("password authentication failed for user desk")
        anonymous = client.get("/healthz")
    assert anonymous.status_code == 503 and anonymous.json() == {"status": "unavailable"}
    assert "password" not in anonymous.content.decode()


def test_signed_in_pages_and_downloads_are_private_and_not_stored(editor_client):
    article = ArticleFactory()
    for url in (
        "/",
        "/articles/",
        article.get_absolute_url(),
        reverse("annotations:claim-list"),
        reverse("annotations:export-csv"),
        reverse("annotations:export-jsonld"),
    ):
        response = editor_client.get(url)
        assert response.status_code == 200
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url


def test_a_deleted_article_is_not_named_by_the_claims_list(editor_client, editor, reviewer):
    article = ArticleFactory(title="Withdrawn report on Bakhmut")
    services.article_delete(article=article, user=reviewer)
    html = editor_client.get(reverse("annotations:claim-list"), {"article": article.pk})
    assert html.status_code == 200
    assert "Withdrawn report on Bakhmut" not in html.content.decode()


def test_bad_bytes_answer_htmx_with_a_fragment(editor_client):
    article = ArticleFactory()
    response = editor_client.generic(
        "POST",
        reverse("annotations:claim-create", args=[article.pk]),
        b"quote=%FF&label=verified",
        content_type="application/x-www-form-urlencoded",
        headers=HX,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" not in html and 'class="form-error"' in html


def test_reviewers_do_not_see_deleted_articles_in_the_admin(client, reviewer, admin_user):
    article = ArticleFactory(title="Withdrawn report on Bakhmut")
    services.article_delete(article=article, user=admin_user)
    client.force_login(reviewer)
    listing = client.get(reverse("admin:annotations_article_changelist"))
    assert listing.status_code == 200
    assert "Withdrawn report on Bakhmut" not in listing.content.decode()
    page = client.get(reverse("admin:annotations_article_change", args=[article.pk]))
    assert page.status_code in (302, 404)  # the admin sends to its index: "doesn't exist"
    client.force_login(admin_user)
    listing = client.get(reverse("admin:annotations_article_changelist"), {"deleted": "yes"})
    assert "Withdrawn report on Bakhmut" in listing.content.decode()
