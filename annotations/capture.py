"""What a capture of an evidence link keeps, made from the guarded fetcher's answer, in pure
code (no database, no network): the WARC records of the exchange, the extracted main text,
their SHA-256 hashes, and what a failed fetch means for the record.

The services (`annotations.services.evidence`) fetch, call these, and store the results.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from datetime import datetime
from http import HTTPStatus
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from . import fetching
from .importers.drafts import ImportProblem
from .importers.extraction import draft_from_page
from .importers.web import ALLOWED_CONTENT_TYPES

USER_AGENT = f"{fetching.USER_AGENT} (evidence capture)"
HEADERS = {"User-Agent": USER_AGENT, "Accept": "*/*"}
# Answers that say the page is gone; with a failed DNS lookup, what counts toward *gone*.
GONE_STATUSES = frozenset({404, 410})
GONE_CODES = frozenset({"unresolved"})
# Fetch failures that may pass (a site down or slow, a name that did not resolve): retried.
PASSING_CODES = frozenset(
    {
        "unresolved",
        "connect_failed",
        "connect_timeout",
        "read_timeout",
        "broken",
        "too_slow",
        "other",
    }
)
# The fetcher decompresses the body: these headers would no longer describe the bytes kept.
_BODY_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def is_http(url: str) -> bool:
    """A link the app can capture (and that its Evidence rows' constraint accepts)."""
    return url.startswith(("http://", "https://"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main_text(result: fetching.FetchResult) -> str:
    """The page's main text, extracted as URL import extracts it (trafilatura); "" when the
    answer is not a page of text (a PDF, an image) or has none to read (a login wall)."""
    media_type = result.media_type
    if media_type and media_type not in ALLOWED_CONTENT_TYPES:
        return ""
    try:
        draft = draft_from_page(
            result.content, url=result.url, media_type=media_type, charset=result.charset
        )
    except ImportProblem:
        return ""
    return unicodedata.normalize("NFC", draft.body).strip()


def text_sha256(text: str) -> str:
    return sha256(text.encode("utf-8"))


def warc(result: fetching.FetchResult, *, captured_at: datetime) -> bytes:
    """A WARC file (gzipped records) of the final exchange: a request record (what the
    fetcher sends: method, path, Host, User-Agent, Accept) and a response record (status
    line, headers, and the body as the fetcher returned it, decompressed; the headers that
    described the compressed body are kept under an X-Archive-Orig- prefix)."""
    split = urlsplit(result.url)
    path = f"{split.path or '/'}?{split.query}" if split.query else split.path or "/"
    date = captured_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version="1.1")
    request = StatusAndHeaders(
        f"GET {path} HTTP/1.1",
        [("Host", split.netloc), *HEADERS.items(), ("Accept-Encoding", "gzip, deflate")],
        is_http_request=True,
    )
    writer.write_record(
        writer.create_warc_record(
            result.url, "request", http_headers=request, warc_headers_dict={"WARC-Date": date}
        )
    )
    try:
        phrase = HTTPStatus(result.status).phrase
    except ValueError:
        phrase = ""
    headers = [
        (f"X-Archive-Orig-{name}" if name.lower() in _BODY_HEADERS else name, value)
        for name, value in result.headers.items()
    ]
    headers.append(("Content-Length", str(len(result.content))))
    response = StatusAndHeaders(f"{result.status} {phrase}".strip(), headers, protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            result.url,
            "response",
            payload=io.BytesIO(result.content),
            length=len(result.content),
            http_headers=response,
            warc_headers_dict={"WARC-Date": date},
        )
    )
    return buffer.getvalue()


def warc_payload(data: bytes) -> bytes | None:
    """The body of a WARC file's response record, as stored (None when it has none)."""
    for record in ArchiveIterator(io.BytesIO(data)):
        if record.rec_type == "response":
            return record.content_stream().read()
    return None
