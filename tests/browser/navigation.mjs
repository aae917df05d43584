// Click the site's navigation as a reader does, at phone and desktop sizes.
//
//   node tests/browser/navigation.mjs --base http://127.0.0.1:8000/ --out report.json \
//        [--chromium /usr/bin/chromium] [--screenshots DIR] chapters/01_introduction.html search.html ...
//
// For every page and viewport the report records, as measured (the test decides):
//   phone (390 x 844):
//     primaryOpen / primaryClosed      the table-of-contents drawer opens when its button is
//                                      clicked (a visible dialog with chapter links) and closes
//                                      on Escape
//     secondaryOpen / secondaryClosed  the same for the page-contents drawer
//   desktop (1280 x 800):
//     sidebarHidden / sidebarShown     the sidebar toggle hides the table of contents and
//                                      shows it again
//   both:
//     searchBoxes      visible search fields (one expected: the sidebar's, or none on a phone)
//     headerHeight     height of the theme's top header band (0: no empty band)
// Exit code 0 when the checks ran (whatever they found), 2 on a usage or browser error.

import { writeFileSync, mkdirSync } from "node:fs";
import { parseArgs } from "node:util";

import { chromium } from "playwright-core";

import { CHROMIUM_ARGS } from "./chromium_args.mjs";

const { values: opts, positionals: pages } = parseArgs({
  allowPositionals: true,
  options: {
    base: { type: "string" },
    out: { type: "string" },
    chromium: { type: "string", default: process.env.CHROMIUM || "/usr/bin/chromium" },
    screenshots: { type: "string" },
  },
});
if (!opts.base || !opts.out || pages.length === 0) {
  console.error("usage: node navigation.mjs --base URL --out FILE [--screenshots DIR] PAGE...");
  process.exit(2);
}
const base = new URL(opts.base.endsWith("/") ? opts.base : opts.base + "/");
const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };

// Visible: laid out with a size, not hidden by CSS, inside the viewport horizontally.
function visibleCount(page, selector) {
  return page.evaluate((sel) => [...document.querySelectorAll(sel)].filter((el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none"
      && r.right > 0 && r.left < window.innerWidth;
  }).length, selector);
}

async function dialogState(page, id) {
  return page.evaluate((dialogId) => {
    const d = document.getElementById(dialogId);
    if (!d) return { exists: false, open: false, links: 0 };
    const r = d.getBoundingClientRect();
    const links = [...d.querySelectorAll("a")].filter((a) => a.getBoundingClientRect().height > 0).length;
    return { exists: true, open: d.open && r.width > 0 && r.height > 0, links };
  }, id);
}

async function clickVisible(page, selector) {
  const button = page.locator(`${selector}:visible`).first();
  if ((await button.count()) === 0) return `no visible ${selector}`;
  try {
    await button.click({ timeout: 3000 });
  } catch (err) {
    return `click on ${selector} failed: ${String(err.message).split("\n")[0]}`;
  }
  await page.waitForTimeout(400);
  return null;
}

async function checkPhone(page, result) {
  for (const [name, selector, dialog] of [
    ["primary", ".primary-toggle", "pst-primary-sidebar-modal"],
    ["secondary", ".secondary-toggle", "pst-secondary-sidebar-modal"],
  ]) {
    const error = await clickVisible(page, selector);
    const opened = await dialogState(page, dialog);
    result[`${name}Open`] = !error && opened.open && opened.links > 0;
    if (error) result.errors.push(error);
    if (opts.screenshots && name === "primary") {
      await page.screenshot({ path: `${opts.screenshots}/${result.slug}-phone-drawer.png` });
    }
    await page.keyboard.press("Escape");
    await page.waitForTimeout(400);
    result[`${name}Closed`] = !(await dialogState(page, dialog)).open;
  }
}

async function checkDesktop(page, result) {
  const sidebarVisible = () => page.evaluate(() => {
    const s = document.getElementById("pst-primary-sidebar");
    if (!s) return false;
    const r = s.getBoundingClientRect();
    return r.width > 50 && getComputedStyle(s).visibility !== "hidden" && r.right > 0;
  });
  result.sidebarInitiallyShown = await sidebarVisible();
  let error = await clickVisible(page, ".primary-toggle");
  if (error) result.errors.push(error);
  await page.waitForTimeout(400);
  result.sidebarHidden = !error && !(await sidebarVisible());
  error = await clickVisible(page, ".primary-toggle");
  if (error) result.errors.push(error);
  await page.waitForTimeout(400);
  result.sidebarShown = !error && (await sidebarVisible());
}

const browser = await chromium.launch({ executablePath: opts.chromium, args: CHROMIUM_ARGS });
const results = [];
try {
  if (opts.screenshots) mkdirSync(opts.screenshots, { recursive: true });
  for (const pagePath of pages) {
    for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
      const context = await browser.newContext({ viewport });
      await context.route("**/*", (route) =>
        new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort());
      const page = await context.newPage();
      const slug = pagePath.replace(/[^a-z0-9]+/gi, "_");
      const result = { page: pagePath, viewport: viewportName, slug, errors: [] };
      await page.goto(new URL(pagePath, base).href, { waitUntil: "load" });
      await page.waitForTimeout(300);
      result.searchBoxes = await visibleCount(page, ".search-button-field, form.bd-search");
      result.headerHeight = await page.evaluate(() => {
        const h = document.querySelector("header.bd-header");
        return h ? Math.round(h.getBoundingClientRect().height) : 0;
      });
      if (opts.screenshots) {
        await page.screenshot({ path: `${opts.screenshots}/${slug}-${viewportName}.png` });
      }
      if (viewportName === "phone") await checkPhone(page, result);
      else await checkDesktop(page, result);
      results.push(result);
      await context.close();
    }
  }
} finally {
  await browser.close();
}
writeFileSync(opts.out, JSON.stringify({ results }, null, 2));
