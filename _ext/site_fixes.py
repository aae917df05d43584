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

* **Page weight.** The theme loads Font Awesome twice: as web fonts through its
  stylesheet, which is all the icons need, and as a 1.5 MB script that redraws every
  icon as SVG. The script tag is removed from every page after the build, which
  halves the scripts a page loads (``tests/test_site.py`` reports the weight).

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
    app.connect("build-finished", write_editions)
    app.connect("html-page-context", fix_page)
    app.connect("builder-inited", share_html_writers)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
