"""The install instructions of README.md and course.md stay true to the repository.

The commands themselves were run in a fresh clone (README, "Running the chapters
yourself, without make"); these checks, which need no network, keep them honest as
the files change:

* every extra a documented ``pip install`` names exists in ``pyproject.toml``, and
  every file it names (``-c constraints.txt``, ``-r requirements.txt``) exists;
* every Windows command (``.venv\\Scripts\\...``) is the twin of a documented POSIX one;
* the ``local`` extra holds what the text promises (JupyterLab, jupyterlab-myst,
  nbval, the notebooks and test extras), and the versions pinned in
  ``requirements.txt`` satisfy the extras;
* Binder (``.binder/``) asks for a Python that ``requires-python`` allows and that the
  classifiers list, and installs the package with the notebooks extra under
  ``constraints.txt``;
* the launch buttons of ``_config.yml`` point into the repository that
  ``pyproject.toml`` names, at notebooks that exist.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from book_structure import toc_chapters

ROOT = Path(__file__).resolve().parent.parent
DOCS = ("README.md", "course.md")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS = PYPROJECT["project"]["optional-dependencies"]
BINDER = ROOT / ".binder"

# `pip install ...` up to the end of the line or of the inline code span.
PIP_INSTALL = re.compile(r"pip install ([^`\n]+)")
EXTRAS_IN_ARG = re.compile(r"(?:^|[\s\"'])(?:\.|softmax-lib)\[([a-z0-9_,-]+)\]")
FILE_OPTION = re.compile(r"(?:^|\s)-[rc]\s+(\S+)")


def _text(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def _pip_installs(name: str) -> list[str]:
    return [m.group(1).strip() for m in PIP_INSTALL.finditer(_text(name))]


def _pins(path: Path) -> dict[str, str]:
    """``name==version`` lines of a requirements or constraints file."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line and not line.startswith("-"):
            req = Requirement(line)
            pins[canonicalize_name(req.name)] = str(req.specifier).removeprefix("==")
    return pins


@pytest.mark.parametrize("doc", DOCS)
def test_documented_pip_installs_name_extras_and_files_that_exist(doc):
    commands = _pip_installs(doc)
    assert commands, f"{doc} documents no pip install"
    problems, named = [], set()
    for command in commands:
        for group in EXTRAS_IN_ARG.findall(command):
            for extra in group.split(","):
                named.add(extra)
                if extra not in EXTRAS:
                    problems.append(f"{command!r}: no extra {extra!r} in pyproject.toml")
        for path in FILE_OPTION.findall(command):
            if not (ROOT / path.replace("\\", "/")).is_file():
                problems.append(f"{command!r}: no file {path}")
    assert not problems, "\n".join(problems)
    # Both pages document the no-make route with the local extra and the constraints.
    assert "local" in named, commands
    assert any("-c constraints.txt" in c for c in commands), commands


@pytest.mark.parametrize("doc", DOCS)
def test_windows_commands_are_twins_of_posix_ones(doc):
    text = _text(doc)
    posix = {m.strip() for m in re.findall(r"\.venv/bin/([^`\n]+)", text)}
    windows = [m.strip() for m in re.findall(r"\.venv\\Scripts\\([^`\n]+)", text)]
    assert windows, f"{doc} gives no Windows command (.venv\\Scripts\\...)"
    # The POSIX spelling of a Windows command: forward slashes, folders without "/".
    strip = {c.rstrip("/") for c in posix}
    orphans = [c for c in windows if c.replace("\\", "/").rstrip("/") not in strip]
    assert not orphans, f"{doc}: Windows commands without a POSIX twin: {orphans}"
    pip = [c for c in windows if "pip install" in c]
    assert pip, f"{doc}: no Windows pip install"
    assert re.search(r"^py -m venv \.venv|`py -m venv \.venv`", text, re.M), doc


def test_local_extra_holds_what_the_docs_promise():
    local = [Requirement(r) for r in EXTRAS["local"]]
    names = {canonicalize_name(r.name): r for r in local}
    assert {"jupyterlab", "jupyterlab-myst", "nbval"} <= set(names), sorted(names)
    itself = names.get("softmax-lib")
    assert itself is not None and {"notebooks", "test"} <= itself.extras, EXTRAS["local"]


@pytest.mark.parametrize("extra", ["notebooks", "local", "test"])
def test_pinned_versions_satisfy_the_extras(extra):
    """The environment `make` builds (requirements.txt, constraints.txt) meets each extra."""
    pins = _pins(ROOT / "constraints.txt") | _pins(ROOT / "requirements.txt")
    problems = []
    for line in EXTRAS[extra]:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        if name == "softmax-lib":
            continue
        if name not in pins:
            problems.append(f"{name} is pinned in neither requirements.txt nor constraints.txt")
        elif not req.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{name}=={pins[name]} does not satisfy {line!r}")
    assert not problems, "\n".join(problems)


def test_binder_python_is_allowed_and_listed():
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert match, f".binder/runtime.txt must read python-X.Y, got {runtime!r}"
    version = match.group(1)
    project = PYPROJECT["project"]
    assert SpecifierSet(project["requires-python"]).contains(version), (
        version,
        project["requires-python"],
    )
    assert f"Programming Language :: Python :: {version}" in project["classifiers"]
    # README and course page state the version Binder runs.
    for doc in DOCS:
        assert f"Python {version}" in _text(doc), f"{doc} does not say Binder runs Python {version}"
    # repo2docker refuses a repository with both folders, and reads only one of them.
    assert not (ROOT / "binder").exists(), "binder/ and .binder/ both exist"


def test_binder_installs_the_package_with_the_notebooks_extra_under_the_constraints():
    lines = [
        line.split("#", 1)[0].strip()
        for line in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()
    ]
    lines = [line for line in lines if line]
    # pip reads -c relative to the requirements file; repo2docker runs pip from the root.
    constraints = [line.split(None, 1)[1] for line in lines if line.startswith("-c ")]
    assert constraints and all(
        (BINDER / c).resolve() == (ROOT / "constraints.txt").resolve() for c in constraints
    ), constraints
    local = [line for line in lines if line.startswith(".")]
    assert local, "Binder does not install the book's package"
    assert "notebooks" in EXTRAS_IN_ARG.findall(" " + local[0])[0].split(","), local
    # Every pinned package is pinned to the same version for `make`.
    pins = _pins(ROOT / "requirements.txt") | _pins(ROOT / "constraints.txt")
    for name, version in _pins(BINDER / "requirements.txt").items():
        assert pins.get(name) == version, (name, version, pins.get(name))


def test_launch_buttons_point_at_notebooks_of_this_repository():
    config = yaml.safe_load(_text("_config.yml"))
    repo = config["repository"]["url"].rstrip("/")
    assert repo == PYPROJECT["project"]["urls"]["Source"].rstrip("/"), repo
    buttons = config["launch_buttons"]
    assert buttons["binderhub_url"].rstrip("/") == "https://mybinder.org"
    assert buttons["colab_url"].rstrip("/") == "https://colab.research.google.com"
    # The buttons open <repository>/<docname>.ipynb: each chapter must be that file.
    chapters = toc_chapters(ROOT)
    assert chapters
    missing = [doc for doc in chapters if not (ROOT / f"{doc}.ipynb").is_file()]
    assert not missing, f"launch buttons would open notebooks that do not exist: {missing}"
