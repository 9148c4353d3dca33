"""The CSV the database builds (exporters.csv_chunks: COPY on PostgreSQL, one query's
records on SQLite) is csv_lines's (the reference writer, in Python), byte for byte, over
awkward text in every column, on both databases."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.urls import reverse

from annotations import exporters, selectors, services
from annotations.exporters import dbcsv
from annotations.filters import ClaimFilter
from annotations.models import Annotation
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    SourceFactory,
    UserFactory,
    evidence_for,
)

pytestmark = pytest.mark.django_db

AWKWARD = [
    "plain",
    'a "quoted" word, and a comma',
    "line\nbreak",
    "carriage\rreturn",
    "crlf\r\nend",
    "\ttab first",
    "tab\tinside",
    "\rcr first",
    "\ncr lf first",
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "＝1+1",
    "＋cmd",
    "－2",
    "＠SUM(A1)",
    "'already an apostrophe",
    "«Київ» 🇺🇦🚀 e\u0301 — ‘curly’ 𝕏",
    "🚀 first",
    " leading and trailing spaces ",
    '"',
    ",",
    '""',
    "\\.",
    "back\\slash \\n not a newline",
    "NULL",
    "",
]


@pytest.fixture
def awkward(editor):
    """A claim for each awkward text, in every text column that takes one; the others
    (times, numbers, sources, users, evidence) empty or NULL in turn."""
    body = "Intro.\n\n" + "\n".join(t.replace("\n", " ") for t in AWKWARD if t.strip()) + "."
    users = [None, editor] + [
        UserFactory(username=name) for name in ("=eq", "+plus", "-minus", "@at", "Олена")
    ]
    articles = [
        ArticleFactory(title=text or "untitled", url=text, outlet=text, body=body)
        for text in AWKWARD[:6]
    ] + [ArticleFactory(published_at=None, outlet="", url="", body=body)]
    Annotation.objects.filter(article__in=articles).delete()
    source = SourceFactory(name='-СБУ, "press"\n', kind="intelligence")
    claims = []
    for i, text in enumerate(AWKWARD):
        article = articles[i % len(articles)]
        claim = AnnotationFactory(
            article=article,
            start=i,
            end=i + 5,
            quote=article.body[i : i + 5],
            label=["disputed", "verified", "unattributed"][i % 3],
            source=None if i % 3 == 2 else source,
            credibility=None if i % 4 == 0 else 1 + i % 6,
            note=text,
            evidence_url="" if i % 3 else f'https://example.org/e?q={i},2&t="{i}"',
            created_by=users[i % len(users)],
        )
        # Whole seconds, some microseconds, a single microsecond: isoformat differs in each.
        stamp = datetime(2026, 3, 1, 10, 0, i % 60, [0, 123456, 5, 100000][i % 4], tzinfo=UTC)
        Annotation.objects.filter(pk=claim.pk).update(
            created_at=stamp,
            updated_at=stamp.replace(year=2027),
            updated_by=users[(i + 3) % len(users)],
            prefix=text[:32],
            suffix=text[::-1][:32],
            public_summary=text[::-1],
        )
        if claim.evidence_url and i % 2:
            evidence_for(claim, "captured", captured_at=stamp)
        claims.append(claim)
    services.shared_claim_link(claim=claims[1], user=editor, other=claims[4])
    return claims


def _reference(claims, *, safe: bool, bom: bool) -> bytes:
    rows = exporters.claim_rows(claims)
    return "".join(exporters.csv_lines(rows, safe=safe, bom=bom)).encode()


@pytest.mark.parametrize("bom", [False, True], ids=["", "bom"])
@pytest.mark.parametrize("safe", [True, False], ids=["safe", "raw"])
def test_the_database_writes_the_reference_bytes(awkward, monkeypatch, safe, bom):
    claims = selectors.live_claims()
    expected = _reference(claims, safe=safe, bom=bom)
    assert expected.startswith("\ufeff".encode()) == bom
    assert (b",'=1+1," in expected) == safe  # the guard, in the safe variant only
    monkeypatch.setattr(dbcsv, "csv_lines", None)  # the database's writer, never Python's
    assert connection.vendor in ("sqlite", "postgresql")
    for chunk_size in (3, 1000):  # records split across chunks, and all in one
        built = b"".join(exporters.csv_chunks(claims, safe=safe, bom=bom, chunk_size=chunk_size))
        assert built == expected


@pytest.mark.parametrize(
    "params",
    [{}, {"variant": "raw"}, {"bom": "1"}, {"label": "disputed"}, {"q": "1"}],
)
def test_each_door_sends_the_reference_bytes(client, editor, awkward, params):
    """Through the web's and the API's CSV, with the claims list's filters."""
    filters = {k: v for k, v in params.items() if k not in ("variant", "bom")}
    expected = _reference(
        ClaimFilter(filters).qs, safe="variant" not in params, bom="bom" in params
    )
    token = services.api_token_create(user=editor, name="export")[1]
    client.force_login(editor)
    for url, headers in (
        (reverse("annotations:export-csv"), {}),
        ("/api/v1/exports/claims.csv", {"Authorization": f"Bearer {token}"}),
    ):
        response = client.get(url, params, headers=headers)
        assert response.status_code == 200 and response.streaming, url
        assert b"".join(response.streaming_content) == expected, url


def test_the_command_writes_the_reference_bytes(awkward, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "claims.csv"
    call_command("export_annotations", "--bom", "--label", "verified", "-o", str(out), verbosity=0)
    expected = _reference(ClaimFilter({"label": "verified"}).qs, safe=True, bom=True)
    assert out.read_bytes() == expected
