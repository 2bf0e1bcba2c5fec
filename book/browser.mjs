// The course's book in a real browser: Debian's Chromium, driven by puppeteer-core.
//
//   node book/browser.mjs test OUT [en|fa ...]   every page of each book, at a phone's size
//   node book/browser.mjs screenshots OUT        one lesson per language, phone and desktop
//
// OUT is what `bash book/build.sh OUT` made; OUT/.src/manifest.json lists every page, its title
// and its code blocks. The site is served from 127.0.0.1 by this script, and any request that
// would leave this machine (a font, a script from a CDN) is refused and reported.
//
// What `test` checks on every page, from computed styles at 390 x 844:
// - fa: <html dir="rtl" lang="fa">; every p and li whose text (outside code) is mostly Persian
//   has direction: rtl. en: <html lang="en">, not rtl.
// - every inline code span has unicode-bidi: isolate (or isolate-override / plaintext) and
//   direction: ltr, and where it ends in punctuation (`join()`), its last character is drawn to
//   the right of its first: the order on screen, not only the style;
// - every pre is ltr;
// - no sideways scrolling: the document is no wider than the viewport (a code block or a wide
//   table may scroll inside itself);
// - the page's title is its h1;
// - every code block of the README is on the page, as it stands in the README;
// - no request leaves 127.0.0.1;
// and, once per book: the search finds a word of a lesson's title on that lesson's page, and
// the print page holds every lesson.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import puppeteer from "puppeteer-core";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];
const PHONE = { width: 390, height: 844, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
const DESKTOP = { width: 1280, height: 800, deviceScaleFactor: 1 };
const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
  ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".txt": "text/plain" };

const [mode, outArg, ...langsArg] = process.argv.slice(2);
if (!["test", "screenshots"].includes(mode) || !outArg) {
  console.error("usage: node book/browser.mjs test|screenshots OUT [en|fa ...]");
  process.exit(2);
}
const OUT = path.resolve(outArg);
const manifest = JSON.parse(fs.readFileSync(path.join(OUT, ".src", "manifest.json"), "utf8"));
const langs = langsArg.length ? langsArg : ["en", "fa"];

function serve(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404).end("not found"); return; }
      res.writeHead(200, { "content-type": MIME[path.extname(file)] || "application/octet-stream" });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function openBrowser() {
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

// Every request must stay on this machine; the page may not ask for a missing file either.
async function guard(page, base, problems) {
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    const u = req.url();
    if (u.startsWith(base) || u.startsWith("data:") || u.startsWith("blob:") || u === "about:blank") req.continue();
    else { problems.push(`a request left the machine: ${u}`); req.abort(); }
  });
  page.on("response", (res) => {
    if (res.status() >= 400 && res.url().startsWith(base)) problems.push(`${res.status()} for ${res.url()}`);
  });
  page.on("pageerror", (err) => problems.push(`script error: ${err.message}`));
  await page.evaluateOnNewDocument(() => { window.print = () => {}; });
}

// Runs inside the page. Returns a list of problems.
function checkPage(expect) {
  const problems = [];
  const html = document.documentElement;
  const main = document.querySelector("main");
  if (!main) return ["no <main> element"];
  if (html.lang !== expect.lang) problems.push(`<html lang="${html.lang}">, expected "${expect.lang}"`);
  if (expect.rtl && html.dir !== "rtl") problems.push(`<html dir="${html.dir}">, expected "rtl"`);
  if (!expect.rtl && html.dir === "rtl") problems.push(`<html dir="rtl"> in the English book`);
  const short = (s) => (s.length > 60 ? s.slice(0, 57) + "..." : s).replace(/\s+/g, " ");

  const outsideCode = (el) => {
    let s = "";
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) if (!n.parentElement.closest("code, pre")) s += n.data;
    return s;
  };
  let rtlBlocks = 0;
  if (expect.rtl) {
    for (const el of main.querySelectorAll("p, li")) {
      const t = outsideCode(el);
      const fa = (t.match(/[\u0600-\u06FF]/g) || []).length;
      const la = (t.match(/[A-Za-z]/g) || []).length;
      if (fa === 0 || fa < la) continue;
      rtlBlocks++;
      const d = getComputedStyle(el).direction;
      if (d !== "rtl") problems.push(`<${el.localName}> in Persian is ${d}: "${short(el.textContent)}"`);
    }
  }
  let spans = 0, ordered = 0;
  for (const c of main.querySelectorAll("code")) {
    if (c.closest("pre")) continue;
    spans++;
    const cs = getComputedStyle(c);
    if (!["isolate", "isolate-override", "plaintext"].includes(cs.unicodeBidi)) {
      problems.push(`inline code not isolated (unicode-bidi: ${cs.unicodeBidi}): \`${short(c.textContent)}\``);
    }
    if (cs.direction !== "ltr") problems.push(`inline code is ${cs.direction}: \`${short(c.textContent)}\``);
    // The order on screen: `join()` must not read `()join`. Each character of a span drawn on
    // the same line as the one before it must be to its right (a span may wrap at a space).
    const text = c.textContent;
    if (text.length >= 2 && !/[\u0590-\u08FF]/.test(text)) {
      const r = document.createRange();
      let prev = null, bad = false;
      const nodes = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
      for (let t = nodes.nextNode(); t && !bad; t = nodes.nextNode()) {
        for (let i = 0; i < t.length && !bad; i++) {
          if (/\s/.test(t.data[i])) continue;
          r.setStart(t, i); r.setEnd(t, i + 1);
          const box = r.getBoundingClientRect();
          if (box.width === 0) continue;
          if (prev && Math.abs(box.top - prev.top) < 2 && box.left < prev.left) bad = true;
          prev = box;
        }
      }
      ordered++;
      if (bad) problems.push(`inline code drawn out of order: \`${short(text)}\` (a character is left of the one before it)`);
    }
  }
  for (const p of main.querySelectorAll("pre")) {
    if (getComputedStyle(p).direction !== "ltr") problems.push(`<pre> is ${getComputedStyle(p).direction}: "${short(p.textContent)}"`);
  }
  const width = Math.max(html.scrollWidth, document.body.scrollWidth);
  if (width > window.innerWidth) {
    const wide = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || (r.right <= window.innerWidth + 0.5 && r.left >= -0.5)) continue;
      let inner = false;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const ox = getComputedStyle(a).overflowX;
        if (ox !== "visible" && ox !== "clip" || getComputedStyle(a).visibility === "hidden") { inner = true; break; }
      }
      if (!inner) wide.push(`<${el.localName}${el.className ? "." + String(el.className).split(" ")[0] : ""}> ${Math.round(r.left)}..${Math.round(r.right)} "${short(el.textContent)}"`);
    }
    problems.push(`the page scrolls sideways: ${width} px wide in a ${window.innerWidth} px viewport; ${wide.slice(0, 5).join("; ")}`);
  }
  const norm = (s) => s.replace(/\s+/g, " ").trim();
  const h1s = [...main.querySelectorAll("h1")].map((h) => norm(h.textContent));
  if (!h1s.includes(norm(expect.title))) problems.push(`title "${expect.title}" is not an h1 of the page (h1: ${JSON.stringify(h1s)})`);
  const shown = [...main.querySelectorAll("pre > code")].map((c) => c.innerText.replace(/\n+$/, ""));
  let at = 0;
  expect.code.forEach((block, i) => {
    const want = block.replace(/\n+$/, "");
    const k = shown.indexOf(want, at);
    if (k < 0) {
      const near = shown[at] === undefined ? "(no more code blocks)" : JSON.stringify(short(shown[at]));
      problems.push(`code block ${i + 1} of the source is not on the page as it stands: ${JSON.stringify(short(want))}; next on the page: ${near}`);
    } else at = k + 1;
  });
  return { problems, stats: { rtlBlocks, spans, ordered, pre: main.querySelectorAll("pre").length } };
}

function titleText(md) {
  return md.replace(/`/g, "").replace(/\*\*/g, "");
}

async function testBook(browser, base, lang) {
  const book = manifest.books[lang];
  const problems = [];
  const page = await browser.newPage();
  await page.setViewport(PHONE);
  const net = [];
  await guard(page, base, net);
  // Every HTML page of the book is in the manifest (mdBook's own pages aside).
  const own = new Set(["print.html", "404.html", "toc.html"]);
  const listed = new Set(book.pages.map((p) => p.page));
  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".html") ? [path.join(dir, e.name)] : []);
  for (const f of walk(path.join(OUT, lang))) {
    const rel = path.relative(path.join(OUT, lang), f).split(path.sep).join("/");
    if (!listed.has(rel) && !own.has(rel)) problems.push(`${lang}/${rel}: a page the test does not know`);
  }
  let totals = { pages: 0, rtlBlocks: 0, spans: 0, ordered: 0, pre: 0 };
  for (const p of book.pages) {
    net.length = 0;
    const url = `${base}${lang}/${p.page}`;
    await page.goto(url, { waitUntil: "load" });
    const r = await page.evaluate(checkPage, { lang, rtl: lang === "fa", title: titleText(p.title), code: p.code });
    const all = [...(r.problems || r), ...net];
    // At most 4 reports of each kind a page, and the count of the rest.
    const kinds = new Map();
    for (const m of all) {
      const k = m.split(/[:(]/)[0];
      kinds.set(k, (kinds.get(k) || 0) + 1);
      if (kinds.get(k) <= 4) problems.push(`${lang}/${p.page}: ${m}`);
    }
    for (const [k, n] of kinds) if (n > 4) problems.push(`${lang}/${p.page}: ${k}: ${n - 4} more`);
    totals.pages++;
    for (const k of ["rtlBlocks", "spans", "ordered", "pre"]) totals[k] += r.stats ? r.stats[k] : 0;
  }
  // Search: a word of a lesson's title finds that lesson.
  const lesson = book.pages.find((p) => p.kind === "lesson" && p.page.startsWith("session-07")) || book.pages.find((p) => p.kind === "lesson");
  const words = titleText(lesson.title).split(/[\s:،,.()—-]+/).filter((w) => (lang === "fa" ? /^[\u0600-\u06FF\u200c]+$/ : /^[A-Za-z]+$/).test(w));
  const word = words.sort((a, b) => b.length - a.length)[0];
  if (!word) problems.push(`${lang}/search: no ${lang} word in the title "${lesson.title}" to search for`);
  else {
    net.length = 0;
    await page.goto(`${base}${lang}/index.html?search=${encodeURIComponent(word)}`, { waitUntil: "load" });
    let hrefs = [];
    try {
      await page.waitForSelector("#mdbook-searchresults li a, #searchresults li a", { timeout: 10000 });
      hrefs = await page.$$eval("#mdbook-searchresults li a, #searchresults li a", (as) => as.map((a) => a.getAttribute("href")));
    } catch { /* no results: reported below */ }
    const target = lesson.page;
    if (!hrefs.some((h) => h && h.split(/[?#]/)[0].endsWith(target))) {
      problems.push(`${lang}/search: searching "${word}" does not find ${target} (results: ${JSON.stringify(hrefs.slice(0, 5))})`);
    } else console.log(`${lang}: search "${word}" finds ${target} among ${hrefs.length} results`);
    problems.push(...net.map((m) => `${lang}/search: ${m}`));
  }
  // Print: one page with every lesson, the teacher's handout.
  net.length = 0;
  await page.goto(`${base}${lang}/print.html`, { waitUntil: "load" });
  const h1s = await page.$$eval("main h1", (hs) => hs.map((h) => h.textContent.replace(/\s+/g, " ").trim()));
  for (const p of book.pages.filter((p) => p.kind === "lesson" || p.kind === "intro")) {
    const t = titleText(p.title).replace(/\s+/g, " ").trim();
    if (!h1s.includes(t)) problems.push(`${lang}/print.html: no lesson titled "${t}"`);
  }
  problems.push(...net.map((m) => `${lang}/print.html: ${m}`));
  await page.close();
  console.log(`${lang}: ${totals.pages} pages at ${PHONE.width}x${PHONE.height}: ${totals.rtlBlocks} Persian paragraphs and items, ${totals.spans} inline code spans (${totals.ordered} checked on screen), ${totals.pre} code blocks; print page: ${h1s.length} titles`);
  return { problems, pages: totals.pages };
}

async function screenshots(browser, base) {
  const dir = path.join(OUT, "screenshots");
  fs.mkdirSync(dir, { recursive: true });
  const want = process.env.BOOK_SHOT_LESSON || "session-07-scraper";
  const made = [];
  for (const lang of ["en", "fa"]) {
    const book = manifest.books[lang];
    const lesson = book.pages.find((p) => p.kind === "lesson" && p.page.startsWith(want + "/")) || book.pages.find((p) => p.kind === "lesson");
    const name = lesson.page.split("/")[0];
    for (const [size, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
      const page = await browser.newPage();
      await page.setViewport(viewport);
      const net = [];
      await guard(page, base, net);
      await page.goto(`${base}${lang}/${lesson.page}`, { waitUntil: "load" });
      await page.evaluate(() => document.fonts.ready);
      const top = path.join(dir, `${lang}-${name}-${size}.png`);
      await page.screenshot({ path: top });
      made.push(top);
      // Further down: the first table, where code spans sit inside Persian sentences.
      const y = await page.evaluate(() => {
        const t = document.querySelector("main table");
        return t ? t.getBoundingClientRect().top + window.scrollY - 120 : null;
      });
      if (y !== null) {
        await page.evaluate((y) => window.scrollTo(0, y), y);
        const mid = path.join(dir, `${lang}-${name}-${size}-table.png`);
        await page.screenshot({ path: mid });
        made.push(mid);
      }
      if (net.length) console.error(`screenshots: ${net.join("; ")}`);
      await page.close();
    }
  }
  for (const f of made) console.log(`screenshot: ${path.relative(process.cwd(), f)}`);
}

const server = await serve(OUT);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await openBrowser();
let failed = false;
try {
  if (mode === "screenshots") await screenshots(browser, base);
  else {
    let pages = 0, bad = 0;
    const failures = [];
    // The language picker: both books, and nothing wider than the phone.
    {
      const page = await browser.newPage();
      await page.setViewport(PHONE);
      const net = [];
      await guard(page, base, net);
      await page.goto(`${base}index.html`, { waitUntil: "load" });
      const r = await page.evaluate(() => ({
        langs: [...document.querySelectorAll("a[hreflang]")].map((a) => `${a.hreflang}:${a.getAttribute("href")}`),
        wide: document.documentElement.scrollWidth > window.innerWidth,
      }));
      const problems = [...net];
      if (r.wide) problems.push("the page scrolls sideways");
      for (const want of ["en:en/index.html", "fa:fa/index.html"]) if (!r.langs.includes(want)) problems.push(`no link ${want}`);
      for (const m of problems) { console.error(`FAIL index.html: ${m}`); failures.push(`index.html: ${m}`); }
      bad += problems.length;
      pages++;
      await page.close();
    }
    for (const lang of langs) {
      const r = await testBook(browser, base, lang);
      pages += r.pages;
      for (const m of r.problems) { console.error(`FAIL ${m}`); failures.push(m); }
      bad += r.problems.length;
    }
    console.log(`book in the browser: ${pages} pages checked, ${bad} problems`);
    // One line a CI reader knows: each page, each book's search and print page, the picker.
    const units = pages + 2 * langs.length;
    const failedUnits = new Set(failures.map((m) => m.split(/: /)[0]));
    console.log(`browser: ${units - failedUnits.size} passed, ${failedUnits.size} failed`);
    failed = bad > 0;
  }
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
