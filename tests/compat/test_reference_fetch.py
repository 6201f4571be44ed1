"""The reference pyFMG is hash-pinned, and a missing reference fails the run instead of skipping it."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import zipfile

import pytest

from . import reference

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _offline_env(cache: pathlib.Path, links: pathlib.Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYFMG_COMPAT_")) and k != "CI"}
    env.update(PYFMG_COMPAT_CACHE=str(cache), PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", **extra)
    if links is not None:
        env["PIP_FIND_LINKS"] = str(links)
    return env


def test_a_wheel_with_another_hash_is_refused(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    links = tmp_path / "links"
    links.mkdir()
    with zipfile.ZipFile(links / reference.WHEEL, "w") as impostor:
        info = "pyfmg-0.8.6.3.dist-info"
        impostor.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\nName: pyfmg\nVersion: 0.8.6.3\n")
        impostor.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        impostor.writestr(f"{info}/RECORD", "")
        impostor.writestr("pyFMG/fortimgr.py", "raise SystemExit('not the reference')\n")
    for key, value in _offline_env(tmp_path / "cache", links).items():
        monkeypatch.setenv(key, value)
    with pytest.raises(reference.ReferenceUnavailable, match="expected a37e6015"):
        reference.fetch_wheel()
    assert not (tmp_path / "cache" / reference.WHEEL).exists()


def _run_one_differential_test(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    test = "tests/compat/test_pyfmg_habits.py::test_jprint"
    command = [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "-rs", "-q", test]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def test_an_unreachable_reference_fails_the_run(tmp_path: pathlib.Path) -> None:
    result = _run_one_differential_test(_offline_env(tmp_path / "cache", CI="true", PYFMG_COMPAT_SKIP="1"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the reference of the differential tests, is unavailable" in result.stdout


def test_skipping_knowingly_outside_ci_is_reported(tmp_path: pathlib.Path) -> None:
    result = _run_one_differential_test(_offline_env(tmp_path / "cache", PYFMG_COMPAT_SKIP="1"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SKIPPED" in result.stdout and "is unavailable" in result.stdout
