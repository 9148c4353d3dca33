"""Bulk files of articles (JSONL or CSV) into validated records, one per line, in pure code.

The schema (README "Bulk import"): title, body, url, outlet, author, published_at,
language, and optionally claims, a list of {start, end, quote, label, source, credibility,
note, public_summary, evidence_url}. Offsets are code points into the body after
normalisation (NFC, "\\n"), exactly as the app stores and exports them.
Every check here is the one the app makes.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import get_text_list
from django.utils.translation import gettext

from .. import anchoring, labels, text
from ..exporters import CREDIBILITY_PREFIX, is_shared_claim_body
from ..models import PUBLIC_SUMMARY_MAX, Annotation, Source
from .drafts import ARTICLE_FIELDS, MAX_LENGTHS, ArticleDraft

SOURCE_NAME_MAX = Source._meta.get_field("name").max_length

logger = logging.getLogger(__name__)

# Deeper than this, JSON is refused before it is parsed (ours is six levels deep).
MAX_JSON_DEPTH = 64
# At most this many pages are followed along a collection's "first" and "next" links.
MAX_PAGES = 10_000
_url = URLValidator(schemes=["http", "https"])
# Fields of several lines (the text rule allows line breaks in them).
_LINES_FIELDS = ("quote", "note", "public_summary")


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
    public_summary: str = ""


@dataclass(kw_only=True)
class ArticleRecord(ArticleDraft):
    """One article of a bulk file, checked: the draft, its line and its claims."""

    line: int
    claims: list[ClaimRecord] = field(default_factory=list)

    @cached_property
    def body_hash(self) -> str:
        """The body's hash (`anchoring.body_hash`), worked out once: the importer looks for
        duplicates by it, remembers it, and stores it."""
        return anchoring.body_hash(self.body)


@dataclass
class RowError:
    line: int
    reason: str


class RecordProblem(ValueError):
    pass


def _text(raw: dict, name: str, *, required: bool = False, claim: int = 0) -> str:
    """The text field `name` of `raw` under the text rule, or RecordProblem (`claim`: the
    claim's number, for the message; its words are made only for a problem)."""
    value = raw.get(name)
    if (value is None or value == "") and not required:
        return ""  # most optional fields of most claims: nothing to check
    prefix = f"claim {claim}: " if claim else ""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise RecordProblem(f"{prefix}“{name}” must be text.")
    if required and not value.strip():
        raise RecordProblem(f"{prefix}“{name}” is missing.")
    limit = MAX_LENGTHS.get(name)
    if limit and len(value) > limit:
        raise RecordProblem(f"{prefix}“{name}” is longer than {limit} characters.")
    found = text.problem(
        value, lines=name in _LINES_FIELDS, body=name == "body"
    )  # the one text rule, as in the app's forms
    if found:
        raise RecordProblem(f"{prefix}“{name}”: {found}")
    return value


def _when(value) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordProblem("“published_at” must be an ISO 8601 date or date-time.")
    try:
        parsed = parse_datetime(value)
        day = parse_date(value) if parsed is None else None
    except ValueError as exc:  # well formed, but no such day or time ("2026-02-30")
        raise RecordProblem(f"“published_at” is not a real date: “{value[:40]}”.") from exc
    if parsed is None:
        if day is None:
            raise RecordProblem(f"“published_at” is not an ISO 8601 date: “{value[:40]}”.")
        parsed = datetime(day.year, day.month, day.day)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    try:
        return text.utc_moment(parsed)
    except ValidationError as error:
        raise RecordProblem(f"“published_at”: {error.messages[0]}") from None


def _int(value, name: str, index: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        digits = value.strip() if isinstance(value, str) else ""
        if digits.lstrip("-").isascii() and digits.lstrip("-").isdigit() and len(digits) < 12:
            return int(digits)
        raise RecordProblem(f"claim {index}: “{name}” must be a whole number.")
    if not -(2**31) < value < 2**31:
        raise RecordProblem(f"claim {index}: “{name}” is out of range.")
    return value


FREE_TEXT = ("note", "public_summary")

FIX_OFFSETS = (
    "Fix the claim's start and end in the file (code points into the body, after its line "
    "endings become \\n) or its quote."
)


def _exact_span(body: str, start, end, quote) -> bool:
    """Whether `quote`, as the file gives it, is `body[start:end]` of the checked body (the
    common case), so that the slow path's every check of the span would pass: the body is
    free of what the text rule refuses and already normalised (NFC, "\n", no control
    characters), which leaves the quote's own NFC form and a byte-order mark at its start
    (`normalise_body` would strip it) to check."""
    return (
        type(start) is int
        and type(end) is int
        and type(quote) is str
        and 0 <= start < end <= len(body)
        and body[start:end] == quote
        and quote[0] != "\ufeff"
        and unicodedata.is_normalized("NFC", quote)
    )


def _span(raw: dict, body: str, index: int) -> tuple[int, int, str]:
    """The claim's start, end and quote, every check made on the values as given: for what
    `_exact_span` does not settle, and for the messages."""
    start, end = _int(raw.get("start"), "start", index), _int(raw.get("end"), "end", index)
    quote = raw.get("quote")
    if not isinstance(quote, str):
        raise RecordProblem(f"claim {index}: “quote” is missing.")
    quote = _text(raw, "quote", claim=index)
    quote = anchoring.normalise_body(quote)
    try:
        anchoring.check_span(body, start, end, quote, advice=FIX_OFFSETS)
    except anchoring.AnchorError as exc:
        raise RecordProblem(f"claim {index}: {exc}") from exc
    return start, end, quote


def _claim(raw, body: str, index: int, label_keys: frozenset[str]) -> ClaimRecord:
    if not isinstance(raw, dict):
        raise RecordProblem(f"claim {index} must be an object.")
    start, end, quote = raw.get("start"), raw.get("end"), raw.get("quote")
    if not _exact_span(body, start, end, quote):
        start, end, quote = _span(raw, body, index)
    label = raw.get("label")
    if not isinstance(label, str) or label not in label_keys:
        raise RecordProblem(
            gettext("claim %(index)s: unknown label “%(label)s” (use %(keys)s).")
            % {
                "index": index,
                "label": label,
                "keys": get_text_list(labels.all_keys(), gettext("or")),
            }
        )
    source = raw.get("source") or ""
    if source:
        if not isinstance(source, str):
            raise RecordProblem(f"claim {index}: “source” must be a name.")
        source = _text(raw, "source", claim=index)
        if len(" ".join(source.split())) > SOURCE_NAME_MAX:  # as a source's name is stored
            raise RecordProblem(
                f"claim {index}: “source” is longer than {SOURCE_NAME_MAX} characters."
            )
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
        if not isinstance(evidence_url, str) or len(evidence_url) > 2000:
            raise RecordProblem(f"claim {index}: the evidence link must be http or https.")
        try:
            _url(evidence_url)
        except ValidationError as exc:
            raise RecordProblem(f"claim {index}: the evidence link must be http or https.") from exc
    note = _text(raw, "note", claim=index)
    summary = _text(raw, "public_summary", claim=index)
    note = anchoring.normalise_body(note) if note else ""
    summary = anchoring.normalise_body(summary) if summary else ""
    if len(summary) > PUBLIC_SUMMARY_MAX:
        raise RecordProblem(
            f"claim {index}: “public_summary” is longer than {PUBLIC_SUMMARY_MAX} characters."
        )
    return ClaimRecord(
        start, end, quote, label, source.strip(), credibility, note, evidence_url, summary
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
    if url and len(url) > MAX_LENGTHS["url"]:
        raise RecordProblem("“url” is longer than 2000 characters.")
    if url:
        try:
            _url(url)
        except ValidationError as exc:
            raise RecordProblem(f"“url” is not an http(s) link: “{url}”.") from exc
    claims_raw = raw.get("claims") or []
    if isinstance(claims_raw, str):
        claims_raw = _loads(claims_raw, what="“claims”") if claims_raw.strip() else []
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
        claims=_claims(claims_raw, body),
    )


def _claims(claims_raw: list, body: str) -> list[ClaimRecord]:
    """Every claim of a record, or RecordProblem naming each bad one (not only the first)."""
    claims, problems = [], []
    label_keys = frozenset(labels.all_keys())
    for index, raw in enumerate(claims_raw, start=1):
        try:
            claims.append(_claim(raw, body, index, label_keys))
        except RecordProblem as exc:
            problems.append(str(exc))
    if problems:
        raise RecordProblem(" ".join(problems))
    return claims


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def _refuse_constant(name: str):
    raise RecordProblem(f"{name} is not a number JSON allows: write it as text, or leave it out.")


def _loads(data: str, *, what: str = "The line"):
    """json.loads, refusing what would break it or us: nesting deeper than MAX_JSON_DEPTH
    (checked before parsing, so no RecursionError), NaN and Infinity."""
    depth = deepest = 0
    # Fewer opening brackets than the limit cannot nest deeper than it: most lines (an
    # article and its claims) are decided by two fast counts, not a scan of every string.
    brackets = data.count("[") + data.count("{")
    # Otherwise the brackets outside strings (the strings taken out in one pass of the
    # regex engine, not one step of Python each: a line of 100 claims has 400 of them).
    outside = _JSON_STRING.sub("", data) if brackets > MAX_JSON_DEPTH else ""
    for bracket in _JSON_BRACKET.findall(outside):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                raise RecordProblem(
                    f"{what} is nested more than {MAX_JSON_DEPTH} levels deep: not an export "
                    "of articles."
                )
        elif bracket in "]}":
            depth -= 1
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise RecordProblem(
            f"Not valid JSON: {exc.msg} (column {exc.colno})."
            if what == "The line"
            else f"{what} is not valid JSON: {exc.msg} (line {exc.lineno})."
        ) from exc
    except (RecursionError, ValueError) as exc:
        raise RecordProblem(f"{what} is not valid JSON.") from exc


def _validated(rows: Iterable[tuple[int, object]]) -> Iterator[ArticleRecord | RowError]:
    for line, raw in rows:
        if isinstance(raw, RowError):
            yield raw
            continue
        try:
            yield validate_record(raw, line)
        except RecordProblem as exc:
            yield RowError(line, str(exc))
        except Exception:  # a shape no check foresaw: the row is reported, never a 500
            logger.exception("Bulk import: row %s could not be read", line)
            yield RowError(line, "This row could not be read: its fields have unexpected types.")


def read_jsonl(stream: io.TextIOBase) -> Iterator[ArticleRecord | RowError]:
    def rows():
        for line, content in enumerate(stream, start=1):
            if not content.strip():
                continue
            try:
                yield line, _loads(content.rstrip("\r\n"))  # the line's own break is no error
            except RecordProblem as exc:
                yield line, RowError(line, str(exc))

    return _validated(rows())


def _cell_limit() -> int:
    from django.conf import settings

    return max(settings.ARTICLE_UPLOAD_MAX_BYTES, settings.BULK_IMPORT_MAX_BYTES)


def read_csv(stream: io.TextIOBase) -> Iterator[ArticleRecord | RowError]:
    """One article per row; `claims` (optional) holds a JSON list. Quoted newlines are kept;
    the line number reported is the line where the row starts."""
    # Python's default limit on a cell is 128 KB; an article may be as long as an upload.
    csv.field_size_limit(max(csv.field_size_limit(), _cell_limit()))
    reader = csv.DictReader(stream)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        return iter([RowError(1, f"The header row cannot be read as CSV: {exc}.")])
    if fieldnames is None:
        return iter([RowError(1, "The file is empty.")])
    fieldnames = [name.strip().lstrip("\ufeff") for name in reader.fieldnames]
    reader.fieldnames = fieldnames
    missing = {"title", "body"} - set(fieldnames)
    if missing:
        return iter([RowError(1, f"Missing column(s): {', '.join(sorted(missing))}.")])

    def rows():
        start_line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # a cell over the limit, a NUL in a cell...
                yield start_line, RowError(start_line, f"This row cannot be read as CSV: {exc}.")
                start_line = reader.line_num + 1
                continue
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
    for _ in range(MAX_PAGES):
        if not isinstance(page, dict):
            return
        yield page
        page = page.get("next")
    raise RecordProblem(f"The collection has more than {MAX_PAGES:,} pages.")


def _objects(value, what: str) -> list[dict]:
    """A JSON-LD value that may be one object or a list of them, as a list of objects.
    `what`: the words for "these must be objects", translated by the caller."""
    if value in (None, ""):
        return []
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, dict) for item in items):
        raise RecordProblem(what)
    return items


def claim_from_annotation(item) -> tuple[str, dict]:
    """(article IRI, claim in the bulk schema) from one of our W3C Web Annotations: the
    target's TextPositionSelector and TextQuoteSelector, the bodies by purpose. The shape
    only: the values are checked by whoever uses the claim (the bulk schema here, the
    web's claim form in the annotation protocol's container, api/w3c.py)."""
    if not isinstance(item, dict):
        raise RecordProblem(gettext("Each annotation in “items” must be an object."))
    target = item.get("target") or {}
    if isinstance(target, list):
        target = target[0] if len(target) == 1 else None
    if not isinstance(target, dict):
        raise RecordProblem(gettext("An annotation's “target” must be one object."))
    selectors = _objects(target.get("selector"), gettext("Selectors must be objects."))
    if not all(isinstance(s.get("type"), str) for s in selectors):
        raise RecordProblem(gettext("Each selector needs a “type” (text)."))
    by_type = {s["type"]: s for s in selectors}
    position = by_type.get("TextPositionSelector") or {}
    quote = by_type.get("TextQuoteSelector") or {}
    claim = {
        "start": position.get("start"),
        "end": position.get("end"),
        "quote": quote.get("exact"),
    }
    bodies = _objects(item.get("body"), gettext("An annotation's bodies must be objects."))
    for body in bodies:
        purpose = body.get("purpose")
        if is_shared_claim_body(body):
            continue  # the shared claim it was linked to there: linking is a person's decision
        if purpose == "assessing":
            claim["label"] = body.get("value")
        elif purpose == "identifying":
            claim["source"] = body.get("value")
        elif purpose == "commenting":
            claim["note"] = body.get("value")
        elif purpose == "describing":
            claim["public_summary"] = body.get("value")
        elif purpose == "linking":
            claim["evidence_url"] = body.get("source")
        elif purpose == "classifying":
            value = body.get("value")
            if isinstance(value, str) and value.startswith(CREDIBILITY_PREFIX):
                claim["credibility"] = value.removeprefix(CREDIBILITY_PREFIX)
    source = target.get("source", "")
    if not isinstance(source, str):
        raise RecordProblem(gettext("An annotation's target “source” must be the article's link."))
    return source, claim


def read_jsonld(stream: io.TextIOBase) -> Iterator[ArticleRecord | RowError]:
    """Our W3C AnnotationCollection export, articles (`schema:hasPart`) and their claims.

    The file is read whole: the claims come before the articles they target. Every shape
    is checked field by field. "Line" in the report is the article's position in
    `schema:hasPart`.
    """
    try:
        data = _loads(stream.read(), what="The file")
        if not isinstance(data, dict) or data.get("type") != "AnnotationCollection":
            raise RecordProblem("Not a W3C AnnotationCollection exported by this app.")
        articles = data.get("schema:hasPart") or []
        if not isinstance(articles, list):
            raise RecordProblem("“schema:hasPart” must be a list of articles.")
        claims_by_iri: dict[str, list] = {}
        for page in _pages(data):
            items = page.get("items") or []
            if not isinstance(items, list):
                raise RecordProblem("A page's “items” must be a list of annotations.")
            for item in items:
                iri, claim = claim_from_annotation(item)
                claims_by_iri.setdefault(iri, []).append(claim)
    except RecordProblem as exc:
        return iter([RowError(1, str(exc))])

    def rows():
        for position, node in enumerate(articles, start=1):
            if not isinstance(node, dict):
                yield position, RowError(position, "Each article must be an object.")
                continue
            record = {
                "title": node.get("schema:headline", ""),
                "body": node.get("schema:articleBody", ""),
                "url": node.get("schema:url", ""),
                "outlet": node.get("schema:publisher", ""),
                "author": node.get("schema:author", ""),
                "language": node.get("schema:inLanguage", ""),
                "published_at": node.get("schema:datePublished", ""),
            }
            iri = node.get("id")
            claims = claims_by_iri.pop(iri, []) if isinstance(iri, str) else []
            url = record["url"]
            claims += claims_by_iri.pop(url, []) if isinstance(url, str) and url else []
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
