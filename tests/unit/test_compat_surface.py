"""The pyFMG 0.8.6 surface: import paths, exception classes and bases, constructor defaults."""

from __future__ import annotations

import configparser
import inspect
import pathlib
import site
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


def _alias_installed() -> bool:
    dirs = [*site.getsitepackages(), site.getusersitepackages()]
    return any((pathlib.Path(d) / "pyfmg-alias.pth").exists() for d in dirs)


@pytest.mark.skipif(not _alias_installed(), reason="editable install: only 'pip install .' ships pyfmg-alias.pth")
def test_legacy_import_path_gives_the_same_objects_in_a_fresh_interpreter() -> None:
    code = (
        "import pyfmg, pyfmg.fortimgr\n"
        "from pyFMG.fortimgr import FortiManager, FMGBaseException, FMGConnectTimeout\n"
        "import pyFMG.fortimgr as legacy\n"
        "assert FortiManager is pyfmg.FortiManager and legacy is pyfmg.fortimgr\n"
        "assert FMGConnectTimeout is pyfmg.FMGConnectTimeout\n"
        "assert pyfmg.fortimgr.__spec__.name == 'pyfmg.fortimgr'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.skipif(not _alias_installed(), reason="editable install: only 'pip install .' ships pyfmg-alias.pth")
def test_users_pytest_runs_do_not_warn_about_the_alias_module(tmp_path: pathlib.Path) -> None:
    (tmp_path / "test_users.py").write_text("def test_one(fmg_simulator):\n    assert fmg_simulator.host\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in result.stdout.lower(), result.stdout


def test_alias_hook_maps_the_legacy_name() -> None:
    code = (
        "import _pyfmg_alias, sys; _pyfmg_alias.install(); _pyfmg_alias.install()\n"
        "assert sum(isinstance(f, _pyfmg_alias.AliasFinder) for f in sys.meta_path) == 1\n"
        "import pyFMG.fortimgr, pyfmg.fortimgr\n"
        "assert pyFMG.fortimgr is pyfmg.fortimgr\n"
        "import importlib.util\n"
        "assert importlib.util.find_spec('pyFMGX') is None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_two_top_level_names_differ_only_by_case() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    top_level = {"pyfmg", *cfg["options"]["py_modules"].split()}
    top_level |= {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert len({name.lower() for name in top_level}) == len(top_level)
    assert not (ROOT / "pyFMG").exists()
