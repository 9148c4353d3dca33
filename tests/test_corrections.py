"""Corrections: optimistic locking, re-anchoring every claim, orphans and their review."""

import os
import threading

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from annotations import anchoring, services
from annotations.anchoring import Anchor, reanchor
from annotations.models import Annotation, Article

BODY = (
    "Strike on Kharkov\n"
    "\n"
    "Kyiv says air defence downed 31 of 38 drones near Kharkov overnight.\n"
    'Moscow said it hit "military targets" and did not confirm the figures.\n'
    "\n"
    "Residents had reportedly been evacuated before dawn, officials said."
)


def _anchor(key, quote, body=BODY, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = body.index(quote, start + 1)
    prefix, suffix = anchoring.context(body, start, start + len(quote))
    return Anchor(key, start, start + len(quote), quote, prefix, suffix)


CLAIMS = {
    1: "air defence downed 31 of 38 drones",
    2: "near Kharkov overnight",
    3: 'it hit "military targets"',
    4: "had reportedly been evacuated",
}

# (name, corrected body, expected state per claim, expected quote for changed claims)
TABLE = [
    (
        "a word respelt inside a claim (as a typo fix does)",
        BODY.replace("downed 31 of 38 drones", "downed 31 of 38 dornes"),
        {1: "changed", 2: "anchored", 3: "anchored", 4: "anchored"},
    ),
    (
        "a paragraph inserted before",
        "UPDATE 09:40: adds the governor's statement.\n\n" + BODY,
        {1: "moved", 2: "moved", 3: "moved", 4: "moved"},
    ),
    (
        "the paragraph that holds a claim deleted",
        BODY.replace(
            'Moscow said it hit "military targets" and did not confirm the figures.\n', ""
        ),
        {1: "anchored", 2: "anchored", 3: "orphaned", 4: "moved"},
    ),
    (
        "a neighbouring sentence reworded",
        BODY.replace("Strike on Kharkov", "Night drone strike on the city of Kharkov"),
        {1: "moved", 2: "moved", 3: "moved", 4: "moved"},
    ),
    (
        "a sentence duplicated, so the quote occurs twice",
        BODY.replace("Residents had", "Residents had reportedly been evacuated. Residents had"),
        {1: "anchored", 2: "anchored", 3: "anchored", 4: "moved"},
    ),
    (
        "whitespace and quote style (straight to curly)",
        BODY.replace('"military targets"', "“military targets”").replace("Kyiv says", "Kyiv  says"),
        {1: "moved", 2: "moved", 3: "changed", 4: "moved"},
    ),
    (
        "a name transliterated differently",
        BODY.replace("Kharkov", "Kharkiv"),
        {1: "anchored", 2: "changed", 3: "anchored", 4: "anchored"},
    ),
]


@pytest.mark.parametrize(("name", "new_body", "expected"), TABLE, ids=[t[0] for t in TABLE])
def test_reanchor_table(name, new_body, expected):
    anchors = [_anchor(k, q) for k, q in CLAIMS.items()]
    placements = {p.key: p for p in reanchor(BODY, new_body, anchors)}
    assert {k: p.state for k, p in placements.items()} == expected
    for key, place in placements.items():
        if place.state == "orphaned":
            assert (place.start, place.end, place.quote) == (
                anchors[key - 1].start,
                anchors[key - 1].end,
                CLAIMS[key],
            )
        else:
            assert new_body[place.start : place.end] == place.quote
        if place.state in ("anchored", "moved"):
            assert place.quote == CLAIMS[key]


def test_typo_fix_records_quote_changed_from_to():
    new = BODY.replace("near Kharkov overnight", "near Kharkiv overnight")
    (place,) = reanchor(BODY, new, [_anchor(2, CLAIMS[2])])
    assert (place.state, place.quote) == ("changed", "near Kharkiv overnight")


def test_a_short_quote_is_not_moved_to_an_unrelated_place():
    body = "First: 31 drones hit Odesa.\n\nSecond paragraph mentions 31 drones too."
    anchor = _anchor(1, "31 drones", body)
    new = "Second paragraph mentions 31 drones too."
    (place,) = reanchor(body, new, [anchor])
    assert place.state == "orphaned"


@st.composite
def one_edit_away_from_claims(draw):
    words = draw(
        st.lists(
            st.sampled_from(
                [
                    "Kyiv",
                    "says",
                    "drones",
                    "“hit”",
                    "🇺🇦",
                    "Київ",
                    "shelling",
                    "\n",
                    "\n\n",
                    "near",
                    "—",
                ]
            ),
            min_size=12,
            max_size=40,
        )
    )
    body = " ".join(words)
    n = len(body)
    claims = []
    for key in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, n - 2))
        end = draw(st.integers(start + 1, min(n, start + 20)))
        # Selections are trimmed of surrounding whitespace, as the page does.
        text = body[start:end]
        if text.strip():
            start += len(text) - len(text.lstrip())
            end = start + len(text.strip())
            claims.append((key, start, end))
    assume(claims)
    # One insertion or deletion at a point outside every claim.
    free = [i for i in range(n + 1) if all(not (s < i < e) for _, s, e in claims)]
    position = draw(st.sampled_from(free))
    if draw(st.booleans()):
        text = draw(st.text(alphabet="xyz ЖЁ🚀\n", min_size=1, max_size=6))
        return body, claims, position, position, text
    bounds = [p for _, s, e in claims for p in (s, e) if p > position] + [n]
    stop = min(min(bounds), position + draw(st.integers(1, 6)))
    return body, claims, position, stop, ""


def _may_flag(body: str, text: str, a: int, b: int, s: int, e: int) -> bool:
    """Whether the edit body[a:b] -> text may flag the claim body[s:e] for review: it cuts
    into the claim, an identical edit on the claim's other side gives the same result (see
    the caller), or it changes the word the claim begins or ends with ("31" -> "310")."""
    if (a < e and s < b) or (a == b and s < a < e):
        return True
    if b == s and body[s].isalnum():
        return bool(text and text[-1].isalnum()) or (a < b and body[b - 1].isalnum())
    if a == e and body[e - 1].isalnum():
        return bool(text and text[0].isalnum()) or (a < b and body[a].isalnum())
    return False


@given(one_edit_away_from_claims())
@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 150)), deadline=None)
def test_an_edit_beside_claims_leaves_them_exact_unless_it_changes_their_words(case):
    """An edit outside every claim keeps each claim on exactly its characters. It may flag a
    claim only when the edit changes a word the claim is part of ("31" -> "310"), or when
    the same result could come from the edit sliding onto the claim (text that repeats):
    never a claim placed anywhere else."""
    body, claims, start, stop, text = case
    new = body[:start] + text + body[stop:]
    if new == body:
        return
    shift = len(text) - (stop - start)
    # The same result from the edit placed elsewhere: every such place may be the true one.
    alternatives = [
        (a, a + (stop - start))
        for a in range(len(body) + 1)
        if body[:a] + text + body[a + (stop - start) :] == new
    ]
    anchors = [_anchor_at(key, body, s, e) for key, s, e in claims]
    for place in reanchor(body, new, anchors):
        key, s, e = next(c for c in claims if c[0] == place.key)
        truth = s if e <= start else s + shift
        if place.state in ("anchored", "moved"):
            assert (place.start, place.quote) == (truth, body[s:e]), (body, new, place)
            continue
        if text and len({a <= s for a, _ in alternatives}) == 2:
            continue  # the insertion could be on either side of the claim
        assert any(_may_flag(body, text, a, b, s, e) for a, b in alternatives), (body, new, place)


def _anchor_at(key, body, start, end):
    prefix, suffix = anchoring.context(body, start, end)
    return Anchor(key, start, end, body[start:end], prefix, suffix)


@given(st.text(alphabet="ab \n🇺🇦й", min_size=5, max_size=60), st.data())
@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 150)), deadline=None)
def test_no_outcome_is_silently_wrong(body, data):
    start = data.draw(st.integers(0, len(body) - 1))
    end = data.draw(st.integers(start + 1, len(body)))
    new = data.draw(st.text(alphabet="ab \n🇺🇦й", max_size=60))
    (place,) = reanchor(body, new, [_anchor_at(1, body, start, end)])
    if place.state != "orphaned":
        assert new[place.start : place.end] == place.quote and place.quote


# --- Through the app -----------------------------------------------------------------------


@pytest.fixture
def article(editor):
    article = services.article_create(user=editor, title="Strike on Kharkov", body=BODY)
    for quote in CLAIMS.values():
        start = BODY.index(quote)
        services.annotation_create(
            article=article,
            user=editor,
            start=start,
            end=start + len(quote),
            quote=quote,
            label="disputed",
        )
    return article


def _correct(client, article, body, version=None, **extra):
    data = {
        "title": article.title,
        "body": body,
        "version": version or article.version,
        "outlet": "",
        "url": "",
        "author": "",
        "language": "",
        "note": "fix",
        **extra,
    }
    return client.post(reverse("annotations:article-correct", args=[article.pk]), data)


@pytest.mark.django_db
def test_correction_reanchors_in_the_same_transaction(editor_client, article):
    new = BODY.replace("Kharkov", "Kharkiv")
    response = _correct(editor_client, article, new)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.body, article.version) == (new, 2)
    for claim in Annotation.objects.filter(article=article):
        assert article.body[claim.start : claim.end] == claim.quote
    changed = Annotation.objects.get(anchor_state="changed")
    assert (changed.original_quote, changed.quote) == (
        "near Kharkov overnight",
        "near Kharkiv overnight",
    )
    assert changed.history.first().history_change_reason.startswith("re-anchored")


@pytest.mark.django_db
def test_saving_over_a_newer_version_is_409_and_overwrites_nothing(
    editor_client, reviewer, article
):
    services.article_correct(
        article=article,
        user=reviewer,
        expected_version=1,
        body=BODY + "\nUPDATE: toll rose.",
        note="update",
    )
    response = _correct(
        editor_client, article, "My rewrite", version=1, title="My new headline",
        note="Outlet fixed the toll", outlet="Kyiv Evening",
    )  # fmt: skip
    assert response.status_code == 409
    html = response.content.decode()
    assert "was not saved" in html and "UPDATE: toll rose." in html and "My rewrite" in html
    # Everything the editor typed is there to copy, not only the text.
    assert "My new headline" in html and "Outlet fixed the toll" in html
    assert "Kyiv Evening" in html
    article.refresh_from_db()
    assert article.version == 2 and article.body.endswith("UPDATE: toll rose.")


@pytest.mark.django_db
def test_history_shows_who_when_and_a_diff(editor_client, article):
    _correct(editor_client, article, BODY.replace("31 of 38", "32 of 38"), note="figure fixed")
    html = editor_client.get(
        reverse("annotations:article-history", args=[article.pk])
    ).content.decode()
    assert "figure fixed" in html and "editor" in html
    assert "<del>" in html and "32 of 38" in html


@pytest.mark.django_db
def test_a_flag_for_review_survives_later_corrections_until_a_reviewer_acts(
    editor, reviewer, article
):
    typo = BODY.replace("Kharkov overnight", "Kharkiv overnight")
    services.article_correct(article=article, user=editor, expected_version=1, body=typo)
    claim = Annotation.objects.get(anchor_state="changed")
    # A later correction only moves its words; another deletes the paragraph of claim 3.
    moved = "UPDATE 09:40: adds the governor's statement.\n\n" + typo
    services.article_correct(article=article, user=editor, expected_version=2, body=moved)
    claim.refresh_from_db()
    assert claim.anchor_state == "changed"
    assert (claim.original_quote, claim.quote) == (
        "near Kharkov overnight",
        "near Kharkiv overnight",
    )
    assert moved[claim.start : claim.end] == claim.quote
    gone = moved.replace(
        'Moscow said it hit "military targets" and did not confirm the figures.\n', ""
    )
    services.article_correct(article=article, user=editor, expected_version=3, body=gone)
    orphan = Annotation.objects.get(quote=CLAIMS[3])
    assert orphan.anchor_state == "orphaned"
    services.article_correct(
        article=article, user=editor, expected_version=4, body="Intro.\n\n" + gone
    )
    orphan.refresh_from_db()
    claim.refresh_from_db()
    assert (orphan.anchor_state, claim.anchor_state) == ("orphaned", "changed")
    # Only a reviewer's re-attach clears the flag.
    article.refresh_from_db()
    services.annotation_reattach(
        annotation=claim, user=reviewer, start=claim.start, end=claim.end, quote=claim.quote
    )
    claim.refresh_from_db()
    assert claim.anchor_state == "anchored"


@pytest.mark.django_db
def test_a_long_correction_note_is_kept_whole_in_the_history(editor_client, article):
    note = "Outlet corrected the casualty figure; " * 13  # the form allows 500 characters
    assert 400 < len(note.strip()) <= 500
    response = _correct(editor_client, article, BODY.replace("31 of 38", "32 of 38"), note=note)
    assert response.status_code == 302
    record = Article.history.filter(id=article.pk).order_by("-history_id").first()
    assert record.version == 2 and record.history_change_reason == note.strip()


@pytest.mark.django_db
def test_who_may_correct(client, article, other_editor, viewer, reviewer):
    for user, allowed in ((other_editor, False), (viewer, False), (reviewer, True)):
        client.force_login(user)
        response = _correct(client, Article.objects.get(pk=article.pk), BODY + " x")
        assert (response.status_code == 302) == allowed
        if not allowed:
            assert response.status_code == 403


@pytest.mark.django_db
def test_orphans_are_listed_and_a_reviewer_reattaches_one(client, reviewer, editor_client, article):
    _correct(
        editor_client,
        article,
        BODY.replace(
            'Moscow said it hit "military targets" and did not confirm the figures.\n', ""
        ),
    )
    orphan = Annotation.objects.get(anchor_state="orphaned")
    assert orphan.quote == CLAIMS[3]
    html = editor_client.get(
        reverse("annotations:claim-list"), {"anchor_state": "orphaned"}
    ).content.decode()
    assert "it hit &quot;military targets&quot;" in html
    page = editor_client.get(article.get_absolute_url()).content.decode()
    assert "badge-orphaned" in page
    # An editor cannot resolve orphans; a reviewer can. (Not onto "had reportedly been
    # evacuated": claim 4 is there with the same verdict and no source, and one passage,
    # verdict and source is one claim.)
    url = reverse("annotations:claim-reattach", args=[orphan.pk])
    article.refresh_from_db()
    quote = "reportedly been evacuated before dawn"
    start = article.body.index(quote)
    data = {"start": start, "end": start + len(quote), "quote": quote, "version": article.version}
    assert editor_client.post(url, data).status_code == 403
    client.force_login(reviewer)
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Retarget"] == f"#claim-{orphan.pk}"
    orphan.refresh_from_db()
    assert (orphan.anchor_state, orphan.quote, orphan.original_quote) == (
        "anchored",
        quote,
        CLAIMS[3],
    )
    assert article.body[orphan.start : orphan.end] == quote


@pytest.mark.django_db
def test_admin_corrections_go_through_the_same_service(client, admin_user, article):
    client.force_login(admin_user)
    url = reverse("admin:annotations_article_change", args=[article.pk])
    data = {
        "title": article.title,
        "url": "",
        "outlet": "",
        "author": "",
        "language": "",
        "status": "new",
        "assignee": "",
        "body": "UPDATE.\n\n" + BODY,
        "expected_version": 1,
        "published_at_0": "",
        "published_at_1": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.version == 2
    assert set(Annotation.objects.values_list("anchor_state", flat=True)) == {"moved"}
    stale = client.post(url, {**data, "body": "Stale edit", "expected_version": 1})
    assert stale.status_code == 422 and "newer version" in stale.content.decode()
    article.refresh_from_db()
    assert article.body.startswith("UPDATE.")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_claims_saved_while_a_correction_commits_are_not_lost(editor, roles):
    """Threads save claims while another thread corrects the text (PostgreSQL)."""
    article = services.article_create(user=editor, title="t", body=BODY)
    # Eight different claims (the same passage and verdict twice would be refused).
    wanted = [(CLAIMS[k], label) for k in CLAIMS for label in ("unattributed", "disputed")]
    errors = []
    barrier = threading.Barrier(9)

    def save_claim(i):
        quote, label = wanted[i]
        start = BODY.index(quote)
        try:
            barrier.wait()
            services.annotation_create(
                article=article,
                user=editor,
                start=start,
                end=start + len(quote),
                quote=quote,
                label=label,
                seen_version=1,
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    def correct():
        try:
            barrier.wait()
            services.article_correct(
                article=article,
                user=editor,
                expected_version=1,
                body="UPDATE: a new first paragraph.\n\n" + BODY,
            )
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save_claim, args=(i,)) for i in range(8)]
    threads.append(threading.Thread(target=correct))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    article.refresh_from_db()
    assert article.version == 2
    claims = list(Annotation.objects.filter(article=article))
    assert sorted((c.quote, c.label) for c in claims) == sorted(wanted)
    for claim in claims:
        assert article.body[claim.start : claim.end] == claim.quote


@pytest.mark.django_db
def test_needs_review_lists_changed_and_orphaned_claims(editor_client, article):
    new = BODY.replace("Kharkov", "Kharkiv").replace(
        'Moscow said it hit "military targets" and did not confirm the figures.\n', ""
    )
    _correct(editor_client, article, new)
    states = dict(Annotation.objects.values_list("quote", "anchor_state"))
    assert states["near Kharkiv overnight"] == "changed"
    assert states[CLAIMS[3]] == "orphaned"
    html = editor_client.get(
        reverse("annotations:claim-list"), {"anchor_state": "review"}
    ).content.decode()
    assert "2 claims" in html and "near Kharkiv overnight" in html
    assert CLAIMS[1] not in html


@pytest.mark.django_db
def test_an_edit_from_a_page_loaded_before_a_correction_keeps_the_corrections_flag(editor, article):
    """The edit form was loaded before a correction changed the claim's words; saving it
    must not write back the stale copy's re-anchoring fields (flag reason, old quote)."""
    stale = Annotation.objects.get(quote=CLAIMS[2])  # "near Kharkov overnight"
    typo = BODY.replace("Kharkov overnight", "Kharkiv overnight")
    services.article_correct(article=article, user=editor, expected_version=1, body=typo)
    fresh = Annotation.objects.get(pk=stale.pk)
    assert fresh.anchor_state == "changed" and fresh.original_quote == CLAIMS[2]
    services.annotation_update(
        annotation=stale,
        user=editor,
        label="disputed",
        source=None,
        credibility=None,
        note="edited meanwhile",
        evidence_url="",
    )
    saved = Annotation.objects.get(pk=stale.pk)
    assert (saved.label, saved.note) == ("disputed", "edited meanwhile")
    fields = ("start", "end", "quote", "anchor_state", "anchor_reason", "original_quote")
    assert [getattr(saved, f) for f in fields] == [getattr(fresh, f) for f in fields]
    assert typo[saved.start : saved.end] == saved.quote
