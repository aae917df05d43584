"""Plain-Jupyter editions of the chapters: for download, for students, for instructors.

The chapters are written in MyST Markdown (theorem and exercise blocks, glued numbers,
cross-references, citations), which the website renders but plain Jupyter, JupyterLab
without ``jupyterlab-myst``, Colab and VS Code show as raw markup. This module turns a
chapter notebook into a notebook that reads well anywhere:

* glued numbers are substituted from the notebook's own stored outputs;
* theorem, proof, exercise, solution and hint blocks become plain Markdown (bold
  headings, a ∎ after proofs, hints and written solutions inside ``<details>``);
* cross-references become text: chapters link to the chapter notebook, equations and
  figures are numbered in order of appearance (``\\tag{}`` on the equations, a caption
  cell under every figure), theorems are named, citations read "(Author Year)";
* the chapter's own first cell (:data:`INSTALL_SOURCE`, hidden on the website) installs
  the book's library where it is missing (Colab, a fresh environment) and does nothing
  where it is installed; an edition adds one only if the chapter lacks it.

Two editions come from each chapter:

``instructor``
    everything, solutions included (also served by the site's download button);
``student``
    the same with every solution removed (its Markdown and its code cells); the
    exercises stay.

Usage::

    python tools/editions.py OUTDIR [chapters/01_introduction.ipynb ...]

writes ``OUTDIR/instructor/NN_name.ipynb`` and ``OUTDIR/student/NN_name.ipynb``. The
book build runs it after every HTML build (``_ext/site_fixes.py``) into
``_build/html/editions/`` and serves the instructor edition as the download.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The first cell of every chapter notebook (``tests/test_notebook_hygiene.py`` checks it):
#: installs the library only where it is missing and prints nothing where it is there.
#: Tagged ``remove-cell``, it is hidden on the website and in the PDF; the editions keep it.
INSTALL_SOURCE = """\
# Installs the book's library (softmax_lib) if it is missing, e.g. on Colab.
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("softmax_lib") is None:
    url = "git+https://github.com/softmax-book/softmax-book"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    f"softmax-lib[notebooks] @ {url}"], check=True)"""

#: The tags of that cell.
INSTALL_TAGS = ["remove-cell"]


def install_cell() -> dict:
    """The install cell as it stands, unexecuted, at the top of every chapter notebook."""
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": "install-softmax-lib",
        "metadata": {"tags": list(INSTALL_TAGS)},
        "outputs": [],
        "source": INSTALL_SOURCE,
    }


def has_install_cell(nb: dict) -> bool:
    """Whether the notebook's first cell is the install cell, word for word."""
    cells = nb.get("cells", [])
    return bool(cells) and cells[0]["cell_type"] == "code" and _source(cells[0]) == INSTALL_SOURCE


_FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*)$", re.M)
_ROLE = re.compile(r"\{(?P<role>[a-z]+(?::[a-z]+)?)\}`(?P<body>[^`]*)`")
_DISPLAY_LABEL = re.compile(r"\$\$(?P<math>.+?)\$\$[ \t]*\((?P<label>[\w:.-]+)\)", re.S)
_PRF_KINDS = {
    "theorem": "Theorem",
    "proposition": "Proposition",
    "lemma": "Lemma",
    "corollary": "Corollary",
    "definition": "Definition",
    "remark": "Remark",
    "example": "Example",
    "algorithm": "Algorithm",
    "conjecture": "Conjecture",
    "criterion": "Criterion",
    "observation": "Observation",
    "property": "Property",
}


@dataclass
class Context:
    """What a chapter's cross-references need: numbers, names, glued values, sources."""

    glue: dict[str, str] = field(default_factory=dict)
    equations: dict[str, int] = field(default_factory=dict)
    figures: dict[str, int] = field(default_factory=dict)
    blocks: dict[str, str] = field(default_factory=dict)
    citations: dict[str, tuple[str, str]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)


# --- reading the chapter -------------------------------------------------------------


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def glued_values(nb: dict) -> dict[str, str]:
    """name -> text/plain of every value glued in the notebook's stored outputs."""
    values = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            text = out.get("data", {}).get("application/papermill.record/text/plain")
            if name and text is not None:
                values[name] = "".join(text) if isinstance(text, list) else text
    return values


def bibliography(path: Path) -> dict[str, tuple[str, str]]:
    """key -> (short author list, year), read from a BibTeX file."""
    entries = {}
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    for match in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,(.*?)\n\}", text, re.S):
        key, body = match.group(1), match.group(2)
        author = re.search(r"\bauthor\s*=\s*[{\"](.*?)[}\"]\s*,?\s*\n", body, re.S)
        year = re.search(r"\byear\s*=\s*[{\"]?(\d{4})", body)
        names = []
        if author:
            for person in re.split(r"\s+and\s+", re.sub(r"\s+", " ", author.group(1))):
                person = person.strip().strip("{}")
                last = person.split(",")[0] if "," in person else person.split(" ")[-1]
                names.append(last.strip("{} "))
        if len(names) > 2:
            short = f"{names[0]} et al."
        elif len(names) == 2:
            short = f"{names[0]} and {names[1]}"
        else:
            short = names[0] if names else key
        entries[key] = (short, year.group(1) if year else "n.d.")
    return entries


def chapter_titles(chapters: list[Path]) -> dict[str, str]:
    """stem -> first heading of each chapter."""
    titles = {}
    for path in chapters:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            heading = re.search(r"^#\s+(.+)$", _source(cell), re.M)
            if cell["cell_type"] == "markdown" and heading:
                titles[path.stem] = heading.group(1).strip()
                break
    return titles


def build_context(nb: dict, bib: dict[str, tuple[str, str]], titles: dict[str, str]) -> Context:
    ctx = Context(glue=glued_values(nb), citations=bib, titles=titles)
    for cell in nb["cells"]:
        src = _source(cell)
        if cell["cell_type"] == "markdown":
            for m in _DISPLAY_LABEL.finditer(src):
                ctx.equations.setdefault(m.group("label"), len(ctx.equations) + 1)
            for m in _FENCE.finditer(src):
                kind = m.group("name").split(":")[-1]
                if m.group("name").startswith("prf:") and kind in _PRF_KINDS:
                    label = re.search(r"^:label:\s*(\S+)", src[m.end() :], re.M)
                    if label:
                        title = m.group("arg").strip()
                        name = _PRF_KINDS[kind] + (f" ({title})" if title else "")
                        ctx.blocks[label.group(1)] = name
        fig = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name")
        if fig:
            ctx.figures.setdefault(fig, len(ctx.figures) + 1)
    return ctx


# --- converting Markdown -------------------------------------------------------------


def _format_glue(value: str, spec: str) -> str:
    if spec:
        try:
            return format(float(value), spec)
        except ValueError:
            pass
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _role(match: re.Match[str], ctx: Context) -> str:
    role, body = match.group("role"), match.group("body")
    explicit = re.match(r"^(?P<text>.*?)\s*<(?P<target>[^>]+)>$", body, re.S)
    text, target = (explicit.group("text"), explicit.group("target")) if explicit else (None, body)
    if role in ("glue:text", "glue", "glue:"):
        name, _, spec = target.partition(":")
        value = ctx.glue.get(name.strip())
        return _format_glue(value, spec) if value is not None else f"[{name}]"
    if role == "doc":
        stem = target.rsplit("/", 1)[-1]
        label = text or ctx.titles.get(stem, stem)
        if target.startswith("chapters/") or "/" not in target and stem in ctx.titles:
            return f"[{label}]({stem}.ipynb)"
        return label
    if role in ("cite:p", "cite:t", "cite", "cite:ps", "cite:ts"):
        refs = [ctx.citations.get(k.strip(), (k.strip(), "")) for k in target.split(",")]
        if role.startswith("cite:t"):
            return "; ".join(f"{a} ({y})" for a, y in refs)
        return "(" + "; ".join(f"{a} {y}".strip() for a, y in refs) + ")"
    if role == "eq":
        number = ctx.equations.get(target)
        return f"({number})" if number else f"({target})"
    if role == "numref":
        number = ctx.figures.get(target)
        return (
            (text or "Figure {number}").replace("{number}", str(number))
            if number
            else (text or target)
        )
    if role == "prf:ref":
        return text or ctx.blocks.get(target, target)
    return text or target


def convert_text(text: str, ctx: Context) -> str:
    """Roles and labelled display math of one Markdown fragment (no directives)."""
    text = _DISPLAY_LABEL.sub(
        lambda m: (
            f"$${m.group('math').rstrip()} \\tag{{{ctx.equations.get(m.group('label'), '')}}}$$"
        ),
        text,
    )
    return _ROLE.sub(lambda m: _role(m, ctx), text)


def _split_options(body: str) -> tuple[dict[str, str], str]:
    options = {}
    lines = body.split("\n")
    i = 0
    while i < len(lines) and re.match(r"^:[\w-]+:", lines[i]):
        key, _, value = lines[i][1:].partition(":")
        options[key] = value.strip()
        i += 1
    return options, "\n".join(lines[i:]).strip("\n")


def _find_close(text: str, start: int, fence: str) -> tuple[int, int]:
    """(start, end) of the line closing a directive opened with `fence`."""
    char = re.escape(fence[0])
    pattern = re.compile(rf"^{char}{{{len(fence)},}}[ \t]*$", re.M)
    depth = 0
    opener = re.compile(rf"^{char}{{{len(fence)},}}\{{", re.M)
    pos = start
    while True:
        close = pattern.search(text, pos)
        inner = opener.search(text, pos)
        if close is None:
            return len(text), len(text)
        if inner is not None and inner.start() < close.start() and fence[0] == ":":
            depth += 1
            pos = inner.end()
            continue
        if depth:
            depth -= 1
            pos = close.end()
            continue
        return close.start(), close.end()


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


class Converter:
    """Markdown of one chapter, cell after cell; tracks whether we are in a solution."""

    def __init__(self, ctx: Context, student: bool):
        self.ctx = ctx
        self.student = student
        self.in_solution = False

    def directive(self, name: str, arg: str, body: str) -> str:
        options, content = _split_options(body)
        inner = self.markdown(content)
        kind = name.split(":")[-1]
        if name.startswith("prf:") and kind in _PRF_KINDS:
            title = f" ({convert_text(arg.strip(), self.ctx)})" if arg.strip() else ""
            return _quote(f"**{_PRF_KINDS[kind]}{title}.** {inner}")
        if name == "prf:proof":
            return f"*Proof.* {inner} ∎"
        if name == "exercise":
            title = convert_text(arg.strip(), self.ctx)
            return f"---\n\n**Exercise{': ' + title if title else ''}**\n\n{inner}"
        if name == "solution":
            return (
                ""
                if self.student
                else f"<details><summary>Solution</summary>\n\n{inner}\n\n</details>"
            )
        if name in (
            "admonition",
            "hint",
            "note",
            "tip",
            "warning",
            "important",
            "caution",
            "attention",
            "seealso",
            "dropdown",
        ):
            title = convert_text(arg.strip(), self.ctx) or name.capitalize()
            if "dropdown" in options.get("class", "") or name in ("hint", "dropdown"):
                return f"<details><summary>{title}</summary>\n\n{inner}\n\n</details>"
            return _quote(f"**{title}.** {inner}")
        return inner

    def markdown(self, text: str) -> str:
        out, pos = [], 0
        for m in _FENCE.finditer(text):
            if m.start() < pos:
                continue
            out.append(convert_text(text[pos : m.start()], self.ctx))
            name = m.group("name")
            close_start, close_end = _find_close(text, m.end() + 1, m.group("fence"))
            body = text[m.end() + 1 : close_start]
            pos = close_end
            if name == "solution-start":
                self.in_solution = True
                if not self.student:
                    out.append("**Solution.**")
                continue
            if name == "solution-end":
                self.in_solution = False
                continue
            if self.in_solution and self.student:
                continue
            out.append(self.directive(name, m.group("arg"), body))
        tail = text[pos:]
        if not (self.in_solution and self.student):
            out.append(convert_text(tail, self.ctx))
        return "".join(out).strip("\n")

    def cell_markdown(self, text: str) -> str:
        """A Markdown cell: parts inside a student's removed solution vanish."""
        if self.student and self.in_solution and not _FENCE.search(text):
            return ""
        return self.markdown(text)


# --- editions ------------------------------------------------------------------------


def make_edition(nb: dict, ctx: Context, *, student: bool) -> dict:
    """A plain-Jupyter copy of the chapter notebook `nb` (which is not modified)."""
    conv = Converter(ctx, student)
    cells = [] if has_install_cell(nb) else [install_cell()]
    for cell in nb["cells"]:
        cell = copy.deepcopy(cell)
        if cell["cell_type"] == "markdown":
            was_in_solution = conv.in_solution
            text = conv.cell_markdown(_source(cell))
            if student and was_in_solution and conv.in_solution and not text:
                continue
            if text.strip():
                cell["source"] = text
                cells.append(cell)
            continue
        if cell["cell_type"] == "code" and student and conv.in_solution:
            continue
        cells.append(cell)
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        if figure.get("name") in ctx.figures and figure.get("caption"):
            number = ctx.figures[figure["name"]]
            cells.append(
                {
                    "cell_type": "markdown",
                    "id": f"caption-{number}",
                    "metadata": {},
                    "source": f"*Figure {number}.* {convert_text(figure['caption'], ctx)}",
                }
            )
    edition = {k: copy.deepcopy(v) for k, v in nb.items() if k != "cells"}
    edition["cells"] = cells
    return edition


def write_editions(outdir: Path, chapters: list[Path], bib_path: Path | None = None) -> list[Path]:
    """Write the instructor and student editions of `chapters` under `outdir`."""
    bib = bibliography(bib_path or ROOT / "references.bib")
    titles = chapter_titles(chapters)
    written = []
    for path in chapters:
        nb = json.loads(path.read_text(encoding="utf-8"))
        ctx = build_context(nb, bib, titles)
        for name, student in (("instructor", False), ("student", True)):
            target = outdir / name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            edition = make_edition(nb, ctx, student=student)
            target.write_text(
                json.dumps(edition, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            written.append(target)
    return written


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    outdir = Path(argv[0])
    chapters = [Path(p) for p in argv[1:]] or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in write_editions(outdir, chapters):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
