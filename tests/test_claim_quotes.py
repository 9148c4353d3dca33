"""The trigram search's quotes (`ClaimQuote`, PostgreSQL): a table of their own beside the
claims, so that a bulk import does not maintain their GIN index; kept in step with every
write of a quote, as the matcher's terms are, and written for imported claims by the terms
job, whose pending mark says meanwhile that they are not searched yet."""

import json

import pytest

from annotations import jobs, services, shared, similarity
from annotations.importers.bulk import read_jsonl
from annotations.models import Annotation, ClaimQuote, TermsPending
from annotations.services.imports import articles_import
from tests.factories import ArticleFactory, claim_by, member

pytestmark = pytest.mark.django_db

EN = "Russia lost about 7,000 troops near Avdiivka in one week, Zelensky said on Sunday."
NEAR = "Russia lost about 7,000 troops near Avdiivka in one week, Zelensky said Sunday."


def _quotes() -> dict[int, str]:
    return dict(ClaimQuote.objects.values_list("annotation_id", "quote"))


def _trigram_found(quote: str) -> list[int]:
    return shared._trigram_ids(quote, exclude_article=None)


@pytest.mark.postgres
def test_a_saved_claim_has_its_quote_for_the_trigram_search_and_loses_it_when_deleted(editor):
    claim = claim_by(editor, ArticleFactory(body=EN, language="en"), EN)
    assert _quotes() == {claim.pk: EN}
    assert _trigram_found(NEAR) == [claim.pk]
    services.annotation_delete(annotation=claim, user=editor)
    assert not ClaimQuote.objects.exists()  # the database's own cascade
    assert _trigram_found(NEAR) == []


@pytest.mark.postgres
def test_an_edit_of_the_span_changes_the_quote_and_a_verdict_edit_leaves_it(editor):
    article = ArticleFactory(body=EN, language="en")
    claim = claim_by(editor, article, EN)
    shorter = "Russia lost about 7,000 troops"
    services.annotation_update(
        annotation=claim,
        user=editor,
        label="disputed",
        source=None,
        credibility=None,
        note="",
        evidence_url="",
        span=services.NewSpan(
            start=0, end=len(shorter), quote=shorter, expected_quote=EN, seen_version=1
        ),
    )
    assert _quotes() == {claim.pk: shorter}
    # The matcher's terms follow the new words too (they did not, before this table).
    assert set(claim.terms.values_list("term", flat=True)) == set(similarity.terms(shorter, "en"))
    claim.refresh_from_db()
    services.annotation_update(
        annotation=claim,
        user=editor,
        label="verified",
        source=None,
        credibility=None,
        note="a note",
        evidence_url="",
    )
    assert _quotes() == {claim.pk: shorter}


@pytest.mark.postgres
def test_a_correction_that_re_anchors_a_claim_changes_its_quote(editor):
    article = ArticleFactory(body="Intro.\n\n" + EN, language="en", created_by=editor)
    claim = claim_by(editor, article, EN)
    changed = EN.replace("7,000", "9,000")
    services.article_correct(
        article=article, user=editor, expected_version=article.version, body="Intro.\n\n" + changed
    )
    claim.refresh_from_db()
    assert claim.quote == changed
    assert _quotes() == {claim.pk: changed}


@pytest.mark.postgres
def test_a_deleted_article_takes_its_claims_quotes_with_it(editor):
    article = ArticleFactory(body=EN, language="en")
    claim_by(editor, article, EN)
    Annotation.objects.filter(article=article).delete()
    assert not ClaimQuote.objects.exists()


def _import(n: int):
    return articles_import(
        read_jsonl(
            [
                json.dumps(
                    {
                        "title": f"Losses {i}",
                        "body": f"{EN} ({i})",
                        "language": "en",
                        "claims": [{"start": 0, "end": len(EN), "quote": EN, "label": "disputed"}],
                    }
                )
                for i in range(n)
            ]
        ),
        user=member("quotes-importer", "Reviewer"),
    )


@pytest.mark.postgres
def test_imported_claims_get_their_quotes_from_the_terms_job_and_say_pending_until_then():
    report = _import(2)
    claims = set(Annotation.objects.values_list("pk", flat=True))
    assert len(claims) == 2 and TermsPending.objects.count() == 2
    assert not ClaimQuote.objects.exists() and _trigram_found(NEAR) == []
    assert shared.suggestions(NEAR, language="en").pending  # the doors say so
    jobs.run_due_jobs(jobs.DEFAULT)
    assert _quotes() == dict.fromkeys(claims, EN)
    assert set(_trigram_found(NEAR)) == claims
    from annotations.services.shared_claims import claim_terms_fill

    assert claim_terms_fill.call(report.committed) == 0  # again: nothing changes
    assert _quotes() == dict.fromkeys(claims, EN)


@pytest.mark.only_on("sqlite")
def test_sqlite_has_no_trigram_search_and_keeps_no_quotes(editor):
    claim_by(editor, ArticleFactory(body=EN, language="en"), EN)
    _import(1)
    jobs.run_due_jobs(jobs.DEFAULT)
    assert not ClaimQuote.objects.exists()
