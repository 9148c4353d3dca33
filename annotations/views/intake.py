"""Getting articles in: paste, upload, link (each through a preview), and bulk import."""

from __future__ import annotations

import hashlib
import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from .. import permissions, rendering, services
from ..forms import (
    ArticleForm,
    BulkImportForm,
    NewArticleForm,
    UploadForm,
    UrlForm,
    WorkflowForm,
    form_errors,
)
from ..importers import extraction, trailers, web
from ..importers.bulk import RowError, detect_format, read_file
from ..importers.drafts import ArticleDraft, ImportProblem
from ..models import Article, ImportRun
from ..services.imports import (
    ImportReport,
    articles_import_run,
    import_run_finish,
    import_run_start,
)
from .common import HtmxHttpRequest, get_article, refused

UPLOAD_MARGIN = 64 * 1024  # multipart overhead on top of the file itself


def _require_add(request: HttpRequest) -> None:
    permissions.require_add_article(request.user)


def _too_big(request: HttpRequest, limit: int) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit + UPLOAD_MARGIN
    except ValueError:
        return True


def _preview(request, form: ArticleForm, notes=(), status=200) -> HttpResponse:
    """The article exactly as it will be annotated, with its title, text and details still
    editable, and the lines that look like a scraper's leftovers offered for removal."""
    body = form.cleaned_data["body"] if form.is_valid() else ""
    context = {
        "form": form,
        "notes": notes,
        "preview_html": rendering.render_body(body, []) if body else "",
        "characters": len(body),
        "trailers": trailers.find(body) if body else [],
        "tab": "paste",
    }
    return render(request, "annotations/article_new.html", context, status=status)


def _preview_draft(request, draft: ArticleDraft) -> HttpResponse:
    form = _draft_form(draft)
    return _preview(request, form, notes=draft.notes, status=200 if form.is_valid() else 422)


def _draft_form(draft: ArticleDraft) -> ArticleForm:
    published_at = draft.published_at
    return NewArticleForm(
        {
            **draft.article_fields(),
            "published_at": published_at.strftime("%Y-%m-%dT%H:%M") if published_at else "",
        }
    )


@require_http_methods(["GET", "POST"])
def article_new(request: HtmxHttpRequest) -> HttpResponse:
    """Paste an article. The first POST shows the preview; "Save" creates it.

    Uploads and links end in the same preview, which posts here: an empty title is taken
    from the text's first line, and "Remove these lines" takes out the leftover lines the
    editor ticked; both show the preview again, so nothing is saved unseen."""
    _require_add(request)
    if request.method == "GET":
        return render(
            request,
            "annotations/article_new.html",
            {
                "form": NewArticleForm(),
                "tab": request.GET.get("tab", "paste"),
                "upload_form": UploadForm(),
                "url_form": UrlForm(),
            },
        )
    data = request.POST.copy()
    if data.get("enter") == "save":  # Enter pressed in a field of the preview
        data["save"] = "1"
    notes: list[str] = []
    # A title taken from the text is shown before anything else is done: never saved unseen,
    # and the text's lines have moved (the lines ticked for removal counted the old ones).
    took_title = not data.get("title", "").strip() and bool(data.get("body", "").strip())
    if took_title:
        data["title"], data["body"], notes = extraction.title_from_first_line(data["body"])
    form = NewArticleForm(data)
    if took_title or not form.is_valid() or ("save" not in data and "remove_lines" not in data):
        return _preview(request, form, notes=notes, status=200 if form.is_valid() else 422)
    if "remove_lines" in data:
        return _remove_lines(request, form, data)
    try:
        article = services.article_create(user=request.user, **form.cleaned_data)
    except services.DuplicateArticle as exc:
        messages.warning(
            request, _("%(reason)s Here it is; nothing new was created.") % {"reason": exc.reason}
        )
        return redirect(exc.existing)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _preview(request, form, status=422)
    messages.success(
        request, _("Article added (%(n)s characters).") % {"n": f"{len(article.body):,}"}
    )
    return redirect(article)


def _remove_lines(request, form: NewArticleForm, data) -> HttpResponse:
    """Take the ticked leftover lines out of the previewed text and show it again, to check
    and save. Only lines that `trailers.find` still reports in this text can go."""
    ticked = {int(n) for n in data.getlist("drop_line") if n.isdecimal()}
    body, removed = trailers.remove(form.cleaned_data["body"], ticked)
    if not removed:
        return _preview(request, form, notes=[_("No line was ticked, so nothing was removed.")])
    data["body"] = body
    data.setlist("drop_line", [])
    lines = ", ".join(f"“{line.text}”" for line in removed)
    note = ngettext(
        "Removed %(n)d line: %(lines)s. Check the text, then save.",
        "Removed %(n)d lines: %(lines)s. Check the text, then save.",
        len(removed),
    ) % {"n": len(removed), "lines": lines}
    return _preview(request, NewArticleForm(data), notes=[note])


@require_http_methods(["POST"])
def article_upload(request: HtmxHttpRequest) -> HttpResponse:
    _require_add(request)
    limit = settings.ARTICLE_UPLOAD_MAX_BYTES
    upload_form = UploadForm(
        None if _too_big(request, limit) else request.POST,
        None if _too_big(request, limit) else request.FILES,
    )
    error = None
    if _too_big(request, limit):
        error = _("The file is larger than the %(limit).1f MB limit. Nothing was created.") % {
            "limit": limit / 1048576
        }
    elif upload_form.is_valid():
        upload = upload_form.cleaned_data["file"]
        data = upload.read()
        title = upload_form.cleaned_data["title"]
        try:
            if upload.name.lower().endswith((".html", ".htm")):
                draft = extraction.draft_from_html(data, title=title)
            else:
                draft = extraction.draft_from_text(data, title=title)
        except ImportProblem as exc:
            error = str(exc)
        else:
            return _preview_draft(request, draft)
    else:
        error = " ".join(e for errors in upload_form.errors.values() for e in errors)
    context = {
        "form": NewArticleForm(),
        "tab": "upload",
        "upload_form": upload_form,
        "url_form": UrlForm(),
        "upload_error": error,
    }
    return render(
        request,
        "annotations/article_new.html",
        context,
        status=413 if _too_big(request, limit) else 422,
    )


@require_http_methods(["POST"])
def article_from_url(request: HtmxHttpRequest) -> HttpResponse:
    _require_add(request)
    url_form = UrlForm(request.POST)
    error = None
    if url_form.is_valid():
        url = url_form.cleaned_data["url"]
        existing = services.article_find_duplicate(url=url)
        if existing:
            messages.warning(
                request,
                _("%(reason)s Here it is; nothing new was created.") % {"reason": existing[1]},
            )
            return redirect(existing[0])
        try:
            draft = web.draft_from_link(url)
        except ImportProblem as exc:
            error = str(exc)
        else:
            return _preview_draft(request, draft)
    else:
        error = " ".join(e for errors in url_form.errors.values() for e in errors)
    context = {
        "form": NewArticleForm(),
        "tab": "url",
        "upload_form": UploadForm(),
        "url_form": url_form,
        "url_error": error,
    }
    return render(request, "annotations/article_new.html", context, status=422)


@require_http_methods(["GET", "POST"])
def article_import(request: HtmxHttpRequest) -> HttpResponse:
    """The bulk import, as a page for reviewers and admins. Each import is recorded as a run
    (its page lists what went in, row by row): a POST that imports answers with a redirect
    to it."""
    permissions.require_import(request.user)
    form = BulkImportForm(request.POST or None, request.FILES or None)
    status = 200
    too_big = None
    if request.method == "POST" and _too_big(request, settings.BULK_IMPORT_MAX_BYTES):
        form = BulkImportForm()
        too_big = _(
            "The file is larger than the upload limit (%(limit)s bytes); nothing was "
            'imported. Use `make manage ARGS="import_articles FILE"` for big files.'
        ) % {"limit": f"{settings.BULK_IMPORT_MAX_BYTES:,}"}
        status = 413
    elif request.method == "POST" and form.is_valid():
        run = _import_upload(request, form.cleaned_data["file"], form.cleaned_data["dry_run"])
        if run.status == ImportRun.Status.DONE and (run.articles_created or not run.rows_failed):
            return redirect(run)
        # Nothing went in and rows were refused (or the file could not be read): a refusal,
        # answered as one, with the run's report.
        return _run_page(request, run, status=422)
    elif request.method == "POST":
        status = 422
    runs = ImportRun.objects.select_related("user")[:10]
    return render(
        request,
        "annotations/article_import.html",
        {"form": form, "too_big": too_big, "runs": runs},
        status=status,
    )


def _import_upload(request, upload, dry_run: bool):
    """Read the uploaded file, import it as a recorded run, and say how it went."""
    data = upload.read()
    fmt = detect_format(upload.name)
    run = import_run_start(
        user=request.user,
        door="web",
        file_name=upload.name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        fmt=fmt,
        dry_run=dry_run,
    )
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        report = ImportReport(dry_run=dry_run)
        report.errors.append(
            RowError(
                line,
                _("The file is not UTF-8 (byte %(byte)s). Save it as UTF-8.")
                % {"byte": f"{exc.start:,}"},
            )
        )
        import_run_finish(run, report, error="The file is not UTF-8: nothing was imported.")
        messages.error(request, _("The file is not UTF-8: nothing was imported."))
        return run
    stream = io.StringIO(content, newline="" if fmt == "csv" else None)
    try:
        report = articles_import_run(run, read_file(stream, fmt), user=request.user)
    except DatabaseError:
        messages.error(request, _("The import stopped before the end: see what went in below."))
        return run
    if report.dry_run:
        messages.info(
            request,
            _("Checked only: nothing was written. %(summary)s") % {"summary": report.summary()},
        )
    elif report.failed:  # green only when every row went in
        messages.warning(request, report.summary())
    else:
        messages.success(request, report.summary())
    return run


@require_http_methods(["GET"])
def import_run_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One bulk import, as it was recorded: who, when, which file, what went in, row by row."""
    permissions.require_import(request.user)
    run = get_object_or_404(ImportRun.objects.select_related("user"), pk=pk)
    return _run_page(request, run)


def _run_page(request, run, status: int = 200) -> HttpResponse:
    committed = list(
        Article.objects.alive()
        .filter(pk__in=run.committed[:200])
        .order_by("pk")
        .only("id", "title")
    )
    return render(
        request,
        "annotations/import_run.html",
        {"run": run, "committed": committed, "more": max(0, len(run.committed) - 200)},
        status=status,
    )


@require_http_methods(["POST"])
def article_workflow(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Take an article, or set its status and assignee."""
    article = get_article(pk)
    permissions.require_annotate(request.user)
    if "take" in request.POST:
        data = {
            "status": "in_progress" if article.status == "new" else article.status,
            "assignee": request.user,
        }
    else:
        form = WorkflowForm(request.POST)
        if not form.is_valid():
            return refused(request, form_errors(form), back=article.get_absolute_url())
        data = form.cleaned_data
    services.article_update_workflow(article=article, user=request.user, **data)
    messages.success(
        request,
        _("Status: %(status)s; assignee: %(assignee)s.")
        % {"status": article.get_status_display(), "assignee": article.assignee or _("nobody")},
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = article.get_absolute_url()
    return redirect(next_url)
