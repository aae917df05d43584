"""The one reader of the book's structure: ``_toc.yml`` and the chapters' exercises.

Used by the course page (``_ext/course_plan.py``) and by the tests
(``tests/test_book.py``, ``tests/test_site.py``, ``tests/test_notebook_hygiene.py``),
so that what the site shows and what the tests check are parsed by the same rules.
It imports nothing from Sphinx.

An exercise is written (see the common brief and the chapter template)::

    ```{exercise} Short title of the exercise
    :label: ex-<chapterkey>-<name>

    **Difficulty** ★★☆ · **Type** build

    Task text...
    ```

and its solution as ``{solution-start} <label>`` (options such as ``:class:
dropdown``), code cells, then ``{solution-end}``; or as one ``{solution} <label>``
directive. The title and the difficulty line are optional (older chapters have
neither).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CHAPTER_DIR",
    "DIFFICULTIES",
    "TYPES",
    "Exercise",
    "toc_docnames",
    "toc_chapters",
    "toc_reference_pages",
    "read_cells",
    "parse_exercises",
    "markdown_of",
    "REFERENCE",
    "page_kind",
]

CHAPTER_DIR = "chapters"

#: The three levels, in order, and what each means.
DIFFICULTIES = {"★☆☆": "warm-up", "★★☆": "standard", "★★★": "challenging"}
#: What an exercise asks for.
TYPES = ("prove", "compute", "build", "explain")
#: The kind of a page under ``chapters/`` that is not a chapter but a reference page
#: (questions and answers): no objectives, summary or exercises. A notebook declares it
#: in its metadata, ``{"book": {"kind": "reference"}}``.
REFERENCE = "reference"

EXERCISE = re.compile(r"^(?P<fence>```+|:::+)\{exercise\}[ \t]*(?P<title>.*)$", re.M)
LABEL = re.compile(r"^:label:\s*(\S+)", re.M)
OPTION = re.compile(r"^:[\w-]+:.*$", re.M)
DIFFICULTY = re.compile(
    r"\*\*Difficulty\*\*\s*(?P<stars>[★☆]{3})\s*(?:·|\|)?\s*\*\*Type\*\*\s*(?P<type>[a-z]+)"
)
SOLUTION_START = re.compile(r"^(?:```+|:::+)\{solution-start\}\s*(\S+)", re.M)
SOLUTION_END = re.compile(r"^(?:```+|:::+)\{solution-end\}", re.M)
SOLUTION = re.compile(r"^(?:```+|:::+)\{solution\}\s*(\S+)", re.M)
#: The option block right after a solution's opening line.
SOLUTION_OPTIONS = re.compile(
    r"^(?:```+|:::+)\{solution(?:-start)?\}[^\n]*\n((?::[^\n]*\n)*)", re.M
)


@dataclass
class Exercise:
    """One exercise of a chapter, as its source states it."""

    label: str
    title: str = ""
    difficulty: str | None = None  # "★☆☆", "★★☆" or "★★★"; None if the line is absent
    kind: str | None = None  # "prove", "compute", "build" or "explain"; None if absent
    text: str = ""  # the body of the directive, options included
    has_solution: bool = False
    code_solution: bool = False  # its solution contains at least one code cell
    solution_folded: bool = True  # every solution block has ``:class: dropdown``


def toc_docnames(root: Path) -> list[str]:
    """Every document of ``root/_toc.yml`` in order, as docnames (no suffix), root first."""
    toc = _read_toc(root)
    names: list[str] = [str(toc["root"])] if "root" in toc else []
    for part in toc.get("parts", []) or []:
        names += _toc_files(part.get("chapters"))
    names += _toc_files(toc.get("chapters"))
    return [re.sub(r"\.(md|ipynb)$", "", name) for name in names]


def _read_toc(root: Path) -> dict[str, Any]:
    toc: dict[str, Any] = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    return toc or {}


def _toc_files(entries: list[dict[str, Any]] | None) -> list[str]:
    """The ``file`` entries of a list of table-of-contents entries and their sections."""
    names: list[str] = []
    for entry in entries or []:
        if "file" in entry:
            names.append(re.sub(r"\.(md|ipynb)$", "", str(entry["file"])).strip("/"))
        names += _toc_files(entry.get("sections"))
    return names


def toc_chapters(root: Path) -> list[str]:
    """The chapters of ``_toc.yml``, in order: the documents under ``chapters/`` in its
    numbered parts (every part, if the table of contents has none). Reference pages kept
    under ``chapters/`` in an unnumbered part, such as the questions page, are not
    chapters: see :func:`toc_reference_pages`."""
    toc = _read_toc(root)
    parts = toc.get("parts") or []
    numbered = [part for part in parts if part.get("numbered")] or parts
    files = [name for part in numbered for name in _toc_files(part.get("chapters"))]
    if not parts:
        files = _toc_files(toc.get("chapters"))
    return [name for name in files if name.startswith(CHAPTER_DIR + "/")]


def toc_reference_pages(root: Path) -> list[str]:
    """Documents under ``chapters/`` that ``_toc.yml`` lists outside its numbered parts
    (reference pages such as the questions page), in order."""
    chapters = set(toc_chapters(root))
    return [
        name
        for name in toc_docnames(root)
        if name.startswith(CHAPTER_DIR + "/") and name not in chapters
    ]


def read_cells(path: Path) -> list[tuple[str, str]]:
    """(cell_type, source) pairs of a notebook or of a MyST Markdown chapter."""
    path = Path(path)
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        return [(c["cell_type"], "".join(c.get("source", ""))) for c in nb.get("cells", [])]
    cells: list[tuple[str, str]] = []
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"^```\{code-cell\}.*?^```", text, flags=re.M | re.S)
    for i, part in enumerate(parts):
        if i:
            cells.append(("code", "x"))
        cells.append(("markdown", part))
    return cells


def page_kind(path: Path) -> str:
    """``"reference"`` for a notebook whose metadata says ``book: {kind: reference}``,
    otherwise ``"chapter"`` (every MyST Markdown page is a chapter)."""
    path = Path(path)
    if path.suffix != ".ipynb":
        return "chapter"
    nb = json.loads(path.read_text(encoding="utf-8"))
    kind = nb.get("metadata", {}).get("book", {}).get("kind", "chapter")
    return str(kind)


def markdown_of(cells: list[tuple[str, str]]) -> str:
    """The Markdown cells joined by blank lines."""
    return "\n\n".join(src for kind, src in cells if kind == "markdown")


def _exercise(match: re.Match[str], src: str, number: int, chapter: str) -> Exercise:
    fence = match.group("fence")
    end = src.find("\n" + fence + "\n", match.end())
    if end < 0 and src.rstrip().endswith("\n" + fence):
        end = src.rstrip().rfind("\n" + fence)
    body = src[match.end() : end if end >= 0 else None]
    label = LABEL.search(body)
    name = label.group(1) if label else f"{chapter}-exercise-{number}"
    level = DIFFICULTY.search(body)
    return Exercise(
        label=name,
        title=match.group("title").strip(),
        difficulty=level.group("stars") if level else None,
        kind=level.group("type") if level else None,
        text=body,
    )


def parse_exercises(cells: list[tuple[str, str]], chapter: str = "chapter") -> list[Exercise]:
    """The exercises of a chapter, in order, with what their solutions contain.

    A code cell between ``{solution-start} label`` and ``{solution-end}`` makes
    that exercise's solution a code solution (run by the notebook tests).
    """
    by_label: dict[str, Exercise] = {}
    open_solution: Exercise | None = None
    for kind, src in cells:
        if kind == "code":
            if open_solution is not None:
                open_solution.code_solution = True
            continue
        events: list[tuple[int, str, re.Match[str]]] = []
        events += [(m.start(), "exercise", m) for m in EXERCISE.finditer(src)]
        events += [(m.start(), "start", m) for m in SOLUTION_START.finditer(src)]
        events += [(m.start(), "end", m) for m in SOLUTION_END.finditer(src)]
        events += [(m.start(), "solution", m) for m in SOLUTION.finditer(src)]
        for _, what, m in sorted(events, key=lambda e: e[0]):
            if what == "exercise":
                exercise = _exercise(m, src, len(by_label) + 1, chapter)
                by_label[exercise.label] = exercise
            elif what in ("start", "solution"):
                target = by_label.get(m.group(1))
                options = SOLUTION_OPTIONS.match(src, m.start())
                if target is not None:
                    target.has_solution = True
                    if not (options and ":class: dropdown" in options.group(1)):
                        target.solution_folded = False
                open_solution = target if what == "start" else None
            else:
                open_solution = None
    return list(by_label.values())
