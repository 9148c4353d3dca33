"""ClaimReview publishes only what was vetted, with every field, and never the internal note;
export ids point where the app runs (SITE_URL, else the request's host; the command asks)."""

import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotations import exporters
from annotations.siteurl import clean_site_url
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory, member

pytestmark = pytest.mark.django_db

NOTE = "Internal: the tip came from a protected source, “Oksana K.”, do not name her"
SUMMARY = "Only the SBU gives this figure; no other source has confirmed it."
BODY = (
    "Kyiv says 31 of 38 drones were shot down over the region overnight.\n"
    "Moscow said all designated targets were struck.\n"
    "Officials added that 12 missiles were intercepted near the capital.\n"
    "Residents had reportedly been evacuated."
)


@pytest.fixture
def vetted(editor):
    """One claim the desk may publish, and one of each kind it may not."""
    article = ArticleFactory(
        title="Strike overnight",
        body=BODY,
        url="https://wire.example.org/strike",
        published_at=datetime(2026, 11, 30, 7, 0, tzinfo=UTC),
    )
    approved = SourceFactory(name="Security Service of Ukraine", kind="intelligence")
    published = AnnotationFactory(
        article=article,
        quote_text="31 of 38 drones were shot down",
        label="disputed",
        source=approved,
        credibility=2,
        note=NOTE,
        public_summary=SUMMARY,
        created_by=editor,
    )
    withheld = [
        AnnotationFactory(  # a source still waiting for review
            article=article,
            quote_text="all designated targets were struck",
            label="verified",
            source=SourceFactory(name="Pending ministry", review_status="pending"),
            credibility=1,
            note=NOTE,
            public_summary="Pending summary",
        ),
        AnnotationFactory(  # a source a reviewer rejected
            article=article,
            quote_text="12 missiles were intercepted",
            label="disputed",
            source=SourceFactory(name="Rejected channel", review_status="rejected"),
            credibility=2,
            note=NOTE,
            public_summary="Rejected summary",
        ),
        AnnotationFactory(  # no source, and no rating in the label registry
            article=article,
            quote_text="had reportedly been evacuated",
            label="unattributed",
            note=NOTE,
            public_summary="Unattributed summary",
        ),
    ]
    return article, published, withheld


def _check_published(text: str, *, site_url: str, article, published, withheld) -> None:
    """The document holds exactly the vetted claim, with every field, and no note."""
    assert NOTE not in text and "Oksana" not in text  # anywhere in the file
    for claim in withheld:
        assert claim.quote not in text and claim.public_summary not in text
    document = json.loads(text)
    assert document["@context"] == "https://schema.org"
    (review,) = document["@graph"]
    assert review == {
        "@type": "ClaimReview",
        "url": f"{site_url}/claims/{published.pk}/",
        "claimReviewed": "31 of 38 drones were shot down",
        "datePublished": published.updated_at.replace(microsecond=0)
        .isoformat()
        .replace("+00:00", "Z"),
        "author": {"@type": "Organization", "name": "Test Desk", "url": f"{site_url}/"},
        "itemReviewed": {
            "@type": "Claim",
            "appearance": {
                "@type": "NewsArticle",
                "url": article.url,
                "headline": "Strike overnight",
                "datePublished": "2026-11-30T07:00:00Z",
            },
            "author": {"@type": "Organization", "name": "Security Service of Ukraine"},
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 4,  # credibility 2, probably true
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "Disputed",
        },
        "reviewBody": SUMMARY,
    }


def test_http_export_publishes_only_vetted_claims_with_every_field(editor_client, vetted, settings):
    settings.DESK_NAME = "Test Desk"
    settings.SITE_URL = "https://claims.example.org"
    article, published, withheld = vetted
    response = editor_client.get(reverse("annotations:export-claimreview"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    _check_published(
        text,
        site_url="https://claims.example.org",
        article=article,
        published=published,
        withheld=withheld,
    )


def test_command_publishes_only_vetted_claims_with_every_field(vetted, settings, tmp_path):
    settings.DESK_NAME = "Test Desk"
    article, published, withheld = vetted
    out = tmp_path / "claimreview.jsonld"
    call_command(
        "export_annotations",
        "--format",
        "claimreview",
        "--site-url",
        "https://claims.example.org/",
        "-o",
        str(out),
        verbosity=0,
    )
    _check_published(
        out.read_text(encoding="utf-8"),
        site_url="https://claims.example.org",
        article=article,
        published=published,
        withheld=withheld,
    )


def test_filters_narrow_what_is_published_never_widen_it(editor_client, vetted):
    _, published, _ = vetted
    for params in (
        {"source_status": "pending"},
        {"source_status": "rejected"},
        {"label": "verified"},
    ):
        response = editor_client.get(reverse("annotations:export-claimreview"), params)
        assert json.loads(b"".join(response.streaming_content))["@graph"] == []
    response = editor_client.get(
        reverse("annotations:export-claimreview"), {"source_status": "approved"}
    )
    graph = json.loads(b"".join(response.streaming_content))["@graph"]
    assert [review["url"].split("/")[-2] for review in graph] == [str(published.pk)]


@pytest.mark.parametrize("credibility", [6, None])
def test_a_grade_that_cannot_judge_leaves_the_rating_without_a_value(editor_client, credibility):
    AnnotationFactory(label="verified", source=SourceFactory(), credibility=credibility)
    response = editor_client.get(reverse("annotations:export-claimreview"))
    (review,) = json.loads(b"".join(response.streaming_content))["@graph"]
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Verified"}
    assert "reviewBody" not in review  # no public summary, and never the note instead


def test_the_rating_scale_runs_from_confirmed_to_improbable():
    assert [exporters.rating_value(grade) for grade in (1, 2, 3, 4, 5, 6, None)] == [
        5,
        4,
        3,
        2,
        1,
        None,
        None,
    ]
    assert (exporters.BEST_RATING, exporters.WORST_RATING) == (5, 1)


def test_claimreview_query_count_does_not_grow_with_claims(editor_client):
    def export() -> CaptureQueriesContext:
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get(reverse("annotations:export-claimreview"))
            b"".join(response.streaming_content)
        return queries

    AnnotationFactory(label="disputed", source=SourceFactory())
    few = export()
    for _ in range(20):
        AnnotationFactory(label="disputed", source=SourceFactory(), credibility=3)
    many = export()
    # session, user with the role's permissions, then one query per chunk of the published
    # claims in no shared claim, and one per chunk of those in one
    # (tests/test_similar_exports.py)
    assert len(many.captured_queries) == len(few.captured_queries) == 4


# --- Ids that point where the app runs ---------------------------------------------------


def test_without_site_url_the_ids_come_from_the_request(client, editor, settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["claims.example.org"]
    client.force_login(editor)
    claim = AnnotationFactory(label="verified", source=SourceFactory(), credibility=1)
    host = {"headers": {"host": "claims.example.org"}, "secure": True}
    response = client.get(reverse("annotations:export-claimreview"), **host)
    (review,) = json.loads(b"".join(response.streaming_content))["@graph"]
    assert review["url"] == f"https://claims.example.org/claims/{claim.pk}/"
    assert review["author"]["url"] == "https://claims.example.org/"
    response = client.get(reverse("annotations:export-jsonld"), **host)
    collection = json.loads(b"".join(response.streaming_content))
    assert collection["id"] == "https://claims.example.org/export/claims.jsonld"
    assert collection["first"]["items"][0]["id"] == f"https://claims.example.org/claims/{claim.pk}/"
    assert collection["schema:hasPart"][0]["id"] == (
        f"https://claims.example.org/articles/{claim.article_id}/"
    )
    page = client.get(reverse("annotations:export-jsonld"), {"page": 1}, **host).json()
    assert page["id"] == "https://claims.example.org/export/claims.jsonld?page=1"


def test_site_url_when_set_wins_over_the_request(editor_client, settings):
    settings.SITE_URL = "https://desk.example.org"
    claim = AnnotationFactory(label="verified", source=SourceFactory())
    response = editor_client.get(reverse("annotations:export-claimreview"))
    (review,) = json.loads(b"".join(response.streaming_content))["@graph"]
    assert review["url"] == f"https://desk.example.org/claims/{claim.pk}/"


@pytest.mark.parametrize("fmt", ["jsonld", "claimreview"])
def test_the_command_refuses_without_a_site_url_and_writes_nothing(settings, tmp_path, fmt):
    settings.SITE_URL = ""
    AnnotationFactory(label="verified", source=SourceFactory())
    out = tmp_path / "out.jsonld"
    with pytest.raises(CommandError, match="--site-url https://claims.example.org"):
        call_command("export_annotations", "--format", fmt, "-o", str(out), verbosity=0)
    with pytest.raises(CommandError, match="is not a site address"):
        call_command(
            "export_annotations", "--format", fmt, "--site-url", "claims.example.org",
            "-o", str(out), verbosity=0,
        )  # fmt: skip
    assert not out.exists()
    # SITE_URL is enough; --site-url wins over it.
    settings.SITE_URL = "https://desk.example.org"
    call_command("export_annotations", "--format", fmt, "-o", str(out), verbosity=0)
    assert "https://desk.example.org/claims/" in out.read_text()
    call_command(
        "export_annotations", "--format", fmt, "--site-url", "http://10.0.0.5:8000",
        "-o", str(out), verbosity=0,
    )  # fmt: skip
    assert "http://10.0.0.5:8000/claims/" in out.read_text()
    assert "desk.example.org" not in out.read_text()


def test_the_csv_command_needs_no_site_url(settings, tmp_path):
    """The CSV has no ids: nothing to point anywhere."""
    settings.SITE_URL = ""
    AnnotationFactory(label="verified", source=SourceFactory())
    out = tmp_path / "out.csv"
    call_command("export_annotations", "--format", "csv", "-o", str(out), verbosity=0)
    assert out.read_bytes().count(b"\r\n") == 2


@pytest.mark.parametrize(
    ("value", "clean"),
    [
        ("", ""),
        ("  ", ""),
        ("https://claims.example.org/", "https://claims.example.org"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://example.org/desk/", "https://example.org/desk"),
    ],
)
def test_a_site_url_is_a_link_without_its_trailing_slash(value, clean):
    assert clean_site_url(value) == clean


@pytest.mark.parametrize(
    "value",
    [
        "claims.example.org",
        "ftp://example.org",
        "https://",
        "https://a.org/?x=1",
        "https://a b.org",
    ],
)
def test_a_site_url_that_is_not_a_link_is_refused(value):
    with pytest.raises(ValueError, match="is not a site address"):
        clean_site_url(value)


def test_import_command_prints_the_run_path_without_site_url(settings, tmp_path, capsys):
    settings.SITE_URL = ""
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"title": "T", "body": "Some text."}) + "\n", encoding="utf-8")
    user = member("importer", "Reviewer").get_username()
    call_command("import_articles", str(path), "--user", user, verbosity=0)
    out = capsys.readouterr().out
    assert "Run " in out and ": /imports/" in out and "None" not in out


# --- Articles without claims come along ---------------------------------------------------


def _has_part(client, **params) -> list[str]:
    response = client.get(reverse("annotations:export-jsonld"), params)
    collection = json.loads(b"".join(response.streaming_content))
    return [node["schema:headline"] for node in collection["schema:hasPart"]]


def test_jsonld_of_everything_or_of_one_article_lists_articles_without_claims(
    editor_client, admin_user
):
    from annotations import services

    tagged = AnnotationFactory(label="disputed", source=SourceFactory()).article
    empty = ArticleFactory(title="No claims yet", body="Nothing tagged here.")
    gone = ArticleFactory(title="Deleted", body="A deleted article.")
    services.article_delete(article=gone, user=admin_user)
    assert sorted(_has_part(editor_client)) == sorted([tagged.title, "No claims yet"])
    assert _has_part(editor_client, article=empty.pk) == ["No claims yet"]
    assert _has_part(editor_client, article=tagged.pk) == [tagged.title]
    assert _has_part(editor_client, article=gone.pk) == []
    # Any other filter: the articles of the claims exported, as before.
    assert _has_part(editor_client, label="disputed") == [tagged.title]
    assert _has_part(editor_client, article=empty.pk, label="disputed") == []


def test_command_jsonld_of_everything_lists_articles_without_claims(tmp_path, settings):
    settings.SITE_URL = "https://desk.example.org"
    ArticleFactory(title="No claims yet", body="Nothing tagged here.")
    out = tmp_path / "all.jsonld"
    call_command("export_annotations", "--format", "jsonld", "-o", str(out), verbosity=0)
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert [node["schema:headline"] for node in collection["schema:hasPart"]] == ["No claims yet"]
    assert collection["total"] == 0


def test_jsonld_export_query_count_does_not_grow_with_articles_or_claims(editor_client):
    def export() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get(reverse("annotations:export-jsonld"))
            b"".join(response.streaming_content)
        return len(queries.captured_queries)

    AnnotationFactory(label="disputed", source=SourceFactory())
    ArticleFactory(body="Nothing tagged.")
    few = export()
    for _ in range(15):
        AnnotationFactory(label="verified", source=SourceFactory())
        ArticleFactory(body=f"Nothing tagged {timezone.now()}.")
    assert export() == few
