"""Exports download under names that say what is in them (issue 17, item 5)."""

from datetime import UTC, date, datetime
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from annotations.filters import ClaimFilter
from tests.factories import AnnotationFactory, ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 1)


def _name(extension="csv", day=DAY, **filters):
    chosen = ClaimFilter(filters)
    assert chosen.is_valid(), chosen.refusal()
    return chosen.download_name(extension, day=day)


@pytest.mark.parametrize(
    ("filters", "name"),
    [
        ({}, "claims-2026-12-01.csv"),
        ({"article": "12"}, "claims-article-12-2026-12-01.csv"),
        (
            {"label": "disputed", "outlet": "Frontline Wire"},
            "claims-disputed-frontline-wire-2026-12-01.csv",
        ),
        (
            {"source": "7", "source_status": "pending"},
            "claims-source-7-source-pending-2026-12-01.csv",
        ),
        ({"source_status": "none"}, "claims-no-source-2026-12-01.csv"),
        ({"anchor_state": "review"}, "claims-needs-review-2026-12-01.csv"),
        (
            {"date_from": "2026-11-01", "date_to": "2026-11-30"},
            "claims-from-2026-11-01-to-2026-11-30-2026-12-01.csv",
        ),
        ({"q": "  31 drones / Kyiv? "}, "claims-search-31-drones-kyiv-2026-12-01.csv"),
        ({"outlet": "Українська правда"}, "claims-українська-правда-2026-12-01.csv"),
        ({"outlet": "Новая газета"}, "claims-новая-газета-2026-12-01.csv"),
        ({"outlet": "«»!!"}, "claims-2026-12-01.csv"),  # nothing nameable left
    ],
)
def test_name_says_what_is_in_the_file(filters, name):
    assert _name(**filters) == name


def test_name_of_an_editor_filter():
    olena = UserFactory(username="olena.k")
    assert _name(editor=str(olena.pk)) == "claims-by-olenak-2026-12-01.csv"


def test_a_long_name_drops_the_last_filters_first():
    long = {"outlet": "Ж" * 200, "q": "Щ" * 200, "date_from": "2026-11-01"}
    name = _name(label="verified", source_status="pending", **long)
    stem = name.removesuffix("-2026-12-01.csv")
    assert len(stem.encode()) <= 200
    assert stem == "claims-verified-source-pending-" + "ж" * 40 + "-from-2026-11-01"


def _download(client, view, **params):
    response = client.get(reverse(view), params)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    return response["Content-Disposition"]


@pytest.fixture
def claims(db):
    article = ArticleFactory(outlet="Frontline Wire")
    AnnotationFactory(article=article, label="disputed")
    return article


def test_each_export_names_its_file(editor_client, claims, settings, monkeypatch):
    # 23:30 in UTC on 30 November is already 1 December at the desk, in Kyiv.
    settings.TIME_ZONE = "Europe/Kyiv"
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    wanted = {"label": "disputed", "outlet": "Frontline Wire"}
    assert _download(editor_client, "annotations:export-csv", **wanted) == (
        'attachment; filename="claims-disputed-frontline-wire-2026-12-01.csv"'
    )
    assert _download(editor_client, "annotations:export-csv", variant="raw", **wanted) == (
        'attachment; filename="claims-raw-disputed-frontline-wire-2026-12-01.csv"'
    )
    assert _download(editor_client, "annotations:export-jsonld", **wanted) == (
        'attachment; filename="claims-disputed-frontline-wire-2026-12-01.jsonld"'
    )
    assert _download(editor_client, "annotations:export-claimreview", **wanted) == (
        'attachment; filename="claimreview-disputed-frontline-wire-2026-12-01.jsonld"'
    )
    assert _download(editor_client, "annotations:export-csv", article=claims.pk) == (
        f'attachment; filename="claims-article-{claims.pk}-2026-12-01.csv"'
    )


def test_a_cyrillic_outlet_gives_a_safe_header(editor_client, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    AnnotationFactory(article=ArticleFactory(outlet="Українська правда"))
    header = _download(editor_client, "annotations:export-csv", outlet="Українська правда")
    header.encode("ascii")  # nothing but ASCII on the wire
    assert header.startswith("attachment; filename*=utf-8''")
    assert unquote(header.split("''", 1)[1]) == "claims-українська-правда-2026-12-01.csv"
