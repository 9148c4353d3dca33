"""Exports: CSV read back field by field, spreadsheet safety, W3C and ClaimReview JSON-LD."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from annotations import exporters, selectors
from annotations.filters import ClaimFilter
from annotations.models import Annotation
from tests import w3c
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    SourceFactory,
    evidence_for,
    member,
)

pytestmark = pytest.mark.django_db

TRICKY_BODY = (
    "«Київ» каже: 31 з 38 дронів збито 🇺🇦🚀, a “quoted, comma” line\n"
    "=HYPERLINK(\"http://x\") +cmd|' /C calc'!A0 -2+3 @SUM(A1)\n"
    '＝HYPERLINK("http://x") ＋cmd －2+3 ＠SUM(A1)\n'
)


def _csv(client, **params):
    response = client.get(reverse("annotations:export-csv"), params)
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    return response, list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def tricky(editor):
    article = ArticleFactory(
        title='Звіт, «цитата» and "quotes"', body=TRICKY_BODY, url="https://example.org/a?b=1,2"
    )
    source = SourceFactory(name='СБУ, "press office"', kind="intelligence")
    first = AnnotationFactory(
        article=article,
        quote_text="31 з 38 дронів збито 🇺🇦🚀",
        label="disputed",
        source=source,
        credibility=3,
        created_by=editor,
        note="Line one\nline two, with “quotes” and 🚀\r\n",
        public_summary="Public: “31 of 38”,\nunconfirmed",
    )
    payloads = []
    for payload in ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]:
        payloads.append(
            AnnotationFactory(
                article=article, quote_text=payload, label="unattributed", note=payload
            )
        )
    return article, first, payloads


def test_csv_reads_back_field_by_field(editor_client, tricky):
    article, first, _ = tricky
    response, rows = _csv(editor_client, variant="raw")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *records = rows
    assert header == exporters.CSV_COLUMNS
    assert header[:22] == [
        "annotation_id",
        "article_id",
        "article_title",
        "article_url",
        "outlet",
        "published_at",
        "start",
        "end",
        "quote",
        "prefix",
        "suffix",
        "label",
        "source_name",
        "source_kind",
        "source_reliability",
        "source_review_status",
        "note",
        "evidence_url",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    ]
    by_id = {int(r[0]): dict(zip(header, r, strict=True)) for r in records}
    assert len(by_id) == Annotation.objects.count() == 5
    for claim in Annotation.objects.select_related("article", "source", "created_by"):
        row = by_id[claim.pk]
        assert row["quote"] == claim.quote == article.body[int(row["start"]) : int(row["end"])]
        assert row["note"] == claim.note
        assert (row["prefix"], row["suffix"]) == (claim.prefix, claim.suffix)
        assert row["article_title"] == article.title and row["article_url"] == article.url
        assert row["label"] == claim.label and row["anchor_state"] == "anchored"
        assert row["created_at"] == claim.created_at.isoformat()
    assert by_id[first.pk]["source_name"] == 'СБУ, "press office"'
    assert by_id[first.pk]["note"] == "Line one\nline two, with “quotes” and 🚀\r\n"
    assert (by_id[first.pk]["credibility"], by_id[first.pk]["created_by"]) == ("3", "editor")
    # Added after the others, so that readers by position keep working.
    assert header[22:25] == ["anchor_state", "credibility", "public_summary"]
    assert header[25:28] == ["evidence_status", "evidence_sha256", "evidence_captured_at"]
    assert header[28:] == ["shared_claim_id"]  # issue 22
    assert {r["shared_claim_id"] for r in by_id.values()} == {""}  # in none: empty
    assert by_id[first.pk]["public_summary"] == "Public: “31 of 38”,\nunconfirmed"


def test_spreadsheet_safe_default_makes_formulas_inert(editor_client, tricky):
    _, _, payloads = tricky
    _, rows = _csv(editor_client)
    header, *records = rows
    by_id = {int(r[0]): dict(zip(header, r, strict=True)) for r in records}
    for claim in payloads:
        row = by_id[claim.pk]
        for cell in (row["quote"], row["note"]):
            assert cell == "'" + claim.quote
            assert not cell.startswith(("=", "+", "-", "@", "＝", "＋", "－", "＠"))
    _, raw = _csv(editor_client, variant="raw")
    raw_by_id = {int(r[0]): r for r in raw[1:]}
    assert {raw_by_id[c.pk][8] for c in payloads} == {c.quote for c in payloads}


@pytest.mark.parametrize("payload", ['＝HYPERLINK("http://x")', "＋cmd", "－2+3", "＠SUM(A1)"])
def test_spreadsheet_safe_covers_the_fullwidth_forms(editor_client, payload):
    """＝ ＋ － ＠: some spreadsheets fold them into = + - @ and run the formula."""
    article = ArticleFactory(body=f"Intro. {payload} end.")
    AnnotationFactory(article=article, quote_text=payload, label="unattributed", note=payload)
    _, (header, row) = _csv(editor_client)
    record = dict(zip(header, row, strict=True))
    assert record["quote"] == record["note"] == "'" + payload
    _, (_, raw) = _csv(editor_client, variant="raw")
    assert dict(zip(header, raw, strict=True))["quote"] == payload


def test_spreadsheet_safe_covers_tab_and_cr():
    assert exporters.spreadsheet_safe("\tx") == "'\tx"
    assert exporters.spreadsheet_safe("\rx") == "'\rx"
    assert exporters.spreadsheet_safe("Kyiv = capital") == "Kyiv = capital"


def test_csv_bom_option(editor_client, tricky):
    response = editor_client.get(reverse("annotations:export-csv"), {"bom": "1"})
    assert b"".join(response.streaming_content).startswith("\ufeff".encode())


def test_csv_exports_exactly_the_filtered_set(editor_client, tricky):
    article, first, _ = tricky
    other = AnnotationFactory(label="verified")
    _, rows = _csv(editor_client, label="disputed")
    assert [int(r[0]) for r in rows[1:]] == [first.pk]
    _, rows = _csv(editor_client, article=other.article_id)
    assert [int(r[0]) for r in rows[1:]] == [other.pk]
    bad = editor_client.get(reverse("annotations:export-csv"), {"label": "nonsense"})
    assert bad.status_code == 400 and b"nothing was exported" in bad.content


def test_export_of_10000_claims_costs_one_query_per_chunk(editor_client, django_assert_num_queries):
    article = ArticleFactory(body="x" * 20_000)
    Annotation.objects.bulk_create(
        Annotation(article=article, start=i, end=i + 1, quote="x", label="unattributed")
        for i in range(10_000)
    )
    chunks = 10_000 // exporters.CHUNK_SIZE + 1  # the last, short chunk ends the stream
    # session, user with the role's permissions (annotations.backends), then one query per
    # chunk, read to the end inside the assertion.
    with django_assert_num_queries(2 + chunks):
        response = editor_client.get(reverse("annotations:export-csv"))
        lines = b"".join(response.streaming_content).count(b"\r\n")
    assert lines == 10_001


def test_every_export_needs_login(client, viewer, tricky):
    for name in ("export-csv", "export-jsonld", "export-claimreview", "claim-list"):
        url = reverse(f"annotations:{name}")
        assert client.get(url).status_code == 302
    client.force_login(viewer)  # viewers may read and export
    for name in ("export-csv", "export-jsonld", "export-claimreview", "claim-list"):
        assert client.get(reverse(f"annotations:{name}")).status_code == 200


def _jsonld(client, **params):
    response = client.get(reverse("annotations:export-jsonld"), params)
    assert response.status_code == 200
    if response.streaming:
        return json.loads(b"".join(response.streaming_content))
    return response.json()


def test_jsonld_annotations_pass_the_w3c_must_assertions(editor_client, tricky, settings):
    settings.SITE_URL = "https://desk.example.org"
    evidenced = AnnotationFactory(
        label="verified", evidence_url="https://example.org/e", source=SourceFactory()
    )
    evidence_for(evidenced, "captured", captured_at=datetime(2026, 3, 1, 10, 0, 7, 5, tzinfo=UTC))
    collection = _jsonld(editor_client)
    assert collection["type"] == "AnnotationCollection"
    assert collection["total"] == 6
    items = collection["first"]["items"]
    assert len(items) == 6
    for item in items:
        annotation = {"@context": collection["@context"], **item}
        assert w3c.failures(annotation) == []
        assert annotation["id"].startswith("https://desk.example.org/claims/")
        quote, position = annotation["target"]["selector"]
        assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
    # One of them has an evidence body with a TimeState, as the W3C's own detector sees it.
    time_state = "annotations/specificResource/4.3.1-timeState.json"
    assert [i["id"] for i in items if w3c.implements(i, time_state)] == [
        f"https://desk.example.org/claims/{evidenced.pk}/"
    ]


def test_w3c_check_really_fails_bad_annotations():
    bad = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "not a uri",
        "type": "Annotation",
        "target": "http://example.org/a",
    }
    assert w3c.failures(bad)
    assert w3c.failures({"type": "Annotation", "body": "x", "bodyValue": "y", "target": "x"})


def test_jsonld_pages(editor_client, tricky, settings):
    settings.SITE_URL = "https://desk.example.org"
    page = _jsonld(editor_client, page=1)
    assert page["type"] == "AnnotationPage" and page["partOf"]["total"] == 5
    assert len(page["items"]) == 5 and "next" not in page
    assert page["id"].startswith("https://desk.example.org/export/claims.jsonld?")
    assert editor_client.get(reverse("annotations:export-jsonld"), {"page": 9}).status_code == 404


def test_claimreview_for_verified_and_disputed_only(editor_client, tricky, settings):
    settings.DESK_NAME = "Test Desk"
    article, first, _ = tricky
    response = editor_client.get(reverse("annotations:export-claimreview"))
    document = json.loads(b"".join(response.streaming_content))
    assert document["@context"] == "https://schema.org"
    (review,) = document["@graph"]
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == first.quote
    assert review["reviewRating"]["alternateName"] == "Disputed"
    assert review["author"] == {
        "@type": "Organization",
        "name": "Test Desk",
        "url": "http://testserver/",  # no SITE_URL: the request's own scheme and host
    }
    assert review["itemReviewed"]["@type"] == "Claim"
    assert review["itemReviewed"]["author"]["name"] == first.source.name
    assert review["itemReviewed"]["appearance"]["url"] == article.url


def test_claim_list_page_filters_and_query_count(editor_client, tricky):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("annotations:claim-list")
    with CaptureQueriesContext(connection) as few:
        html = editor_client.get(url, {"label": "disputed"}).content.decode()
    assert "31 з 38 дронів" in html and "HYPERLINK" not in html
    for _ in range(30):
        AnnotationFactory(label="disputed", source=SourceFactory())
    with CaptureQueriesContext(connection) as many:
        editor_client.get(url, {"label": "disputed"})
    assert len(many.captured_queries) == len(few.captured_queries)


def test_export_command_writes_file(tmp_path, tricky):
    from django.core.management import call_command

    out = tmp_path / "claims.csv"
    call_command(
        "export_annotations", "--format", "csv", "--label", "disputed", "-o", str(out), verbosity=0
    )
    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    assert len(rows) == 2 and rows[1][11] == "disputed"
    out = tmp_path / "claims.jsonld"
    call_command(
        "export_annotations",
        "--format",
        "jsonld",
        "--site-url",
        "https://desk.example.org",
        "-o",
        str(out),
        verbosity=0,
    )
    assert json.loads(out.read_text())["total"] == 5


def test_claim_rows_keyset_paging_covers_all():
    article = ArticleFactory(body="y" * 100)
    Annotation.objects.bulk_create(
        Annotation(article=article, start=i, end=i + 1, quote="y", label="unattributed")
        for i in range(25)
    )
    ids = [row.annotation_id for row in exporters.claim_rows(selectors.live_claims(), chunk_size=7)]
    assert ids == sorted(Annotation.objects.values_list("id", flat=True))


def test_round_trip_jsonld_into_an_empty_database(editor_client, tricky, tmp_path):
    """Export everything as JSON-LD, empty the database, import the file: same articles
    (those without claims too) and the same claims."""
    from django.core.management import call_command

    from annotations.models import Article, Evidence, Source

    evidenced = AnnotationFactory(
        article=ArticleFactory(body="Другий текст: 🇺🇦 Kyiv says so.", url=""),
        quote_text="Kyiv says so",
        label="verified",
        source=SourceFactory(name="Kyiv"),
        evidence_url="https://example.org/e",
        credibility=2,
        public_summary="Kyiv's figure, confirmed by\nthe desk.",
    )
    evidence_for(evidenced, "captured", captured_at=datetime(2026, 3, 1, tzinfo=UTC))
    ArticleFactory(title="Nothing tagged yet", body="A text without claims.", url="")
    response = editor_client.get(reverse("annotations:export-jsonld"))
    path = tmp_path / "claims.jsonld"
    path.write_bytes(b"".join(response.streaming_content))
    (linking,) = [
        body
        for item in json.loads(path.read_text())["first"]["items"]
        for body in item["body"]
        if body["purpose"] == "linking"
    ]
    assert linking["state"]["type"] == "TimeState"  # read past on the way back in

    def snapshot():
        # Notes typed in the app never hold "\r"; the import normalises line ends like the app.
        return sorted(
            (
                c.article.title,
                c.article.body,
                c.start,
                c.end,
                c.quote,
                c.label,
                c.source.name if c.source else None,
                c.note.replace("\r\n", "\n"),
                c.public_summary,
                c.evidence_url,
                c.credibility,
            )
            for c in Annotation.objects.select_related("article", "source")
        )

    def articles():
        return sorted(Article.objects.values_list("title", "body", "url", "outlet"))

    before, articles_before = snapshot(), articles()
    # Deleting a captured evidence record trips evidence_captured_has_capture (Django sets
    # its `current` to NULL before it deletes the row), so the records let go of it first.
    Evidence.objects.update(current=None, state="pending")
    Annotation.objects.all().delete()
    Article.objects.all().delete()
    Source.objects.all().delete()
    assert not Annotation.objects.exists()
    importer = member("importer", "Reviewer").get_username()
    call_command("import_articles", str(path), "--user", importer, verbosity=0)
    assert snapshot() == before
    # The file holds no capture: the link is tracked afresh, to be captured anew.
    assert list(Evidence.objects.values_list("url", "state")) == [
        ("https://example.org/e", "pending")
    ]
    assert articles() == articles_before and len(articles_before) == 3


def test_filtering_the_claims_list_by_htmx_updates_its_export_links(editor_client, tricky):
    """The list refreshes as you type; the export buttons must follow the filters."""
    response = editor_client.get(
        reverse("annotations:claim-list"),
        {"label": "disputed", "q": "дронів"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "<html" not in html
    oob = html[html.index('id="export-buttons"') - 60 :]
    assert 'hx-swap-oob="true"' in oob[:200]
    csv_link = (
        reverse("annotations:export-csv")
        + "?label=disputed&amp;q=%D0%B4%D1%80%D0%BE%D0%BD%D1%96%D0%B2"
    )
    assert csv_link in oob
    assert reverse("annotations:export-jsonld") + "?label=disputed&amp;q=" in oob


NASTY_TEXTS = [
    "",
    "plain",
    'a "quoted" word, and a comma',
    "line\nbreak",
    "carriage\rreturn",
    "crlf\r\nend",
    "\ttab first",
    "\rcr first",
    "=1+1",
    "+cmd",
    "-2+3",
    "@SUM(A1)",
    "＝1+1",
    "＋cmd",
    "－2",
    "＠SUM(A1)",
    "'already an apostrophe",
    "«Київ» 🇺🇦🚀 e\u0301 — ‘curly’",
    " leading and trailing spaces ",
    '"',
    ",",
    "back\\slash \\n not a newline",
]


EVIDENCE_STATES = ["none", "pending", "captured", "failed", "changed", "gone"]


@pytest.mark.postgres
@pytest.mark.parametrize("safe", [True, False])
def test_postgres_builds_the_same_csv_byte_for_byte(editor, safe):
    """The database-built CSV (big exports on PostgreSQL) equals csv_lines exactly."""
    body = "Intro.\n\n" + "\n".join(t.replace("\n", " ") for t in NASTY_TEXTS if t.strip()) + "."
    article = ArticleFactory(
        title='Звіт, "quotes"\nsecond line', url="", outlet="=Outlet", body=body
    )
    Annotation.objects.filter(article=article).delete()
    other = ArticleFactory(published_at=None, outlet="")
    source = SourceFactory(name='-СБУ, "press"', kind="intelligence")
    for i, text in enumerate(NASTY_TEXTS):
        target = article if i % 2 else other
        # A span of its own for each claim (one passage, verdict and source is one claim).
        claim = AnnotationFactory(
            article=target,
            start=i,
            end=i + 5,
            quote=target.body[i : i + 5],
            label="disputed" if i % 3 else "unattributed",
            source=None if i % 3 == 0 else source,
            credibility=None if i % 4 == 0 else 1 + i % 6,
            note=text,
            evidence_url="" if i % 2 else "https://example.org/e?q=1,2",
            created_by=None if i % 5 == 0 else editor,
        )
        stamp = datetime(2026, 3, 1, 10, 0, i, 0 if i % 2 else 123456 + i, tzinfo=UTC)
        Annotation.objects.filter(pk=claim.pk).update(
            created_at=stamp, prefix=text, suffix=text, public_summary=text[::-1]
        )
        if claim.evidence_url:  # its evidence in each state, captured at whole seconds or not
            state = EVIDENCE_STATES[i // 2 % len(EVIDENCE_STATES)]
            captured = [stamp] if state in ("captured", "gone") else []
            captured += [stamp.replace(microsecond=0), stamp] if state == "changed" else []
            if state != "none":
                evidence_for(claim, state, captured_at=captured, retrying=state == "failed")
            if i == 0:  # a link the claim had before, captured: not its evidence now
                evidence_for(claim, "captured", captured_at=stamp, url="https://example.org/old")
    claims = selectors.live_claims()
    expected = "".join(exporters.csv_lines(exporters.claim_rows(claims), safe=safe))
    built = "".join(exporters.pg_csv_pieces(claims, safe=safe, chunk_size=4))
    assert built == expected
    status = exporters.CSV_COLUMNS.index("evidence_status")
    statuses = [row[status] for row in csv.reader(io.StringIO(built, newline=""))][1:]
    assert set(statuses) == set(EVIDENCE_STATES)
    assert len(list(csv.reader(io.StringIO(built, newline="")))) == Annotation.objects.count() + 1


@pytest.mark.postgres
def test_postgres_builds_the_header_alone_for_a_filter_that_matches_nothing(editor):
    """A filter the ORM knows matches nothing without asking (an outlet no article has is
    `outlet__in=[]`) has no SQL to build the CSV from: the header, as csv_lines writes it,
    never an error halfway through a download."""
    AnnotationFactory(article=ArticleFactory(outlet="Frontline Wire"))
    claims = ClaimFilter({"outlet": "No such outlet"}).qs
    expected = "".join(exporters.csv_lines(exporters.claim_rows(claims)))
    assert "".join(exporters.pg_csv_pieces(claims)) == expected
    assert expected.count("\r\n") == 1


def test_the_claims_list_names_a_source_or_article_filter(editor_client):
    source = SourceFactory(name="Security Service of Ukraine")
    claim = AnnotationFactory(source=source, label="disputed")
    AnnotationFactory(label="verified")
    html = editor_client.get(reverse("annotations:claim-list"), {"source": source.pk})
    text = html.content.decode()
    assert "1 claim of the source" in text and "Security Service of Ukraine" in text
    html = editor_client.get(reverse("annotations:claim-list"), {"article": claim.article_id})
    assert f'in <a href="{claim.article.get_absolute_url()}">' in html.content.decode()
