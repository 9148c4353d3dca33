"""Bulk files of articles (JSONL or CSV) into validated records, one per line, in pure code.

The schema (README "Bulk import"): title, body, url, outlet, author, published_at,
language, and optionally claims, a list of {start, end, quote, label, source, credibility,
note, evidence_url}. Offsets are code points into the body after normalisation (NFC, "\\n"),
exactly as the app stores and exports them. Every check here is the one the app makes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .. import anchoring
from ..exporters import CREDIBILITY_PREFIX
from ..models import Annotation

ARTICLE_FIELDS = ["title", "body", "url", "outlet", "author", "published_at", "language"]
MAX_LENGTHS = {"title": 500, "url": 2000, "outlet": 200, "author": 300, "language": 16}
_url = URLValidator(schemes=["http", "https"])


@dataclass
class ClaimRecord:
    start: int
    end: int
    quote: str
    label: str
    source: str = ""
    credibility: int | None = None
    note: str = ""
    evidence_url: str = ""


@dataclass
class ArticleRecord:
    line: int
    title: str
    body: str
    url: str = ""
    outlet: str = ""
    author: str = ""
    published_at: datetime | None = None
    language: str = ""
    claims: list[ClaimRecord] = field(default_factory=list)


@dataclass
class RowError:
    line: int
    reason: str


class RecordProblem(ValueError):
    pass


def _text(raw: dict, name: str, *, required: bool = False) -> str:
    value = raw.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise RecordProblem(f"“{name}” must be text.")
    if required and not value.strip():
        raise RecordProblem(f"“{name}” is missing.")
    limit = MAX_LENGTHS.get(name)
    if limit and len(value) > limit:
        raise RecordProblem(f"“{name}” is longer than {limit} characters.")
    return value


def _when(value) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordProblem("“published_at” must be an ISO 8601 date or date-time.")
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise RecordProblem(f"“published_at” is not an ISO 8601 date: “{value}”.")
        parsed = datetime(day.year, day.month, day.day)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def _int(value, name: str, index: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise RecordProblem(f"claim {index}: “{name}” must be a whole number.")
    return value


FIX_OFFSETS = (
    "Fix the claim's start and end in the file (code points into the body, after its line "
    "endings become \\n) or its quote."
)


def _claim(raw, body: str, index: int) -> ClaimRecord:
    if not isinstance(raw, dict):
        raise RecordProblem(f"claim {index} must be an object.")
    start, end = _int(raw.get("start"), "start", index), _int(raw.get("end"), "end", index)
    quote = raw.get("quote")
    if not isinstance(quote, str):
        raise RecordProblem(f"claim {index}: “quote” is missing.")
    quote = anchoring.normalise_body(quote)
    try:
        anchoring.check_span(body, start, end, quote, advice=FIX_OFFSETS)
    except anchoring.AnchorError as exc:
        raise RecordProblem(f"claim {index}: {exc}") from exc
    label = raw.get("label")
    if label not in Annotation.Label.values:
        raise RecordProblem(
            f"claim {index}: unknown label “{label}” (use verified, disputed or unattributed)."
        )
    source = raw.get("source") or ""
    if not isinstance(source, str):
        raise RecordProblem(f"claim {index}: “source” must be a name.")
    if label == Annotation.Label.UNATTRIBUTED and source.strip():
        raise RecordProblem(f"claim {index}: an unattributed claim has no source.")
    credibility = raw.get("credibility")
    if credibility in ("", None):
        credibility = None
    else:
        credibility = _int(credibility, "credibility", index)
        if not 1 <= credibility <= 6:
            raise RecordProblem(f"claim {index}: credibility must be 1 to 6.")
    evidence_url = raw.get("evidence_url") or ""
    if evidence_url:
        try:
            _url(evidence_url)
        except ValidationError as exc:
            raise RecordProblem(f"claim {index}: the evidence link must be http or https.") from exc
    note = raw.get("note") or ""
    if not isinstance(note, str):
        raise RecordProblem(f"claim {index}: “note” must be text.")
    return ClaimRecord(
        start,
        end,
        quote,
        label,
        source.strip(),
        credibility,
        anchoring.normalise_body(note),
        evidence_url,
    )


def validate_record(raw, line: int) -> ArticleRecord:
    """One article (and its claims) checked as the app would check it, or RecordProblem."""
    if not isinstance(raw, dict):
        raise RecordProblem("Each record must be an object with at least a title and a body.")
    unknown = set(raw) - {*ARTICLE_FIELDS, "claims"}
    if unknown:
        raise RecordProblem(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    body = anchoring.normalise_body(_text(raw, "body", required=True))
    if not body.strip():
        raise RecordProblem("“body” is empty.")
    url = _text(raw, "url").strip()
    if url:
        try:
            _url(url)
        except ValidationError as exc:
            raise RecordProblem(f"“url” is not an http(s) link: “{url}”.") from exc
    claims_raw = raw.get("claims") or []
    if isinstance(claims_raw, str):
        try:
            claims_raw = json.loads(claims_raw) if claims_raw.strip() else []
        except json.JSONDecodeError as exc:
            raise RecordProblem(f"“claims” is not valid JSON: {exc.msg}.") from exc
    if not isinstance(claims_raw, list):
        raise RecordProblem("“claims” must be a list.")
    return ArticleRecord(
        line=line,
        title=" ".join(_text(raw, "title", required=True).split()),
        body=body,
        url=url,
        outlet=_text(raw, "outlet").strip(),
        author=_text(raw, "author").strip(),
        published_at=_when(raw.get("published_at")),
        language=_text(raw, "language").strip(),
        claims=[_claim(c, body, i) for i, c in enumerate(claims_raw, start=1)],
    )


def _validated(rows: Iterable[tuple[int, object]]) -> Iterator[ArticleRecord | RowError]:
    for line, raw in rows:
        if isinstance(raw, RowError):
            yield raw
            continue
        try:
            yield validate_record(raw, line)
        except RecordProblem as exc:
            yield RowError(line, str(exc))


def read_jsonl(stream: io.TextIOBase) -> Iterator[ArticleRecord | RowError]:
    def rows():
        for line, text in enumerate(stream, start=1):
            if not text.strip():
                continue
            try:
                yield line, json.loads(text.rstrip("\r\n"))  # the line's own break is no error
            except json.JSONDecodeError as exc:
                yield line, RowError(line, f"Not valid JSON: {exc.msg} (column {exc.colno}).")

    return _validated(rows())


def read_csv(stream: io.TextIOBase) -> Iterator[ArticleRecord | RowError]:
    """One article per row; `claims` (optional) holds a JSON list. Quoted newlines are kept;
    the line number reported is the line where the row starts."""
    reader = csv.DictReader(stream)
    if reader.fieldnames is None:
        return iter([RowError(1, "The file is empty.")])
    fieldnames = [name.strip().lstrip("\ufeff") for name in reader.fieldnames]
    reader.fieldnames = fieldnames
    missing = {"title", "body"} - set(fieldnames)
    if missing:
        return iter([RowError(1, f"Missing column(s): {', '.join(sorted(missing))}.")])

    def rows():
        start_line = reader.line_num + 1
        for row in reader:
            if None in row:
                yield start_line, RowError(start_line, "This row has more cells than the header.")
            else:
                yield (
                    start_line,
                    {k: v for k, v in row.items() if v != "" or k in ("title", "body")},
                )
            start_line = reader.line_num + 1

    return _validated(rows())


def _pages(collection: dict) -> Iterator[dict]:
    page = collection.get("first")
    while isinstance(page, dict):
        yield page
        page = page.get("next")


def _claim_from_annotation(item: dict) -> tuple[str, dict]:
    """(article IRI, claim in the bulk schema) from one of our W3C Web Annotations."""
    target = item.get("target") or {}
    selectors = target.get("selector") or []
    if isinstance(selectors, dict):
        selectors = [selectors]
    by_type = {s.get("type"): s for s in selectors if isinstance(s, dict)}
    position = by_type.get("TextPositionSelector") or {}
    quote = by_type.get("TextQuoteSelector") or {}
    claim = {
        "start": position.get("start"),
        "end": position.get("end"),
        "quote": quote.get("exact"),
    }
    bodies = item.get("body") or []
    for body in bodies if isinstance(bodies, list) else [bodies]:
        purpose = body.get("purpose")
        if purpose == "assessing":
            claim["label"] = body.get("value")
        elif purpose == "identifying":
            claim["source"] = body.get("value")
        elif purpose == "commenting":
            claim["note"] = body.get("value")
        elif purpose == "linking":
            claim["evidence_url"] = body.get("source")
        elif purpose == "classifying":
            value = str(body.get("value") or "")
            if value.startswith(CREDIBILITY_PREFIX):
                claim["credibility"] = value.removeprefix(CREDIBILITY_PREFIX)
    return target.get("source", ""), claim


def read_jsonld(stream: io.TextIOBase) -> Iterator[ArticleRecord | RowError]:
    """Our W3C AnnotationCollection export, articles (`schema:hasPart`) and their claims.

    The file is read whole (json.load): the claims come before the articles they target.
    "Line" in the report is the article's position in `schema:hasPart`.
    """
    try:
        data = json.load(stream)
    except json.JSONDecodeError as exc:
        return iter([RowError(exc.lineno, f"Not valid JSON: {exc.msg}.")])
    if not isinstance(data, dict) or data.get("type") != "AnnotationCollection":
        return iter([RowError(1, "Not a W3C AnnotationCollection exported by this app.")])
    articles = data.get("schema:hasPart") or []
    claims_by_iri: dict[str, list] = {}
    for page in _pages(data):
        for item in page.get("items") or []:
            iri, claim = _claim_from_annotation(item)
            claims_by_iri.setdefault(iri, []).append(claim)

    def rows():
        for position, node in enumerate(articles, start=1):
            record = {
                "title": node.get("schema:headline", ""),
                "body": node.get("schema:articleBody", ""),
                "url": node.get("schema:url", ""),
                "outlet": node.get("schema:publisher", ""),
                "author": node.get("schema:author", ""),
                "language": node.get("schema:inLanguage", ""),
                "published_at": node.get("schema:datePublished", ""),
            }
            claims = claims_by_iri.pop(node.get("id"), [])
            claims += claims_by_iri.pop(record["url"], []) if record["url"] else []
            yield position, {**{k: v for k, v in record.items() if v}, "claims": claims}
        for iri, claims in claims_by_iri.items():
            yield (
                0,
                RowError(0, f"{len(claims)} claim(s) target {iri}, whose text is not in the file."),
            )

    return _validated(rows())


def read_file(stream: io.TextIOBase, fmt: str) -> Iterator[ArticleRecord | RowError]:
    readers = {"jsonl": read_jsonl, "csv": read_csv, "jsonld": read_jsonld}
    return readers[fmt](stream)


def detect_format(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(".jsonld"):
        return "jsonld"
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lower.endswith(".csv"):
        return "csv"
    return None
