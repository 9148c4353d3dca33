"""Writes to articles: creation (normalised, no duplicates), workflow, soft delete, and
corrections of the text, which re-anchor every claim (and every dismissed suggestion)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from .. import anchoring, permissions
from ..models import Annotation, Article, WebhookEvent
from .evidence import evidence_track_article
from .shared_claims import claim_terms_refresh
from .suggestions import dismissals_reanchor
from .webhooks import webhook_emit, webhook_payload_of_article

__all__ = [
    "ArticleConflict",
    "CorrectionResult",
    "DuplicateArticle",
    "article_correct",
    "article_create",
    "article_delete",
    "article_find_duplicate",
    "article_restore",
    "article_update_workflow",
    "article_version_body",
]


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
    permissions.require_add_article(user)
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
    evidence_track_article(article)  # the page it came from, captured in the background
    return article


@transaction.atomic
def article_update_workflow(
    *, article: Article, user: AbstractBaseUser, status: str, assignee: AbstractBaseUser | None
) -> Article:
    permissions.require_annotate(user)
    article.status = status
    article.assignee = assignee
    article.full_clean(exclude=["body_hash"])
    article._history_user = user
    article.save(update_fields=["status", "assignee", "updated_at"])
    return article


@transaction.atomic
def article_delete(*, article: Article, user: AbstractBaseUser) -> Article:
    """Soft delete: the article and its claims stay in the database for an admin to restore."""
    permissions.require_correct_article(user, article)
    article.deleted_at = timezone.now()
    article.deleted_by = user
    article._history_user = user
    article.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return article


@transaction.atomic
def article_restore(*, article: Article, user: AbstractBaseUser) -> Article:
    permissions.require_restore(user)
    article.deleted_at = None
    article.deleted_by = None
    article._history_user = user
    article.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return article


# --- Corrections ---------------------------------------------------------------------------


class ArticleConflict(Exception):
    """Someone saved a newer version first; nothing was written."""

    def __init__(self, current: Article, seen_version: int):
        super().__init__(f"The article is at version {current.version}, not {seen_version}.")
        self.current = current
        self.seen_version = seen_version


@dataclass
class CorrectionResult:
    article: Article
    counts: dict[str, int]

    def summary(self) -> str:
        c = self.counts
        parts = [f"{c['anchored']} claim(s) unchanged", f"{c['moved']} moved"]
        if c["changed"]:
            parts.append(f"{c['changed']} with a changed quote (review them)")
        if c["orphaned"]:
            parts.append(
                f"{c['orphaned']} orphaned (their words are gone, or now read the same in two "
                "places: review them)"
            )
        return ", ".join(parts) + "."


_META = ("title", "url", "outlet", "author", "published_at", "language")

_REASON_TEXT = {
    "deleted": "its words were deleted",
    "altered": "its words were changed",
    "ambiguous": "its words now read the same in two places",
    "collision": "another claim with the same verdict and source is on its words",
}


def _placements(claims: list[Annotation], old_body: str, new_body: str) -> dict:
    """Where each claim goes (anchoring.reanchor), with the rules that need the database's
    view: an orphan stays an orphan (its offsets index an older text), a claim waiting for
    review (quote changed) stays flagged, and of two claims that would land on the same
    words with the same verdict and source, one stays and the other is orphaned."""
    placed = {
        p.key: p
        for p in anchoring.reanchor(
            old_body,
            new_body,
            [
                anchoring.Anchor(c.pk, c.start, c.end, c.quote, c.prefix, c.suffix)
                for c in claims
                if c.anchor_state != Annotation.Anchor.ORPHANED
            ],
        )
    }
    result = {}
    for claim in claims:
        if claim.anchor_state == Annotation.Anchor.ORPHANED:
            result[claim.pk] = anchoring.Placement(
                claim.pk, "orphaned", claim.start, claim.end, claim.quote, claim.anchor_reason
            )
            continue
        place = placed[claim.pk]
        if claim.anchor_state == Annotation.Anchor.CHANGED and place.state in ("anchored", "moved"):
            place = anchoring.Placement(
                claim.pk, "changed", place.start, place.end, place.quote, claim.anchor_reason
            )
        result[claim.pk] = place
    # The same words, verdict and source twice: the claim that kept its own characters
    # stays; one whose words changed under it is orphaned (never both on the same words).
    by_spot: dict[tuple, list[Annotation]] = {}
    for claim in claims:
        place = result[claim.pk]
        if place.is_placed:
            spot = (place.start, place.end, claim.label, claim.source_id)
            by_spot.setdefault(spot, []).append(claim)
    for group in by_spot.values():
        if len(group) > 1:
            group.sort(key=lambda c: (result[c.pk].state == "changed", c.created_at, c.pk))
            for claim in group[1:]:
                result[claim.pk] = anchoring.Placement(
                    claim.pk, "orphaned", claim.start, claim.end, claim.quote, "collision"
                )
    return result


def _reanchor_claims(article: Article, old_body: str, new_body: str, user) -> dict[str, int]:
    """Move every claim of the article to where its text is now, in this transaction."""
    claims = list(Annotation.objects.filter(article=article).order_by("pk"))
    quotes = {claim.pk: claim.quote for claim in claims}
    placements = _placements(claims, old_body, new_body)
    counts = dict.fromkeys(("anchored", "moved", "changed", "orphaned"), 0)
    touched = []
    for claim in claims:
        place = placements[claim.pk]
        counts[place.state] += 1
        before = tuple(getattr(claim, f) for f in Annotation.PLACEMENT_FIELDS)
        if place.state == "orphaned":
            if claim.anchor_state != Annotation.Anchor.ORPHANED:
                claim.anchor_state = Annotation.Anchor.ORPHANED
                claim.anchor_reason = place.reason
        else:
            if place.state == "changed":
                claim.original_quote = claim.original_quote or claim.quote
                claim.anchor_reason = claim.anchor_reason or place.reason
            if place.state != "anchored":
                claim.anchor_state = place.state
            claim.start, claim.end, claim.quote = place.start, place.end, place.quote
            claim.prefix, claim.suffix = anchoring.context(new_body, place.start, place.end)
        if tuple(getattr(claim, f) for f in Annotation.PLACEMENT_FIELDS) != before:
            touched.append(claim)
    if touched:
        reason = f"re-anchored after correction to version {article.version + 1}"
        _save_placements(touched, user, reason)
        # The similar-claims matcher reads the words each claim now has.
        claim_terms_refresh(
            [c for c in touched if c.quote != quotes[c.pk]], language=article.language
        )
    return counts


def _save_placements(claims: list[Annotation], user, reason: str) -> None:
    """Write the new spans of many claims with one prepared UPDATE run for all of them
    (executemany: pipelined on psycopg 3), and their history rows in bulk inserts.
    Django's bulk_update builds one CASE per column, which is slow past a few hundred.

    First all of them are set aside as orphaned (out of the one-claim-per-span unique
    indexes), then each is written where it goes: two twin claims shifting onto each
    other's old places never meet on the way."""
    now = timezone.now()
    quote = connection.ops.quote_name
    table = quote(Annotation._meta.db_table)
    ids = [claim.pk for claim in claims]
    assignments = ", ".join(
        f"{quote(f)} = %s" for f in (*Annotation.PLACEMENT_FIELDS, "updated_at")
    )
    rows = []
    for claim in claims:
        claim.updated_at = now
        rows.append([getattr(claim, f) for f in Annotation.PLACEMENT_FIELDS] + [now, claim.pk])
    # Only quoted identifiers from the model are interpolated; every value is a parameter.
    with connection.cursor() as cursor:
        for at in range(0, len(ids), 500):
            chunk = ids[at : at + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET {quote('anchor_state')} = %s WHERE id IN ({marks})",  # noqa: S608
                [Annotation.Anchor.ORPHANED, *chunk],
            )
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)  # noqa: S608
    groups: dict[str, list[Annotation]] = {}
    for claim in claims:
        why = "" if claim.is_anchored else _REASON_TEXT.get(claim.anchor_reason, "")
        groups.setdefault(f"{reason}: {why}" if why else reason, []).append(claim)
    for text, group in groups.items():
        Annotation.history.bulk_history_create(
            group, update=True, default_user=user, default_change_reason=text
        )


@transaction.atomic
def article_correct(
    *,
    article: Article,
    user: AbstractBaseUser | None,
    expected_version: int,
    body: str,
    note: str = "",
    **meta,
) -> CorrectionResult:
    """Correct an article's text and details, re-anchoring every claim in the same
    transaction. Refuses (ArticleConflict) when someone saved a newer version first.

    The row lock (FOR UPDATE) waits for claim saves in flight (they hold FOR KEY SHARE) and
    makes new ones wait until this commits, so no claim is left on the old offsets.
    """
    current = Article.objects.select_for_update().get(pk=article.pk)
    permissions.require_correct_article(user, current)
    if current.version != expected_version:
        raise ArticleConflict(current, expected_version)
    new_body = anchoring.normalise_body(body)
    if not new_body.strip():
        raise ValidationError({"body": "The article has no text."})
    url = meta.get("url", current.url)
    if (
        url
        and url != current.url
        and Article.objects.filter(url=url).exclude(pk=current.pk).exists()
    ):
        raise ValidationError({"url": "Another article already has this URL."})
    counts = dict.fromkeys(("anchored", "moved", "changed", "orphaned"), 0)
    if new_body != current.body:
        counts = _reanchor_claims(current, current.body, new_body, user)
        dismissals_reanchor(current, current.body, new_body)
    else:
        counts["anchored"] = Annotation.objects.filter(article=current).count()
    for field in _META:
        if field in meta:
            setattr(current, field, meta[field])
    current.title = " ".join(current.title.split())
    current.body = new_body
    current.body_hash = anchoring.body_hash(new_body)
    current.version += 1
    current.full_clean()
    current._history_user = user
    current._change_reason = note or "correction"
    current.save()
    webhook_emit(WebhookEvent.ARTICLE_CORRECTED, webhook_payload_of_article(current))
    return CorrectionResult(current, counts)


def article_version_body(article: Article, version: int) -> str | None:
    """The text of an earlier version, from the history."""
    record = (
        Article.history.filter(id=article.pk, version=version)
        .order_by("-history_date", "-history_id")
        .only("body")
        .first()
    )
    return record.body if record else None
