// Selection -> claim. Turns a DOM selection inside [data-article-body] into Unicode code
// point offsets plus the exact text, fills the claim form and lets htmx submit it.
//
// The body element's text nodes, in order, are exactly the article body (blocks carry the
// paragraphs, bare text nodes between them carry the newlines; <mark>s add no text). So an
// offset is found by walking text nodes, never from selection.toString(), whose result
// depends on layout. JS strings count UTF-16 units; the server counts code points.
(() => {
  "use strict";

  const body = document.querySelector("[data-article-body]");
  if (!body) return;
  const popover = document.getElementById("claim-popover");
  const form = document.getElementById("claim-form");
  const canAnnotate = body.dataset.canAnnotate === "true" && popover && form;
  // The keyboard map comes from the page (annotations/keymap.py, as JSON in data-keymap): the bindings, and
  // the sentences said when a key cannot act, in the reader's language. Letters are matched
  // by event.code, so V/D/U work on any layout and a new label brings its own key.
  const KEYMAP = (() => {
    try {
      return JSON.parse(body.dataset.keymap || "");
    } catch {
      return { bindings: [], messages: {} };
    }
  })();
  const SAY = KEYMAP.messages || {};
  const graphemes =
    typeof Intl !== "undefined" && Intl.Segmenter
      ? new Intl.Segmenter(undefined, { granularity: "grapheme" })
      : null;
  let pending = null; // {start, end, quote, range}
  let activeId = null;
  let reattach = null; // re-attaching an orphaned claim: {url, id, span}

  // --- Announcements: the page's polite live region (#announce in base.html) --------------

  const announcer = document.getElementById("announce");
  let announceTimer = null;

  function announce(message) {
    if (!announcer || !message) return;
    clearTimeout(announceTimer);
    announcer.textContent = "";
    // A fresh text node after a tick, so that the same sentence twice is said twice.
    setTimeout(() => {
      announcer.textContent = message;
      announceTimer = setTimeout(() => (announcer.textContent = ""), 7000);
    }, 50);
  }

  // --- Offsets -----------------------------------------------------------------------------

  function codePoints(text) {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }

  function textNodes(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
    return nodes;
  }

  // A DOM point as a UTF-16 index into body.textContent (which equals the article body).
  function utf16Index(nodes, container, offset) {
    if (container.nodeType !== Node.TEXT_NODE) {
      // A point between children: it sits before child[offset], or at the container's end.
      const probe = document.createRange();
      probe.setStart(container, offset);
      probe.collapse(true);
      let total = 0;
      for (const node of nodes) {
        if (probe.comparePoint(node, node.data.length) <= 0) total += node.data.length;
        else break;
      }
      return total;
    }
    let total = 0;
    for (const node of nodes) {
      if (node === container) return total + offset;
      total += node.data.length;
    }
    return null;
  }

  function isSpace(ch) {
    return /\s/u.test(ch);
  }

  // Snap [s, e) to whole characters as a reader sees them (a flag, an accented letter).
  function snap(text, s, e) {
    if (!graphemes) {
      const low = (i) => i > 0 && i < text.length && /[\udc00-\udfff]/.test(text[i]) && /[\ud800-\udbff]/.test(text[i - 1]);
      if (low(s)) s--;
      if (low(e)) e++;
      return [s, e];
    }
    const from = Math.max(0, s - 64);
    for (const g of graphemes.segment(text.slice(from, Math.min(text.length, s + 64)))) {
      if (from + g.index + g.segment.length > s) {
        s = from + g.index;
        break;
      }
    }
    const from2 = Math.max(0, e - 64);
    for (const g of graphemes.segment(text.slice(from2, Math.min(text.length, e + 64)))) {
      const gEnd = from2 + g.index + g.segment.length;
      if (gEnd >= e) {
        e = gEnd; // the grapheme holding the last selected unit, whole
        break;
      }
    }
    return [s, e];
  }

  // A UTF-16 index into the body's text as a DOM point (the inverse of utf16Index).
  function domPoint(nodes, index, preferNext) {
    let total = 0;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      const end = total + node.data.length;
      if (index < end || (index === end && !(preferNext && i + 1 < nodes.length))) {
        return [node, index - total];
      }
      total = end;
    }
    return [body, body.childNodes.length];
  }

  // The selection as {start, end, quote, range} in code points, or null. A selection that
  // runs past the body (a drag that started in the headline or ended below the last
  // paragraph) is cut to the part inside the body.
  function selectionSpan() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0).cloneRange();
    if (!range.intersectsNode(body)) return null;
    if (!body.contains(range.startContainer)) range.setStart(body, 0);
    if (!body.contains(range.endContainer)) range.setEnd(body, body.childNodes.length);
    const nodes = textNodes(body);
    const text = nodes.map((n) => n.data).join("");
    let s = utf16Index(nodes, range.startContainer, range.startOffset);
    let e = utf16Index(nodes, range.endContainer, range.endOffset);
    if (s === null || e === null) return null;
    if (s > e) [s, e] = [e, s];
    while (s < e && isSpace(text[s])) s++;
    while (e > s && isSpace(text[e - 1])) e--;
    if (s >= e) return null;
    [s, e] = snap(text, s, e);
    const start = codePoints(text.slice(0, s));
    const quote = text.slice(s, e);
    // The range as it will be saved (trimmed and snapped), for the pending highlight.
    const domRange = document.createRange();
    domRange.setStart(...domPoint(nodes, s, true));
    domRange.setEnd(...domPoint(nodes, e, false));
    return { start, end: start + codePoints(quote), quote, range: domRange };
  }

  // --- The popover ---------------------------------------------------------------------------

  function isTyping(target) {
    return (
      target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) &&
      !(target instanceof HTMLInputElement && ["hidden", "radio", "checkbox", "button", "submit"].includes(target.type))
    );
  }

  function showPending(range) {
    if (typeof Highlight === "undefined" || !CSS.highlights) return;
    if (range) CSS.highlights.set("pending-claim", new Highlight(range));
    else CSS.highlights.delete("pending-claim");
  }

  // Open the tagging form for `span`. It is a dialog: focus moves into it (focus: false
  // when a tagging key saves at once, and the form only shows the save under way).
  function openPopover(span, { focus = true } = {}) {
    // The same selection again (a late selectionchange after the mouseup): keep the form
    // as it is, errors and all.
    if (pending && !popover.hidden && pending.start === span.start && pending.end === span.end) return;
    pending = span;
    if (form.elements.from_suggestion) form.elements.from_suggestion.value = ""; // A sets it after
    form.elements.start.value = span.start;
    form.elements.end.value = span.end;
    form.elements.quote.value = span.quote;
    form.elements.version.value = body.dataset.version;
    const shown = span.quote.length > 160 ? span.quote.slice(0, 157) + "…" : span.quote;
    document.getElementById("popover-quote").textContent = "“" + shown + "”";
    document.getElementById("claim-form-errors").textContent = "";
    showPending(span.range);
    askSimilar();
    popover.hidden = false;
    place(span.range);
    chooseLabel(null);
    if (focus) popover.focus({ preventScroll: true });
  }

  // Below the selection's last line, or above the selection when there is no room below.
  function place(range) {
    const rect = range.getBoundingClientRect();
    const rects = range.getClientRects();
    const last = rects.length ? rects[rects.length - 1] : rect;
    const width = popover.offsetWidth;
    let left = window.scrollX + Math.min(Math.max(8, last.left), document.documentElement.clientWidth - width - 8);
    let top = window.scrollY + last.bottom + 8;
    const above = last.bottom + popover.offsetHeight + 16 > window.innerHeight && rect.top > popover.offsetHeight + 16;
    if (above) top = window.scrollY + rect.top - popover.offsetHeight - 8;
    popover.dataset.above = above ? "true" : "false";
    popover.style.left = `${left}px`;
    popover.style.top = `${top}px`;
  }

  // --- Same claim elsewhere: suggestions in the form -------------------------------------
  // The form opens at once; the claims of other articles that may be the same come a moment
  // later (#claim-similar: htmx, after a pause in the selecting, an older request dropped),
  // under the label buttons, which never move; as radio buttons in the form, so the save
  // carries the one picked (link_to). The digit keys pick one (keymap.py: "pick"); nothing
  // picked, nothing is linked.

  const similar = document.getElementById("claim-similar");

  function clearSimilar() {
    if (!similar) return;
    if (window.htmx) htmx.trigger(similar, "htmx:abort");
    similar.textContent = "";
  }

  function askSimilar() {
    if (!similar || !window.htmx) return;
    clearSimilar();
    htmx.trigger(similar, "similar-load");
  }

  function pick(n) {
    const choice = similar && similar.querySelector(`input[data-pick="${n}"]`);
    if (!choice) return announce((SAY.no_suggestion || "").replace("%(n)s", n));
    if (choice.checked) {
      const none = similar.querySelector('input[name="link_to"][value=""]');
      if (none) none.checked = true;
      announce(SAY.unpicked);
    } else {
      choice.checked = true;
      announce(choice.dataset.say);
    }
  }

  if (similar) {
    similar.addEventListener("htmx:afterSwap", () => {
      if (popover.hidden) return;
      // Grown: still clear of the selection when the form stands above it.
      if (pending && popover.dataset.above === "true" && !narrow()) place(pending.range);
      const found = similar.querySelector("[data-say]");
      if (found) announce(found.dataset.say);
    });
  }

  function narrow() {
    return window.matchMedia && window.matchMedia("(max-width: 699px)").matches;
  }

  // The label Ctrl+Enter saves with: chosen with the arrow keys on the label buttons. The
  // buttons are one stop for Tab (a toolbar): the chosen one, or the first.
  function chooseLabel(button) {
    const buttons = Array.from(form.querySelectorAll("button[data-label]"));
    buttons.forEach((b, i) => {
      b.setAttribute("aria-pressed", String(b === button));
      b.tabIndex = (button ? b === button : i === 0) ? 0 : -1;
    });
  }

  function chosenLabel() {
    const focused = document.activeElement;
    if (focused && focused.matches && focused.matches("#claim-form button[data-label]")) return focused.dataset.label;
    const pressed = form.querySelector('button[data-label][aria-pressed="true"]');
    return pressed ? pressed.dataset.label : null;
  }

  function resetForm() {
    for (const name of ["note", "public_summary", "evidence_url", "credibility", "source", "new_source_name", "source_q", "from_suggestion"]) {
      if (form.elements[name]) form.elements[name].value = "";
    }
    form.querySelectorAll(".source-chosen, .new-source").forEach((el) => (el.hidden = true));
    form.querySelectorAll(".source-results").forEach((el) => (el.textContent = ""));
    // Picking a source hides the search box; the next claim needs it back.
    form.querySelectorAll(".source-picker input[type=search]").forEach((el) => (el.hidden = false));
    clearSimilar();
  }

  function closePopover({ keepSelection = false } = {}) {
    if (!popover || popover.hidden) return;
    popover.hidden = true;
    pending = null;
    showPending(null);
    if (!keepSelection) window.getSelection()?.removeAllRanges();
  }

  function saving() {
    return form.classList.contains("htmx-request");
  }

  function save(label) {
    const span = pending || selectionSpan();
    if (!span) return announce(SAY.no_selection);
    if (saving()) return announce(SAY.busy);
    if (!pending) openPopover(span, { focus: false });
    lastCaret = span.end; // after the save, the caret stands at the claim's end
    const button = form.querySelector(`button[data-label="${label}"]`);
    // A click, not form.requestSubmit(button): htmx learns which submit button was used
    // from click/focus events only, so requestSubmit would post the form without `label`.
    button.click();
  }

  // --- Highlights and the claim list -------------------------------------------------------

  function activate(id, { scrollList = true, load = true } = {}) {
    body.querySelectorAll("mark.is-active").forEach((m) => m.classList.remove("is-active"));
    document.querySelectorAll(".claim.is-selected").forEach((li) => li.classList.remove("is-selected"));
    activeId = id;
    if (id === null) return;
    body.querySelectorAll(`mark[data-annotation-id="${id}"]`).forEach((m) => m.classList.add("is-active"));
    const item = document.getElementById(`claim-${id}`);
    if (item) {
      item.classList.add("is-selected");
      if (scrollList) item.scrollIntoView({ block: "nearest", behavior: "smooth" });
    } else if (scrollList && load) {
      // Further down the list than it has loaded so far: load up to it, then show it.
      ensureListed(id).then(() => {
        if (activeId === id) activate(id, { load: false });
      });
    }
  }

  // The side list loads page by page (#claim-more asks for the next one as it scrolls into
  // view). This loads as many pages as it takes to list claim `id`.
  function ensureListed(id) {
    const more = document.getElementById("claim-more");
    if (document.getElementById(`claim-${id}`) || !more || !window.htmx) return Promise.resolve();
    return htmx.ajax("GET", `${more.dataset.url}&upto=${encodeURIComponent(id)}`, {
      target: more,
      swap: "outerHTML",
    });
  }

  // --- Claim list updates: a save's new claim, other editors' changes ---------------------
  // They arrive as <template id="claim-updates"> (out of band). Each item goes where it
  // belongs: replacing its old self, unless an edit or delete form is open in it (what the
  // user typed stays; the item is marked as changed elsewhere), or before the claim that
  // follows it; an item past the part of the list loaded so far is left to its page.

  const list = document.getElementById("claim-list");

  // An edit or delete form is open in it (the Link and Unlink buttons of its "Same claim
  // elsewhere?" panel are forms that hold nothing typed), or a request from it is on its
  // way (htmx marks the element that sent it): what it brings, the delete confirmation
  // say, would land in the copy replaced meanwhile and be lost.
  function busy(item) {
    return Boolean(item.querySelector("form:not(.similar-form), .htmx-request"));
  }

  // What a card holds that the server's new copy of it does not: the open "Same claim
  // elsewhere?" panel, a note that a link was refused ([data-keep], by id).
  function carryOver(old, item) {
    old.querySelectorAll("[data-keep][id]").forEach((kept) => {
      if (kept.tagName === "DETAILS" && !kept.open) return;
      const fresh = item.querySelector(`#${CSS.escape(kept.id)}`);
      if (fresh) fresh.replaceWith(kept);
      else {
        const meta = item.querySelector(".claim-meta");
        if (meta) meta.after(kept);
      }
    });
  }

  // A list item replaced while the keyboard is on one of its links keeps the focus there.
  function replaceKeepingFocus(old, item) {
    const focused = old.contains(document.activeElement) ? document.activeElement : null;
    carryOver(old, item);
    old.replaceWith(item);
    if (focused && item.contains(focused)) {
      focused.focus({ preventScroll: true }); // in what was carried over
      return;
    }
    if (!focused) return;
    const href = focused.getAttribute("href");
    const twin =
      (href && Array.from(item.querySelectorAll("[href]")).find((el) => el.getAttribute("href") === href)) ||
      (focused.className && item.getElementsByClassName(focused.className.split(" ")[0])[0]);
    if (twin) twin.focus({ preventScroll: true });
    else {
      item.tabIndex = -1;
      item.focus({ preventScroll: true });
    }
  }

  function applyUpdates(root) {
    if (!list) return;
    root.querySelectorAll("[data-deleted]").forEach((gone) => {
      const item = document.getElementById(`claim-${gone.dataset.deleted}`);
      if (item) item.remove();
    });
    root.querySelectorAll("[data-next]").forEach((wrap) => {
      const item = wrap.querySelector("li.claim");
      if (!item) return;
      const old = document.getElementById(item.id);
      if (old) {
        if (busy(old)) old.classList.add("changed-elsewhere");
        else replaceKeepingFocus(old, item);
      } else {
        const next = wrap.dataset.next && document.getElementById(`claim-${wrap.dataset.next}`);
        if (next) next.before(item);
        else if (!wrap.dataset.next && !document.getElementById("claim-more")) list.append(item);
        else return; // not loaded yet: it comes with its page
      }
      if (window.htmx) htmx.process(item);
    });
    const empty = document.getElementById("claim-list-empty");
    const any = list.querySelector("li.claim, #claim-more");
    if (any && empty) empty.remove();
    if (!any && !empty) {
      const li = document.createElement("li");
      li.id = "claim-list-empty";
      li.className = "empty muted";
      li.textContent = list.dataset.emptyText || "";
      list.append(li);
    }
  }

  // Two loads of the same page (the list scrolled while a highlight asked for a claim):
  // only the first one lands; the second finds its #claim-more gone.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (target && target.classList.contains("claim-more") && !target.isConnected) {
      event.detail.shouldSwap = false;
    }
  });

  document.body.addEventListener("htmx:oobBeforeSwap", (event) => {
    if (event.detail.target.id !== "claim-updates") return;
    const template = event.detail.fragment.querySelector
      ? event.detail.fragment.querySelector("template") || event.detail.fragment.firstElementChild
      : null;
    if (template && template.content) applyUpdates(template.content);
    event.detail.shouldSwap = false;
  });

  // A link to one claim (…#claim-N) of a long list: load the list as far as that claim.
  const linked = /^#claim-(\d+)$/.exec(window.location.hash);
  if (linked) {
    ensureListed(linked[1]).then(() => {
      const item = document.getElementById(`claim-${linked[1]}`);
      if (item) activate(linked[1], { load: false });
    });
  }

  function flash(id) {
    const marks = body.querySelectorAll(`mark[data-annotation-id="${id}"]`);
    if (!marks.length) return false;
    marks[0].scrollIntoView({ block: "center", behavior: "smooth" });
    marks.forEach((m) => {
      m.classList.remove("flash");
      void m.offsetWidth; // restart the animation
      m.classList.add("flash");
    });
    return true;
  }

  body.addEventListener("animationend", (event) => {
    if (event.animationName === "flash") event.target.classList.remove("flash");
  });

  body.addEventListener("click", (event) => {
    const sel = window.getSelection();
    if (sel && !sel.isCollapsed) return;
    const mark = event.target.closest && event.target.closest("mark[data-annotation-id]");
    if (!mark) {
      activate(null);
      return;
    }
    // Nested marks: the innermost first; clicking again cycles outwards.
    const chain = [];
    for (let m = mark; m && m !== body; m = m.parentElement) {
      if (m.matches("mark[data-annotation-id]")) chain.push(m.dataset.annotationId);
    }
    const at = chain.indexOf(activeId);
    activate(at === -1 ? chain[0] : chain[(at + 1) % chain.length]);
  });

  document.addEventListener("click", (event) => {
    const item = event.target.closest && event.target.closest(".claim[data-annotation-id]");
    if (!item || event.target.closest("a, form, .claim-menu, .claim-actions, .claim-history, .claim-similar")) return;
    const id = item.dataset.annotationId;
    activate(id, { scrollList: false });
    flash(id);
  });

  // --- Live updates from other editors ---------------------------------------------------
  // The poller (#live-poll) asks every few seconds what changed since the stamp it holds.
  // Swapped blocks replace the text nodes a held selection points into, so the selection
  // (and the popover's pending highlight) is saved as code point offsets and put back.

  function pointAt(cp) {
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    let count = 0;
    let last = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      last = node;
      for (let i = 0; i <= node.data.length; ) {
        if (count === cp && i < node.data.length) return [node, i];
        if (i === node.data.length) break;
        const c = node.data.charCodeAt(i);
        i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
        count++;
      }
    }
    return last ? [last, last.data.length] : null;
  }

  function rangeOf(start, end) {
    const a = pointAt(start);
    const b = pointAt(end);
    if (!a || !b) return null;
    const range = document.createRange();
    range.setStart(a[0], a[1]);
    range.setEnd(b[0], b[1]);
    return range;
  }

  function heldSelection() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0) return null;
    const range = sel.getRangeAt(0);
    if (!body.contains(range.startContainer) || !body.contains(range.endContainer)) return null;
    const nodes = textNodes(body);
    const text = nodes.map((n) => n.data).join("");
    const s = utf16Index(nodes, range.startContainer, range.startOffset);
    const e = utf16Index(nodes, range.endContainer, range.endOffset);
    if (s === null || e === null) return null;
    return { start: codePoints(text.slice(0, s)), end: codePoints(text.slice(0, e)) };
  }

  const poll = document.getElementById("live-poll");
  let stamp = poll ? poll.dataset.stamp : "0";
  let held = null;

  function isPoll(event) {
    return poll && event.detail && event.detail.elt === poll;
  }

  document.body.addEventListener("htmx:configRequest", (event) => {
    if (!isPoll(event)) return;
    if (document.hidden) {
      event.preventDefault(); // a hidden tab does not poll
      return;
    }
    event.detail.parameters.since = stamp;
    event.detail.parameters.version = body.dataset.version;
    // Evidence lines still waiting for their capture: the answer brings their new state.
    const waiting = Array.from(document.querySelectorAll("[data-evidence-waiting]"), (line) =>
      line.dataset.evidenceWaiting,
    );
    if (waiting.length) event.detail.parameters.waiting = waiting.join(",");
  });

  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if (isPoll(event) && event.detail.shouldSwap) held = heldSelection();
  });

  function restore() {
    if (held) {
      const range = rangeOf(held.start, held.end);
      const sel = window.getSelection();
      if (range && sel) {
        sel.removeAllRanges();
        sel.addRange(range);
      }
      held = null;
    }
    if (pending) {
      pending.range = rangeOf(pending.start, pending.end) || pending.range;
      showPending(pending.range);
    }
    if (activeId !== null) activate(activeId, { scrollList: false });
  }

  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (isPoll(event)) restore();
  });

  document.body.addEventListener("live-updated", (event) => {
    if (event.detail && event.detail.stamp !== undefined) stamp = String(event.detail.stamp);
    if (event.detail && event.detail.message) announce(event.detail.message);
  });

  // Saves and deletes say what happened (the server writes the sentences; after a delete,
  // the undo bar's data-say adds how to undo, around the message: "%(said)s. To undo…").
  document.body.addEventListener("annotations-changed", (event) => {
    const detail = event.detail || {};
    if (!detail.message) return;
    const bar = document.getElementById("undo-bar");
    const undo = detail.action === "deleted" && bar && !bar.hidden && bar.dataset.say;
    announce(undo ? bar.dataset.say.replace("%(said)s", detail.message) : detail.message);
  });

  // --- The side list with the keyboard -----------------------------------------------------
  // Edit, delete and history swap parts of a list item: the link that was pressed is gone,
  // so the focus goes to what replaced it (the checked label of the edit form, the delete
  // confirmation, the item again after Save or Cancel) instead of falling to the page (a
  // deleted item hands it back to the text: see "deleted" below). In the edit form Ctrl+Enter saves and
  // Escape cancels, as in the tagging form.

  document.body.addEventListener("htmx:afterSettle", (event) => {
    const elt = event.detail.elt;
    // Only for what a list item's own links and forms asked for (the item may be gone).
    if (!list || !elt || !elt.closest || !elt.closest(".claim")) return;
    if (elt.isConnected && !list.contains(elt)) return;
    const target = event.detail.target;
    const id = target && (target.id || (target.closest && target.closest(".claim") || {}).id);
    const item = id && document.getElementById(id);
    if (!item) return;
    // A link of the actions menu (Delete, History): the menu closes, and what the link
    // brought (the confirmation, the history) takes the focus the link had.
    const menu = item.querySelector("details.claim-menu[open]");
    const fromMenu = Boolean(menu && menu.contains(document.activeElement));
    if (menu) menu.open = false;
    const at = document.activeElement;
    if (!fromMenu && at && at !== document.body && at.isConnected) return; // focus is still somewhere
    const next =
      item.querySelector("input[type=radio]:checked") ||
      item.querySelector(".confirm-delete button") ||
      item.querySelector(".claim-history a") ||
      item.querySelector("summary.claim-menu-button") ||
      item;
    if (next === item) item.tabIndex = -1;
    next.focus({ preventScroll: true });
  });

  // "Same claim elsewhere?" on a card: after Link or Unlink its panel is new, and the
  // keyboard goes to the line that says what happened (the live region says it too); a
  // refusal lands in that line, and is said.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const target = event.detail.target;
    const found = target && /^claim-\d+-similar(-said)?$/.exec(target.id || "");
    if (!found) return;
    const said = document.getElementById(target.id.replace(/(-said)?$/, "-said"));
    if (!said || !said.textContent.trim()) return;
    if (target.id.endsWith("-said")) announce(said.textContent.trim());
    else said.focus({ preventScroll: true });
  });

  document.addEventListener("keydown", (event) => {
    const edit = event.target.closest && event.target.closest("form.claim-edit");
    const binding = edit && bindingFor(event, "edit");
    if (!binding) return;
    event.preventDefault();
    // Save is pressed rather than the form submitted: htmx sends the value of the last
    // button the keyboard was on, which may be a nudge button of the passage.
    const save = edit.querySelector(".form-actions button[type=submit]");
    if (binding.action === "save") save ? save.click() : edit.requestSubmit();
    else if (binding.action === "close") edit.querySelector(".form-actions a").click();
  });

  // --- The caret and the keyboard ------------------------------------------------------
  // The text takes focus with Tab. A caret (drawn, since the browser shows none in text
  // that is not editable) stands where the selection's focus is; the arrow keys move it with
  // the browser's own Selection.modify (by character, which is a grapheme, word, line, and
  // line boundary), and Shift extends the selection from it. The keys are keymap.py's.

  const caret = document.getElementById("text-caret");
  let lastCaret = 0; // code points: where the caret stood when the text lost focus
  let pointerDown = false; // focus that comes with a click keeps the click's selection
  let keySelecting = false; // the selection is being made with the keyboard

  function bindingFor(event, scope) {
    if (event.altKey) return null; // Alt+letters belong to the browser (Alt+D: address bar)
    const ctrl = event.ctrlKey || event.metaKey;
    return (KEYMAP.bindings || []).find(
      (b) => b.scope === scope && (b.code ? b.code === event.code : b.key === event.key) && b.ctrl === ctrl,
    );
  }

  function caretOffset() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || !body.contains(sel.focusNode)) return null;
    const nodes = textNodes(body);
    const text = nodes.map((n) => n.data).join("");
    const i = utf16Index(nodes, sel.focusNode, sel.focusOffset);
    return i === null ? null : codePoints(text.slice(0, i));
  }

  function placeCaret(cp) {
    const point = pointAt(Math.max(0, cp));
    const sel = window.getSelection();
    if (!point || !sel) return;
    sel.collapse(point[0], point[1]);
    drawCaret();
  }

  function selectionInBody() {
    const sel = window.getSelection();
    return sel && sel.rangeCount > 0 && body.contains(sel.anchorNode) && body.contains(sel.focusNode);
  }

  function drawCaret() {
    if (!caret) return;
    const sel = window.getSelection();
    if (document.activeElement !== body || !selectionInBody()) {
      caret.hidden = true;
      return;
    }
    const range = document.createRange();
    range.setStart(sel.focusNode, sel.focusOffset);
    range.collapse(true);
    let rect = Array.from(range.getClientRects()).find((r) => r.height > 0);
    if (!rect) {
      // At the edge of a block the collapsed range has no box: use the next character's
      // left edge, or the previous one's right edge.
      const probe = document.createRange();
      const node = sel.focusNode;
      if (node.nodeType === Node.TEXT_NODE && sel.focusOffset < node.data.length) {
        probe.setStart(node, sel.focusOffset);
        probe.setEnd(node, sel.focusOffset + 1);
        const r = probe.getClientRects()[0];
        if (r) rect = { left: r.left, top: r.top, height: r.height };
      } else if (node.nodeType === Node.TEXT_NODE && sel.focusOffset > 0) {
        probe.setStart(node, sel.focusOffset - 1);
        probe.setEnd(node, sel.focusOffset);
        const r = probe.getClientRects()[0];
        if (r) rect = { left: r.right, top: r.top, height: r.height };
      }
    }
    if (!rect) {
      caret.hidden = true;
      return;
    }
    caret.style.left = `${rect.left}px`;
    caret.style.top = `${rect.top}px`;
    caret.style.height = `${rect.height}px`;
    caret.hidden = false;
    caret.classList.remove("blink");
    void caret.offsetWidth; // restart the blink after each move
    caret.classList.add("blink");
  }

  body.addEventListener("mousedown", () => (pointerDown = true));
  body.addEventListener("touchstart", () => (pointerDown = true), { passive: true });
  body.addEventListener("focus", () => {
    if (!pointerDown && !selectionInBody()) placeCaret(lastCaret);
    pointerDown = false;
    drawCaret();
  });
  body.addEventListener("blur", () => {
    const at = caretOffset();
    if (at !== null) lastCaret = at;
    if (caret) caret.hidden = true;
  });
  document.addEventListener("selectionchange", () => {
    if (document.activeElement === body) drawCaret();
  });
  window.addEventListener("scroll", () => drawCaret(), { passive: true });
  window.addEventListener("resize", () => drawCaret());

  let saidTimer = null;

  // Say what a keyboard selection holds, once it stops changing (a screen reader does not
  // read a selection made in text that is not editable).
  function sayTheSelection() {
    clearTimeout(saidTimer);
    saidTimer = setTimeout(() => {
      const span = selectionSpan();
      if (!span || !SAY.selected) return;
      const shown = span.quote.length > 200 ? span.quote.slice(0, 197) + "…" : span.quote;
      announce(SAY.selected.replace("%(quote)s", shown));
    }, 600);
  }

  function markAtCaret() {
    const sel = window.getSelection();
    let node = sel && sel.focusNode;
    if (node && node.nodeType === Node.TEXT_NODE && sel.focusOffset === node.data.length) {
      node = node.parentElement; // at the end of a highlight's text: still that highlight
    }
    const el = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    return el && el.closest ? el.closest("mark[data-annotation-id]") : null;
  }

  // Enter on a highlight (no selection): the claim in the list, with its actions menu open
  // and focus on the first action (Edit, or History when the claim is not yours).
  function goToClaim(mark) {
    const id = mark.dataset.annotationId;
    activate(id);
    const focusItem = () => {
      const item = document.getElementById(`claim-${id}`);
      if (!item) return;
      const menu = item.querySelector("details.claim-menu");
      const target = (menu && menu.querySelector(".claim-menu-panel a")) || item;
      if (target === item) item.tabIndex = -1;
      else menu.open = true;
      target.focus();
    };
    if (document.getElementById(`claim-${id}`)) focusItem();
    else ensureListed(id).then(focusItem);
  }

  function openHelp() {
    const help = document.getElementById("key-help");
    if (help && !help.open) help.showModal();
  }

  const helpButton = document.getElementById("key-help-open");
  if (helpButton) helpButton.addEventListener("click", openHelp);

  // --- Wiring ------------------------------------------------------------------------------

  // Keys in the article text: caret moves (Shift extends), V/D/U tag the selection, Enter
  // opens the form (or, on a highlight, goes to its claim), Escape clears the selection.
  body.addEventListener("keydown", (event) => {
    const binding = bindingFor(event, "text");
    if (!binding) return;
    if (binding.action === "move") {
      event.preventDefault();
      const sel = window.getSelection();
      if (!selectionInBody()) placeCaret(lastCaret);
      keySelecting = true;
      const [direction, granularity] = binding.arg;
      sel.modify(event.shiftKey ? "extend" : "move", direction, granularity);
      if (popover && !popover.hidden) closePopover({ keepSelection: true });
      drawCaret();
      if (event.shiftKey) sayTheSelection();
      return;
    }
    if (event.repeat) return;
    if (binding.action === "help") {
      event.preventDefault();
      openHelp();
      return;
    }
    if (binding.action === "clear") {
      event.preventDefault();
      if (canAnnotate) {
        closePopover({ keepSelection: true });
        resetForm();
      }
      const sel = window.getSelection();
      if (selectionInBody()) sel.collapse(sel.focusNode, sel.focusOffset);
      drawCaret();
      return;
    }
    if (binding.action === "tag") {
      event.preventDefault();
      if (!canAnnotate) return announce(SAY.read_only);
      if (reattach) return announce(SAY.reattaching);
      save(binding.arg[0]);
      return;
    }
    if (binding.action === "suggest") {
      event.preventDefault();
      if (!canAnnotate) return announce(SAY.read_only);
      if (reattach) return announce(SAY.reattaching);
      const what = binding.arg[0];
      if (what === "accept") acceptSuggestion();
      else if (what === "dismiss") dismissSuggestion();
      else stepSuggestion(what);
      return;
    }
    if (binding.action === "open") {
      event.preventDefault();
      if (reattach) {
        const confirm = document.getElementById("reattach-confirm");
        const span = selectionSpan();
        if (span) offer(span);
        if (span && confirm) confirm.focus();
        else announce(SAY.reattaching);
        return;
      }
      const span = selectionSpan();
      if (span && canAnnotate) {
        openPopover(span);
        return;
      }
      const mark = markAtCaret();
      if (mark) goToClaim(mark);
      else announce(canAnnotate ? SAY.no_selection : SAY.read_only);
    }
  });

  // --- The claim's actions menu (a <details> disclosure: Edit, Delete, History, Re-attach) ---
  // Native keys open and close it (Enter, Space on its button); Escape closes it and gives
  // its button the focus; one is open at a time; a click elsewhere or Tab past it closes it.

  function closeMenu(menu, { focus = false } = {}) {
    if (!menu.open) return;
    menu.open = false;
    if (focus) menu.querySelector("summary").focus();
  }

  document.addEventListener(
    "toggle",
    (event) => {
      const menu = event.target;
      if (!menu.matches || !menu.matches("details.claim-menu") || !menu.open) return;
      document.querySelectorAll("details.claim-menu[open]").forEach((m) => m !== menu && closeMenu(m));
    },
    true, // toggle does not bubble
  );
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const menu = event.target.closest && event.target.closest("details.claim-menu[open]");
    if (!menu) return;
    event.preventDefault();
    event.stopPropagation();
    closeMenu(menu, { focus: true });
  });
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.claim-menu[open]").forEach((m) => !m.contains(event.target) && closeMenu(m));
  });
  document.addEventListener("focusout", (event) => {
    const menu = event.target.closest && event.target.closest("details.claim-menu[open]");
    if (menu && event.relatedTarget && !menu.contains(event.relatedTarget)) closeMenu(menu);
  });

  // --- The side list follows the reading position ----------------------------------------
  // As the text scrolls, the side list scrolls to the first claim of the part in view, or
  // keeps the selected one if its highlight is in view (loading pages of the list up to it
  // if need be). Only where the list is a scrolling box beside the text (not below it, on
  // narrow screens), never while the pointer or the focus is in the list (or a form or menu
  // is open in it), and without animation for those who ask for less motion.

  const panel = document.querySelector(".claims-panel");
  const calm = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
  let pointerInPanel = false;
  let followTimer = null;
  const inView = new Set();

  function panelBeside() {
    if (!panel || !list) return false;
    if (window.matchMedia && window.matchMedia("(max-width: 699px)").matches) return false;
    const style = getComputedStyle(panel);
    return style.position === "sticky" && /(auto|scroll)/.test(style.overflowY) && panel.scrollHeight > panel.clientHeight;
  }

  function userInPanel() {
    return pointerInPanel || panel.contains(document.activeElement) || Boolean(panel.querySelector("details.claim-menu[open], form"));
  }

  function shows(mark) {
    const bar = document.querySelector(".topbar");
    const top = bar ? bar.getBoundingClientRect().bottom : 0;
    const box = mark.getBoundingClientRect();
    return box.bottom > top + 4 && box.top < window.innerHeight - 4;
  }

  // The claim to show: the selected one while its highlight is in view, else the first
  // claim whose highlight shows in the window, in reading order.
  function claimInView() {
    const active = activeId !== null && body.querySelector(`mark[data-annotation-id="${activeId}"]`);
    if (active && shows(active)) return activeId;
    const blocks = Array.from(inView).filter((b) => b.isConnected);
    blocks.sort((a, b) => Number(a.dataset.start) - Number(b.dataset.start));
    for (const block of blocks) {
      for (const mark of block.querySelectorAll("mark[data-annotation-id]")) {
        if (shows(mark)) return mark.dataset.annotationId;
      }
    }
    return null;
  }

  function showInPanel(item) {
    const head = panel.querySelector(".panel-head");
    const above = head ? head.offsetHeight : 0;
    const box = item.getBoundingClientRect();
    const frame = panel.getBoundingClientRect();
    if (box.top >= frame.top + above && box.bottom <= frame.bottom) return; // already in view
    const top = panel.scrollTop + box.top - frame.top - above - 4;
    panel.scrollTo({ top, behavior: calm && calm.matches ? "auto" : "smooth" });
  }

  function follow() {
    if (!panelBeside() || userInPanel()) return;
    const id = claimInView();
    if (id === null) return;
    const item = document.getElementById(`claim-${id}`);
    if (item) showInPanel(item);
    else
      ensureListed(id).then(() => {
        const loaded = document.getElementById(`claim-${id}`);
        if (loaded && panelBeside() && !userInPanel()) showInPanel(loaded);
      });
  }

  if (panel && list && "IntersectionObserver" in window) {
    // The observer keeps the set of blocks in view; the page's scrolling (by the reader, or
    // the caret moved with the keys) moves the list, once it pauses.
    const watcher = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) inView.add(entry.target);
        else inView.delete(entry.target);
      }
    });
    window.addEventListener(
      "scroll",
      () => {
        clearTimeout(followTimer);
        followTimer = setTimeout(follow, 150);
      },
      { passive: true },
    );
    const watch = (root) => root.querySelectorAll("[data-start]").forEach((b) => watcher.observe(b));
    watch(body);
    // Saves and live updates swap blocks in: watch the new ones (the old ones are gone).
    new MutationObserver((changes) => {
      for (const change of changes) {
        change.removedNodes.forEach((n) => n.nodeType === 1 && inView.delete(n));
        change.addedNodes.forEach((n) => n.nodeType === 1 && n.matches("[data-start]") && watcher.observe(n));
      }
    }).observe(body, { childList: true });
    panel.addEventListener("pointerenter", () => (pointerInPanel = true));
    panel.addEventListener("pointerleave", () => (pointerInPanel = false));
  }

  // --- Suggested claims --------------------------------------------------------------------
  // The page loads the list of suggestions after itself (#suggestions, htmx): each item
  // carries its span (code points), quote, proposed label, cue and source. They are drawn
  // as dashed boxes in a layer over the text (#suggestion-layer), never inside the blocks,
  // so the text nodes, offsets and a held selection stay as they are. The current one (the
  // one A and X act on: under the caret or the selection, or the next after it) is
  // outlined more strongly. J and K move the caret from one to the next; A opens the
  // tagging form filled in (its source, its label when it proposes one, focused so that
  // Enter saves), so one more key saves the claim; X dismisses it for everyone.

  const sugBox = document.getElementById("suggestions");
  const sugLayer = document.getElementById("suggestion-layer");
  let suggestions = []; // {start, end, quote, label, cue, sourceId, sourceName, sourceLabel, item, boxes}
  let sugLoaded = false;
  let currentSug = null;
  let drawFrame = null;

  function readSuggestions() {
    const list = document.getElementById("suggestion-list");
    const fresh = list && list.dataset.version === body.dataset.version; // else: offsets of another text
    const items = fresh ? Array.from(list.querySelectorAll("li.suggestion-item")) : [];
    suggestions = items
      .filter((li) => !li.hidden)
      .map((li) => ({
        start: Number(li.dataset.start),
        end: Number(li.dataset.end),
        quote: li.dataset.quote,
        label: li.dataset.label,
        cue: li.dataset.cue,
        sourceId: li.dataset.sourceId,
        sourceName: li.dataset.sourceName,
        sourceLabel: li.dataset.sourceLabel || "",
        item: li,
        boxes: [],
      }));
    const was = currentSug;
    currentSug = was ? suggestions.find((x) => x.start === was.start && x.end === was.end) || null : null;
    scheduleDraw();
  }

  // DOM points of many code point offsets, in one walk of the text (rangeOf walks it for each).
  function pointsAt(offsets) {
    const wanted = Array.from(new Set(offsets)).sort((a, b) => a - b);
    const found = new Map();
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    let count = 0;
    let k = 0;
    let last = null;
    for (let node = walker.nextNode(); node && k < wanted.length; node = walker.nextNode()) {
      last = node;
      for (let i = 0; i < node.data.length && k < wanted.length; ) {
        while (k < wanted.length && wanted[k] === count) found.set(wanted[k++], [node, i]);
        const c = node.data.charCodeAt(i);
        i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
        count++;
      }
    }
    while (k < wanted.length) found.set(wanted[k++], last ? [last, last.data.length] : null);
    return found;
  }

  // One box a line: a range's client rects, those of the same line joined.
  function lineBoxes(range) {
    const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0 && r.height > 0);
    rects.sort((a, b) => a.top - b.top || a.left - b.left);
    const lines = [];
    for (const r of rects) {
      const line = lines.find((l) => r.top < l.bottom - l.height / 2 && r.bottom > l.top + l.height / 2);
      if (line) {
        line.left = Math.min(line.left, r.left);
        line.right = Math.max(line.right, r.right);
        line.top = Math.min(line.top, r.top);
        line.bottom = Math.max(line.bottom, r.bottom);
        line.height = line.bottom - line.top;
      } else {
        lines.push({ left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height });
      }
    }
    return lines;
  }

  function drawSuggestions() {
    drawFrame = null;
    if (!sugLayer) return;
    sugLayer.textContent = "";
    if (!suggestions.length) return;
    const origin = sugLayer.getBoundingClientRect();
    const points = pointsAt(suggestions.flatMap((x) => [x.start, x.end]));
    for (const x of suggestions) {
      x.boxes = [];
      const a = points.get(x.start);
      const b = points.get(x.end);
      if (!a || !b) continue;
      const range = document.createRange();
      range.setStart(a[0], a[1]);
      range.setEnd(b[0], b[1]);
      x.range = range;
      for (const line of lineBoxes(range)) {
        const box = document.createElement("div");
        box.className = "suggestion-box" + (x === currentSug ? " is-current" : "");
        box.dataset.suggestion = `${x.start}-${x.end}`;
        box.style.left = `${line.left - origin.left}px`;
        box.style.top = `${line.top - origin.top}px`;
        box.style.width = `${line.right - line.left}px`;
        box.style.height = `${line.bottom - line.top}px`;
        sugLayer.append(box);
        x.boxes.push(box);
      }
    }
  }

  function scheduleDraw() {
    if (drawFrame === null) drawFrame = requestAnimationFrame(drawSuggestions);
  }

  function setCurrent(x) {
    if (x === currentSug) return;
    for (const old of currentSug ? [currentSug] : []) {
      old.boxes.forEach((b) => b.classList.remove("is-current"));
      old.item.removeAttribute("aria-current");
    }
    currentSug = x;
    if (x) {
      x.boxes.forEach((b) => b.classList.add("is-current"));
      x.item.setAttribute("aria-current", "true");
    }
  }

  // The suggestion A and X act on: the one under the selection or the caret, else the next
  // one after it in reading order.
  function suggestionAt() {
    const span = selectionSpan();
    let from = span ? span.start : caretOffset();
    if (span) {
      const hit = suggestions.find((x) => x.start < span.end && span.start < x.end);
      if (hit) return hit;
    }
    if (from === null) from = lastCaret;
    return suggestions.find((x) => x.start <= from && from < x.end) || suggestions.find((x) => x.start >= from) || null;
  }

  function sayNone() {
    announce(!sugLoaded ? SAY.suggestions_loading : suggestions.length ? SAY.no_suggested_claim : SAY.no_suggested_claims);
  }

  function sayIt(x) {
    const text = x.item.querySelector(".suggestion-text");
    announce(text ? text.textContent.trim() : x.quote);
  }

  function showIt(x) {
    const box = x.boxes[0];
    if (box && !shows(box)) box.scrollIntoView({ block: "center", behavior: calm && calm.matches ? "auto" : "smooth" });
  }

  function stepSuggestion(direction) {
    if (!suggestions.length) return sayNone();
    const at = caretOffset() ?? lastCaret;
    const x =
      direction === "next"
        ? suggestions.find((s) => s.start > at)
        : suggestions.filter((s) => s.start < at).pop();
    if (!x) return announce(direction === "next" ? SAY.no_suggested_claim : SAY.no_suggested_claim);
    placeCaret(x.start);
    lastCaret = x.start;
    setCurrent(x);
    showIt(x);
    sayIt(x);
  }

  function acceptSuggestion() {
    const x = suggestionAt();
    if (!x) return sayNone();
    if (saving()) return announce(SAY.busy);
    const range = x.range || rangeOf(x.start, x.end);
    if (!range) return;
    setCurrent(x);
    keySelecting = true; // a selection made by script: the form is opened here, not by selectionchange
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range.cloneRange());
    lastCaret = x.end; // after the save the caret stands after it: A goes on to the next
    closePopover({ keepSelection: true });
    resetForm();
    openPopover({ start: x.start, end: x.end, quote: x.quote, range: range.cloneRange() });
    form.elements.from_suggestion.value = x.cue;
    const picker = form.querySelector(".source-picker");
    if (picker && (x.sourceId || x.sourceName)) {
      const detail = x.sourceId ? { id: x.sourceId, label: x.sourceLabel } : { newName: x.sourceName };
      picker.dispatchEvent(new CustomEvent("source-choose", { bubbles: true, detail }));
    }
    const proposed = x.label && form.querySelector(`button[data-label="${x.label}"]`);
    if (proposed) {
      chooseLabel(proposed);
      proposed.focus({ preventScroll: true }); // Enter saves with it
    }
  }

  function dismissSuggestion() {
    const x = suggestionAt();
    if (!x) return sayNone();
    const dismissForm = x.item.querySelector("form.suggestion-dismiss");
    if (!dismissForm || !window.htmx) return;
    // Gone from the text at once; the list the server answers with replaces this one.
    x.item.hidden = true;
    suggestions = suggestions.filter((s) => s !== x);
    if (currentSug === x) currentSug = null;
    scheduleDraw();
    announce((SAY.suggestion_dismissed || "").replace("%(quote)s", x.quote.length > 120 ? x.quote.slice(0, 117) + "…" : x.quote));
    dismissForm.requestSubmit();
  }

  if (sugBox && canAnnotate) {
    document.body.addEventListener("htmx:beforeSwap", (event) => {
      // A refused dismissal says why in the list's own line, not in place of the list.
      const elt = event.detail.elt;
      if (!elt || !elt.closest || !elt.closest("form.suggestion-dismiss") || event.detail.xhr.status < 400) return;
      const said = document.getElementById("suggestion-error");
      if (said) event.detail.target = said;
    });
    document.body.addEventListener("htmx:afterSettle", (event) => {
      if (event.detail.target === sugBox) {
        const first = !sugLoaded;
        sugLoaded = true;
        readSuggestions();
        const list = document.getElementById("suggestion-list");
        if (first && list && list.dataset.say) announce(list.dataset.say);
      } else if (event.detail.target && body.contains(event.detail.target)) {
        scheduleDraw();
      }
    });
    // A claim saved on a suggestion's words: the suggestion goes at once (the list follows).
    let savingSpan = null;
    document.body.addEventListener("htmx:beforeRequest", (event) => {
      if (event.detail.elt === form) savingSpan = { start: Number(form.elements.start.value), end: Number(form.elements.end.value) };
    });
    document.body.addEventListener("annotations-changed", (event) => {
      if ((event.detail || {}).action !== "created" || !savingSpan) return;
      const { start, end } = savingSpan;
      suggestions = suggestions.filter((x) => {
        const overlaps = x.start < end && start < x.end;
        if (overlaps) x.item.hidden = true;
        return !overlaps;
      });
      if (currentSug && currentSug.item.hidden) currentSug = null;
      savingSpan = null;
      scheduleDraw();
    });
    new MutationObserver(scheduleDraw).observe(body, { childList: true, subtree: true });
    if ("ResizeObserver" in window) new ResizeObserver(scheduleDraw).observe(body);
    window.addEventListener("resize", scheduleDraw);
    // The current one follows the caret.
    document.addEventListener("selectionchange", () => {
      if (document.activeElement === body && suggestions.length) setCurrent(suggestionAt());
    });
  }

  if (!canAnnotate) return;

  // --- Undo a delete ---------------------------------------------------------------------------
  // A delete swaps in #undo-bar (after the text, so Tab from the text reaches its button):
  // it stays as long as the server said (data-ms, the time left of its 10 seconds), less a
  // moment for the click to reach it. The server decides: a late or foreign Undo is refused.

  const UNDO_MARGIN_MS = 300;
  let undoTimer = null;

  function hideUndo() {
    clearTimeout(undoTimer);
    const bar = document.getElementById("undo-bar");
    if (!bar || bar.hidden) return;
    const hadFocus = bar.contains(document.activeElement);
    bar.hidden = true;
    if (hadFocus) body.focus({ preventScroll: true }); // back to the text, where it was
  }

  function startUndo() {
    const bar = document.getElementById("undo-bar");
    if (!bar || bar.hidden) return;
    clearTimeout(undoTimer);
    const ms = Number(bar.dataset.ms) || 0;
    bar.style.setProperty("--undo-ms", `${Math.max(ms - UNDO_MARGIN_MS, 0)}ms`);
    // Once the time is up only a sentence is left (a page loaded late): it goes after a while.
    undoTimer = setTimeout(hideUndo, ms > 0 ? ms - UNDO_MARGIN_MS : 6000);
  }

  // Loaded after a delete without htmx (…?deleted=N): start its clock, and take the
  // parameter off the address so that a reload does not show the bar again.
  if (document.getElementById("undo-bar") && !document.getElementById("undo-bar").hidden) {
    startUndo();
    const url = new URL(window.location.href);
    if (url.searchParams.has("deleted")) {
      url.searchParams.delete("deleted");
      window.history.replaceState(window.history.state, "", url);
    }
  }

  // A refused Undo: 403 (too late, or not yours) shows its reason in the toast (app.js), the
  // bar goes; 409 (restored meanwhile) swaps its reason into the bar, which says it.
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const bar = document.getElementById("undo-bar");
    if (!bar || !bar.contains(event.detail.elt) || event.detail.successful) return;
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 409 || status === 422) {
      bar.querySelector("form").hidden = true;
      const said = document.getElementById("undo-status");
      if (said) announce(said.textContent.trim());
      if (bar.contains(document.activeElement) || document.activeElement === document.body) body.focus({ preventScroll: true });
      clearTimeout(undoTimer);
      undoTimer = setTimeout(hideUndo, 6000);
    } else {
      hideUndo();
    }
  });

  let settleTimer = null;
  let dragging = false; // the mouse button went down in the body and is still down

  // --- Re-attaching an orphaned claim (reviewers): the next selection is its new place ---
  const banner = document.getElementById("reattach-banner");

  function offer(span) {
    if (!reattach) {
      openPopover(span);
      return;
    }
    reattach.span = span;
    const shown = span.quote.length > 80 ? span.quote.slice(0, 77) + "…" : span.quote;
    banner.querySelector(".reattach-text").textContent = banner.dataset.confirm.replace("%(quote)s", shown);
    banner.querySelector("#reattach-confirm").hidden = false;
    showPending(span.range);
  }

  function endReattach() {
    reattach = null;
    if (!banner) return;
    banner.hidden = true;
    banner.querySelector("#reattach-error").textContent = "";
    showPending(null);
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[data-reattach]");
    if (link && banner) {
      event.preventDefault();
      closePopover();
      reattach = { url: link.href, id: link.dataset.annotationId, span: null };
      banner.hidden = false;
      banner.querySelector(".reattach-text").textContent = banner.dataset.ask;
      banner.querySelector("#reattach-confirm").hidden = true;
      banner.querySelector("#reattach-error").textContent = "";
      body.focus({ preventScroll: true });
      return;
    }
    if (!banner || !reattach) return;
    if (event.target.closest("#reattach-cancel")) endReattach();
    if (event.target.closest("#reattach-confirm") && reattach.span) {
      const { start, end, quote } = reattach.span;
      const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      htmx.ajax("POST", reattach.url, {
        target: `#claim-${reattach.id}`,
        swap: "outerHTML",
        values: { start, end, quote, version: body.dataset.version },
        headers,
      });
    }
  });

  document.body.addEventListener("annotations-changed", (event) => {
    if (reattach && String((event.detail || {}).id) === String(reattach.id)) endReattach();
  });

  // After a mouseup: a selection opens the popover; a plain click (no selection) closes it,
  // so a key press cannot tag a passage the editor has left behind.
  function considerSelection() {
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => {
      const span = selectionSpan();
      if (span) offer(span);
      else closePopover({ keepSelection: true });
    }, 0);
  }

  body.addEventListener("mousedown", (event) => {
    keySelecting = false;
    if (event.button === 0) dragging = true;
  });
  body.addEventListener("touchstart", () => (keySelecting = false), { passive: true });
  // On the document: a drag that starts in the text may end over the side panel.
  document.addEventListener("mouseup", (event) => {
    if (!dragging && !body.contains(event.target)) return;
    dragging = false;
    considerSelection();
  });
  // Other ways of selecting (touch handles, select-word): open once the selection settles,
  // but never mid-drag, where the popover would jump about under the pointer, and never
  // for a selection made with the keyboard (the form would take focus from the text while
  // the editor is still selecting: Enter opens it, V/D/U save at once).
  document.addEventListener("selectionchange", () => {
    if (dragging || keySelecting) return;
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) return;
    if (!body.contains(sel.anchorNode)) return;
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => {
      if (keySelecting) return;
      const span = selectionSpan();
      if (span) offer(span);
    }, 250);
  });

  // The form's Close button (for touch screens and mice): as Escape in the form.
  document.getElementById("popover-close").addEventListener("click", backToText);

  // Escape anywhere ends a re-attach.
  document.addEventListener("keydown", (event) => {
    if (event.code === "Escape" && reattach) {
      event.preventDefault();
      endReattach();
      body.focus({ preventScroll: true });
    }
  });

  // Keys in the tagging form (a dialog): V/D/U save outside the text fields, Ctrl+Enter
  // saves with the chosen label from anywhere, the arrows choose among the label buttons,
  // Tab stays inside, Escape goes back to the text with the selection kept.
  popover.addEventListener("keydown", (event) => {
    if (event.key === "Tab") {
      trapTab(event);
      return;
    }
    const onLabel = event.target.closest && event.target.closest("button[data-label]");
    if (onLabel && (event.key === "ArrowLeft" || event.key === "ArrowRight") && !event.ctrlKey) {
      event.preventDefault();
      const buttons = Array.from(form.querySelectorAll("button[data-label]"));
      const next = buttons[(buttons.indexOf(onLabel) + (event.key === "ArrowRight" ? 1 : -1) + buttons.length) % buttons.length];
      next.focus();
      chooseLabel(next);
      return;
    }
    const binding = bindingFor(event, "form");
    if (!binding || event.repeat) return;
    // A select's own letters do nothing useful here (its options start with digits): there
    // the label keys tag. In a text field, letters are typing.
    const typing = isTyping(event.target) && event.target.tagName !== "SELECT";
    if (binding.action === "tag") {
      if (typing) return;
      event.preventDefault();
      event.stopPropagation();
      save(binding.arg[0]);
    } else if (binding.action === "save") {
      event.preventDefault();
      event.stopPropagation();
      const label = chosenLabel();
      if (!label) {
        document.getElementById("claim-form-errors").textContent = SAY.no_label;
        announce(SAY.no_label);
        return;
      }
      save(label);
    } else if (binding.action === "close") {
      event.preventDefault();
      backToText();
    } else if (binding.action === "help" && !typing) {
      event.preventDefault();
      openHelp();
    } else if (binding.action === "pick") {
      // In a select, digits choose its option (the credibility grades are numbered).
      if (typing || event.target.tagName === "SELECT") return;
      event.preventDefault();
      pick(binding.arg[0]);
    }
  });

  function focusables(root) {
    return Array.from(
      root.querySelectorAll("button, [href], input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])"),
    ).filter((el) => !el.disabled && !el.hidden && el.getClientRects().length > 0 && tabStop(el));
  }

  // A group of radio buttons is one Tab stop: its checked one (or its first, none checked).
  function tabStop(el) {
    if (!(el instanceof HTMLInputElement) || el.type !== "radio" || !el.name || !el.form) return true;
    const group = Array.from(el.form.elements).filter((r) => r.type === "radio" && r.name === el.name);
    return el === (group.find((r) => r.checked) || group[0]);
  }

  function trapTab(event) {
    const items = focusables(popover);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const at = document.activeElement;
    if (event.shiftKey && (at === first || at === popover)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && at === last) {
      event.preventDefault();
      first.focus();
    }
  }

  // Close the form and give the text its focus back, with the selection as it was.
  function backToText() {
    const span = pending;
    closePopover({ keepSelection: true });
    resetForm(); // dismissed: the next passage starts from an empty form
    keySelecting = true; // a selection put back by script does not reopen the form
    body.focus({ preventScroll: true });
    if (span) {
      const range = rangeOf(span.start, span.end);
      const sel = window.getSelection();
      if (range && sel) {
        sel.removeAllRanges();
        sel.addRange(range);
      }
    }
    drawCaret();
    announce(SAY.closed);
  }

  // Pressing anywhere but the popover starts something else: a new selection (the popover
  // reopens on mouseup), a click on a highlight, or leaving the text.
  document.addEventListener("mousedown", (event) => {
    if (popover.hidden || popover.contains(event.target)) return;
    closePopover({ keepSelection: body.contains(event.target) });
  });

  // A refused save leaves the form open with its reason: the reason gets the focus's
  // attention (the form takes focus if a key in the text saved it).
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.elt !== form || event.detail.successful || popover.hidden) return;
    if (!popover.contains(document.activeElement)) popover.focus({ preventScroll: true });
  });

  // Sent as HX-Trigger-After-Swap: the new blocks and list item are already in place, so
  // this runs in the same task as the swap (no frame in which a click could interleave).
  document.body.addEventListener("annotations-changed", (event) => {
    const detail = event.detail || {};
    if (detail.action === "created") {
      closePopover();
      resetForm();
      body.focus({ preventScroll: true });
      placeCaret(lastCaret);
      activate(String(detail.id));
      body.querySelectorAll(`mark[data-annotation-id="${detail.id}"]`).forEach((m) => m.classList.add("flash"));
    } else if (detail.action === "updated") {
      activate(String(detail.id), { scrollList: false });
    } else if (detail.action === "deleted") {
      // Its item, where the keyboard was, is gone: back to the text (Tab from there: Undo).
      const at = document.activeElement;
      if (!at || at === document.body || !at.isConnected) body.focus({ preventScroll: true });
      startUndo();
    } else if (detail.action === "restored") {
      // Undone: the bar goes, the claim is back in the text and the list, the keyboard in
      // the text where it was.
      hideUndo();
      const at = document.activeElement;
      if (!at || at === document.body || !at.isConnected) body.focus({ preventScroll: true });
      activate(String(detail.id));
      body.querySelectorAll(`mark[data-annotation-id="${detail.id}"]`).forEach((m) => m.classList.add("flash"));
    }
  });
})();
