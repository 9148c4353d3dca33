"""Bytes into text, for uploads and fetched pages, in pure code (no network, no database).

- `decode_text` reads an upload's bytes as text: UTF-8 (with or without a byte order mark),
  UTF-16/UTF-32 only with a byte order mark, and refuses binary files and other encodings.
  We do not guess legacy encodings (cp1251, cp1252, ...) for uploads: a wrong guess turns
  Cyrillic into mojibake that editors would then annotate, so the message names the first
  bad byte, suggests what the encoding probably is and asks for the file again as UTF-8.
- `decode_html` reads a web page. It is different (the editor has no file to re-save), so
  it follows what the page or server declares, and guesses only as a last resort, saying so
  in a note.

Every refusal is an `ImportProblem` whose message is shown to the editor as is.
"""

from __future__ import annotations

import codecs
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .drafts import ImportProblem

__all__ = ["decode_html", "decode_text"]

# UTF-32 before UTF-16: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_MAGIC_NUMBERS = (
    (b"%PDF-", gettext_lazy("a PDF document")),
    (b"PK\x03\x04", gettext_lazy("a ZIP archive, such as a Word .docx or OpenDocument file")),
    (b"PK\x05\x06", gettext_lazy("an empty ZIP archive")),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        gettext_lazy("an old Microsoft Office document, such as .doc"),
    ),
    (b"\x89PNG\r\n\x1a\n", gettext_lazy("a PNG image")),
    (b"\xff\xd8\xff", gettext_lazy("a JPEG image")),
    (b"GIF87a", gettext_lazy("a GIF image")),
    (b"GIF89a", gettext_lazy("a GIF image")),
    (b"\x1f\x8b", gettext_lazy("a gzip archive")),
    (b"7z\xbc\xaf\x27\x1c", gettext_lazy("a 7-Zip archive")),
    (b"Rar!\x1a\x07", gettext_lazy("a RAR archive")),
    (b"\x7fELF", gettext_lazy("a program")),
)
# C0 control characters other than tab, newline, vertical tab, form feed, carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_SAMPLE = 8192
_CONTROL_RATIO = 0.02
_ENCODING_NAMES = {
    "cp1251": gettext_lazy("Windows-1251 (Cyrillic)"),
    "cp1252": gettext_lazy("Windows-1252 (Western European)"),
    "cp1250": gettext_lazy("Windows-1250 (Central European)"),
    "koi8_r": gettext_lazy("KOI8-R (Cyrillic)"),
    "koi8_u": gettext_lazy("KOI8-U (Ukrainian)"),
    "mac_cyrillic": gettext_lazy("Mac Cyrillic"),
    "iso8859_5": gettext_lazy("ISO-8859-5 (Cyrillic)"),
    "cp866": gettext_lazy("DOS Cyrillic (CP866)"),
    "latin_1": gettext_lazy("Latin-1 (ISO-8859-1)"),
    "iso8859_1": gettext_lazy("Latin-1 (ISO-8859-1)"),
    "iso8859_2": gettext_lazy("Latin-2 (ISO-8859-2)"),
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""")


def empty_file() -> ImportProblem:
    return ImportProblem(_("The file is empty."))


def _binary_problem(what: str) -> ImportProblem:
    return ImportProblem(
        _("This looks like a binary file (%(what)s), not text. Upload a .txt or .html file.")
        % {"what": what}
    )


def _check_not_binary(data: bytes) -> None:
    """Refuse known binary formats, NUL bytes and data full of control characters."""
    for magic, what in _MAGIC_NUMBERS:
        if data.startswith(magic):
            raise _binary_problem(what)
    if data.lstrip()[:5].lower() == b"{\\rtf":
        raise ImportProblem(
            _(
                "This looks like an RTF document, not plain text. Save it as plain text (.txt, "
                "UTF-8) in your word processor, or paste the text, and try again."
            )
        )
    if b"\x00" in data:
        raise _binary_problem(_("it contains NUL bytes"))
    sample = data[:_CONTROL_SAMPLE]
    if len(_CONTROL_BYTES.findall(sample)) > _CONTROL_RATIO * len(sample):
        raise _binary_problem(_("it is full of control characters"))


def _check_text_not_binary(text: str) -> None:
    sample = text[:_CONTROL_SAMPLE]
    if "\x00" in text:
        raise _binary_problem(_("it contains NUL characters"))
    if len(_CONTROL.findall(sample)) > _CONTROL_RATIO * len(sample):
        raise _binary_problem(_("it is full of control characters"))


def _decode_bom(data: bytes) -> tuple[str, str | None] | None:
    """Decode data that starts with a byte order mark; None when there is none."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ImportProblem(
                    _(
                        "The file starts with a %(name)s byte order mark but is not valid "
                        "%(name)s (at byte offset %(offset)s). Save it as UTF-8 and upload it "
                        "again."
                    )
                    % {"name": name, "offset": exc.start}
                ) from None
            if not text:
                raise empty_file()
            _check_text_not_binary(text)
            note = None
            if name != "UTF-8":
                note = _(
                    "Decoded as %(name)s (the file starts with a %(name)s byte order mark)."
                ) % {"name": name}
            return text, note
    return None


def _decode_bom_or_check(data: bytes) -> tuple[str, str | None] | None:
    """Text and note for data with a byte order mark; else None, once the data is known
    not to be empty or binary."""
    if not data:
        raise empty_file()
    decoded = _decode_bom(data)
    if decoded is None:
        _check_not_binary(data)
    return decoded


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
    return str(_ENCODING_NAMES.get(codecs.lookup(codec).name.replace("-", "_"), codec))


def _declared_note(codec: str, *, by_page: bool = False) -> str:
    params = {"encoding": _describe_encoding(codec)}
    if by_page:
        return _("Decoded as %(encoding)s, as the page declared.") % params
    return _("Decoded as %(encoding)s, as the server declared.") % params


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
    decoded = _decode_bom_or_check(data)
    if decoded is not None:
        return decoded
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        declared = _codec(encoding)
        if declared and declared not in {"utf-8", "utf-16", "utf-32"}:
            text = data.decode(declared, errors="replace")
            _check_text_not_binary(text)
            return text, _declared_note(declared)
        raise _not_utf8(data, exc.start) from None
    _check_text_not_binary(text)
    return text, None


def _not_utf8(data: bytes, start: int) -> ImportProblem:
    """The first bad byte, where it is, the likely encoding, and what to do."""
    sentences = [
        _(
            "The file is not valid UTF-8: byte 0x%(byte)s at byte offset %(offset)s "
            "(line %(line)s) cannot be read."
        )
        % {
            "byte": f"{data[start]:02X}",
            "offset": start,
            "line": data.count(b"\n", 0, start) + 1,
        }
    ]
    guess = _guess_encoding(data)
    if guess:
        sentences.append(_("It looks like %(encoding)s.") % {"encoding": _describe_encoding(guess)})
    sentences.append(
        _("Open it in a text editor, save it with the encoding UTF-8, and upload it again.")
    )
    return ImportProblem(" ".join(sentences))


def decode_html(data: bytes, encoding: str) -> tuple[str, str | None]:
    """Decode a page the way a careful browser would, with a note when it was not UTF-8.

    Order: byte order mark; valid UTF-8 (even when mislabelled, as it often is); the
    charset the server declared (`encoding`); the one the page declares (<meta charset>,
    <?xml?>); a guess, said as such in the note.
    """
    decoded = _decode_bom_or_check(data)
    if decoded is not None:
        return decoded
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    head = data[:4096]
    for by_page, label in (
        (False, encoding),
        (True, _match(_META_CHARSET, head) or _match(_XML_ENCODING, head)),
    ):
        codec = _codec(label)
        if codec and not codec.startswith(("utf-16", "utf-32")):
            return data.decode(codec, errors="replace"), _declared_note(codec, by_page=by_page)
    # Browsers fall back on Windows-1252 too.
    guess = _guess_encoding(data) or "cp1252"
    return data.decode(guess, errors="replace"), _(
        "The page does not say how its text is encoded; it was read as %(encoding)s, a "
        "guess. Check letters such as quotes and names."
    ) % {"encoding": _describe_encoding(guess)}


def _match(pattern: re.Pattern[bytes], data: bytes) -> str:
    found = pattern.search(data)
    return found.group(1).decode("ascii", errors="replace") if found else ""
