"""Chromium for the bench (P5) and the browser tests (tests/browser): one copy of how it is
launched and of the script that turns code point offsets into DOM points and selections.

No pytest and no Django here, so the bench does not depend on the tests, nor the tests on
anything but this module.
"""

from __future__ import annotations

import os

# Debian's Chromium, never a browser downloaded by Playwright.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 900}


def launch_args() -> dict:
    """Keyword arguments for Playwright's `chromium.launch()`."""
    return {"executable_path": CHROMIUM, "args": list(CHROMIUM_ARGS)}


# Installed in a page as `window.__t`, independent of the app's own annotate.js (which does
# the opposite: DOM selection -> code points), so what it checks is not what it uses:
# - locate(cp, side): code point offset -> [text node, UTF-16 offset] inside
#   [data-article-body]. `side` picks the node the point belongs to when it falls on a
#   boundary between two text nodes: "after" (the character that follows, for starts) or
#   "before" (for ends).
# - rangeOf(start, end): the DOM Range of body[start:end]; rect(start, end): its first box.
# - select(range): makes it the selection and releases the mouse on the body, as the end of
#   a drag does (the page's selection handler listens to mouseup); returns the selected text.
LOCATE_JS = """
(() => {
  window.__t = window.__t || {};
  window.__t.locate = (cp, side) => {
    const body = document.querySelector("[data-article-body]");
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    let count = 0;
    let last = null;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      let i = 0;
      while (i < n.data.length) {
        if (count === cp && side === "after") return [n, i];
        const c = n.data.codePointAt(i);
        i += c > 0xffff ? 2 : 1;
        count++;
        if (count === cp && side === "before") return [n, i];
      }
      last = n;
    }
    if (count === cp && last) return [last, last.data.length];
    throw new Error("offset " + cp + " is outside the body");
  };
  window.__t.rangeOf = (start, end) => {
    const r = document.createRange();
    r.setStart(...window.__t.locate(start, "after"));
    r.setEnd(...window.__t.locate(end, "before"));
    return r;
  };
  window.__t.rect = (start, end) => {
    const rects = Array.from(window.__t.rangeOf(start, end).getClientRects())
      .filter((r) => r.width > 0);
    const r = rects[0];
    return {
      left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height,
    };
  };
  window.__t.select = (r) => {
    const sel = getSelection();
    sel.removeAllRanges();
    sel.addRange(r);
    document.querySelector("[data-article-body]").dispatchEvent(
      new MouseEvent("mouseup", { bubbles: true, button: 0 }));
    return sel.toString();
  };
})();
"""


def install_walker(page) -> None:
    """Install `window.__t` (LOCATE_JS) in a Playwright page; again after each navigation."""
    page.evaluate(LOCATE_JS)
