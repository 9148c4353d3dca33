"""The one guarded fetcher: every outbound HTTP request of the app goes through `fetch`.

URL import uses it today; evidence capture and webhook deliveries are meant to. A server
that fetches addresses people give it must not become a way into the desk's own network
(SSRF), nor be held up by a slow or endless answer, so `fetch`:

- takes http and https only, with a host and without a user name or password;
- resolves the host and checks every address before connecting: loopback, private,
  link-local, multicast, reserved, unspecified and other non-global addresses (IPv4-mapped,
  6to4 and NAT64 IPv6 included) are refused unless `allow_private` lifts the rule: True
  for every address (local development), or a collection of exact `host:port` pairs for
  those alone, so that a test's redirect to another port, or another private address, is
  still refused (`private_allowance()` reads both from the settings:
  `URL_IMPORT_ALLOW_PRIVATE`, narrowed by `URL_FETCH_ALLOW`);
- connects to the address it checked, not to the name again, so DNS cannot switch to a
  private address between the check and the connection (the Host header and TLS, SNI and
  certificate, still use the name);
- follows redirects by hand, at most `max_redirects`, checking each hop the same way;
- bounds the connection and each read (`connect_timeout`, `read_timeout`) and the whole
  exchange (`total_timeout`), and the body (`max_bytes`, counted after decompression);
- checks the media type against `allowed_types` when the caller gives them, before the
  body is read.

It returns the final address, status, headers and the raw bytes of the body (decompressed
from gzip or deflate, never decoded as text): what the bytes mean is the caller's business.
Each refusal is a `FetchError` with a `code` that callers can phrase for their own users,
and a plain message that stands on its own. No database, no request objects.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit, urlunsplit

import urllib3
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from urllib3 import exceptions as errors
from urllib3.util import parse_url

__all__ = ["DEFAULT_MAX_BYTES", "FetchError", "FetchResult", "fetch", "private_allowance"]

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
USER_AGENT = "NewsroomClaimAnnotator/0.1"
# Set by the fetcher itself: the checked host, and encodings it can decompress and count.
_OWN_HEADERS = {"host", "accept-encoding"}
# Not carried to another site when a redirect leaves the one the caller named.
_CREDENTIAL_HEADERS = {"authorization", "proxy-authorization", "cookie"}
_CHUNK = 64 * 1024
_REDIRECTS = {301, 302, 303, 307, 308}
_TYPE_NAMES = {
    "application/pdf": gettext_lazy("a PDF document"),
    "application/json": gettext_lazy("JSON data"),
    "application/xml": gettext_lazy("an XML document"),
    "text/xml": gettext_lazy("an XML document"),
    "application/zip": gettext_lazy("a ZIP archive"),
    "application/octet-stream": gettext_lazy("a binary file"),
}


class FetchError(Exception):
    """A fetch was refused or failed. `str()` is a message a person can read.

    `code` says what happened, for callers that phrase it their own way or decide what to
    do next (retry or not): invalid_url, no_scheme, bad_scheme, no_host, credentials,
    bad_host (the address itself; `params["where"]` says whether a redirect led there),
    unresolved, refused (a non-public address), ssl, connect_failed, connect_timeout,
    read_timeout, broken, decode, other (the connection), too_slow (`total_timeout`),
    too_big, too_many_redirects, status (a non-2xx answer), content_type. `params` holds
    the values of the message (`template % params`), ready to show.
    """

    def __init__(self, code: str, template: str, **params: object) -> None:
        super().__init__(template % params)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class FetchResult:
    """The final answer: its address (after redirects, without fragment), status, headers
    (case-insensitive) and the raw bytes of its body."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def media_type(self) -> str:
        """The declared media type, lowercase and without parameters ("" when none)."""
        return _media_type(self.headers)

    @property
    def charset(self) -> str:
        """The charset declared in Content-Type, lowercase ("" when none)."""
        for param in self.headers.get("Content-Type", "").split(";")[1:]:
            key, _sep, value = param.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip("\"'").lower()
        return ""


def _media_type(headers: Mapping[str, str]) -> str:
    return headers.get("Content-Type", "").partition(";")[0].strip().lower()


@dataclass(frozen=True)
class _Target:
    url: str  # normalised, without fragment
    scheme: str
    host: str  # ASCII (IDNA), without brackets
    port: int
    request_uri: str

    @property
    def origin(self) -> tuple[str, str, int]:
        return self.scheme, self.host, self.port


@dataclass(frozen=True)
class _Request:
    """One hop: where to, and what to send."""

    target: _Target
    method: str
    body: bytes | None
    headers: Mapping[str, str]

    def redirected(self, status: int, location: str) -> _Request:
        """The next hop after a redirect, as browsers make it.

        303, and 301 or 302 after a POST, become a GET without body; 307 and 308 repeat the
        request. Credentials are not carried to another site.
        """
        target = _target(urljoin(self.target.url, location), redirected=True)
        method, body, headers = self.method, self.body, dict(self.headers)
        if (status == 303 and method != "HEAD") or (status in {301, 302} and method == "POST"):
            method, body = "GET", None
            headers = {k: v for k, v in headers.items() if not k.lower().startswith("content-")}
        if target.origin != self.target.origin:
            headers = {k: v for k, v in headers.items() if k.lower() not in _CREDENTIAL_HEADERS}
        return _Request(target, method, body, headers)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return _("%(n)s MB") % {"n": f"{n / (1024 * 1024):.1f}".removesuffix(".0")}
    if n >= 1024:
        return _("%(n)s KB") % {"n": f"{n / 1024:.1f}".removesuffix(".0")}
    return ngettext("%(n)s byte", "%(n)s bytes", n) % {"n": n}


def _target(url: str, *, redirected: bool = False) -> _Target:
    """Check and normalise an address; only http(s) with a host, no user name or password."""
    where = _("The page redirected to an address that") if redirected else _("This address")

    def problem(code: str, template: str, **params: object) -> FetchError:
        return FetchError(code, template, where=where, **params)

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise problem("invalid_url", _("%(where)s is not a valid web address.")) from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise problem("no_scheme", _("%(where)s does not start with http:// or https://."))
    if scheme not in {"http", "https"}:
        raise problem(
            "bad_scheme",
            _(
                "%(where)s starts with %(scheme)s://; only http:// and https:// links can be "
                "fetched."
            ),
            scheme=scheme,
        )
    if not parts.hostname:
        raise problem("no_host", _("%(where)s has no host name."))
    if parts.username is not None or parts.password is not None:
        raise problem("credentials", _("%(where)s contains a user name or password."))
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise problem("bad_host", _("%(where)s has an invalid host name.")) from None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    normalised = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    try:
        request_uri = parse_url(normalised).request_uri
    except errors.HTTPError:
        raise problem("invalid_url", _("%(where)s is not a valid web address.")) from None
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
        (address.is_loopback, gettext_lazy("a loopback address")),
        (address.is_unspecified, gettext_lazy("an unspecified address")),
        (address.is_link_local, gettext_lazy("a link-local address")),
        (address.is_multicast, gettext_lazy("a multicast address")),
        (address.is_private, gettext_lazy("a private network address")),
        (address.is_reserved, gettext_lazy("a reserved address")),
        (not address.is_global, gettext_lazy("not a public internet address")),
    )
    return next((str(reason) for failed, reason in checks if failed), None)


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def private_allowance() -> bool | frozenset[str]:
    """What the settings lift of the rule on private addresses, as `fetch` takes it:
    nothing unless URL_IMPORT_ALLOW_PRIVATE; then the `host:port` pairs of URL_FETCH_ALLOW
    alone, or every address when that list is empty."""
    from django.conf import settings

    if not settings.URL_IMPORT_ALLOW_PRIVATE:
        return False
    pairs = frozenset(pair.strip().lower() for pair in settings.URL_FETCH_ALLOW if pair.strip())
    return pairs or True


def _lifted(target: _Target, allow_private: bool | Collection[str]) -> bool:
    """Whether `allow_private` lifts the rule for this target (its exact host and port)."""
    if isinstance(allow_private, bool):
        return allow_private
    host = f"[{target.host}]" if ":" in target.host else target.host
    return f"{host}:{target.port}".lower() in allow_private


def _resolve(target: _Target, *, allow_private: bool | Collection[str]) -> list[str]:
    """The addresses to connect to; every one checked before any connection is made."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        infos = []
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    if not addresses:
        raise FetchError(
            "unresolved",
            _("Could not find the site %(host)s (the name does not resolve)."),
            host=target.host,
        )
    if not _lifted(target, allow_private):
        for address in addresses:
            _refuse_internal(target, address)
    return addresses


def _refuse_internal(target: _Target, address: str) -> None:
    reason = _refusal(ipaddress.ip_address(address))
    if not reason:
        return
    params = {"url": target.url, "host": target.host, "address": address, "reason": reason}
    if ipaddress.ip_address(address) == _literal(target.host):
        message = _("Refused to fetch %(url)s: %(address)s is %(reason)s.")
    else:
        message = _("Refused to fetch %(url)s: %(host)s points to %(address)s, %(reason)s.")
    never = _("Private and loopback addresses are never fetched, for safety.")
    raise FetchError("refused", " ".join((message, never)), **params)


def _connection_problem(exc: Exception, target: _Target, timeouts: urllib3.Timeout) -> FetchError:
    kinds = (
        (
            errors.SSLError,
            "ssl",
            _(
                "The secure connection to %(host)s failed (its HTTPS certificate could not be "
                "verified)."
            ),
        ),
        (
            errors.NewConnectionError,
            "connect_failed",
            _("Could not connect to %(host)s: the site refused or is unreachable."),
        ),
        (
            errors.ConnectTimeoutError,
            "connect_timeout",
            _("%(host)s did not answer within %(connect)s seconds."),
        ),
        (
            errors.ReadTimeoutError,
            "read_timeout",
            _("%(host)s stopped sending data for more than %(read)s seconds."),
        ),
        (
            errors.DecodeError,
            "decode",
            _("The page from %(host)s is compressed in a way that could not be read."),
        ),
        (
            errors.ProtocolError,
            "broken",
            _("The connection to %(host)s broke off while reading the page."),
        ),
    )
    code, message = next(
        ((code, message) for kind, code, message in kinds if isinstance(exc, kind)),
        ("other", _("Could not fetch the page from %(host)s.")),
    )
    return FetchError(
        code,
        message,
        host=target.host,
        connect=f"{timeouts.connect_timeout:g}",
        read=f"{timeouts.read_timeout:g}",
    )


def _open(
    request: _Request, addresses: list[str], timeouts: urllib3.Timeout
) -> tuple[urllib3.HTTPConnectionPool, urllib3.BaseHTTPResponse]:
    """Send the request to the first checked address that accepts a connection.

    The pool connects to the address itself, not to the name, so the address we checked
    is the one we talk to; the Host header and TLS (SNI and certificate) use the name.
    """
    target = request.target
    host = f"[{target.host}]" if ":" in target.host else target.host
    if target.port != (443 if target.scheme == "https" else 80):
        host += f":{target.port}"
    headers = urllib3.HTTPHeaderDict({"User-Agent": USER_AGENT})
    headers.update(request.headers)  # case-insensitive: the caller's User-Agent replaces ours
    headers.update({"Host": host, "Accept-Encoding": "gzip, deflate"})
    options = {"timeout": timeouts, "retries": False, "maxsize": 1}
    problem = None
    for address in addresses:
        pool: urllib3.HTTPConnectionPool
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                target.port,
                cert_reqs="CERT_REQUIRED",
                server_hostname=target.host,
                **options,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, target.port, **options)
        try:
            response = pool.urlopen(
                request.method,
                target.request_uri,
                body=request.body,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
        except (errors.NewConnectionError, errors.ConnectTimeoutError) as exc:
            pool.close()
            problem = _connection_problem(exc, target, timeouts)
            continue  # try the site's next address: nothing was sent
        except errors.HTTPError as exc:
            pool.close()
            raise _connection_problem(exc, target, timeouts) from None
        return pool, response
    assert problem is not None  # _resolve never returns an empty list
    raise problem


def _too_slow(total_timeout: float) -> FetchError:
    return FetchError(
        "too_slow",
        _("The page took longer than %(seconds)s seconds to download."),
        seconds=f"{total_timeout:g}",
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
    too_big = FetchError(
        "too_big", _("The page is larger than %(size)s, the size limit."), size=_size(max_bytes)
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
        except errors.HTTPError as exc:
            raise _connection_problem(exc, target, timeouts) from None
        if not chunk:
            return b"".join(chunks)
        received += len(chunk)
        if received > max_bytes:
            raise too_big
        chunks.append(chunk)


def _check_answer(
    response: urllib3.BaseHTTPResponse,
    *,
    raise_for_status: bool,
    allowed_types: Collection[str] | None,
) -> None:
    """Refuse a non-2xx answer (when asked) and a media type the caller does not accept."""
    success = 200 <= response.status < 300
    if not success and raise_for_status:
        try:
            phrase = HTTPStatus(response.status).phrase
        except ValueError:
            phrase = response.reason or _("an error")
        raise FetchError(
            "status",
            _("The page answered %(status)s %(phrase)s."),
            status=response.status,
            phrase=phrase,
        )
    media_type = _media_type(response.headers)
    if success and allowed_types is not None and media_type and media_type not in allowed_types:
        kind = _TYPE_NAMES.get(media_type) or (
            _("an image")
            if media_type.startswith("image/")
            else _("a %(media_type)s file") % {"media_type": media_type}
        )
        raise FetchError(
            "content_type",
            _("The link gives %(kind)s (%(media_type)s), a type not accepted here."),
            kind=str(kind),
            media_type=media_type,
        )


def fetch(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    allowed_types: Collection[str] | None = None,
    raise_for_status: bool = True,
    allow_private: bool | Collection[str] = False,
    connect_timeout: float = 5,
    read_timeout: float = 10,
    total_timeout: float = 30,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = 5,
) -> FetchResult:
    """Send one request through the guard (see the module's docstring) and read the answer.

    `method`, `body` and `headers` are sent as given (a webhook POSTs JSON with its own
    Content-Type); the fetcher sets Host and Accept-Encoding itself, and a User-Agent
    unless `headers` has one. `allowed_types`: the media types the caller accepts (an
    answer without Content-Type passes). `raise_for_status`: a final answer other than
    2xx is a `FetchError` before its body is read; with False it is returned like any
    other. `allow_private`: True, or the exact `host:port` pairs (`"127.0.0.1:8765"`)
    where private addresses may be fetched, checked on every hop. Every failure is a
    `FetchError`.
    """
    headers = dict(headers or {})
    if _OWN_HEADERS & {name.lower() for name in headers}:
        raise ValueError("The fetcher sets Host and Accept-Encoding itself.")
    timeouts = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
    deadline = time.monotonic() + total_timeout
    request = _Request(_target(url), method.upper(), body, headers)
    redirects = 0
    while True:
        if time.monotonic() > deadline:
            raise _too_slow(total_timeout)
        addresses = _resolve(request.target, allow_private=allow_private)
        pool, response = _open(request, addresses, timeouts)
        try:
            location = response.headers.get("Location")
            if response.status in _REDIRECTS and location:
                if redirects >= max_redirects:
                    raise FetchError(
                        "too_many_redirects",
                        _("The page redirected more than %(max)s times."),
                        max=max_redirects,
                    )
                redirects += 1
                request = request.redirected(response.status, location)
                continue
            _check_answer(response, raise_for_status=raise_for_status, allowed_types=allowed_types)
            content = _read_body(
                response,
                request.target,
                timeouts,
                max_bytes=max_bytes,
                deadline=deadline,
                total_timeout=total_timeout,
            )
        finally:
            response.close()
            pool.close()
        return FetchResult(request.target.url, response.status, response.headers.copy(), content)
