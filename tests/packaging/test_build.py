"""What a newcomer installs, and what a distribution packager unpacks.

sdist -> wheel built from that sdist -> a fresh virtualenv -> ``pyfmg --version``; the sdist
holds the whole project and its tests pass from the unpacked archive. Also checks the metadata
PyPI shows: project URLs, author, development status, ``Framework :: Pytest``, no deprecated
``License ::`` classifier (the licence is the SPDX expression ``Apache-2.0``).

Every test here uses the run's one build (tests/packaging/artifacts.py).
"""

from __future__ import annotations

import email
import os
import pathlib
import subprocess
import sys
import tarfile
import zipfile

import pytest

from .artifacts import ROOT, Artifacts

#: What the sdist must hold besides the package: a packager runs the tests and builds the docs from it.
PROJECT = ("CHANGELOG.md", "MANIFEST.in", "docs/conf.py", "docs/cli.rst", "benchmarks", "ansible_collections/pyfmg")
#: Tests run from the unpacked sdist (about 8 s): the library with HTTP mocked, the command line
#: against the simulator over loopback, the collection's module utils, the module layering, and
#: the README's examples (which read README.md and docs/).
SDIST_TESTS = (
    "tests/unit/test_architecture.py",
    "tests/unit/test_login.py",
    "tests/unit/test_wire_format.py",
    "tests/cli/test_cli.py",
    "tests/cli/test_settings.py",
    "tests/ansible/test_module_utils.py",
    "tests/docs/test_examples.py::test_every_block_is_code_or_data",
    "tests/docs/test_examples.py::test_a_reason_not_to_run_is_true",
    "tests/docs/test_examples.py::test_page_examples_do_what_they_say[README.md]",
)


def run(*command: str | pathlib.Path, cwd: pathlib.Path | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=300, cwd=cwd, env=env, check=False
    )
    assert done.returncode == 0, f"{command}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def sdist_names(sdist: pathlib.Path) -> set[str]:
    with tarfile.open(sdist) as archive:
        return {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}


def test_sdist_to_wheel_to_fresh_venv(artifacts: Artifacts, tmp_path: pathlib.Path) -> None:
    assert {"LICENSE", "README.md", "setup.cfg", "pyfmg/cli/__init__.py"} <= sdist_names(artifacts.sdist)
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", artifacts.wheel)
    script = python.parent / ("pyfmg.exe" if sys.platform == "win32" else "pyfmg")
    # Without requests installed, even: --version needs nothing beyond the standard library.
    assert run(script, "--version").strip() == "pyfmg 1.0.0"
    assert "Exit status" in run(script, "--help")


def test_the_sdist_is_the_whole_project(artifacts: Artifacts) -> None:
    names = sdist_names(artifacts.sdist)
    missing = [path for path in PROJECT if not any(name == path or name.startswith(f"{path}/") for name in names)]
    assert not missing, f"the sdist lacks {missing}"
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False)
    if tracked.returncode == 0 and tracked.stdout:  # a checkout (from an unpacked sdist there is no git)
        absent = sorted(set(tracked.stdout.splitlines()) - names - {".gitignore"})
        assert not absent, f"tracked files the sdist lacks: {absent}"
    assert not [name for name in names if "__pycache__" in name or name.endswith((".pyc", ".tgz"))]


@pytest.mark.duration(6)
def test_the_tests_pass_from_the_unpacked_sdist(artifacts: Artifacts) -> None:
    """A distribution packager's check: the sdist's own tests, against the sdist's own pyfmg."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "PYTHON"))}
    env.update(PYTHONPATH=str(artifacts.unpacked), PYTHONDONTWRITEBYTECODE="1")
    where = "import pyfmg, tests; print(pyfmg.__file__, tests.__file__)"
    assert run(sys.executable, "-c", where, cwd=artifacts.unpacked, env=env).count(str(artifacts.unpacked)) == 2
    # One process (-n 0), no cache written into the shared build.
    out = run(
        sys.executable, "-m", "pytest", "-n", "0", "-q", "-p", "no:cacheprovider", *SDIST_TESTS,
        cwd=artifacts.unpacked, env=env,
    )  # fmt: skip
    assert " passed" in out and " failed" not in out and " error" not in out


def test_wheel_metadata(artifacts: Artifacts) -> None:
    with zipfile.ZipFile(artifacts.wheel) as archive:
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


def test_the_wheel_holds_the_package_only(artifacts: Artifacts) -> None:
    with zipfile.ZipFile(artifacts.wheel) as archive:
        top = {name.split("/")[0] for name in archive.namelist()}
    assert not top & {"tests", "docs", "benchmarks", "ansible_collections"}, sorted(top)
