"""Adding articles in the app: paste with preview, upload, link, bulk page, workflow."""

import http.server
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotations.models import Annotation, Article, ImportRun
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

WIRE = "Strike on Kharkiv\r\n\r\nKyiv says 31 of 38 drones were downed.\r\nCafe\u0301 closed."


def _paste(client, save=False, **extra):
    data = {"title": "Strike on Kharkiv", "body": WIRE, "outlet": "Wire", **extra}
    if save:
        data["save"] = "1"
    return client.post(reverse("annotations:article-new"), data)


def test_paste_previews_the_exact_text_then_saves(editor_client, editor):
    preview = _paste(editor_client)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Check the text before you save it" in html and "Café closed." in html
    assert Article.objects.count() == 0
    saved = _paste(editor_client, save=True)
    article = Article.objects.get()
    assert saved.status_code == 302 and saved["Location"] == article.get_absolute_url()
    assert (
        article.body == "Strike on Kharkiv\n\nKyiv says 31 of 38 drones were downed.\nCafé closed."
    )
    assert article.created_by == editor


def test_paste_duplicate_sends_to_existing(editor_client):
    existing = ArticleFactory(
        body="Strike on Kharkiv\n\nKyiv says 31 of 38 drones were downed.\nCafé closed."
    )
    response = _paste(editor_client, save=True)
    assert response.status_code == 302 and response["Location"] == existing.get_absolute_url()
    assert Article.objects.count() == 1
    ArticleFactory(url="https://example.org/x", body="other")
    response = _paste(editor_client, save=True, body="new text", url="https://example.org/x")
    assert Article.objects.count() == 2


def test_paste_refuses_empty_body_and_bad_link(editor_client):
    response = _paste(editor_client, save=True, body="   \r\n ", url="javascript:alert(1)")
    assert response.status_code == 422
    html = response.content.decode()
    assert "no text" in html and "http" in html
    assert Article.objects.count() == 0


# --- Issue 17: a preview you can clean ---------------------------------------------------

SCRAPED = (
    "Strike on Kharkiv\r\n\r\nKyiv says 31 of 38 drones were downed.\r\n\r\n"
    "Read more about the strike in our live blog.\r\n\r\n"
    "Follow us on Telegram\r\n\r\nRepair crews restored power by midday.\r\n\r\n"
    "Source: Read Full Article"
)


def _preview_of(response):
    """The title and body the preview shows in its form, and the lines it offers to remove."""
    form = response.context["form"]
    trailers = [(t.number, t.text) for t in response.context["trailers"]]
    return form.cleaned_data["title"], form.cleaned_data["body"], trailers


def test_paste_without_title_takes_the_first_line_out_of_the_body(editor_client):
    response = _paste(editor_client, save=True, title="", body=SCRAPED)
    assert response.status_code == 200  # a title the editor has not seen is never saved
    assert Article.objects.count() == 0
    title, body, _ = _preview_of(response)
    assert title == "Strike on Kharkiv"
    assert body.startswith("Kyiv says 31 of 38 drones were downed.\n")
    html = response.content.decode()
    assert "The title was taken from the first line of the text" in html
    assert 'name="title"' in html and '<textarea name="body"' in html  # both still editable
    saved = _paste(editor_client, save=True, title="Kharkiv: 31 of 38 drones downed", body=body)
    article = Article.objects.get()
    assert saved.status_code == 302
    assert article.title == "Kharkiv: 31 of 38 drones downed"
    assert article.body == body and "Strike on Kharkiv" not in article.body


def test_a_title_taken_from_the_text_is_always_shown_first(editor_client):
    # Even when the line stays in the body (it is all the text), and even on "Remove".
    only = _paste(editor_client, save=True, title="", body="Kyiv says 31 drones were downed.")
    assert only.status_code == 200 and Article.objects.count() == 0
    assert _preview_of(only)[:2] == (
        "Kyiv says 31 drones were downed.",
        "Kyiv says 31 drones were downed.",
    )
    removing = _paste(editor_client, title="", body=SCRAPED, remove_lines="1", drop_line=["9"])
    # The ticked number counted the lines before the title left (9 is now the trailer).
    assert "Source: Read Full Article" in _preview_of(removing)[1]
    assert Article.objects.count() == 0


def test_a_typed_title_never_takes_a_line_out_of_the_body(editor_client):
    response = _paste(editor_client, title="Strike on Kharkiv", body=SCRAPED)
    title, body, _ = _preview_of(response)
    assert title == "Strike on Kharkiv"
    assert body.startswith("Strike on Kharkiv\n\nKyiv says")
    assert "The title was taken" not in response.content.decode()


def test_preview_offers_the_leftover_lines_and_the_server_removes_them(editor_client):
    response = _paste(editor_client, title="", body=SCRAPED)
    _, body, found = _preview_of(response)
    assert found == [(5, "Follow us on Telegram"), (9, "Source: Read Full Article")]
    html = response.content.decode()
    # A plain form button (no script needed), in the form that carries the text.
    assert '<button type="submit" name="remove_lines" value="1"' in html
    assert html.count('name="drop_line"') == 2
    assert "Read more about the strike" in body  # reporting: not offered
    cleaned = _paste(
        editor_client, title="Strike on Kharkiv", body=body, remove_lines="1", drop_line=["5", "9"]
    )
    assert cleaned.status_code == 200 and Article.objects.count() == 0  # shown again to confirm
    _, cleaned_body, left = _preview_of(cleaned)
    assert left == []
    assert cleaned_body == (
        "Kyiv says 31 of 38 drones were downed.\n\n"
        "Read more about the strike in our live blog.\n\n"
        "Repair crews restored power by midday."
    )
    assert "Removed 2 lines: “Follow us on Telegram”, “Source: Read Full Article”" in (
        cleaned.content.decode()
    )
    _paste(editor_client, save=True, title="Strike on Kharkiv", body=cleaned_body)
    assert Article.objects.get().body == cleaned_body


def test_remove_lines_takes_only_ticked_leftovers(editor_client):
    body = "Kyiv says 31 of 38 drones were downed.\n\nShare\n\nSource: Read Full Article"
    kept = _paste(editor_client, body=body, remove_lines="1", drop_line=["5"])
    assert _preview_of(kept)[1] == "Kyiv says 31 of 38 drones were downed.\n\nShare"
    # A reporting line, a line that does not exist, junk: nothing is removed.
    none = _paste(editor_client, body=body, remove_lines="1", drop_line=["1", "40", "x"])
    assert _preview_of(none)[1] == body
    assert "nothing was removed" in none.content.decode()
    assert Article.objects.count() == 0


def test_enter_in_the_preview_saves_and_never_removes_lines(editor_client):
    body = "Kyiv says 31 of 38 drones were downed.\n\nSource: Read Full Article"
    html = _paste(editor_client, body=body).content.decode()
    form = html[html.index('id="article-preview"') :]
    # The form's first submit button, the one Enter uses, is a hidden "save".
    first = form[form.index("<button") : form.index("</button>")]
    assert 'name="enter" value="save" hidden' in first
    saved = _paste(editor_client, body=body, enter="save", drop_line=["3"])
    assert saved.status_code == 302
    assert Article.objects.get().body == body


def test_the_demo_article_offers_its_trailer_when_pasted(editor_client):
    from annotations import demo

    article = next(a for a in demo.ARTICLES if a.body.endswith("Source: Read Full Article"))
    response = _paste(editor_client, title="", body=article.body)
    title, body, found = _preview_of(response)
    assert title == article.title
    assert found == [(body.count("\n") + 1, "Source: Read Full Article")]


def test_upload_preview_is_editable_and_offers_leftovers(editor_client):
    data = SCRAPED.replace("\r\n", "\n").encode()
    response = _upload(editor_client, "wire.txt", data)
    assert response.status_code == 200
    title, body, found = _preview_of(response)
    assert title == "Strike on Kharkiv" and body.startswith("Kyiv says")
    assert [text for _n, text in found] == ["Follow us on Telegram", "Source: Read Full Article"]
    html = response.content.decode()
    assert '<textarea name="body"' in html and 'name="remove_lines"' in html
    # A title the editor typed on the upload form: the file's first line stays.
    typed = _upload(editor_client, "wire.txt", data, title="Desk title")
    assert _preview_of(typed)[:2] == ("Desk title", SCRAPED.replace("\r\n", "\n"))


def _upload(client, name, data, **extra):
    return client.post(
        reverse("annotations:article-upload"), {"file": SimpleUploadedFile(name, data), **extra}
    )


def test_upload_txt_with_bom_uses_first_line_as_title(editor_client):
    response = _upload(editor_client, "wire.txt", "\ufeff\n\nКиїв: 31 дрон\nText body.".encode())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Київ: 31 дрон"' in html
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("bin.txt", b"\x00\x01\x02\x89PNG\r\n\x1a\n" * 20, "binary"),
        ("latin.txt", "Caf\xe9 in Kyiv".encode("latin-1"), "UTF-8"),
        ("doc.pdf", b"%PDF-1.4", ".txt or .html"),
    ],
)
def test_upload_bad_files_get_a_message_and_create_nothing(editor_client, name, data, message):
    response = _upload(editor_client, name, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Article.objects.count() == 0


def test_upload_over_the_limit(editor_client, settings):
    settings.ARTICLE_UPLOAD_MAX_BYTES = 1000
    response = _upload(editor_client, "big.txt", b"a" * 200_000)
    assert response.status_code == 413
    assert "limit" in response.content.decode()
    assert Article.objects.count() == 0


def test_upload_html_strips_markup_and_scripts(editor_client):
    page = (
        b"<html><head><title>Night attack on Odesa</title>"
        b"<meta name='author' content='O. Marchenko'></head><body><article>"
        b"<h1>Night attack on Odesa</h1><script>alert(1)</script>"
        b"<p>Drones struck the port of Odesa overnight, officials said on Tuesday morning.</p>"
        b"<p onmouseover='alert(2)'>Repair crews restored power to most homes by noon, according to the regional administration.</p>"
        b"<img src=x onerror='alert(3)'></article></body></html>"
    )
    response = _upload(editor_client, "page.html", page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Drones struck the port of Odesa" in html
    assert "alert(" not in html


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/article":
            body = (
                b"<html><head><title>Shelling in Kherson</title></head><body><article>"
                b"<p>Shelling hit the centre of Kherson on Monday, the regional governor said.</p>"
                b"<p>Two people were injured, according to local officials quoted by the outlet.</p>"
                b"</article></body></html>"
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
        else:
            body = b"not here"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_from_url_fetches_and_previews(editor_client, settings, local_site):
    settings.URL_IMPORT_ALLOW_PRIVATE = True
    response = editor_client.post(
        reverse("annotations:article-from-url"), {"url": f"{local_site}/article"}
    )
    assert response.status_code == 200
    assert "Shelling hit the centre of Kherson" in response.content.decode()
    missing = editor_client.post(
        reverse("annotations:article-from-url"), {"url": f"{local_site}/gone"}
    )
    assert missing.status_code == 422 and "404" in missing.content.decode()


def test_from_url_refuses_loopback_when_not_allowed(editor_client, settings, local_site):
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    response = editor_client.post(
        reverse("annotations:article-from-url"), {"url": f"{local_site}/article"}
    )
    assert response.status_code == 422
    assert Article.objects.count() == 0


def test_viewer_cannot_add_and_editor_cannot_bulk(client, viewer, editor):
    client.force_login(viewer)
    assert client.get(reverse("annotations:article-new")).status_code == 403
    assert _paste(client, save=True).status_code == 403
    client.force_login(editor)
    assert client.get(reverse("annotations:article-import")).status_code == 403
    assert Article.objects.count() == 0


def test_bulk_page_for_reviewers_reports_lines(client, reviewer):
    client.force_login(reviewer)
    content = (
        b'{"title": "A", "body": "Kyiv says 5.", "claims": [{"start": 0, "end": 4, "quote": "Kyiv", "label": "disputed", "source": "Kyiv"}]}\n'
        b'{"title": "B"}\n'
    )
    response = client.post(
        reverse("annotations:article-import"), {"file": SimpleUploadedFile("batch.jsonl", content)}
    )
    # The import is recorded; its page says what happened, row by row.
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Created 1 article(s) with 1 claim(s)" in html  # the message after the redirect
    assert "Not imported: “body” is missing." in html
    assert Annotation.objects.get().source.name == "Kyiv"
    assert (run.status, run.user, run.file_name, run.format) == (
        "done",
        reviewer,
        "batch.jsonl",
        "jsonl",
    )
    assert (run.articles_created, run.claims_created, run.rows_failed) == (1, 1, 1)
    assert run.committed == [Article.objects.get().pk]
    assert run.report == [{"line": 2, "kind": "error", "reason": "“body” is missing."}]
    assert len(run.file_sha256) == 64 and run.file_size == len(content)


def test_take_article_and_set_status(editor_client, editor):
    article = ArticleFactory()
    url = reverse("annotations:article-workflow", args=[article.pk])
    response = editor_client.post(url, {"take": "1", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    article.refresh_from_db()
    assert (article.assignee, article.status) == (editor, "in_progress")
    editor_client.post(url, {"status": "done", "assignee": editor.pk})
    article.refresh_from_db()
    assert article.status == "done"
    html = editor_client.get(
        reverse("annotations:article-list"), {"assignee": editor.pk}
    ).content.decode()
    assert article.title in html
