"""Shared claims: linking, unlinking and merging appearances through the services, who may,
what history keeps, and the matcher's terms kept current by every write of a quote."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations import services, shared
from annotations.models import Annotation, ClaimTerm, SharedClaim
from tests.factories import ArticleFactory, all_at_once, claim_by

pytestmark = pytest.mark.django_db

EN = "Russia lost about 7,000 troops near Avdiivka in one week, Zelensky said on Sunday."
UK = "Росія втратила близько 7 тисяч військових під Авдіївкою за тиждень, заявив Зеленський."
RU = "Россия потеряла около 7 тыс. военных под Авдеевкой за неделю, заявил Зеленский."
OTHER = "About 7,000 civilians were evacuated from the Kharkiv region this week, officials said."


def _article(body: str, language: str = "en", outlet: str = "Frontline Wire"):
    return ArticleFactory(body=body, language=language, outlet=outlet)


@pytest.fixture
def three(editor):
    """The same assertion in three articles: English, Ukrainian, Russian."""
    return [
        claim_by(editor, _article(EN), EN, "verified"),
        claim_by(editor, _article(UK, "uk", "Kyiv Evening"), UK, "verified"),
        claim_by(editor, _article(RU, "ru", "Moscow Daily"), RU, "disputed"),
    ]


def _history(claim):
    return list(
        Annotation.history.filter(id=claim.pk)
        .order_by("-history_id")
        .values_list("history_change_reason", "history_user__username")
    )


def test_linking_two_claims_makes_a_shared_claim_named_after_the_first(three, editor, reviewer):
    en, uk, _ru = three
    result = services.shared_claim_link(claim=uk, other=en, user=reviewer)
    assert result.title == EN
    assert {c.pk for c in result.appearances.all()} == {en.pk, uk.pk}
    reason = f"linked to shared claim #{result.pk}"
    assert _history(uk)[0] == (reason, "reviewer")
    assert _history(en)[0] == (reason, "reviewer")


def test_linking_is_idempotent_and_joins_the_shared_claim_of_either_side(three, editor):
    en, uk, ru = three
    first = services.shared_claim_link(claim=uk, other=en, user=editor)
    again = services.shared_claim_link(claim=en, other=uk, user=editor)
    assert again.pk == first.pk
    services.shared_claim_link(claim=en, other=ru, user=editor)  # ru joins en's
    assert SharedClaim.objects.count() == 1
    assert set(first.appearances.values_list("pk", flat=True)) == {en.pk, uk.pk, ru.pk}


def test_two_shared_claims_are_not_joined_by_a_link_but_merged_by_a_reviewer(
    editor, reviewer, three
):
    en, uk, ru = three
    fourth = claim_by(editor, _article(EN + " Repost."), EN)
    a = services.shared_claim_link(claim=uk, other=en, user=editor)
    b = services.shared_claim_link(claim=fourth, other=ru, user=editor)
    before = _history(en)
    with pytest.raises(ValidationError) as refused:
        services.shared_claim_link(claim=en, other=ru, user=editor)
    assert refused.value.code == "merge_needed"
    assert "merge" in " ".join(refused.value.messages)
    assert _history(en) == before
    with pytest.raises(PermissionDenied):
        services.shared_claim_merge(keep=a, merge=b, user=editor)
    assert SharedClaim.objects.count() == 2
    kept = services.shared_claim_merge(keep=a, merge=b, user=reviewer)
    assert not SharedClaim.objects.filter(pk=b.pk).exists()
    assert set(kept.appearances.values_list("pk", flat=True)) == {en.pk, uk.pk, ru.pk, fourth.pk}
    assert _history(ru)[0] == (f"shared claim #{b.pk} merged into #{a.pk}", "reviewer")
    # The merged shared claim's own history stays, with who deleted it.
    gone = SharedClaim.history.filter(id=b.pk, history_type="-").get()
    assert gone.history_user.username == "reviewer"


def test_unlinking_keeps_the_shared_claim_and_its_other_appearances(three, other_editor):
    en, uk, ru = three
    result = services.shared_claim_link(claim=uk, other=en, user=other_editor)
    services.shared_claim_link(claim=ru, shared_claim=result, user=other_editor)
    left = services.shared_claim_unlink(claim=uk, user=other_editor)
    assert left.pk == result.pk
    uk.refresh_from_db()
    assert uk.shared_claim_id is None
    assert set(result.appearances.values_list("pk", flat=True)) == {en.pk, ru.pk}
    assert _history(uk)[0] == (f"unlinked from shared claim #{result.pk}", "other_editor")
    assert services.shared_claim_unlink(claim=uk, user=other_editor) is None


def test_viewers_and_the_signed_out_cannot_link_and_nothing_changes(three, viewer):
    en, uk, _ru = three
    for user in (viewer, None):
        with pytest.raises(PermissionDenied):
            services.shared_claim_link(claim=uk, other=en, user=user)
    made = services.shared_claim_link(claim=uk, other=en, user=en.created_by)
    with pytest.raises(PermissionDenied):
        services.shared_claim_unlink(claim=uk, user=viewer)
    assert SharedClaim.objects.count() == 1
    assert made.appearances.count() == 2


def test_a_claim_is_not_linked_to_itself_nor_on_a_deleted_article(three, editor, reviewer):
    en, uk, _ru = three
    with pytest.raises(ValidationError):
        services.shared_claim_link(claim=en, other=en, user=editor)
    services.article_delete(article=uk.article, user=reviewer)
    with pytest.raises(Annotation.DoesNotExist):
        services.shared_claim_link(claim=en, other=uk, user=editor)
    assert SharedClaim.objects.count() == 0


def test_a_restored_claim_whose_shared_claim_was_merged_away_comes_back_unlinked(
    three, editor, reviewer, admin_user
):
    en, uk, ru = three
    a = services.shared_claim_link(claim=uk, other=en, user=editor)
    fourth = claim_by(editor, _article(EN + " Repost."), EN)
    b = services.shared_claim_link(claim=ru, other=fourth, user=editor)
    services.annotation_delete(annotation=ru, user=editor)
    services.shared_claim_merge(keep=a, merge=b, user=reviewer)
    record = Annotation.history.filter(id=ru.pk, history_type="-").get()
    back = services.annotation_restore(history_id=record.history_id, user=admin_user)
    assert back.shared_claim_id is None
    assert any("merged or deleted" in str(note) for note in back.restore_notes)
    assert ClaimTerm.objects.filter(annotation=back).exists()  # the matcher finds it again


# --- The matcher's terms follow the words -----------------------------------------------------


def _terms(claim) -> set[str]:
    return set(ClaimTerm.objects.filter(annotation=claim).values_list("term", flat=True))


def test_terms_are_written_with_a_claim_and_gone_with_it(editor):
    claim = claim_by(editor, _article(EN), EN)
    assert {"#7000", "@avdvk", "@zlnsk", "~troop"} <= _terms(claim)
    services.annotation_delete(annotation=claim, user=editor)
    assert not ClaimTerm.objects.exists()


def test_terms_follow_a_correction_that_changes_a_claims_words(editor):
    article = ArticleFactory(body="Intro.\n\n" + EN, language="en", created_by=editor)
    claim = claim_by(editor, article, EN)
    changed = "Intro.\n\n" + EN.replace("7,000", "9,000")
    services.article_correct(
        article=article, user=editor, expected_version=article.version, body=changed
    )
    claim.refresh_from_db()
    assert "9,000" in claim.quote
    assert "#9000" in _terms(claim) and "#7000" not in _terms(claim)


def test_an_edit_of_the_verdict_leaves_the_terms_alone(editor):
    claim = claim_by(editor, _article(EN), EN)
    ids = set(ClaimTerm.objects.filter(annotation=claim).values_list("pk", flat=True))
    services.annotation_update(
        annotation=claim,
        user=editor,
        label="verified",
        source=None,
        credibility=None,
        note="",
        evidence_url="",
    )
    assert set(ClaimTerm.objects.filter(annotation=claim).values_list("pk", flat=True)) == ids


def test_suggestions_come_from_other_live_articles_across_languages(three, editor, reviewer):
    en, uk, ru = three
    other = claim_by(editor, _article(OTHER), OTHER)
    found = shared.suggestions_for_claim(en)
    assert [s.claim.pk for s in found][:2] in ([uk.pk, ru.pk], [ru.pk, uk.pk])
    assert other.pk not in [s.claim.pk for s in found[:2]]
    assert all(s.claim.article_id != en.article_id for s in found)
    services.article_delete(article=uk.article, user=reviewer)
    assert uk.pk not in [s.claim.pk for s in shared.suggestions_for_claim(en)]


def test_suggestions_leave_out_what_is_linked_already_and_show_one_per_shared_claim(three, editor):
    en, uk, ru = three
    services.shared_claim_link(claim=uk, other=ru, user=editor)
    found = shared.suggestions_for_claim(en)
    assert len([s for s in found if s.claim.shared_claim_id]) == 1  # uk or ru, not both
    services.shared_claim_link(claim=en, other=uk, user=editor)
    en.refresh_from_db()
    assert not [s for s in shared.suggestions_for_claim(en) if s.claim.pk in (uk.pk, ru.pk)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_editors_linking_the_same_claims_at_once_make_one_shared_claim(roles):
    """Barrier-released threads link the same three claims in opposite directions: the row
    locks make them one shared claim, never two (PostgreSQL)."""
    from tests.factories import member

    editors = [member(f"desk{i}", "Editor", roles=roles) for i in range(6)]
    claims = [
        claim_by(editors[0], _article(EN), EN),
        claim_by(editors[0], _article(UK, "uk"), UK),
        claim_by(editors[0], _article(RU, "ru"), RU),
    ]
    pairs = [(0, 1), (1, 0), (1, 2), (2, 1), (0, 2), (2, 0)]

    def link(i):
        a, b = pairs[i]
        return services.shared_claim_link(claim=claims[a], other=claims[b], user=editors[i]).pk

    answers = all_at_once(len(pairs), link)
    assert len(set(answers)) == 1
    assert SharedClaim.objects.count() == 1
    assert set(Annotation.objects.values_list("shared_claim_id", flat=True)) == {answers[0]}


@pytest.mark.postgres
def test_the_trigram_time_limit_ends_with_its_query(three):
    """pg_trgm is asked within a time limit that must not outlive its query: the rest of the
    request's transaction (and the commit's checks) runs without it (PostgreSQL)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]
        shared._trigram_ids(EN, exclude_article=None)
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before
