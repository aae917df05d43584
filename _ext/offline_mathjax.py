"""Serve MathJax from the built site so that equations render offline.

Sphinx's ``mathjax_path`` points at ``_static/mathjax/tex-mml-chtml.js`` (set in
``_config.yml``). This extension copies that file and the parts of MathJax it
loads at run time (CHTML fonts, TeX extensions, accessibility and menu
components) from the ``django-static-mathjax`` package, installed from PyPI
like every other dependency, into the HTML output after each build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx

# Relative to MathJax's es5/ folder.
NEEDED = [
    "tex-mml-chtml.js",
    "input/tex/extensions",
    "output/chtml/fonts/woff-v2",
    "a11y",
    "ui",
    "sre",
    "adaptors",
]


def mathjax_source() -> Path:
    """The es5/ folder of the installed MathJax 3 distribution."""
    import mathjax  # provided by the django-static-mathjax package

    base = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (base / "tex-mml-chtml.js").is_file():
        raise RuntimeError(f"MathJax 3 not found under {base}; pip install django-static-mathjax")
    return base


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    src = mathjax_source()
    dest = Path(app.outdir) / "_static" / "mathjax"
    for rel in NEEDED:
        source = src / rel
        if not source.exists():
            continue
        target = dest / rel
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def setup(app: Sphinx) -> dict[str, object]:
    mathjax_source()  # fail early, with a clear message, if MathJax is missing
    app.connect("build-finished", copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
