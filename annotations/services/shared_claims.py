"""Writes to shared claims: one assertion's appearances in many articles are linked,
unlinked and merged here, and the similar-claims matcher's terms are kept current.

A shared claim holds no verdict: each appearance keeps its own label, so that one outlet's
"verified" and another's "disputed" stay visible side by side. History records every link
and unlink on the claim ("linked to shared claim #4"), with who did it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import jobs, permissions, similarity
from ..models import (
    Annotation,
    ClaimQuote,
    ClaimTerm,
    SharedClaim,
    TermsPending,
    WebhookEvent,
)
from ..rows import Table
from .webhooks import webhook_emit, webhook_payload_of_claim

__all__ = [
    "claim_terms_later",
    "claim_terms_refresh",
    "shared_claim_link",
    "shared_claim_merge",
    "shared_claim_retitle",
    "shared_claim_unlink",
]

TITLE_LENGTH = SharedClaim._meta.get_field("title").max_length


def claim_terms_refresh(
    claims: Iterable[Annotation], *, language: str | None = None, new: bool = False
) -> None:
    """Write the matcher's terms of these claims anew (in the caller's transaction): after
    a claim is made, its words change, it is re-anchored or brought back. On PostgreSQL
    their quotes for the trigram search too (`ClaimQuote`), in the same statements: a
    save makes no more queries for them. `language`: the article's, when all the claims
    are of one article; else each claim's article is read from `claim.article` (load it
    with the claims). `new`: just made, with no terms yet."""
    claims = [c for c in claims if c.pk is not None]
    if not claims:
        return
    if not new:
        ClaimTerm.objects.filter(annotation_id__in=[c.pk for c in claims]).delete()
    terms = {
        claim.pk: similarity.terms(
            claim.quote, language if language is not None else claim.article.language
        )
        for claim in claims
    }
    if connection.vendor == "postgresql":
        _write_terms_and_quotes(claims, terms)
        return
    rows = [
        ClaimTerm(annotation_id=pk, term=term, weight=weight)
        for pk, found in terms.items()
        for term, weight in found.items()
    ]
    ClaimTerm.objects.bulk_create(rows, batch_size=TERMS_A_STATEMENT)


# Terms rows written by one statement (with their claims' quotes, on PostgreSQL).
TERMS_A_STATEMENT = 2000


def _write_terms_and_quotes(claims: list[Annotation], terms: dict[int, dict[str, int]]) -> None:
    """PostgreSQL: the claims' quotes (`ClaimQuote`, replaced if there) and their terms, in
    one statement a group of claims (one for a save): the quotes' INSERT as a data-modifying
    WITH of the terms' INSERT."""
    qn = connection.ops.quote_name
    quotes_table, terms_table = qn(ClaimQuote._meta.db_table), qn(ClaimTerm._meta.db_table)
    group: list[Annotation] = []
    size = 0
    for index, claim in enumerate(claims):
        group.append(claim)
        size += len(terms[claim.pk])
        if size < TERMS_A_STATEMENT and index < len(claims) - 1:
            continue
        rows = [(c.pk, t, w) for c in group for t, w in terms[c.pk].items()]
        params: list = [v for c in group for v in (c.pk, c.quote)]
        sql = (
            f"INSERT INTO {quotes_table} (annotation_id, quote) VALUES "  # noqa: S608
            + ", ".join(["(%s, %s)"] * len(group))
            + " ON CONFLICT (annotation_id) DO UPDATE SET quote = EXCLUDED.quote"
        )
        if rows:
            sql = (
                f"WITH quotes AS ({sql}) INSERT INTO {terms_table} "  # noqa: S608
                "(annotation_id, term, weight) VALUES " + ", ".join(["(%s, %s, %s)"] * len(rows))
            )
            params += [v for row in rows for v in row]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        group, size = [], 0


def claim_terms_later(article_ids: list[int], *, when=None) -> None:
    """The terms of these articles' claims, written by a background job (in the caller's
    transaction: the job and the articles' "pending" marks exist if and only if it commits).
    For the bulk import, where computing them would take most of its time. The marks go in
    as tuples (`rows.Table`), made at `when` (now by default)."""
    if not article_ids:
        return
    marks = Table(TermsPending, ("article_id",), {"created_at": when or timezone.now()})
    marks.write((pk,) for pk in article_ids)
    claim_terms_fill.enqueue(article_ids)


@jobs.job()
def claim_terms_fill(article_ids: list[int]) -> int:
    """Write the terms of the claims of those of `article_ids` still pending, and clear
    their marks; how many claims. Running it again finds nothing pending and does nothing.
    The claims are locked while their terms are written, as an edit of one locks it."""
    with transaction.atomic():
        pending = list(
            TermsPending.objects.select_for_update()
            .filter(article_id__in=article_ids)
            .values_list("article_id", flat=True)
        )
        if not pending:
            return 0
        claims = list(
            Annotation.objects.select_for_update(of=("self",))
            .filter(article_id__in=pending)
            .order_by("pk")
            .values_list("pk", "quote", "article__language")
        )
        ClaimTerm.objects.filter(annotation__article_id__in=pending).delete()
        Table(ClaimTerm, ("annotation_id", "term", "weight")).write(
            (pk, term, weight)
            for pk, quote, language in claims
            for term, weight in similarity.terms(quote, language).items()
        )
        if connection.vendor == "postgresql":  # the trigram search's quotes (`ClaimQuote`)
            ClaimQuote.objects.filter(annotation__article_id__in=pending).delete()
            Table(ClaimQuote, ("annotation_id", "quote")).write(
                (pk, quote) for pk, quote, _language in claims
            )
        TermsPending.objects.filter(article_id__in=pending).delete()
    return len(claims)


def _title_of(claim: Annotation) -> str:
    text = " ".join(claim.quote.split())
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1] + "…"


def _lock_claims(*ids: int) -> dict[int, Annotation]:
    """The claims, locked in id order (two links of the same pair in opposite directions
    wait for each other instead of deadlocking); deleted articles' claims are gone."""
    found = {
        c.pk: c
        for c in Annotation.objects.select_for_update(of=("self",))
        .select_related("article")
        .filter(pk__in=ids, article__deleted_at__isnull=True)
        .order_by("pk")
    }
    if len(found) != len(set(ids)):
        raise Annotation.DoesNotExist(_("This claim was deleted."))
    return found


def _join(claim: Annotation, shared: SharedClaim | None, user, reason: str) -> None:
    claim.shared_claim = shared
    claim._history_user = user
    claim._change_reason = reason
    claim.save(update_fields=["shared_claim", "updated_at"])
    webhook_emit(WebhookEvent.CLAIM_UPDATED, webhook_payload_of_claim(claim))


@transaction.atomic
def shared_claim_link(
    *,
    claim: Annotation,
    user: AbstractBaseUser,
    other: Annotation | None = None,
    shared_claim: SharedClaim | None = None,
) -> SharedClaim:
    """Link `claim` as an appearance of the same assertion as `other` (a claim in another
    article), or of `shared_claim`. Two claims that belong to no shared claim yet make a new
    one, named after the earlier one's words. Linking what is already linked changes
    nothing. Two claims already in different shared claims are refused: a reviewer merges
    those (`shared_claim_merge`)."""
    permissions.require_link_claims(user)
    if (other is None) == (shared_claim is None):
        raise ValueError("link to a claim or to a shared claim")
    if shared_claim is not None:
        shared = SharedClaim.objects.select_for_update().filter(pk=shared_claim.pk).first()
        if shared is None:
            raise SharedClaim.DoesNotExist(_("This shared claim was merged or deleted."))
        claim = _lock_claims(claim.pk)[claim.pk]
        if claim.shared_claim_id == shared.pk:
            return shared
        if claim.shared_claim_id is not None:
            raise _already_elsewhere()
        _join(claim, shared, user, _("linked to shared claim #%(id)d") % {"id": shared.pk})
        return shared
    if other.pk == claim.pk:
        raise ValidationError(_("A claim cannot be linked to itself."), code="same_claim")
    locked = _lock_claims(claim.pk, other.pk)
    claim, other = locked[claim.pk], locked[other.pk]
    if claim.shared_claim_id and claim.shared_claim_id == other.shared_claim_id:
        return claim.shared_claim
    if claim.shared_claim_id and other.shared_claim_id:
        raise _already_elsewhere()
    shared = claim.shared_claim or other.shared_claim
    if shared is None:
        first = min((claim, other), key=lambda c: (c.created_at, c.pk))
        shared = SharedClaim(title=_title_of(first), created_by=user)
        shared.full_clean()
        shared._history_user = user
        shared.save()
    else:
        shared = SharedClaim.objects.select_for_update().get(pk=shared.pk)
    reason = _("linked to shared claim #%(id)d") % {"id": shared.pk}
    for each in (claim, other):
        if each.shared_claim_id != shared.pk:
            _join(each, shared, user, reason)
    return shared


def _appearances_locked(shared: SharedClaim):
    return (
        Annotation.objects.select_for_update(of=("self",))
        .filter(shared_claim_id=shared.pk)
        .order_by("pk")
    )


def _already_elsewhere() -> ValidationError:
    return ValidationError(
        _(
            "These claims already belong to two different shared claims. A reviewer can "
            "merge the two shared claims."
        ),
        code="merge_needed",
    )


@transaction.atomic
def shared_claim_unlink(*, claim: Annotation, user: AbstractBaseUser) -> SharedClaim | None:
    """Take `claim` out of its shared claim (the shared claim stays, with its other
    appearances). Returns the shared claim it left, or None if it was in none."""
    permissions.require_link_claims(user)
    claim = _lock_claims(claim.pk)[claim.pk]
    shared = claim.shared_claim
    if shared is None:
        return None
    _join(claim, None, user, _("unlinked from shared claim #%(id)d") % {"id": shared.pk})
    return shared


@transaction.atomic
def shared_claim_merge(
    *, keep: SharedClaim, merge: SharedClaim, user: AbstractBaseUser
) -> SharedClaim:
    """Move every appearance of `merge` into `keep`, and delete `merge` (its history
    stays). Reviewers and admins only."""
    permissions.require_merge_shared_claims(user)
    if keep.pk == merge.pk:
        raise ValidationError(_("A shared claim cannot be merged into itself."), code="same")
    # Claims first, then shared claims: the order a link takes its locks in.
    list(_appearances_locked(merge))
    locked = {
        s.pk: s
        for s in SharedClaim.objects.select_for_update()
        .filter(pk__in=[keep.pk, merge.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise SharedClaim.DoesNotExist(_("This shared claim was merged or deleted."))
    keep, merge = locked[keep.pk], locked[merge.pk]
    moving = list(_appearances_locked(merge))
    reason = _("shared claim #%(old)d merged into #%(new)d") % {"old": merge.pk, "new": keep.pk}
    for claim in moving:
        _join(claim, keep, user, reason)
    merge._history_user = user
    merge._change_reason = reason
    merge.delete()
    return keep


@transaction.atomic
def shared_claim_retitle(
    *, shared_claim: SharedClaim, title: str, user: AbstractBaseUser
) -> SharedClaim:
    """Name the assertion in the desk's words (a shared claim is first named after its
    earliest appearance's quote): whoever may link claims. History keeps the old title."""
    permissions.require_link_claims(user)
    shared = SharedClaim.objects.select_for_update().filter(pk=shared_claim.pk).first()
    if shared is None:
        raise SharedClaim.DoesNotExist(_("This shared claim was merged or deleted."))
    title = " ".join(title.split())
    if title == shared.title:
        return shared
    shared.title = title
    shared.full_clean()
    shared._history_user = user
    shared._change_reason = _("renamed")
    shared.save(update_fields=["title", "updated_at"])
    return shared
