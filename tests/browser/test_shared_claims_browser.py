"""A shared claim's page, the list of shared claims and the dashboard's card in Chromium, on a
laptop and on a 390 px phone: no serious axe violation, nothing scrolls sideways, and the
screenshots in /tmp/shots to look at. Then what a reviewer does there: unlink an appearance
and merge a second shared claim after seeing both."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from annotations import services
from annotations.models import Annotation, SharedClaim
from tests.factories import ArticleFactory, SourceFactory, claim_by

# Layout only: run once, in the SQLite pass (see tests/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.layout]

SHOTS = Path("/tmp/shots")
AXE = Axe()
DRONES = "31 of 38 drones were shot down"
APPEARANCES = [  # outlet, language, day of November, label, the article's text, the quote
    ("Kyiv Independent", "en", 18, "verified", f"Over Kyiv, {DRONES}, the city said.", DRONES),
    ("Укрінформ", "uk", 18, "verified", "Уночі збито 31 з 38 дронів.", "збито 31 з 38 дронів"),
    ("Frontline Wire", "en", 19, "disputed", f"Officials said {DRONES}; Moscow denied it.", DRONES),
    (
        "TASS",
        "ru",
        21,
        "disputed",
        "Минобороны: 31 из 38 беспилотников сбиты — ложь.",
        "31 из 38 беспилотников сбиты",
    ),  # fmt: skip
    ("Daily Repost", "en", 21, "unattributed", f"Reportedly {DRONES} overnight.", DRONES),
]


def _appearance(user, outlet, language, day, label, body, quote=DRONES, source=None):
    article = ArticleFactory(
        title=f"{outlet}: overnight drone attack on Kyiv",
        outlet=outlet,
        language=language,
        body=body,
        published_at=datetime(2026, 11, day, 8, 30, tzinfo=UTC),
    )
    claim = claim_by(user, article, quote, label)
    if source is not None:
        Annotation.objects.filter(pk=claim.pk).update(source=source, credibility=2)
    return claim


@pytest.fixture
def desk(editor, reviewer):
    sbu = SourceFactory(name="Security Service of Ukraine", reliability="B")
    claims = [
        _appearance(editor, *row, source=sbu if row[3] != "unattributed" else None)
        for row in APPEARANCES
    ]
    shared = services.shared_claim_link(claim=claims[0], other=claims[2], user=editor)
    for claim in claims[1:]:
        services.shared_claim_link(claim=claim, shared_claim=shared, user=editor)
    services.shared_claim_retitle(
        shared_claim=shared, title="31 of 38 drones shot down over Kyiv", user=editor
    )
    twin = services.shared_claim_link(
        claim=_appearance(reviewer, "Meduza", "ru", 22, "disputed", f"Meduza: {DRONES}."),
        other=_appearance(reviewer, "RBC", "ru", 23, "disputed", f"RBC: {DRONES}."),
        user=reviewer,
    )
    services.shared_claim_retitle(shared_claim=twin, title="Moscow denies 31 drones", user=reviewer)
    return {"shared": shared, "twin": twin, "claims": claims}


def _blocking(page, where: str) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [
        f"{where}: {v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_the_pages_on_a_laptop_and_a_phone(page, live_server, login, desk, reviewer):
    login(page, reviewer)
    SHOTS.mkdir(exist_ok=True)
    pages = {
        "shared-claim-page": desk["shared"].get_absolute_url(),
        "shared-claims-list": reverse("annotations:shared-claim-list"),
        "dashboard": reverse("annotations:dashboard"),
    }
    problems = []
    for width, suffix in ((1280, ""), (390, "-phone")):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            assert page.goto(live_server.url + path).status == 200
            if (wide := page.evaluate("document.documentElement.scrollWidth")) > width:
                problems.append(f"{name} at {width} px is {wide} px wide")
            problems += _blocking(page, f"{name} at {width} px")
            if name == "dashboard":
                page.locator("section:has(#repeated)").screenshot(
                    path=str(SHOTS / f"dashboard-repeated-claims{suffix}.png")
                )
            else:
                page.screenshot(path=str(SHOTS / f"{name}{suffix}.png"), full_page=True)
    assert not problems, "\n".join(problems)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + pages["shared-claim-page"])
    expect(page.get_by_role("heading", name="The verdicts disagree")).to_be_visible()
    expect(page.locator(".spread-timeline > li")).to_have_count(3)


def test_a_reviewer_unlinks_then_merges(page, live_server, login, desk, reviewer):
    login(page, reviewer)
    shared, twin = desk["shared"], desk["twin"]
    page.goto(live_server.url + shared.get_absolute_url())
    rows = page.locator("table.appearances tbody tr")
    expect(rows).to_have_count(5)
    repost = desk["claims"][4]
    page.locator(f'tr[data-annotation-id="{repost.pk}"]').get_by_role("button").click()
    expect(page.locator(".message-success")).to_contain_text(f"Claim #{repost.pk} unlinked")
    expect(rows).to_have_count(4)

    page.get_by_label("Its number or words of its title").fill("moscow denies")
    page.get_by_role("button", name="Find and merge…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Merge shared claim #{twin.pk} into #{shared.pk}?"
    )
    page.screenshot(path=str(SHOTS / "shared-claim-merge-confirm.png"), full_page=True)
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page).to_have_url(live_server.url + shared.get_absolute_url())
    expect(rows).to_have_count(6)
    assert not SharedClaim.objects.filter(pk=twin.pk).exists()
    expect(page.locator(".shared-history")).to_contain_text(
        f"Merged in from shared claim #{twin.pk}"
    )
