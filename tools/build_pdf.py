"""Print the whole book to one PDF, equations typeset.

Usage::

    python tools/build_pdf.py                      # writes _build/pdf/softmax-book.pdf
    python tools/build_pdf.py --output book.pdf --path-output /tmp/site

Writes two editions: ``softmax-book.pdf`` (with the exercise solutions) and, beside it,
``softmax-book-no-solutions.pdf`` (exercises kept, solutions removed). Three steps, all
offline:

1. ``jupyter-book build --builder singlehtml`` puts every page of the book into one
   HTML page (``<path-output>/_build/singlehtml/index.html``). After ``make html``
   with the same ``--path-output`` it reuses the parsed pages and only writes.
2. That page is served on 127.0.0.1 and opened in headless Chromium (Debian's
   ``chromium`` package, driven by ``playwright-core`` from ``tests/browser``).
3. Once MathJax has typeset every equation and every figure has loaded, Chromium
   prints the page to PDF (A4, with a clickable outline of the chapters), with the
   exercise solutions unfolded (or removed), the API reference moved to the end as an
   appendix, and a title page and a contents list in front. Chromium cannot number
   the contents in CSS, so each edition is printed twice: first with placeholder page
   numbers of the same width (so the contents page already takes its room), then with
   the page of each document's title read from the first print's outline with pypdf;
   the second print is checked to put every title on the page the contents give.

The title page reads the version from ``softmax_lib.__version__``, the authors and
title from ``CITATION.cff`` and the repository from ``_config.yml``; the build date
is today's (UTC), or ``SOURCE_DATE_EPOCH`` if set.

Needs ``apt-get install chromium`` and ``npm ci --prefix tests/browser`` (the
``make pdf`` target runs the latter). Exits non-zero if the build fails, an
equation is left untypeset or the page tries to load anything from another host.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BROWSER_DIR = ROOT / "tests" / "browser"
DEFAULT_OUTPUT = ROOT / "_build" / "pdf" / "softmax-book.pdf"
LICENCE = "Text and figures CC BY 4.0; code MIT"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 (a free port) for the duration of the block."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def jupyter_book() -> str:
    beside = Path(sys.executable).parent / "jupyter-book"
    return str(beside) if beside.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def build_singlehtml(path_output: Path) -> Path:
    cmd = [
        jupyter_book(),
        "build",
        str(ROOT),
        "--builder",
        "singlehtml",
        "-n",
        "--keep-going",
        "--path-output",
        str(path_output),
    ]
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)
    page = path_output / "_build" / "singlehtml" / "index.html"
    if not page.is_file():
        raise SystemExit(f"build_pdf: the single-page build did not produce {page}")
    return page


def no_solutions_path(output: Path) -> Path:
    """Where the edition without solutions goes: beside `output`."""
    return output.with_name(output.stem + "-no-solutions" + output.suffix)


def front_matter() -> dict:
    """Title-page facts: title, version, build date, licence, repository, how to cite."""
    sys.path.insert(0, str(ROOT))
    import softmax_lib

    version = softmax_lib.__version__
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    url = config["repository"]["url"]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        if epoch
        else datetime.datetime.now(datetime.UTC)
    ).date()
    authors = ", ".join(
        a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in cff["authors"]
    )
    title, _, subtitle = cff["title"].partition(": ")
    return {
        "title": title,
        "subtitle": subtitle[:1].upper() + subtitle[1:],
        "lines": [
            f"Version {version}",
            f"Built {when.isoformat()}",
            authors,
            f"Licence: {LICENCE}",
            url,
        ],
        "cite": f"{authors} ({when.year}). {cff['title']}. Version {version}. {url}",
        "contents": {},
    }


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


def title_pages(pdf: Path, titles: list[str]) -> dict[str, int]:
    """The page (1-based) of each title, in order, from the PDF's outline."""
    import pypdf

    reader = pypdf.PdfReader(str(pdf))
    flat: list[tuple[str, int]] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                flat.append((_squash(str(item.title)), reader.get_destination_page_number(item)))

    walk(reader.outline)
    pages, i = {}, 0
    for title in titles:
        while i < len(flat) and flat[i][0] != _squash(title):
            i += 1
        if i == len(flat):
            raise SystemExit(f"build_pdf: {title!r} is not in the outline of {pdf}")
        pages[title] = flat[i][1] + 1
    return pages


def print_pdf(
    page: Path, output: Path, chromium: str, front: dict | None = None, no_solutions: bool = False
) -> dict:
    output.parent.mkdir(parents=True, exist_ok=True)
    with serve(page.parent) as base, tempfile.TemporaryDirectory() as tmp:
        cmd = [
            "node",
            str(BROWSER_DIR / "print_pdf.mjs"),
            "--url",
            base + page.name,
            "--out",
            str(output),
            "--chromium",
            chromium,
        ]
        if front is not None:
            front_file = Path(tmp) / "front.json"
            front_file.write_text(json.dumps(front), encoding="utf-8")
            cmd += ["--front", str(front_file)]
        if no_solutions:
            cmd.append("--no-solutions")
        result = subprocess.run(cmd, cwd=BROWSER_DIR, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(
            f"build_pdf: printing failed ({result.returncode}): {result.stdout.strip()}"
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def print_edition(page: Path, output: Path, chromium: str, no_solutions: bool) -> dict:
    """Print one edition twice: the second time with the contents' page numbers."""
    front = front_matter()
    first = print_pdf(page, output, chromium, front, no_solutions)
    front["contents"] = title_pages(output, first["contents"])
    summary = print_pdf(page, output, chromium, front, no_solutions)
    now = title_pages(output, summary["contents"])
    moved = {t: (p, now[t]) for t, p in front["contents"].items() if now.get(t) != p}
    if moved:
        raise SystemExit(f"build_pdf: the contents moved titles (was, now): {moved}")
    summary["pages"] = front["contents"]
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the PDF to write")
    parser.add_argument(
        "--path-output",
        type=Path,
        default=ROOT,
        help="where jupyter-book puts _build/ (default: the book's folder)",
    )
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    if not Path(args.chromium).exists():
        raise SystemExit(
            f"build_pdf: no Chromium at {args.chromium}; install it with `apt-get install chromium`"
        )
    if not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        raise SystemExit(
            "build_pdf: playwright-core is missing; run `npm ci --prefix tests/browser`"
        )
    page = build_singlehtml(args.path_output.resolve())
    output = args.output.resolve()
    student = no_solutions_path(output)
    summary = print_edition(page, output, args.chromium, no_solutions=False)
    summary["no_solutions"] = print_edition(page, student, args.chromium, no_solutions=True)
    print(
        f"wrote {output} ({output.stat().st_size // 1024} KiB) and {student} "
        f"({student.stat().st_size // 1024} KiB); {json.dumps(summary)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
