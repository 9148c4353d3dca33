"""Migration 0024 writes every claim's matcher terms anew, as the services write them now."""

import pytest

from annotations import similarity
from tests.migrating import back_at

pytestmark = pytest.mark.django_db(transaction=True)


def test_old_claims_get_the_terms_the_services_write_now():
    with back_at("0023_suggestion_dismissals") as (apps, forward):
        Article = apps.get_model("annotations", "Article")
        Annotation = apps.get_model("annotations", "Annotation")
        ClaimTerm = apps.get_model("annotations", "ClaimTerm")
        quote = "Унаслідок атаки дронів загинули двоє людей, повідомив Олег Синєгубов."
        article = Article.objects.create(title="t", body=quote, body_hash="h", language="uk")
        claims = [
            Annotation.objects.create(
                article=article, start=0, end=len(quote), quote=quote, label=label
            )
            for label in ("disputed", "verified", "unattributed")
        ]
        # What the terms were before 0024: the reporting verb and the number word as wording.
        for claim in claims[:2]:
            for term in ("~повід", "~двоє", "~дрон", "@sngbv"):
                ClaimTerm.objects.create(annotation_id=claim.pk, term=term, weight=1)

        forward()
        expected = similarity.terms(quote, "uk")
        assert "~drone" in expected and "~повід" not in expected
        for claim in claims:
            stored = dict(
                ClaimTerm.objects.filter(annotation_id=claim.pk).values_list("term", "weight")
            )
            assert stored == expected
