"""selectors.around_saved_claim: what a save's answer shows, in one query, is what the three
reads it replaces (claims_between, next_claim_id, article_summary) give."""

import random
import re

import pytest
from django.test.utils import CaptureQueriesContext

from annotations import selectors
from annotations.models import Annotation
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db

BODY = "\n\n".join(
    f"Paragraph {i}: officials said {i} of 38 drones were shot down near the port."
    for i in range(40)
)


@pytest.fixture
def article():
    article = ArticleFactory(body=BODY)
    rng = random.Random(5)
    sources = [SourceFactory(name=f"Answer source {i}") for i in range(3)]
    rows, seen = [], set()
    while len(rows) < 150:
        start = rng.randrange(0, len(BODY) - 60)
        end = start + rng.randint(3, 50)
        label = rng.choice(["verified", "disputed", "unattributed"])
        source = None if label == "unattributed" else rng.choice([None, *sources])
        key = (start, end, label, source)
        if key in seen:
            continue
        seen.add(key)
        state = "orphaned" if len(rows) % 17 == 0 else "anchored"
        rows.append(Annotation(article=article, start=start, end=end, quote=BODY[start:end],
                               label=label, source=source, anchor_state=state))  # fmt: skip
    Annotation.objects.bulk_create(rows)
    return article


def test_the_answer_in_one_query_is_what_three_queries_gave(article, django_assert_num_queries):
    claims = list(Annotation.objects.filter(article=article).exclude(anchor_state="orphaned"))
    expected_summary = selectors.article_summary(article)
    for claim in claims[:40]:
        nearby = list(selectors.claims_between(article, claim.start, claim.end))
        expected_next = selectors.next_claim_id(claim, nearby)
        with django_assert_num_queries(1):
            around = selectors.around_saved_claim(article, claim, claim.start, claim.end)
        assert [c.pk for c in around.nearby] == [c.pk for c in nearby]
        assert [(c.start, c.end, c.label, c.anchor_state, c.source_id) for c in around.nearby] == [
            (c.start, c.end, c.label, c.anchor_state, c.source_id) for c in nearby
        ]
        assert around.next_id == expected_next
        assert around.summary["counts"] == expected_summary["counts"]
        assert around.summary["orphaned"] == expected_summary["orphaned"] > 0
        assert [(s.pk, s.name) for s in around.summary["sources"]] == [
            (s.pk, s.name) for s in expected_summary["sources"]
        ]


def test_the_last_claim_of_the_article_has_no_next(article):
    last = Annotation.objects.filter(article=article).order_by("-start", "end", "-id").first()
    last.anchor_state = "anchored"
    around = selectors.around_saved_claim(article, last, last.start, last.end)
    assert around.next_id is None == selectors.next_claim_id(last)


def test_more_labels_than_a_counts_row_holds_are_counted_in_more_rows(article, monkeypatch):
    """The counts ride in the union's three integer columns: a registry of more labels
    gets a second counts row, and each label still gets its own count."""
    from annotations import labels

    expected = selectors.article_summary(article)["counts"]
    keys = labels.all_keys()
    monkeypatch.setattr(labels, "all_keys", lambda: ["none-yet", *keys, "nor-this"])
    claim = Annotation.objects.filter(article=article).first()
    around = selectors.around_saved_claim(article, claim, claim.start, claim.end)
    assert around.summary["counts"] == {"none-yet": 0, **expected, "nor-this": 0}


@pytest.mark.only_on("sqlite")
def test_the_answer_reads_the_reading_index_alone(article):
    """Every part of the answer's query is served by the reading index, never the table's
    rows (SQLite's plan says COVERING INDEX): the summary of a long article stays one pass
    over its index entries."""
    from django.db import connection

    # SQLite's plan names covering indexes; PostgreSQL's index-only scans depend on VACUUM.
    claim = Annotation.objects.filter(article=article).first()
    with CaptureQueriesContext(connection) as captured:
        selectors.around_saved_claim(article, claim, claim.start, claim.end)
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
        plan = [row[-1] for row in cursor.fetchall()]
    # The claims' aliases are a, b and c; a table scan would read "SCAN c".
    claim_scans = [step for step in plan if re.match(r"(SEARCH|SCAN) [abc]\b", step)]
    assert len(claim_scans) == 4, plan
    assert all("COVERING INDEX annotation_reading_idx" in step for step in claim_scans), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan


def test_the_history_manager_class_is_built_once(article):
    """django-simple-history builds `Model.history`'s manager class on every access (about
    0.7 ms of each save, which writes a history row through it); ours is built once, and a
    claim's history is still that claim's alone."""
    first, second = Annotation.objects.filter(article=article)[:2]
    for claim in (first, second):
        claim.note = "Checked."
        claim.save()  # a history row each (the fixture's bulk_create wrote none)
    assert type(Annotation.history) is type(Annotation.history) is type(first.history)
    assert {r.id for r in first.history.all()} == {first.pk}
    assert {r.id for r in second.history.all()} == {second.pk}
    assert Annotation.history.filter(id__in=[first.pk, second.pk]).count() == 2
