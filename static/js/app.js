// Site-wide behaviour: error toasts for htmx requests and the source picker.
(() => {
  "use strict";

  // Sentences in the reader's language, from Django's JavaScript catalogue (jsi18n, loaded
  // before this script); English as written here if it did not load.
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((text, obj) => text.replace(/%\((\w+)\)s/g, (m, k) => String(obj[k])));

  const toast = document.getElementById("toast");
  let toastTimer = null;

  let sessionEnded = false;

  function showToast(message, link) {
    if (!toast) return;
    toast.textContent = message;
    clearTimeout(toastTimer);
    if (link) {
      // Stays until the user acts: a sign-in link that opens in a new tab.
      const a = document.createElement("a");
      a.href = link;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = gettext("Sign in again");
      toast.append(" ", a);
    } else {
      toastTimer = setTimeout(() => (toast.hidden = true), 8000);
    }
    toast.hidden = false;
  }

  const FALLBACK = {
    400: gettext("The request was not understood. Reload the page and try again."),
    403: gettext("Your role does not allow this, or your session expired: reload the page."),
    404: gettext("That item no longer exists. Reload the page."),
    413: gettext("That is too large to send."),
    500: gettext("Something went wrong on the server. Nothing was saved."),
    503: gettext("The database is not answering. Nothing was saved; try again in a minute."),
  };

  document.body.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    if (xhr.status === 409 || xhr.status === 422) return; // swapped in place
    let message =
      FALLBACK[xhr.status] ||
      interpolate(gettext("The server answered %(status)s. Nothing was saved."), { status: xhr.status }, true);
    const ct = xhr.getResponseHeader("Content-Type") || "";
    let link = null;
    if (ct.includes("text/html") && xhr.responseText && xhr.responseText.length < 2000) {
      const doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      const p = doc.querySelector(".form-error, p");
      if (p && p.textContent.trim()) message = p.textContent.trim();
      if (xhr.status === 401 && p && p.dataset.loginUrl) link = p.dataset.loginUrl;
    }
    if (xhr.status === 401) {
      if (sessionEnded && event.detail.elt.id === "live-poll") return;
      sessionEnded = true;
    }
    showToast(message, link);
  });

  // Once the session has ended, live polling stops asking (it would only be refused);
  // a sign-in in another tab makes the next action work again.
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (sessionEnded && event.detail.elt.id === "live-poll") event.preventDefault();
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const xhr = event.detail.xhr;
    if (sessionEnded && xhr && xhr.status >= 200 && xhr.status < 300) sessionEnded = false;
  });

  // The same-claim suggestions (data-quote-chars: the tagging form's, the paste page's) look
  // at the first characters of a passage only; a long one would not fit in the URL.
  document.body.addEventListener("htmx:configRequest", (event) => {
    const max = Number(event.detail.elt.dataset.quoteChars || 0);
    const quote = event.detail.parameters.quote;
    if (!max || typeof quote !== "string") return;
    const chars = Array.from(quote); // by code points: never half of an emoji
    if (chars.length > max) event.detail.parameters.quote = chars.slice(0, max).join("");
  });

  document.body.addEventListener("htmx:sendError", () => {
    showToast(gettext("The server did not answer. Check your connection; nothing was saved."));
  });

  // --- Narrow screens: the navigation folds into a menu -----------------------------------
  // The button stays hidden without JS (the links then wrap); CSS shows it only on narrow
  // screens and shows the menu while aria-expanded is "true", so that attribute is the one
  // state. Escape, a click elsewhere or focus leaving the top bar closes it.

  const menuButton = document.querySelector(".nav-toggle[aria-controls]");
  const topbar = menuButton && menuButton.closest(".topbar");
  if (topbar) {
    const isOpen = () => menuButton.getAttribute("aria-expanded") === "true";
    const setOpen = (open) => menuButton.setAttribute("aria-expanded", String(open));
    topbar.classList.add("has-menu");
    menuButton.hidden = false;
    menuButton.addEventListener("click", () => setOpen(!isOpen()));
    topbar.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !isOpen()) return;
      event.stopPropagation();
      setOpen(false);
      menuButton.focus();
    });
    topbar.addEventListener("focusout", (event) => {
      if (isOpen() && event.relatedTarget && !topbar.contains(event.relatedTarget)) setOpen(false);
    });
    document.addEventListener("click", (event) => {
      if (isOpen() && !topbar.contains(event.target)) setOpen(false);
    });
  }

  // --- Narrow screens: the claim popover is a bottom sheet -----------------------------------
  // CSS pins it to the bottom of the screen there, where it may cover the passage just
  // selected. When annotate.js opens it, scroll the page so the selection stays above it.

  const sheet = document.getElementById("claim-popover");
  if (sheet && window.MutationObserver) {
    new MutationObserver(() => {
      if (sheet.hidden || getComputedStyle(sheet).position !== "fixed") return;
      const sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
      const rects = Array.from(sel.getRangeAt(0).getClientRects()).filter((r) => r.height > 0);
      if (!rects.length) return;
      const room = sheet.getBoundingClientRect().top - 12;
      const below = rects[rects.length - 1].bottom - room;
      if (below <= 0) return;
      // As far as needed, but never past the passage's first line (under the top bar).
      const bar = document.querySelector(".topbar");
      const top = bar ? bar.getBoundingClientRect().bottom + 12 : 12;
      window.scrollBy(0, Math.max(0, Math.min(below, rects[0].top - top)));
    }).observe(sheet, { attributes: true, attributeFilter: ["hidden"] });
  }

  // --- A value to copy (a new API token): the whole of it is selected on focus -------------

  document.addEventListener("focusin", (event) => {
    if (event.target.matches && event.target.matches("input[data-select-on-focus]")) {
      event.target.select();
    }
  });
  const focused = document.activeElement; // autofocus may come before this script
  if (focused && focused.matches("input[data-select-on-focus]")) focused.select();

  // --- Source picker (claim popover and edit forms) ----------------------------------------

  function pickerOf(el) {
    return el.closest(".source-picker");
  }

  function setChosen(picker, { id = "", label = "", newName = "" }) {
    picker.querySelector(".source-id, input[name=source]").value = id;
    const newInput = picker.querySelector("input[name=new_source_name]");
    if (newInput) newInput.value = newName;
    const chosen = picker.querySelector(".source-chosen");
    chosen.hidden = !(id || newName);
    chosen.querySelector("span").textContent = newName ? `New: ${newName} (pending review)` : label;
    const newBox = picker.querySelector(".new-source");
    if (newBox) newBox.hidden = !newName;
    picker.querySelector(".source-results").textContent = "";
    const search = picker.querySelector("input[type=search]");
    search.value = "";
    search.hidden = Boolean(id || newName);
  }

  document.addEventListener("click", (event) => {
    const pick = event.target.closest && event.target.closest(".pick");
    if (pick && pickerOf(pick)) {
      event.preventDefault();
      const picker = pickerOf(pick);
      if (pick.dataset.newSource) setChosen(picker, { newName: pick.dataset.newSource });
      else setChosen(picker, { id: pick.dataset.sourceId, label: pick.dataset.sourceLabel });
      // The search box is hidden now: the keyboard stays in the form, on "remove".
      picker.querySelector(".source-clear").focus();
      return;
    }
    const clear = event.target.closest && event.target.closest(".source-clear, #source-clear");
    if (clear && pickerOf(clear)) {
      event.preventDefault();
      setChosen(pickerOf(clear), {});
      pickerOf(clear).querySelector("input[type=search]").focus();
    }
  });

  // A source chosen by a script (annotate.js, accepting a suggested claim): as if picked.
  document.addEventListener("source-choose", (event) => {
    const picker = event.target.closest && pickerOf(event.target);
    if (picker) setChosen(picker, event.detail || {});
  });

  // Enter in the search box picks the first match instead of submitting the claim.
  document.addEventListener("keydown", (event) => {
    const search = event.target.closest && event.target.closest(".source-picker input[type=search]");
    if (!search || event.key !== "Enter" || event.ctrlKey || event.metaKey) return; // Ctrl+Enter saves
    event.preventDefault();
    const first = pickerOf(search).querySelector(".pick:not([disabled])");
    if (first) first.click();
  });
})();
