"""The guarded fetcher's own API (annotations/fetching.py): methods, bodies, headers, raw
bytes, statuses and the guard on every hop.

The import's use of it (messages for editors, timeouts, size caps, private addresses) is
tested in test_importers_web.py. Here too only a local server on 127.0.0.1 is contacted;
any other connection attempt fails the test before it leaves.
"""

import gzip
import json
import socket
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest

from annotations import fetching

from .local_http import serving

LOCAL = "127.0.0.1"
PUBLIC_NAME = "hooks.example"  # resolves, in these tests, to the local server


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def _answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append((self.command, self.path, dict(self.headers.items()), body))
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        if parts.path == "/redirect":
            self._answer(int(query.get("status", "302")), headers=[("Location", query["to"])])
        elif parts.path == "/fail":
            self._answer(500, b'{"error": "down"}', [("Content-Type", "application/json")])
        elif parts.path == "/pdf":
            self._answer(200, b"%PDF-1.7 ...", [("Content-Type", "application/pdf")])
        elif parts.path == "/cyrillic":
            self._answer(
                200,
                gzip.compress("Харків".encode("cp1251")),
                [
                    ("Content-Type", "text/plain; charset=windows-1251"),
                    ("Content-Encoding", "gzip"),
                ],
            )
        else:
            self._answer(202, b"accepted", [("Content-Type", "text/plain"), ("X-Delivery", "7")])

    do_GET = do_POST = _handle


@pytest.fixture(scope="module")
def server():
    with serving(_Handler) as httpd:
        yield httpd


@pytest.fixture
def seen(server):
    server.seen.clear()
    return server.seen


@pytest.fixture
def base(server):
    return f"http://{LOCAL}:{server.server_address[1]}"


@pytest.fixture(autouse=True)
def connections(monkeypatch):
    """Every outgoing connection; anything but 127.0.0.1 fails the test before it leaves.
    PUBLIC_NAME resolves to it, as if it were a public site."""
    attempts = []
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(sock, address):
        attempts.append(address[0])
        assert address[0] == LOCAL, f"tried to connect to {address[0]}"
        return real_connect(sock, address)

    def getaddrinfo(host, port, *args, **kwargs):
        if host == PUBLIC_NAME:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (LOCAL, port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


@pytest.fixture
def public(monkeypatch, server):
    """PUBLIC_NAME passes the address check (as a public site would); the rest is checked."""
    real_resolve = fetching._resolve

    def resolve(target, *, allow_private):
        if target.host == PUBLIC_NAME:
            return [LOCAL]
        return real_resolve(target, allow_private=allow_private)

    monkeypatch.setattr(fetching, "_resolve", resolve)
    return f"http://{PUBLIC_NAME}:{server.server_address[1]}"


def _error(url, **kwargs) -> fetching.FetchError:
    with pytest.raises(fetching.FetchError) as exc:
        fetching.fetch(url, **kwargs)
    return exc.value


def test_post_with_a_body_and_headers_goes_through_the_guard(public, seen):
    payload = json.dumps({"claim": 17, "label": "disputed"}).encode()
    result = fetching.fetch(
        f"{public}/deliveries",
        method="POST",
        body=payload,
        headers={"Content-Type": "application/json", "X-Signature": "sha256=abc"},
    )
    assert (result.status, result.content) == (202, b"accepted")
    assert result.url == f"{public}/deliveries"
    assert result.headers["x-delivery"] == "7"  # headers are case-insensitive
    [(method, path, headers, body)] = seen
    assert (method, path, body) == ("POST", "/deliveries", payload)
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Signature"] == "sha256=abc"
    assert headers["Content-Length"] == str(len(payload))
    assert headers["Host"] == f"{PUBLIC_NAME}:{public.rsplit(':', 1)[1]}"  # the name, pinned
    assert headers["User-Agent"] == fetching.USER_AGENT


def test_post_to_a_loopback_address_is_refused_without_connecting(base, seen, connections):
    error = _error(f"{base}/deliveries", method="POST", body=b"{}")
    assert error.code == "refused"
    assert error.params["address"] == LOCAL
    assert str(error).startswith(f"Refused to fetch {base}/deliveries: 127.0.0.1 is a loopback")
    assert (seen, connections) == ([], [])


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_loopback_is_refused_on_the_hop(public, base, seen, status):
    to = f"{base}/internal"
    error = _error(f"{public}/redirect?status={status}&to={to}", method="POST", body=b"{}")
    assert error.code == "refused"
    assert str(error).startswith(f"Refused to fetch {to}: 127.0.0.1 is a loopback address.")
    assert [path for _, path, _, _ in seen] == [f"/redirect?status={status}&to={to}"]


def test_redirect_to_loopback_is_followed_when_private_addresses_are_allowed(public, base, seen):
    result = fetching.fetch(f"{public}/redirect?to={base}/after", allow_private=True)
    assert (result.url, result.status) == (f"{base}/after", 202)


@pytest.mark.parametrize(
    ("status", "method", "body"),
    [(303, "GET", b""), (302, "GET", b""), (301, "GET", b""), (307, "POST", b"{}")],
)
def test_post_redirects_as_browsers_do(public, seen, status, method, body):
    fetching.fetch(
        f"{public}/redirect?status={status}&to=/next",
        method="POST",
        body=b"{}",
        headers={"Content-Type": "application/json"},
    )
    assert [(m, p) for m, p, _, _ in seen] == [
        ("POST", f"/redirect?status={status}&to=/next"),
        (method, "/next"),
    ]
    assert seen[1][3] == body
    assert ("Content-Type" in seen[1][2]) == bool(body)


def test_credentials_stay_with_the_site_they_were_meant_for(public, base, seen):
    secret = {"Authorization": "Bearer s3cret", "X-Hook": "1"}
    fetching.fetch(f"{public}/redirect?to=/same-site", headers=secret)
    fetching.fetch(f"{public}/redirect?to={base}/other-site", headers=secret, allow_private=True)
    hops = {path: headers for _, path, headers, _ in seen}
    assert hops["/same-site"]["Authorization"] == "Bearer s3cret"
    assert "Authorization" not in hops["/other-site"]
    assert hops["/other-site"]["X-Hook"] == "1"


def test_no_redirect_allowed(public, seen):
    error = _error(f"{public}/redirect?to=/next", max_redirects=0)
    assert (error.code, error.params["max"]) == ("too_many_redirects", 0)
    assert len(seen) == 1


def test_an_error_status_is_raised_before_reading_or_returned_when_asked(public):
    error = _error(f"{public}/fail", method="POST", body=b"{}")
    assert (error.code, error.params["status"]) == ("status", 500)
    assert str(error) == "The page answered 500 Internal Server Error."
    result = fetching.fetch(f"{public}/fail", method="POST", body=b"{}", raise_for_status=False)
    assert (result.status, result.media_type, result.content) == (
        500,
        "application/json",
        b'{"error": "down"}',
    )


def test_the_body_comes_back_as_raw_bytes(public):
    result = fetching.fetch(f"{public}/cyrillic")
    assert result.content == "Харків".encode("cp1251")  # decompressed, never decoded
    assert (result.media_type, result.charset) == ("text/plain", "windows-1251")


def test_the_content_type_is_checked_only_when_asked(public):
    assert fetching.fetch(f"{public}/pdf").content.startswith(b"%PDF")
    error = _error(f"{public}/pdf", allowed_types=["text/html"])
    assert error.code == "content_type"
    assert error.params == {"kind": "a PDF document", "media_type": "application/pdf"}


def test_the_size_cap_holds_for_any_method(public):
    error = _error(f"{public}/pdf", method="POST", body=b"x", max_bytes=4)
    assert (error.code, str(error)) == (
        "too_big",
        "The page is larger than 4 bytes, the size limit.",
    )


@pytest.mark.parametrize("name", ["Host", "accept-encoding"])
def test_the_fetcher_keeps_its_own_headers(public, name, connections):
    with pytest.raises(ValueError, match="sets Host and Accept-Encoding itself"):
        fetching.fetch(public, headers={name: "elsewhere"})
    assert connections == []


# --- The allow-list of exact host:port pairs ------------------------------------------------


@pytest.fixture(scope="module")
def other_server():
    """A second private site: the same address, another port."""
    with serving(_Handler) as httpd:
        yield httpd


def test_an_allowed_host_and_port_is_fetched_and_a_redirect_to_another_port_refused(
    base, server, other_server, seen
):
    here = f"{LOCAL}:{server.server_address[1]}"
    elsewhere = f"http://{LOCAL}:{other_server.server_address[1]}/internal"
    assert fetching.fetch(f"{base}/plain", allow_private={here}).status == 202
    error = _error(f"{base}/redirect?to={elsewhere}", allow_private={here})
    assert error.code == "refused"
    assert str(error).startswith(f"Refused to fetch {elsewhere}: 127.0.0.1 is a loopback")
    assert other_server.seen == []
    assert [path for _, path, _, _ in seen] == ["/plain", f"/redirect?to={elsewhere}"]


def test_the_allow_list_names_the_port_exactly(base, server, seen):
    other_port = f"{LOCAL}:{server.server_address[1] + 1}"
    assert _error(f"{base}/plain", allow_private={other_port}).code == "refused"
    assert _error(f"{base}/plain", allow_private=set()).code == "refused"
    assert seen == []


@pytest.mark.parametrize(
    ("allow_private", "pairs", "expected"),
    [
        (False, ["127.0.0.1:8765"], False),
        (True, [], True),
        (True, ["127.0.0.1:8765", " LOCALHOST:80 "], frozenset({"127.0.0.1:8765", "localhost:80"})),
    ],
)
def test_the_settings_lift_the_rule_for_the_listed_pairs_alone(
    settings, allow_private, pairs, expected
):
    settings.URL_IMPORT_ALLOW_PRIVATE = allow_private
    settings.URL_FETCH_ALLOW = pairs
    assert fetching.private_allowance() == expected
