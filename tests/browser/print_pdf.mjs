// Print one page of the site (the single-page build of the whole book) to PDF with
// headless Chromium, after MathJax has typeset every equation.
//
//   node tests/browser/print_pdf.mjs --url http://127.0.0.1:8000/index.html --out book.pdf \
//        [--front front.json] [--no-solutions]
//
// Used by tools/build_pdf.py (`make pdf`). Before printing, the page is rearranged for
// paper: the API reference moves to the end as an appendix, a title page and a contents
// list (from --front: {title, lines: [...], cite, contents: {title: page}}) go in front,
// and with --no-solutions every exercise solution is removed (the exercises stay).
// Prints a JSON summary on stdout: the number of equations typeset and any that were
// not, the contents titles in order, the exercises and solutions printed. Exit code 1 if an equation was left
// untypeset or a request went to another host, 2 on a usage or browser error.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import { chromium } from "playwright-core";

import { CHROMIUM_ARGS } from "./chromium_args.mjs";

const { values: opts } = parseArgs({
  options: {
    url: { type: "string" },
    out: { type: "string" },
    chromium: { type: "string", default: process.env.CHROMIUM || "/usr/bin/chromium" },
    timeout: { type: "string", default: "120000" },
    front: { type: "string" },
    "no-solutions": { type: "boolean", default: false },
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
  const front = opts.front ? JSON.parse(readFileSync(opts.front, "utf8")) : null;
  const noSolutions = opts["no-solutions"];
  summary = await page.evaluate(async ({ front, noSolutions }) => {
    if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
      await window.MathJax.startup.promise;
    }
    await document.fonts.ready;
    // The student edition: no solutions (sphinx-exercise's .solution admonitions,
    // which hold the solution's code cells too).
    let solutionsRemoved = 0;
    if (noSolutions) {
      document.querySelectorAll(".solution").forEach((s) => {
        s.remove();
        solutionsRemoved += 1;
      });
    }
    // Print the solutions and hints too (the website folds them).
    document.querySelectorAll(".toggle-hidden > .admonition-title").forEach((t) => t.click());
    document.querySelectorAll("details:not([open])").forEach((d) => (d.open = true));
    // A code cell whose input is hidden and which has no output prints as an empty box.
    document.querySelectorAll(".cell").forEach((cell) => {
      if (!cell.textContent.trim() && !cell.querySelector("img, svg, mjx-container")) {
        cell.remove();
      }
    });
    // Each document of the book is a <section> after a span#document-<name>.
    const docSection = (name) => {
      const span = document.getElementById("document-" + name);
      return span && span.nextElementSibling;
    };
    // The API reference goes last, as an appendix.
    // (The single-page build demotes each document's title to an <h3>.)
    const titleOf = (section) => section.querySelector(":scope > :is(h1, h2, h3, h4)");
    const api = docSection("api");
    if (api) {
      const span = api.previousElementSibling;
      const wrapper = span.parentElement;
      wrapper.append(span, api);
      const h = titleOf(api);
      if (h) h.insertBefore(document.createTextNode("Appendix: "), h.firstChild);
    }
    const headingText = (h) => {
      const clone = h.cloneNode(true);
      clone.querySelectorAll(".headerlink").forEach((a) => a.remove());
      return clone.textContent.replace(/\s+/g, " ").trim();
    };
    const documents = [...document.querySelectorAll('span[id^="document-"] + section')];
    const contents = documents.map(titleOf).filter(Boolean).map(headingText);
    if (front) {
      const main = document.querySelector("article.bd-article") || document.querySelector("main");
      const el = (tag, cls, text) => {
        const e = document.createElement(tag);
        if (cls) e.className = cls;
        if (text !== undefined) e.textContent = text;
        return e;
      };
      const title = el("div", "pdf-title-page");
      title.append(el("p", "pdf-title", front.title));
      if (front.subtitle) title.append(el("p", "pdf-subtitle", front.subtitle));
      for (const line of front.lines) title.append(el("p", "pdf-line", line));
      title.append(el("p", "pdf-cite-head", "How to cite"));
      title.append(el("p", "pdf-cite", front.cite));
      const toc = el("div", "pdf-contents");
      toc.append(el("p", "pdf-contents-head", "Contents"));
      const list = el("ol", "pdf-contents-list");
      for (const t of contents) {
        const li = el("li");
        li.append(el("span", "pdf-contents-title", t));
        li.append(el("span", "pdf-contents-page", String(front.contents[t] ?? "888")));
        list.append(li);
      }
      toc.append(list);
      main.prepend(title, toc);
      const style = document.createElement("style");
      style.textContent = `
        #jb-print-docs-body { display: none !important; }
        .pdf-title-page { break-after: page; padding-top: 30mm; }
        .pdf-title { font-size: 30pt; font-weight: 700; margin: 0 0 4mm; }
        .pdf-subtitle { font-size: 15pt; margin: 0 0 14mm; }
        .pdf-line { font-size: 11pt; margin: 0 0 2mm; }
        .pdf-cite-head { font-weight: 700; margin: 14mm 0 2mm; }
        .pdf-cite { font-size: 10pt; }
        .pdf-contents { break-after: page; }
        .pdf-contents-head { font-size: 20pt; font-weight: 700; margin: 0 0 6mm; }
        .pdf-contents-list { list-style: none; padding: 0; }
        .pdf-contents-list li { display: flex; gap: 4mm; margin: 0 0 2mm; break-inside: avoid; }
        .pdf-contents-title { flex: 1; border-bottom: 1px dotted #888; }
        .pdf-contents-page { width: 12mm; text-align: right; font-variant-numeric: tabular-nums; }`;
      document.head.append(style);
    }
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
      contents,
      exercises: document.querySelectorAll(".exercise").length,
      solutions: document.querySelectorAll(".solution").length,
      solutionsRemoved,
    };
  }, { front, noSolutions });
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
