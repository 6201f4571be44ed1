"""One sdist and one wheel per test run, built the way a user or a bundler builds them, shared by every test.

A copy of the checkout (what ``git clone`` gives: no virtualenv, caches or build output) goes
through the PEP 517 hooks: the sdist, then the wheel from the unpacked sdist, so a broken sdist
fails here. No build isolation (setuptools and wheel come with the test extra): isolation would
download them for every run. pytest-xdist workers share the one build through a file lock.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
from typing import NamedTuple

import pytest

try:
    import fcntl
except ImportError:  # Windows: each worker builds its own
    fcntl = None  # type: ignore[assignment]

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUNTIME_DEPENDENCIES = ("requests", "urllib3", "idna", "certifi", "charset_normalizer")
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".venv*", ".git", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", "_build", ".*_cache", ".hypothesis"
)


class Artifacts(NamedTuple):
    source: pathlib.Path  # the copy of the checkout that was built
    sdist: pathlib.Path
    unpacked: pathlib.Path  # the sdist's top folder, unpacked
    wheel: pathlib.Path
    deps: pathlib.Path  # links to the run-time dependencies of this interpreter, and nothing else


def _backend(hook: str, source: pathlib.Path, out: pathlib.Path) -> pathlib.Path:
    code = f"from setuptools import build_meta; print(build_meta.{hook}({str(out)!r}))"
    result = subprocess.run([sys.executable, "-c", code], cwd=source, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return out / result.stdout.strip().splitlines()[-1]


def _dependency_dir(target: pathlib.Path, names: tuple[str, ...]) -> pathlib.Path:
    target.mkdir()
    for name in names:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.submodule_search_locations, name
        (target / name).symlink_to(next(iter(spec.submodule_search_locations)), target_is_directory=True)
    return target


def _build(base: pathlib.Path) -> None:
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_IN_A_CLONE)
    sdist = _backend("build_sdist", source, base / "sdist")
    with tarfile.open(sdist) as archive:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # 3.12+ warns without a filter
        archive.extractall(base / "unpacked", **safe)
    (unpacked,) = (base / "unpacked").iterdir()
    _backend("build_wheel", unpacked, base / "wheel")
    _dependency_dir(base / "deps", RUNTIME_DEPENDENCIES)


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Artifacts:
    """The run's sdist and wheel (built on first use)."""
    pytest.importorskip("setuptools")
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER") and fcntl is not None:
        base = base.parent  # the run's directory, common to its workers
    shared = base / "pyfmg-packaging"
    shared.mkdir(exist_ok=True)
    with open(shared / "lock", "w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)  # blocks until the worker building it is done
        if not (shared / "built").exists():
            _build(shared / "artifacts")
            (shared / "built").touch()
    built = shared / "artifacts"
    (sdist,) = (built / "sdist").glob("*.tar.gz")
    (unpacked,) = (built / "unpacked").iterdir()
    (wheel,) = (built / "wheel").glob("*.whl")
    return Artifacts(built / "source", sdist, unpacked, wheel, built / "deps")
