"""Small fixes to the HTML that the theme and extensions generate.

Each fix answers a finding of the browser test (``tests/test_site.py``):

* **Duplicate scripts.** sphinx-thebe registers its inline configuration script
  (``const THEBE_JS_URL = ...``) twice, so every page logged the console error
  "Identifier 'THEBE_JS_URL' has already been declared". Scripts that appear twice
  with identical attributes are kept once.
* **Bibliography lists.** docutils writes citations as ``<div role="list">`` whose
  children have ``role="doc-biblioentry"``, a role deprecated in DPUB-ARIA 1.1 and
  not allowed inside a list, so axe-core reports the critical
  ``aria-required-children`` on the bibliography page and on every docstring with a
  References section. The entries get ``role="listitem"``.

* **Code on phones and paper.** Narrow screens and the PDF wrap long code lines
  (``_assets/book.css``). Each line of highlighted code is put in a
  ``span.code-line`` carrying its indentation (``--indent``), so that a wrapped line
  continues two characters right of where its own line starts and Python keeps its
  visible structure. The text (and what the copy button copies) is unchanged.
* **Hidden code cells.** The toggle of a cell tagged ``hide-input`` carries the
  label "Toggle hidden content" but shows "Show code cell source"; the label is
  dropped so that its accessible name is its visible text.
* **Duplicate ids.** sphinx-proof and sphinx-exercise give every block the same ids
  (``proof``, ``proof-content``, ``exercise-content``, ``solution-content``); nothing
  links to them. Repeated ids get a numbered suffix so that every id on a page is
  unique, as HTML requires.

* **Page weight** (``tests/test_site.py`` measures it on every page and lists each
  resource of the heaviest). The theme loads Font Awesome twice: as web fonts through
  its stylesheet, which is all the icons need, and as a 1.5 MB script that redraws
  every icon as SVG; the script tag is removed from every page after the build. The
  web fonts hold about 2,000 icons of which the site shows about twenty: after the
  build the stylesheet keeps the rules of the icons that a page or script names, and
  each font is cut down (fontTools) to the glyphs the remaining stylesheets can show
  (275 kB of fonts became a few kB). The theme also loads Sphinx's search index and
  search script on every page, for a search-as-you-type mode that is off (the search
  box opens the search page, which loads them itself); they are dropped from every
  page but the search page, and sphinx-design's stylesheet and tab script from every
  page that uses none of its components.

* **Editions.** After the build, ``tools/editions.py`` writes a plain-Jupyter edition
  of every chapter (MyST markup turned into plain Markdown, glued numbers filled in,
  an install cell first) for instructors and, without solutions, for students, under
  ``editions/``; the instructor edition is also what the download button serves.

* **Single-page HTML** (the source of the PDF, ``tools/build_pdf.py``). Some
  extensions (sphinx-proof) register their HTML writers for the ``html`` builder
  only, and the ``singlehtml`` builder then fails on their nodes. The ``html``
  writers are copied to ``singlehtml`` where it has none of its own.

The two theme buttons whose accessible names did not match their visible text, and
the sidebar title that sat outside any landmark, are fixed by the templates in
``_templates/``; colour contrast by ``_assets/book.css``;
keyboard access to wide code in unfolded solutions by ``_assets/book.js``.
"""

from __future__ import annotations

import html
import importlib.util
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def _script_key(script: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    attributes = getattr(script, "attributes", {}) or {}
    # An inline script's filename is None or "" depending on who added it.
    filename = str(getattr(script, "filename", script) or "")
    return (filename, tuple(sorted((k, str(v)) for k, v in attributes.items())))


_PRE = re.compile(r'(<div class="highlight"><pre>)(.*?)(</pre>)', re.S)
_PRE_TOKEN = re.compile(r"(<span[^>]*>|</span>|\n)")
_TAG = re.compile(r"<[^>]+>")
_REPEATED_IDS = ("proof", "proof-content", "exercise-content", "solution-content")


def code_lines(code: str) -> str:
    """Wrap each line of Pygments' HTML in ``<span class="code-line">`` with its indent.

    Token spans that cross a line end (docstrings) are closed at the end of the line
    and reopened on the next, so every line span is well formed.
    """
    lines: list[str] = []
    open_tags: list[str] = []
    current: list[str] = list(open_tags)
    for token in _PRE_TOKEN.split(code):
        if token == "\n":
            current.extend("</span>" for _ in open_tags)
            lines.append("".join(current))
            current = list(open_tags)
        elif token.startswith("<span"):
            open_tags.append(token)
            current.append(token)
        elif token == "</span>":
            if open_tags:
                open_tags.pop()
            current.append(token)
        else:
            current.append(token)
    tail = "".join(current)
    if _TAG.sub("", tail).strip():
        lines.append(tail + "".join("</span>" for _ in open_tags))
    out = []
    for line in lines:
        text = html.unescape(_TAG.sub("", line))
        indent = len(text) - len(text.lstrip(" "))
        style = f' style="--indent: {indent}"' if indent else ""
        out.append(f'<span class="code-line"{style}>{line}\n</span>')
    return "".join(out)


def unique_ids(body: str) -> str:
    """Give the second and later copies of the repeated block ids a numbered suffix."""
    for name in _REPEATED_IDS:
        count = 0

        def number(match: re.Match[str], name: str = name) -> str:
            nonlocal count
            count += 1
            return match.group(0) if count == 1 else f'id="{name}-{count}"'

        body = re.sub(f'id="{re.escape(name)}"', number, body)
    return body


def fix_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    scripts = context.get("script_files")
    if scripts:
        seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        unique = []
        for script in scripts:
            key = _script_key(script)
            if key not in seen:
                seen.add(key)
                unique.append(script)
        context["script_files"] = unique
    body = context.get("body")
    if body:
        body = body.replace('role="doc-biblioentry"', 'role="listitem"')
        # myst-nb names the toggle of a hidden code cell "Toggle hidden content" while
        # it shows "Show code cell source" (axe: label-content-name-mismatch); the
        # visible text is the better name, so the label goes.
        body = body.replace('<summary aria-label="Toggle hidden content">', "<summary>")
        body = _PRE.sub(lambda m: m.group(1) + code_lines(m.group(2)) + m.group(3), body)
        context["body"] = unique_ids(body)


def share_html_writers(app: Sphinx) -> None:
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node, writers in handlers.get("html", {}).items():
        single.setdefault(node, writers)


_ICON_SCRIPT = re.compile(r"<(?:script|link)[^>]*scripts/fontawesome\.js[^>]*>(?:</script>)?\n?")


def drop_icon_script(app: Sphinx, exception: Exception | None) -> None:
    """Remove the Font Awesome script from every built page (its web fonts stay)."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        slimmer = _ICON_SCRIPT.sub("", text)
        if slimmer != text:
            page.write_text(slimmer, encoding="utf-8")


_SEARCH_SCRIPTS = re.compile(
    r'[ \t]*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|'
    r'searchindex\.js)"></script>\n?'
)
# sphinx-design's stylesheet and tab script (62 kB), for pages that use none of its
# components (every class of which starts with "sd-").
_DESIGN_ASSETS = re.compile(
    r"[ \t]*<(?:link[^>]*sphinx-design\.min\.css[^>]*>|script[^>]*design-tabs\.js[^>]*>"
    r"</script>)\n?"
)
_USES_DESIGN = re.compile(r'class="(?:[^"]*\s)?sd-')
_FA_DIR = Path("_static") / "vendor" / "fontawesome" / "webfonts"
_FA_FONTS = ("fa-solid-900", "fa-regular-400", "fa-brands-400")
# One icon rule of Font Awesome's table: `.fa-sun:before{content:"\f185"}`, possibly
# with several comma-separated selectors.
_ICON_RULE = re.compile(
    r"(?<=[}])((?:\.fa-[a-z0-9-]+:(?:before|after),?)+)\{content:\"(?:\\[0-9a-f]+)+\"\}"
)
_ICON_NAME = re.compile(r"\bfa-[a-z0-9-]+")
# Glyphs a stylesheet can still show: escaped (`\f185`) or literal private-use characters.
_ESCAPE = re.compile(r"\\([0-9a-fA-F]{4,6})")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def used_icon_names(outdir: Path) -> set[str]:
    """Every ``fa-*`` name written in a built page or in a script the pages load."""
    names: set[str] = set()
    files = [p for p in outdir.rglob("*.html") if "_static" not in p.parts[len(outdir.parts) :]]
    files += [p for p in (outdir / "_static").rglob("*.js") if "fontawesome" not in p.name]
    for path in files:
        names.update(_ICON_NAME.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


def prune_icon_rules(css: str, used: set[str]) -> str:
    """Drop the icon rules of `css` that name no used icon; keep every other rule."""

    def keep(match: re.Match[str]) -> str:
        names = set(_ICON_NAME.findall(match.group(1)))
        return match.group(0) if names & used else ""

    return _ICON_RULE.sub(keep, css)


def glyphs_shown(css: str) -> set[int]:
    """Code points of the private-use characters a stylesheet can show."""
    points = {int(h, 16) for h in _ESCAPE.findall(css)}
    points |= {ord(c) for c in _PRIVATE_USE.findall(css)}
    return {p for p in points if 0xE000 <= p <= 0xF8FF}


def slim_page_weight(app: Sphinx, exception: Exception | None) -> None:
    """Icon fonts cut to the icons used; search and sphinx-design assets only where used."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        slimmer = text
        if not (page.name == "search.html" and page.parent == outdir):
            slimmer = _SEARCH_SCRIPTS.sub("", slimmer)
        if not _USES_DESIGN.search(slimmer):
            slimmer = _DESIGN_ASSETS.sub("", slimmer)
        if slimmer != text:
            page.write_text(slimmer, encoding="utf-8")

    fonts = outdir / _FA_DIR
    theme_css = outdir / "_static" / "styles" / "pydata-sphinx-theme.css"
    if not theme_css.is_file() or not fonts.is_dir():
        return
    from fontTools import subset  # a dependency of matplotlib, pinned in requirements.txt

    used = used_icon_names(outdir)
    css = prune_icon_rules(theme_css.read_text(encoding="utf-8"), used)
    glyphs: set[int] = set()
    for sheet in (outdir / "_static").rglob("*.css"):
        glyphs |= glyphs_shown(css if sheet == theme_css else sheet.read_text(encoding="utf-8"))
    for name in _FA_FONTS:
        source = fonts / f"{name}.ttf"
        if not source.is_file():
            continue
        options = subset.Options()
        options.flavor = "woff"  # zlib: needs no brotli, unlike woff2
        options.layout_features = ["*"]
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(glyphs))
        subsetter.subset(font)
        subset.save_font(font, str(fonts / f"{name}.subset.woff"), options)
        # The @font-face rule: the subset first; no other format is needed.
        css = re.sub(
            rf"src:url\(\.\./vendor/fontawesome/webfonts/{name}\.woff2\)[^;}}]*",
            f'src:url(../vendor/fontawesome/webfonts/{name}.subset.woff) format("woff")',
            css,
        )
    theme_css.write_text(css, encoding="utf-8")


def write_editions(app: Sphinx, exception: Exception | None) -> None:
    """Student and instructor editions of every chapter; the download serves the latter."""
    if exception is not None or app.builder.name != "html":
        return
    spec = importlib.util.spec_from_file_location(
        "book_editions", Path(app.srcdir) / "tools" / "editions.py"
    )
    assert spec is not None and spec.loader is not None
    editions = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = editions  # dataclasses look their module up there
    spec.loader.exec_module(editions)
    chapters = sorted(
        Path(app.srcdir, doc + ".ipynb")
        for doc in app.env.found_docs
        if doc.startswith("chapters/")
    )
    outdir = Path(app.outdir)
    editions.write_editions(outdir / "editions", chapters, Path(app.srcdir) / "references.bib")
    for chapter in chapters:
        download = outdir / "_sources" / "chapters" / chapter.name
        if download.parent.is_dir():
            shutil.copyfile(outdir / "editions" / "instructor" / chapter.name, download)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("build-finished", drop_icon_script)
    app.connect("build-finished", slim_page_weight)
    app.connect("build-finished", write_editions)
    app.connect("html-page-context", fix_page)
    app.connect("builder-inited", share_html_writers)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
