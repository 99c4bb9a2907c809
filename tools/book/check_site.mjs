// The browser check of the book's site (CONTRIBUTING.md, "The checks"): loads every page of the
// built site in headless Chromium and reports, page by page:
// - a console error, an uncaught exception, a response of 400 or more, and any request to
//   another host (aborted: the site must work offline);
// - a mermaid block that did not become an SVG;
// - an internal link to a page or file that does not exist, or to an #anchor that no element
//   of its page has;
// - search that does not work: a word found on one page only is typed into the search box,
//   and that page must be among the results.
//
// Usage: node check_site.mjs BASE_URL SITE_DIR, with the site served at BASE_URL (the workbook
// serves it on 127.0.0.1). Prints one line per problem ("page: problem"), then a summary line;
// exits with 1 when there was a problem. Chromium is Debian's (CHROMIUM, default
// /usr/bin/chromium); puppeteer-core never downloads one. CHECK_SITE_TIMES=1 prints where the
// time went, on stderr.
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import puppeteer from "puppeteer-core";

const [baseArg, siteDir] = process.argv.slice(2);
if (!baseArg || !siteDir) {
  console.error("usage: node check_site.mjs BASE_URL SITE_DIR");
  process.exit(2);
}
const base = new URL(baseArg);
const TABS = 2; // pages loaded at once
// Guards against a hang, never a measure (CONTRIBUTING.md: no verdict may depend on the machine's
// speed): for a page to load, and for its diagrams and the search results to appear.
const LOAD_MS = 60000;
const WAIT_MS = 30000;
const started = Date.now();
const problems = [];
// One line each: "page: problem".
const problem = (page, text) => problems.push(`${page}: ${String(text).replace(/\s*\n\s*/g, " | ")}`);
const local = (url) => url.origin === base.origin || url.protocol === "data:" || url.protocol === "blob:";

// The pages: every index.html of the site (mkdocs writes page NAME as NAME/index.html).
function pagesOf(dir, prefix = "/") {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !["assets", "search"].includes(entry.name)) {
      found.push(...pagesOf(path.join(dir, entry.name), `${prefix}${entry.name}/`));
    } else if (entry.name === "index.html") {
      found.push(prefix);
    }
  }
  return found.sort();
}
const pages = pagesOf(siteDir);

// Material renders each mermaid block into a closed shadow root; this records them, so the
// check can look inside.
function recordShadowRoots() {
  const attach = Element.prototype.attachShadow;
  const roots = new WeakMap();
  window.__shadowRootOf = (element) => roots.get(element);
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    roots.set(this, root);
    return root;
  };
}

function diagramsState() {
  const rendered = [...document.querySelectorAll("div.mermaid")].filter((div) => {
    const root = window.__shadowRootOf(div);
    const svg = root && root.querySelector("svg");
    return svg && svg.getBoundingClientRect().width > 0 && !/syntax error/i.test(root.textContent);
  });
  return { pending: document.querySelectorAll("pre.mermaid").length, rendered: rendered.length };
}

if (process.env.CHECK_SITE_TIMES) console.error(`start ${Date.now() - started} ms`);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // --no-sandbox: the check runs as root on CI, where Chromium's sandbox refuses to start.
  args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"],
});

if (process.env.CHECK_SITE_TIMES) console.error(`launched ${Date.now() - started} ms`);

// Material's search worker builds its index (about 1 MB of JSON) on every page it loads; the
// pages are given an empty one, and only the search check the real one.
const index = JSON.parse(readFileSync(path.join(siteDir, "search", "search_index.json"), "utf8"));
const emptyIndex = JSON.stringify({ ...index, docs: [] });

async function openPage(label, { search = false } = {}) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.setDefaultNavigationTimeout(LOAD_MS);
  await page.evaluateOnNewDocument(recordShadowRoots);
  await page.evaluateOnNewDocument(`window.diagramsState = ${diagramsState}`); // for waitForFunction
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (!search && url.origin === base.origin && url.pathname.endsWith("/search/search_index.json")) {
      request.respond({ status: 200, contentType: "application/json", body: emptyIndex });
    } else if (local(url)) {
      request.continue();
    } else {
      problem(label(), `fetches from another host: ${request.url()}`);
      request.abort();
    }
  });
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    // A request to another host was reported when it was aborted; its failure is no news.
    const source = message.location()?.url;
    if (source && /^Failed to load resource/.test(message.text()) && !local(new URL(source))) return;
    problem(label(), `console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problem(label(), `uncaught exception: ${error.message ?? error}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problem(label(), `${response.status()} for ${response.url()}`);
  });
  return page;
}

const visited = new Map(); // page path -> set of element ids
const links = []; // [page, absolute href]
let diagrams = 0;

async function checkPage(page, pagePath) {
  const response = await page.goto(new URL(pagePath, base).href, { waitUntil: "load" });
  const html = await response.text();
  const expected = (html.match(/<pre class="mermaid">/g) || []).length;
  diagrams += expected;
  if (expected > 0) {
    try {
      await page.waitForFunction(
        (n) => {
          const { pending, rendered } = diagramsState();
          return pending === 0 && rendered >= n;
        },
        { timeout: WAIT_MS, polling: 50 },
        expected,
      );
    } catch {
      const { rendered } = await page.evaluate(diagramsState);
      problem(pagePath, `${expected - rendered} of its ${expected} mermaid diagrams did not render to an SVG`);
    }
  }
  const found = await page.evaluate(() => ({
    ids: [...document.querySelectorAll("[id], a[name]")].map((e) => e.id || e.getAttribute("name")),
    hrefs: [...document.querySelectorAll("a[href]")].map((a) => a.href),
  }));
  visited.set(pagePath, new Set(found.ids));
  for (const href of found.hrefs) links.push([pagePath, href]);
}

// Each tab takes the next page until none is left.
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(TABS, pages.length) }, async () => {
    let current = "";
    const page = await openPage(() => current);
    while (next < pages.length) {
      current = pages[next++];
      try {
        const t = Date.now();
        await checkPage(page, current);
        if (process.env.CHECK_SITE_TIMES) console.error(`${current} ${Date.now() - t} ms`);
      } catch (error) {
        problem(current, `could not be checked: ${error.message}`);
      }
    }
    await page.close();
  }),
);

// Links: to a page that exists and an id on it, or to a file of the site.
let internal = 0;
for (const [from, href] of links) {
  const url = new URL(href);
  if (url.origin !== base.origin) continue;
  internal++;
  const target = decodeURIComponent(url.pathname);
  const anchor = decodeURIComponent(url.hash.slice(1));
  const ids = visited.get(target.endsWith("/") ? target : `${target}/`) ?? visited.get(target);
  if (ids) {
    if (anchor && !ids.has(anchor)) problem(from, `link to ${target}#${anchor}: no such anchor on that page`);
  } else {
    const file = path.join(siteDir, target);
    const exists = existsSync(file) && (statSync(file).isFile() || existsSync(path.join(file, "index.html")));
    if (!exists) problem(from, `link to ${target}: no such page or file`);
  }
}

// Search: a word that only one page has, typed into the search box; that page must be listed.
const wordsOf = (text) =>
  text
    .split(/[\s\-]+/)
    .map((w) => w.replace(/^[^A-Za-z]+|[^A-Za-z]+$/g, "").toLowerCase())
    .filter((w) => /^[a-z]{7,}$/.test(w));
const pagesWith = new Map(); // word -> Map(location -> count)
for (const doc of index.docs) {
  const location = doc.location.split("#")[0];
  for (const word of wordsOf(`${doc.title} ${doc.text}`)) {
    if (!pagesWith.has(word)) pagesWith.set(word, new Map());
    const counts = pagesWith.get(word);
    counts.set(location, (counts.get(location) ?? 0) + 1);
  }
}
let query = null;
for (const [word, counts] of pagesWith) {
  if (counts.size !== 1) continue;
  const [location, count] = [...counts][0];
  if (!query || count > query.count) query = { word, location, count };
}
let searched = "search not checked";
if (!query) {
  problem("/", "search: no word on one page only to search for");
} else {
  const expected = new URL(query.location, new URL("/", base)).pathname;
  let current = "/ (search)";
  const searchStarted = Date.now();
  const page = await openPage(() => current, { search: true });
  try {
    await page.goto(new URL("/", base).href, { waitUntil: "load" });
    await page.click("label[for='__search']").catch(() => {});
    await page.type("input[data-md-component='search-query']", query.word);
    await page.waitForFunction(
      (path) =>
        [...document.querySelectorAll(".md-search-result__item a")].some((a) => new URL(a.href).pathname === path),
      { timeout: WAIT_MS, polling: 50 },
      expected,
    );
    searched = `search for "${query.word}" finds ${expected}`;
  } catch (error) {
    const shown = await page
      .evaluate(() => [...document.querySelectorAll(".md-search-result__item a")].map((a) => a.href).slice(0, 5))
      .catch(() => []);
    problem(current, `search for "${query.word}" did not list ${expected} (results: ${shown.join(", ") || "none"})`);
  }
  await page.close();
  if (process.env.CHECK_SITE_TIMES) console.error(`search ${Date.now() - searchStarted} ms`);
}

await browser.close();
for (const line of problems) console.log(line);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `checked ${pages.length} pages, ${diagrams} diagrams, ${internal} internal links; ${searched}; ` +
    `${problems.length} problems, in ${seconds} s`,
);
process.exit(problems.length ? 1 : 0);
