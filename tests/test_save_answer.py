"""selectors.around_saved_claim: what a save's answer shows, in one query, is what the three
reads it replaces (claims_between, next_claim_id, article_summary) give."""

import random

import pytest

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
