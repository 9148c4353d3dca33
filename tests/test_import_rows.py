"""The bulk import's fast path: rows written as tuples (COPY on PostgreSQL, executemany on
SQLite) with the history bulk_create_with_history would write (copied from the rows by the
database), and the matcher's terms of the imported claims written by a background job right
after."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from annotations import jobs, shared, similarity
from annotations.importers.bulk import read_jsonl
from annotations.models import Annotation, Article, ClaimTerm, TermsPending
from annotations.rows import reserve_ids
from annotations.services.imports import articles_import
from tests.factories import ArticleFactory, member

pytestmark = pytest.mark.django_db

BODY = "Kyiv says 31 of 38 Shahed drones were shot down over Odesa.\nMoscow did not confirm."
QUOTE = "31 of 38 Shahed drones were shot down over Odesa"


def _rows(n: int, *, url: str = "https://example.org/rows"):
    start = BODY.index(QUOTE)
    return read_jsonl(
        [
            json.dumps(
                {
                    "title": f"Strike {i}",
                    "body": f"{BODY} ({i})",
                    "url": f"{url}/{i}",
                    "published_at": "2024-03-01T10:00:00+01:00",
                    "language": "en",
                    "claims": [
                        {
                            "start": start,
                            "end": start + len(QUOTE),
                            "quote": QUOTE,
                            "label": "disputed",
                            "source": "Kyiv",
                            "credibility": 3,
                            "note": "a note",
                            "evidence_url": "https://example.org/evidence",
                        },
                        {"start": 0, "end": 4, "quote": "Kyiv", "label": "unattributed"},
                    ],
                }
            )
            for i in range(n)
        ]
    )


def test_imported_rows_and_their_history_are_what_the_models_would_store():
    user = member("rows-importer", "Reviewer")
    report = articles_import(_rows(3), user=user, batch_size=2)
    assert (report.created, report.claims, report.failed) == (3, 6, 0)
    article = Article.objects.get(url="https://example.org/rows/1")
    assert article.body_hash and article.status == Article.Status.NEW and article.version == 1
    assert article.published_at.isoformat() == "2024-03-01T09:00:00+00:00"
    assert article.created_by == user and article.created_at is not None
    claim = article.annotations.get(label="disputed")
    assert (claim.quote, claim.credibility, claim.note) == (QUOTE, 3, "a note")
    assert claim.prefix == BODY[: BODY.index(QUOTE)][-32:] and claim.suffix.startswith(".\nMo")
    assert claim.source.name == "Kyiv" and claim.anchor_state == Annotation.Anchor.ANCHORED
    assert (claim.created_by, claim.updated_by) == (user, user)
    assert claim.evidence.get().url == "https://example.org/evidence"
    for record in (article.history.get(), claim.history.get()):
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "+",
            user,
            "",
        )
    assert claim.history.get().quote == QUOTE and article.history.get().title == "Strike 1"
    # Each history row is its row, field by field (copied by the database from the row).
    for model in (Article, Annotation):
        tracked = [
            f.attname
            for f in model.history.model._meta.concrete_fields
            if f.attname in {g.attname for g in model._meta.concrete_fields}
        ]
        rows = list(model.objects.order_by("pk").values_list(*tracked))
        copies = list(model.history.order_by("id").values_list(*tracked))
        assert rows == copies and len(rows) == {Article: 3, Annotation: 6}[model]
    # One moment for all, to the microsecond (COPY reads the times as text made once).
    moments = {article.created_at, article.updated_at, article.history.get().history_date}
    moments |= {claim.created_at, claim.updated_at, claim.history.get().history_date}
    assert len(moments) == 1 and abs(timezone.now() - moments.pop()) < timedelta(minutes=1)
    # Ids are the database's own: the next claim saved the ordinary way comes after them.
    later = Annotation.objects.create(
        article=article, start=0, end=4, quote="Kyiv", label="verified"
    )
    assert later.pk > max(Annotation.objects.exclude(pk=later.pk).values_list("pk", flat=True))


def test_reserved_ids_come_after_every_id_given_even_a_deleted_rows():
    """A deleted claim's id is never given again (its history names it)."""
    gone = ArticleFactory()
    gone_pk = gone.pk
    gone.delete()
    first = reserve_ids(Article, 3)
    assert first == sorted(first) and len(set(first)) == 3 and min(first) > gone_pk
    if connection.vendor == "postgresql":  # taken from the sequence: never again
        assert min(reserve_ids(Article, 2)) > max(first)


def test_the_job_writes_the_terms_of_imported_claims_and_clears_the_marks():
    articles_import(_rows(2), user=member("rows-importer", "Reviewer"))
    claims = Annotation.objects.filter(label="disputed")
    assert TermsPending.objects.count() == 2 and not ClaimTerm.objects.exists()
    jobs.run_due_jobs(jobs.DEFAULT)
    assert not TermsPending.objects.exists()
    for claim in claims:
        stored = dict(claim.terms.values_list("term", "weight"))
        assert stored == similarity.terms(claim.quote, "en") and stored
    # Found by the similar-claims search as a claim saved by hand is.
    other = ArticleFactory(body="Officials: 31 of 38 Shahed drones shot down over Odesa.")
    found = shared.suggestions(QUOTE, language="en", exclude_article=other.pk)
    assert {s.claim.pk for s in found} & {c.pk for c in claims}


def test_an_imported_article_without_claims_is_not_marked_pending():
    """Only articles with claims wait for terms: one without has nothing to search, and
    the search never says it is pending."""

    def bare():
        return read_jsonl([json.dumps({"title": "No claims", "body": "Nothing to check here."})])

    user = member("rows-importer", "Reviewer")
    report = articles_import([*_rows(1), *bare()], user=user)
    assert (report.created, report.claims) == (2, 2)
    with_claims = Article.objects.get(url="https://example.org/rows/0")
    assert list(TermsPending.objects.values_list("article_id", flat=True)) == [with_claims.pk]
    assert TermsPending.objects.get().created_at == with_claims.created_at
    report = articles_import(bare(), user=user)  # the same text: skipped, nothing marked
    assert report.skipped == 1 and TermsPending.objects.count() == 1


def test_the_terms_job_run_twice_does_nothing_the_second_time():
    report = articles_import(_rows(1), user=member("rows-importer", "Reviewer"))
    from annotations.services.shared_claims import claim_terms_fill

    assert claim_terms_fill.call(report.committed) == 2
    terms = list(ClaimTerm.objects.values_list("annotation_id", "term", "weight"))
    assert claim_terms_fill.call(report.committed) == 0
    assert list(ClaimTerm.objects.values_list("annotation_id", "term", "weight")) == terms


def test_a_batch_the_database_refuses_falls_back_to_rows_and_reports_the_line(monkeypatch):
    """A row the database refuses inside a batch (a label its CHECK refuses, put past the
    reader here) is an error of its own record, by line, as before; the others go in."""
    from annotations.importers import bulk

    rows = list(_rows(3, url="https://example.org/refused"))
    rows[1].claims[0] = bulk.ClaimRecord(0, 4, "Kyiv", "nonsense")
    report = articles_import(rows, user=member("rows-importer", "Reviewer"))
    assert (report.created, report.claims) == (2, 4)
    assert [(e.line, e.reason) for e in report.errors] == [
        (2, "could not be saved: the database refused a value.")
    ]
    assert Article.objects.count() == 2 and Annotation.objects.count() == 4


@pytest.mark.postgres  # COPY is PostgreSQL's
def test_on_postgresql_the_claims_go_in_by_copy_and_their_history_is_copied_from_them():
    """The claims are COPYed, and their history rows are copied from them by the database:
    one `INSERT … SELECT` a batch, no claim's values sent twice (the queries left are the
    plan's reads, the sources, the ids and the marks)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        report = articles_import(_rows(50), user=member("rows-importer", "Reviewer"), batch_size=20)
    assert report.claims == 100
    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT INTO")]
    assert not any(q.startswith('INSERT INTO "annotations_annotation"') for q in inserts)
    history = [q for q in inserts if q.startswith('INSERT INTO "annotations_historicalannotation"')]
    assert len(history) == 3 and all(" SELECT " in q for q in history)  # 3 batches
    assert Annotation.history.filter(history_type="+").count() == 100


@pytest.mark.parametrize("gaps", [False, True], ids=["one-run-of-ids", "ids-with-gaps"])
def test_history_rows_copy_their_rows_whether_or_not_the_ids_run_on(gaps, monkeypatch):
    """Ids reserved in one run are copied by range; ids with gaps (another session took
    some from the sequence meanwhile) by their list, and only those rows: never a row of
    someone else's that lies between them. On SQLite the list goes in statements of as many
    ids as it takes parameters (here made 6: the 4 constants and 2 ids a statement)."""
    from annotations.rows import Table, write_with_history

    monkeypatch.setattr(connection.features, "max_query_params", 6)
    user = member("rows-importer", "Reviewer")
    ids = reserve_ids(Article, 7)
    if gaps:  # the middle one is another session's
        ids = ids[:3] + ids[4:]
        Article.objects.create(pk=ids[2] + 1, title="Theirs", body="Their text.")
    now = timezone.now()
    table = Table(
        Article,
        ("id", "title", "body", "body_hash"),
        {"created_by_id": user.pk, "created_at": now, "updated_at": now},
    )
    write_with_history(
        table, [(pk, f"Ours {pk}", f"Body {pk}", f"h{pk}") for pk in ids], user_id=user.pk, when=now
    )
    copied = list(Article.history.filter(history_type="+").order_by("history_id"))
    assert [h.id for h in copied if h.title.startswith("Ours")] == ids
    assert [h.title for h in copied] == ["Theirs"] * gaps + [f"Ours {pk}" for pk in ids]
    assert {h.history_user_id for h in copied if h.title.startswith("Ours")} == {user.pk}


def test_until_the_job_has_run_every_door_of_the_search_says_claims_are_pending(
    client, editor, capsys
):
    """Imported claims without terms yet cannot be found by them: the suggestions say so
    (the page, the panel, the API, the command), and stop saying it once the job has run."""
    from django.core.management import call_command
    from django.urls import reverse

    from annotations import services

    other = ArticleFactory(body=f"Officials: {QUOTE}.", language="en")
    start = other.body.index(QUOTE)
    claim = services.annotation_create(
        article=other, user=editor, start=start, end=start + len(QUOTE), quote=QUOTE,
        label="verified",
    ).annotation  # fmt: skip
    articles_import(_rows(1), user=member("rows-importer", "Reviewer"))
    client.force_login(editor)
    page = reverse("annotations:article-similar", args=[other.pk])
    panel = reverse("annotations:claim-similar", args=[claim.pk])
    api = f"/api/v1/claims/{claim.pk}/similar/"
    note = str(shared.PENDING_NOTE)
    assert note in client.get(page, {"quote": QUOTE}).content.decode()
    assert (
        note in client.get(page, {"quote": QUOTE}, headers={"HX-Request": "true"}).content.decode()
    )
    assert note in client.get(panel).content.decode()
    assert client.get(api).headers["Similar-Claims-Pending"] == "true"
    call_command("similar_claims", str(claim.pk))
    assert note in capsys.readouterr().err

    jobs.run_due_jobs(jobs.DEFAULT)
    found = client.get(page, {"quote": QUOTE}).content.decode()
    assert note not in found and "Strike 0" in found
    assert "Similar-Claims-Pending" not in client.get(api).headers
    call_command("similar_claims", str(claim.pk))
    assert note not in capsys.readouterr().err


@pytest.mark.only_on("sqlite")  # SQLite's page cache
def test_on_sqlite_the_import_has_a_larger_page_cache_and_puts_it_back(monkeypatch):
    from annotations import rows

    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before = cache_size()
    seen = []
    write = rows.Table.write
    monkeypatch.setattr(rows.Table, "write", lambda t, r: (seen.append(cache_size()), write(t, r)))
    articles_import(_rows(1), user=member("rows-importer", "Reviewer"))
    assert set(seen) == {-rows.SQLITE_CACHE_KIB} and cache_size() == before != seen[0]
