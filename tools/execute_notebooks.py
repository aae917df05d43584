"""Re-execute notebooks in place, reproducibly.

Usage::

    python tools/execute_notebooks.py                 # every notebook in chapters/
    python tools/execute_notebooks.py chapters/02_derivation.ipynb

Each notebook runs top to bottom in a fresh kernel with its own folder as the
working directory (as Jupyter Book and nbval do). Outputs are stored without
per-cell timestamps, so running twice gives byte-identical files and a diff
shows only real changes. Run it after editing a chapter, then ``make test``.

Before running, it makes the notebook's first cell the install cell of
``tools/editions.py`` (``INSTALL_SOURCE``, tagged ``remove-cell``): it is inserted
if missing, and an older version of it (a first code cell that looks for
``softmax_lib`` with ``find_spec``) is replaced.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``tools`` importable
    sys.path.insert(0, str(ROOT))

from tools.editions import INSTALL_SOURCE, install_cell  # noqa: E402


def ensure_install_cell(nb: nbformat.NotebookNode) -> bool:
    """Make the first cell the install cell; return whether the notebook changed."""
    first = nb.cells[0] if nb.cells else None
    if first is not None and first.cell_type == "code" and first.source == INSTALL_SOURCE:
        return False
    cell = nbformat.from_dict(install_cell())
    old = first is not None and first.cell_type == "code"
    if old and 'find_spec("softmax_lib")' in first.source:
        nb.cells[0] = cell
    else:
        nb.cells.insert(0, cell)
    return True


def execute(path: Path, timeout: int = 600) -> None:
    """Execute the notebook at `path` and write it back with fresh outputs."""
    nb = nbformat.read(path, as_version=4)
    ensure_install_cell(nb)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nbformat.validate(nb)
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: chapters/*.ipynb")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in paths:
        print(f"executing {path}", flush=True)
        execute(path.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
