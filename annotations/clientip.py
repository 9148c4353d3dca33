"""The address a request came from, for login throttling (django-axes) and the API's limits
for requests with no token: one rule for both.

Behind reverse proxies (docker compose's nginx; a TLS proxy in front of it) every request
comes from the nearest proxy. Each proxy appends the address it was reached from to
X-Forwarded-For, so with `PROXY_COUNT` proxies in front of gunicorn the client's address is
the `PROXY_COUNT`-th from the right; what stands left of it was sent by the client and is not
believed. With no proxy (`PROXY_COUNT=0`) the header is ignored altogether.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: from X-Forwarded-For behind `settings.PROXY_COUNT` proxies,
    else the connection's. A header with fewer hops than proxies, or a hop that is not an
    address, falls back to the connection's (never a made-up value in the lockout table)."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) < count:
        return remote
    hop = hops[-count]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return remote
