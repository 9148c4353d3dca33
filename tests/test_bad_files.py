"""Bad bulk files, through every door, and the admin's refusals: a 4xx (or exit 1) with a
readable message, never a 5xx, and the desk's data unchanged.

Every bulk file here is refused whole (no row of it can go in): the import page answers 422
with the run's report, the command exits 1 and prints each line's problem. The import run
itself is recorded (an import is a record), but no article, claim or source is written.
A new case is one entry in FILES or ADMIN.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from annotations.models import Annotation, ImportRun, Source
from tests.factories import ArticleFactory, SourceFactory
from tests.test_bad_input import _shown_message, _text, db_snapshot

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parent.parent

BODY = "Kyiv says 31 drones were shot down.\nMoscow did not confirm."
GOOD_CLAIM = {"start": 10, "end": 19, "quote": "31 drones", "label": "disputed"}


def line(**fields) -> str:
    record = {"title": "Strike", "body": BODY, **fields}
    return json.dumps(record, ensure_ascii=False)


def claim(**fields) -> dict:
    return {**GOOD_CLAIM, **fields}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def collection(**fields) -> str:
    base = {
        "@context": ["http://www.w3.org/ns/anno.jsonld"],
        "type": "AnnotationCollection",
        "first": {"type": "AnnotationPage", "items": []},
        "schema:hasPart": [],
    }
    return json.dumps({**base, **fields})


def annotation(**fields) -> dict:
    base = {
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "assessing", "value": "disputed"}],
        "target": {
            "source": "https://example.org/a",
            "selector": [
                {"type": "TextQuoteSelector", "exact": "31 drones"},
                {"type": "TextPositionSelector", "start": 10, "end": 19},
            ],
        },
    }
    return {**base, **fields}


ARTICLE_NODE = {
    "id": "https://example.org/a",
    "type": "schema:NewsArticle",
    "schema:headline": "Strike",
    "schema:articleBody": BODY,
    "schema:url": "https://example.org/a",
}

# name -> (file name, content as text or bytes)
FILES: dict[str, tuple[str, str | bytes]] = {
    # JSONL: the shapes that used to answer 500
    "jsonl-nested-deeper-than-python-recursion": ("a.jsonl", nested(100_000)),
    "jsonl-nested-inside-a-claim": ("a.jsonl", line(claims=[{"note": json.loads(nested(80))}])),
    "jsonl-lone-surrogate-in-title": ("a.jsonl", '{"title": "\\ud800", "body": "Text."}'),
    "jsonl-lone-surrogate-in-body": ("a.jsonl", '{"title": "T", "body": "Kyiv \\udfff says"}'),
    "jsonl-lone-surrogate-in-note": (
        "a.jsonl",
        line(claims=[claim(note="x")]).replace('"note": "x"', '"note": "\\ud83d"'),
    ),
    "jsonl-impossible-date": ("a.jsonl", line(published_at="2026-02-30")),
    "jsonl-impossible-time": ("a.jsonl", line(published_at="2026-02-10T25:61:00")),
    "jsonl-date-not-text": ("a.jsonl", line(published_at=20260210)),
    "jsonl-nan-credibility": (
        "a.jsonl",
        line().replace("}", ', "claims": [{"credibility": NaN}]}'),
    ),
    "jsonl-infinity-offset": (
        "a.jsonl",
        line().replace("}", ', "claims": [{"start": Infinity, "end": 3}]}'),
    ),
    "jsonl-nul-in-title": ("a.jsonl", line(title="Strike\u0000")),
    "jsonl-nul-in-outlet": ("a.jsonl", line(outlet="Wire\u0000")),
    "jsonl-nul-in-note": ("a.jsonl", line(claims=[claim(note="a\u0000b")])),
    "jsonl-bell-in-source-name": ("a.jsonl", line(claims=[claim(source="SBU\u0007")])),
    "jsonl-escape-in-author": ("a.jsonl", line(author="\u001b[31mred")),
    "jsonl-line-break-in-title": ("a.jsonl", line(title="Two\nlines")),
    "jsonl-c1-control-in-language": ("a.jsonl", line(language="en\u0085")),
    "jsonl-claims-not-a-list": ("a.jsonl", line(claims={"start": 1})),
    "jsonl-claim-not-an-object": ("a.jsonl", line(claims=["31 drones"])),
    "jsonl-claim-offset-decimal": ("a.jsonl", line(claims=[claim(start=10.5)])),
    "jsonl-claim-offset-huge": ("a.jsonl", line(claims=[claim(start=10**30, end=10**31)])),
    "jsonl-claim-offset-huge-text": ("a.jsonl", line(claims=[claim(start="9" * 40)])),
    "jsonl-two-bad-claims": (
        "a.jsonl",
        line(claims=[claim(label="maybe"), claim(), claim(quote="31 dronez")]),
    ),
    "jsonl-record-is-a-list": ("a.jsonl", "[1, 2, 3]"),
    "jsonl-record-is-text": ("a.jsonl", '"just text"'),
    "jsonl-record-is-null": ("a.jsonl", "null"),
    "jsonl-evidence-not-text": ("a.jsonl", line(claims=[claim(evidence_url=42)])),
    "jsonl-evidence-javascript": ("a.jsonl", line(claims=[claim(evidence_url="javascript:x")])),
    "jsonl-title-an-object": ("a.jsonl", line(title={"en": "Strike"})),
    "jsonl-unknown-field": ("a.jsonl", line(headline="Strike")),
    "jsonl-body-only-spaces": ("a.jsonl", line(body="   \n\t  ")),
    "jsonl-url-javascript": ("a.jsonl", line(url="javascript:alert(1)")),
    "jsonl-url-too-long": ("a.jsonl", line(url="https://example.org/" + "a" * 3000)),
    "jsonl-language-too-long": ("a.jsonl", line(language="x" * 40)),
    "jsonl-source-an-object": ("a.jsonl", line(claims=[claim(source={"name": "SBU"})])),
    # Longer than a source's name may be (200): SQLite stored it whole, PostgreSQL refused.
    "jsonl-source-name-too-long": ("a.jsonl", line(claims=[claim(source="S" * 201)])),
    "jsonl-label-not-text": ("a.jsonl", line(claims=[claim(label=["disputed"])])),
    "jsonl-unattributed-with-source": (
        "a.jsonl",
        line(claims=[claim(label="unattributed", source="SBU")]),
    ),
    "jsonl-rejected-source": ("a.jsonl", line(claims=[claim(source="Fake Front News")])),
    "jsonl-not-json": ("a.jsonl", "{'title': 'single quotes'}"),
    "jsonl-not-utf8": ("a.jsonl", line(title="Київ").encode("cp1251")),
    # CSV
    "csv-nul-in-a-title-cell": ("a.csv", "title,body\nStr\x00ike,Kyiv says\n"),
    "csv-control-in-title": ("a.csv", "title,body\nStr\x01ike,Kyiv says\n"),
    "csv-claims-cell-not-json": ("a.csv", 'title,body,claims\nStrike,Kyiv says,"[{oops"\n'),
    "csv-claims-cell-nested-deep": (
        "a.csv",
        "title,body,claims\nStrike,Kyiv says," + nested(100) + "\n",
    ),
    "csv-claims-cell-nan": ("a.csv", 'title,body,claims\nS,Kyiv says,"[{""start"": NaN}]"\n'),
    "csv-missing-body-column": ("a.csv", "title,text\nStrike,Kyiv says\n"),
    "csv-more-cells-than-header": ("a.csv", "title,body\nStrike,Kyiv says,extra\n"),
    "csv-impossible-date": ("a.csv", "title,body,published_at\nS,Kyiv says,2026-13-45\n"),
    "csv-not-utf8": ("a.csv", "title,body\nКиїв,Текст\n".encode("cp1251")),
    # JSON-LD (our own export's shape, checked field by field)
    "jsonld-has-part-not-objects": ("a.jsonld", collection(**{"schema:hasPart": [1]})),
    "jsonld-has-part-not-a-list": ("a.jsonld", collection(**{"schema:hasPart": "x"})),
    "jsonld-items-not-objects": (
        "a.jsonld",
        collection(first={"items": ["x"]}, **{"schema:hasPart": [ARTICLE_NODE]}),
    ),
    "jsonld-items-not-a-list": ("a.jsonld", collection(first={"items": {"a": 1}})),
    "jsonld-target-a-list-of-numbers": (
        "a.jsonld",
        collection(first={"items": [annotation(target=[1])]}, **{"schema:hasPart": [ARTICLE_NODE]}),
    ),
    "jsonld-target-source-not-text": (
        "a.jsonld",
        collection(
            first={"items": [annotation(target={"source": 5})]},
            **{"schema:hasPart": [ARTICLE_NODE]},
        ),
    ),
    "jsonld-selector-a-string": (
        "a.jsonld",
        collection(
            first={"items": [annotation(target={"source": "x", "selector": "quote"})]},
            **{"schema:hasPart": [ARTICLE_NODE]},
        ),
    ),
    "jsonld-selector-type-a-list": (
        "a.jsonld",
        collection(
            first={"items": [annotation(target={"source": "x", "selector": [{"type": ["x"]}]})]},
            **{"schema:hasPart": [ARTICLE_NODE]},
        ),
    ),
    "jsonld-body-a-number": (
        "a.jsonld",
        collection(first={"items": [annotation(body=7)]}, **{"schema:hasPart": [ARTICLE_NODE]}),
    ),
    "jsonld-long-next-chain": (
        "a.jsonld",
        '{"type": "AnnotationCollection", "first": ' + '{"next": ' * 5000 + "{}" + "}" * 5000 + "}",
    ),
    "jsonld-not-a-collection": ("a.jsonld", json.dumps({"type": "Annotation"})),
    "jsonld-a-list": ("a.jsonld", "[]"),
    "jsonld-nan": ("a.jsonld", collection().replace('"items": []', '"items": [NaN]')),
    "jsonld-claims-for-an-article-not-in-the-file": (
        "a.jsonld",
        collection(first={"items": [annotation()]}),
    ),
    "jsonld-headline-with-nul": (
        "a.jsonld",
        collection(**{"schema:hasPart": [{**ARTICLE_NODE, "schema:headline": "S\u0000"}]}),
    ),
}


@pytest.fixture
def desk(editor, reviewer):
    ArticleFactory()
    SourceFactory(name="SBU")
    SourceFactory(name="Fake Front News", review_status="rejected")


def _bytes(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


@pytest.mark.parametrize(("name", "content"), list(FILES.values()), ids=list(FILES))
def test_a_bad_file_on_the_import_page_is_refused_with_its_report(
    client, reviewer, desk, name, content
):
    client.force_login(reviewer)
    before = db_snapshot()
    response = client.post(
        reverse("annotations:article-import"), {"file": SimpleUploadedFile(name, _bytes(content))}
    )
    text = _text(response)
    assert db_snapshot() == before, "a bad file changed the desk's data"
    assert response.status_code == 422, text[:2000]
    assert _shown_message(text)
    run = ImportRun.objects.get()
    assert run.articles_created == 0 and run.committed == []
    assert run.status == "failed" or run.rows_failed >= 1


@pytest.mark.parametrize(("name", "content"), list(FILES.values()), ids=list(FILES))
def test_a_bad_file_for_the_command_exits_1_and_writes_nothing(
    tmp_path, desk, capsys, name, content
):
    path = tmp_path / name
    path.write_bytes(_bytes(content))
    before = db_snapshot()
    with pytest.raises((SystemExit, CommandError)) as stopped:
        call_command("import_articles", str(path), "--user", "reviewer", verbosity=0)
    assert db_snapshot() == before
    if isinstance(stopped.value, SystemExit):
        assert stopped.value.code == 1
        assert capsys.readouterr().err.strip()  # each bad line, with its problem
    else:
        assert str(stopped.value)  # printed on stderr by Django, exit status 1


def test_two_bad_claims_in_one_row_are_both_reported(client, reviewer, desk):
    client.force_login(reviewer)
    name, content = FILES["jsonl-two-bad-claims"]
    client.post(
        reverse("annotations:article-import"), {"file": SimpleUploadedFile(name, _bytes(content))}
    )
    (row,) = ImportRun.objects.get().report
    assert "claim 1" in row["reason"] and "claim 3" in row["reason"]
    assert "claim 2" not in row["reason"]


def test_a_200_kb_article_comes_in_by_csv(client, reviewer):
    """Python's csv module stops at 128 KB a cell by default; uploads allow 2 MB."""
    body = ("Kyiv says 31 drones were shot down overnight. " * 4400).strip()
    assert len(body.encode()) > 200_000
    content = "title,body\nA long report," + body + "\n"
    client.force_login(reviewer)
    response = client.post(
        reverse("annotations:article-import"),
        {"file": SimpleUploadedFile("long.csv", content.encode())},
    )
    assert response.status_code == 302
    from annotations.models import Article

    assert Article.objects.get().body == body


# --- Commands: usage refused with exit 1, nothing written --------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["import_articles", "no-such-file.jsonl", "--user", "reviewer"], "No such file"),
        (["import_articles", "a.unknown", "--user", "reviewer"], "--format"),
        (["import_articles", "a.jsonl", "--user", "nobody-here"], "No user"),
        (["import_articles", "a.jsonl"], "--user"),  # who imports is never left out
        (["import_articles", "a.jsonl", "--user", "editor"], "may not bulk import"),
        (["export_annotations", "--label", "maybe"], "Filters not understood"),
        (["export_annotations", "--date-from", "2026-02-30"], "Filters not understood"),
        (
            ["export_annotations", "--format", "jsonld", "--site-url", "claims.example.org"],
            "is not a site address",
        ),
    ],
)
def test_a_command_that_refuses_says_why_and_writes_nothing(tmp_path, editor, reviewer, args, says):
    args = [str(tmp_path / a) if a.endswith((".jsonl", ".unknown")) else a for a in args]
    if args[0] == "import_articles" and "no-such-file" not in args[1]:
        Path(args[1]).write_text(line() + "\n", encoding="utf-8")
    before = db_snapshot()
    with pytest.raises(CommandError) as refused:
        call_command(*args, verbosity=0)
    assert says in str(refused.value)
    assert db_snapshot() == before


@pytest.mark.parametrize(
    "argv",
    [
        ["import_articles", "a.jsonl", "--format", "xml"],
        ["import_articles", "a.jsonl", "--batch-size", "many"],
        ["export_annotations", "--format", "pdf"],
        ["run_worker", "--interval", "-1"],
    ],
)
def test_a_bad_option_exits_1_not_2(argv):
    """argparse would exit 2; every refusal of our commands exits 1, with the reason."""
    result = subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "error:" in result.stderr


# --- The admin: refused forms and actions answer 422 -------------------------------------


def _admin(client, admin_user):
    client.force_login(admin_user)
    return client


ADMIN: dict[str, tuple] = {
    # name: (url name, args(world) or None, data(world))
    "source-add-name-with-nul": (
        "admin:annotations_source_add",
        None,
        lambda w: {"name": "SBU\u0000", "kind": "government", "reliability": "F"},
    ),
    "source-add-name-taken": (
        "admin:annotations_source_add",
        None,
        lambda w: {"name": "sbu", "kind": "government", "reliability": "F"},
    ),
    "source-add-kind-unknown": (
        "admin:annotations_source_add",
        None,
        lambda w: {"name": "New one", "kind": "alien", "reliability": "F"},
    ),
    "claim-add-span-does-not-match": (
        "admin:annotations_annotation_add",
        None,
        lambda w: {
            "article": w["article"].pk,
            "start": 0,
            "end": 5,
            "quote": "Kyivv",
            "label": "disputed",
        },
    ),
    "claim-add-twin-of-a-claim": (
        "admin:annotations_annotation_add",
        None,
        lambda w: {
            "article": w["article"].pk,
            "start": w["claim"].start,
            "end": w["claim"].end,
            "quote": w["claim"].quote,
            "label": w["claim"].label,
        },
    ),
    "claim-add-note-with-control": (
        "admin:annotations_annotation_add",
        None,
        lambda w: {
            "article": w["article"].pk,
            "start": 0,
            "end": 6,
            "quote": "Strike",
            "label": "disputed",
            "note": "a\u0007b",
        },
    ),
    "claim-change-unattributed-with-source": (
        "admin:annotations_annotation_change",
        lambda w: [w["claim"].pk],
        lambda w: {"label": "unattributed", "source": w["source"].pk},
    ),
    "article-change-title-with-escape": (
        "admin:annotations_article_change",
        lambda w: [w["article"].pk],
        lambda w: {
            "title": "\u001b[2J",
            "body": w["article"].body,
            "status": "new",
            "expected_version": w["article"].version,
            "published_at_0": "",
            "published_at_1": "",
        },
    ),
}


@pytest.fixture
def admin_world(editor):
    from annotations import services

    article = ArticleFactory(title="Strike on Kharkiv")
    quote = "31 of 38 drones were shot down"
    start = article.body.index(quote)
    made = services.annotation_create(
        article=article,
        user=editor,
        start=start,
        end=start + len(quote),
        quote=quote,
        label="disputed",
    ).annotation
    return {"article": article, "claim": made, "source": SourceFactory(name="SBU")}


@pytest.mark.parametrize(("url", "args", "data"), list(ADMIN.values()), ids=list(ADMIN))
def test_the_admin_answers_a_refused_form_with_422(
    client, admin_user, admin_world, url, args, data
):
    client = _admin(client, admin_user)
    before = db_snapshot()
    response = client.post(
        reverse(url, args=args(admin_world) if args else None), data(admin_world)
    )
    text = _text(response)
    assert db_snapshot() == before
    assert response.status_code == 422, text[:3000]
    assert "errornote" in text or "errorlist" in text


@pytest.mark.parametrize(
    ("selected", "extra"),
    [
        (1, {}),  # merge needs two sources
        (2, {"apply": "1", "keep": "999999"}),  # keep one that was not selected
    ],
    ids=["merge-one-source", "merge-keeping-one-not-selected"],
)
def test_a_refused_admin_action_answers_422(client, admin_user, selected, extra):
    sources = [SourceFactory(name=f"Agency {i}") for i in range(2)]
    client = _admin(client, admin_user)
    before = db_snapshot()
    response = client.post(
        reverse("admin:annotations_source_changelist"),
        {
            "action": "merge",
            "_selected_action": [s.pk for s in sources[:selected]],
            **extra,
        },
    )
    assert db_snapshot() == before
    assert response.status_code == 422
    assert "errornote" in _text(response)
    assert Source.objects.count() == 2 and Annotation.objects.count() == 0


def test_an_import_that_stops_midway_says_what_went_in(client, reviewer, monkeypatch):
    """The database goes away after the first batch: the reviewer gets the run's page, which
    says the import failed and lists exactly the articles the first batch committed."""
    from django.db import OperationalError

    from annotations.models import Article
    from annotations.services import imports

    real = imports._Importer.write
    calls = []

    def second_batch_fails(self, plan):
        calls.append(len(plan.records))
        if len(calls) > 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(self, plan)

    monkeypatch.setattr(imports._Importer, "write", second_batch_fails)
    monkeypatch.setattr(imports, "articles_import", _with_batch_size(imports.articles_import, 3))
    lines = "\n".join(line(title=f"Report {n}", body=f"{BODY} Number {n}.") for n in range(5))
    client.force_login(reviewer)
    response = client.post(
        reverse("annotations:article-import"),
        {"file": SimpleUploadedFile("five.jsonl", lines.encode())},
    )
    run = ImportRun.objects.get()
    assert run.status == "failed" and "database stopped answering" in run.error
    first = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    assert len(first) == 3 and run.committed == first and run.articles_created == 3
    page = client.get(run.get_absolute_url()) if response.status_code == 302 else response
    html = _text(page)
    assert "Report 0" in html and "Report 2" in html and "Report 3" not in html
    assert run.error in html


def _with_batch_size(function, size):
    def call(*args, **kwargs):
        kwargs["batch_size"] = size
        return function(*args, **kwargs)

    return call
