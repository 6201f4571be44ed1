"""The checks CI must not skip: lint, types, Python 3.9 compatibility, documentation build."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
# Code that runs on a user's Python (3.9 on SOAR platforms): the package and the Ansible collection.
SOURCES = ["pyfmg", "pyFMG.py", "ansible_collections"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def tool(name: str) -> str:
    found = shutil.which(name, path=str(pathlib.Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_ruff() -> None:
    result = run(tool("ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = run(tool("ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy() -> None:
    result = run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_shipped_code_runs_on_python_39() -> None:
    result = run(tool("vermin"), "-t=3.9-", "--no-tips", "--violations", "--eval-annotations", *SOURCES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_docs_build_without_warnings(tmp_path: pathlib.Path) -> None:
    result = run(sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", "docs", str(tmp_path / "html"))
    assert result.returncode == 0, result.stdout + result.stderr
