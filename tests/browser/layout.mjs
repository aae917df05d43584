// Measure the layout of pages at phone width: nothing may make the page scroll
// sideways, and nothing may be cut off.
//
//   node tests/browser/layout.mjs --base http://127.0.0.1:8000/ --out report.json \
//        [--width 390] [--chromium /usr/bin/chromium] PAGE...
//
// Every page is opened at the given width (default 390 px, a phone), after MathJax has
// typeset it and with folded content (solutions, hints) unfolded. The report lists, per page:
//   pageOverflow   how far the page is wider than the screen, in px (0: no sideways scroll)
//   clipped        elements whose content is cut off: an element inside a box that hides
//                  its overflow, reaching past that box's edge
//   wideCode       code blocks whose lines are wider than their box (they would need
//                  sideways scrolling)
//   scrollers      wide formulas and tables that scroll inside their own box (allowed)
//   weight         bytes (uncompressed) of the scripts, stylesheets and fonts the page loaded
//   resources      each of those resources: [path, kind, bytes], largest first
// Exit code 0 when the measurement ran, 2 on a usage or browser error.

import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

import { chromium } from "playwright-core";

import { CHROMIUM_ARGS } from "./chromium_args.mjs";

const { values: opts, positionals: pages } = parseArgs({
  allowPositionals: true,
  options: {
    base: { type: "string" },
    out: { type: "string" },
    width: { type: "string", default: "390" },
    chromium: { type: "string", default: process.env.CHROMIUM || "/usr/bin/chromium" },
    jobs: { type: "string", default: "3" },
  },
});
if (!opts.base || !opts.out || pages.length === 0) {
  console.error("usage: node layout.mjs --base URL --out FILE [--width PX] PAGE...");
  process.exit(2);
}
const base = new URL(opts.base.endsWith("/") ? opts.base : opts.base + "/");
const width = Number(opts.width);

async function waitForMathJax(page) {
  await page.waitForFunction(() => {
    const mj = window.MathJax;
    if (!document.querySelector(".math")) return true;
    return mj && mj.startup && mj.startup.promise;
  }, null, { timeout: 30000 });
  await page.evaluate(() => (window.MathJax && window.MathJax.startup
    ? window.MathJax.startup.promise : Promise.resolve()));
}

function measure() {
  const describe = (el) => {
    const cls = typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/)[0] : "";
    const text = (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 60);
    const section = el.closest("section[id]");
    return `${el.tagName.toLowerCase()}${cls} in #${section ? section.id : "?"}: "${text}"`;
  };
  const doc = document.documentElement;
  const pageOverflow = Math.max(0, doc.scrollWidth - window.innerWidth);
  const article = document.querySelector("main") || document.body;
  const clipped = [];
  const scrollers = [];
  const wideCode = [];
  const seen = new Set();
  for (const el of article.querySelectorAll("mjx-container, img, table, pre, svg, .cell_output, .admonition, .proof, div.math")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (el.tagName === "PRE" && el.scrollWidth > el.clientWidth + 1) {
      wideCode.push(describe(el));
      continue;
    }
    // Walk up to the nearest box that does not let overflow show.
    for (let box = el.parentElement; box && box !== doc; box = box.parentElement) {
      const ox = getComputedStyle(box).overflowX;
      if (ox === "visible") continue;
      const br = box.getBoundingClientRect();
      if (r.right > br.right + 1 || r.left < br.left - 1) {
        if (ox === "auto" || ox === "scroll") {
          if (!seen.has(box)) { seen.add(box); scrollers.push(describe(box)); }
        } else {
          clipped.push(`${describe(el)} cut by ${box.tagName.toLowerCase()}.${(box.className || "").toString().split(" ")[0]} (overflow-x ${ox})`);
        }
      }
      break;
    }
    // Anything reaching past the screen edge with no scrolling box around it.
    if (r.right > window.innerWidth + 1 && !el.closest("[style*='overflow'], .pst-scrollable-table-container")) {
      let scrolls = false;
      for (let box = el.parentElement; box && box !== doc; box = box.parentElement) {
        const ox = getComputedStyle(box).overflowX;
        if (ox === "auto" || ox === "scroll") { scrolls = true; break; }
      }
      if (!scrolls) clipped.push(`${describe(el)} reaches ${Math.round(r.right)} px on a ${window.innerWidth} px screen`);
    }
  }
  const weight = { script: 0, css: 0, font: 0 };
  const resources = [];
  for (const entry of performance.getEntriesByType("resource")) {
    const name = entry.name.split("?")[0];
    const kind = /\.js$/.test(name) ? "script" : /\.css$/.test(name) ? "css"
      : /\.(woff2?|ttf|otf|eot)$/.test(name) ? "font" : null;
    if (!kind) continue;
    weight[kind] += entry.decodedBodySize || 0;
    resources.push([name.replace(location.origin + "/", ""), kind, entry.decodedBodySize || 0]);
  }
  resources.sort((a, b) => b[2] - a[2]);
  return { pageOverflow, clipped: [...new Set(clipped)], scrollers, wideCode, weight, resources };
}

const browser = await chromium.launch({ executablePath: opts.chromium, args: CHROMIUM_ARGS });
const results = [];
const queue = [...pages];
async function worker() {
  const context = await browser.newContext({ viewport: { width, height: 844 } });
  await context.route("**/*", (route) =>
    new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort());
  const page = await context.newPage();
  while (queue.length) {
    const pagePath = queue.shift();
    await page.goto(new URL(pagePath, base).href, { waitUntil: "load" });
    await waitForMathJax(page);
    // Unfold every folded block so that its content is measured too.
    await page.evaluate(() => {
      document.querySelectorAll("details").forEach((d) => { d.open = true; });
      document.querySelectorAll(".toggle-hidden, .dropdown .toggle-details__container").forEach((e) => e.classList.remove("toggle-hidden"));
      document.querySelectorAll("button.toggle-button").forEach((b) => b.click());
    });
    await page.waitForTimeout(200);
    results.push({ page: pagePath, ...(await page.evaluate(measure)) });
  }
  await context.close();
}
try {
  await Promise.all(Array.from({ length: Number(opts.jobs) }, worker));
} finally {
  await browser.close();
}
results.sort((a, b) => a.page.localeCompare(b.page));
writeFileSync(opts.out, JSON.stringify({ width, results }, null, 2));
