"""Turn an uploaded file or a web address into an article draft, in pure code.

Nothing here touches a request or the database: views, admin and commands call these
functions and show `ImportProblem` messages to the editor as they are.

- `decode_text` reads an upload's bytes as text: UTF-8 (with or without a byte order mark),
  UTF-16/UTF-32 only with a byte order mark, and refuses binary files and other encodings.
  We do not guess legacy encodings (cp1251, cp1252, ...) for uploads: a wrong guess turns
  Cyrillic into mojibake that editors would then annotate, so the message names the first
  bad byte, suggests what the encoding probably is and asks for the file again as UTF-8.
  A web page is different (the editor has no file to re-save), so `draft_from_html` follows
  what the page or server declares, and guesses only as a last resort, saying so in a note.
- `draft_from_text` and `draft_from_html` build an `ArticleDraft`; the body is plain text
  with paragraphs separated by a blank line. The service normalises it (NFC, "\\n") later.
- `fetch_url` downloads a page with the defences a server-side fetch needs (SSRF): http(s)
  only, every resolved address checked and the connection pinned to the checked address (so
  DNS cannot switch to a private one between the check and the connection), redirects
  followed by hand and re-checked, timeouts, a size cap and a content-type allowlist.
"""

from __future__ import annotations

import codecs
import ipaddress
import re
import socket
import time
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit, urlunsplit

import trafilatura
import urllib3
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Document, set_date_params
from trafilatura.xml import xmltotxt
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util import parse_url

__all__ = [
    "ArticleDraft",
    "FetchedPage",
    "ImportProblem",
    "decode_text",
    "draft_from_html",
    "draft_from_text",
    "draft_from_url",
    "fetch_url",
]

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
# Longest values the Article model accepts.
TITLE_MAX = 500
OUTLET_MAX = 200
AUTHOR_MAX = 300
LANGUAGE_MAX = 16

ALLOWED_CONTENT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
USER_AGENT = "NewsroomClaimAnnotator/0.1 (article import)"
_CHUNK = 64 * 1024


class ImportProblem(ValueError):
    """Importing failed. The message is shown to the user as is: what went wrong, what to do."""


@dataclass
class ArticleDraft:
    """What an import found: the fields of a new article, for the editor to check and save."""

    title: str
    body: str
    url: str = ""
    outlet: str = ""
    author: str = ""
    published_at: datetime | None = None
    language: str = ""
    # Things the editor should know about the import, e.g. "Decoded as UTF-16 ...".
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FetchedPage:
    """A downloaded page: the final address after redirects, its media type and its bytes."""

    url: str
    content_type: str
    data: bytes
    # The charset the server declared in Content-Type, lowercased ("" when none).
    charset: str = ""


# --- Decoding -----------------------------------------------------------------------------

# UTF-32 before UTF-16: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_MAGIC_NUMBERS = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive, such as a Word .docx or OpenDocument file"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document, such as .doc"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program"),
)
# C0 control characters other than tab, newline, vertical tab, form feed, carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_SAMPLE = 8192
_CONTROL_RATIO = 0.02
_ENCODING_NAMES = {
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1252": "Windows-1252 (Western European)",
    "cp1250": "Windows-1250 (Central European)",
    "koi8_r": "KOI8-R (Cyrillic)",
    "koi8_u": "KOI8-U (Ukrainian)",
    "mac_cyrillic": "Mac Cyrillic",
    "iso8859_5": "ISO-8859-5 (Cyrillic)",
    "cp866": "DOS Cyrillic (CP866)",
    "latin_1": "Latin-1 (ISO-8859-1)",
    "iso8859_1": "Latin-1 (ISO-8859-1)",
    "iso8859_2": "Latin-2 (ISO-8859-2)",
}
_BINARY_ADVICE = "Upload a .txt or .html file."


def _binary_problem(what: str) -> ImportProblem:
    return ImportProblem(f"This looks like a binary file ({what}), not text. {_BINARY_ADVICE}")


def _check_not_binary(data: bytes) -> None:
    """Refuse known binary formats, NUL bytes and data full of control characters."""
    for magic, what in _MAGIC_NUMBERS:
        if data.startswith(magic):
            raise _binary_problem(what)
    if data.lstrip()[:5].lower() == b"{\\rtf":
        raise ImportProblem(
            "This looks like an RTF document, not plain text. Save it as plain text (.txt, "
            "UTF-8) in your word processor, or paste the text, and try again."
        )
    if b"\x00" in data:
        raise _binary_problem("it contains NUL bytes")
    sample = data[:_CONTROL_SAMPLE]
    if len(_CONTROL_BYTES.findall(sample)) > _CONTROL_RATIO * len(sample):
        raise _binary_problem("it is full of control characters")


def _check_text_not_binary(text: str) -> None:
    sample = text[:_CONTROL_SAMPLE]
    if "\x00" in text:
        raise _binary_problem("it contains NUL characters")
    if len(_CONTROL.findall(sample)) > _CONTROL_RATIO * len(sample):
        raise _binary_problem("it is full of control characters")


def _decode_bom(data: bytes) -> tuple[str, str | None] | None:
    """Decode data that starts with a byte order mark; None when there is none."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ImportProblem(
                    f"The file starts with a {name} byte order mark but is not valid {name} "
                    f"(at byte offset {exc.start}). Save it as UTF-8 and upload it again."
                ) from None
            if not text:
                raise ImportProblem("The file is empty.")
            _check_text_not_binary(text)
            note = None
            if name != "UTF-8":
                note = f"Decoded as {name} (the file starts with a {name} byte order mark)."
            return text, note
    return None


def _codec(name: str) -> str | None:
    """The Python codec for a declared charset, as browsers read it; None if unknown."""
    name = name.strip().strip("\"'").lower()
    if not name:
        return None
    # WHATWG: pages labelled Latin-1 or ASCII are read as Windows-1252 by every browser.
    if name in {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"}:
        name = "cp1252"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _describe_encoding(codec: str) -> str:
    return _ENCODING_NAMES.get(codecs.lookup(codec).name.replace("-", "_"), codec)


def _guess_encoding(data: bytes) -> str | None:
    """A likely legacy encoding for data that is not UTF-8, or None.

    charset-normalizer's best guess, kept only when it is one of the encodings a newsroom
    meets (`_ENCODING_NAMES`): on short samples it otherwise names exotic code pages.
    """
    try:
        from charset_normalizer import from_bytes  # a dependency of trafilatura
    except ImportError:  # pragma: no cover - always installed with trafilatura
        return None
    best = from_bytes(data[:65536]).best()
    codec = _codec(best.encoding) if best is not None else None
    return codec if codec and codec.replace("-", "_") in _ENCODING_NAMES else None


def decode_text(data: bytes, *, encoding: str = "") -> tuple[str, str | None]:
    """Read an uploaded text file: return its text and a note for the editor (or None).

    UTF-8 is read with or without a byte order mark; UTF-16 and UTF-32 only with one (noted).
    `encoding` is a charset the source declared (a server's Content-Type); it is used when
    the data is not UTF-8. Anything else raises `ImportProblem`: an empty file, a binary file
    (known formats, NUL bytes, control characters) or text in another encoding (the message
    names the first bad byte and the likely encoding, and asks for UTF-8).
    """
    if not data:
        raise ImportProblem("The file is empty.")
    decoded = _decode_bom(data)
    if decoded is not None:
        return decoded
    _check_not_binary(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        declared = _codec(encoding)
        if declared and declared not in {"utf-8", "utf-16", "utf-32"}:
            text = data.decode(declared, errors="replace")
            _check_text_not_binary(text)
            return text, f"Decoded as {_describe_encoding(declared)}, as the server declared."
        line = data.count(b"\n", 0, exc.start) + 1
        guess = _guess_encoding(data)
        hint = f" It looks like {_describe_encoding(guess)}." if guess else ""
        raise ImportProblem(
            f"The file is not valid UTF-8: byte 0x{data[exc.start]:02X} at byte offset "
            f"{exc.start} (line {line}) cannot be read.{hint} Open it in a text editor, save "
            "it with the encoding UTF-8, and upload it again."
        ) from None
    _check_text_not_binary(text)
    return text, None


# --- Drafts from files ----------------------------------------------------------------------


def _clip(value: str, limit: int) -> str:
    """One line of at most `limit` characters, cut at a word with an ellipsis if needed."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _title_from(body: str, given: str, notes: list[str]) -> str:
    title = " ".join(given.split()) or _first_line(body)
    clipped = _clip(title, TITLE_MAX)
    if clipped != " ".join(title.split()):
        notes.append(f"The title was shortened to {TITLE_MAX} characters.")
    return clipped


def draft_from_text(data: bytes, *, title: str = "", encoding: str = "") -> ArticleDraft:
    """A draft from a plain-text file: the body is the file's text exactly.

    The first non-empty line becomes the title unless `title` is given; it also stays in
    the body. `encoding` is a charset the source declared (see `decode_text`).
    """
    text, note = decode_text(data, encoding=encoding)
    if not text.strip():
        raise ImportProblem("The file has no text, only blank lines or spaces.")
    notes = [note] if note else []
    return ArticleDraft(title=_title_from(text, title, notes), body=text, notes=notes)


# --- Drafts from HTML -----------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$", re.IGNORECASE)
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_BLOCK_TAGS = {"p", "head", "list", "quote", "code", "table"}
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's whitespace; a no-break space is text


def _decode_html(data: bytes, encoding: str) -> tuple[str, str | None]:
    """Decode a page the way a careful browser would, with a note when it was not UTF-8.

    Order: byte order mark; valid UTF-8 (even when mislabelled, as it often is); the
    charset the server declared; the one the page declares (<meta charset>, <?xml?>);
    a guess, said as such in the note.
    """
    if not data:
        raise ImportProblem("The file is empty.")
    decoded = _decode_bom(data)
    if decoded is not None:
        return decoded
    _check_not_binary(data)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    head = data[:4096]
    for source, label in (
        ("the server", encoding),
        ("the page", _match(_META_CHARSET, head) or _match(_XML_ENCODING, head)),
    ):
        codec = _codec(label)
        if codec and not codec.startswith(("utf-16", "utf-32")):
            return data.decode(codec, errors="replace"), (
                f"Decoded as {_describe_encoding(codec)}, as {source} declared."
            )
    # Browsers fall back on Windows-1252 too.
    guess = _guess_encoding(data) or "cp1252"
    return data.decode(guess, errors="replace"), (
        f"The page does not say how its text is encoded; it was read as "
        f"{_describe_encoding(guess)}, a guess. Check letters such as quotes and names."
    )


def _match(pattern: re.Pattern[bytes], data: bytes) -> str:
    found = pattern.search(data)
    return found.group(1).decode("ascii", errors="replace") if found else ""


def _page_language(markup: str) -> str:
    """The language the page declares: <html lang>, Content-Language or og:locale."""
    try:
        tree = lxml_html.document_fromstring(markup.encode("utf-8"))
    except (ValueError, etree.ParserError):
        return ""
    candidates = [
        tree.get("lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        *tree.xpath(
            "//meta[translate(@http-equiv, 'CONTENT-LANGUAGE', 'content-language')"
            " = 'content-language']/@content"
        ),
        *tree.xpath("//meta[@property='og:locale']/@content"),
    ]
    for candidate in candidates:
        tag = (candidate or "").split(",")[0].strip().replace("_", "-")
        if _LANGUAGE_TAG.match(tag) and len(tag) <= LANGUAGE_MAX:
            primary, _, rest = tag.partition("-")
            return primary.lower() + (f"-{rest}" if rest else "")
    return ""


def _parse_date(value: str | None) -> datetime | None:
    """An aware datetime (UTC) from trafilatura's date; a date without a zone counts as UTC."""
    if not value:
        return None
    for parse in (lambda v: datetime.strptime(v, _DATE_FORMAT), datetime.fromisoformat):
        try:
            parsed = parse(value)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    return None


def _extract(markup: str, url: str, *, precise: bool) -> Document | None:
    return trafilatura.bare_extraction(
        markup,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        favor_precision=precise,
        # Dates from metadata only: a war story's text is full of other dates.
        date_extraction_params={**set_date_params(False), "outputformat": _DATE_FORMAT},
    )


def _collapse_whitespace(block: etree._Element) -> etree._Element:
    """A copy of the block with the source's line breaks and indents read as HTML does.

    In HTML a run of spaces, tabs and newlines is one space; trafilatura collapses them in
    simple paragraphs but keeps them around inline elements (<br>, <b>, links). Line breaks
    that mean something are <lb/> elements. Preformatted text keeps its whitespace:
    trafilatura turns <pre> into <quote> (or <code>) with the text directly inside.
    """
    block = deepcopy(block)

    def preformatted(element: etree._Element | None) -> bool:
        if element is None:
            return False
        return element.tag in {"code", "quote"} or any(
            node.tag == "code" for node in element.iterancestors()
        )

    for element in block.iter():
        if element.text and not preformatted(element):
            element.text = _HTML_SPACE.sub(" ", element.text)
        if element.tail and element is not block and not preformatted(element.getparent()):
            element.tail = _HTML_SPACE.sub(" ", element.tail)
    return block


def _body_text(document: Document | None) -> str:
    """Plain text of the extracted blocks, one paragraph (or list, or quote) per block."""
    if document is None or document.body is None:
        return ""
    texts = (
        xmltotxt(_collapse_whitespace(block), include_formatting=False).strip()
        for block in _blocks(document.body)
    )
    return "\n\n".join(text for text in texts if text)


def _blocks(parent: etree._Element) -> Iterator[etree._Element]:
    """The paragraph-level blocks; a quotation made of paragraphs gives one per paragraph."""
    for block in parent:
        made_of_blocks = (
            block.tag == "quote"
            and len(block)
            and not (block.text or "").strip()
            and all(child.tag in _BLOCK_TAGS and not (child.tail or "").strip() for child in block)
        )
        if made_of_blocks:
            yield from _blocks(block)
        else:
            yield block


def draft_from_html(
    data: bytes | str, *, url: str = "", title: str = "", encoding: str = ""
) -> ArticleDraft:
    """A draft from a web page: the article's main text and its metadata, with no markup.

    trafilatura finds the main text (no navigation, comments, tables, scripts or markup)
    and the metadata: title, author, publication date (aware, in UTC), site name as the
    outlet, and the language the page declares. Paragraphs are separated by a blank line;
    a line break inside a paragraph stays a single newline. `url` is where the page came
    from (else the page's canonical link, if any); `title` overrides the page's title;
    `encoding` is the charset the server declared. No network is used.
    """
    notes: list[str] = []
    if isinstance(data, bytes):
        markup, note = _decode_html(data, encoding)
        if note:
            notes.append(note)
    else:
        markup = data
    markup = _XML_DECLARATION.sub("", markup, count=1)
    if not markup.strip():
        raise ImportProblem("The file is empty.")
    if "<html" not in markup[:2048].lower() and "<body" not in markup[:2048].lower():
        markup = f"<html><body>{markup}</body></html>"  # trafilatura wants a whole document

    document = _extract(markup, url, precise=True)
    body = _body_text(document)
    if not body:  # precision can be too strict on short or unusual pages
        document = _extract(markup, url, precise=False)
        body = _body_text(document)
    if document is None or not body:
        raise ImportProblem(
            "No article text found in this page. It may need JavaScript or a login to show "
            "the article: open it in your browser, copy the text and paste it instead."
        )
    page_url = url or (document.url or "")
    if urlsplit(page_url).scheme not in {"http", "https"}:
        page_url = ""
    return ArticleDraft(
        title=_title_from(body, title or document.title or "", notes),
        body=body,
        url=page_url,
        outlet=_clip(document.sitename or "", OUTLET_MAX),
        author=_clip(document.author or "", AUTHOR_MAX),
        published_at=_parse_date(document.date),
        language=_page_language(markup) or (document.language or "")[:LANGUAGE_MAX],
        notes=notes,
    )


# --- Fetching -------------------------------------------------------------------------------

_REDIRECTS = {301, 302, 303, 307, 308}
_TYPE_NAMES = {
    "application/pdf": "a PDF document",
    "application/json": "JSON data",
    "application/xml": "an XML document",
    "text/xml": "an XML document",
    "application/zip": "a ZIP archive",
    "application/octet-stream": "a binary file",
}


@dataclass(frozen=True)
class _Target:
    url: str  # normalised, without fragment
    scheme: str
    host: str  # ASCII (IDNA), without brackets
    port: int
    request_uri: str


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    if n >= 1024:
        return f"{n / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{n} bytes"


def _target(url: str, *, redirected: bool = False) -> _Target:
    """Check and normalise an address; only http(s) with a host, no user name or password."""
    where = "The page redirected to an address that" if redirected else "This address"
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ImportProblem(f"{where} is not a valid web address. Check it for typos.") from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise ImportProblem(
            f"{where} does not start with http:// or https://. Give the article's full web "
            "address, as your browser shows it (https://…)."
        )
    if scheme not in {"http", "https"}:
        raise ImportProblem(
            f"{where} starts with {scheme}://; only http:// and https:// links can be "
            "imported. Give the article's web address, starting with https://."
        )
    if not parts.hostname:
        raise ImportProblem(f"{where} has no host name. Check it for typos.")
    if parts.username is not None or parts.password is not None:
        raise ImportProblem(
            f"{where} contains a user name or password. Remove them and try again, or paste "
            "the article's text instead."
        )
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise ImportProblem(f"{where} has an invalid host name. Check it for typos.") from None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    normalised = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    try:
        request_uri = parse_url(normalised).request_uri
    except HTTPError:
        raise ImportProblem(f"{where} is not a valid web address. Check it for typos.") from None
    default_port = 443 if scheme == "https" else 80
    return _Target(normalised, scheme, host, port or default_port, request_uri)


def _refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address must not be fetched (None when it is a public internet address)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return _refusal(embedded)
    checks = (
        (address.is_loopback, "a loopback address"),
        (address.is_unspecified, "an unspecified address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_private, "a private network address"),
        (address.is_reserved, "a reserved address"),
        (not address.is_global, "not a public internet address"),
    )
    return next((reason for failed, reason in checks if failed), None)


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _resolve(target: _Target, *, allow_private: bool) -> list[str]:
    """The addresses to connect to; every one checked before any connection is made."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise ImportProblem(
            f"Could not find the site {target.host} (the name does not resolve). Check the "
            "address for typos, or try again later."
        ) from None
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    if not addresses:  # pragma: no cover - getaddrinfo raises instead
        raise ImportProblem(f"Could not find the site {target.host}.")
    if not allow_private:
        for address in addresses:
            reason = _refusal(ipaddress.ip_address(address))
            if reason:
                what = (
                    f"{address} is"
                    if ipaddress.ip_address(address) == _literal(target.host)
                    else f"{target.host} points to {address},"
                )
                raise ImportProblem(
                    f"Refused to fetch {target.url}: {what} {reason}. Private and loopback "
                    "addresses are never fetched, for safety. Give the article's public web "
                    "address."
                )
    return addresses


def _connection_problem(exc: Exception, target: _Target, timeouts: urllib3.Timeout) -> str:
    if isinstance(exc, SSLError):
        return (
            f"The secure connection to {target.host} failed (its HTTPS certificate could not "
            "be verified). Check the address, or paste the article's text instead."
        )
    if isinstance(exc, NewConnectionError):
        return (
            f"Could not connect to {target.host}: the site refused or is unreachable. "
            "Try again later, or paste the article's text instead."
        )
    if isinstance(exc, ConnectTimeoutError):
        return (
            f"{target.host} did not answer within {timeouts.connect_timeout:g} seconds. "
            "Try again later, or paste the article's text instead."
        )
    if isinstance(exc, ReadTimeoutError):
        return (
            f"{target.host} stopped sending data for more than {timeouts.read_timeout:g} "
            "seconds. Try again later, or paste the article's text instead."
        )
    if isinstance(exc, DecodeError):
        return f"The page from {target.host} is compressed in a way that could not be read."
    if isinstance(exc, ProtocolError):
        return (
            f"The connection to {target.host} broke off while reading the page. Try again "
            "later, or paste the article's text instead."
        )
    return f"Could not fetch the page from {target.host}. Try again later."


def _open(
    target: _Target, addresses: list[str], timeouts: urllib3.Timeout
) -> tuple[urllib3.HTTPConnectionPool, urllib3.BaseHTTPResponse]:
    """Send the GET to the first checked address that accepts a connection.

    The pool connects to the address itself, not to the name, so the address we checked
    is the one we talk to; the Host header and TLS (SNI and certificate) use the name.
    """
    default_port = 443 if target.scheme == "https" else 80
    host_header = f"[{target.host}]" if ":" in target.host else target.host
    if target.port != default_port:
        host_header += f":{target.port}"
    headers = {
        "Host": host_header,
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
        "Accept-Encoding": "gzip, deflate",
    }
    problem = ""
    for address in addresses:
        pool: urllib3.HTTPConnectionPool
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                target.port,
                timeout=timeouts,
                retries=False,
                maxsize=1,
                cert_reqs="CERT_REQUIRED",
                server_hostname=target.host,
            )
        else:
            pool = urllib3.HTTPConnectionPool(
                address, target.port, timeout=timeouts, retries=False, maxsize=1
            )
        try:
            response = pool.urlopen(
                "GET",
                target.request_uri,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
        except (NewConnectionError, ConnectTimeoutError) as exc:
            pool.close()
            problem = _connection_problem(exc, target, timeouts)
            continue  # try the site's next address
        except HTTPError as exc:
            pool.close()
            raise ImportProblem(_connection_problem(exc, target, timeouts)) from None
        return pool, response
    raise ImportProblem(problem)


def _media_type(response: urllib3.BaseHTTPResponse) -> tuple[str, str]:
    """The media type (lowercase, no parameters) and declared charset of a response."""
    value = response.headers.get("Content-Type", "")
    media_type, _, params = value.partition(";")
    charset = ""
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").lower()
    return media_type.strip().lower(), charset


def _too_slow(total_timeout: float) -> ImportProblem:
    return ImportProblem(
        f"The page took longer than {total_timeout:g} seconds to download. Try again later, "
        "or paste the article's text instead."
    )


def _read_body(
    response: urllib3.BaseHTTPResponse,
    target: _Target,
    timeouts: urllib3.Timeout,
    *,
    max_bytes: int,
    deadline: float,
    total_timeout: float,
) -> bytes:
    too_big = ImportProblem(
        f"The page is larger than {_size(max_bytes)}, the limit for imports. Copy the "
        "article's text from your browser and paste it instead."
    )
    try:
        declared = int(response.headers.get("Content-Length", ""))
    except ValueError:
        declared = -1
    if declared > max_bytes:
        raise too_big
    chunks: list[bytes] = []
    received = 0
    while True:
        if time.monotonic() > deadline:
            raise _too_slow(total_timeout)
        try:
            chunk = response.read1(_CHUNK)  # one read: a slow trickle still meets the deadline
        except HTTPError as exc:
            raise ImportProblem(_connection_problem(exc, target, timeouts)) from None
        if not chunk:
            return b"".join(chunks)
        received += len(chunk)
        if received > max_bytes:
            raise too_big
        chunks.append(chunk)


def fetch_url(
    url: str,
    *,
    allow_private: bool = False,
    connect_timeout: float = 5,
    read_timeout: float = 10,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = 5,
    total_timeout: float = 30,
) -> FetchedPage:
    """Download a web page safely for import; every failure is an `ImportProblem`.

    Only http and https. Before each connection (the first and after every redirect) the
    host is resolved and every address checked: loopback, private, link-local, multicast,
    reserved and unspecified addresses (IPv4-mapped and NAT64 IPv6 included) are refused
    unless `allow_private`, and the connection goes to the checked address. Redirects are
    followed by hand, at most `max_redirects`. `connect_timeout` and `read_timeout` bound
    each connection and each read; `total_timeout` bounds the whole download. The body
    (decompressed) may not exceed `max_bytes`. The page must be HTML, XHTML or plain text,
    and answer 2xx.
    """
    timeouts = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
    deadline = time.monotonic() + total_timeout
    target = _target(url)
    redirects = 0
    while True:
        if time.monotonic() > deadline:
            raise _too_slow(total_timeout)
        addresses = _resolve(target, allow_private=allow_private)
        pool, response = _open(target, addresses, timeouts)
        try:
            location = response.headers.get("Location")
            if response.status in _REDIRECTS and location:
                if redirects >= max_redirects:
                    raise ImportProblem(
                        f"The page redirected more than {max_redirects} times. Open the link "
                        "in your browser and give the address it ends up at."
                    )
                redirects += 1
                target = _target(urljoin(target.url, location), redirected=True)
                continue
            if not 200 <= response.status < 300:
                try:
                    phrase = HTTPStatus(response.status).phrase
                except ValueError:
                    phrase = response.reason or "an error"
                raise ImportProblem(
                    f"The page answered {response.status} {phrase}. Check the link, or paste "
                    "the article's text instead."
                )
            media_type, charset = _media_type(response)
            if media_type and media_type not in ALLOWED_CONTENT_TYPES:
                kind = _TYPE_NAMES.get(media_type) or (
                    "an image" if media_type.startswith("image/") else f"a {media_type} file"
                )
                raise ImportProblem(
                    f"The link gives {kind} ({media_type}), not a web page. Only HTML pages "
                    "and plain text can be imported; copy the article's text and paste it."
                )
            data = _read_body(
                response,
                target,
                timeouts,
                max_bytes=max_bytes,
                deadline=deadline,
                total_timeout=total_timeout,
            )
        finally:
            response.close()
            pool.close()
        if not media_type:  # no Content-Type: markup is HTML, anything else plain text
            start = data.lstrip()[:1]
            media_type = "text/html" if start == b"<" else "text/plain"
        return FetchedPage(url=target.url, content_type=media_type, data=data, charset=charset)


def draft_from_url(
    url: str,
    *,
    allow_private: bool = False,
    connect_timeout: float = 5,
    read_timeout: float = 10,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = 5,
    total_timeout: float = 30,
) -> ArticleDraft:
    """Fetch a page (see `fetch_url`) and make a draft of it, with its final address."""
    page = fetch_url(
        url,
        allow_private=allow_private,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        total_timeout=total_timeout,
    )
    if not page.data.strip():
        raise ImportProblem(f"The page at {page.url} is empty. Check the link.")
    if page.content_type == "text/plain":
        draft = draft_from_text(page.data, encoding=page.charset)
        draft.url = page.url
        return draft
    return draft_from_html(page.data, url=page.url, encoding=page.charset)
