"""Suggested claims for editors (issue 23): what the engine (`annotations.suggesting`) finds
in an article, less what is tagged already and what an editor dismissed; dismissing one;
and following the dismissals through a correction of the text.

Nothing here saves a claim: an editor accepts a suggestion by saving the claim form it
fills in (`services.claims.annotation_create(from_suggestion=cue)`).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from .. import anchoring, permissions, suggesting
from ..models import Annotation, Article, SuggestionDismissal
from .claims import lock_article_for_span, place_span, span_fields

__all__ = [
    "DismissResult",
    "dismiss",
    "dismissals_reanchor",
    "open_suggestions",
    "suggestions_for",
]


def _overlaps_any(spans: list[tuple[int, int]]):
    """A test of whether [start, end) overlaps one of `spans` (sorted by start), in log time:
    among the spans that start before `end`, does the one reaching furthest pass `start`?"""
    starts = [start for start, _end in spans]
    furthest = list(accumulate((end for _start, end in spans), max))

    def overlaps(start: int, end: int) -> bool:
        before = bisect_left(starts, end)  # spans[:before] start before `end`
        return before > 0 and furthest[before - 1] > start

    return overlaps


def open_suggestions(article: Article) -> list[suggesting.Suggestion]:
    """The engine's suggestions for the article, in reading order, less those that overlap
    a claim of the article (any but an orphan: on the words it has now) and those dismissed
    (a dismissal on exactly those words). Three queries, whatever their number: the
    registry (the engine's), the claims' spans, the dismissals' spans. No permission check:
    `suggestions_for` is the door's way in; commands read with this."""
    found = suggesting.suggest_for_article(article)
    if not found:
        return []
    claims = sorted(
        Annotation.objects.filter(article_id=article.pk)
        .exclude(anchor_state=Annotation.Anchor.ORPHANED)
        .values_list("start", "end")
    )
    dismissed = set(
        SuggestionDismissal.objects.filter(article_id=article.pk)
        .exclude(anchor_state=SuggestionDismissal.Anchor.ORPHANED)
        .values_list("start", "end", "quote")
    )
    overlaps_a_claim = _overlaps_any(claims)
    kept = []
    for s in found:
        if (s.start, s.end, s.quote) in dismissed:
            continue
        if overlaps_a_claim(s.start, s.end):
            continue
        kept.append(s)
    return kept


def suggestions_for(user: AbstractBaseUser | None, article: Article) -> list[suggesting.Suggestion]:
    """The suggestions an editor sees on the article page: only those who may tag claims
    see any (PermissionDenied otherwise)."""
    permissions.require_annotate(user)
    return open_suggestions(article)


@dataclass
class DismissResult:
    dismissal: SuggestionDismissal
    created: bool  # False: someone had dismissed these words already


def dismiss(
    *,
    user: AbstractBaseUser | None,
    article: Article,
    start: int,
    end: int,
    quote: str,
    seen_version: int | None = None,
    cue: str = "",
) -> DismissResult:
    """Dismiss the suggestion on `body[start:end]` for everyone, recording who. The span is
    checked as a claim's is (`place_span`: a quote that is not body[start:end] is refused;
    a page older than a correction has its span followed through it, or is refused).
    Dismissing words dismissed already (two editors at once) answers the one dismissal."""
    try:
        return _dismiss(
            user=user,
            article=article,
            start=start,
            end=end,
            quote=quote,
            seen_version=seen_version,
            cue=cue,
        )
    except IntegrityError:
        # Two at once: the unique index let one in; the other answers with that one.
        existing = _live_dismissal(article.pk, start, end, quote)
        if existing is None:
            raise
        return DismissResult(existing, created=False)


def _live_dismissal(article_id: int, start: int, end: int, quote: str):
    return (
        SuggestionDismissal.objects.filter(article_id=article_id, start=start, end=end, quote=quote)
        .exclude(anchor_state=SuggestionDismissal.Anchor.ORPHANED)
        .first()
    )


@transaction.atomic
def _dismiss(*, user, article, start, end, quote, seen_version, cue) -> DismissResult:
    permissions.require_annotate(user)
    current = lock_article_for_span(article.pk)
    start, end, _relocated = place_span(
        current, start=start, end=end, quote=quote, seen_version=seen_version
    )
    existing = _live_dismissal(current.pk, start, end, quote)
    if existing is not None:
        return DismissResult(existing, created=False)
    dismissal = SuggestionDismissal(
        **span_fields(current, start, end, quote),
        cue=cue.strip()[:200],
        dismissed_by=user,
    )
    dismissal.full_clean(exclude=["article", "dismissed_by"], validate_constraints=False)
    dismissal.save()
    return DismissResult(dismissal, created=True)


def dismissals_reanchor(article: Article, old_body: str, new_body: str) -> None:
    """Follow the article's dismissals through a correction, with the anchorer claims use
    (`anchoring.reanchor`), in the caller's transaction (`services.articles.article_correct`).

    A dismissal on its own characters, or on words that moved whole, stays on them; one
    whose words were changed, deleted or made ambiguous is orphaned and hides nothing any
    more: the suggestion may come back, and no other passage is ever hidden by it. Of two
    that land on the same words, the older stays."""
    rows = list(
        SuggestionDismissal.objects.filter(article_id=article.pk)
        .exclude(anchor_state=SuggestionDismissal.Anchor.ORPHANED)
        .order_by("pk")
    )
    if not rows:
        return
    placed = {
        p.key: p
        for p in anchoring.reanchor(
            old_body,
            new_body,
            [anchoring.Anchor(d.pk, d.start, d.end, d.quote, d.prefix, d.suffix) for d in rows],
        )
    }
    taken: set[tuple[int, int]] = set()
    for row in rows:
        place = placed[row.pk]
        on_its_words = place.state in ("anchored", "moved") and place.quote == row.quote
        if on_its_words and (place.start, place.end) not in taken:
            taken.add((place.start, place.end))
            if (place.start, place.end) != (row.start, row.end):
                row.anchor_state = SuggestionDismissal.Anchor.MOVED
            row.start, row.end = place.start, place.end
            row.prefix, row.suffix = anchoring.context(new_body, place.start, place.end)
        else:
            row.anchor_state = SuggestionDismissal.Anchor.ORPHANED
            row.anchor_reason = (
                "collision" if on_its_words else (place.reason or Annotation.AnchorWhy.ALTERED)
            )
    # All out of the unique index first, then each where it goes: two dismissals swapping
    # places never meet on the way (as services.articles does for claims).
    ids = [row.pk for row in rows]
    SuggestionDismissal.objects.filter(pk__in=ids).update(
        anchor_state=SuggestionDismissal.Anchor.ORPHANED
    )
    SuggestionDismissal.objects.bulk_update(
        rows, ["start", "end", "prefix", "suffix", "anchor_state", "anchor_reason"]
    )
