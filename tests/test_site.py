"""The published site, checked in a real browser, and the PDF of the whole book.

Every HTML page of the built site is served on 127.0.0.1 and opened in headless
Chromium, in light and in dark mode, by ``tests/browser/audit.mjs``
(playwright-core drives Debian's Chromium; axe-core audits accessibility). For
every page:

* no request goes to any host but 127.0.0.1 (requests elsewhere are blocked and
  reported);
* nothing is logged as a console error, and no script throws;
* every equation is typeset by the local MathJax: each ``.math`` element holds
  MathJax output, no MathJax error box, no raw ``\\(``, ``\\[`` or ``$$`` left in
  the text;
* every image has a non-empty alt text;
* axe-core finds no serious or critical violation (solutions and other folded
  content are unfolded first, so they are audited too).

Navigation is clicked as a reader does (``tests/browser/navigation.mjs``): at phone
width (390 px) the table-of-contents and page-contents buttons open their drawers and
Escape closes them; at desktop width the sidebar toggle hides and shows the contents;
no empty header band and no duplicate search field. Every page is measured at phone
width (``tests/browser/layout.mjs``): the page never scrolls sideways, nothing is cut
off (a wide formula or table scrolls inside its own box), and code wraps to the
screen; the page weight (scripts, styles, fonts) is at most 2 MB on every page and
each resource of the heaviest page is listed. The search page is searched for words
that stand next to formulas (``tests/browser/search.mjs``): the result snippets show
the formulas as text, with no TeX command, delimiter or dollar sign.

The PDF is printed by ``tools/build_pdf.py`` (the command behind ``make pdf``) and
must contain every chapter of ``_toc.yml`` with its equations typeset.

These tests need Chromium and the npm packages::

    apt-get install chromium          # Debian's package, /usr/bin/chromium
    npm ci --prefix tests/browser     # playwright-core and axe-core, as pinned

Without them the browser tests are skipped with that message, except in continuous
integration (``CI=true``), where they fail instead. One more test, which needs no
browser, checks that every page links the issue tracker (errata) and every chapter
offers its notebook for download and on Binder and Colab.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

from book_structure import toc_chapters, toc_docnames
from tools.build_pdf import no_solutions_path, serve

ROOT = Path(__file__).resolve().parent.parent
BROWSER_DIR = ROOT / "tests" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
MODES = ("light", "dark")
# Folders of the built site that hold assets, not pages.
NOT_PAGES = {"_static", "_sources", "_images", "_downloads", "jupyter_execute"}
HOW_TO_ENABLE = (
    "install Debian's Chromium (`apt-get install chromium`) and the pinned npm packages "
    "(`npm ci --prefix tests/browser`, or `make browser`)"
)


def _missing() -> list[str]:
    missing = []
    if shutil.which("node") is None:
        missing.append("node")
    if not Path(CHROMIUM).exists():
        missing.append(f"Chromium at {CHROMIUM}")
    for package in ("playwright-core", "axe-core"):
        if not (BROWSER_DIR / "node_modules" / package / "package.json").is_file():
            missing.append(f"the npm package {package}")
    return missing


@pytest.fixture(scope="module")
def browser_available() -> None:
    missing = _missing()
    if missing:
        message = f"browser checks need {', '.join(missing)}: {HOW_TO_ENABLE}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: the browser checks must run)")
        pytest.skip(message)


@pytest.fixture(scope="module")
def site(built_site) -> Path:
    """The site built by the strict build test (``tests/conftest.py``)."""
    return built_site


def site_pages(html: Path) -> list[str]:
    """Every HTML page of the built site, relative to its root."""
    pages = []
    for path in sorted(html.rglob("*.html")):
        rel = path.relative_to(html)
        if rel.parts[0] in NOT_PAGES:
            continue
        pages.append(rel.as_posix())
    return pages


def toc_entries() -> tuple[list[str], list[str]]:
    """(every document in _toc.yml, the chapters among them), as docnames."""
    return toc_docnames(ROOT), toc_chapters(ROOT)


def run_browser_script(script: str, site: Path, workdir: Path, *args: str) -> dict:
    """Serve `site`, run ``tests/browser/<script>`` on it and return its JSON report.

    Every script takes ``--base URL --out FILE --chromium PATH`` plus its own `args`.
    """
    report_file = workdir / "report.json"
    with serve(site) as base:
        cmd = ["node", str(BROWSER_DIR / script), "--base", base, "--out", str(report_file)]
        cmd += ["--chromium", CHROMIUM, *args]
        result = subprocess.run(cmd, cwd=BROWSER_DIR, capture_output=True, text=True, timeout=900)
    if result.returncode != 0 or not report_file.is_file():
        pytest.fail(
            f"{script} did not run ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return json.loads(report_file.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def audit(browser_available, site, tmp_path_factory) -> dict:
    """Run the browser audit over every page; return its report."""
    pages = site_pages(site)
    report = run_browser_script(
        "audit.mjs", site, tmp_path_factory.mktemp("audit"), "--modes", ",".join(MODES), *pages
    )
    report["pages"] = pages
    print(
        f"\nbrowser audit: {len(pages)} pages x {len(MODES)} modes in {report['seconds']:.1f} s "
        f"(Chromium {report['chromium']})"
    )
    lesser = sorted(
        {
            f"{v['impact']} {v['id']}"
            for r in report["results"]
            for v in r["axe"]
            if v["impact"] not in ("serious", "critical")
        }
    )
    if lesser:
        print("axe-core also reports (not failing the test): " + ", ".join(lesser))
    return report


def test_every_page_links_errata_and_chapters_have_notebook_buttons(site):
    """The issue tracker is linked from every page; chapters offer .ipynb, Binder, Colab."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    repo = config["repository"]["url"].rstrip("/")
    branch = config["repository"].get("branch", "main")
    org_repo = repo.split("github.com/", 1)[1]
    docs, chapters = toc_entries()
    problems = []
    for doc in docs:
        page = (site / f"{doc}.html").read_text(encoding="utf-8")
        if f'href="{repo}/issues' not in page:
            problems.append(f"{doc}.html: no link to {repo}/issues")
    for doc in chapters:
        page = (site / f"{doc}.html").read_text(encoding="utf-8")
        expected = {
            "download (.ipynb)": f"_sources/{doc}.ipynb",
            "Binder": f"/v2/gh/{org_repo}/{branch}?urlpath=lab/tree/{doc}.ipynb",
            "Colab": f"/github/{org_repo}/blob/{branch}/{doc}.ipynb",
        }
        problems += [
            f"{doc}.html: no {name} link" for name, href in expected.items() if href not in page
        ]
        if not (site / "_sources" / f"{doc}.ipynb").is_file():
            problems.append(f"_sources/{doc}.ipynb is not in the site")
    assert not problems, "\n".join(problems)


def test_icon_fonts_hold_every_icon_shown_and_search_loads_only_where_used(site):
    """The slimmed icon fonts keep each icon a page names; the search index stays on search.html.

    sphinx-design's stylesheet is loaded exactly by the pages that use its components.
    ``_ext/site_fixes.py`` cuts Font Awesome down to the icons in use; an icon missing
    from the cut font would show as an empty box.
    """
    from fontTools.ttLib import TTFont

    css = (site / "_static" / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    webfonts = site / "_static" / "vendor" / "fontawesome" / "webfonts"
    fonts = sorted(webfonts.glob("*.subset.woff"))
    assert len(fonts) == 3, fonts
    for font in fonts:
        assert f"url(../vendor/fontawesome/webfonts/{font.name})" in css, font.name
        assert font.stat().st_size < 20_000, (font.name, font.stat().st_size)
    glyphs = set().union(*(TTFont(str(font)).getBestCmap() for font in fonts))
    rules = {
        name: code
        for selectors, code in re.findall(
            r"((?:\.fa-[a-z0-9-]+:before,?)+)\{content:\"\\([0-9a-f]+)\"\}", css
        )
        for name in re.findall(r"fa-[a-z0-9-]+", selectors)
    }
    missing, shown = [], set()
    for page in site_pages(site):
        html = (site / page).read_text(encoding="utf-8")
        for name in set(re.findall(r"\bfa-[a-z0-9-]+", html)) & set(rules):
            shown.add(name)
            if int(rules[name], 16) not in glyphs:
                missing.append(f"{page}: {name}")
        loads_index = "searchindex.js" in html
        if loads_index != (page == "search.html"):
            missing.append(f"{page}: loads searchindex.js: {loads_index}")
        uses_design = re.search(r'class="(?:[^"]*\s)?sd-', html) is not None
        if ("sphinx-design.min.css" in html) != uses_design:
            missing.append(f"{page}: sphinx-design components {uses_design}, stylesheet not")
    assert not missing, "\n".join(missing)
    assert {"fa-github", "fa-magnifying-glass", "fa-download"} <= shown, sorted(shown)


def findings(report: dict, kind: str) -> list[str]:
    lines = []
    for result in report["results"]:
        for item in result[kind]:
            lines.append(f"{result['page']} [{result['mode']}]: {item}")
    return lines


def test_every_toc_page_is_audited_in_both_modes(audit):
    docs, _ = toc_entries()
    audited = {(r["page"], r["mode"]) for r in audit["results"]}
    missing = [
        f"{doc}.html [{mode}]"
        for doc in docs
        for mode in MODES
        if (f"{doc}.html", mode) not in audited
    ]
    assert not missing, "pages of _toc.yml not audited: " + ", ".join(missing)
    wrong_mode = [
        f"{r['page']} [{r['mode']}] rendered as {r.get('theme')!r}"
        for r in audit["results"]
        if r.get("theme") != r["mode"]
    ]
    assert not wrong_mode, "\n".join(wrong_mode)


def test_no_request_leaves_the_machine(audit):
    found = findings(audit, "requests")
    assert not found, "requests to hosts other than 127.0.0.1:\n" + "\n".join(found)


def test_no_console_errors(audit):
    found = findings(audit, "console")
    assert not found, "console errors:\n" + "\n".join(found)


def test_every_equation_is_typeset(audit):
    found = findings(audit, "math")
    assert not found, "equations not typeset by MathJax:\n" + "\n".join(found)
    for result in audit["results"]:
        assert result["typesetCount"] >= result["mathCount"], result["page"]
    # The check is not vacuous: the chapters have equations and MathJax typeset them.
    assert sum(r["typesetCount"] for r in audit["results"] if r["page"].startswith("chapters/")) > 0


def test_every_image_has_alt_text(audit):
    found = findings(audit, "images")
    assert not found, "images without alt text:\n" + "\n".join(found)


def test_no_serious_or_critical_accessibility_violations(audit):
    found = []
    for result in audit["results"]:
        for violation in result["axe"]:
            if violation["impact"] in ("serious", "critical"):
                targets = "; ".join(n["target"] for n in violation["nodes"][:5])
                found.append(
                    f"{result['page']} [{result['mode']}]: {violation['impact']} {violation['id']} "
                    f"({violation['help']}) at {targets}"
                )
    assert not found, "axe-core violations:\n" + "\n".join(found)


# --- Navigation at phone and desktop sizes -----------------------------------

# One page of each kind: the landing page, a chapter, a reference page, the search page.
NAVIGATION_PAGES = ("index.html", "chapters/01_introduction.html", "api.html", "search.html")


@pytest.fixture(scope="module")
def navigation(browser_available, site, tmp_path_factory) -> list[dict]:
    """Click the drawers and the sidebar toggle (tests/browser/navigation.mjs)."""
    workdir = tmp_path_factory.mktemp("navigation")
    return run_browser_script("navigation.mjs", site, workdir, *NAVIGATION_PAGES)["results"]


def test_phone_drawers_open_and_close(navigation):
    """At 390 px the contents and page-contents buttons open their drawers; Escape closes them."""
    problems = []
    for r in navigation:
        if r["viewport"] != "phone":
            continue
        drawers = ("primary", "secondary") if r["page"] != "search.html" else ("primary",)
        for drawer in drawers:
            if not r[f"{drawer}Open"]:
                problems.append(f"{r['page']}: the {drawer} drawer did not open {r['errors']}")
            if not r[f"{drawer}Closed"]:
                problems.append(f"{r['page']}: the {drawer} drawer did not close on Escape")
    assert not problems, "\n".join(problems)


def test_desktop_sidebar_toggle_hides_and_shows_the_contents(navigation):
    problems = [
        f"{r['page']}: shown {r['sidebarInitiallyShown']}, hidden after a click "
        f"{r['sidebarHidden']}, shown after a second {r['sidebarShown']} {r['errors']}"
        for r in navigation
        if r["viewport"] == "desktop"
        and not (r["sidebarInitiallyShown"] and r["sidebarHidden"] and r["sidebarShown"])
    ]
    assert not problems, "\n".join(problems)


def test_no_empty_header_band_and_one_search_box(navigation):
    """No hidden second header takes space; one search field (two on the search page)."""
    problems = []
    for r in navigation:
        allowed = 2 if r["page"] == "search.html" else 1
        if r["headerHeight"] != 0:
            problems.append(
                f"{r['page']} [{r['viewport']}]: a top header band {r['headerHeight']} px high"
            )
        if r["searchBoxes"] > allowed:
            problems.append(
                f"{r['page']} [{r['viewport']}]: {r['searchBoxes']} visible search fields"
            )
    assert not problems, "\n".join(problems)


# --- Search result snippets ------------------------------------------------------

# Words that stand next to formulas in the chapters.
SEARCH_QUERIES = ("temperature", "simplex")
# What raw TeX looks like in a snippet: a command, a math delimiter or a dollar sign.
RAW_TEX = re.compile(r"\\[A-Za-z]+|\\[()\[\]]|\$")


@pytest.fixture(scope="module")
def search_results(browser_available, site, tmp_path_factory) -> list[dict]:
    """Search the site for each query (tests/browser/search.mjs)."""
    workdir = tmp_path_factory.mktemp("search")
    return run_browser_script("search.mjs", site, workdir, *SEARCH_QUERIES)["results"]


def test_search_snippets_show_no_raw_tex(search_results):
    """Formulas in result snippets read as text (ℝ^n, ∑_i p_i), not as TeX source."""
    raw, snippets = [], []
    for result in search_results:
        assert result["results"] > 0 and not result["errors"], result
        for hit in result["snippets"]:
            text = " ".join(hit["text"].split())
            snippets.append(text)
            found = RAW_TEX.findall(text)
            if found:
                raw.append(f"{result['query']!r} -> {hit['href']}: {found[:5]} in {text[:200]!r}")
    assert not raw, "search snippets with raw TeX:\n" + "\n".join(raw)
    # Not vacuous: snippets were made, and formulas in them were turned into text.
    assert sum(bool(s) for s in snippets) >= 5, snippets
    assert any(c in s for s in snippets for c in "ℝΔ∑≤≥∈"), snippets


# --- Every page at phone width -------------------------------------------------

PHONE_WIDTH = 390


@pytest.fixture(scope="module")
def phone_layout(browser_available, site, tmp_path_factory) -> list[dict]:
    """Measure every page at phone width (tests/browser/layout.mjs)."""
    workdir = tmp_path_factory.mktemp("layout")
    args = ("--width", str(PHONE_WIDTH), *site_pages(site))
    results = run_browser_script("layout.mjs", site, workdir, *args)["results"]
    heaviest = max(results, key=lambda r: sum(r["weight"].values()))
    w = heaviest["weight"]
    print(
        "\npage weight (scripts + styles + fonts, uncompressed), "
        f"heaviest page {heaviest['page']}: {sum(w.values()) / 1e6:.3f} MB "
        f"(scripts {w['script'] / 1e6:.3f}, styles {w['css'] / 1e6:.3f}, "
        f"fonts {w['font'] / 1e6:.3f})"
    )
    for path, kind, size in heaviest.get("resources", []):
        print(f"  {size / 1e3:9.1f} kB  {kind:6}  {path}")
    return results


# Scripts, styles and fonts of the heaviest page, uncompressed, at most 2 MB (decimal).
# Measured in November 2026: 1.90 MB on the heaviest page (chapter 2), 1.17 MB of it MathJax.
MAX_PAGE_WEIGHT = 2_000_000


def test_page_weight_at_most_2_mb(phone_layout):
    """Every page loads at most 2 MB of scripts, styles and fonts (uncompressed)."""
    heavy = [
        f"{r['page']}: {sum(r['weight'].values()) / 1e6:.3f} MB "
        f"(largest: {', '.join(f'{p} {s / 1e3:.0f} kB' for p, _, s in r['resources'][:4])})"
        for r in phone_layout
        if sum(r["weight"].values()) > MAX_PAGE_WEIGHT
    ]
    assert not heavy, f"pages over {MAX_PAGE_WEIGHT / 1e6:.1f} MB:\n" + "\n".join(heavy)
    # The measurement is real: a chapter page loads MathJax and the theme's styles.
    chapter = next(r for r in phone_layout if r["page"].startswith("chapters/"))
    assert chapter["weight"]["script"] > 500_000 and chapter["weight"]["css"] > 100_000, chapter


def test_no_page_scrolls_sideways_on_a_phone(phone_layout):
    wide = [
        f"{r['page']}: {r['pageOverflow']} px wider than the screen"
        for r in phone_layout
        if r["pageOverflow"]
    ]
    assert not wide, "\n".join(wide)


def test_nothing_is_cut_off_on_a_phone(phone_layout):
    """Wide formulas and tables scroll in their own box; nothing is clipped unreachably."""
    cut = [f"{r['page']}: {c}" for r in phone_layout for c in r["clipped"]]
    assert not cut, "\n".join(cut)


def test_code_fits_a_phone_screen(phone_layout):
    wide = [f"{r['page']}: {c}" for r in phone_layout for c in r["wideCode"]]
    assert not wide, "code blocks that need sideways scrolling:\n" + "\n".join(wide)


# --- The PDF ---------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf(browser_available, site, tmp_path_factory) -> tuple[Path, dict]:
    """Print the book with the documented command, reusing the site's parsed pages.

    Returns the PDF and the printer's summary (equations found, any left untypeset).
    """
    output = tmp_path_factory.mktemp("pdf") / "softmax-book.pdf"
    path_output = site.parent.parent  # <path-output>/_build/html
    cmd = [
        sys.executable,
        str(ROOT / "tools" / "build_pdf.py"),
        "--output",
        str(output),
        "--path-output",
        str(path_output),
        "--chromium",
        CHROMIUM,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=900)
    if result.returncode != 0:
        pytest.fail(
            f"tools/build_pdf.py failed ({result.returncode}):\n"
            + "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        )
    summary = json.loads(result.stdout.strip().splitlines()[-1].split("; ", 1)[1])
    return output, summary


def _outline_titles(outline: list, depth: int = 0) -> list[tuple[int, str]]:
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles += _outline_titles(item, depth + 1)
        else:
            titles.append((depth, str(item.title)))
    return titles


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


def test_pdf_has_every_chapter_with_equations_typeset(pdf):
    pypdf = pytest.importorskip("pypdf")
    path, summary = pdf
    assert path.is_file() and path.stat().st_size > 100_000, (
        "the PDF is missing or suspiciously small"
    )
    # MathJax typeset every equation before printing (the printer checks each one).
    assert summary["equations"] > 0 and not summary["untypeset"] and not summary["mathjaxErrors"], (
        summary
    )
    assert not summary["external"], summary["external"]
    reader = pypdf.PdfReader(str(path))
    _, chapters = toc_entries()
    assert len(reader.pages) > len(chapters)

    # Each chapter is one numbered entry ("3. Properties of softmax") of the outline.
    titles = _outline_titles(reader.outline)
    numbered = {}
    for _, title in titles:
        match = re.match(r"\s*(\d+)\.\s", title)
        if match:
            numbered.setdefault(int(match.group(1)), title)
    assert sorted(numbered) == list(range(1, len(chapters) + 1)), (
        f"expected chapters 1..{len(chapters)} in the PDF outline, found {sorted(numbered)}"
    )
    for number, docname in enumerate(chapters, start=1):
        source = next(ROOT.glob(docname + ".*"))
        heading = re.search(r"^#\s+(.+)$", _markdown_of(source), re.M)
        assert heading, f"{source.name} has no title"
        assert _squash(heading.group(1)) in _squash(numbered[number]), (
            number,
            heading.group(1),
            numbered[number],
        )


def _markdown_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        return "\n\n".join(
            "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"
        )
    return path.read_text(encoding="utf-8")


# --- The PDF as a handout: title page, contents, no near-empty pages, editions ----

# A page with less text than this is near-empty. The running footer alone ("The
# Softmax Book · 12 / 537") is about 27 characters: the blank pages that empty code
# frames used to leave had 27-35, the title page has about 400, and the shortest page
# measured on the printed book (November 2026) has 174, the last two lines of a
# document (every document starts on a new page). 100 allows a footer plus about one
# line of text.
MIN_PAGE_CHARS = 100


def _page_texts(path: Path) -> list[str]:
    """The text of each page, ligatures (the "fi" of "figures") spelled out."""
    pypdf = pytest.importorskip("pypdf")
    return [
        unicodedata.normalize("NFKC", page.extract_text() or "")
        for page in pypdf.PdfReader(str(path)).pages
    ]


def test_pdf_title_page_and_contents_with_page_numbers(pdf):
    from softmax_lib import __version__

    path, summary = pdf
    texts = _page_texts(path)
    # The title page: title, version, licence, repository, how to cite.
    first = texts[0]
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    for needed in (
        "The Softmax Book",
        f"Version {__version__}",
        "Text and figures CC BY 4.0; code MIT",
        config["repository"]["url"],
        "How to cite",
    ):
        assert needed in first, f"page 1 lacks {needed!r}:\n{first}"

    # The contents (page 2 on) list every document with the page where its title is.
    pages = summary["pages"]
    titles = list(pages)
    contents_text = _squash("".join(texts[1 : min(pages.values()) - 1]))
    for title, number in pages.items():
        assert _squash(title) + str(number) in contents_text, (title, number)
        assert _squash(title) in _squash(texts[number - 1]), (
            f"the contents put {title!r} on page {number}, which does not show it"
        )
    assert [pages[t] for t in titles] == sorted(pages.values())
    # Every chapter is listed, and the API reference is the last entry, an appendix.
    _, chapters = toc_entries()
    listed = [t for t in titles if re.match(r"\d+\.\s", t)]
    assert len(listed) == len(chapters), listed
    assert titles[-1].startswith("Appendix") and "API" in titles[-1], titles


def test_pdf_has_no_near_empty_pages(pdf):
    path, summary = pdf
    short = [
        (edition.name, number, len(text.strip()), text.strip()[:60])
        for edition in (path, no_solutions_path(path))
        for number, text in enumerate(_page_texts(edition), start=1)
        if len(text.strip()) < MIN_PAGE_CHARS
    ]
    assert not short, f"pages with under {MIN_PAGE_CHARS} characters: {short}"


def _exercise_titles() -> list[str]:
    _, chapters = toc_entries()
    titles = []
    for docname in chapters:
        source = next(ROOT.glob(docname + ".*"))
        titles += re.findall(r"^(?:```+|:::+)\{exercise\}\s*(.+)$", _markdown_of(source), re.M)
    return titles


def test_pdf_no_solutions_edition_keeps_exercises_only(pdf):
    path, summary = pdf
    student = no_solutions_path(path)
    full, bare = summary, summary["no_solutions"]
    titles = _exercise_titles()
    assert titles and full["exercises"] == bare["exercises"] >= len(titles), (full, bare)
    assert full["solutions"] > 0 and bare["solutions"] == 0
    assert bare["solutionsRemoved"] == full["solutions"]
    full_text, bare_text = "\n".join(_page_texts(path)), "\n".join(_page_texts(student))
    assert "Solution to Exercise" in full_text
    assert "Solution to Exercise" not in bare_text
    squashed = _squash(bare_text)
    missing = [t for t in titles if _squash(t) not in squashed]
    assert not missing, f"exercises missing from the no-solutions PDF: {missing}"
