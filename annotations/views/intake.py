"""Getting articles in: paste, upload, link (each through a preview), and bulk import."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .. import permissions, rendering, services
from ..forms import ArticleForm, BulkImportForm, UploadForm, UrlForm, WorkflowForm
from ..importers import web
from ..importers.bulk import detect_format, read_file
from ..services.imports import articles_import
from .common import HtmxHttpRequest, get_article

UPLOAD_MARGIN = 64 * 1024  # multipart overhead on top of the file itself


def _require_add(request: HttpRequest) -> None:
    if not permissions.can_add_article(request.user):
        raise PermissionDenied("Your role cannot add articles.")


def _too_big(request: HttpRequest, limit: int) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit + UPLOAD_MARGIN
    except ValueError:
        return True


def _preview(request, form: ArticleForm, notes=(), status=200) -> HttpResponse:
    """The article exactly as it will be annotated, with its details still editable."""
    body = form.cleaned_data["body"] if form.is_valid() else ""
    context = {
        "form": form,
        "notes": notes,
        "preview_html": rendering.render_body(body, []) if body else "",
        "characters": len(body),
        "tab": "paste",
    }
    return render(request, "annotations/article_new.html", context, status=status)


def _preview_draft(request, draft: web.ArticleDraft) -> HttpResponse:
    form = _draft_form(draft)
    return _preview(request, form, notes=draft.notes, status=200 if form.is_valid() else 422)


def _draft_form(draft: web.ArticleDraft) -> ArticleForm:
    return ArticleForm(
        {
            "title": draft.title,
            "body": draft.body,
            "url": draft.url,
            "outlet": draft.outlet,
            "author": draft.author,
            "language": draft.language,
            "published_at": draft.published_at.strftime("%Y-%m-%dT%H:%M")
            if draft.published_at
            else "",
        }
    )


@require_http_methods(["GET", "POST"])
def article_new(request: HtmxHttpRequest) -> HttpResponse:
    """Paste an article. The first POST shows the preview; "Save" creates it."""
    _require_add(request)
    if request.method == "GET":
        return render(
            request,
            "annotations/article_new.html",
            {
                "form": ArticleForm(),
                "tab": request.GET.get("tab", "paste"),
                "upload_form": UploadForm(),
                "url_form": UrlForm(),
            },
        )
    form = ArticleForm(request.POST)
    if not form.is_valid() or "save" not in request.POST:
        return _preview(request, form, status=200 if form.is_valid() else 422)
    data = form.cleaned_data
    try:
        article = services.article_create(user=request.user, **data)
    except services.DuplicateArticle as exc:
        messages.warning(request, f"{exc.reason} Here it is; nothing new was created.")
        return redirect(exc.existing)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _preview(request, form, status=422)
    messages.success(request, f"Article added ({len(article.body):,} characters).")
    return redirect(article)


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
        error = f"The file is larger than the {limit / 1048576:.1f} MB limit. Nothing was created."
    elif upload_form.is_valid():
        upload = upload_form.cleaned_data["file"]
        data = upload.read()
        title = upload_form.cleaned_data["title"]
        try:
            if upload.name.lower().endswith((".html", ".htm")):
                draft = web.draft_from_html(data, title=title)
            else:
                draft = web.draft_from_text(data, title=title)
        except web.ImportProblem as exc:
            error = str(exc)
        else:
            return _preview_draft(request, draft)
    else:
        error = " ".join(e for errors in upload_form.errors.values() for e in errors)
    context = {
        "form": ArticleForm(),
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
            messages.warning(request, f"{existing[1]} Here it is; nothing new was created.")
            return redirect(existing[0])
        try:
            draft = web.draft_from_url(
                url,
                allow_private=settings.URL_IMPORT_ALLOW_PRIVATE,
                connect_timeout=settings.URL_IMPORT_CONNECT_TIMEOUT,
                read_timeout=settings.URL_IMPORT_READ_TIMEOUT,
                max_bytes=settings.ARTICLE_UPLOAD_MAX_BYTES,
                max_redirects=settings.URL_IMPORT_MAX_REDIRECTS,
            )
        except web.ImportProblem as exc:
            error = str(exc)
        else:
            return _preview_draft(request, draft)
    else:
        error = " ".join(e for errors in url_form.errors.values() for e in errors)
    context = {
        "form": ArticleForm(),
        "tab": "url",
        "upload_form": UploadForm(),
        "url_form": url_form,
        "url_error": error,
    }
    return render(request, "annotations/article_new.html", context, status=422)


@require_http_methods(["GET", "POST"])
def article_import(request: HtmxHttpRequest) -> HttpResponse:
    """The bulk import, as a page for reviewers and admins."""
    if not permissions.can_import(request.user):
        raise PermissionDenied("Only reviewers and admins can bulk import.")
    form = BulkImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    too_big = None
    if request.method == "POST" and _too_big(request, settings.BULK_IMPORT_MAX_BYTES):
        form = BulkImportForm()
        too_big = (
            f"The file is larger than the upload limit ({settings.BULK_IMPORT_MAX_BYTES:,} "
            "bytes); nothing was imported. Use `manage.py import_articles` for big files."
        )
        status = 413
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        fmt = detect_format(upload.name)
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            form.add_error("file", f"The file is not UTF-8 (byte {exc.start}). Save it as UTF-8.")
            status = 422
        else:
            stream = io.StringIO(text, newline="" if fmt == "csv" else None)
            report = articles_import(
                read_file(stream, fmt), user=request.user, dry_run=form.cleaned_data["dry_run"]
            )
            if report.created and not report.dry_run:
                # Green only when every row went in; the report below lists what failed.
                notify = messages.warning if report.failed else messages.success
                notify(request, report.summary())
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "annotations/article_import.html",
        {"form": form, "report": report, "too_big": too_big},
        status=status,
    )


@require_http_methods(["POST"])
def article_workflow(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Take an article, or set its status and assignee."""
    article = get_article(pk)
    if not permissions.can_annotate(request.user):
        raise PermissionDenied("Your role cannot change the workflow of articles.")
    if "take" in request.POST:
        data = {
            "status": "in_progress" if article.status == "new" else article.status,
            "assignee": request.user,
        }
    else:
        form = WorkflowForm(request.POST)
        if not form.is_valid():
            messages.error(request, "That status or assignee was not understood.")
            return redirect(article)
        data = form.cleaned_data
    services.article_update_workflow(article=article, user=request.user, **data)
    messages.success(
        request,
        f"Status: {article.get_status_display()}; assignee: {article.assignee or 'nobody'}.",
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = article.get_absolute_url()
    return redirect(next_url)
