"""The package people install: built, checked, and enough for every chapter.

One module-scoped build makes the sdist and the wheel (``python -m build``) in a
temporary folder; the tests then check them with ``twine check``, check that the
version has one source and that the sdist carries the tests, and finally install
the wheel with its ``[notebooks]`` extra (plus pytest and nbval, pinned by
constraints.txt) into a fresh virtual environment outside the repository. There,
with no editable install and nothing of the repository on ``sys.path``, every
chapter notebook runs under strict nbval, and the sdist's library tests run
against the installed wheel.

Installing needs the package index (or a pip cache). Without it the last two
tests are skipped with a message, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"
# Library tests that need nothing but the installed package and its [test] and
# [notebooks] extras (no book, no chapters, no repository tools).
SDIST_TESTS = ("test_validation.py", "test_derivation.py", "test_classifier.py")


def run(cmd: list[str], cwd: Path, timeout: int = 900, **kw) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, **kw
    )


def version_in_source() -> str:
    for line in (ROOT / "softmax_lib" / "__init__.py").read_text().splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise AssertionError("no __version__ in softmax_lib/__init__.py")


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    result = run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], cwd=out)
    if result.returncode != 0:
        message = "python -m build failed:\n" + result.stdout[-3000:] + result.stderr[-3000:]
        if not IN_CI and "Could not find a version" in result.stdout + result.stderr:
            pytest.skip("cannot install the build backend (no network or pip cache): " + message)
        pytest.fail(message)
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist, "dir": out}


def test_twine_check_passes(dist):
    result = run(
        [
            sys.executable,
            "-m",
            "twine",
            "check",
            "--strict",
            str(dist["wheel"]),
            str(dist["sdist"]),
        ],
        cwd=dist["dir"],
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_version_and_the_library_readme_as_description(dist):
    version = version_in_source()
    assert dist["wheel"].name.startswith(f"softmax_lib-{version}-")
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        (meta,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = wheel.read(meta).decode()
        names = wheel.namelist()
    assert f"\nVersion: {version}\n" in metadata
    assert "Project-URL: Source," in metadata and "Classifier: Typing :: Typed" in metadata
    assert "Provides-Extra: notebooks" in metadata
    library_readme = (ROOT / "softmax_lib" / "README.md").read_text(encoding="utf-8")
    assert library_readme.splitlines()[0] in metadata
    assert "Description-Content-Type: text/markdown" in metadata
    assert "softmax_lib/py.typed" in names and "softmax_lib/notebook.py" in names
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" in declared["dynamic"]


def test_sdist_carries_the_tests(dist):
    with tarfile.open(dist["sdist"]) as sdist:
        names = {Path(*Path(n).parts[1:]).as_posix() for n in sdist.getnames()}
    for name in (
        "tests/conftest.py",
        "CHANGELOG.md",
        "LICENSE",
        *(f"tests/{t}" for t in SDIST_TESTS),
    ):
        assert name in names, f"{name} missing from the sdist"


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel and the notebooks' dependencies."""
    where = tmp_path_factory.mktemp("venv")
    assert ROOT not in where.parents
    result = run([sys.executable, "-m", "venv", str(where / "env")], cwd=where)
    assert result.returncode == 0, result.stderr
    python = where / "env" / "bin" / "python"
    cmd = [
        str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        f"{dist['wheel']}[notebooks,test]", "nbval", "pytest",
        "-c", str(ROOT / "constraints.txt"),
    ]  # fmt: skip
    result = run(cmd, cwd=where)
    if result.returncode != 0:
        message = (
            "pip could not install the wheel:\n" + result.stdout[-3000:] + result.stderr[-3000:]
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip("no package index or pip cache here; " + message)
    return python


def test_installed_package_is_the_wheel(venv):
    code = (
        "import importlib.metadata as m, softmax_lib, sys; "
        "print(softmax_lib.__version__, m.version('softmax-lib'), softmax_lib.__file__)"
    )
    result = run([str(venv), "-I", "-c", code], cwd=venv.parent.parent)
    assert result.returncode == 0, result.stderr
    ours, metadata, location = result.stdout.split()
    assert ours == metadata == version_in_source()
    assert "site-packages" in location and str(ROOT) not in location


def test_every_chapter_runs_under_strict_nbval_with_only_the_package(venv, tmp_path):
    chapters = sorted((ROOT / "chapters").glob("*.ipynb"))
    still_myst = [nb.name for nb in chapters if "from myst_nb import glue" in nb.read_text()]
    assert not still_myst, (
        f"{still_myst} import glue from myst_nb, which the package does not install: "
        "run `python tools/use_package_glue.py` (it changes only that line)"
    )
    for nb in chapters:
        shutil.copy2(nb, tmp_path / nb.name)
        for item in (ROOT / "chapters").iterdir():  # data files a chapter reads, if any
            if item.is_file() and item.suffix not in (".ipynb",) and item.name != ".gitignore":
                shutil.copy2(item, tmp_path / item.name)
    shutil.copy2(ROOT / "tests" / "nbval_sanitize.cfg", tmp_path / "nbval_sanitize.cfg")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # no configuration from elsewhere
    cmd = [
        str(venv), "-m", "pytest", "--nbval", "--nbval-current-env",
        "--nbval-sanitize-with", "nbval_sanitize.cfg", "--nbval-cell-timeout", "120",
        "-p", "no:cacheprovider", "-q", *[nb.name for nb in chapters],
    ]  # fmt: skip
    result = run(cmd, cwd=tmp_path, timeout=1800)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_sdist_library_tests_pass_against_the_wheel(dist, venv, tmp_path):
    with tarfile.open(dist["sdist"]) as sdist:
        sdist.extractall(tmp_path / "sdist", filter="data")
    (root,) = (tmp_path / "sdist").iterdir()
    run_dir = tmp_path / "run"  # not the sdist's root, whose softmax_lib/ would shadow the wheel
    run_dir.mkdir()
    tests = [str(root / "tests" / t) for t in SDIST_TESTS]
    cmd = [
        str(venv), "-m", "pytest", "-c", os.devnull, "--rootdir", str(run_dir),
        "-p", "no:cacheprovider", "--import-mode=importlib", "-q", *tests,
    ]  # fmt: skip
    result = run(cmd, cwd=run_dir)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
