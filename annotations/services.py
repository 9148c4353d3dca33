"""Every write to sources, articles and claims goes through here: views, admin and commands.

Each function is keyword-only, runs in one transaction and validates before it writes
(`full_clean`), so normalising, version checks and anchoring cannot be skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from . import anchoring
from .models import Annotation, Article, Source, SourceAlias

# --- Sources -------------------------------------------------------------------------------


def _claimed_name(name_key: str, *, exclude_source: Source | None = None) -> SourceAlias | None:
    qs = SourceAlias.objects.select_related("source").filter(name_key=name_key)
    if exclude_source is not None:
        qs = qs.exclude(source=exclude_source)
    return qs.first()


def source_check_name(name: str, *, exclude_source: Source | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "A source needs a name."})
    key = anchoring.fold_name(name)
    taken = _claimed_name(key, exclude_source=exclude_source)
    if taken is not None:
        how = "" if taken.is_primary else f" (as an alias of “{taken.source.name}”)"
        raise ValidationError(
            {"name": f"A source named “{taken.name}” already exists{how}. Pick it instead."}
        )
    return key


@transaction.atomic
def source_create(
    *,
    name: str,
    user: AbstractBaseUser | None,
    kind: str = Source.Kind.OTHER,
    url: str = "",
    description: str = "",
    reliability: str = Source.Reliability.F,
) -> Source:
    """Create a source (pending review) and record its name among the names and aliases."""
    key = source_check_name(name)
    source = Source(
        name=" ".join(name.split()),
        name_key=key,
        kind=kind,
        url=url,
        description=description,
        reliability=reliability,
        created_by=user if user and user.is_authenticated else None,
    )
    source.full_clean()
    source._history_user = user
    try:
        with transaction.atomic():
            source.save()
            SourceAlias.objects.create(
                source=source, name=source.name, name_key=key, is_primary=True
            )
    except IntegrityError as exc:  # a concurrent create of the same name
        raise ValidationError({"name": f"A source named “{name}” already exists."}) from exc
    return source


@transaction.atomic
def source_update(*, source: Source, user: AbstractBaseUser | None, **fields) -> Source:
    """Change a source's own fields; a new name moves its primary name record too."""
    name = fields.pop("name", source.name)
    if " ".join(name.split()) != source.name:
        key = source_check_name(name, exclude_source=source)
        source.name, source.name_key = " ".join(name.split()), key
        SourceAlias.objects.filter(source=source, name_key=key, is_primary=False).delete()
        SourceAlias.objects.filter(source=source, is_primary=True).update(
            name=source.name, name_key=key
        )
    for field, value in fields.items():
        setattr(source, field, value)
    source.full_clean()
    source._history_user = user
    source.save()
    return source


@transaction.atomic
def source_review(
    *,
    source: Source,
    user: AbstractBaseUser,
    decision: str,
    reliability: str | None = None,
    note: str = "",
) -> Source:
    """Approve or reject a source, recording who and when (and, optionally, its grade)."""
    if decision not in (Source.Review.APPROVED, Source.Review.REJECTED):
        raise ValidationError("A review decision is either approved or rejected.")
    source = Source.objects.select_for_update().get(pk=source.pk)
    source.review_status = decision
    if reliability:
        source.reliability = reliability
    source.review_note = note
    source.reviewed_by = user
    source.reviewed_at = timezone.now()
    source.full_clean()
    source._history_user = user
    source.save()
    return source


@transaction.atomic
def source_add_alias(*, source: Source, name: str, user: AbstractBaseUser | None) -> SourceAlias:
    key = source_check_name(name)
    alias = SourceAlias(source=source, name=" ".join(name.split()), name_key=key)
    alias.full_clean()
    alias._history_user = user
    alias.save()
    return alias


# --- Articles ------------------------------------------------------------------------------


class DuplicateArticle(Exception):
    """The article is already here; `existing` is the one to send the user to."""

    def __init__(self, existing: Article, reason: str):
        super().__init__(reason)
        self.existing = existing
        self.reason = reason


def article_find_duplicate(*, url: str, body: str) -> tuple[Article, str] | None:
    """An existing article with the same URL or the same normalised body, if any."""
    if url:
        existing = Article.objects.filter(url=url).first()
        if existing:
            return existing, "An article with this URL is already here."
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


# --- Claims --------------------------------------------------------------------------------


class StaleArticle(Exception):
    """The article changed since the editor loaded it and the passage is no longer there."""


@dataclass
class ClaimResult:
    annotation: Annotation
    # True when the article was corrected after the editor loaded it: their page is stale.
    relocated: bool = False


def _lock_article_for_claim(article_id: int) -> Article:
    """Read the article so that no correction can commit until this claim has.

    On PostgreSQL this is `FOR SHARE`: claim saves share the lock and never wait for each
    other, while a correction's `FOR UPDATE` waits for them (and they for it). On SQLite,
    transactions are IMMEDIATE, so every write is serialised anyway.
    """
    qs = Article.objects.filter(pk=article_id, deleted_at__isnull=True).only(
        "id", "body", "version", "deleted_at"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM annotations_article WHERE id = %s FOR SHARE", [article_id]
            )
    try:
        return qs.get()
    except Article.DoesNotExist as exc:
        raise ValidationError("This article no longer exists.") from exc


def _version_body(article: Article, version: int) -> str | None:
    record = (
        Article.history.filter(id=article.pk, version=version)
        .order_by("-history_date")
        .only("body")
        .first()
    )
    return record.body if record else None


def _place(
    article: Article, *, start: int, end: int, quote: str, seen_version: int | None
) -> tuple[int, int, bool]:
    """Offsets of the quote in the current body; re-found when the article changed since."""
    if seen_version is None or seen_version == article.version:
        try:
            anchoring.check_span(article.body, start, end, quote)
        except anchoring.AnchorError as exc:
            raise ValidationError(str(exc)) from exc
        return start, end, False
    old_body = _version_body(article, seen_version)
    prefix = suffix = ""
    if old_body is not None and old_body[start:end] == quote:
        prefix, suffix = anchoring.context(old_body, start, end)
    found = anchoring.refind_quote(article.body, quote, prefix=prefix, suffix=suffix, near=start)
    if found is None:
        raise StaleArticle(
            "The article was corrected after you opened it and the passage you selected is "
            "no longer in it. Reload the article and select the passage again."
        )
    return found, found + len(quote), True


def _pick_source(
    source: Source | None, new_name: str, new_kind: str, user, label: str
) -> Source | None:
    if new_name.strip():
        if source is not None:
            raise ValidationError("Pick an existing source or propose a new one, not both.")
        if label == Annotation.Label.UNATTRIBUTED:
            claim_check_source(label, Source(name=new_name))
        source = source_resolve_or_propose(name=new_name, kind=new_kind, user=user)
    claim_check_source(label, source)
    return source


def claim_check_source(label: str, source: Source | None, *, newly_attached: bool = True) -> None:
    if label == Annotation.Label.UNATTRIBUTED and source is not None:
        raise ValidationError(
            {
                "source": "An unattributed claim has no source: remove the source or pick "
                "another label."
            }
        )
    if source is not None and newly_attached and source.is_rejected:
        raise ValidationError(
            {
                "source": f"“{source.name}” was rejected in review and cannot be attached to "
                "new claims. Pick another source."
            }
        )


@transaction.atomic
def annotation_create(
    *,
    article: Article,
    user: AbstractBaseUser | None,
    start: int,
    end: int,
    quote: str,
    label: str,
    source: Source | None = None,
    credibility: int | None = None,
    note: str = "",
    evidence_url: str = "",
    seen_version: int | None = None,
    new_source_name: str = "",
    new_source_kind: str = Source.Kind.OTHER,
) -> ClaimResult:
    """Tag `body[start:end]` as a claim. The server checks the quote against the body.

    `new_source_name` proposes a source in the same transaction (or picks the existing one
    of that name), so a claim that fails leaves no stray source behind.
    """
    if label not in Annotation.Label.values:
        raise ValidationError({"label": f"Unknown label “{label}”."})
    source = _pick_source(source, new_source_name, new_source_kind, user, label)
    current = _lock_article_for_claim(article.pk)
    start, end, relocated = _place(
        current, start=start, end=end, quote=quote, seen_version=seen_version
    )
    prefix, suffix = anchoring.context(current.body, start, end)
    annotation = Annotation(
        article_id=current.pk,
        start=start,
        end=end,
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        label=label,
        source=source,
        credibility=credibility,
        note=note,
        evidence_url=evidence_url,
        created_by=user if user and user.is_authenticated else None,
        updated_by=user if user and user.is_authenticated else None,
    )
    annotation.full_clean(exclude=["article"])
    annotation._history_user = user
    annotation.save()
    return ClaimResult(annotation, relocated)


@transaction.atomic
def annotation_update(
    *,
    annotation: Annotation,
    user: AbstractBaseUser,
    label: str,
    source: Source | None,
    credibility: int | None,
    note: str,
    evidence_url: str,
    new_source_name: str = "",
    new_source_kind: str = Source.Kind.OTHER,
) -> Annotation:
    """Change a claim's verdict and details; its span stays where it is.

    A claim may keep a source that was rejected after it was attached (it stays flagged),
    but a rejected source cannot be newly attached.
    """
    if label not in Annotation.Label.values:
        raise ValidationError({"label": f"Unknown label “{label}”."})
    if source is not None and source.pk == annotation.source_id and not new_source_name:
        claim_check_source(label, source, newly_attached=False)
    else:
        source = _pick_source(source, new_source_name, new_source_kind, user, label)
    annotation.label = label
    annotation.source = source
    annotation.credibility = credibility
    annotation.note = note
    annotation.evidence_url = evidence_url
    annotation.updated_by = user
    annotation.full_clean(exclude=["article"])
    annotation._history_user = user
    annotation.save()
    return annotation


@transaction.atomic
def annotation_delete(*, annotation: Annotation, user: AbstractBaseUser) -> None:
    """Delete a claim; django-simple-history keeps it for an admin to restore."""
    annotation._history_user = user
    annotation.delete()


# --- Helpers for the claim forms -----------------------------------------------------------


def source_resolve_or_propose(*, name: str, kind: str, user: AbstractBaseUser) -> Source:
    """The source going by `name` (or one of its aliases); else a new one, pending review."""
    existing = _claimed_name(anchoring.fold_name(name))
    if existing is not None:
        return existing.source
    return source_create(name=name, kind=kind, user=user)


def quote_occurrences(article: Article, quote: str) -> list[int]:
    return anchoring.find_occurrences(article.body, quote)


def occurrence_choices(article: Article, quote: str, positions: list[int]) -> list[dict]:
    """Each place the quote occurs, with the words around it, for the editor to choose."""
    choices = []
    for position in positions:
        before, after = anchoring.context(article.body, position, position + len(quote))
        choices.append({"start": position, "before": before, "after": after})
    return choices


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
