"""``import pyFMG.fortimgr`` works in every way pyfmg gets installed, with no .pth file involved.

The sdist and wheel are the run's one build (tests/packaging/artifacts.py): from a copy of the
checkout, the way a user or a bundler builds them. Installs are offline (``--no-index
--no-deps``, no build isolation); ``requests`` and its dependencies come from this interpreter
through ``PYTHONPATH``.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import sysconfig
import tarfile
import zipfile

from tests.packaging.artifacts import Artifacts

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
