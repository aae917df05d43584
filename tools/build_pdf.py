"""Print the whole book to one PDF, equations typeset.

Usage::

    python tools/build_pdf.py                      # writes _build/pdf/softmax-book.pdf
    python tools/build_pdf.py --output book.pdf --path-output /tmp/site

Three steps, all offline:

1. ``jupyter-book build --builder singlehtml`` puts every page of the book into one
   HTML page (``<path-output>/_build/singlehtml/index.html``). After ``make html``
   with the same ``--path-output`` it reuses the parsed pages and only writes.
2. That page is served on 127.0.0.1 and opened in headless Chromium (Debian's
   ``chromium`` package, driven by ``playwright-core`` from ``tests/browser``).
3. Once MathJax has typeset every equation and every figure has loaded, Chromium
   prints the page to PDF (A4, with a clickable outline of the chapters), with the
   exercise solutions unfolded.

Needs ``apt-get install chromium`` and ``npm ci --prefix tests/browser`` (the
``make pdf`` target runs the latter). Exits non-zero if the build fails, an
equation is left untypeset or the page tries to load anything from another host.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BROWSER_DIR = ROOT / "tests" / "browser"
DEFAULT_OUTPUT = ROOT / "_build" / "pdf" / "softmax-book.pdf"


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


def print_pdf(page: Path, output: Path, chromium: str) -> str:
    output.parent.mkdir(parents=True, exist_ok=True)
    with serve(page.parent) as base:
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
        result = subprocess.run(cmd, cwd=BROWSER_DIR, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(
            f"build_pdf: printing failed ({result.returncode}): {result.stdout.strip()}"
        )
    return result.stdout.strip()


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
    summary = print_pdf(page, args.output.resolve(), args.chromium)
    print(f"wrote {args.output} ({args.output.stat().st_size // 1024} KiB); {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
