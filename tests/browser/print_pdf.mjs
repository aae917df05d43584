// Print one page of the site (the single-page build of the whole book) to PDF with
// headless Chromium, after MathJax has typeset every equation.
//
//   node tests/browser/print_pdf.mjs --url http://127.0.0.1:8000/index.html --out book.pdf
//
// Used by tools/build_pdf.py (`make pdf`). Prints a JSON summary on stdout: the number
// of equations typeset and any that were not. Exit code 1 if an equation was left
// untypeset or a request went to another host, 2 on a usage or browser error.

import { parseArgs } from "node:util";

import { chromium } from "playwright-core";

import { CHROMIUM_ARGS } from "./chromium_args.mjs";

const { values: opts } = parseArgs({
  options: {
    url: { type: "string" },
    out: { type: "string" },
    chromium: { type: "string", default: process.env.CHROMIUM || "/usr/bin/chromium" },
    timeout: { type: "string", default: "120000" },
  },
});
if (!opts.url || !opts.out) {
  console.error("usage: node print_pdf.mjs --url URL --out FILE.pdf");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: opts.chromium,
  headless: true,
  args: CHROMIUM_ARGS,
});
let summary;
try {
  const context = await browser.newContext({ colorScheme: "light" });
  const external = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1" || url.protocol === "data:" || url.protocol === "blob:") {
      return route.continue();
    }
    external.push(url.href);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  await page.goto(opts.url, { waitUntil: "load", timeout: Number(opts.timeout) });
  summary = await page.evaluate(async () => {
    if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
      await window.MathJax.startup.promise;
    }
    await document.fonts.ready;
    // Print the solutions too (the website folds them).
    document.querySelectorAll(".toggle-hidden > .admonition-title").forEach((t) => t.click());
    document.querySelectorAll("details:not([open])").forEach((d) => (d.open = true));
    // Figures are <img> elements: wait until every one has loaded.
    await Promise.all(
      [...document.images].map((img) => (img.complete ? null : new Promise((r) => (img.onload = img.onerror = r)))),
    );
    const math = [...document.querySelectorAll(".math")];
    return {
      title: document.title,
      equations: math.length,
      untypeset: math.filter((el) => !el.querySelector("mjx-container")).map((el) => el.textContent.slice(0, 80)),
      mathjaxErrors: document.querySelectorAll("mjx-merror").length,
    };
  });
  await page.pdf({
    path: opts.out,
    format: "A4",
    printBackground: true,
    margin: { top: "18mm", bottom: "18mm", left: "16mm", right: "16mm" },
    displayHeaderFooter: true,
    headerTemplate: "<span></span>",
    footerTemplate:
      '<div style="font-size:8px;width:100%;text-align:center;color:#444">' +
      '<span class="title"></span> · <span class="pageNumber"></span> / <span class="totalPages"></span></div>',
    outline: true,
    tagged: true,
  });
  summary.external = external;
} finally {
  await browser.close();
}
console.log(JSON.stringify(summary));
process.exit(summary.untypeset.length || summary.mathjaxErrors || summary.external.length ? 1 : 0);
