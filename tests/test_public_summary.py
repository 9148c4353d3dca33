"""A claim's public summary (what a ClaimReview publishes) beside its internal note, through
every door the note goes through: the popover, the edit form, the no-JS form, the services,
history, source merges and the bulk import."""

import contextlib
import csv
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from annotations import history, services
from annotations.models import PUBLIC_SUMMARY_MAX, Annotation
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory, claim_by, member

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
QUOTE = "31 of 38 drones were shot down"
SUMMARY = "Kyiv’s figure; not confirmed by\nany other source yet."


def _create(client, article, **extra):
    start = article.body.index(QUOTE)
    data = {
        "start": start,
        "end": start + len(QUOTE),
        "quote": QUOTE,
        "version": article.version,
        "label": "disputed",
        **extra,
    }
    return client.post(reverse("annotations:claim-create", args=[article.pk]), data, headers=HX)


def test_the_popover_names_the_public_summary_and_the_internal_note(editor_client):
    article = ArticleFactory()
    html = editor_client.get(article.get_absolute_url()).content.decode()
    form = html[html.index('id="claim-form"') :]
    assert "Internal note (never published)" in form and 'name="note"' in form
    assert "Public summary (published in ClaimReview)" in form
    assert f'name="public_summary" rows="2" maxlength="{PUBLIC_SUMMARY_MAX}"' in form


def test_a_claim_saved_from_the_popover_keeps_its_public_summary(editor_client):
    article = ArticleFactory()
    response = _create(
        editor_client, article, note="From a contact", public_summary=SUMMARY.replace("\n", "\r\n")
    )
    assert response.status_code == 200
    claim = Annotation.objects.get()
    assert (claim.note, claim.public_summary) == ("From a contact", SUMMARY)
    html = response.content.decode()
    assert "Public summary:" in html and "not confirmed by<br>any other source" in html


@pytest.mark.parametrize(
    ("summary", "reason"),
    [
        ("x" * (PUBLIC_SUMMARY_MAX + 1), "The public summary is too long"),
        ("bell \x07 here", "control character"),
    ],
)
def test_a_bad_public_summary_is_refused_and_nothing_saved(editor_client, summary, reason):
    response = _create(editor_client, ArticleFactory(), public_summary=summary)
    assert response.status_code == 422
    assert reason in response.content.decode()
    assert not Annotation.objects.exists()


def test_the_service_refuses_a_summary_too_long_for_any_door(editor):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        claim_by(editor, ArticleFactory(), QUOTE, public_summary="x" * (PUBLIC_SUMMARY_MAX + 1))
    assert not Annotation.objects.exists()


def test_the_edit_form_shows_and_changes_the_public_summary(editor_client, editor):
    claim = claim_by(editor, ArticleFactory(), QUOTE, public_summary="Old words")
    url = reverse("annotations:claim-edit", args=[claim.pk])
    form = editor_client.get(url, headers=HX).content.decode()
    assert "Public summary (published in ClaimReview)" in form and "Old words</textarea>" in form
    assert "Internal note (never published)" in form
    response = editor_client.post(
        url, {"label": "disputed", "note": "", "public_summary": "New words"}, headers=HX
    )
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.public_summary == "New words"
    changes = history.entries(history.claim_records(claim.pk))[0]["changes"]
    assert ("Public summary", "Old words", "New words") in changes


def test_a_door_without_the_field_keeps_the_public_summary(editor):
    """A door that does not send a public summary keeps the claim's."""
    claim = claim_by(editor, ArticleFactory(), QUOTE, public_summary=SUMMARY)
    details = {"label": "verified", "source": None, "credibility": 2, "evidence_url": ""}
    services.annotation_update(annotation=claim, user=editor, note="checked", **details)
    claim.refresh_from_db()
    assert (claim.label, claim.note, claim.public_summary) == ("verified", "checked", SUMMARY)


def test_the_admin_claim_form_changes_the_public_summary(client, reviewer, editor):
    claim = claim_by(editor, ArticleFactory(), QUOTE, public_summary=SUMMARY)
    client.force_login(reviewer)
    url = reverse("admin:annotations_annotation_change", args=[claim.pk])
    page = client.get(url).content.decode()
    assert 'name="public_summary"' in page and SUMMARY in page
    data = {
        "label": "disputed",
        "credibility": "3",
        "note": "internal",
        "public_summary": "Contradicted by satellite imagery.",
        "evidence_url": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    claim.refresh_from_db()
    assert (claim.label, claim.public_summary) == ("disputed", "Contradicted by satellite imagery.")
    assert claim.note == "internal"


def test_the_form_without_javascript_takes_a_public_summary(editor_client):
    article = ArticleFactory()
    url = reverse("annotations:claim-by-quote", args=[article.pk])
    assert b"Public summary (published in ClaimReview)" in editor_client.get(url).content
    response = editor_client.post(
        url, {"quote": QUOTE, "label": "disputed", "public_summary": SUMMARY}
    )
    assert response.status_code == 302
    assert Annotation.objects.get().public_summary == SUMMARY


def test_merged_twins_keep_a_public_summary(reviewer, editor):
    article = ArticleFactory()
    sbu = services.source_create(name="SBU", user=editor)
    long_name = services.source_create(name="Security Service of Ukraine", user=editor)
    kept = claim_by(editor, article, QUOTE, source=long_name)
    claim_by(editor, article, QUOTE, source=sbu, public_summary=SUMMARY)
    services.source_merge(keep=long_name, others=[sbu], user=reviewer)
    kept.refresh_from_db()
    assert kept.public_summary == SUMMARY


BODY = "Kyiv says 31 of 38 drones were shot down.\nMoscow did not confirm."


def _import(tmp_path, claim: dict, name="in.jsonl") -> None:
    record = {"title": "Strike", "body": BODY, "claims": [claim]}
    path = tmp_path / name
    if name.endswith(".csv"):
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["title", "body", "claims"])
            writer.writerow([record["title"], BODY, json.dumps(record["claims"])])
    else:
        path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    user = member("importer", "Reviewer").get_username()
    with contextlib.suppress(SystemExit):  # a run with a refused row exits 1
        call_command("import_articles", str(path), "--user", user, verbosity=0)


@pytest.mark.parametrize("name", ["in.jsonl", "in.csv"])
def test_the_bulk_import_reads_a_public_summary(tmp_path, name):
    start = BODY.index(QUOTE)
    claim = {"start": start, "end": start + len(QUOTE), "quote": QUOTE, "label": "disputed"}
    _import(tmp_path, {**claim, "note": "internal", "public_summary": SUMMARY}, name)
    assert Annotation.objects.get().public_summary == SUMMARY


def test_the_bulk_import_refuses_a_public_summary_too_long(tmp_path, capsys):
    start = BODY.index(QUOTE)
    claim = {"start": start, "end": start + len(QUOTE), "quote": QUOTE, "label": "disputed"}
    _import(tmp_path, {**claim, "public_summary": "x" * (PUBLIC_SUMMARY_MAX + 1)})
    assert f"claim 1: “public_summary” is longer than {PUBLIC_SUMMARY_MAX}" in (
        capsys.readouterr().err
    )
    assert not Annotation.objects.exists()


def test_the_w3c_export_carries_the_summary_as_a_describing_body(editor_client):
    claim = AnnotationFactory(
        label="verified", source=SourceFactory(), note="internal", public_summary=SUMMARY
    )
    response = editor_client.get(reverse("annotations:export-jsonld"))
    (item,) = json.loads(b"".join(response.streaming_content))["first"]["items"]
    bodies = {body["purpose"]: body.get("value") for body in item["body"]}
    assert bodies["commenting"] == "internal" and bodies["describing"] == SUMMARY
    assert item["id"].endswith(f"/claims/{claim.pk}/")
