"""The API's lists ask the database the same number of questions for 10 rows as for 200:
every row's relations (its source, its people) come with the page, never one query a row.

Every endpoint of the namespace "api" that pages (a view with a `pagination_class`) needs a
case in SEEDS: a function that adds rows with relations that differ from row to row (other
people, other sources), so that a relation fetched row by row would show.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from annotations import anchoring, services
from annotations.models import Annotation, Article, SharedClaim, Source, SourceAlias
from tests.factories import SourceFactory, UserFactory
from tests.test_api_matrix import api_url_patterns

pytestmark = pytest.mark.django_db

TEXT = "Officials said the strikes hit several districts overnight. " * 40


def _people(n: int) -> list:
    return [UserFactory(username=f"desk{i}") for i in range(n)]


def _articles(count: int) -> None:
    people = _people(4)
    Article.objects.bulk_create(
        Article(
            title=f"Report {i}",
            body=f"Report {i}\n\n{TEXT}",
            body_hash=anchoring.body_hash(f"Report {i}\n\n{TEXT}"),
            outlet=f"Outlet {i % 7}",
            created_by=people[i % 4],
            assignee=people[(i + 1) % 4],
        )
        for i in range(count)
    )


def _claims(count: int, sources: list | None = None) -> None:
    """`count` claims by different people, most of them citing one of `sources` (ten new
    ones if not given)."""
    article = Article.objects.filter(title="Claims").first()
    if article is None:
        article = Article.objects.create(
            title="Claims", body=TEXT, body_hash=anchoring.body_hash(TEXT)
        )
    people = _people(4)
    sources = sources or [SourceFactory() for _ in range(10)]
    first = Annotation.objects.count()
    rows = []
    for i in range(first, first + count):
        start, end = i, i + 12
        prefix, suffix = anchoring.context(TEXT, start, end)
        unattributed = i % 3 == 0
        rows.append(
            Annotation(
                article=article,
                start=start,
                end=end,
                quote=TEXT[start:end],
                prefix=prefix,
                suffix=suffix,
                label="unattributed" if unattributed else "disputed",
                source=None if unattributed else sources[i % len(sources)],
                created_by=people[i % 4],
                updated_by=people[(i + 2) % 4],
            )
        )
    Annotation.objects.bulk_create(rows)


def _sources(count: int) -> None:
    """Sources proposed and reviewed by different people, each with its main name and an
    alias, most cited by claims (the list counts them)."""
    people = _people(4)
    first = Source.objects.count()
    made = Source.objects.bulk_create(
        Source(
            name=f"Channel {i}",
            name_key=f"channel {i}",
            kind=Source.Kind.SOCIAL_MEDIA,
            review_status=Source.Review.APPROVED if i % 2 else Source.Review.PENDING,
            reviewed_by=people[i % 4] if i % 2 else None,
            created_by=people[(i + 1) % 4],
        )
        for i in range(first, first + count)
    )
    SourceAlias.objects.bulk_create(
        alias
        for source in made
        for alias in (
            SourceAlias(source=source, name=source.name, name_key=source.name_key, is_primary=True),
            SourceAlias(source=source, name=f"{source.name} UA", name_key=f"{source.name_key} ua"),
        )
    )
    _claims(count, sources=made)


def _shared_claims(count: int) -> None:
    """Shared claims made by different people, each with two appearances (the list counts
    them, and their verdicts)."""
    people = _people(4)
    _claims(2 * count)
    made = SharedClaim.objects.bulk_create(
        SharedClaim(title=f"Claim {i}", created_by=people[i % 4]) for i in range(count)
    )
    loose = list(Annotation.objects.filter(shared_claim=None).order_by("-id")[: 2 * count])
    for i, claim in enumerate(loose):
        claim.shared_claim = made[i // 2]
    Annotation.objects.bulk_update(loose, ["shared_claim"])


SEEDS: dict[str, Callable[[int], None]] = {
    "article-list": _articles,
    "claim-list": _claims,
    "w3c-container": _claims,  # its first page, embedded (tests/test_w3c_protocol.py: others)
    "source-list": _sources,
    "shared-claim-list": _shared_claims,
}


def test_every_list_of_the_api_has_a_query_count_case():
    lists = {
        name
        for pattern, name in api_url_patterns()
        if getattr(
            resolve("/" + pattern.replace("<int:pk>", "1")).func.cls, "pagination_class", None
        )
    }
    assert lists == set(SEEDS)


def _count(client, url: str, token: str) -> tuple[int, int]:
    """(queries, rows) of one page of everything."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 500}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    rows = body["results"] if "results" in body else body["first"]["items"]  # a W3C container
    return len(queries), len(rows)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_list_queries_stay_flat(name, client, viewer):
    _row, token = services.api_token_create(user=viewer, name="counts")
    url = reverse(f"api:{name}")
    SEEDS[name](10)
    _count(client, url, token)  # the first call notes the token's use (a write a minute)
    few, ten = _count(client, url, token)
    SEEDS[name](190)
    many, two_hundred = _count(client, url, token)
    assert (ten, two_hundred) == (10, 200)
    assert few == many, f"{name}: {few} queries for 10 rows, {many} for 200"
