"""An editor tags a claim with an evidence link: the card says the page is being captured,
then, when a worker has captured it, says "Captured … SHA-256 …" without a reload (the
article page's live poll brings it). "View text" opens the capture's text page, which axe
finds no serious fault in, on a laptop and on a phone.

The capture job runs here, in the test's process, once the card shows the link waiting: the
queue keeps it until then (no worker runs in tests), so what brings the new line is the
live update and nothing else. The "web" is a local server, the only private address the
fetcher is allowed (URL_FETCH_ALLOW)."""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from annotations import jobs
from annotations.models import Annotation, Capture, Evidence
from tests.browser.test_annotate_browser import BODY, drag, open_article, span_of, wait_for_claims
from tests.factories import ArticleFactory
from tests.local_http import serving
from tests.test_evidence import _Web

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots")
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
CAPTURED = re.compile(r"Captured \d{1,2} \w{3} \d{4} \d\d:\d\d · SHA-256 [0-9a-f]{12}…")


@pytest.fixture
def web(settings):
    with serving(_Web) as httpd:
        settings.URL_IMPORT_ALLOW_PRIVATE = True
        settings.URL_FETCH_ALLOW = [f"127.0.0.1:{httpd.server_address[1]}"]
        yield f"http://127.0.0.1:{httpd.server_address[1]}"


def _poll(response, status: int | None = None) -> bool:
    return "/changes/" in response.url and status in (None, response.status)


def _blocking(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_a_tagged_link_shows_captured_without_a_reload(page, live_server, login, editor, web):
    SHOTS.mkdir(exist_ok=True)
    article = ArticleFactory(title="Night strike", body=BODY, created_by=editor)
    page.set_viewport_size(LAPTOP)
    open_article(page, live_server, login, editor, article)
    page.evaluate("() => { window.__notReloaded = true; }")
    drag(page, *span_of(BODY, "air defence downed 31 of 38 drones"))
    page.fill("#claim-popover input[name=evidence_url]", f"{web}/page")
    page.locator("#claim-popover button[data-label=disputed]").click()
    wait_for_claims(page, 1)
    claim = Annotation.objects.get()
    line = page.locator(f"#claim-{claim.pk} .claim-evidence")
    expect(line).to_contain_text("Capturing the page…")
    assert Capture.objects.count() == 0  # nothing fetched yet: the job waits in the queue
    evidence = Evidence.objects.get()
    # The page polls every 4 s, asking about the waiting line; the first poll after the save
    # also catches up with the save itself...
    with page.expect_response(lambda r: _poll(r) and "waiting=" in r.url, timeout=12_000):
        pass
    # ...then a worker captures the page, and the next poll brings the line, out of band.
    with page.expect_response(lambda r: _poll(r, 200), timeout=12_000) as answer:
        jobs.run_due_jobs(jobs.EVIDENCE)
        assert Evidence.objects.get().state == "captured"
    brought = answer.value.text()
    assert f'id="evidence-{evidence.pk}" hx-swap-oob="true"' in brought
    assert 'id="claim-updates"' not in brought  # the line came alone, not with its card
    expect(line).to_contain_text(CAPTURED)
    expect(line.get_by_role("link", name="Download WARC")).to_be_visible()
    assert page.evaluate("() => window.__notReloaded === true")
    card = page.locator(f"#claim-{claim.pk}")
    card.screenshot(path=str(SHOTS / "evidence-card-1280.png"))
    problems = [f"article page, 1280px: {p}" for p in _blocking(page)]

    page.set_viewport_size(PHONE)
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(SHOTS / "evidence-card-390.png"))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    line.get_by_role("link", name="View text").click()
    expect(page.get_by_role("heading", name="Captured text", level=1)).to_be_visible()
    expect(page.locator(".capture-text")).to_contain_text("thirty-one of thirty-eight drones")
    page.screenshot(path=str(SHOTS / "evidence-text-390.png"), full_page=True)
    problems += [f"text page, 390px: {p}" for p in _blocking(page)]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(LAPTOP)
    page.screenshot(path=str(SHOTS / "evidence-text-1280.png"), full_page=True)
    problems += [f"text page, 1280px: {p}" for p in _blocking(page)]
    assert not problems, "axe found serious or critical violations:\n" + "\n".join(problems)
