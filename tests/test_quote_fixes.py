"""Quicker fixes to a claim's words (issue 17, items 2 and 3).

- Accept a changed quote in one step: a claim that a correction flagged "quote changed"
  shows a word diff and "Accept new text"; the reviewer confirms or changes the label, and
  the claim is anchored on its new words (services.annotation_accept_quote).
- Adjust a claim's span by whole graphemes from its edit form: the nudge buttons preview the
  new passage, Save writes it (services.annotation_update(span=…), annotation_respan).

Pure logic first (graphemes, word diff), then the services, then the views.
"""

from __future__ import annotations

import json

import pytest
import regex
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from annotations import anchoring, history, services
from annotations.anchoring import BACK, END, FORWARD, START, nudge_span, word_diff
from annotations.models import Annotation, Article
from tests.factories import BODY, SourceFactory, claim_by
from tests.test_bad_input import db_snapshot

HX = {"HX-Request": "true"}
FLAG = "🇺🇦"
CLAIM = "31 of 38 drones were shot down"
FIXED = "13 of 38 drones were shot down"
AFTER_FLAG = "Ірина said the windows came in"


# --- Graphemes ------------------------------------------------------------------------------


def _clusters(text: str) -> list[int]:
    """Every grapheme boundary of `text`, from a segmentation of the whole of it."""
    ends = [0]
    for match in regex.finditer(r"\X", text):
        ends.append(match.end())
    return ends


@pytest.mark.parametrize(
    ("text", "grapheme"),
    [
        ("flag", FLAG),  # two regional indicators
        ("e and a combining accent (no precomposed form)", "и\u0301"),
        ("family joined by zero-width joiners", "👩\u200d👩\u200d👧"),
        ("skin tone", "👍🏽"),
        ("keycap", "3\ufe0f\u20e3"),
    ],
)
def test_one_press_moves_over_a_whole_grapheme_both_ways(text, grapheme):
    body = f"say {grapheme} now"
    at = body.index(grapheme)
    after = at + len(grapheme)
    # The start goes back over it, and forward over it again.
    assert nudge_span(body, after, len(body), START, BACK) == (at, len(body))
    assert nudge_span(body, at, len(body), START, FORWARD) == (after, len(body))
    # The end goes forward over it, and back.
    assert nudge_span(body, 0, at, END, FORWARD) == (0, after)
    assert nudge_span(body, 0, after, END, BACK) == (0, at)


def test_edges_stop_at_the_article_and_a_span_never_becomes_empty():
    body = f"{FLAG}x"
    assert nudge_span(body, 0, 2, START, BACK) == (0, 2)  # the start of the article
    assert nudge_span(body, 0, 3, END, FORWARD) == (0, 3)  # its end
    assert nudge_span(body, 0, 2, START, FORWARD) == (0, 2)  # one grapheme left: stays
    assert nudge_span(body, 0, 2, END, BACK) == (0, 2)
    assert nudge_span(body, 2, 3, START, BACK) == (0, 3)


def test_a_line_break_is_one_step_of_its_own():
    body = "one.\n\ntwo"
    assert nudge_span(body, 6, 9, START, BACK) == (5, 9)
    assert nudge_span(body, 0, 4, END, FORWARD) == (0, 5)


def test_an_edge_inside_a_grapheme_moves_to_its_boundary():
    """A span made elsewhere (pasted, or by an old client) may cut a flag in two: the next
    press puts the edge on a boundary, never further inside."""
    body = f"a {FLAG} b"
    inside = body.index(FLAG) + 1
    assert nudge_span(body, inside, len(body), START, BACK) == (2, len(body))
    assert nudge_span(body, inside, len(body), START, FORWARD) == (4, len(body))


_PIECES = st.sampled_from(
    [
        "a",
        "é",
        "e\u0301",
        "и\u0301",
        FLAG,
        "🇫🇷",
        "🇺",
        "👩\u200d👩\u200d👧",
        "👍🏽",
        " ",
        "\n",
        "\u200d",
        "\u0301",
        "ℵ",
        "\u1100\u1161",
        "\r",
    ]  # fmt: skip
)


@given(st.lists(_PIECES, max_size=30), st.data())
def test_boundaries_are_those_of_the_whole_text(pieces, data):
    """Looking from the line around a position (not the top of the article) finds exactly
    the boundaries a segmentation of the whole text has."""
    body = "".join(pieces)
    ends = _clusters(body)
    position = data.draw(st.integers(0, len(body)))
    assert anchoring.next_boundary(body, position) == min(
        [e for e in ends if e > position], default=len(body)
    )
    assert anchoring.previous_boundary(body, position) == max(
        [e for e in ends if e < position], default=0
    )


# --- Word diff ------------------------------------------------------------------------------


def test_word_diff_of_a_figure():
    assert word_diff("31 drones", "13 drones") == [("-", "31"), ("+", "13"), ("=", " drones")]
    assert word_diff(CLAIM, "13 of 40 drones were shot down") == [
        ("-", "31"),
        ("+", "13"),
        ("=", " of "),
        ("-", "38"),
        ("+", "40"),
        ("=", " drones were shot down"),
    ]


def test_word_diff_joins_neighbouring_changes_and_shortens_long_equal_text():
    assert word_diff("a b", "c d") == [("-", "a b"), ("+", "c d")]
    old = "The governor said that " + "many things happened overnight, " * 4 + "31 drones."
    new = old.replace("31", "13")
    pieces = word_diff(old, new)
    assert pieces[0] == ("…", "…") and ("-", "31") in pieces and ("+", "13") in pieces
    assert sum(len(text) for _, text in pieces) < len(old)


@given(st.text(alphabet="ab 1,.\n€", max_size=40), st.text(alphabet="ab 1,.\n€", max_size=40))
def test_word_diff_rebuilds_both_texts(old, new):
    pieces = word_diff(old, new, keep=10_000)
    assert "".join(t for op, t in pieces if op in "=-") == old
    assert "".join(t for op, t in pieces if op in "=+") == new


# --- Services: accepting a changed quote ------------------------------------------------------
# (The database comes with the user fixtures: the pure tests above run without one.)


def _tag(article, user, quote=CLAIM, label="verified", **extra) -> Annotation:
    return claim_by(user, article, quote, label, **extra)


def _correct(article, user, old, new) -> Article:
    article.refresh_from_db()
    services.article_correct(
        article=article,
        user=user,
        expected_version=article.version,
        body=article.body.replace(old, new),
        note="figure corrected",
    )
    article.refresh_from_db()
    return article


@pytest.fixture
def flagged(editor):
    """An editor's verified claim on "31 of 38 …", which a correction made "13 of 38 …"."""
    article = services.article_create(user=editor, title="Strike on Kharkiv", body=BODY)
    claim = _tag(article, editor)
    _correct(article, editor, "31 of 38", "13 of 38")
    claim.refresh_from_db()
    assert (claim.anchor_state, claim.quote, claim.original_quote) == ("changed", FIXED, CLAIM)
    return claim


def _state(claim: Annotation) -> tuple:
    claim.refresh_from_db()
    return (claim.anchor_state, claim.anchor_reason, claim.quote, claim.original_quote, claim.label)


def test_accepting_anchors_the_claim_on_its_new_words_and_records_it(flagged, reviewer):
    before = flagged.history.count()
    services.annotation_accept_quote(
        annotation=flagged, user=reviewer, label="disputed", expected_quote=FIXED
    )
    assert _state(flagged) == ("anchored", "", FIXED, "", "disputed")
    body = Article.objects.get(pk=flagged.article_id).body
    assert body[flagged.start : flagged.end] == FIXED
    assert anchoring.context(body, flagged.start, flagged.end) == (flagged.prefix, flagged.suffix)
    assert flagged.updated_by == reviewer
    # One record: who and when, the old quote, and the label's change.
    assert flagged.history.count() == before + 1
    record = flagged.history.order_by("-history_id").first()
    assert record.history_user == reviewer
    assert record.history_change_reason == f"new text accepted (was “{CLAIM}”)"
    entry = history.entries(list(flagged.history.order_by("-history_date", "-history_id")))[0]
    assert (entry["who"], entry["action"]) == ("reviewer", "changed")
    assert ("Label", "Verified", "Disputed") in entry["changes"]
    assert ("Original quote", CLAIM, "—") in entry["changes"]
    assert ("Anchor", "Quote changed", "Anchored") in entry["changes"]


def test_accepting_with_the_label_confirmed_keeps_it(flagged, reviewer):
    services.annotation_accept_quote(
        annotation=flagged, user=reviewer, label="verified", expected_quote=FIXED
    )
    assert _state(flagged) == ("anchored", "", FIXED, "", "verified")
    entry = history.entries(list(flagged.history.order_by("-history_date", "-history_id")))[0]
    assert not [c for c in entry["changes"] if c[0] == "Label"]


def test_a_quote_changed_again_meanwhile_is_not_accepted_unseen(flagged, reviewer, editor):
    """The reviewer looked at "13 of 38"; a second correction made it "13 of 40" before they
    pressed Accept: refused, nothing written."""
    _correct(flagged.article, editor, "13 of 38", "13 of 40")
    assert _state(flagged)[2] == "13 of 40 drones were shot down"
    before = db_snapshot()
    with pytest.raises(ValidationError) as refused:
        services.annotation_accept_quote(
            annotation=flagged, user=reviewer, label="disputed", expected_quote=FIXED
        )
    assert refused.value.code == "stale" and "13 of 40" in refused.value.messages[0]
    assert db_snapshot() == before


def test_an_orphan_has_no_new_text_to_accept(editor, reviewer):
    article = services.article_create(user=editor, title="Strike", body=BODY)
    claim = _tag(article, editor)
    _correct(article, editor, "According to a Telegram post from the SBU, 31 of 38 drones "
             "were shot down.\n", "")  # fmt: skip
    assert _state(claim)[0] == "orphaned"
    before = db_snapshot()
    with pytest.raises(ValidationError) as refused:
        services.annotation_accept_quote(
            annotation=claim, user=reviewer, label="verified", expected_quote=claim.quote
        )
    assert refused.value.code == "orphaned" and "Re-attach" in refused.value.messages[0]
    assert db_snapshot() == before


@pytest.mark.parametrize(
    ("label", "says"),
    [("maybe", "Unknown label"), ("unattributed", "unattributed claim has no source")],
)
def test_accepting_refuses_bad_labels(flagged, reviewer, label, says):
    Annotation.objects.filter(pk=flagged.pk).update(source=SourceFactory(name="SBU"))
    before = db_snapshot()
    with pytest.raises(ValidationError) as refused:
        services.annotation_accept_quote(
            annotation=flagged, user=reviewer, label=label, expected_quote=FIXED
        )
    assert says in " ".join(refused.value.messages)
    assert db_snapshot() == before


def test_accepting_twice_is_refused_the_second_time(flagged, reviewer, admin_user):
    services.annotation_accept_quote(
        annotation=flagged, user=reviewer, label="verified", expected_quote=FIXED
    )
    before = db_snapshot()
    with pytest.raises(ValidationError) as refused:
        services.annotation_accept_quote(
            annotation=flagged, user=admin_user, label="disputed", expected_quote=FIXED
        )
    assert refused.value.code == "stale"
    assert db_snapshot() == before


def test_accepting_with_a_label_that_makes_a_twin_is_refused(flagged, reviewer, other_editor):
    """Another editor tagged the new words "disputed" already: one passage, verdict and
    source is one claim."""
    _tag(flagged.article, other_editor, quote=FIXED, label="disputed")
    before = db_snapshot()
    with pytest.raises(ValidationError) as refused:
        services.annotation_accept_quote(
            annotation=flagged, user=reviewer, label="disputed", expected_quote=FIXED
        )
    assert refused.value.code == "duplicate"
    assert db_snapshot() == before


@pytest.mark.parametrize("who", ["viewer", "editor", "other_editor"])
def test_only_reviewers_and_admins_accept_new_text(flagged, request, who):
    """The same people who resolve flags by re-attaching: not even the claim's author."""
    user = request.getfixturevalue(who)
    before = db_snapshot()
    with pytest.raises(PermissionDenied):
        services.annotation_accept_quote(
            annotation=flagged, user=user, label="verified", expected_quote=FIXED
        )
    assert db_snapshot() == before


def test_accepting_a_claim_deleted_meanwhile(flagged, reviewer, editor):
    services.annotation_delete(annotation=Annotation.objects.get(pk=flagged.pk), user=editor)
    with pytest.raises(services.ClaimGone):
        services.annotation_accept_quote(
            annotation=flagged, user=reviewer, label="verified", expected_quote=FIXED
        )


# --- Services: adjusting a span ---------------------------------------------------------------


@pytest.fixture
def after_flag(editor):
    """An editor's claim on the words right after the flag emoji of the body."""
    article = services.article_create(user=editor, title="Evacuation", body=BODY)
    return _tag(article, editor, quote=AFTER_FLAG, label="unattributed")


def _moved(claim: Annotation, edge: str, direction: int, presses: int = 1) -> dict:
    body = Article.objects.get(pk=claim.article_id).body
    start, end = claim.start, claim.end
    for _ in range(presses):
        start, end = nudge_span(body, start, end, edge, direction)
    return {"start": start, "end": end, "quote": body[start:end]}


def test_a_span_moves_over_the_flag_and_history_keeps_the_old_span(after_flag, editor):
    old = (after_flag.start, after_flag.end, after_flag.quote)
    span = _moved(after_flag, START, BACK, presses=2)  # the space, then the whole flag
    assert span["quote"] == f"{FLAG} {AFTER_FLAG}"
    assert span["start"] == old[0] - 3  # a flag is two code points
    claim = services.annotation_respan(
        annotation=after_flag, user=editor, **span, expected_quote=AFTER_FLAG, seen_version=1
    )
    assert claim.pk == after_flag.pk
    after_flag.refresh_from_db()
    assert (after_flag.start, after_flag.end, after_flag.quote) == (
        span["start"],
        span["end"],
        span["quote"],
    )
    assert (after_flag.label, after_flag.anchor_state) == ("unattributed", "anchored")
    body = after_flag.article.body
    assert body[after_flag.start : after_flag.end] == after_flag.quote
    assert anchoring.context(body, after_flag.start, after_flag.end) == (
        after_flag.prefix,
        after_flag.suffix,
    )
    record, previous = after_flag.history.order_by("-history_id")[:2]
    assert (previous.start, previous.end, previous.quote) == old
    assert record.history_user == editor and record.history_change_reason.startswith(
        f"span adjusted (was {old[0]}–{old[1]}"
    )
    entry = history.entries([record, previous])[0]
    assert ("Position", f"{old[0]}–{old[1]}", f"{span['start']}–{span['end']}") in entry["changes"]
    # And back again, with the end moved too: back to the words alone.
    back = _moved(after_flag, START, FORWARD, presses=2)
    assert back["quote"] == AFTER_FLAG
    services.annotation_respan(
        annotation=after_flag, user=editor, **back, expected_quote=span["quote"]
    )
    after_flag.refresh_from_db()
    assert (after_flag.start, after_flag.end) == old[:2]


def _refused_respan(claim, user, code, **span):
    before = db_snapshot()
    with pytest.raises(ValidationError) as refused:
        services.annotation_respan(annotation=claim, user=user, **span)
    assert db_snapshot() == before
    if code:
        assert refused.value.code == code, refused.value.messages
    return refused.value


def test_a_respan_must_match_the_body_and_hold_words(after_flag, editor):
    body = after_flag.article.body
    at = body.index(FLAG)
    cases = [
        # The text sent is not the text at those offsets.
        ({"start": at, "end": at + 2, "quote": "🇫🇷"}, "stale"),
        # Empty, reversed, outside the body.
        ({"start": at, "end": at, "quote": ""}, "bad_span"),
        ({"start": at + 2, "end": at, "quote": ""}, "bad_span"),
        ({"start": len(body) - 2, "end": len(body) + 5, "quote": body[-2:]}, "bad_span"),
        ({"start": -1, "end": 3, "quote": body[:3]}, "bad_span"),
        # Only a space.
        ({"start": at + 2, "end": at + 3, "quote": " "}, "bad_span"),
    ]
    for span, code in cases:
        _refused_respan(after_flag, editor, code, **span, expected_quote=AFTER_FLAG)


def test_a_respan_after_the_claim_changed_meanwhile_is_refused(after_flag, editor, reviewer):
    """The editor's form was opened on the old words; a correction changed them before
    Save: the offsets they moved belong to a text that is not there any more."""
    span = _moved(after_flag, END, BACK)
    _correct(after_flag.article, reviewer, "windows came in", "windows blew in")
    assert _state(after_flag)[0] == "changed"
    _refused_respan(after_flag, editor, "stale", **span, expected_quote=AFTER_FLAG)


def test_a_respan_on_an_older_version_is_refused(after_flag, editor, reviewer):
    """Not this claim's words but the article changed (a line added above it): the offsets
    the form carries are the old version's."""
    span = _moved(after_flag, END, BACK)
    _correct(after_flag.article, reviewer, "Strike on Kharkiv", "Strike on Kharkiv, update")
    args = {**span, "expected_quote": AFTER_FLAG, "seen_version": 1}
    _refused_respan(after_flag, editor, "stale", **args)


def test_a_respan_onto_a_twin_is_refused(after_flag, editor, other_editor):
    wider = f"{FLAG} {AFTER_FLAG}"
    _tag(after_flag.article, other_editor, quote=wider, label="unattributed")
    span = _moved(after_flag, START, BACK, presses=2)
    assert span["quote"] == wider
    _refused_respan(after_flag, editor, "duplicate", **span, expected_quote=AFTER_FLAG)


def test_an_orphans_span_cannot_be_adjusted(editor):
    article = services.article_create(user=editor, title="Strike", body=BODY)
    claim = _tag(article, editor)
    line = "According to a Telegram post from the SBU, 31 of 38 drones were shot down.\n"
    _correct(article, editor, line, "")
    body = Article.objects.get(pk=article.pk).body
    args = {"start": 0, "end": 6, "quote": body[:6], "expected_quote": CLAIM}
    _refused_respan(claim, editor, "orphaned", **args)


@pytest.mark.parametrize(("who", "allowed"), [("viewer", False), ("other_editor", False),
                                              ("editor", True), ("reviewer", True)])  # fmt: skip
def test_who_may_adjust_a_span(after_flag, request, who, allowed):
    """The people who may edit the claim: its author, reviewers and admins."""
    span = _moved(after_flag, END, BACK)
    user = request.getfixturevalue(who)
    if allowed:
        services.annotation_respan(
            annotation=after_flag, user=user, **span, expected_quote=AFTER_FLAG
        )
        assert _state(after_flag)[2] == span["quote"]
    else:
        before = db_snapshot()
        with pytest.raises(PermissionDenied):
            services.annotation_respan(
                annotation=after_flag, user=user, **span, expected_quote=AFTER_FLAG
            )
        assert db_snapshot() == before


def test_an_edit_moves_the_span_and_changes_details_in_one_record(after_flag, editor):
    span = _moved(after_flag, END, BACK, presses=3)
    assert span["quote"] == AFTER_FLAG[:-3]
    services.annotation_update(
        annotation=after_flag,
        user=editor,
        label="disputed",
        source=None,
        credibility=None,
        note="trimmed",
        evidence_url="",
        span=services.NewSpan(**span, expected_quote=AFTER_FLAG, seen_version=1),
    )
    after_flag.refresh_from_db()
    assert (after_flag.quote, after_flag.label, after_flag.note) == (
        AFTER_FLAG[:-3],
        "disputed",
        "trimmed",
    )
    assert after_flag.history.count() == 2


# --- Views: accepting ---------------------------------------------------------------------------


def _accept_url(claim) -> str:
    return reverse("annotations:claim-accept-quote", args=[claim.pk])


def test_the_card_shows_the_word_diff_and_accept_to_reviewers_only(
    client, flagged, reviewer, editor
):
    client.force_login(reviewer)
    html = client.get(flagged.get_absolute_url()).content.decode()
    item = html[html.index(f'id="claim-{flagged.pk}"') :]
    item = item[: item.index("</li>")]
    assert (
        '<span class="quote-diff"><del><span class="visually-hidden">removed: </span>31</del>'
        '<ins><span class="visually-hidden">added: </span>13</ins> of 38 drones were shot down'
        "</span>"
    ) in item
    assert _accept_url(flagged) in item and "Accept new text" in item
    client.force_login(editor)  # the author sees what changed, but does not resolve flags
    html = client.get(flagged.get_absolute_url()).content.decode()
    assert "quote-diff" in html and _accept_url(flagged) not in html


def test_the_diff_escapes_what_was_typed(client, editor, reviewer):
    body = "Title\n\nThe post said <b>31</b> & more were down."
    article = services.article_create(user=editor, title="T", body=body)
    claim = _tag(article, editor, quote="<b>31</b> & more")
    _correct(article, editor, "<b>31</b>", "<i>13</i>")
    assert _state(claim)[:3] == ("changed", "altered", "<i>13</i> & more")
    client.force_login(reviewer)
    html = client.get(_accept_url(claim)).content.decode()
    diff = html[html.index('<span class="quote-diff">') :]
    diff = diff[: diff.index("</p>")]
    assert diff.startswith('<span class="quote-diff">&lt;<del>')
    assert "&gt;" in diff and "&amp; more" in diff
    assert "<b>" not in html and "<i>" not in html and "</b>" not in html


def test_accept_asks_for_the_label_with_the_current_one_checked(client, flagged, reviewer):
    client.force_login(reviewer)
    fragment = client.get(_accept_url(flagged), headers=HX)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert 'value="verified" data-label="verified" checked' in html
    assert html.count(" checked") == 1
    assert f'name="expected_quote" value="{FIXED}"' in html
    page = client.get(_accept_url(flagged))
    assert b"<html" in page.content and b"Accept the new text" in page.content


def test_accept_without_javascript_redirects_to_the_claim(client, flagged, reviewer):
    client.force_login(reviewer)
    response = client.post(_accept_url(flagged), {"label": "disputed", "expected_quote": FIXED})
    assert response.status_code == 302 and response["Location"] == flagged.get_absolute_url()
    assert _state(flagged) == ("anchored", "", FIXED, "", "disputed")


def test_accept_with_htmx_swaps_the_item_and_the_blocks(client, flagged, reviewer):
    client.force_login(reviewer)
    response = client.post(
        _accept_url(flagged), {"label": "disputed", "expected_quote": FIXED}, headers=HX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="claim-{flagged.pk}"' in html and "badge-changed" not in html
    assert "quote-diff" not in html and "label-disputed" in html
    assert 'hx-swap-oob="true"' in html and "hl-changed" not in html and "hl-disputed" in html
    event = json.loads(response["HX-Trigger-After-Swap"])["annotations-changed"]
    assert (event["id"], event["action"]) == (flagged.pk, "updated")


def test_accept_refusals_are_422_with_a_message_and_change_nothing(client, flagged, reviewer):
    client.force_login(reviewer)
    url = _accept_url(flagged)
    for data, says in (
        ({"expected_quote": FIXED}, b"Confirm the label"),
        ({"label": "maybe", "expected_quote": FIXED}, b"not one of the available choices"),
        ({"label": "verified", "expected_quote": CLAIM}, b"changed again since you looked"),
        ({"label": "verified", "expected_quote": "a\x00b"}, b"NUL"),
    ):
        for headers in ({}, HX):
            before = db_snapshot()
            response = client.post(url, data, headers=headers)
            assert response.status_code == 422, data
            assert says in response.content and b'class="form-error"' in response.content
            assert db_snapshot() == before


def test_a_stale_accept_shows_the_words_as_they_are_now(client, flagged, reviewer, editor):
    _correct(flagged.article, editor, "13 of 38", "13 of 40")
    client.force_login(reviewer)
    response = client.post(
        _accept_url(flagged), {"label": "disputed", "expected_quote": FIXED}, headers=HX
    )
    html = response.content.decode()
    assert response.status_code == 422
    # The form again, with the new words to look at and to accept, the label kept.
    assert 'name="expected_quote" value="13 of 40 drones were shot down"' in html
    assert "<del><span" in html and ">40</ins>" in html
    assert 'value="disputed" data-label="disputed" checked' in html


def test_accepting_an_orphan_is_422_and_points_to_reattach(client, editor, reviewer):
    article = services.article_create(user=editor, title="Strike", body=BODY)
    claim = _tag(article, editor)
    line = "According to a Telegram post from the SBU, 31 of 38 drones were shot down.\n"
    _correct(article, editor, line, "")
    client.force_login(reviewer)
    before = db_snapshot()
    response = client.post(_accept_url(claim), {"label": "verified", "expected_quote": CLAIM})
    assert response.status_code == 422 and b"Re-attach it" in response.content
    assert b"Accept new text</button>" not in response.content
    assert db_snapshot() == before


@pytest.mark.parametrize("who", ["viewer", "editor", "other_editor"])
def test_who_may_not_accept_gets_403(client, flagged, request, who):
    client.force_login(request.getfixturevalue(who))
    before = db_snapshot()
    assert client.get(_accept_url(flagged)).status_code == 403
    response = client.post(_accept_url(flagged), {"label": "verified", "expected_quote": FIXED})
    assert response.status_code == 403
    assert db_snapshot() == before


# --- Views: adjusting a span ------------------------------------------------------------------


def _edit_url(claim) -> str:
    return reverse("annotations:claim-edit", args=[claim.pk])


def _edit_form(claim, **changes) -> dict:
    """What the edit form posts for `claim` as loaded, with `changes`."""
    article = Article.objects.get(pk=claim.article_id)
    data = {
        "label": claim.label,
        "source": claim.source_id or "",
        "credibility": claim.credibility or "",
        "note": claim.note,
        "evidence_url": claim.evidence_url,
        "start": claim.start,
        "end": claim.end,
        "quote": claim.quote,
        "was_start": claim.start,
        "was_end": claim.end,
        "was_quote": claim.quote,
        "version": article.version,
    }
    return {**data, **changes}


def _hidden(html: str, name: str) -> str:
    at = html.index(f'name="{name}" value="') + len(f'name="{name}" value="')
    return html[at : html.index('"', at)]


def test_the_edit_form_carries_the_span_and_previews_it(editor_client, after_flag):
    html = editor_client.get(_edit_url(after_flag), headers=HX).content.decode()
    assert (_hidden(html, "start"), _hidden(html, "end")) == (
        str(after_flag.start),
        str(after_flag.end),
    )
    assert _hidden(html, "was_quote") == AFTER_FLAG and _hidden(html, "version") == "1"
    assert f'<mark class="span-quote hl-unattributed">{AFTER_FLAG}</mark>' in html
    assert f"{FLAG} </span>" in html  # the words before it, in its paragraph
    for name in ("start-back", "start-forward", "end-back", "end-forward"):
        assert f'value="{name}" id="claim-{after_flag.pk}-{name}"' in html


def test_a_nudge_with_htmx_previews_the_span_and_writes_nothing(editor_client, after_flag):
    before = db_snapshot()
    data = _edit_form(after_flag, nudge="start-back")
    response = editor_client.post(_edit_url(after_flag), data, headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<fieldset class="span-adjust"')
    assert _hidden(html, "quote") == f" {AFTER_FLAG}"  # one press: the space
    data = _edit_form(after_flag, nudge="start-back", start=after_flag.start - 1,
                      quote=f" {AFTER_FLAG}")  # fmt: skip
    html = editor_client.post(_edit_url(after_flag), data, headers=HX).content.decode()
    assert _hidden(html, "quote") == f"{FLAG} {AFTER_FLAG}"  # the next: the whole flag
    assert _hidden(html, "start") == str(after_flag.start - 3)
    assert _hidden(html, "was_quote") == AFTER_FLAG  # where it was stays in the form
    assert "Not saved yet" in html
    said = f'<div id="claim-{after_flag.pk}-span-said" hx-swap-oob="innerHTML">'
    assert f"{said}The claim would now read “{FLAG}" in html
    assert db_snapshot() == before


def test_a_nudge_without_javascript_keeps_what_was_typed(editor_client, after_flag):
    data = _edit_form(after_flag, nudge="end-back", note="typed, not saved yet")
    response = editor_client.post(_edit_url(after_flag), data)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert _hidden(html, "quote") == AFTER_FLAG[:-1]
    assert "typed, not saved yet</textarea>" in html
    assert _state(after_flag)[2] == AFTER_FLAG


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"nudge": "start-back", "start": 0, "end": 6, "quote": "Strike"}, b"already starts"),
        ({"nudge": "end-forward", "start": len(BODY) - 2, "end": len(BODY), "quote": "n."},
         b"already ends"),
        ({"nudge": "end-back", "start": 0, "end": 1, "quote": "S"}, b"at least one character"),
        ({"nudge": "start-back", "quote": "not what is there"}, b"changed while you were"),
        ({"nudge": "start-back", "version": 7}, b"changed while you were"),
        ({"nudge": "sideways"}, b"changed while you were"),
    ],
)  # fmt: skip
def test_a_nudge_that_cannot_move_says_why(editor_client, after_flag, changes, says):
    before = db_snapshot()
    for headers in ({}, HX):
        data = _edit_form(after_flag, **changes)
        response = editor_client.post(_edit_url(after_flag), data, headers=headers)
        assert response.status_code == 422
        assert says in response.content and b'class="form-error"' in response.content
    assert db_snapshot() == before


def test_saving_a_moved_span(client, after_flag, editor):
    client.force_login(editor)
    span = _moved(after_flag, START, BACK, presses=2)
    old = (after_flag.start, after_flag.end)
    response = client.post(_edit_url(after_flag), _edit_form(after_flag, **span), headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    # The blocks of the old and the new span, the item, and the announcement.
    assert f'data-annotation-id="{after_flag.pk}"' in html and "hl-unattributed" in html
    assert json.loads(response["HX-Trigger-After-Swap"])["annotations-changed"]["id"] == (
        after_flag.pk
    )
    after_flag.refresh_from_db()
    assert (after_flag.start, after_flag.end, after_flag.quote) == (
        span["start"],
        span["end"],
        span["quote"],
    )
    assert after_flag.history.order_by("-history_id")[1].start == old[0]
    # Without JavaScript: a redirect to the claim.
    back = _moved(after_flag, START, FORWARD, presses=2)
    data = _edit_form(after_flag, **back)
    response = client.post(_edit_url(after_flag), data)
    assert response.status_code == 302
    assert _state(after_flag)[2] == AFTER_FLAG


def test_saving_details_alone_leaves_the_span_and_survives_a_correction(editor_client,
                                                                        after_flag, reviewer):  # fmt: skip
    """The span fields say nothing moved: an edit of the note from a page loaded before a
    correction saves as it did before there were span fields."""
    data = _edit_form(after_flag, note="checked")
    _correct(after_flag.article, reviewer, "Strike on Kharkiv", "Strike on Kharkiv, update")
    response = editor_client.post(_edit_url(after_flag), data)
    assert response.status_code == 302
    after_flag.refresh_from_db()
    assert after_flag.note == "checked" and after_flag.quote == AFTER_FLAG


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"quote": "Ірина said the windows"}, b"not the text you saw"),
        ({"was_quote": "something else"}, b"changed while you were"),
        ({"version": 2}, b"changed while you were"),
        ({"end": "x"}, b"Enter a whole number"),
        ({"start": -4}, b"greater than or equal to 0"),
        ({"quote": "Ірина\x00"}, b"NUL"),
    ],
)
def test_saving_a_bad_span_is_422_and_changes_nothing(editor_client, after_flag, changes, says):
    span = _moved(after_flag, END, BACK)
    before = db_snapshot()
    for headers in ({}, HX):
        data = _edit_form(after_flag, **{**span, **changes})
        response = editor_client.post(_edit_url(after_flag), data, headers=headers)
        assert response.status_code == 422, response.content[:300]
        assert says in response.content
    assert db_snapshot() == before


def test_saving_a_span_of_spaces_or_onto_a_twin_is_422(editor_client, after_flag, other_editor):
    body = after_flag.article.body
    space = body.index(FLAG) + 2
    before = db_snapshot()
    data = _edit_form(after_flag, start=space, end=space + 1, quote=" ")
    response = editor_client.post(_edit_url(after_flag), data)
    assert response.status_code == 422 and b"only spaces" in response.content
    assert db_snapshot() == before
    _tag(after_flag.article, other_editor, quote=AFTER_FLAG[:-1], label="unattributed")
    before = db_snapshot()
    span = _moved(after_flag, END, BACK)
    response = editor_client.post(_edit_url(after_flag), _edit_form(after_flag, **span), headers=HX)
    assert response.status_code == 422 and b"already tagged" in response.content
    assert db_snapshot() == before


@pytest.mark.parametrize("who", ["viewer", "other_editor"])
def test_who_may_not_edit_may_not_nudge_or_move_the_span(client, after_flag, request, who):
    client.force_login(request.getfixturevalue(who))
    before = db_snapshot()
    span = _moved(after_flag, END, BACK)
    nudge = _edit_form(after_flag, nudge="end-back")
    assert client.post(_edit_url(after_flag), nudge, headers=HX).status_code == 403
    assert client.post(_edit_url(after_flag), _edit_form(after_flag, **span)).status_code == 403
    assert db_snapshot() == before


def test_a_reviewer_moves_anyones_span(client, after_flag, reviewer):
    client.force_login(reviewer)
    span = _moved(after_flag, END, BACK)
    response = client.post(_edit_url(after_flag), _edit_form(after_flag, **span))
    assert response.status_code == 302 and _state(after_flag)[2] == AFTER_FLAG[:-1]


def test_an_orphans_edit_form_has_no_span_to_move(editor_client, editor):
    """Its offsets index an older text: the form shows its quote, without the nudge buttons,
    and a nudge sent anyway is refused; its details can still be edited."""
    article = services.article_create(user=editor, title="Strike", body=BODY)
    claim = _tag(article, editor)
    line = "According to a Telegram post from the SBU, 31 of 38 drones were shot down.\n"
    _correct(article, editor, line, "")
    assert _state(claim)[0] == "orphaned"
    html = editor_client.get(_edit_url(claim), headers=HX).content.decode()
    assert f'<blockquote class="claim-quote">{CLAIM}</blockquote>' in html
    assert 'name="nudge"' not in html and 'name="start"' not in html
    before = db_snapshot()
    data = _edit_form(claim, nudge="start-back")
    for headers in ({}, HX):
        response = editor_client.post(_edit_url(claim), data, headers=headers)
        assert response.status_code == 422 and b"words are gone" in response.content
    assert db_snapshot() == before
    data = {"label": "disputed", "note": "still checking", "evidence_url": ""}
    assert editor_client.post(_edit_url(claim), data).status_code == 302
    assert _state(claim)[4] == "disputed"
