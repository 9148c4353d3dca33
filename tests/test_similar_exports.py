"""Shared claims in the exports (issue 22): the CSV's `shared_claim_id` from both writers,
ClaimReview grouping the appearances that agree (and never those that disagree), the
JSON-LD body that names the shared claim, read past by every reader of annotations."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import exporters, selectors, services
from annotations.importers.bulk import claim_from_annotation
from annotations.models import Annotation
from tests import w3c
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db

SITE = "https://desk.example.org"
QUOTE = "31 of 38 drones were shot down"


def _article(outlet: str, day: int, **extra):
    return ArticleFactory(
        outlet=outlet,
        url=f"https://{outlet.lower().replace(' ', '-')}.example/{day}",
        published_at=datetime(2026, 11, day, 7, 0, tzinfo=UTC),
        **extra,
    )


@pytest.fixture
def spread(editor):
    """One assertion in five outlets: two verified it at grade 2, one verified it at grade
    4, one disputed it, one (its source pending review) is not published; and a claim in no
    shared claim."""
    sbu = SourceFactory(name="Security Service of Ukraine", kind="intelligence")
    pentagon = SourceFactory(name="Pentagon spokesperson", kind="spokesperson")

    def claim(outlet, day, label, source, credibility=None, **extra):
        return AnnotationFactory(
            article=_article(outlet, day),
            label=label,
            source=source,
            credibility=credibility,
            created_by=editor,
            **extra,
        )

    claims = {
        "wire": claim("Wire", 1, "verified", sbu, 2, public_summary="Confirmed by two."),
        "kyiv": claim("Kyiv Post", 2, "verified", pentagon, 2, public_summary="Confirmed."),
        "graded": claim("Graded", 3, "verified", sbu, 4),
        "moscow": claim("Moscow Daily", 4, "disputed", sbu, 2),
        "pending": claim(
            "Pending", 5, "verified", SourceFactory(name="New channel", review_status="pending"), 2
        ),
    }
    first = claims["wire"]
    for name, other in claims.items():
        if name != "wire":
            shared = services.shared_claim_link(claim=other, user=editor, other=first)
    alone = claim("Alone", 6, "disputed", sbu, 3)
    return shared, claims, alone


def _csv(text: str) -> dict[int, dict]:
    header, *rows = csv.reader(io.StringIO(text, newline=""))
    return {int(r[0]): dict(zip(header, r, strict=True)) for r in rows}


# --- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", [{}, {"variant": "raw"}])
def test_the_csv_has_each_claims_shared_claim_id_and_empty_for_none(editor_client, spread, variant):
    shared, claims, alone = spread
    response = editor_client.get(reverse("annotations:export-csv"), variant)
    by_id = _csv(b"".join(response.streaming_content).decode())
    assert {by_id[c.pk]["shared_claim_id"] for c in claims.values()} == {str(shared.pk)}
    assert by_id[alone.pk]["shared_claim_id"] == ""
    assert list(by_id[alone.pk])[-1] == "shared_claim_id"  # the last column


@pytest.mark.postgres
@pytest.mark.parametrize("safe", [True, False])
def test_postgres_writes_the_shared_claim_id_as_python_does(spread, safe):
    claims = selectors.live_claims()
    expected = "".join(exporters.csv_lines(exporters.claim_rows(claims), safe=safe))
    assert "".join(exporters.pg_csv_pieces(claims, safe=safe, chunk_size=2)) == expected
    shared, linked, alone = spread
    assert _csv(expected)[linked["wire"].pk]["shared_claim_id"] == str(shared.pk)


# --- ClaimReview -------------------------------------------------------------------------------


def _claimreview(client, settings, **params) -> list[dict]:
    settings.SITE_URL = SITE
    response = client.get(reverse("annotations:export-claimreview"), params)
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))["@graph"]


def _appearance(claim: Annotation) -> dict:
    article = claim.article
    return {
        "@type": "NewsArticle",
        "url": article.url,
        "headline": article.title,
        "datePublished": article.published_at.isoformat().replace("+00:00", "Z"),
        "publisher": {"@type": "Organization", "name": article.outlet},
    }


def test_claimreview_groups_the_appearances_that_agree_under_one_claim(
    editor_client, settings, spread
):
    shared, claims, alone = spread
    graph = _claimreview(editor_client, settings)
    single, agreeing, graded, disputed = graph
    # A claim in no shared claim: as it always was (one appearance, no Claim url).
    assert single["url"] == f"{SITE}/claims/{alone.pk}/"
    assert "url" not in single["itemReviewed"] and "publisher" not in str(single)
    # Verified twice at grade 2: one review, both appearances, both sources.
    claim_url = f"{SITE}/shared-claims/{shared.pk}/"
    wire, kyiv = claims["wire"], claims["kyiv"]
    assert agreeing["itemReviewed"] == {
        "@type": "Claim",
        "url": claim_url,
        "appearance": [_appearance(wire), _appearance(kyiv)],
        "author": [
            {"@type": "Organization", "name": "Security Service of Ukraine"},
            {"@type": "Person", "name": "Pentagon spokesperson"},
        ],
    }
    assert agreeing["url"] == f"{SITE}/claims/{wire.pk}/"
    assert agreeing["claimReviewed"] == wire.quote
    assert agreeing["reviewRating"]["alternateName"] == "Verified"
    assert agreeing["reviewRating"]["ratingValue"] == 4
    assert agreeing["reviewBody"] == "Confirmed by two.\n\nConfirmed."
    latest = max(Annotation.objects.filter(pk__in=[wire.pk, kyiv.pk]).values_list("updated_at"))[0]
    assert agreeing["datePublished"] == latest.replace(microsecond=0).isoformat()[:19] + "Z"
    # The same label at another grade, and the other verdict: reviews of their own, of the
    # same Claim; never one rating for appearances that disagree.
    for review, name, label, value in [
        (graded, "graded", "Verified", 2),
        (disputed, "moscow", "Disputed", 4),
    ]:
        assert review["itemReviewed"]["url"] == claim_url
        assert review["itemReviewed"]["appearance"] == [_appearance(claims[name])]
        assert review["reviewRating"]["alternateName"] == label
        assert review["reviewRating"]["ratingValue"] == value
    # The appearance whose source is pending review is published nowhere.
    assert claims["pending"].article.url not in json.dumps(graph)


def test_a_filter_narrows_the_appearances_of_a_group(editor_client, settings, spread):
    """The appearances are those of the claims exported: a filter by outlet leaves one."""
    shared, claims, alone = spread
    (review,) = _claimreview(editor_client, settings, outlet="Kyiv Post")
    assert review["itemReviewed"]["appearance"] == [_appearance(claims["kyiv"])]
    assert review["itemReviewed"]["url"] == f"{SITE}/shared-claims/{shared.pk}/"


def test_a_shared_claim_split_across_chunks_is_still_one_review(spread):
    """Read a row at a time, each shared claim's rows still come together."""
    shared, claims, alone = spread
    vetted = exporters.published(selectors.live_claims())
    rows = list(exporters.claim_rows_by_shared_claim(vetted, chunk_size=1))
    assert [r.annotation_id for r in rows] == sorted(
        c.pk for name, c in claims.items() if name != "pending"
    )
    whole = list(exporters.claim_reviews(rows, site_url=SITE, desk_name="Desk"))
    assert [len(r["itemReviewed"]["appearance"]) for r in whole] == [2, 1, 1]


def test_claimreview_query_count_stays_flat_with_shared_claims(editor_client, editor):
    def export() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get(reverse("annotations:export-claimreview"))
            assert json.loads(b"".join(response.streaming_content))["@graph"]
        return len(queries)

    def linked_pair():
        a = AnnotationFactory(label="verified", source=SourceFactory(), credibility=2)
        b = AnnotationFactory(label="verified", source=SourceFactory(), credibility=2)
        services.shared_claim_link(claim=a, user=editor, other=b)

    AnnotationFactory(label="disputed", source=SourceFactory())
    linked_pair()
    few = export()
    for _ in range(10):
        AnnotationFactory(label="disputed", source=SourceFactory())
        linked_pair()
    assert export() == few == 4  # session, user with role; a chunk of each kind of claim


# --- JSON-LD -------------------------------------------------------------------------------------


def _jsonld_items(client, settings) -> dict[int, dict]:
    settings.SITE_URL = SITE
    response = client.get(reverse("annotations:export-jsonld"))
    collection = json.loads(b"".join(response.streaming_content))
    return {
        int(item["id"].rstrip("/").rsplit("/", 1)[1]): {"@context": collection["@context"], **item}
        for item in collection["first"]["items"]
    }


def test_jsonld_names_the_shared_claim_with_one_identifying_body(editor_client, settings, spread):
    shared, claims, alone = spread
    items = _jsonld_items(editor_client, settings)
    expected = {
        "type": "SpecificResource",
        "purpose": "identifying",
        "source": f"{SITE}/shared-claims/{shared.pk}/",
    }
    for claim in [*claims.values(), alone]:
        annotation = items[claim.pk]
        assert w3c.failures(annotation) == []
        found = [b for b in annotation["body"] if exporters.is_shared_claim_body(b)]
        assert found == ([] if claim is alone else [expected])
        # The source's name stays the identifying TextualBody.
        (source,) = [
            b for b in annotation["body"] if b["purpose"] == "identifying" and "value" in b
        ]
        assert source["value"] == claim.source.name
    assert expected["source"].endswith(shared.get_absolute_url())


def test_importing_an_annotation_reads_past_its_shared_claim(editor_client, settings, spread):
    """The bulk importer (a JSON-LD file) takes the claim, its source too, and no link: a
    link is a person's decision here."""
    shared, claims, alone = spread
    item = _jsonld_items(editor_client, settings)[claims["kyiv"].pk]
    item["body"].reverse()  # the shared claim's body before the source's
    _iri, claim = claim_from_annotation(item)
    assert claim["source"] == "Pentagon spokesperson" and claim["label"] == "verified"
    assert "shared_claim" not in json.dumps(claim)
