"""The plain-Jupyter editions (``tools/editions.py``): readable anywhere, complete, runnable.

Every chapter is turned into an instructor edition (solutions included) and a student
edition (solutions removed). Checked here, for every chapter:

* no MyST markup is left (no ``{role}`` and no ``{directive}`` fence): plain Jupyter,
  Colab and VS Code would show it raw;
* every glued number was substituted (no ``[name]`` placeholders);
* both editions keep every exercise; the student edition has no solution at all, the
  instructor edition has one per exercise;
* the first cell (the chapter's own) installs the library only where it is missing,
  and there is only one such cell;
* the student edition of the introduction runs under strict nbval, stored outputs
  and all.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from book_structure import REFERENCE, page_kind
from tools import editions

ROOT = Path(__file__).resolve().parent.parent

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("editions")
    editions.write_editions(out, CHAPTERS)
    return out


def _markdown(nb: dict) -> str:
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def _exercise_count(path: Path) -> int:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return len(re.findall(r"^(?:```+|:::+)\{exercise\}", _markdown(nb), re.M))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.name for c in CHAPTERS])
def test_editions_are_plain_markdown_with_every_exercise(built, chapter):
    expected = _exercise_count(chapter)
    glued = editions.glued_values(json.loads(chapter.read_text(encoding="utf-8")))
    for edition in ("instructor", "student"):
        nb = json.loads((built / edition / chapter.name).read_text(encoding="utf-8"))
        text = _markdown(nb)
        assert not re.findall(r"\{[a-z]+(?::[a-z]+)?\}`", text), f"{edition}: MyST roles left"
        assert not re.findall(r"^(?:```+|:::+)\{", text, re.M), f"{edition}: MyST directives left"
        missing = [name for name in glued if f"[{name}]" in text]
        assert not missing, f"{edition}: glued values not substituted: {missing}"
        assert text.count("**Exercise") == expected, edition
        solutions = text.count("**Solution.**") + text.count("<summary>Solution</summary>")
        assert solutions == (0 if edition == "student" else expected), edition
        first = "".join(nb["cells"][0]["source"])
        assert nb["cells"][0]["cell_type"] == "code" and first == editions.INSTALL_SOURCE
        installs = sum('find_spec("softmax_lib")' in "".join(c["source"]) for c in nb["cells"])
        assert installs == 1, f"{edition}: {installs} install cells"


def test_student_edition_has_fewer_code_cells_than_instructor(built):
    """Code solutions are removed with their Markdown, not only the text."""
    fewer = []
    for chapter in CHAPTERS:
        if page_kind(chapter) == REFERENCE:
            continue  # a reference page (the questions) has no exercises to remove
        count = {
            e: sum(
                c["cell_type"] == "code"
                for c in json.loads((built / e / chapter.name).read_text(encoding="utf-8"))["cells"]
            )
            for e in ("instructor", "student")
        }
        fewer.append(count["student"] < count["instructor"])
    names = [c.name for c in CHAPTERS if page_kind(c) != REFERENCE]
    assert all(fewer), dict(zip(names, fewer, strict=True))


def test_student_edition_runs(built):
    target = built / "student" / CHAPTERS[0].name
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            str(ROOT / "tests" / "nbval_sanitize.cfg"),
            "-o",
            "addopts=",
            "-o",
            "testpaths=",
            str(target),
        ],
        capture_output=True,
        text=True,
        cwd=target.parent,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_execute_notebooks_puts_the_install_cell_first():
    """tools/execute_notebooks.py inserts the install cell, or replaces an older one."""
    import nbformat

    from tools.execute_notebooks import ensure_install_cell

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title")])
    assert ensure_install_cell(nb) and len(nb.cells) == 2
    assert nb.cells[0].source == editions.INSTALL_SOURCE
    assert nb.cells[0].metadata["tags"] == editions.INSTALL_TAGS
    assert not ensure_install_cell(nb) and len(nb.cells) == 2
    nb.cells[0].source = 'import importlib.util\nimportlib.util.find_spec("softmax_lib")'
    assert ensure_install_cell(nb) and len(nb.cells) == 2
    assert nb.cells[0].source == editions.INSTALL_SOURCE
    nbformat.validate(nb)
