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

from typing import Any

from sphinx.application import Sphinx


def _script_key(script: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    attributes = getattr(script, "attributes", {}) or {}
    # An inline script's filename is None or "" depending on who added it.
    filename = str(getattr(script, "filename", script) or "")
    return (filename, tuple(sorted((k, str(v)) for k, v in attributes.items())))


def fix_page(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
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
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def share_html_writers(app: Sphinx) -> None:
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node, writers in handlers.get("html", {}).items():
        single.setdefault(node, writers)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("html-page-context", fix_page)
    app.connect("builder-inited", share_html_writers)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
