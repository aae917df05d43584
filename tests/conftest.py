"""Shared pytest configuration: the hypothesis profile and the strictly built site."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")

# A fixed, derandomised profile keeps the suite reproducible and fast; run with
# HYPOTHESIS_PROFILE=thorough for a longer randomised search.
settings.register_profile(
    "default",
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """Build the book once per test session; return the HTML folder."""
    out = tmp_path_factory.mktemp("book")
    cmd = [
        str(JUPYTER_BOOK),
        "build",
        str(ROOT),
        "-W",
        "-n",
        "--keep-going",
        "--all",
        "--path-output",
        str(out),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    html = out / "_build" / "html"
    if result.returncode != 0:
        warnings = [
            line
            for line in result.stdout.splitlines() + result.stderr.splitlines()
            if "WARNING" in line or "ERROR" in line
        ]
        pytest.fail(
            "strict book build failed:\n"
            + "\n".join(warnings[:50] or result.stdout.splitlines()[-40:])
        )
    return html
