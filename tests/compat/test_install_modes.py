"""``import pyFMG.fortimgr`` works in every way pyfmg gets installed, with no .pth file involved.

The artifacts are built from a copy of the source tree, the way a user or a bundler builds them:
an sdist through the PEP 517 hooks, then a wheel from the unpacked sdist (so a broken sdist
fails here). Installs are offline (``--no-index --no-deps``, no build isolation); ``requests`` and
its dependencies come from this interpreter through ``PYTHONPATH``.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from typing import NamedTuple

import pytest

try:
    import fcntl
except ImportError:  # Windows: each worker builds its own
    fcntl = None  # type: ignore[assignment]

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUNTIME_DEPENDENCIES = ("requests", "urllib3", "idna", "certifi", "charset_normalizer")

#: Run inside the installed environment: the legacy name gives pyfmg's own objects, from the install.
CHECK = """
import sys
import pyFMG.fortimgr as legacy
import pyfmg, pyfmg.fortimgr
from pyFMG.fortimgr import FortiManager, FMGLockContext, FMGConnectionError
from pyFMG import fortimgr
assert legacy is pyfmg.fortimgr is fortimgr, (legacy, pyfmg.fortimgr)
assert FortiManager is pyfmg.FortiManager and FMGConnectionError is pyfmg.FMGConnectionError
fmg = FortiManager("fmg.example", "admin", "x")
assert isinstance(fmg._lock_ctx, FMGLockContext)
try:
    import pyFMG.fortianalyzer
except ImportError:
    pass
else:
    raise AssertionError("pyFMG.fortianalyzer should not import")
print(pyfmg.__file__)
"""


class Artifacts(NamedTuple):
    source: pathlib.Path
    sdist: pathlib.Path
    wheel: pathlib.Path
    deps: pathlib.Path


def _copy_source(target: pathlib.Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
    for name in ("pyfmg", "connectors"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("pyFMG.py", "setup.cfg", "pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, target / name)


def _backend(hook: str, source: pathlib.Path, out: pathlib.Path) -> pathlib.Path:
    code = f"from setuptools import build_meta; print(build_meta.{hook}({str(out)!r}))"
    result = subprocess.run([sys.executable, "-c", code], cwd=source, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return out / result.stdout.strip().splitlines()[-1]


def _dependency_dir(target: pathlib.Path, names: tuple[str, ...]) -> pathlib.Path:
    """A directory of links to these installed packages, and nothing else."""
    target.mkdir()
    for name in names:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.submodule_search_locations, name
        (target / name).symlink_to(next(iter(spec.submodule_search_locations)), target_is_directory=True)
    return target


def _build(base: pathlib.Path) -> Artifacts:
    source = base / "source"
    _copy_source(source)
    sdist = _backend("build_sdist", source, base / "sdist")
    with tarfile.open(sdist) as archive:
        archive.extractall(base / "unpacked")
    (unpacked,) = (base / "unpacked").iterdir()
    wheel = _backend("build_wheel", unpacked, base / "wheel")
    return Artifacts(source, sdist, wheel, _dependency_dir(base / "deps", RUNTIME_DEPENDENCIES))


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Artifacts:
    """Built once per test run; pytest-xdist workers share one build through a file lock."""
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
    (wheel,) = (built / "wheel").glob("*.whl")
    return Artifacts(built / "source", sdist, wheel, built / "deps")


def _pip(*args: str, pythonpath: pathlib.Path | None = None) -> None:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    result = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, check=False, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def _venv(path: pathlib.Path) -> pathlib.Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _check(python: pathlib.Path | str, cwd: pathlib.Path, pythonpath: list[pathlib.Path], *flags: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
    result = subprocess.run(
        [str(python), *flags, "-c", CHECK], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def test_the_sdist_ships_the_alias_module_and_no_pth(artifacts: Artifacts) -> None:
    with tarfile.open(artifacts.sdist) as archive:
        names = {pathlib.PurePosixPath(name).name for name in archive.getnames()}
    assert "pyFMG.py" in names
    assert not [name for name in names if name.endswith(".pth")]
    with zipfile.ZipFile(artifacts.wheel) as wheel:
        top_level = {name.split("/")[0] for name in wheel.namelist()}
    assert {"pyFMG.py", "pyfmg"} <= top_level
    assert not [name for name in top_level if name.endswith(".pth")]


def test_installed_wheel(artifacts: Artifacts, tmp_path: pathlib.Path) -> None:
    python = _venv(tmp_path / "venv")
    _pip("--python", str(python), "install", "--no-deps", "--no-index", "--no-compile", str(artifacts.wheel))
    location = _check(python, tmp_path, [artifacts.deps])
    assert str(tmp_path / "venv") in location


def test_pip_install_target_on_pythonpath_without_site(artifacts: Artifacts, tmp_path: pathlib.Path) -> None:
    # How SOAR platforms bundle dependencies: no site-packages, so no .pth file would ever run.
    target = tmp_path / "bundle"
    _pip("install", "--no-deps", "--no-index", "--no-compile", "--target", str(target), str(artifacts.wheel))
    assert not list(target.glob("*.pth"))
    location = _check(sys.executable, tmp_path, [target, artifacts.deps], "-S")
    assert str(target) in location


def test_editable_install(artifacts: Artifacts, tmp_path: pathlib.Path) -> None:
    python = _venv(tmp_path / "venv")
    _pip(
        "--python", str(python), "install", "--no-deps", "--no-index", "--no-compile", "--no-build-isolation",
        "-e", str(artifacts.source),
        # pip runs the build backend in the target interpreter: lend it this one's setuptools.
        pythonpath=pathlib.Path(sysconfig.get_paths()["purelib"]),
    )  # fmt: skip
    location = _check(python, tmp_path, [artifacts.deps])
    assert str(artifacts.source) in location
