"""The doors of shared claims on the pages: a shared claim's page (appearances, the first,
how it spread, disagreement, history), unlinking, renaming and merging there, the list of
shared claims, the claims list's filter on them (and so its exports), the dashboard card."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from annotations import services
from annotations.models import Annotation, SharedClaim
from tests.factories import ArticleFactory, SourceFactory, claim_by
from tests.test_bad_input import db_snapshot

pytestmark = pytest.mark.django_db

DRONES = "31 of 38 drones were shot down"
KYIV = "Over Kyiv, 31 of 38 drones were shot down, the city said."
WIRE = "Officials said 31 of 38 drones were shot down; Moscow denied it."
TASS = "Moscow denied that 31 of 38 drones were shot down, TASS reported."


def _article(outlet: str, body: str, day: int, language: str = "en"):
    published = datetime(2026, 11, day, 9, 0, tzinfo=UTC)
    return ArticleFactory(outlet=outlet, body=body, published_at=published, language=language)


@pytest.fixture
def drones(editor):
    """One assertion in three outlets: verified by Kyiv Independent (18 Nov), disputed by
    Frontline Wire (19 Nov) and TASS (21 Nov), linked by the editor."""
    sbu = SourceFactory(name="Security Service of Ukraine", reliability="B")
    kyiv = claim_by(editor, _article("Kyiv Independent", KYIV, 18), DRONES, "verified")
    Annotation.objects.filter(pk=kyiv.pk).update(source=sbu, credibility=2)
    wire = claim_by(editor, _article("Frontline Wire", WIRE, 19), DRONES, "disputed")
    tass = claim_by(editor, _article("TASS", TASS, 21, "ru"), DRONES, "disputed")
    shared = services.shared_claim_link(claim=kyiv, other=wire, user=editor)
    services.shared_claim_link(claim=tass, shared_claim=shared, user=editor)
    return {"shared": shared, "kyiv": kyiv, "wire": wire, "tass": tass, "sbu": sbu}


def _page(client, shared) -> str:
    response = client.get(reverse("annotations:shared-claim", args=[shared.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end, page.index(start))]


# --- The page ----------------------------------------------------------------------------------


def test_the_page_shows_every_appearance_first_one_first(client, viewer, drones):
    client.force_login(viewer)
    page = _page(client, drones["shared"])
    rows = re.findall(r'<tr data-annotation-id="(\d+)"', page)
    assert rows == [str(drones[k].pk) for k in ("kyiv", "wire", "tass")]  # publication order
    table = _section(page, 'class="table claims card-table appearances"', "</table>")
    for outlet in ("Kyiv Independent", "Frontline Wire", "TASS"):
        assert outlet in table
    assert "18 Nov 2026" in table and "21 Nov 2026" in table
    assert table.count('class="badge badge-first"') == 1
    assert drones["kyiv"].get_absolute_url().replace("&", "&amp;") in table  # the passage
    assert "Security Service of Ukraine" in table and ">B2<" in table  # reliability, grade
    assert "first in Kyiv Independent" in page
    # It links to the claims list filtered on it, and to its exports.
    query = f"shared_claim={drones['shared'].pk}"
    assert f"{reverse('annotations:claim-list')}?{query}" in page
    assert f"{reverse('annotations:export-csv')}?{query}" in page


def test_the_page_flags_which_outlets_disagree(client, viewer, drones):
    client.force_login(viewer)
    page = _page(client, drones["shared"])
    flag = _section(page, "data-disagree", "</section>")
    verified = _section(flag, "label-verified", "</li>")
    disputed = _section(flag, "label-disputed", "</li>")
    assert "Kyiv Independent" in verified and "TASS" not in verified
    assert "Frontline Wire" in disputed and "TASS" in disputed


def test_agreeing_appearances_are_not_flagged(client, viewer, drones, editor):
    services.shared_claim_unlink(claim=drones["kyiv"], user=editor)
    client.force_login(viewer)
    page = _page(client, drones["shared"])
    assert "data-disagree" not in page and "The verdicts disagree" not in page
    assert "Kyiv Independent" not in _section(page, "<table", "</table>")


def test_the_timeline_shows_each_day_it_spread(client, viewer, drones):
    client.force_login(viewer)
    page = _page(client, drones["shared"])
    timeline = _section(page, '<ol class="spread-timeline">', "</ol>")
    days = re.findall(r'<time datetime="([\d-]+)"', timeline)
    assert days == ["2026-11-18", "2026-11-19", "2026-11-21"]
    assert "1 day later" in timeline and "3 days later" in timeline
    assert "1 appearance: 1 verified" in timeline
    assert timeline.count('class="bar bar-disputed"') == 2
    assert "<script" not in page.split("</header>")[1]  # no chart library: lists and SVG


def test_the_history_says_who_linked_unlinked_and_merged(client, viewer, drones, reviewer):
    services.shared_claim_unlink(claim=drones["tass"], user=reviewer)
    other = services.shared_claim_link(
        claim=drones["tass"], other=_lone_claim(reviewer), user=reviewer
    )
    services.shared_claim_merge(keep=drones["shared"], merge=other, user=reviewer)
    client.force_login(viewer)
    history = _section(_page(client, drones["shared"]), 'class="history-list', "</ol>")
    heads = [
        html.unescape(re.sub(r"<[^>]+>", "", h))
        for h in re.findall(r'<p class="history-head">(.*?)</p>', history)
    ]
    assert [h.split(" · ")[0] for h in heads] == [
        f"Merged in from shared claim #{other.pk} by reviewer",
        f"Merged in from shared claim #{other.pk} by reviewer",
        "Unlinked by reviewer",
        "Linked by editor",
        "Linked by editor",
        "Linked by editor",
        "Made by editor",
    ]
    assert f"claim #{drones['tass'].pk}" in history and "TASS" in history


def _lone_claim(user) -> Annotation:
    return claim_by(user, _article("Meduza", TASS, 22, "ru"), DRONES, "disputed")


# --- Unlink, rename ----------------------------------------------------------------------------


def _unlink(client, shared, claim):
    url = reverse("annotations:shared-claim-unlink", args=[shared.pk])
    return client.post(url, {"claim": claim.pk})


def test_an_editor_unlinks_an_appearance(client, other_editor, drones):
    client.force_login(other_editor)  # anyone's claims: a link changes no claim's words
    page = _page(client, drones["shared"])
    assert page.count(">Unlink<") == 3
    response = _unlink(client, drones["shared"], drones["wire"])
    assert response.status_code == 302
    assert response["Location"] == drones["shared"].get_absolute_url()
    drones["wire"].refresh_from_db()
    assert drones["wire"].shared_claim_id is None
    record = Annotation.history.filter(id=drones["wire"].pk).latest("history_date")
    assert record.history_user == other_editor
    assert record.history_change_reason == f"unlinked from shared claim #{drones['shared'].pk}"
    assert "Unlinked</strong> by" in _page(client, drones["shared"])


def test_a_viewer_sees_no_unlink_and_is_refused(client, viewer, drones):
    client.force_login(viewer)
    page = _page(client, drones["shared"])
    assert "Unlink" not in page and "Merge another" not in page and "Rename" not in page
    before = db_snapshot()
    response = _unlink(client, drones["shared"], drones["wire"])
    assert response.status_code == 403
    assert "cannot link claims" in response.content.decode()
    assert db_snapshot() == before


def test_unlinking_a_claim_that_is_not_there_is_refused(editor_client, editor, drones):
    lone = _lone_claim(editor)
    before = db_snapshot()
    response = _unlink(editor_client, drones["shared"], lone)
    assert response.status_code == 409
    assert "not an appearance of this shared claim" in response.content.decode()
    assert db_snapshot() == before


def test_an_editor_renames_and_history_keeps_the_old_title(client, editor, viewer, drones):
    shared, url = (
        drones["shared"],
        reverse("annotations:shared-claim-title", args=[drones["shared"].pk]),
    )
    old = shared.title
    client.force_login(viewer)
    assert client.post(url, {"title": "Kyiv: 31 of 38 drones downed"}).status_code == 403
    client.force_login(editor)
    assert client.post(url, {"title": "  "}).status_code == 422
    assert client.post(url, {"title": "Kyiv:  31 of 38 drones downed"}).status_code == 302
    shared.refresh_from_db()
    assert shared.title == "Kyiv: 31 of 38 drones downed"
    history = _section(_page(client, shared), 'class="history-list', "</ol>")
    assert "Renamed</strong> by" in history and html.escape(old) in history


# --- Merge -------------------------------------------------------------------------------------


@pytest.fixture
def twin(editor, drones):
    """A second shared claim of the same assertion (made before anyone saw the first)."""
    meduza = _lone_claim(editor)
    novaya = claim_by(editor, _article("Novaya Gazeta", TASS, 23, "ru"), DRONES, "verified")
    return services.shared_claim_link(claim=meduza, other=novaya, user=editor)


def _merge(client, keep, **data):
    return client.post(reverse("annotations:shared-claim-merge", args=[keep.pk]), data)


def test_a_reviewer_merges_after_seeing_both(client, reviewer, drones, twin):
    client.force_login(reviewer)
    keep = drones["shared"]
    before = db_snapshot()
    asked = _merge(client, keep, other=f"#{twin.pk}")
    page = asked.content.decode()
    assert asked.status_code == 200 and db_snapshot() == before  # only asks
    assert f"Merge shared claim #{twin.pk} into #{keep.pk}?" in page
    assert "Novaya Gazeta" in page and "Kyiv Independent" in page
    assert f"2 appearances of #{twin.pk} will move to #{keep.pk}" in page
    assert 'name="confirm" value="1"' in page
    done = _merge(client, keep, other=twin.pk, confirm="1")
    assert done.status_code == 302 and done["Location"] == keep.get_absolute_url()
    assert not SharedClaim.objects.filter(pk=twin.pk).exists()
    assert keep.appearances.count() == 5
    assert f"Merged in</strong> from shared claim #{twin.pk}" in _page(client, keep)


def test_merge_by_title_words_lists_the_matches_to_pick(client, reviewer, drones, twin):
    client.force_login(reviewer)
    SharedClaim.objects.filter(pk=twin.pk).update(title="Moscow denies 31 drones")
    third = services.shared_claim_link(
        claim=claim_by(reviewer, _article("RIA", TASS, 24, "ru"), DRONES),
        other=claim_by(reviewer, _article("RBC", TASS, 24, "ru"), DRONES),
        user=reviewer,
    )
    SharedClaim.objects.filter(pk=third.pk).update(title="Moscow denies drone losses")
    before = db_snapshot()
    listed = _merge(client, drones["shared"], other="moscow denies", confirm="1")
    page = listed.content.decode()
    assert listed.status_code == 200 and db_snapshot() == before
    assert "Moscow denies 31 drones" in page and "Moscow denies drone losses" in page
    assert page.count("Merge this one…") == 2
    one = _merge(client, drones["shared"], other="denies 31")  # one match: the confirm page
    assert f"Merge shared claim #{twin.pk} into #{drones['shared'].pk}?" in one.content.decode()
    none = _merge(client, drones["shared"], other="Bakhmut")
    assert none.status_code == 422 and "No other shared claim" in none.content.decode()
    itself = _merge(client, drones["shared"], other=f"#{drones['shared'].pk}", confirm="1")
    assert itself.status_code == 422
    assert db_snapshot() == before and SharedClaim.objects.count() == 3


def test_an_editor_may_not_merge(editor_client, drones, twin):
    before = db_snapshot()
    response = _merge(editor_client, drones["shared"], other=twin.pk, confirm="1")
    assert response.status_code == 403
    assert "Only reviewers and admins merge shared claims" in response.content.decode()
    assert db_snapshot() == before and SharedClaim.objects.filter(pk=twin.pk).exists()
    assert "Merge another" not in _page(editor_client, drones["shared"])


# --- The list ----------------------------------------------------------------------------------


def _shared_claims(n: int, user) -> list[SharedClaim]:
    made = []
    for i in range(n):
        a = claim_by(user, _article(f"Outlet {i}", KYIV, 1 + i % 28), DRONES, "verified")
        b = claim_by(
            user,
            _article("Frontline Wire", WIRE, 1 + i % 28),
            DRONES,
            "disputed" if i % 2 else "verified",
        )
        made.append(services.shared_claim_link(claim=a, other=b, user=user))
    return made


def test_the_list_shows_counts_outlets_and_disagreement_newest_first(client, viewer, drones, twin):
    client.force_login(viewer)
    page = client.get(reverse("annotations:shared-claim-list")).content.decode()
    rows = re.findall(r'<tr data-shared-claim-id="(\d+)">(.*?)</tr>', page, re.S)
    assert [int(pk) for pk, _ in rows] == [twin.pk, drones["shared"].pk]
    first = dict(rows)[str(drones["shared"].pk)]
    assert "Frontline Wire, Kyiv Independent, TASS" in first
    assert '<td class="num" data-heading="Appearances">3</td>' in first
    assert "badge-disagree" in first
    assert "badge-disagree" in dict(rows)[str(twin.pk)]  # Meduza disputed, Novaya verified
    nav = page.split("</nav>")[0]
    assert 'href="/shared-claims/" aria-current="page"' in nav


def test_the_list_searches_and_filters_on_disagreement(client, viewer, drones, editor):
    agreeing = _shared_claims(1, editor)[0]
    SharedClaim.objects.filter(pk=agreeing.pk).update(title="Power cut in Kharkiv")
    client.force_login(viewer)
    url = reverse("annotations:shared-claim-list")
    disagree = client.get(url, {"disagree": "on"}).content.decode()
    assert f'data-shared-claim-id="{drones["shared"].pk}"' in disagree
    assert f'data-shared-claim-id="{agreeing.pk}"' not in disagree
    found = client.get(url, {"q": "kharkiv"}).content.decode()
    assert "Power cut in Kharkiv" in found and "1 shared claim<" in found
    assert (
        client.get(url, {"q": f"#{drones['shared'].pk}"})
        .content.decode()
        .count("data-shared-claim-id=")
        == 1
    )
    assert client.get(url, {"q": "x" * 201}).status_code == 400


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_costs_the_same_queries_for_3_or_30(
    client, viewer, editor, n, django_assert_num_queries
):
    _shared_claims(n, editor)
    client.force_login(viewer)
    # session, user with the role's permissions; the count, the page, its outlets and labels
    with django_assert_num_queries(5):
        response = client.get(reverse("annotations:shared-claim-list"))
    assert response.content.decode().count("data-shared-claim-id=") == min(n, 25)


# --- The claims list's filter, and its exports --------------------------------------------------


def test_the_claims_list_and_its_exports_filter_on_a_shared_claim(editor_client, drones, twin):
    other = claim_by(drones["kyiv"].created_by, _article("Wire", WIRE, 20), "Moscow denied it")
    url = reverse("annotations:claim-list")
    page = editor_client.get(url, {"shared_claim": drones["shared"].pk}).content.decode()
    assert "3 claims" in page and "appearing as the shared claim" in page
    assert f'name="shared_claim" value="{drones["shared"].pk}"' in page  # kept by the form
    assert f"?shared_claim={drones['shared'].pk}" in page  # …and by the export links
    export = editor_client.get(
        reverse("annotations:export-csv"), {"shared_claim": drones["shared"].pk}
    )
    body = b"".join(export.streaming_content).decode()
    assert body.count("31 of 38 drones were shot down") == 3 and "Moscow denied it\n" not in body
    assert f"shared-claim-{drones['shared'].pk}" in export["Content-Disposition"]
    shared = editor_client.get(url, {"in_shared_claim": "yes"}).content.decode()
    assert "5 claims" in shared
    alone = editor_client.get(url, {"in_shared_claim": "no"}).content.decode()
    assert (
        "1 claim<" in alone and f'href="{other.get_absolute_url()}'.replace("&", "&amp;") in alone
    )
    assert editor_client.get(url, {"shared_claim": "x"}).status_code == 400
    assert (
        editor_client.get(
            reverse("annotations:export-csv"), {"in_shared_claim": "maybe"}
        ).status_code
        == 400
    )


# --- The dashboard -----------------------------------------------------------------------------


def test_the_dashboard_lists_this_weeks_most_repeated_claims(editor_client, drones, twin):
    old = SharedClaim.objects.create(title="No appearances")
    stale = _shared_claims(1, drones["kyiv"].created_by)[0]
    Annotation.objects.filter(shared_claim=stale).update(
        created_at=datetime.now(UTC) - timedelta(days=9)
    )
    page = editor_client.get(reverse("annotations:dashboard")).content.decode()
    card = _section(page, 'id="repeated"', "</section>")
    items = re.findall(r'<li data-shared-claim-id="(\d+)">(.*?)</li>', card, re.S)
    assert [int(pk) for pk, _ in items] == [drones["shared"].pk, twin.pk]  # 3, then 2
    first = items[0][1]
    assert drones["shared"].get_absolute_url() in first
    assert "3 appearances this week" in first and "Verdicts disagree" in first
    assert str(stale.pk) not in [pk for pk, _ in items] and old.title not in card
