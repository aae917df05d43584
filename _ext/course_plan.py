"""Directives that compute the course page (``course.md``) from the chapters.

The chapters are read at build time, so the page cannot drift from them:

``{course-chapters}``
    A table of the chapters listed in ``_toc.yml``: title (linked), prerequisites and
    time, as each chapter states them, and its number of exercises.
``{course-sessions}``
    A suggested sequence of sessions. Each line of the directive's content is one
    session: the file names of its chapters (``02_derivation 03_properties``),
    optionally followed by ``|`` and a note. Chapters not (yet) in the table of
    contents are named but not linked.
``{course-homework}``
    One row per exercise: its title, difficulty and type (from the line
    ``**Difficulty** ★★☆ · **Type** build``; "—" where a chapter has none), and
    whether its solution runs code (checked by the test suite, good for homework
    that students can verify) or is answered on paper.
``{course-notebooks}``
    Per chapter, links to download the notebook and to open it on Binder or Colab,
    built from ``repository`` and ``launch_buttons`` in ``_config.yml``.

A chapter states its prerequisites and time in paragraphs that start with
``**Prerequisites.**`` and ``**Time.**``. Exercises and solutions are read by
``_ext/book_structure.py``, the parser the tests use too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from book_structure import (
    DIFFICULTIES,
    Exercise,
    markdown_of,
    parse_exercises,
    read_cells,
    toc_chapters,
)


@dataclass
class Chapter:
    name: str  # file stem, e.g. "01_introduction"
    docname: str  # e.g. "chapters/01_introduction"
    path: Path
    in_toc: bool
    title: str = ""
    prerequisites: str = ""
    time: str = ""
    exercises: list[Exercise] = field(default_factory=list)

    number: int = 0  # position among the chapters of _toc.yml, as the site numbers it

    def reading_minutes(self) -> int | None:
        """Minutes to read and run the chapter: the first duration in its time line."""
        match = re.search(r"(\d+)(?:\s*(?:to|-|–)\s*(\d+))?\s*(minutes?|min|hours?|h)\b", self.time)
        if not match:
            return None
        value = int(match.group(2) or match.group(1))
        return value * 60 if match.group(3).startswith("h") else value


_ROLE = re.compile(r"\{[a-z:-]+\}`([^`<]*?)\s*(?:<([^>]*)>)?`")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def _plain(text: str, numbers: dict[str, int] | None = None) -> str:
    """Inline text with roles replaced by their text, so it renders on any page.

    A bare ``{doc}`` reference to a chapter becomes "Chapter N" (`numbers` maps file
    stems to chapter numbers); a Markdown link keeps only its text.
    """

    def repl(match: re.Match[str]) -> str:
        shown = match.group(1).strip()
        if match.group(2) is None and numbers:
            number = numbers.get(Path(shown).name)
            if number:
                return f"Chapter {number}"
        return shown or (match.group(2) or "").strip()

    return " ".join(_LINK.sub(r"\1", _ROLE.sub(repl, text)).split())


def _paragraph_after(marker: str, text: str, numbers: dict[str, int]) -> str:
    match = re.search(r"\*\*" + marker + r"\.?\*\*\.?\s*(.+?)(?:\n\s*\n|\Z)", text, re.S)
    return _plain(match.group(1), numbers) if match else ""


def read_chapter(chapter: Chapter, numbers: dict[str, int]) -> None:
    cells = read_cells(chapter.path)
    markdown = markdown_of(cells)
    title = re.search(r"^#\s+(.+)$", markdown, re.M)
    chapter.title = title.group(1).strip() if title else chapter.name
    chapter.prerequisites = _paragraph_after("Prerequisites", markdown, numbers)
    chapter.time = _paragraph_after("Time", markdown, numbers)
    chapter.exercises = parse_exercises(cells, chapter.name)
    for exercise in chapter.exercises:
        exercise.title = _plain(exercise.title, numbers)


def chapters(app: Sphinx) -> list[Chapter]:
    """Chapters listed in _toc.yml, in order, read from their source files."""
    srcdir = Path(app.srcdir)
    files = toc_chapters(srcdir)
    result = []
    for docname in files:
        for suffix in (".ipynb", ".md"):
            path = srcdir / (docname + suffix)
            if path.is_file():
                result.append(
                    Chapter(
                        name=Path(docname).name,
                        docname=docname,
                        path=path,
                        in_toc=True,
                        number=len(result) + 1,
                    )
                )
                break
    numbers = {chapter.name: chapter.number for chapter in result}
    for chapter in result:
        read_chapter(chapter, numbers)
    return result


class _CourseDirective(SphinxDirective):
    has_content = True

    def chapters(self) -> list[Chapter]:
        found = chapters(self.env.app)
        for chapter in found:
            self.env.note_dependency(str(chapter.path))
        self.env.note_dependency(str(Path(self.env.app.srcdir) / "_toc.yml"))
        return found

    def link(self, chapter: Chapter) -> str:
        return f"{{doc}}`Chapter {chapter.number}: {chapter.title} </{chapter.docname}>`"

    def render(self, lines: list[str]) -> list[nodes.Node]:
        container = nodes.container(classes=["course-plan-block"])
        self.state.nested_parse(
            StringList(lines, source=self.get_source_info()[0]), self.content_offset, container
        )
        # Links to files the build writes itself (the editions) are written as
        # SITE_FILE + path, which the parser leaves alone, and become relative links here.
        for ref in container.findall(nodes.reference):
            uri = ref.get("refuri", "")
            if uri.startswith(SITE_FILE):
                ref["refuri"] = uri[len(SITE_FILE):]
        return container.children


class CourseChapters(_CourseDirective):
    def run(self) -> list[nodes.Node]:
        found = self.chapters()
        lines = [
            ":::{list-table}",
            ":header-rows: 1",
            ":class: course-plan",
            ":widths: 30 35 25 10",
            "",
            "* - Chapter",
            "  - Prerequisites",
            "  - Time",
            "  - Exercises",
        ]
        for chapter in found:
            lines += [
                f"* - {self.link(chapter)}",
                f"  - {chapter.prerequisites or '(see the chapter)'}",
                f"  - {chapter.time or '(see the chapter)'}",
                f"  - {len(chapter.exercises)}",
            ]
        lines.append(":::")
        total = sum(len(c.exercises) for c in found)
        minutes = [c.reading_minutes() for c in found]
        noun = "chapter" if len(found) == 1 else "chapters"
        summary = f"{len(found)} {noun} with {total} exercises in all"
        if found and all(m is not None for m in minutes):
            hours = sum(m for m in minutes if m is not None) / 60
            summary += f"; reading and running them takes about {hours:.1f} hours, before exercises"
        lines += ["", summary + "."]
        return self.render(lines)


class CourseSessions(_CourseDirective):
    def run(self) -> list[nodes.Node]:
        by_name = {c.name: c for c in self.chapters()}
        lines = [
            ":::{list-table}",
            ":header-rows: 1",
            ":class: course-plan",
            ":widths: 8 42 15 35",
            "",
            "* - Session",
            "  - Chapters",
            "  - Reading time",
            "  - Focus",
        ]
        for number, line in enumerate(s for s in self.content if s.strip()):
            names, _, note = line.partition("|")
            cells, minutes = [], 0
            known = True
            for name in names.split():
                chapter = by_name.get(name)
                if chapter is None:
                    cells.append(f"{name} (in preparation)")
                    known = False
                    continue
                cells.append(self.link(chapter))
                m = chapter.reading_minutes()
                if m is None:
                    known = False
                else:
                    minutes += m
            when = f"about {minutes} min" if known else "see the chapters"
            lines += [
                f"* - {number + 1}",
                f"  - {'; '.join(cells)}",
                f"  - {when}",
                f"  - {note.strip()}",
            ]
        lines.append(":::")
        return self.render(lines)


class CourseHomework(_CourseDirective):
    def run(self) -> list[nodes.Node]:
        lines = [
            ":::{list-table}",
            ":header-rows: 1",
            ":class: course-plan",
            ":widths: 22 40 14 12 12",
            "",
            "* - Chapter",
            "  - Exercise",
            "  - Difficulty",
            "  - Type",
            "  - Solution",
        ]
        rows = 0
        for chapter in self.chapters():
            for i, exercise in enumerate(chapter.exercises):
                level = exercise.difficulty
                shown = f"{level} {DIFFICULTIES[level]}" if level in DIFFICULTIES else "—"
                title = f": {exercise.title}" if exercise.title else ""
                lines += [
                    f"* - {self.link(chapter) if i == 0 else ''}",
                    f"  - {{numref}}`{exercise.label}`{title}",
                    f"  - {shown}",
                    f"  - {exercise.kind or '—'}",
                    f"  - {'code, run by the tests' if exercise.code_solution else 'on paper'}",
                ]
                rows += 1
        lines.append(":::")
        if not rows:
            lines = ["No chapter is published yet."]
        return self.render(lines)


#: Prefix of links to files that the build writes into the site (see render()).
SITE_FILE = "https://site-file.invalid/"


class CourseNotebooks(_CourseDirective):
    def run(self) -> list[nodes.Node]:
        options = self.env.app.config.html_theme_options or {}
        repo = str(options.get("repository_url", "")).rstrip("/")
        branch = str(options.get("repository_branch", "main"))
        book_path = str(options.get("path_to_docs", "")).strip("/")
        launch = options.get("launch_buttons", {}) or {}
        binder = str(launch.get("binderhub_url", "")).rstrip("/")
        colab = str(launch.get("colab_url", "")).rstrip("/")
        org_repo = repo.split("github.com/", 1)[-1] if "github.com/" in repo else ""
        lines = [
            ":::{list-table}",
            ":header-rows: 1",
            ":class: course-plan",
            "",
            "* - Chapter",
            "  - Notebook",
            "  - Editions (plain Jupyter)",
            "  - Open online",
        ]
        for chapter in self.chapters():
            rel = f"{chapter.docname}{chapter.path.suffix}"
            in_repo = f"{book_path}/{rel}" if book_path else rel
            online = []
            if binder and org_repo:
                online.append(
                    f"[Binder]({binder}/v2/gh/{org_repo}/{branch}?urlpath=lab/tree/{in_repo})"
                )
            if colab and org_repo and chapter.path.suffix == ".ipynb":
                online.append(f"[Colab]({colab}/github/{org_repo}/blob/{branch}/{in_repo})")
            editions = "-"
            if chapter.path.suffix == ".ipynb":
                # written by tools/editions.py after every HTML build (_ext/site_fixes.py)
                editions = ", ".join(
                    f"[{kind}]({SITE_FILE}editions/{kind}/{chapter.path.name})"
                    for kind in ("student", "instructor")
                )
            lines += [
                f"* - {self.link(chapter)}",
                f"  - {{download}}`{chapter.path.name} </{rel}>`",
                f"  - {editions}",
                f"  - {', '.join(online) or '-'}",
            ]
        lines.append(":::")
        return self.render(lines)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_directive("course-chapters", CourseChapters)
    app.add_directive("course-sessions", CourseSessions)
    app.add_directive("course-homework", CourseHomework)
    app.add_directive("course-notebooks", CourseNotebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
