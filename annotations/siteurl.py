"""The base of the absolute ids in exports (JSON-LD and ClaimReview): `SITE_URL` when it is
set, a command's `--site-url`, else (on the web) the request's own scheme and host.

Pure, no Django: the settings check `SITE_URL` with it at start-up, and the export command
checks `--site-url` with it, so that an id is never built on a base that is not a link.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def clean_site_url(value: str) -> str:
    """`value` as a base of ids: an http(s) link to a host (a path is kept), without the
    trailing slash; "" (unset) stays "". ValueError, with the reason, otherwise."""
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or any(char.isspace() for char in value)
    ):
        raise ValueError(
            f"“{value}” is not a site address: write the scheme and host the app is reached "
            "at, e.g. https://claims.example.org (no query or #fragment)."
        )
    return value.rstrip("/")
