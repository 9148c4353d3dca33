"""The API reads JSON only, and refuses what it cannot read as a problem, never a 500."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class JsonParser(JSONParser):
    """DRF's JSON parser (which reads the body through Django, so that a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE is refused with a 413), but JSON nested deeper than Python
    can read (`[[[[…` thousands deep) is a malformed request, not a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("The JSON is nested too deeply to be read.")) from exc
