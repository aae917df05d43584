"""The book builds strictly, and the built site loads nothing from another host.

The build uses the same command as the README's website build, with warnings as
errors and nitpicky cross-references (``-W -n --keep-going``), into a temporary
folder, so it does not disturb ``_build/``; the ``built_site`` fixture that
builds it lives in conftest.py and is shared with the browser tests.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from book_structure import toc_docnames

ROOT = Path(__file__).resolve().parent.parent


def toc_files() -> list[str]:
    return toc_docnames(ROOT)


def test_strict_build_succeeds_and_has_every_page(built_site):
    for name in toc_files():
        assert (built_site / f"{name}.html").is_file(), f"{name}.html missing from the build"


def test_every_chapter_notebook_is_in_the_toc():
    listed = set(toc_files())
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        assert f"chapters/{nb.stem}" in listed, f"{nb.name} is not in _toc.yml"


class _ResourceCollector(HTMLParser):
    """Collect every URL the browser would fetch while loading a page."""

    FETCHING = {
        ("script", "src"),
        ("link", "href"),
        ("img", "src"),
        ("iframe", "src"),
        ("source", "src"),
        ("video", "src"),
        ("audio", "src"),
        ("embed", "src"),
        ("object", "data"),
    }

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (tag, name) in self.FETCHING and value:
                if tag == "link" and dict(attrs).get("rel") in (
                    "canonical",
                    "alternate",
                    "author",
                    "license",
                ):
                    continue
                self.urls.append(value)


EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)


def test_pages_load_nothing_from_other_hosts(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert pages
    offenders = []
    for page in pages:
        collector = _ResourceCollector()
        collector.feed(page.read_text(encoding="utf-8"))
        offenders += [
            f"{page.relative_to(built_site)}: {url}"
            for url in collector.urls
            if EXTERNAL.match(url)
        ]
    for css in built_site.rglob("*.css"):
        for url in re.findall(
            r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8", errors="replace")
        ):
            if EXTERNAL.match(url):
                offenders.append(f"{css.relative_to(built_site)}: {url}")
    assert not offenders, "external resources:\n" + "\n".join(offenders)


def test_mathjax_is_served_locally(built_site):
    page = (built_site / "chapters" / "01_introduction.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', page, re.I)
    assert scripts and all(not EXTERNAL.match(s) for s in scripts), scripts
    local = built_site / "_static" / "mathjax"
    assert (local / "tex-mml-chtml.js").is_file()
    assert any((local / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
