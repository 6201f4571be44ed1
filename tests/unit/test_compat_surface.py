"""The pyFMG 0.8.6 surface: import paths, exception classes and bases, constructor defaults."""

from __future__ import annotations

import configparser
import inspect
import pathlib
import subprocess
import sys

import pytest
import requests

import pyfmg
import pyfmg.fortimgr

ROOT = pathlib.Path(__file__).resolve().parents[2]

PYFMG_BASES = {
    "FMGBaseException": Exception,
    "FMGValidSessionException": pyfmg.FMGBaseException,
    "FMGValueError": ValueError,
    "FMGResponseNotFormedCorrect": KeyError,
    "FMGConnectionError": requests.exceptions.ConnectionError,
    "FMGConnectTimeout": requests.exceptions.ConnectTimeout,
    "FMGRequestNotFormedCorrect": pyfmg.FMGBaseException,
    "FMGOAuthTokenError": pyfmg.FMGBaseException,
}


@pytest.mark.parametrize(("name", "base"), sorted(PYFMG_BASES.items()))
def test_the_eight_exceptions_keep_their_bases(name: str, base: type) -> None:
    cls = getattr(pyfmg, name)
    assert issubclass(cls, base) and getattr(pyfmg.fortimgr, name) is cls


def test_connect_timeout_is_also_a_connection_error() -> None:
    assert issubclass(pyfmg.FMGConnectTimeout, pyfmg.FMGConnectionError)


def test_constructor_keywords_and_defaults_are_pyfmgs() -> None:
    params = inspect.signature(pyfmg.FortiManager).parameters
    expected = {
        "host": None,
        "user": None,
        "passwd": None,
        "debug": False,
        "use_ssl": True,
        "verify_ssl": False,
        "timeout": 300,
        "verbose": False,
        "track_task_disable_connerr": False,
        "disable_request_warnings": False,
        "apikey": None,
        "check_adom_workspace": True,
    }
    positional = [p for p in params.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert [p.name for p in positional] == list(expected)
    assert {p.name: p.default for p in positional} == expected


def test_track_task_signature_is_pyfmgs() -> None:
    params = inspect.signature(pyfmg.FortiManager.track_task).parameters
    positional = {n: p for n, p in params.items() if p.kind is p.POSITIONAL_OR_KEYWORD}
    assert {n: p.default for n, p in positional.items() if n not in ("self", "task_id")} == {
        "sleep_time": 3,
        "retrieval_fail_gate": 10,
        "timeout": 120,
        "delete_task_on_timeout": False,
        "timeout_only": True,
        "zero_percent_timeout": 30,
        "task_stale_timeout": 60,
    }


def test_legacy_import_path_gives_the_same_objects_in_a_fresh_interpreter() -> None:
    code = (
        "import pyfmg, pyfmg.fortimgr\n"
        "from pyFMG.fortimgr import FortiManager, FMGBaseException, FMGConnectTimeout\n"
        "import pyFMG.fortimgr as legacy\n"
        "assert FortiManager is pyfmg.FortiManager and legacy is pyfmg.fortimgr\n"
        "assert FMGConnectTimeout is pyfmg.FMGConnectTimeout\n"
        "assert pyfmg.fortimgr.__spec__.name == 'pyfmg.fortimgr'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_users_pytest_runs_do_not_warn_about_the_alias_module(tmp_path: pathlib.Path) -> None:
    (tmp_path / "test_users.py").write_text(
        "import pyFMG.fortimgr\n\ndef test_one(fmg_simulator):\n    assert fmg_simulator.host\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in result.stdout.lower(), result.stdout


def test_the_legacy_name_is_one_module_file_beside_the_package() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    assert cfg["options"]["py_modules"].split() == ["pyFMG"]
    assert (ROOT / "pyFMG.py").is_file() and not (ROOT / "pyFMG").exists()
    assert not list(ROOT.glob("*.pth")) and not (ROOT / "setup.py").exists()
