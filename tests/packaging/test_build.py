"""What a newcomer installs: sdist -> wheel built from that sdist -> a fresh virtualenv -> ``pyfmg --version``.

Also checks the metadata PyPI shows: project URLs, author, development status, ``Framework :: Pytest``,
no deprecated ``License ::`` classifier (the licence is the SPDX expression ``Apache-2.0``).
"""

from __future__ import annotations

import email
import pathlib
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(".venv*", ".git", "build", "dist", "*.egg-info", "__pycache__", "_build", ".*_cache")


def run(*command: str | pathlib.Path, cwd: pathlib.Path | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=300, cwd=cwd, check=False
    )
    assert done.returncode == 0, f"{command}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, pathlib.Path]:
    """The sdist, and the wheel that ``python -m build`` made from it (not from the checkout).

    Without build isolation (setuptools and wheel come with the test extra): isolation would
    download them for every run.
    """
    pytest.importorskip("build")
    pytest.importorskip("setuptools")
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=SKIP)
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", work / "dist", source)
    (sdist,) = (work / "dist").glob("pyfmg-*.tar.gz")
    (wheel,) = (work / "dist").glob("pyfmg-*.whl")
    return sdist, wheel


def test_sdist_to_wheel_to_fresh_venv(built: tuple[pathlib.Path, pathlib.Path], tmp_path: pathlib.Path) -> None:
    sdist, wheel = built
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "setup.cfg", "pyfmg/cli/__init__.py"} <= names
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", wheel)
    script = python.parent / ("pyfmg.exe" if sys.platform == "win32" else "pyfmg")
    # Without requests installed, even: --version needs nothing beyond the standard library.
    assert run(script, "--version").strip() == "pyfmg 1.0.0"
    assert "Exit status" in run(script, "--help")


def test_wheel_metadata(built: tuple[pathlib.Path, pathlib.Path]) -> None:
    _, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = email.message_from_bytes(archive.read(name))
    urls = dict(line.split(", ", 1) for line in metadata.get_all("Project-URL") or [])
    assert {"Documentation", "Source", "Issues", "Changelog"} <= set(urls)
    assert metadata["Author"] == "The pyfmg authors"
    classifiers = metadata.get_all("Classifier") or []
    assert "Framework :: Pytest" in classifiers
    assert [c for c in classifiers if c.startswith("Development Status ::")]
    assert not [c for c in classifiers if c.startswith("License ::")]
    requires = metadata.get_all("Requires-Dist") or []
    assert any(r.startswith("tomli") and "3.11" in r for r in requires)
