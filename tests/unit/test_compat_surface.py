"""The pyFMG 0.8.6 surface: import paths, exception classes and bases, constructor defaults."""

from __future__ import annotations

import configparser
import inspect
import pathlib
import subprocess
import sys
from unittest.mock import Mock

import pytest
import requests
import responses

import pyfmg
import pyfmg.fortimgr

from .fakefmg import HOST, PASSWORD, FakeFMG, ok

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


# --- pyFMG's private surface over pyfmg's own objects ----------------------------------------------
def _reply(data: object = None, code: int = 0, request_id: int | None = None) -> Mock:
    result: dict = {"status": {"code": code, "message": "OK" if code == 0 else "Invalid session"}, "url": "x"}
    if data is not None:
        result["data"] = data
    response = Mock()
    response.json.return_value = {"id": request_id, "result": [result], "session": "S2"}
    return response


def test_lock_context_and_scoped_locks_share_one_record(fake: FakeFMG, fmg: pyfmg.FortiManager) -> None:
    fmg._lock_ctx.uses_workspace = True
    assert fmg.lock_adom("root")[0] == 0 and fmg.lock("root", package="default")[0] == 0
    assert fmg.locked_scopes == ["root", "root/pkg/default"]
    assert fmg._lock_ctx._locked_adom_list == ["root"]
    fmg._lock_ctx.add_adom_to_lock_list("dmz")
    assert fmg.locked_scopes == ["root", "root/pkg/default", "dmz"]
    fake.bodies.clear()
    fmg.logout()
    unlocked = [b["params"][0]["url"] for b in fake.bodies if "unlock" in b["params"][0]["url"]]
    assert unlocked == [
        "/dvmdb/adom/root/workspace/unlock/",
        "/dvmdb/adom/root/workspace/unlock/pkg/default",
        "/dvmdb/adom/dmz/workspace/unlock/",
    ]
    assert fmg._lock_ctx._locked_adom_list == [] and fmg.locked_scopes == []


def test_a_replaced_lock_context_is_the_one_record(fake: FakeFMG, fmg: pyfmg.FortiManager) -> None:
    fmg._lock_ctx = pyfmg.fortimgr.FMGLockContext(fmg)
    fmg._lock_ctx.uses_workspace = True
    with fmg.workspace("root"):
        assert fmg._lock_ctx._locked_adom_list == ["root"]
    assert fmg._lock_ctx._locked_adom_list == []


def test_lock_adom_waits_through_the_lock_context(fake: FakeFMG, fmg: pyfmg.FortiManager) -> None:
    answers = iter([-20055, 0])
    fake.on(lambda m, p, b: ok(url=p[0]["url"], code=next(answers)) if p[0]["url"].endswith("/lock/") else None)
    fmg._lock_ctx.manager._sleep = lambda seconds: None
    assert fmg.lock_adom("root", wait=5)[0] == 0
    assert fmg._lock_ctx._locked_adom_list == ["root"]


def test_relogin_through_a_swapped_session_never_touches_the_wire(rsps: responses.RequestsMock) -> None:
    # rsps has no URL registered: a request on pyfmg's own wire would fail the test.
    client = pyfmg.FortiManager(HOST, "admin", PASSWORD, retry=pyfmg.Retry(relogin=True))
    client._session = Mock()
    client._session.post.side_effect = [
        _reply(request_id=1),  # login
        _reply({"workspace-mode": 0}, request_id=2),  # check_mode
        _reply(code=-11, request_id=3),  # the call: session refused
        _reply(request_id=4),  # login again
        _reply({"ok": 1}, request_id=5),  # the call, repeated
    ]
    assert client.login()[0] == 0
    assert client.get("sys/status") == (0, {"ok": 1})
    assert client._session.post.call_count == 5 and client.sid == "S2"
    assert len(rsps.calls) == 0


def test_stall_mid_read_maps_to_connection_error_with_pyfmgs_words() -> None:
    from pyfmg.legacy import wire

    err = pyfmg.FMGConnectionError("the reply stalled: ...")
    assert wire.with_opening_words(err, str(err)) == "Connection error: the reply stalled: ..."
    assert wire.with_opening_words(err, "Connection error: x") == "Connection error: x"


def test_the_legacy_room_adapts_lower_layers_and_never_imports_the_facade() -> None:
    from .test_architecture import PACKAGE, internal_imports

    allowed = {"arguments", "auth", "exceptions", "logs", "request", "response", "transport", "workspace", "legacy"}
    for path in sorted((PACKAGE / "legacy").glob("*.py")):
        imported = {name.split(".")[0] for name in internal_imports(path)}
        assert imported <= allowed, f"{path.name} imports {sorted(imported - allowed)}"


def test_a_swapped_in_requests_session_keeps_the_fast_path(fake: FakeFMG, fmg: pyfmg.FortiManager) -> None:
    sends: list[str] = []

    class CountingAdapter(requests.adapters.HTTPAdapter):
        def send(self, request: requests.PreparedRequest, *args: object, **kwargs: object) -> requests.Response:
            sends.append(str(request.url))
            return super().send(request, *args, **kwargs)  # type: ignore[arg-type]

    session = requests.Session()
    session.mount("https://", CountingAdapter())
    fmg._session = session
    assert fmg.sess is session and not fmg._uses_pyfmg_path()
    assert fmg.get("sys/status")[0] == 0
    assert sends == [f"https://{HOST}/jsonrpc"]


def test_a_session_subclass_is_posted_through(fake: FakeFMG, fmg: pyfmg.FortiManager) -> None:
    posts: list[str] = []

    class RecordingSession(requests.Session):
        def post(self, url: str, *args: object, **kwargs: object) -> requests.Response:  # type: ignore[override]
            posts.append(url)
            return super().post(url, *args, **kwargs)  # type: ignore[arg-type]

    fmg._session = RecordingSession()
    assert fmg._uses_pyfmg_path()
    assert fmg.get("sys/status")[0] == 0 and fmg.logout()[0] == 0
    assert posts == [f"https://{HOST}/jsonrpc"] * 2


def test_a_swapped_session_is_recorded_in_the_cassette(tmp_path: pathlib.Path) -> None:
    cassette = tmp_path / "session.jsonl"
    client = pyfmg.FortiManager(HOST, "admin", PASSWORD, record=cassette)
    client._session = Mock()
    client._session.post.return_value = _reply({"hostname": "fmg"}, request_id=1)
    client.sid = "s3cr3t-session"
    assert client.get("sys/status") == (0, {"hostname": "fmg"})
    _header, line = cassette.read_text().splitlines()
    assert '"hostname": "fmg"' in line and "s3cr3t-session" not in line
