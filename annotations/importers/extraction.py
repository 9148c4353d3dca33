"""Bytes of a file or a fetched page into an `ArticleDraft`, in pure code (no network).

Nothing here touches a request or the database: views, admin and commands call these
functions and show `ImportProblem` messages to the editor as they are.

- `draft_from_text` and `draft_from_html` build an `ArticleDraft`; the body is plain text
  with paragraphs separated by a blank line. The service normalises it (NFC, "\\n") later.
- `draft_from_page` does the same for what the guarded fetcher brought back from a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from copy import deepcopy
from datetime import UTC, datetime
from urllib.parse import urlsplit

import trafilatura
from django.utils.translation import gettext as _
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Document, set_date_params
from trafilatura.xml import xmltotxt

from .decoding import decode_html, decode_text, empty_file
from .drafts import MAX_LENGTHS, TITLE_MAX, ArticleDraft, ImportProblem

__all__ = ["draft_from_html", "draft_from_page", "draft_from_text", "title_from_first_line"]

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$", re.IGNORECASE)
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_BLOCK_TAGS = {"p", "head", "list", "quote", "code", "table"}
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's whitespace; a no-break space is text


# --- Titles and plain text ------------------------------------------------------------------


def _clip(value: str, limit: int) -> str:
    """One line of at most `limit` characters, cut at a word with an ellipsis if needed."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"


_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|$)")
_BLANK_LINES = re.compile(r"(?:[^\S\r\n]*(?:\r\n|\r|\n))+")


def _given_title(given: str, notes: list[str]) -> str:
    title = " ".join(given.split())
    clipped = _clip(title, TITLE_MAX)
    if clipped != title:
        notes.append(_("The title was shortened to %(limit)s characters.") % {"limit": TITLE_MAX})
    return clipped


def title_from_first_line(text: str) -> tuple[str, str, list[str]]:
    """The text's first non-empty line as a title, the text without it, and notes on it.

    The line leaves the text (with the blank lines around it) only when it is the whole
    title, so that it is not shown twice. It stays when it is too long for a title (the
    title is then a shortened copy) and when it is all the text there is. Use this only
    when the title really is that line: a title the editor typed is never compared with
    the text, so a line that merely equals it stays.
    """
    notes: list[str] = []
    line = next((m for m in _LINE.finditer(text) if m.group(1).strip()), None)
    if line is None:
        return "", text, notes
    title = _given_title(line.group(1), notes)
    shortened = bool(notes)
    rest = text[line.end() :]
    blank = _BLANK_LINES.match(rest)
    rest = rest[blank.end() :] if blank else rest
    if shortened or not rest.strip():
        return title, text, notes
    notes.append(
        _(
            "The title was taken from the first line of the text, which is no longer "
            "repeated at the top of the body."
        )
    )
    return title, rest, notes


def _title_and_body(body: str, given: str, notes: list[str]) -> tuple[str, str]:
    """The title (`given` if any, else the text's first line) and the body that goes with it."""
    if given.strip():
        return _given_title(given, notes), body
    title, body, title_notes = title_from_first_line(body)
    notes.extend(title_notes)
    return title, body


def draft_from_text(data: bytes, *, title: str = "", encoding: str = "") -> ArticleDraft:
    """A draft from a plain-text file: the body is the file's text.

    The first non-empty line becomes the title unless `title` is given, and then leaves
    the body (see `title_from_first_line`). `encoding` is a charset the source declared
    (see `decode_text`).
    """
    text, note = decode_text(data, encoding=encoding)
    if not text.strip():
        raise ImportProblem(_("The file has no text, only blank lines or spaces."))
    notes = [note] if note else []
    title, body = _title_and_body(text, title, notes)
    return ArticleDraft(title=title, body=body, notes=notes)


# --- HTML -----------------------------------------------------------------------------------


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
        if _LANGUAGE_TAG.match(tag) and len(tag) <= MAX_LENGTHS["language"]:
            primary, _sep, rest = tag.partition("-")
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


def _body_blocks(document: Document | None) -> list[tuple[str, str]]:
    """The extracted blocks as (tag, plain text): one paragraph (or heading, list, quote)
    each, empty ones left out. Joined by a blank line, they are the body."""
    if document is None or document.body is None:
        return []
    blocks = (
        (block.tag, xmltotxt(_collapse_whitespace(block), include_formatting=False).strip())
        for block in _blocks(document.body)
    )
    return [(tag, text) for tag, text in blocks if text]


def _body_text(blocks: list[tuple[str, str]]) -> str:
    return "\n\n".join(text for _tag, text in blocks)


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


def _html_title_and_body(
    blocks: list[tuple[str, str]], given: str, page_title: str, notes: list[str]
) -> tuple[str, str]:
    """A page's title (`given`, else the page's own, else a copy of its first paragraph)
    and its body. The page's headline, when it is the first block, a heading (trafilatura's
    "head") and exactly the page's title, leaves the body so the title is not shown twice.
    A first paragraph is reporting, not a title line: it stays, even as the title's source.
    """
    body = _body_text(blocks)
    if given.strip():
        return _given_title(given, notes), body
    if not page_title.strip():
        first_line = next(m.group(1) for m in _LINE.finditer(body) if m.group(1).strip())
        return _given_title(first_line, notes), body
    title = _given_title(page_title, notes)
    (tag, first), rest = blocks[0], blocks[1:]
    if tag == "head" and rest and " ".join(first.split()) == title:
        notes.append(
            _(
                "The title is the page's headline, which is no longer repeated at the top "
                "of the body."
            )
        )
        return title, _body_text(rest)
    return title, body


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
        markup, note = decode_html(data, encoding)
        if note:
            notes.append(note)
    else:
        markup = data
    markup = _XML_DECLARATION.sub("", markup, count=1)
    if not markup.strip():
        raise empty_file()
    if "<html" not in markup[:2048].lower() and "<body" not in markup[:2048].lower():
        markup = f"<html><body>{markup}</body></html>"  # trafilatura wants a whole document

    document = _extract(markup, url, precise=True)
    blocks = _body_blocks(document)
    if not blocks:  # precision can be too strict on short or unusual pages
        document = _extract(markup, url, precise=False)
        blocks = _body_blocks(document)
    if document is None or not blocks:
        raise ImportProblem(
            _(
                "No article text found in this page. It may need JavaScript or a login to "
                "show the article: open it in your browser, copy the text and paste it instead."
            )
        )
    page_url = url or (document.url or "")
    if urlsplit(page_url).scheme not in {"http", "https"}:
        page_url = ""
    title, body = _html_title_and_body(blocks, title, document.title or "", notes)
    return ArticleDraft(
        title=title,
        body=body,
        url=page_url,
        outlet=_clip(document.sitename or "", MAX_LENGTHS["outlet"]),
        author=_clip(document.author or "", MAX_LENGTHS["author"]),
        published_at=_parse_date(document.date),
        language=_page_language(markup) or (document.language or "")[: MAX_LENGTHS["language"]],
        notes=notes,
    )


def draft_from_page(data: bytes, *, url: str, media_type: str, charset: str) -> ArticleDraft:
    """A draft from a fetched page's raw bytes, with the address it was fetched from.

    `media_type` and `charset` are what the server declared; a page that declares no type
    is read as HTML when it starts with markup, else as plain text.
    """
    if not data.strip():
        raise ImportProblem(_("The page at %(url)s is empty. Check the link.") % {"url": url})
    if not media_type:
        media_type = "text/html" if data.lstrip()[:1] == b"<" else "text/plain"
    if media_type == "text/plain":
        draft = draft_from_text(data, encoding=charset)
        draft.url = url
        return draft
    return draft_from_html(data, url=url, encoding=charset)
