"""Structural checks on every chapter notebook.

nbval proves that re-running a notebook reproduces its stored outputs; these
tests check what nbval does not: that the first cell is the one install line a
reader needs on Colab, that the stored outputs come from one clean
top-to-bottom run, that every figure has a caption and alt text, that the
chapter follows the book's template (objectives, prerequisites, summary,
exercises with solutions), and that nothing machine-specific is stored.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from book_structure import (
    DIFFICULTIES,
    REFERENCE,
    TYPES,
    page_kind,
    parse_exercises,
    read_cells,
)
from tools.editions import INSTALL_SOURCE, INSTALL_TAGS

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
IDS = [nb.name for nb in NOTEBOOKS]
# Chapters and reference pages (``book: {kind: reference}``, e.g. the questions page)
# follow different templates.
CHAPTERS = [nb for nb in NOTEBOOKS if page_kind(nb) != REFERENCE]
REFERENCES = [nb for nb in NOTEBOOKS if page_kind(nb) == REFERENCE]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def markdown(nb: dict) -> str:
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks found in chapters/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_cell_installs_the_library(path):
    """The first cell is tools/editions.py's INSTALL_SOURCE, word for word, hidden on the
    site and in the PDF, and silent where the library is installed."""
    first = load(path)["cells"][0]
    assert first["cell_type"] == "code", "the first cell must be the install cell (code)"
    assert "".join(first["source"]) == INSTALL_SOURCE, (
        "the first cell must be tools.editions.INSTALL_SOURCE, word for word"
    )
    tags = first.get("metadata", {}).get("tags", [])
    assert all(tag in tags for tag in INSTALL_TAGS), f"tags {tags}, need {INSTALL_TAGS}"
    assert first.get("outputs") == [], "the install cell printed something where it should not"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_outputs_come_from_one_clean_run(path):
    counts = [c.get("execution_count") for c in code_cells(load(path))]
    assert None not in counts, "a code cell was never executed"
    assert counts == list(range(1, len(counts) + 1)), (
        "execution counts are not 1, 2, 3, ...: re-run with tools/execute_notebooks.py"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_nothing_machine_specific_is_stored(path):
    nb = load(path)
    for i, cell in enumerate(nb["cells"]):
        assert "execution" not in cell.get("metadata", {}), f"cell {i}: execution timestamps"
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        assert not re.search(r"sys\.path\.(insert|append)|^\s*[!%]\s*pip\b", source, re.M), (
            f"cell {i}: sys.path edit or pip"
        )
        tags = cell.get("metadata", {}).get("tags", [])
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                assert "raises-exception" in tags, (
                    f"cell {i}: stored error without the raises-exception tag"
                )
            if out["output_type"] == "stream" and out["name"] == "stderr":
                text = "".join(out["text"])
                assert "Warning" not in text, (
                    f"cell {i}: a warning is stored in the output: {text[:200]}"
                )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_figure_has_a_caption_and_alt_text(path):
    for i, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        has_image = any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
        if not has_image:
            continue
        meta = cell.get("metadata", {}).get("mystnb", {})
        caption = meta.get("figure", {}).get("caption", "")
        alt = meta.get("image", {}).get("alt", "")
        assert len(caption.split()) >= 5, (
            f"cell {i}: figure without a caption (mystnb.figure.caption)"
        )
        assert len(alt.split()) >= 5, f"cell {i}: figure without alt text (mystnb.image.alt)"
        assert meta.get("figure", {}).get("name", "").startswith("fig-"), (
            f"cell {i}: figure without a fig- name"
        )


@pytest.mark.parametrize("path", CHAPTERS, ids=[nb.name for nb in CHAPTERS])
def test_chapter_follows_the_template(path):
    text = markdown(load(path))
    for part in ("Learning objectives", "Prerequisites", "Time", "## Summary", "## Exercises"):
        assert part in text, f"missing {part!r}"
    exercises = parse_exercises(read_cells(path), path.stem)
    minimum = 4 if path.name.startswith("01_") else 5
    assert len(exercises) >= minimum, f"{len(exercises)} exercises, expected at least {minimum}"
    missing = [e.label for e in exercises if not e.has_solution]
    assert not missing, f"exercises without a solution: {missing}"
    unfolded = [e.label for e in exercises if not e.solution_folded]
    assert not unfolded, f"solutions not folded (:class: dropdown): {unfolded}"
    unlabelled = [e.label for e in exercises if not e.label.startswith("ex-")]
    assert not unlabelled, f"exercises without an ex- label: {unlabelled}"
    assert "{bibliography}" not in text, "chapters cite into the book's bibliography page"


@pytest.mark.parametrize("path", CHAPTERS, ids=[nb.name for nb in CHAPTERS])
def test_exercises_state_difficulty_and_type(path):
    """The exercise format the course page reads (see _ext/book_structure.py).

    Every chapter gives every exercise a title, a difficulty and a type, has at least
    six exercises, and at least two that ask the learner to build something.
    """
    exercises = parse_exercises(read_cells(path), path.stem)
    rated = [e for e in exercises if e.difficulty is not None]
    for e in rated:
        assert e.difficulty in DIFFICULTIES, f"{e.label}: difficulty {e.difficulty!r}"
        assert e.kind in TYPES, f"{e.label}: type {e.kind!r} is not one of {TYPES}"
    unrated = [e.label for e in exercises if e.difficulty is None]
    assert not unrated, f"exercises without a **Difficulty** line: {unrated}"
    untitled = [e.label for e in exercises if not e.title]
    assert not untitled, f"exercises without a title: {untitled}"
    assert len(exercises) >= 6, f"{len(exercises)} exercises, expected at least 6"
    builds = [e.label for e in exercises if e.kind == "build"]
    assert len(builds) >= 2, f"{len(builds)} build exercises, expected at least 2"


def test_the_questions_page_is_a_reference_page():
    assert [nb.name for nb in REFERENCES] == ["questions.ipynb"]


@pytest.mark.parametrize("path", REFERENCES, ids=[nb.name for nb in REFERENCES])
def test_reference_page_follows_its_template(path):
    """A reference page (``book: {kind: reference}`` in the notebook metadata, e.g. the
    questions page) states prerequisites and time like a chapter, has no exercises, and
    folds every answer; a questions page has at least 30 of them."""
    text = markdown(load(path))
    for part in ("Prerequisites", "Time"):
        assert part in text, f"missing {part!r}"
    assert not parse_exercises(read_cells(path), path.stem), "a reference page has no exercises"
    questions = re.findall(r"^\*\*.+\?\*\*\s*$", text, re.M)
    answers = re.findall(r"^:::\{admonition\} Answer\n:class: dropdown$", text, re.M)
    if "questions" in path.stem:
        assert len(questions) >= 30, f"{len(questions)} questions, expected at least 30"
    assert len(answers) == len(questions), (
        f"{len(questions)} questions but {len(answers)} folded answers"
    )
    assert "{bibliography}" not in text
