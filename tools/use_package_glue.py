"""Make the chapters import ``glue`` from the library instead of from myst-nb.

    python tools/use_package_glue.py [NOTEBOOK ...]     # default: chapters/*.ipynb

Replaces the source line ``from myst_nb import glue`` with
``from softmax_lib.notebook import glue`` in every code cell, and nothing else:
the stored outputs stay as they are, because :func:`softmax_lib.notebook.glue`
writes exactly what ``myst_nb.glue`` writes (so nbval and the book accept them
unchanged, and no re-execution is needed). The edit is made on the file's text,
so the rest of the file stays byte for byte the same. Running it again changes
nothing. It prints one line per notebook changed and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OLD = "from myst_nb import glue"
NEW = "from softmax_lib.notebook import glue"


def swapped_sources(nb: dict) -> list[str]:
    return ["".join(c.get("source", "")) for c in nb.get("cells", []) if c["cell_type"] == "code"]


def swap(path: Path) -> bool:
    """Swap the import in the notebook at `path`; return whether the file changed."""
    text = path.read_text(encoding="utf-8")
    new_text = text
    for end in ("\\n", ""):
        new_text = new_text.replace(
            json.dumps(OLD + end.replace("\\n", "\n")), json.dumps(NEW + end.replace("\\n", "\n"))
        )
    if new_text == text:
        return False
    before, after = json.loads(text), json.loads(new_text)
    # Only code-cell sources may differ, and only by the import line.
    expected = [src.replace(OLD, NEW) for src in swapped_sources(before)]

    def rest(nb: dict) -> list[dict]:
        return [
            c if c["cell_type"] != "code" else {k: v for k, v in c.items() if k != "source"}
            for c in nb["cells"]
        ]

    if swapped_sources(after) != expected or rest(before) != rest(after):
        raise SystemExit(f"{path}: unexpected change; edit the import by hand")
    path.write_text(new_text, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in paths:
        if swap(path):
            print(f"{path}: now imports glue from softmax_lib.notebook")
    return 0


if __name__ == "__main__":
    sys.exit(main())
