// Tagging with the keyboard alone, in Firefox: a check run by hand, not in CI (Playwright's
// Firefox is a patched build that cannot be downloaded here; Debian's firefox-esr speaks
// WebDriver BiDi, which puppeteer-core drives).
//
//   apt-get install firefox-esr && (cd /tmp/ff && npm install puppeteer-core)
//   make run   # in another shell: the demo on http://127.0.0.1:8000
//   NODE_PATH=/tmp/ff/node_modules node tests/firefox/keyboard_check.cjs http://127.0.0.1:8000
//
// It signs in as the demo editor, opens the first demo article, and checks what the browser
// tests check in Chromium: Tab reaches the text, the caret is drawn, arrows and Ctrl+arrows
// move it, Ctrl+Shift+arrows select, Enter opens the form with focus inside, Escape returns
// with the selection kept, V saves, and the save is announced. Prints one line per check.
const puppeteer = require("puppeteer-core");

const base = process.argv[2] || "http://127.0.0.1:8000";
const results = [];
const check = (what, ok, seen) => results.push(`${ok ? "ok  " : "FAIL"} ${what}${ok ? "" : `: ${JSON.stringify(seen)}`}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  const browser = await puppeteer.launch({ browser: "firefox", executablePath: "/usr/bin/firefox-esr", headless: true });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${base}/accounts/login/`);
  await page.type("input[name=username]", "editor");
  await page.type("input[name=password]", "editor-demo-2026");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  await page.goto(`${base}/articles/`);
  const href = await page.$eval("a.article-link", (a) => a.getAttribute("href"));
  await page.goto(base + href);
  const state = () =>
    page.evaluate(() => ({
      active: document.activeElement.id,
      inForm: document.getElementById("claim-popover").contains(document.activeElement),
      caret: !document.getElementById("text-caret").hidden,
      selected: getSelection().toString(),
      focus: getSelection().focusOffset,
      form: !document.getElementById("claim-popover").hidden,
      said: document.getElementById("announce").textContent,
      claims: document.querySelectorAll("#claim-list li.claim").length,
    }));
  let tabs = 0;
  while (tabs < 80 && (await state()).active !== "article-body") {
    await page.keyboard.press("Tab");
    tabs++;
  }
  let s = await state();
  check(`Tab reaches the text (${tabs} presses)`, s.active === "article-body", s);
  check("the caret is drawn at the start", s.caret && s.focus === 0, s);
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
  s = await state();
  check("ArrowRight moves by character", s.focus === 3 && !s.selected, s);
  await page.keyboard.down("Control");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.down("Shift");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.up("Shift");
  await page.keyboard.up("Control");
  s = await state();
  const words = s.selected.trim();
  check("Ctrl+Shift+ArrowRight selects words, without opening the form", words.split(/\s+/).length >= 1 && !s.form, s);
  await page.keyboard.press("Enter");
  await sleep(200);
  s = await state();
  check("Enter opens the form, focus inside", s.form && s.inForm, s);
  await page.keyboard.press("Escape");
  await sleep(200);
  s = await state();
  check("Escape goes back to the text, selection kept", !s.form && s.active === "article-body" && s.selected.trim() === words, s);
  const before = s.claims;
  await page.keyboard.press("KeyV");
  await sleep(1500);
  s = await state();
  check("V saves the claim, announced", s.claims === before + 1 && s.said.startsWith("Claim saved"), s);
  check("no script errors", errors.length === 0, errors);
  await browser.close();
  console.log(results.join("\n"));
  process.exit(results.some((r) => r.startsWith("FAIL")) ? 1 : 0);
})();
