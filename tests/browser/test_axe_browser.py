"""axe-core on every page, as an editor and as a reviewer, on a laptop and on a phone.

`axe_playwright_python` bundles axe-core (nothing is downloaded at run time). A page passes
with no violation of impact "serious" or "critical"; a failure lists each violation's id,
its targets and axe's summary of what to fix, page by page, in one message.

The data is what makes the pages worth auditing: an article with three nested claims of
three labels, one claim that crosses another, a claim whose quote a correction changed and
an orphaned one; a pending source of reliability F on a verified claim; grades; a source
waiting in the review queue. The article page is audited again with the claim popover open
(text selected from script, as a reader's selection does) and with its source picker
showing results.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from annotations.models import Annotation
from bench.browser import install_walker
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory

# Layout only: run once, in the SQLite pass (see tests/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.layout]

BLOCKING = ("serious", "critical")
WIDTHS = (1280, 390)
AXE = Axe()

BODY = (
    "Drone strike hits Kharkiv energy site\n"
    "\n"
    "KHARKIV — A wave of drones struck an energy facility overnight, cutting power to about "
    "40,000 households, the regional administration said.\n"
    "\n"
    "According to a Telegram post from the SBU, air defence units shot down 31 of 38 "
    "Shahed-type drones launched from the Belgorod region. The post included photographs "
    "of wreckage that could not be independently verified.\n"
    "\n"
    "Russia’s Ministry of Defence said its forces had hit “military-industrial targets”. "
    "Residents had reportedly been evacuated last winter. 🇺🇦 Ірина said the windows came in."
)
PLAIN = "The post included photographs"  # text no claim covers: where the popover is opened


def _claim(article, quote, label, **extra):
    return AnnotationFactory(article=article, quote_text=quote, label=label, **extra)


@pytest.fixture
def desk(editor, reviewer):
    """Everything the pages show, owned by the editor (so that they may correct it)."""
    sbu = SourceFactory(name="Security Service of Ukraine", reliability="B")
    newcomer = SourceFactory(
        name="Local residents", reliability="F", review_status="pending", created_by=editor
    )
    article = ArticleFactory(title="Drone strike hits Kharkiv", body=BODY, created_by=editor)
    outer = "According to a Telegram post from the SBU, air defence units shot down 31 of 38 "
    _claim(article, outer + "Shahed-type drones", "verified", source=sbu, credibility=2)
    _claim(article, "air defence units shot down 31 of 38", "disputed", source=sbu)
    _claim(article, "31 of 38", "unattributed", created_by=editor)
    _claim(article, "Belgorod region. The post", "verified", source=newcomer, credibility=6)
    _claim(article, "cutting power to about 40,000 households", "verified", source=newcomer)
    changed = _claim(article, "military-industrial targets", "disputed", source=sbu)
    Annotation.objects.filter(pk=changed.pk).update(
        anchor_state=Annotation.Anchor.CHANGED, original_quote="military targets"
    )
    orphan = _claim(article, "had reportedly been evacuated", "unattributed")
    Annotation.objects.filter(pk=orphan.pk).update(anchor_state=Annotation.Anchor.ORPHANED)
    return {"article": article, "source": sbu}


def _pages(desk) -> dict[str, str]:
    article, source = desk["article"], desk["source"]
    return {
        "article": article.get_absolute_url(),
        "claims list": reverse("annotations:claim-list"),
        "dashboard": reverse("annotations:dashboard"),
        "sources list": reverse("annotations:source-list"),
        "source detail": source.get_absolute_url(),
        "review queue": reverse("annotations:review-queue"),
        "new article": reverse("annotations:article-new"),
        "correction": reverse("annotations:article-correct", args=[article.pk]),
    }


def _blocking(page: Page, where: str) -> list[str]:
    """axe's serious and critical violations on the page as it is now, as readable lines."""
    found = AXE.run(page).response["violations"]
    lines = []
    for violation in found:
        if violation["impact"] not in BLOCKING:
            continue
        lines.append(f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {node['target']}: {summary}")
    return lines


def _assert_clean(problems: list[str]) -> None:
    assert not problems, "axe found serious or critical violations:\n" + "\n".join(problems)


@pytest.fixture
def phone_or_laptop(request, page):
    page.set_viewport_size({"width": request.param, "height": 844})
    return page


@pytest.mark.parametrize("phone_or_laptop", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_every_page_has_no_serious_violation(
    phone_or_laptop, role, request, live_server, login, desk
):
    page = phone_or_laptop
    login(page, request.getfixturevalue(role))
    problems = []
    for name, path in _pages(desk).items():
        response = page.goto(f"{live_server.url}{path}")
        # The editor meets the review queue's refusal page, which must be as readable.
        expected = 403 if (role, name) == ("editor", "review queue") else 200
        assert response.status == expected, f"{name}: {response.status}"
        problems += _blocking(page, f"{role} {name}")
    _assert_clean(problems)


@pytest.mark.parametrize("phone_or_laptop", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_the_claim_popover_has_no_serious_violation(
    phone_or_laptop, role, request, live_server, login, desk
):
    page = phone_or_laptop
    login(page, request.getfixturevalue(role))
    page.goto(f"{live_server.url}{desk['article'].get_absolute_url()}")
    install_walker(page)
    start = BODY.index(PLAIN)
    page.evaluate(
        "([s, e]) => window.__t.select(window.__t.rangeOf(s, e))", [start, start + len(PLAIN)]
    )
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    problems = _blocking(page, f"{role} popover")
    # The source picker's results, with their reliability grades
    dialog.get_by_role("searchbox").fill("Local")
    expect(dialog.locator(".pick").first).to_be_visible()
    problems += _blocking(page, f"{role} popover with source results")
    # Back to the text, then the keyboard help (a modal dialog).
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("?")
    expect(page.locator("#key-help")).to_be_visible()
    problems += _blocking(page, f"{role} keyboard help")
    _assert_clean(problems)


@pytest.mark.parametrize("phone_or_laptop", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_the_login_page_has_no_serious_violation(phone_or_laptop, live_server):
    page = phone_or_laptop
    page.goto(f"{live_server.url}{reverse('login')}")
    expect(page.locator("input[name=username]")).to_be_visible()
    _assert_clean(_blocking(page, "signed out login"))
