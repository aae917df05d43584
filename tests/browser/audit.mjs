// Audit pages of the built site in headless Chromium.
//
//   node tests/browser/audit.mjs --base http://127.0.0.1:8000/ --out report.json \
//        [--modes light,dark] [--jobs 3] [--chromium /usr/bin/chromium] index.html chapters/01_introduction.html ...
//
// The site must already be served on 127.0.0.1 (tests/test_site.py does that).
// For every page and colour mode the report records:
//   requests     requests to any host other than 127.0.0.1 (they are blocked, not sent)
//   console      console errors, uncaught exceptions and failed local requests
//   math         equations left untypeset: .math elements without MathJax output,
//                MathJax error boxes, raw \( \[ $$ \begin{ or TeX commands left in the text
//   images       <img> elements without a non-empty alt text
//   axe          axe-core violations (every impact; the test fails on serious and critical)
// Each page is audited after MathJax has finished and with its folded content (exercise
// solutions) unfolded. The first colour mode runs every axe rule; the others, whose
// pages differ only in colours, run the colour rules.
// Exit code 0 when the audit ran (whatever it found), 2 on a usage or browser error.

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

import { chromium } from "playwright-core";

import { CHROMIUM_ARGS } from "./chromium_args.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");


const { values: opts, positionals: pages } = parseArgs({
  allowPositionals: true,
  options: {
    base: { type: "string" },
    out: { type: "string" },
    modes: { type: "string", default: "light,dark" },
    chromium: { type: "string", default: process.env.CHROMIUM || "/usr/bin/chromium" },
    timeout: { type: "string", default: "30000" },
    jobs: { type: "string", default: "3" },
  },
});
if (!opts.base || !opts.out || pages.length === 0) {
  console.error("usage: node audit.mjs --base URL --out FILE [--modes light,dark] PAGE...");
  process.exit(2);
}
const firstMode = opts.modes.split(",")[0];
// axe-core rules whose outcome depends on colours.
const COLOUR_RULES = ["color-contrast", "link-in-text-block"];
const base = new URL(opts.base.endsWith("/") ? opts.base : opts.base + "/");
const timeout = Number(opts.timeout);

function isLocal(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === "data:" || u.protocol === "blob:" || u.protocol === "about:") return true;
  return u.hostname === "127.0.0.1";
}

// Runs in the page after MathJax has finished: everything but axe.
function inspectPage() {
  const skip = "script, style, pre, code, textarea, mjx-container, .highlight, .output, .cell_output";
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const delimiters = /\\\(|\\\)|\\\[|\\\]|\$\$|\\begin\{/;
  // A dollar sign or a TeX command in plain text: math whose $...$ did not pair up
  // (the book's prose has no literal dollar signs), so MathJax never saw it whole.
  const texCommand = /\\(?:frac|hat|mid|sum|prod|operatorname|mathbb|mathrm|mathbf|cdot|sigma|infty|left|right|log|exp|max|min|le|ge|ne|in|to|ast|top|quad|text|dots)(?![A-Za-z])/;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    const text = node.textContent;
    if (delimiters.test(text) || texCommand.test(text) || text.includes("$")) {
      raw.push(text.trim().slice(0, 120));
    }
  }
  const mathElements = [...document.querySelectorAll(".math")];
  const untypeset = mathElements
    .filter((el) => !el.querySelector("mjx-container"))
    .map((el) => el.textContent.trim().slice(0, 120));
  const errors = [...document.querySelectorAll("mjx-merror, mjx-container [data-mjx-error]")].map(
    (el) => (el.getAttribute("data-mjx-error") || el.textContent).slice(0, 120),
  );
  const images = [...document.querySelectorAll("img")];
  const noAlt = images
    .filter((img) => !(img.getAttribute("alt") || "").trim())
    .map((img) => img.getAttribute("src"));
  return {
    theme: document.documentElement.dataset.theme || "",
    title: document.title,
    mathCount: mathElements.length,
    typesetCount: document.querySelectorAll("mjx-container").length,
    math: [...untypeset.map((t) => `untypeset: ${t}`), ...errors.map((t) => `MathJax error: ${t}`),
      ...raw.map((t) => `raw TeX in text: ${t}`)],
    imageCount: images.length,
    images: noAlt,
  };
}

async function auditPage(context, path, mode) {
  const url = new URL(path, base).href;
  const result = { page: path, mode, requests: [], console: [], math: [], images: [], axe: [] };
  const t0 = Date.now();
  const page = await context.newPage();
  // Nothing may leave the machine: record and block every request to another host.
  await page.route("**/*", (route) => {
    const req = route.request();
    if (isLocal(req.url())) return route.continue();
    result.requests.push(req.url());
    return route.abort("blockedbyclient");
  });
  page.on("console", (msg) => {
    if (msg.type() === "error") {
      const loc = msg.location();
      result.console.push(`${msg.text()}${loc && loc.url ? ` (${loc.url})` : ""}`);
    }
  });
  page.on("pageerror", (err) => result.console.push(`uncaught: ${err.message}`));
  page.on("requestfailed", (req) => {
    if (isLocal(req.url())) result.console.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on("response", (resp) => {
    if (resp.status() >= 400) result.console.push(`HTTP ${resp.status()}: ${resp.url()}`);
  });
  try {
    await page.goto(url, { waitUntil: "load", timeout });
    // Wait for MathJax (present only on pages with math) to finish typesetting, and for fonts.
    await page.evaluate(async () => {
      if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
        await window.MathJax.startup.promise;
      }
      await document.fonts.ready;
    });
    // Unfold what a reader can unfold (solutions, folded cells), so that it is audited too.
    await page.evaluate(() => {
      document.querySelectorAll(".toggle-hidden > .admonition-title").forEach((title) => title.click());
      document.querySelectorAll("details:not([open])").forEach((d) => (d.open = true));
    });
    Object.assign(result, await page.evaluate(inspectPage));
    if (result.theme !== mode) result.console.push(`colour mode is "${result.theme}", expected "${mode}"`);
    result.loadSeconds = (Date.now() - t0) / 1000;
    // Audit the page at rest: no colour caught half-way through a CSS transition.
    await page.addStyleTag({
      content: "*, *::before, *::after { transition: none !important; animation: none !important; }",
    });
    await page.evaluate(AXE_SOURCE);
    // The colour modes differ only in colours (same DOM), so the second and later modes
    // run the colour rules only; the first runs every rule.
    const runOnly = mode === firstMode ? null : COLOUR_RULES;
    const violations = await page.evaluate(async (runOnly) => {
      const options = { resultTypes: ["violations"] };
      if (runOnly) options.runOnly = { type: "rule", values: runOnly };
      const r = await window.axe.run(document, options);
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({
          target: n.target.join(" "),
          html: n.html.slice(0, 200),
          summary: (n.failureSummary || "").slice(0, 300),
        })),
      }));
    }, runOnly);
    result.axe = violations;
  } catch (err) {
    result.console.push(`audit error: ${err.message.split("\n")[0]}`);
  } finally {
    await page.close();
  }
  result.seconds = (Date.now() - t0) / 1000;
  return result;
}

const started = Date.now();
let browser;
try {
  browser = await chromium.launch({ executablePath: opts.chromium, headless: true, args: CHROMIUM_ARGS });
} catch (err) {
  console.error(`cannot start Chromium at ${opts.chromium}: ${err.message.split("\n")[0]}`);
  process.exit(2);
}
const results = [];
const version = browser.version();
const concurrency = Math.max(1, Number(opts.jobs));
try {
  const contexts = {};
  for (const mode of opts.modes.split(",")) {
    contexts[mode] = await browser.newContext({ colorScheme: mode, viewport: { width: 1280, height: 900 } });
  }
  const tasks = Object.keys(contexts).flatMap((mode) => pages.map((path) => ({ mode, path })));
  let next = 0;
  async function worker() {
    while (next < tasks.length) {
      const { mode, path } = tasks[next++];
      const result = await auditPage(contexts[mode], path, mode);
      // Blocked requests also show up as failed requests and console errors; count them once.
      result.console = result.console.filter((c) => !result.requests.some((u) => c.includes(u)));
      results.push(result);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  for (const context of Object.values(contexts)) await context.close();
} finally {
  await browser.close();
}
results.sort((a, b) => (a.mode + a.page).localeCompare(b.mode + b.page));
const report = { chromium: version, seconds: (Date.now() - started) / 1000, results };
writeFileSync(opts.out, JSON.stringify(report, null, 2));
console.log(`audited ${pages.length} pages x ${opts.modes.split(",").length} modes in ${report.seconds.toFixed(1)} s`);
