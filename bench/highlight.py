"""P5: in Chromium, from a selection and the "v" key to the saved claim's highlight."""

from __future__ import annotations

import os
import random
import statistics

from django.conf import settings

from annotations.models import Annotation
from bench.browser import VIEWPORT, install_walker, launch_args
from bench.data import Run, WordSpans, article_text, make_article
from bench.report import log, ms, percentile, status
from bench.server import Gunicorn

# The probe, on top of the shared walker (`window.__t`): select(start, end) selects a span by
# its code point offsets; arm() then waits from the "v" key press until a mark of a claim
# that was not on the page before is in the DOM (MutationObserver).
_PROBE_JS = """
(() => {
  const body = document.querySelector("[data-article-body]");
  const known = () => new Set(Array.from(
    body.querySelectorAll("mark[data-annotation-id]"), (m) => m.dataset.annotationId));
  const bench = { pressedAt: null };
  window.addEventListener("keydown", (e) => {
    if (e.code === "KeyV") bench.pressedAt = performance.now();
  }, { capture: true });
  bench.select = (start, end) => window.__t.select(window.__t.rangeOf(start, end));
  bench.arm = () => {
    const before = known();
    bench.pressedAt = null;
    bench.done = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        for (const m of body.querySelectorAll("mark[data-annotation-id]")) {
          if (!before.has(m.dataset.annotationId)) {
            observer.disconnect();
            resolve({ ms: performance.now() - bench.pressedAt, id: m.dataset.annotationId });
            return;
          }
        }
      });
      observer.observe(body, { childList: true, subtree: true });
    });
  };
  window.__bench = bench;
})();
"""


def browser_saves(server: Gunicorn, session: str, path: str, span_list) -> list[dict]:
    """Select each span, press "v", and time it until the new highlight is in the page."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_args())
        try:
            context = browser.new_context(viewport=VIEWPORT)
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": server.url}]
            )
            page = context.new_page()
            page.goto(server.url + path)
            page.wait_for_selector("[data-article-body]")
            install_walker(page)
            page.evaluate(_PROBE_JS)
            popover = page.locator("#claim-popover")
            for start, end in span_list:
                page.evaluate("([s, e]) => window.__bench.select(s, e)", [start, end])
                popover.wait_for(state="visible")
                page.evaluate("() => window.__bench.arm()")
                page.keyboard.press("v")
                results.append(page.evaluate("() => window.__bench.done"))
                popover.wait_for(state="hidden")
        finally:
            browser.close()
    return results


def _failed(exc: Exception) -> list[list[str]]:
    return [
        [
            "P5",
            "selection -> saved, visible highlight (Chromium)",
            f"failed: {exc}",
            "-",
            "-",
            "<= 150 ms median",
            "MISSED",
        ]
    ]


def browser_row(run: Run, server: Gunicorn) -> list[list[str]]:
    saves = run.options.saves or (15 if run.quick else 50)
    size, n = 30_000, 500
    rng = random.Random(5)
    body = article_text(rng, size)
    words = WordSpans(body)
    article = make_article(body, words.many(rng, n), user=run.user, sources=run.sources, rng=rng)
    taken = set(article.annotations.values_list("start", "end"))
    chosen = words.fresh(rng, saves, taken, 15, 120)
    session = run.session()
    log(f"P5: Chromium, {saves} saves on a {size:,}-character article with {n} claims…")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop; no ORM inside
    try:
        results = browser_saves(server, session, article.get_absolute_url(), chosen)
    except Exception as exc:  # noqa: BLE001 - a missing browser is a row, not a crash
        log(f"P5 failed: {exc!r}")
        return _failed(exc)
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    stored = {
        (a.start, a.end) for a in Annotation.objects.filter(pk__in=[int(r["id"]) for r in results])
    }
    correct = stored == set(chosen)
    if not correct:
        log(f"P5: the saved spans differ from the selections: {sorted(stored)[:5]}…")
    times = [r["ms"] / 1000 for r in results]
    log("P5 saves (ms): " + " ".join(f"{r['ms']:.0f}" for r in results))
    median = statistics.median(times)
    return [
        [
            "P5",
            f"Chromium: selection -> saved, visible highlight, {size:,} chars, {n} claims",
            f"median {ms(median)}, p95 {ms(percentile(times, 95))} over {saves} saves",
            "-",
            "-",
            "<= 150 ms median",
            status(median <= 0.150 and correct),
        ]
    ]
