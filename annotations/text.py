"""The one text rule for every door: forms, bulk files, the admin, commands and the API.

Text that a person typed or a file carried is refused, with a message, when it holds what no
article, name or note can hold and no database keeps alike on SQLite and PostgreSQL:

- a NUL or another control character (C0 and C1, DEL), other than a tab, and a line break
  in fields of more than one line;
- a lone surrogate (half of a UTF-16 pair, "\\ud800" in JSON): it is not a character, and
  PostgreSQL cannot store it;
- invalid UTF-8 in a request (checked on the raw bytes by `middleware.RequestBytesMiddleware`,
  since Django decodes a form with replacement characters; U+FFFD itself is never refused,
  real scraped text contains it).

The article body is the exception, documented in README: it is normalised on the way in
(NFC, "\\n" line endings, control characters other than tab and newline removed), so that
offsets count over exactly what the page shows. Only a lone surrogate is refused there.

Pure functions (`problem`) return the problem in words; `validate_line`, `validate_lines`
and `validate_body` are the same rules as Django validators, for model and form fields.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 controls but tab (and, in text of many lines, line feed and carriage return), DEL, C1.
_CONTROL_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CONTROL_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _name(char: str) -> str:
    names = {"\x00": "a NUL character", "\n": "a line break", "\r": "a carriage return"}
    return names.get(char, f"the control character U+{ord(char):04X}")


def problem(value: str, *, lines: bool = False, body: bool = False) -> str | None:
    """What is wrong with `value` under the text rule, in words, or None.

    `lines`: a field of several lines (a note), where line breaks are allowed. `body`: an
    article's text, whose control characters are removed by normalising instead."""
    surrogate = _SURROGATE.search(value)
    if surrogate:
        return _(
            "The text holds half of a UTF-16 character pair (U+%(code)04X) at character "
            "%(at)d, which is not a character. Fix the text or the file's encoding."
        ) % {"code": ord(surrogate.group()), "at": surrogate.start() + 1}
    if body:
        return None
    control = (_CONTROL_LINES if lines else _CONTROL_LINE).search(value)
    if control:
        return _(
            "The text holds %(what)s at character %(at)d, which cannot be stored as text. "
            "Remove it and try again."
        ) % {"what": _name(control.group()), "at": control.start() + 1}
    return None


def _refuse(found: str | None) -> None:
    if found:
        raise ValidationError(found, code="bad_text")


def validate_line(value) -> None:
    """A one-line field: a title, a name, an outlet, a link."""
    if isinstance(value, str):
        _refuse(problem(value))


# An absolute IRI (RFC 3987): a scheme, a colon, then no space, control or quote character.
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f-\x9f\"<>\\^`{|}]+")


def validate_iri(value) -> None:
    """A W3C Web Annotation's `canonical` or `via`: an absolute IRI, such as
    https://example.org/anno/1 or urn:uuid:…, on one line."""
    if isinstance(value, str) and value:
        _refuse(problem(value))
        if not _IRI.fullmatch(value):
            raise ValidationError(
                _("Send an absolute IRI, such as https://example.org/anno/1 or urn:uuid:…."),
                code="invalid_iri",
            )


def validate_lines(value) -> None:
    """A field of several lines: a note, a quote."""
    if isinstance(value, str):
        _refuse(problem(value, lines=True))


def validate_body(value) -> None:
    """An article's text (normalised, not refused, for control characters)."""
    if isinstance(value, str):
        _refuse(problem(value, body=True))


def is_valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class TextRulesForm(forms.Form):
    """Every text field of every form gets the one text rule (`annotations.text`): a field
    of several lines (a textarea) may hold line breaks; the article body is normalised
    instead, as documented."""

    body_fields = ("body",)
    # Fields of several lines whatever their widget: a quote may span paragraphs.
    lines_fields = ("quote", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField):
                continue
            if name in self.body_fields:
                rule = validate_body
            elif name in self.lines_fields or isinstance(field.widget, forms.Textarea):
                rule = validate_lines
            else:
                rule = validate_line
            field.validators.append(rule)


def utc_moment(value: datetime) -> datetime:
    """A date-time as it is stored: in UTC. Any offset Python reads is accepted on the way
    in ("-22:13" is one), but PostgreSQL refuses offsets past 15:59, and a date near the
    ends of the calendar may not exist in UTC ("0001-01-01T00:00+05:00"): the latter is
    refused with a message, never a 500. Naive values are the caller's to make aware."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValidationError(
            _("“%(value)s” is not a date and time that can be stored.") % {"value": value}
        ) from None
