"""One save is one claim: the database forbids the same passage, verdict and source twice,
on SQLite and on PostgreSQL, and every door answers a repeat with "already tagged"."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from annotations import services
from annotations.models import Annotation, Source
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
QUOTE = "31 of 38 drones were shot down"


def _indexes() -> dict[str, str]:
    """The SQL that defines each index of the claims table, by name."""
    table = Annotation._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
                [table],
            )
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
            )
        return {name: sql or "" for name, sql in cursor.fetchall()}


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("annotation_one_claim_per_span", ("article_id", "start", "end", "label")),
        (
            "annotation_one_claim_per_span_source",
            ("article_id", "start", "end", "label", "source_id"),
        ),
    ],
)
def test_the_partial_unique_indexes_exist_on_this_database(name, columns):
    sql = _indexes()[name]
    assert "UNIQUE" in sql.upper()
    assert " WHERE " in sql.upper() and "orphaned" in sql
    for column in columns:
        assert column in sql
    assert ("IS NULL" in sql.upper()) == (name == "annotation_one_claim_per_span")


def _claim(article, **extra) -> Annotation:
    start = article.body.index(QUOTE)
    fields = {
        "article": article,
        "start": start,
        "end": start + len(QUOTE),
        "quote": QUOTE,
        "label": "disputed",
        **extra,
    }
    return Annotation.objects.create(**fields)


@pytest.mark.parametrize("with_source", [False, True])
def test_the_database_refuses_a_second_identical_claim(with_source):
    article = ArticleFactory()
    source = SourceFactory() if with_source else None
    _claim(article, source=source)
    with pytest.raises(IntegrityError), transaction.atomic():
        _claim(article, source=source)
    # Another verdict, another source, or an orphan is a claim of its own.
    _claim(article, source=source, label="verified")
    _claim(article, source=SourceFactory(name="Another"))
    _claim(article, source=source, anchor_state="orphaned")
    _claim(article, source=source, anchor_state="orphaned")
    assert Annotation.objects.count() == 5


def test_the_service_answers_a_repeat_with_already_tagged(editor):
    article = ArticleFactory()
    start = article.body.index(QUOTE)
    span = {"start": start, "end": start + len(QUOTE), "quote": QUOTE, "label": "disputed"}
    services.annotation_create(article=article, user=editor, **span)
    with pytest.raises(ValidationError) as refused:
        services.annotation_create(article=article, user=editor, **span)
    assert refused.value.code == "duplicate"
    assert Annotation.objects.count() == 1


def test_the_unique_index_is_answered_like_a_repeat_when_the_check_missed_it(editor, monkeypatch):
    """A twin saved at the same moment (PostgreSQL), or before: the index refuses the INSERT,
    and the answer is the same "already tagged". A create reads no twin before its INSERT
    (issue 25: one query less a save), so the only look for the twin is the one after the
    index refused; a look that misses it leaves the IntegrityError, never a second claim."""
    from annotations.services import claims

    article = ArticleFactory()
    start = article.body.index(QUOTE)
    span = {"start": start, "end": start + len(QUOTE), "quote": QUOTE, "label": "disputed"}
    services.annotation_create(article=article, user=editor, **span)
    real = claims._refuse_duplicate
    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        real(*args, **kwargs)

    monkeypatch.setattr(claims, "_refuse_duplicate", counted)
    with pytest.raises(ValidationError) as refused:
        services.annotation_create(article=article, user=editor, **span)
    assert refused.value.code == "duplicate" and len(calls) == 1
    assert Annotation.objects.count() == 1
    monkeypatch.setattr(claims, "_refuse_duplicate", lambda *args, **kwargs: None)
    with pytest.raises(IntegrityError):
        services.annotation_create(article=article, user=editor, **span)
    assert Annotation.objects.count() == 1


def test_an_edit_that_would_make_a_twin_is_refused(editor_client, editor):
    article = ArticleFactory()
    start = article.body.index(QUOTE)
    span = {"start": start, "end": start + len(QUOTE), "quote": QUOTE}
    services.annotation_create(article=article, user=editor, label="disputed", **span)
    other = services.annotation_create(
        article=article, user=editor, label="verified", **span
    ).annotation
    response = editor_client.post(
        reverse("annotations:claim-edit", args=[other.pk]), {"label": "disputed"}, headers=HX
    )
    assert response.status_code == 422
    assert "already tagged" in response.content.decode()
    other.refresh_from_db()
    assert other.label == "verified"


def test_reattaching_onto_a_twin_is_refused(reviewer, editor):
    article = ArticleFactory()
    start = article.body.index(QUOTE)
    span = {"start": start, "end": start + len(QUOTE), "quote": QUOTE}
    services.annotation_create(article=article, user=editor, label="disputed", **span)
    orphan = _claim(article, anchor_state="orphaned", start=0, end=6, quote="Strike")
    orphan.anchor_state = "orphaned"
    with pytest.raises(ValidationError):
        services.annotation_reattach(annotation=orphan, user=reviewer, **span)
    orphan.refresh_from_db()
    assert orphan.anchor_state == "orphaned"


def test_a_correction_shifts_twin_claims_onto_each_others_places_without_a_clash(editor):
    """Two claims with the same verdict on the two copies of a phrase; a sentence exactly as
    long as the distance between them is inserted before both: each moves onto the other's
    old offsets. Written one by one, the first UPDATE would meet the second claim."""
    body = "Kyiv: 31 drones. Odesa: 31 drones.\n\nThe governor spoke."
    article = services.article_create(user=editor, title="Twins", body=body)
    first = body.index("31 drones")
    second = body.index("31 drones", first + 1)
    claims = [
        services.annotation_create(
            article=article, user=editor, start=at, end=at + 9, quote="31 drones", label="disputed"
        ).annotation
        for at in (first, second)
    ]
    intro = "X" * (second - first - 1) + " "
    assert len(intro) == second - first
    result = services.article_correct(
        article=article, user=editor, expected_version=1, body=intro + body
    )
    assert result.counts["moved"] == 2
    for claim, old in zip(claims, (first, second), strict=True):
        claim.refresh_from_db()
        assert (claim.start, claim.anchor_state) == (old + len(intro), "moved")


def test_claims_of_merged_sources_that_become_one_are_merged(reviewer, editor):
    article = ArticleFactory()
    sbu = services.source_create(name="SBU", user=editor)
    long_name = services.source_create(name="Security Service of Ukraine", user=editor)
    start = article.body.index(QUOTE)
    span = {"start": start, "end": start + len(QUOTE), "quote": QUOTE, "label": "disputed"}
    kept = services.annotation_create(
        article=article, user=editor, source=long_name, note="Telegram post", **span
    ).annotation
    twin = services.annotation_create(
        article=article, user=editor, source=sbu, evidence_url="https://example.org/p", **span
    ).annotation
    merged = services.source_merge(keep=long_name, others=[sbu], user=reviewer)
    assert merged.merged_claims == 1
    kept.refresh_from_db()
    assert (kept.source_id, kept.note, kept.evidence_url) == (
        long_name.pk,
        "Telegram post",
        "https://example.org/p",
    )
    assert not Annotation.objects.filter(pk=twin.pk).exists()
    record = Annotation.history.filter(id=twin.pk, history_type="-").get()
    assert f"merged into claim {kept.pk}" in record.history_change_reason
    assert not Source.objects.filter(pk=sbu.pk).exists()


def test_a_claim_saved_from_a_page_opened_before_a_correction_never_lands_on_a_twin(editor):
    """The editor saw version 1 and selected the first of two identical sentences; the
    correction deleted one of them. Which one survived cannot be told: refused, not
    guessed."""
    sentence = "The regional governor said 31 drones were shot down. "
    body = "Sirens sounded. " + sentence + sentence + "Power is back."
    article = services.article_create(user=editor, title="Twins", body=body)
    services.article_correct(
        article=article,
        user=editor,
        expected_version=1,
        body="Sirens sounded. " + sentence + "Power is back.",
    )
    start = body.index("31 drones")
    with pytest.raises(services.StaleArticle):
        services.annotation_create(
            article=article,
            user=editor,
            start=start,
            end=start + 9,
            quote="31 drones",
            label="disputed",
            seen_version=1,
        )
    # A correction elsewhere: the selection follows its own words.
    article.refresh_from_db()
    services.article_correct(
        article=article, user=editor, expected_version=2, body="UPDATE. " + article.body
    )
    start = article.body.index("Power")
    result = services.annotation_create(
        article=article,
        user=editor,
        start=start,
        end=start + 5,
        quote="Power",
        label="verified",
        seen_version=2,
    )
    assert result.relocated and result.annotation.start == start + len("UPDATE. ")


def test_a_name_taken_between_the_look_and_the_check_resolves_to_the_winner(editor, monkeypatch):
    """The other editor's proposal commits after our first look for the name but before
    source_create checks it (the race seen on PostgreSQL under load): our claim gets the
    source that won, not a refusal."""
    from annotations.services import sources

    winner = services.source_create(name="Air Force of Ukraine", user=editor)
    real = sources._claimed_name
    calls = []

    def first_look_misses(key, **kwargs):
        calls.append(key)
        return None if len(calls) == 1 else real(key, **kwargs)

    monkeypatch.setattr(sources, "_claimed_name", first_look_misses)
    found = sources.source_resolve_or_propose(
        name="air force of ukraine", kind="military", user=editor
    )
    assert found == winner and Source.objects.count() == 1
