"""Uses of pyFMG found in public code, replayed on pyFMG 0.8.6.3 and on pyfmg.

Each test is a condensed, reworded replay of what one kind of real code does with the client
(see "What real code relies on" in docs/migration.rst for the list and where it comes from).
Tests named ``test_..._same_wire`` compare both libraries' requests and results; the others run
once per library (``lib``) and must pass on both.
"""

from __future__ import annotations

import json
import time
from types import ModuleType, SimpleNamespace
from typing import Any
from unittest.mock import Mock

import pytest

from tests.unit.fakefmg import PASSWORD, FakeFMG, ok

from .test_differential import ADDRESSES, compare, run


# --- FortiSOAR "FortiManager JSON RPC" connector: every action ----------------------------------
def soar_rpc_action(action: str, url: str, data: dict[str, Any], track: bool = False) -> Any:
    """The connector's action: lock the ADOM when ``_lock_ctx.uses_workspace``, act, commit, follow a task."""

    def scenario(fmg: Any) -> list[Any]:
        seen: list[Any] = []
        with fmg:
            writes = action != "get" and fmg._lock_ctx.uses_workspace
            if writes:
                for _attempt in range(3):  # the connector retries a busy lock
                    status, _ = fmg.lock_adom("root")
                    if status == 0:
                        break
            status, result = getattr(fmg, action)(url=url, **data)
            seen.append((status, result))
            if writes:
                seen.append(fmg.commit_changes("root"))
            if track:
                code, task = fmg.track_task(result["task"], timeout=30)
                seen.append((code, {k: v for k, v in task.items() if k != "total_task_time"}))
                if fmg._lock_ctx.uses_workspace:
                    seen += [fmg.commit_changes("root"), fmg.unlock_adom("root")]
            seen.append(list(fmg._lock_ctx._locked_adom_list))
        seen.append(fmg.sid)
        return seen

    return scenario


#: When the scenarios' task started: a fixed time, as the two libraries' runs must see the same task
#: (reading the clock once per library gave each its own start_tm across a second boundary).
TASK_STARTED = 1_717_171_717


def with_tasks(workspace_mode: int) -> Any:
    def setup(fake: FakeFMG) -> None:
        fake.workspace_mode = workspace_mode
        done = {"percent": 100, "num_done": 1, "num_err": 0, "num_lines": 1, "start_tm": TASK_STARTED, "id": 5}
        fake.on(lambda method, params, body: ok(done, params[0]["url"]) if params[0]["url"] == "/task/task/5" else None)
        fake.on(
            lambda method, params, body: (
                ok({"task": 5}, params[0]["url"]) if method == "exec" and "install" in params[0]["url"] else None
            )
        )

    return setup


@pytest.mark.parametrize("workspace_mode", [0, 1])
@pytest.mark.parametrize(
    ("action", "url", "data", "track"),
    [
        ("get", ADDRESSES, {"fields": ["name"]}, False),
        ("add", ADDRESSES, {"data": [{"name": "web", "subnet": ["10.0.0.1", "255.255.255.255"]}]}, False),
        ("set", f"{ADDRESSES}/web", {"comment": "set by SOAR"}, False),
        ("delete", f"{ADDRESSES}/web", {}, False),
        ("execute", "/securityconsole/install/package", {"data": {"adom": "root", "pkg": "default"}}, True),
    ],
)
def test_fortisoar_connector_action_same_wire(
    pyfmg_ref: ModuleType, ours: ModuleType, workspace_mode: int, action: str, url: str, data: Any, track: bool
) -> None:
    observed = compare(
        pyfmg_ref, ours, soar_rpc_action(action, url, data, track), setup=with_tasks(workspace_mode), verbose=True
    )
    still_locked = workspace_mode and action in ("add", "set", "delete")  # the connector unlocks after tasks only
    assert observed[-1] is None and observed[-2] == (["root"] if still_locked else [])


def test_both_libraries_see_the_same_task_while_the_clock_ticks(
    pyfmg_ref: ModuleType, ours: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticks = iter(range(TASK_STARTED, TASK_STARTED + 1000))  # a second passes at every reading of this module's clock
    monkeypatch.setattr(f"{__name__}.time", SimpleNamespace(time=lambda: float(next(ticks))))
    url = "/securityconsole/install/package"
    compare(pyfmg_ref, ours, soar_rpc_action("execute", url, {"data": {"adom": "root"}}, True), setup=with_tasks(0))


# --- scripts that post through the client's own session -------------------------------------------
def test_script_posting_through_sess_with_url_and_passwd_same_wire(pyfmg_ref: ModuleType, ours: ModuleType) -> None:
    def scenario(fmg: Any) -> list[Any]:
        fmg.login()
        headers = {"content-type": "application/json"}
        if fmg.api_key_used:
            headers["Authorization"] = f"Bearer {fmg._passwd}"
        request = {"method": "get", "params": [{"url": "sys/status"}], "session": fmg.sid, "id": 99}
        response = fmg.sess.post(
            fmg._url, data=json.dumps(request), verify=fmg.verify_ssl, timeout=fmg.timeout, headers=headers
        )
        return [response.status_code, response.json(), fmg.logout()]

    compare(pyfmg_ref, ours, scenario)


def test_api_key_used_set_after_construction_same_wire(pyfmg_ref: ModuleType, ours: ModuleType) -> None:
    def scenario(fmg: Any) -> list[Any]:
        fmg.api_key_used = True  # code that passes the key as the password, then flips the flag
        login = fmg.login()
        return [login, fmg.sid.endswith(PASSWORD[-4:]), fmg.get("sys/status")]

    def without_sessions(result: Any) -> Any:
        return result[0], [{k: v for k, v in b.items() if k != "session"} for b in result[1]], result[2]

    theirs, mine = (without_sessions(run(lib, scenario)) for lib in (pyfmg_ref, ours))
    assert mine == theirs and mine[2][-1]["Authorization"] == f"Bearer {PASSWORD}"


def test_star_import_gives_every_name_pyfmg_gave(pyfmg_ref: ModuleType) -> None:
    theirs = {name for name in vars(pyfmg_ref) if not name.startswith("_")}
    namespace: dict[str, Any] = {}
    exec("from pyFMG.fortimgr import *", namespace)
    assert theirs - set(namespace) == set()


# --- private plumbing replaced on the instance (tests of projects built on pyFMG) --------------------
class Reply:
    """What a session's ``post`` returns in those tests: ``json()`` and a status code."""

    def __init__(self, payload: Any = None, status_code: int = 200, error: Exception | None = None) -> None:
        self.payload, self.status_code, self.error = payload, status_code, error

    def json(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.payload


@pytest.fixture
def fmg(lib: ModuleType) -> Any:
    return lib.FortiManager("fmg.local", "admin", "secret")


def test_handle_response_variants(lib: ModuleType, fmg: Any) -> None:
    not_json = Reply(error=ValueError("bad"))
    assert fmg._handle_response(not_json) == (100, not_json)
    assert fmg._handle_response(Reply({"result": [{"status": {"code": 0}, "data": {"k": 1}}]})) == (0, {"k": 1})
    assert fmg._handle_response(Reply({"result": {"status": {"code": -2}, "m": 1}})) == (
        -2,
        {"status": {"code": -2}, "m": 1},
    )
    assert fmg._handle_response(Reply({"session": "S", "result": [{"status": {"code": 0}}]})) == (
        0,
        {"status": {"code": 0}},
    )
    assert fmg.sid == "S"
    fmg.forticloud_used = True
    assert fmg._handle_response(Reply({"session": "s", "result": []}, 201), login=True) == (201, {})
    with pytest.raises(KeyError):
        fmg._handle_response(Reply({"no": "result"}))


def test_freeform_response(fmg: Any) -> None:
    not_json = Reply(error=ValueError("x"))
    assert fmg._freeform_response(not_json) == (100, not_json)
    assert fmg._freeform_response(Reply({"result": [{"status": {"code": 0}}]})) == (200, [{"status": {"code": 0}}])


def test_oauth_helpers_use_requests_post(lib: ModuleType, fmg: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []

    def post(url: str, **kwargs: Any) -> Any:
        calls.append((url, kwargs))
        return Mock(status_code=200 if "token/" in url else 401, text='{"access_token": "t"}')

    monkeypatch.setattr(lib.requests, "post", post)
    assert lib.FortiManager._get_oauth_token("https://iam/token/", {}, {"a": 1}) == (200, {"access_token": "t"})
    code, refused = lib.FortiManager._get_oauth_token("https://iam/refused", {}, {})
    assert code == 100 and refused.status_code == 401
    fmg._revoke_oauth_token("https://iam/revoke", {"h": 1}, "tok")
    assert calls[-1] == (
        "https://iam/revoke",
        {"headers": {"h": 1}, "json": {"client_id": "FortiManager", "token": "tok"}},
    )


def test_post_login_request_through_a_patched_sess_post(fmg: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    captured: dict[str, Any] = {}

    def post(url: str, data: Any = None, headers: Any = None, verify: Any = None, timeout: Any = None) -> Reply:
        captured.update(url=url, data=json.loads(data), headers=headers, verify=verify, timeout=timeout)
        return Reply({"result": [{"status": {"code": 0}}], "session": "S"})

    monkeypatch.setattr(fmg.sess, "post", post, raising=False)
    fmg._url = "https://fmg.local/jsonrpc"
    assert fmg._post_login_request("exec", [{"url": "sys/login/user"}]) == (0, {"status": {"code": 0}})
    assert captured["data"] == {"method": "exec", "params": [{"url": "sys/login/user"}], "session": None, "id": 1}
    assert (captured["url"], captured["verify"], captured["timeout"]) == ("https://fmg.local/jsonrpc", False, 300)
    assert fmg.sid == "S"


def test_post_login_request_for_forticloud(lib: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    fmg = lib.FortiManager("x.fortimanager.forticloud.com", "u", "p")
    fmg._url = "https://x/p/forticloud_jsonrpc_login/"
    revoked = []
    sent = []
    monkeypatch.setattr(fmg, "_get_oauth_token", lambda *a, **k: (200, {"access_token": "tok"}))
    monkeypatch.setattr(fmg, "_revoke_oauth_token", lambda *a, **k: revoked.append(a))
    monkeypatch.setattr(fmg.sess, "post", lambda *a, **k: sent.append(k["data"]) or Reply({}), raising=False)
    monkeypatch.setattr(fmg, "_handle_response", lambda *a, **k: (0, {}))
    assert fmg._post_login_request("post", None) == (0, {})
    assert revoked and json.loads(sent[0]) == {"access_token": "tok"}


def test_post_request_with_reply_handlers_replaced(fmg: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(Exception, match="no valid session"):
        fmg._post_request("get", [{"url": "/x"}])
    fmg.sid = "sid"
    fmg._url = "https://fmg.local/jsonrpc"
    monkeypatch.setattr(fmg.sess, "post", lambda *a, **k: Reply({"result": []}), raising=False)
    monkeypatch.setattr(fmg, "_handle_response", lambda *a, **k: (0, {"ok": 1}))
    monkeypatch.setattr(fmg, "_freeform_response", lambda *a, **k: (200, [{"ok": 1}]))
    assert fmg._post_request("get", [{"url": "/x"}]) == (0, {"ok": 1})
    assert fmg._post_request("get", [{"url": "/x"}], free_form=True) == (200, [{"ok": 1}])
    assert fmg._post_request("get", [{"url": "/x"}], create_task=True) == (0, {"ok": 1})


def test_login_with_the_login_request_replaced(lib: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    keyed = lib.FortiManager("fmg.local", apikey="k")
    monkeypatch.setattr(keyed._lock_ctx, "check_mode", lambda: None)
    assert keyed.login()[0] == 0 and keyed.sid is not None
    for host in ("fmg.local", "x.fortimanager.forticloud.com"):
        fmg = lib.FortiManager(host, "u", "p")

        def fake_login(method: str, params: Any, fmg: Any = fmg) -> Any:
            fmg.sid = "sid"
            return 0, {}

        monkeypatch.setattr(fmg, "_post_login_request", fake_login)
        monkeypatch.setattr(fmg._lock_ctx, "check_mode", lambda: None)
        assert fmg.login()[0] == 0 and fmg._url.endswith("/jsonrpc")


def test_track_task_with_connection_errors_tolerated(ours: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    # pyfmg only: pyFMG 0.8.6.3 raised UnboundLocalError here (a listed, deliberate difference).
    lib = ours
    fmg = lib.FortiManager("fmg.local", "u", "p", track_task_disable_connerr=True)

    def get(url: str) -> Any:
        raise lib.FMGConnectionError("disconnect")

    monkeypatch.setattr(fmg, "get", get)
    monkeypatch.setattr(lib.time, "sleep", lambda seconds: None)
    assert fmg.track_task(task_id=1, retrieval_fail_gate=1, sleep_time=0)[0] == -99


def test_track_task_with_string_numbers(lib: ModuleType, fmg: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    started = str(int(time.time()) - 1)
    answers = [
        (0, {"percent": "50", "num_done": "1", "num_err": "0", "num_lines": "2", "start_tm": started}),
        (0, {"percent": "100", "num_done": "2", "num_err": "0", "num_lines": "2", "start_tm": started}),
    ]
    monkeypatch.setattr(fmg, "get", lambda url: answers.pop(0))
    monkeypatch.setattr(lib.time, "sleep", lambda seconds: None)
    code, task = fmg.track_task(task_id=1, sleep_time=0)
    assert code == 0 and "total_task_time" in task


# --- Splunk SOAR FortiManager app (splunk-soar-connectors/fortimanager) ---------------------------
def splunk_create_policy(fmg: Any) -> list[Any]:
    """Login, lock, add a policy (keys with dashes through ``**data``), commit, unlock, logout; errors read via args."""
    try:
        fmg.login()
    except Exception as err:  # the app catches FMGValidSessionException and reports err.args
        return [type(err).__name__, len(err.args)]
    endpoint = "pm/config/adom/root/pkg/default/firewall/policy"
    data = {"name": "p1", "srcintf": ["any"], "dstintf": ["any"], "inspection-mode": "flow", "logtraffic": "all"}
    seen: list[Any] = [fmg.lock_adom("root")]
    seen.append(fmg.get(endpoint, filter=[["name", "==", "p1"]]))
    seen.append(fmg.add(endpoint, **data))
    seen += [fmg.commit_changes("root"), fmg.unlock_adom("root"), fmg.logout()]
    return seen


@pytest.mark.parametrize("credentials", [{}, {"user": None, "passwd": None, "apikey": "k3y-abcd"}, {"passwd": "bad"}])
def test_splunk_soar_app_create_policy_same_wire(
    pyfmg_ref: ModuleType, ours: ModuleType, credentials: dict[str, Any]
) -> None:
    def setup(fake: FakeFMG) -> None:
        fake.workspace_mode = 1

    def without_sessions(result: Any) -> Any:
        return result[0], [{k: v for k, v in b.items() if k != "session"} for b in result[1]], result[2]

    theirs = without_sessions(run(pyfmg_ref, splunk_create_policy, setup=setup, verbose=True, **credentials))
    mine = without_sessions(run(ours, splunk_create_policy, setup=setup, verbose=True, **credentials))
    assert mine == theirs
    if "passwd" in credentials and credentials["passwd"] == "bad":
        assert mine[0] == ["FMGValidSessionException", 1]


def test_fortisoar_connector_free_form_action_same_wire(pyfmg_ref: ModuleType, ours: ModuleType) -> None:
    def scenario(fmg: Any) -> list[Any]:
        with fmg:
            data = {"data": [{"url": ADDRESSES, "data": {"name": "web"}}, {"url": f"{ADDRESSES}/old"}]}
            if fmg._lock_ctx.uses_workspace:
                fmg.lock_adom("root")
            result = fmg.free_form("add", **data)
            if fmg._lock_ctx.uses_workspace:
                fmg.commit_changes("root")
            return [result, list(fmg._lock_ctx._locked_adom_list)]

    def setup(fake: FakeFMG) -> None:
        fake.workspace_mode = 1

    assert compare(pyfmg_ref, ours, scenario, setup=setup)[1] == ["root"]
