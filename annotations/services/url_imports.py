"""Articles from their links, fetched in the background: the API's import of a link
(`POST /api/v1/articles/from-url/`). The web's form fetches while the editor waits, to show
a preview; a script gets a job to poll instead (`UrlImport`, the record of truth).

- `url_import_start`: the record, and its job enqueued in the same transaction, for someone
  who may add articles; an article already here with that link is refused at once
  (`DuplicateArticle`), as the web's form does before it fetches.
- `fetch_article_from_url` (job, queue "default", keyed "url-import:<id>"): fetches the page
  through the same guard and settings as the web's form (`web.draft_from_link`) and creates
  the article as the person who asked (`article_create`, which checks their right again).
  A fetch that is refused or fails ends the record "failed" with the web's message (no
  retry: the web's form does not retry either, and the person can ask again); an article
  already here ends it "done" with that article and a note.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import jobs, permissions
from ..importers import web
from ..importers.drafts import ImportProblem
from ..models import Article, UrlImport
from .articles import DuplicateArticle, article_create, article_find_duplicate

__all__ = ["fetch_article_from_url", "url_import_run", "url_import_start"]

FINISHED = (UrlImport.Status.DONE, UrlImport.Status.FAILED)


def _key(url_import_id: int) -> str:
    return f"url-import:{url_import_id}"


@transaction.atomic
def url_import_start(*, user: AbstractBaseUser, url: str) -> UrlImport:
    """Ask for the article at `url` (a link the web's URL form accepted)."""
    permissions.require_add_article(user)
    existing = article_find_duplicate(url=url)
    if existing:
        raise DuplicateArticle(*existing)
    record = UrlImport(user=user, url=url)
    record.full_clean()
    record.save()
    jobs.enqueue_once(fetch_article_from_url, record.pk, key=_key(record.pk))
    return record


def _finish(
    record: UrlImport, *, article: Article | None = None, error: str = "", note: str = ""
) -> UrlImport:
    record.status = UrlImport.Status.FAILED if error else UrlImport.Status.DONE
    record.article, record.error, record.note = article, error, note
    record.finished_at = timezone.now()
    record.save(update_fields=["status", "article", "error", "note", "finished_at", "updated_at"])
    return record


def url_import_run(url_import_id: int) -> UrlImport | None:
    """Fetch the record's link and create its article. A record already finished is left as
    it is, so a job that runs twice does no harm; a run cut short (the worker lost) and run
    again finds the article it made, if it made one, as a duplicate."""
    record = UrlImport.objects.select_related("user").filter(pk=url_import_id).first()
    if record is None or record.status in FINISHED:
        return record
    UrlImport.objects.filter(pk=record.pk).update(
        status=UrlImport.Status.RUNNING, updated_at=timezone.now()
    )
    try:
        draft = web.draft_from_link(record.url)
    except ImportProblem as exc:
        return _finish(record, error=str(exc))
    try:
        with transaction.atomic():  # the article and the record's "done" commit together
            article = article_create(user=record.user, **draft.article_fields())
            return _finish(record, article=article, note=" ".join(draft.notes))
    except DuplicateArticle as exc:
        return _finish(
            record,
            article=exc.existing,
            note=_("%(reason)s Nothing new was created.") % {"reason": exc.reason},
        )
    except ValidationError as exc:
        return _finish(record, error=" ".join(exc.messages))
    except PermissionDenied as exc:
        return _finish(record, error=str(exc))


def _gave_up(url_import_id: int, *, error: BaseException) -> None:
    """A run that failed for a reason of ours (a bug, a lost worker, again and again)."""
    UrlImport.objects.filter(pk=url_import_id).exclude(status__in=FINISHED).update(
        status=UrlImport.Status.FAILED,
        error=_("The import stopped unexpectedly. Try again, or paste the article's text."),
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


@jobs.job(priority=10, on_give_up=_gave_up)  # someone waits for it: before a backlog
def fetch_article_from_url(url_import_id: int) -> str | None:
    record = url_import_run(url_import_id)
    return record.status if record is not None else None
