"""Uploads and web pages into article drafts (annotations/importers/: decoding, extraction
and web, the import's use of the guarded fetcher in annotations/fetching.py).

Pure functions: no database. URL tests talk only to a local server on 127.0.0.1; every
other connection attempt fails the test (see `connections`), so the refusal tests prove
that the address is refused before anything is contacted.
"""

import codecs
import gzip
import socket
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest

from annotations import fetching
from annotations.importers import decoding, drafts, extraction, web

from .local_http import serving

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="uk"><head><meta charset="utf-8">
<title>Drone strike hits Kharkiv depot | The Kyiv Ledger</title>
<meta name="author" content="Olena Kovalenko">
<meta property="article:published_time" content="2024-03-05T14:30:00+02:00">
<meta property="og:site_name" content="The Kyiv Ledger">
<script>window.stolen = document.cookie;</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<p>According to a Telegram post from the SBU, a drone struck a fuel depot near Kharkiv on
Tuesday night, starting a fire that burned for hours.</p>
<img src="x.png" onerror="alert('img')">
<p>“Residents had reportedly been evacuated,” said a spokesperson for the regional
administration — who did not give numbers.<br>Олена Коваленко reported from the scene.</p>
<script>document.write('<p>injected by script</p>')</script>
<p>American intelligence offered a conservative estimate that the depot held 3,000 tonnes
of fuel <span onclick="steal()">before the strike</span>.</p>
</article>
<footer>Copyright 2024 The Kyiv Ledger</footer>
</body></html>
"""
PARAGRAPHS = [
    "According to a Telegram post from the SBU, a drone struck a fuel depot near Kharkiv on "
    "Tuesday night, starting a fire that burned for hours.",
    "“Residents had reportedly been evacuated,” said a spokesperson for the regional "
    "administration — who did not give numbers.\nОлена Коваленко reported from the scene.",
    "American intelligence offered a conservative estimate that the depot held 3,000 tonnes "
    "of fuel before the strike.",
]


# --- decode_text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"plain start\x00\x01\x02 then binary", "NUL bytes"),
        (bytes(range(1, 9)) * 50 + b"some text", "control characters"),
    ],
)
def test_binary_file_is_refused(data, what):
    with pytest.raises(drafts.ImportProblem) as exc:
        decoding.decode_text(data)
    message = str(exc.value)
    assert message.startswith("This looks like a binary file (")
    assert what in message
    assert message.endswith("not text. Upload a .txt or .html file.")


def test_empty_file_is_refused():
    with pytest.raises(drafts.ImportProblem, match=r"^The file is empty\.$"):
        decoding.decode_text(b"")
    with pytest.raises(drafts.ImportProblem, match=r"^The file is empty\.$"):
        extraction.draft_from_text(codecs.BOM_UTF8)


def test_blank_file_has_no_text():
    with pytest.raises(drafts.ImportProblem, match="no text, only blank lines or spaces"):
        extraction.draft_from_text(b"  \n\n\t \r\n")


def test_invalid_utf8_names_the_byte_offset_and_asks_for_utf8():
    data = "Line one\nKharkiv — Харків".encode("cp1251")
    with pytest.raises(drafts.ImportProblem) as exc:
        decoding.decode_text(data)
    message = str(exc.value)
    offset = len(b"Line one\nKharkiv ")
    assert f"byte 0x97 at byte offset {offset} (line 2)" in message
    assert "not valid UTF-8" in message
    assert "save it with the encoding UTF-8" in message


def test_invalid_utf8_suggests_a_likely_legacy_encoding():
    data = "Київ, Харків — «Укрінформ» повідомив про вибухи".encode("cp1251")
    with pytest.raises(drafts.ImportProblem, match=r"It looks like Windows-1251 \(Cyrillic\)"):
        decoding.decode_text(data)


def test_utf8_with_bom_is_read_without_the_bom():
    text, note = decoding.decode_text(codecs.BOM_UTF8 + "Заголовок\nТекст".encode())
    assert text == "Заголовок\nТекст"
    assert note is None


def test_utf8_without_bom_keeps_the_text_exactly():
    original = "Title\r\n\r\nA “quote” — and 🇺🇦.\n"
    assert decoding.decode_text(original.encode()) == (original, None)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_accepted_with_a_note(codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    text, note = decoding.decode_text(bom + "Київ\nTwo lines".encode(codec))
    assert text == "Київ\nTwo lines"
    assert note == "Decoded as UTF-16 (the file starts with a UTF-16 byte order mark)."


def test_declared_encoding_is_used_for_non_utf8_text():
    text, note = decoding.decode_text("Харків".encode("cp1251"), encoding="windows-1251")
    assert text == "Харків"
    assert note == "Decoded as Windows-1251 (Cyrillic), as the server declared."


# --- draft_from_text ---------------------------------------------------------------------


FIRST_LINE_NOTE = (
    "The title was taken from the first line of the text, which is no longer repeated at "
    "the top of the body."
)


def test_text_first_non_empty_line_becomes_the_title_and_leaves_the_body():
    # Issue 17: the title line is not kept again as the body's first paragraph.
    text = "\n\n   Shelling reported near Bakhmut  \n\nThe first paragraph.\n\nThe second.\n"
    draft = extraction.draft_from_text(text.encode())
    assert draft.title == "Shelling reported near Bakhmut"
    assert draft.body == "The first paragraph.\n\nThe second.\n"
    assert (draft.url, draft.outlet, draft.author, draft.published_at) == ("", "", "", None)
    assert draft.notes == [FIRST_LINE_NOTE]


def test_text_given_title_wins():
    draft = extraction.draft_from_text(b"First line\nBody", title="  Desk   title ")
    assert draft.title == "Desk title"
    assert draft.body == "First line\nBody"


def test_text_long_first_line_is_clipped_to_the_title_limit():
    line = "word " * 200
    draft = extraction.draft_from_text(f"{line}\nBody".encode())
    assert len(draft.title) <= drafts.TITLE_MAX
    assert draft.title.endswith("…")
    assert draft.notes == ["The title was shortened to 500 characters."]


def test_text_utf16_note_reaches_the_draft():
    draft = extraction.draft_from_text(codecs.BOM_UTF16_LE + "Title\nBody".encode("utf-16-le"))
    assert draft.title == "Title"
    assert draft.notes == [
        "Decoded as UTF-16 (the file starts with a UTF-16 byte order mark).",
        FIRST_LINE_NOTE,
    ]


@pytest.mark.parametrize(
    ("text", "title", "body"),
    [
        ("Title\n\nBody one.\nBody two.", "Title", "Body one.\nBody two."),
        ("\r\n  Title  \r\n \r\nBody.\r\n", "Title", "Body.\r\n"),
        ("Title\nBody.", "Title", "Body."),
        # The only line: it stays, or the article would have no text.
        ("Only line\n\n", "Only line", "Only line\n\n"),
        ("", "", ""),
    ],
)
def test_title_from_first_line(text, title, body):
    assert extraction.title_from_first_line(text)[:2] == (title, body)


def test_title_from_first_line_keeps_a_line_too_long_for_a_title():
    line = "word " * 200
    title, body, notes = extraction.title_from_first_line(f"{line}\n\nBody")
    assert title.endswith("…") and body == f"{line}\n\nBody"
    assert notes == ["The title was shortened to 500 characters."]


# --- draft_from_html ---------------------------------------------------------------------


def test_html_keeps_paragraphs_and_drops_scripts_and_markup():
    draft = extraction.draft_from_html(ARTICLE_HTML.encode())
    assert draft.body.split("\n\n") == PARAGRAPHS
    for leftover in ("<", "script", "onerror", "onclick", "alert", "injected", "cookie"):
        assert leftover not in draft.body
    assert "Home" not in draft.body  # navigation
    assert "Copyright" not in draft.body  # footer


def test_html_metadata_is_extracted():
    draft = extraction.draft_from_html(ARTICLE_HTML, url="https://ledger.example/strike")
    assert draft.title == "Drone strike hits Kharkiv depot"
    assert draft.author == "Olena Kovalenko"
    assert draft.published_at == datetime(2024, 3, 5, 12, 30, tzinfo=UTC)
    assert draft.outlet == "The Kyiv Ledger"
    assert draft.language == "uk"
    assert draft.url == "https://ledger.example/strike"
    assert draft.notes == []


def test_html_given_title_wins_and_canonical_link_is_the_url_of_an_upload():
    page = ARTICLE_HTML.replace(
        "</head>", '<link rel="canonical" href="https://ledger.example/a/1"></head>'
    )
    draft = extraction.draft_from_html(page.encode(), title="Depot fire")
    assert draft.title == "Depot fire"
    assert draft.url == "https://ledger.example/a/1"


def test_html_declared_charset_is_followed():
    page = (
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1251'>"
        "<title>Вибухи у Харкові</title></head><body><article><p>Уночі в Харкові пролунали "
        "вибухи, повідомив мер міста Ігор Терехов у Telegram.</p></article></body></html>"
    )
    draft = extraction.draft_from_html(page.encode("cp1251"))
    assert draft.title == "Вибухи у Харкові"
    assert draft.body.startswith("Уночі в Харкові пролунали вибухи")
    assert draft.notes == ["Decoded as Windows-1251 (Cyrillic), as the page declared."]


def test_html_fragment_is_accepted():
    draft = extraction.draft_from_html("<p>One paragraph.</p><p>Another one.</p>")
    assert draft.body == "One paragraph.\n\nAnother one."
    assert draft.title == "One paragraph."


HEADLINED = (
    "<html><head><title>Night attack on Odesa</title></head><body><article>"
    "<h1>Night attack on Odesa</h1>"
    "<p>Drones struck the port of Odesa overnight, officials said on Tuesday morning.</p>"
    "<p>Repair crews restored power to most homes by noon, the administration said.</p>"
    "</article></body></html>"
)


def test_html_headline_that_is_the_title_leaves_the_body():
    draft = extraction.draft_from_html(HEADLINED)
    assert draft.title == "Night attack on Odesa"
    assert draft.body.startswith("Drones struck the port")
    assert draft.notes == [
        "The title is the page's headline, which is no longer repeated at the top of the body."
    ]


def test_html_headline_stays_when_the_title_is_typed():
    typed = extraction.draft_from_html(HEADLINED, title="Night attack on Odesa")
    assert typed.body.startswith("Night attack on Odesa\n\nDrones")
    assert typed.notes == []


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>Empty</title><script>x()</script></head><body></body></html>",
        "<html><body><nav><a href='/'>Home</a></nav><script>render()</script></body></html>",
    ],
)
def test_html_without_text_is_refused(page):
    with pytest.raises(drafts.ImportProblem) as exc:
        extraction.draft_from_html(page)
    assert str(exc.value).startswith("No article text found in this page.")
    assert "paste it instead" in str(exc.value)


def test_html_binary_upload_is_refused():
    with pytest.raises(drafts.ImportProblem, match=r"binary file \(a PDF document\)"):
        extraction.draft_from_html(b"%PDF-1.4 binary")


# --- fetch_url and draft_from_url against a local server ---------------------------------

LOCAL = "127.0.0.1"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # keep test output quiet
        pass

    def _send(self, status, body=b"", content_type="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        if not any(name == "Content-Length" for name, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.server.seen.append((self.path, self.headers.get("Host")))
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        try:
            getattr(self, "route_" + parts.path.strip("/").replace("-", "_"))(query)
        except AttributeError:
            self._send(404, b"<html><body><p>Not here.</p></body></html>")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as the test wanted

    def route_article(self, query):
        self._send(200, ARTICLE_HTML.encode())

    def route_plain(self, query):
        body = "Вибухи у Харкові\n\nУночі пролунали вибухи.".encode("cp1251")
        self._send(200, body, "text/plain; charset=windows-1251")

    def route_pdf(self, query):
        self._send(200, b"%PDF-1.7 ...", "application/pdf")

    def route_big(self, query):
        # Content-Length says too big; the body comes late, so reading it would be slow.
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "5000")
        self.end_headers()
        self.wfile.flush()
        time.sleep(2)
        self.wfile.write(b"x" * 5000)

    def route_big_stream(self, query):
        self.send_response(200)  # no Content-Length: the body runs until the connection closes
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        for _ in range(10):
            self.wfile.write(b"<p>" + b"x" * 500 + b"</p>")

    def route_gzip_bomb(self, query):
        body = gzip.compress(b"<p>" + b"a" * 200_000 + b"</p>")
        self._send(200, body, headers=[("Content-Encoding", "gzip")])

    def route_gzip(self, query):
        body = gzip.compress(ARTICLE_HTML.encode())
        self._send(200, body, headers=[("Content-Encoding", "gzip")])

    def route_slow(self, query):
        time.sleep(1.5)
        self._send(200, ARTICLE_HTML.encode())

    def route_trickle(self, query):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(100):
            self.wfile.write(b"<p>trickle</p>"[:10])
            self.wfile.flush()
            time.sleep(0.1)

    def route_loop(self, query):
        hop = int(query.get("n", "0"))
        self._send(302, headers=[("Location", f"/loop?n={hop + 1}")])

    def route_hops(self, query):
        left = int(query.get("left", "0"))
        target = f"/hops?left={left - 1}" if left > 1 else "/article"
        self._send(301, headers=[("Location", target)])

    def route_redirect(self, query):
        self._send(302, headers=[("Location", query["to"])])


@pytest.fixture(scope="module")
def server():
    with serving(_Handler) as httpd:
        yield f"http://{LOCAL}:{httpd.server_address[1]}", httpd


@pytest.fixture
def base(server):
    return server[0]


@pytest.fixture(autouse=True)
def connections(monkeypatch):
    """Every outgoing connection; anything but 127.0.0.1 fails the test before it leaves."""
    attempts = []
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        attempts.append(address[0])
        assert address[0] == LOCAL, f"tried to connect to {address[0]}"
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    return attempts


def _problem(url, **kwargs):
    kwargs.setdefault("allow_private", True)
    with pytest.raises(drafts.ImportProblem) as exc:
        web.fetch_url(url, **kwargs)
    return str(exc.value)


def test_url_good_article(base):
    draft = web.draft_from_url(f"{base}/article#comments", allow_private=True)
    assert draft.url == f"{base}/article"
    assert draft.title == "Drone strike hits Kharkiv depot"
    assert draft.body.split("\n\n") == PARAGRAPHS
    assert draft.outlet == "The Kyiv Ledger"
    assert draft.published_at == datetime(2024, 3, 5, 12, 30, tzinfo=UTC)


def test_url_fetched_page_reports_type_and_charset(base):
    page = web.fetch_url(f"{base}/article", allow_private=True)
    assert (page.media_type, page.charset) == ("text/html", "utf-8")
    assert page.content == ARTICLE_HTML.encode()


def test_url_plain_text_page(base):
    draft = web.draft_from_url(f"{base}/plain", allow_private=True)
    assert draft.title == "Вибухи у Харкові"
    assert draft.body == "Уночі пролунали вибухи."  # the title line is not repeated
    assert draft.url == f"{base}/plain"
    assert draft.notes == [
        "Decoded as Windows-1251 (Cyrillic), as the server declared.",
        FIRST_LINE_NOTE,
    ]


def test_url_gzip_page_is_decompressed(base):
    draft = web.draft_from_url(f"{base}/gzip", allow_private=True)
    assert draft.body.split("\n\n") == PARAGRAPHS


def test_url_redirects_within_the_limit_are_followed(base):
    draft = web.draft_from_url(f"{base}/hops?left=3", allow_private=True, max_redirects=3)
    assert draft.url == f"{base}/article"
    assert draft.title == "Drone strike hits Kharkiv depot"


def test_url_not_found(base):
    message = _problem(f"{base}/missing")
    assert message.startswith("The page answered 404 Not Found.")


def test_url_too_big_by_content_length_is_refused_before_reading(base):
    started = time.monotonic()
    message = _problem(f"{base}/big", max_bytes=1000)
    assert time.monotonic() - started < 1  # the body (sent after 2 s) was never awaited
    assert message.startswith("The page is larger than 1000 bytes, the limit for imports.")


def test_url_too_big_while_streaming_is_refused(base):
    message = _problem(f"{base}/big-stream", max_bytes=2048)
    assert message.startswith("The page is larger than 2 KB, the limit for imports.")


def test_url_decompressed_size_counts(base):
    message = _problem(f"{base}/gzip-bomb", max_bytes=64 * 1024)
    assert message.startswith("The page is larger than 64 KB")


def test_url_slow_page_times_out(base):
    started = time.monotonic()
    message = _problem(f"{base}/slow", read_timeout=0.3)
    assert time.monotonic() - started < 1.2
    assert "stopped sending data for more than 0.3 seconds" in message
    assert "Try again later" in message


def test_url_trickling_page_hits_the_total_timeout(base):
    started = time.monotonic()
    message = _problem(f"{base}/trickle", read_timeout=5, total_timeout=0.4)
    assert time.monotonic() - started < 1.2
    assert message.startswith("The page took longer than 0.4 seconds to download.")


def test_url_pdf_is_refused(base):
    message = _problem(f"{base}/pdf")
    assert "a PDF document (application/pdf), not a web page" in message
    assert "Only HTML pages and plain text can be imported" in message


def test_url_too_many_redirects(base, server):
    server[1].seen.clear()
    message = _problem(f"{base}/loop", max_redirects=3)
    assert message.startswith("The page redirected more than 3 times.")
    assert len(server[1].seen) == 4  # the first request and three redirects, no more


def test_url_redirect_to_another_scheme_is_refused(base):
    message = _problem(f"{base}/redirect?to=file:///etc/passwd")
    assert message.startswith("The page redirected to an address that starts with file://")


def test_url_redirect_to_loopback_is_refused(base, server, monkeypatch, connections):
    """A public site (faked: its name resolves, checked, to our server) redirects to 127.0.0.1."""
    port = server[1].server_address[1]
    real_resolve = fetching._resolve

    def resolve(target, *, allow_private):
        if target.host == "news.example":
            return [LOCAL]  # as if news.example were a public address that passed the check
        return real_resolve(target, allow_private=allow_private)

    monkeypatch.setattr(fetching, "_resolve", resolve)
    server[1].seen.clear()
    to = f"http://127.0.0.1:{port}/article"
    message = _problem(f"http://news.example:{port}/redirect?to={to}", allow_private=False)
    assert message.startswith(f"Refused to fetch {to}: 127.0.0.1 is a loopback address.")
    assert "Private and loopback addresses are never fetched" in message
    # Only the first hop reached the server, with the site's name as Host.
    assert server[1].seen == [(f"/redirect?to={to}", f"news.example:{port}")]


def test_url_loopback_first_hop_is_refused(base, connections):
    message = _problem(f"{base}/article", allow_private=False)
    assert "127.0.0.1 is a loopback address" in message
    assert "Private and loopback addresses are never fetched" in message
    assert connections == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://10.0.0.1/", "10.0.0.1 is a private network address"),
        ("http://[::ffff:10.0.0.1]/", "::ffff:10.0.0.1 is a private network address"),
        ("http://0.0.0.0:8000/", "0.0.0.0 is an unspecified address"),
        ("http://2130706433/", "2130706433 points to 127.0.0.1, a loopback address"),
    ],
)
def test_url_private_addresses_are_refused_without_connecting(url, reason, connections):
    started = time.monotonic()
    message = _problem(url, allow_private=False)
    assert time.monotonic() - started < 0.5
    assert reason in message
    assert "Private and loopback addresses are never fetched, for safety." in message
    assert connections == []


def test_url_name_resolving_to_a_private_address_is_refused(monkeypatch, connections):
    def fake_getaddrinfo(host, port, *args, **kwargs):
        assert host == "intranet.example"
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    message = _problem("https://intranet.example/news", allow_private=False)
    assert "intranet.example points to 10.1.2.3, a private network address" in message
    assert connections == []


def test_url_unknown_host_is_a_plain_message(monkeypatch, connections):
    def fake_getaddrinfo(host, port, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    message = _problem("https://no-such-site.example/a", allow_private=False)
    assert message.startswith("Could not find the site no-such-site.example")
    assert "Check the address for typos" in message
    assert connections == []


def test_url_connection_refused_is_a_plain_message():
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens
        sock.bind((LOCAL, 0))
        port = sock.getsockname()[1]
    message = _problem(f"http://{LOCAL}:{port}/")
    assert message.startswith(f"Could not connect to {LOCAL}")
    assert "Traceback" not in message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ftp://example.com/a.txt", "starts with ftp://; only http:// and https:// links"),
        ("file:///etc/passwd", "starts with file://; only http:// and https:// links"),
        ("gopher://127.0.0.1:70/", "starts with gopher://"),
        ("example.com/news", "does not start with http:// or https://"),
        ("http://user:secret@example.com/", "contains a user name or password"),
        ("http:///no-host", "has no host name"),
        ("http://example.com:99999/", "is not a valid web address"),
    ],
)
def test_url_bad_addresses_are_refused_without_connecting(url, expected, connections):
    message = _problem(url, allow_private=False)
    assert message.startswith("This address ")
    assert expected in message
    assert connections == []
