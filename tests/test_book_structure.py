"""The shared reader of _toc.yml and of exercises (_ext/book_structure.py)."""

from __future__ import annotations

import re
from pathlib import Path

from book_structure import (
    REFERENCE,
    page_kind,
    parse_exercises,
    read_cells,
    toc_chapters,
    toc_docnames,
    toc_reference_pages,
)

ROOT = Path(__file__).resolve().parent.parent

NEW_FORMAT = """## Exercises

```{exercise} Build a stable softmax
:label: ex-intro-build

**Difficulty** ★★☆ · **Type** build

Write it.

:::{admonition} Hint
:class: dropdown
Subtract the maximum.
:::
```

```{solution-start} ex-intro-build
:class: dropdown
```
"""

OLD_FORMAT = """```{exercise}
:label: ex-intro-prove

Prove it.
```

```{solution} ex-intro-prove
:class: dropdown

On paper.
```

```{exercise} Unfolded
:label: ex-intro-open
```

```{solution} ex-intro-open
Visible.
```
"""


def test_new_format_title_difficulty_type_and_code_solution():
    cells = [("markdown", NEW_FORMAT), ("code", "x = 1"), ("markdown", "```{solution-end}\n```")]
    (ex,) = parse_exercises(cells, "01_introduction")
    assert (ex.label, ex.title, ex.difficulty, ex.kind) == (
        "ex-intro-build",
        "Build a stable softmax",
        "★★☆",
        "build",
    )
    assert ex.has_solution and ex.code_solution and ex.solution_folded


def test_old_format_has_no_difficulty_and_paper_solutions():
    first, second = parse_exercises([("markdown", OLD_FORMAT)], "01_introduction")
    assert (first.label, first.title, first.difficulty, first.kind) == (
        "ex-intro-prove",
        "",
        None,
        None,
    )
    assert first.has_solution and not first.code_solution and first.solution_folded
    assert second.title == "Unfolded" and second.has_solution and not second.solution_folded


def test_toc_lists_every_chapter_notebook_in_order():
    """Chapters are the numbered files NN_name in the numbered part, in order; the
    other notebooks under chapters/ are reference pages listed outside it."""
    chapters, reference = toc_chapters(ROOT), toc_reference_pages(ROOT)
    assert chapters == sorted(chapters)
    assert all(re.fullmatch(r"chapters/\d\d_\w+", name) for name in chapters), chapters
    on_disk = {f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("*.ipynb")}
    assert set(chapters) | set(reference) >= on_disk
    docs = toc_docnames(ROOT)
    assert docs[0] == "index" and set(chapters) | set(reference) <= set(docs)


def test_reference_pages_are_not_chapters():
    """The questions page is a reference page: outside the numbered part, declared as
    such in its metadata, without a number in its file name and without exercises."""
    reference = toc_reference_pages(ROOT)
    assert "chapters/questions" in reference
    for name in reference:
        path = ROOT / f"{name}.ipynb"
        assert page_kind(path) == REFERENCE, name
        assert not re.match(r"\d", Path(name).name), name
        assert not parse_exercises(read_cells(path), name), name
    assert not set(reference) & set(toc_chapters(ROOT))


def test_every_chapter_parses():
    for name in toc_chapters(ROOT):
        assert page_kind(ROOT / f"{name}.ipynb") != REFERENCE, name
        exercises = parse_exercises(read_cells(ROOT / f"{name}.ipynb"), name)
        assert exercises and all(e.label.startswith("ex-") for e in exercises), name


def test_readme_map_lists_every_module_tool_and_extension():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    files = [*(ROOT / "softmax_lib").glob("*.py"), *(ROOT / "tools").glob("*.py")]
    files += [*(ROOT / "_ext").glob("*.py")]
    missing = [p.relative_to(ROOT).as_posix() for p in files]
    missing = [name for name in missing if f"`{name}`" not in readme]
    assert not missing, f"README.md's map does not list: {missing}"
