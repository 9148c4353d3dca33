"""Migration 0029 moves the trigram search's quotes to their own table (PostgreSQL): the
claims already here get theirs, but those whose terms the terms job has still to write
(which writes their quotes too); the index leaves the claims' table."""

import pytest
from django.db import connection

from tests.migrating import back_at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _trigram_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%trgm%"])
        return {row[0] for row in cursor.fetchall()}


def test_claims_here_get_their_quotes_but_those_pending_their_terms():
    with back_at("0028_reading_index_covers_the_summary") as (apps, forward):
        Article = apps.get_model("annotations", "Article")
        Annotation = apps.get_model("annotations", "Annotation")
        TermsPending = apps.get_model("annotations", "TermsPending")
        quote = "Kyiv says 31 of 38 drones were shot down."
        done, pending = (
            Article.objects.create(title=t, body=quote, body_hash=t, language="en")
            for t in ("done", "pending")
        )
        TermsPending.objects.create(article=pending)
        claims = {
            article.pk: Annotation.objects.create(
                article=article, start=0, end=len(quote), quote=quote, label="disputed"
            ).pk
            for article in (done, pending)
        }
        assert _trigram_indexes() == {"annotation_quote_trgm_idx"}

        forward()
        with connection.cursor() as cursor:
            cursor.execute("SELECT annotation_id, quote FROM annotations_claimquote")
            assert cursor.fetchall() == [(claims[done.pk], quote)]
        assert _trigram_indexes() == {"claim_quote_trgm_idx"}
