"""Bulk import: the same checks as the app, batches, a report with line numbers."""

import json

import pytest
from django.core.management import call_command

from annotations.importers.bulk import read_csv, read_jsonl
from annotations.models import Annotation, Article, Source
from annotations.services.imports import articles_import
from tests.factories import ArticleFactory, SourceFactory, member

pytestmark = pytest.mark.django_db

BODY = "Kyiv says 31 of 38 drones were shot down.\nMoscow did not confirm. 🇺🇦"


def _record(**extra):
    return {
        "title": "Strike",
        "body": BODY,
        "url": "https://example.org/1",
        "outlet": "Wire",
        "claims": [
            {"start": 10, "end": 40, "quote": BODY[10:40], "label": "disputed", "source": "Kyiv"}
        ],
        **extra,
    }


def _jsonl(tmp_path, lines, name="in.jsonl"):
    path = tmp_path / name
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
        + "\n",
        encoding="utf-8",
    )
    return path


def _run(path, *args):
    user = member("importer", "Reviewer").get_username()
    try:
        call_command("import_articles", str(path), "--user", user, *args, verbosity=0)
    except SystemExit as exit_:
        return exit_.code
    return 0


def test_jsonl_import_with_broken_lines_reports_and_keeps_good_rows(tmp_path, capsys):
    path = _jsonl(
        tmp_path,
        [
            _record(),
            '{"title": "Unterminated',
            {"title": "No body"},
            _record(
                url="https://example.org/2",
                body=BODY + " More.",
                claims=[{"start": 0, "end": 4, "quote": "Kiev", "label": "verified"}],
            ),
            _record(
                url="https://example.org/3",
                body="Other text",
                claims=[
                    {"start": 0, "end": 5, "quote": "Other", "label": "unattributed", "source": "X"}
                ],
            ),
            _record(
                url="https://example.org/4",
                body="Fourth text",
                claims=[{"start": 0, "end": 6, "quote": "Fourth", "label": "maybe"}],
            ),
        ],
    )
    assert _run(path) == 1
    err = capsys.readouterr().err
    # What is wrong with the line itself, not with the line break that ends it.
    assert "line 2: Not valid JSON: Unterminated string starting at (column 11)." in err
    assert "line 3: “body” is missing." in err
    assert "line 4: claim 1: The selected text does not match" in err
    assert "Fix the claim's start and end in the file" in err  # not "reload the article"
    assert "Reload the article" not in err
    assert "line 5: claim 1: an unattributed claim has no source." in err
    assert "line 6: claim 1: unknown label “maybe”" in err
    article = Article.objects.get()
    assert article.url == "https://example.org/1"
    claim = Annotation.objects.get()
    assert BODY[claim.start : claim.end] == claim.quote and claim.prefix == BODY[:10]
    assert claim.source.name == "Kyiv" and claim.source.review_status == "pending"
    assert article.history.count() == 1 and claim.history.count() == 1


def test_dry_run_writes_nothing(tmp_path, capsys):
    assert _run(_jsonl(tmp_path, [_record()]), "--dry-run") == 0
    assert (
        "Dry run: Would create 1 article(s) with 1 claim(s) and 1 new source(s)"
        in capsys.readouterr().out
    )
    assert Article.objects.count() == Annotation.objects.count() == Source.objects.count() == 0


def test_duplicates_are_skipped_by_url_and_body(tmp_path, capsys):
    ArticleFactory(url="https://example.org/1", body="existing")
    path = _jsonl(
        tmp_path,
        [
            _record(),
            _record(url="https://example.org/9"),
            _record(url="", body="new text", claims=[]),
            _record(url="", body="new text", claims=[]),
        ],
    )
    assert _run(path) == 0
    out = capsys.readouterr()
    assert "Created 2 article(s)" in out.out and "skipped 2 duplicate(s)" in out.out
    assert "line 1: skipped, same URL" in out.err and "line 4: skipped, same text" in out.err


def test_existing_sources_and_aliases_are_reused_rejected_refused(tmp_path, capsys):
    from annotations import services

    kyiv = services.source_create(name="Kyiv officials", user=member("desk", "Reviewer"))
    services.source_add_alias(source=kyiv, name="Kyiv", user=member("desk", "Reviewer"))
    SourceFactory(name="Rybar", review_status="rejected")
    path = _jsonl(
        tmp_path,
        [
            _record(),
            _record(
                url="https://example.org/2",
                body="Rybar says so",
                claims=[
                    {
                        "start": 0,
                        "end": 13,
                        "quote": "Rybar says so",
                        "label": "disputed",
                        "source": "rybar",
                    }
                ],
            ),
        ],
    )
    assert _run(path) == 1
    assert "line 2: the source “rybar” was rejected" in capsys.readouterr().err
    assert Annotation.objects.get().source == kyiv
    assert Source.objects.count() == 2


def test_csv_with_bom_and_quoted_newlines(tmp_path):
    body = "Line one, with comma\nLine “two”"
    claims = json.dumps(
        [{"start": 21, "end": 31, "quote": "Line “two”", "label": "verified"}], ensure_ascii=False
    )
    text = (
        "\ufefftitle,body,url,published_at,claims\r\n"
        f'"Title","{body.replace(chr(34), chr(34) * 2)}",https://example.org/c,2026-11-20,'
        f'"{claims.replace(chr(34), chr(34) * 2)}"\r\n'
        '"Second","",,,\r\n'
    )
    path = tmp_path / "in.csv"
    path.write_bytes(text.encode("utf-8"))
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(read_csv(stream))
    assert rows[0].body == body and rows[0].claims[0].quote == "Line “two”"
    assert rows[0].published_at.year == 2026
    assert rows[1].line == 4 and "body" in rows[1].reason
    assert _run(path) == 1
    assert Article.objects.get().body == body


def test_offsets_are_code_points_of_the_normalised_body():
    body = "Cafe\u0301 🇺🇦 Київ\r\nnext"
    normalised = "Café 🇺🇦 Київ\nnext"
    start = normalised.index("Київ")
    (record,) = read_jsonl(
        [
            json.dumps(
                {
                    "title": "t",
                    "body": body,
                    "claims": [
                        {"start": start, "end": start + 4, "quote": "Київ", "label": "unattributed"}
                    ],
                }
            )
        ]
    )
    assert record.body == normalised and record.claims[0].start == 8


def test_bulk_import_of_1000_articles_in_batches(django_assert_max_num_queries):
    rows = list(
        read_jsonl(
            [
                json.dumps(
                    {
                        "title": f"A{i}",
                        "body": f"Article {i}: 31 of 38 drones.",
                        "claims": [
                            {
                                "start": 0,
                                "end": 7,
                                "quote": "Article",
                                "label": "disputed",
                                "source": f"S{i % 7}",
                            }
                        ],
                    }
                )
                for i in range(1000)
            ]
        )
    )
    # Per batch of 500: duplicate checks, sources, inserts with history and the similar-
    # claims matcher's terms; never per row. (SQLite splits each bulk insert by its
    # variable limit, hence more than a handful.)
    with django_assert_max_num_queries(132):
        report = articles_import(rows, user=member("desk", "Reviewer"), batch_size=500)
    assert (report.created, report.claims, report.failed) == (1000, 1000, 0)
    assert Article.objects.count() == 1000 and Annotation.objects.count() == 1000
    assert Source.objects.count() == 7


def test_the_same_claim_twice_in_a_record_goes_in_once_and_is_reported(tmp_path, capsys):
    """One passage, verdict and source is one claim, as in the app: the repeat (here by an
    alias of the same source) is reported as skipped, and never reaches the database."""
    from annotations.models import SourceAlias

    source = SourceFactory(name="Security Service of Ukraine")
    SourceAlias.objects.create(source=source, name="SBU", name_key="sbu")
    claim = {"start": 10, "end": 40, "quote": BODY[10:40], "label": "disputed"}
    record = _record(
        claims=[
            {**claim, "source": "Security Service of Ukraine"},
            {**claim, "source": "SBU", "note": "again, by its alias"},
            {**claim, "source": "SBU", "label": "verified"},  # another verdict: a claim
            {**claim, "source": "", "label": "unattributed"},
            {**claim, "source": "", "label": "unattributed"},
        ]
    )
    path = _jsonl(tmp_path, [record])
    assert _run(path) == 0
    assert Annotation.objects.count() == 3
    err = capsys.readouterr().err
    assert "claim 2 repeats claim 1" in err and "claim 5 repeats claim 4" in err


BOM_BODY = "B\ufeffSecond and more"  # a byte-order mark inside the text is kept


@pytest.mark.parametrize(
    ("claim", "says"),
    [
        # body[start:end] as given, but what the checks refuse or change: the short way (the
        # quote compared with the body) must not let them through.
        ({"start": 1, "end": 8, "quote": "\ufeffSecond"}, "does not match"),  # BOM stripped
        ({"start": True, "end": 8, "quote": "\ufeffSecond"}, "“start” must be a whole number"),
    ],
    ids=["bom", "bool"],
)
def test_a_quote_equal_to_the_body_is_still_checked_as_any_other(claim, says):
    raw = {"title": "T", "body": BOM_BODY, "claims": [{**claim, "label": "disputed"}]}
    (row,) = read_jsonl([json.dumps(raw, ensure_ascii=False)])
    assert says in row.reason


def test_offsets_given_as_digits_still_come_in():
    claim = {"start": "2", "end": "8", "quote": "Second", "label": "disputed"}
    (row,) = read_jsonl([json.dumps({"title": "T", "body": BOM_BODY, "claims": [claim]})])
    assert (row.claims[0].start, row.claims[0].end, row.claims[0].quote) == (2, 8, "Second")
