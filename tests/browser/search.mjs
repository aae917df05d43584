// Search the site as a reader does and read the result snippets.
//
//   node tests/browser/search.mjs --base http://127.0.0.1:8000/ --out report.json \
//        [--chromium /usr/bin/chromium] temperature logsumexp ...
//
// For every query (the positional arguments) the search page is opened with ?q=QUERY;
// once the results and their snippets (Sphinx fetches each page and cuts a summary from
// its text) are in, the report records, per query:
//   results    how many results were listed
//   snippets   the text of every snippet (p.context), as a reader sees it
// Exit code 0 when the searches ran (whatever they found), 2 on a usage or browser error.

import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

import { chromium } from "playwright-core";

import { CHROMIUM_ARGS } from "./chromium_args.mjs";

const { values: opts, positionals: queries } = parseArgs({
  allowPositionals: true,
  options: {
    base: { type: "string" },
    out: { type: "string" },
    chromium: { type: "string", default: process.env.CHROMIUM || "/usr/bin/chromium" },
  },
});
if (!opts.base || !opts.out || queries.length === 0) {
  console.error("usage: node search.mjs --base URL --out FILE QUERY...");
  process.exit(2);
}
const base = new URL(opts.base.endsWith("/") ? opts.base : opts.base + "/");

const browser = await chromium.launch({ executablePath: opts.chromium, args: CHROMIUM_ARGS });
const results = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route("**/*", (route) =>
    new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort());
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err.message));
  for (const query of queries) {
    const url = new URL("search.html", base);
    url.searchParams.set("q", query);
    await page.goto(url.href, { waitUntil: "load" });
    // Sphinx writes "Search finished, found N pages" when every result is listed.
    await page.waitForFunction(
      () => /found \d+ page|did not match any/i.test(
        document.querySelector("#search-results .search-summary, #search-results p")?.textContent || ""),
      null, { timeout: 60000 });
    const count = await page.evaluate(() => document.querySelectorAll("#search-results li").length);
    // Snippets arrive one by one as their pages are fetched.
    await page.waitForFunction(
      (n) => document.querySelectorAll("#search-results li p.context").length >= n,
      Math.min(count, 5), { timeout: 60000 }).catch(() => {});
    await page.waitForTimeout(500);
    const snippets = await page.evaluate(() =>
      [...document.querySelectorAll("#search-results li")].map((li) => ({
        href: li.querySelector("a")?.getAttribute("href") || "",
        text: li.querySelector("p.context")?.textContent || "",
      })));
    results.push({ query, results: count, snippets, errors: [...errors] });
    errors.length = 0;
  }
  await context.close();
} finally {
  await browser.close();
}
writeFileSync(opts.out, JSON.stringify({ results }, null, 2));
