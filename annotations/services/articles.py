"""Writes to articles: creation (normalised, no duplicates), workflow, soft delete."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import anchoring
from ..models import Article


class DuplicateArticle(Exception):
    """The article is already here; `existing` is the one to send the user to."""

    def __init__(self, existing: Article, reason: str):
        super().__init__(reason)
        self.existing = existing
        self.reason = reason


def article_find_duplicate(*, url: str = "", body: str | None = None) -> tuple[Article, str] | None:
    """An existing article with the same URL or the same normalised body, if any."""
    if url:
        existing = Article.objects.filter(url=url).first()
        if existing:
            return existing, "An article with this URL is already here."
    if body is None:
        return None
    existing = Article.objects.filter(body_hash=anchoring.body_hash(body)).first()
    if existing:
        return existing, "An article with exactly this text is already here."
    return None


@transaction.atomic
def article_create(
    *,
    user: AbstractBaseUser | None,
    title: str,
    body: str,
    url: str = "",
    outlet: str = "",
    author: str = "",
    published_at: datetime | None = None,
    language: str = "",
) -> Article:
    """Create an article with its body normalised (NFC, "\\n"); refuse duplicates."""
    body = anchoring.normalise_body(body)
    if not body.strip():
        raise ValidationError({"body": "The article has no text."})
    duplicate = article_find_duplicate(url=url, body=body)
    if duplicate:
        raise DuplicateArticle(*duplicate)
    article = Article(
        title=" ".join(title.split()),
        body=body,
        body_hash=anchoring.body_hash(body),
        url=url,
        outlet=outlet.strip(),
        author=author.strip(),
        published_at=published_at,
        language=language.strip(),
        created_by=user if user and user.is_authenticated else None,
    )
    article.full_clean()
    article._history_user = user
    article.save()
    return article


@transaction.atomic
def article_update_workflow(
    *, article: Article, user: AbstractBaseUser, status: str, assignee: AbstractBaseUser | None
) -> Article:
    article.status = status
    article.assignee = assignee
    article.full_clean(exclude=["body_hash"])
    article._history_user = user
    article.save(update_fields=["status", "assignee", "updated_at"])
    return article


@transaction.atomic
def article_delete(*, article: Article, user: AbstractBaseUser) -> Article:
    """Soft delete: the article and its claims stay in the database for an admin to restore."""
    article.deleted_at = timezone.now()
    article.deleted_by = user
    article._history_user = user
    article.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return article


@transaction.atomic
def article_restore(*, article: Article, user: AbstractBaseUser) -> Article:
    article.deleted_at = None
    article.deleted_by = None
    article._history_user = user
    article.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return article


@transaction.atomic
def article_update_metadata(*, article: Article, user: AbstractBaseUser, **fields) -> Article:
    """Change an article's title, source details and workflow; never its body."""
    fields.pop("body", None)
    for field, value in fields.items():
        setattr(article, field, value)
    article.full_clean(exclude=["body_hash"])
    article._history_user = user
    article.save()
    return article
