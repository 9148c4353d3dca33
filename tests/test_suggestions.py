"""Suggested claims (issue 23): who sees them, what hides them (claims, dismissals), how a
dismissal follows a correction, and the history of a claim accepted from one."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations import anchoring, history, services
from annotations.models import Annotation, Article, SuggestionDismissal
from tests.factories import BODY, ArticleFactory, all_at_once, claim_by
from tests.suggest_stub import two_rule_engine  # noqa: E402, F401 (the engine the tests name spans of)

pytestmark = pytest.mark.django_db

ATTRIBUTED = "31 of 38 drones were shot down"
HEDGED = "Residents had reportedly been evacuated."


@pytest.fixture
def article(editor) -> Article:
    return services.article_create(user=editor, title="Strike on Kharkiv", body=BODY)


def _quotes(found) -> list[str]:
    return [s.quote for s in found]


def _span(article: Article, quote: str) -> dict:
    start = article.body.index(quote)
    return {"start": start, "end": start + len(quote), "quote": quote}


def test_editors_see_the_suggestions_in_reading_order(article, editor, reviewer):
    found = services.suggestions_for(editor, article)
    assert _quotes(found) == [ATTRIBUTED, HEDGED]
    assert all(article.body[s.start : s.end] == s.quote for s in found)
    assert [s.label for s in found] == ["", "unattributed"]
    assert _quotes(services.suggestions_for(reviewer, article)) == [ATTRIBUTED, HEDGED]


def test_viewers_see_no_suggestions(article, viewer, nobody):
    for user in (viewer, nobody, None):
        with pytest.raises(PermissionDenied):
            services.suggestions_for(user, article)


def test_an_article_without_cues_gets_no_suggestions(editor):
    plain = services.article_create(
        user=editor, title="Weather", body="Weather\n\nRain in Lviv on Tuesday. Sun on Friday."
    )
    assert services.suggestions_for(editor, plain) == []


def test_a_suggestion_on_a_claim_is_left_out(article, editor, other_editor):
    claim_by(editor, article, "31 of 38 drones")  # overlaps the first, not the same span
    assert _quotes(services.suggestions_for(other_editor, article)) == [HEDGED]


def test_an_orphaned_claim_does_not_hide_a_suggestion(article, editor):
    claim = claim_by(editor, article, ATTRIBUTED)
    Annotation.objects.filter(pk=claim.pk).update(anchor_state=Annotation.Anchor.ORPHANED)
    assert ATTRIBUTED in _quotes(services.suggestions_for(editor, article))


def test_a_dismissal_hides_the_suggestion_for_everyone_and_records_who(
    article, editor, other_editor
):
    result = services.dismiss(user=editor, article=article, **_span(article, HEDGED))
    assert result.created
    row = SuggestionDismissal.objects.get()
    assert (row.dismissed_by, row.quote, row.anchor_state) == (editor, HEDGED, "anchored")
    assert row.dismissed_at is not None
    assert (row.prefix, row.suffix) == anchoring.context(article.body, row.start, row.end)
    assert _quotes(services.suggestions_for(other_editor, article)) == [ATTRIBUTED]


def test_dismissing_the_same_words_again_keeps_one_dismissal(article, editor, other_editor):
    services.dismiss(user=editor, article=article, **_span(article, HEDGED))
    again = services.dismiss(user=other_editor, article=article, **_span(article, HEDGED))
    assert not again.created and again.dismissal.dismissed_by == editor
    assert SuggestionDismissal.objects.count() == 1


def test_a_dismissal_is_refused_when_the_quote_is_not_the_text_there(article, editor, viewer):
    span = _span(article, HEDGED)
    with pytest.raises(ValidationError, match="does not match"):
        services.dismiss(user=editor, article=article, **{**span, "quote": "Residents had"})
    with pytest.raises(ValidationError):
        services.dismiss(user=editor, article=article, **{**span, "end": len(BODY) + 5})
    with pytest.raises(PermissionDenied):
        services.dismiss(user=viewer, article=article, **span)
    assert not SuggestionDismissal.objects.exists()


def _correct(article: Article, user, body: str) -> Article:
    return services.article_correct(
        article=article, user=user, expected_version=article.version, body=body
    ).article


def test_a_correction_moves_a_dismissal_with_its_words(article, editor):
    services.dismiss(user=editor, article=article, **_span(article, HEDGED))
    corrected = _correct(
        article, editor, BODY.replace("Strike on Kharkiv\n", "Strike on Kharkiv, updated\n")
    )
    row = SuggestionDismissal.objects.get()
    assert row.anchor_state == "moved"
    assert corrected.body[row.start : row.end] == HEDGED == row.quote
    assert _quotes(services.suggestions_for(editor, corrected)) == [ATTRIBUTED]


def test_a_dismissal_whose_words_changed_stops_hiding(article, editor):
    services.dismiss(user=editor, article=article, **_span(article, HEDGED))
    changed = "Residents had reportedly been moved to Poltava."
    corrected = _correct(article, editor, BODY.replace(HEDGED, changed))
    row = SuggestionDismissal.objects.get()
    assert row.anchor_state == "orphaned" and row.quote == HEDGED
    assert changed in _quotes(services.suggestions_for(editor, corrected))


def test_a_dismissal_never_hides_other_words_left_at_its_old_offsets(article, editor):
    """The dismissed sentence deleted: whatever now sits at its offsets is not hidden."""
    services.dismiss(user=editor, article=article, **_span(article, HEDGED))
    body = BODY.replace(HEDGED, "Residents had reportedly returned home, officials added.")
    corrected = _correct(article, editor, body)
    assert SuggestionDismissal.objects.get().anchor_state == "orphaned"
    assert len(services.suggestions_for(editor, corrected)) == 2


def test_a_claim_accepted_from_a_suggestion_says_so_in_its_history(article, editor):
    claim = services.annotation_create(
        article=article,
        user=editor,
        **_span(article, ATTRIBUTED),
        label="disputed",
        new_source_name="a Telegram post from the SBU",
        from_suggestion="According to",
    ).annotation
    (entry,) = history.entries(history.claim_records(claim.pk))
    assert entry["action"] == "created"
    assert entry["reason"] == "from a suggestion (cue “According to”)"
    plain = claim_by(editor, article, "Ірина said the windows came in")
    assert history.entries(history.claim_records(plain.pk))[0]["reason"] == ""


def test_a_cue_written_with_a_no_break_space_is_accepted(editor):
    """Cues are read as written, and Ukrainian and Russian copy often binds its words with a
    no-break space ("за\u00a0даними"): one line of text, so the claim saves."""
    article = ArticleFactory(body="Удар\n\nЗа\u00a0даними ОВА, пошкоджено три будинки.")
    claim = claim_by(editor, article, "пошкоджено три будинки", from_suggestion="За\u00a0даними")
    (entry,) = history.entries(history.claim_records(claim.pk))
    assert entry["reason"] == "from a suggestion (cue “За\u00a0даними”)"


@pytest.mark.parametrize("cue", ["told the Pentagon", "x" * 101, "According\nto"])
def test_a_cue_that_is_not_near_the_claim_is_refused(article, editor, cue):
    with pytest.raises(ValidationError) as caught:
        services.annotation_create(
            article=article,
            user=editor,
            **_span(article, ATTRIBUTED),
            label="unattributed",
            from_suggestion=cue,
        )
    assert "from_suggestion" in caught.value.message_dict
    assert not Annotation.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_editors_dismissing_the_same_suggestion_at_once_make_one_dismissal(roles):
    """Barrier-released threads dismiss the same words: the unique index keeps one row, and
    every one of them is answered with it (PostgreSQL)."""
    from tests.factories import member

    editors = [member(f"desk{i}", "Editor", roles=roles) for i in range(6)]
    article = services.article_create(user=editors[0], title="Strike", body=BODY)
    span = _span(article, HEDGED)

    def press_x(i):
        return services.dismiss(user=editors[i], article=article, **span).dismissal.pk

    answers = all_at_once(len(editors), press_x)
    assert len(set(answers)) == 1
    assert SuggestionDismissal.objects.count() == 1


def test_the_overlap_test_agrees_with_a_pair_by_pair_check():
    """The sorted-spans overlap check (log time per suggestion) answers as the plain check of
    every claim would, on nested, touching and disjoint spans."""
    import random

    from annotations.services.suggestions import _overlaps_any

    rng = random.Random(23)
    for _ in range(2000):
        spans = sorted(
            (a, a + rng.randint(1, 30))
            for a in (rng.randint(0, 200) for _ in range(rng.randint(0, 12)))
        )
        overlaps = _overlaps_any(spans)
        for _ in range(20):
            start = rng.randint(0, 230)
            end = start + rng.randint(1, 30)
            plain = any(start < c_end and c_start < end for c_start, c_end in spans)
            assert overlaps(start, end) == plain, (spans, start, end)
