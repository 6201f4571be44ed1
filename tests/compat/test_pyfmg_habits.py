"""What tests written for pyFMG do to a client, asserted on pyFMG 0.8.6.3 and on pyfmg alike.

pyFMG's own unit tests (and tests in projects built on it) build ``FMGLockContext(fmg)`` around a
double, read ``_passwd``/``_verify_ssl``/``_apikeyused``, swap ``fmg._session`` for a ``Mock``
whose ``post`` returns the reply, replace ``get``/``_post_request``/``execute`` on the instance and
match message texts. Every test here runs once per library (the ``lib`` fixture); an assertion
that fails on one of them is a difference to fix or to list in docs/migration.rst.
"""

from __future__ import annotations

import json
import logging
import time
from types import ModuleType
from typing import Any
from unittest.mock import Mock, patch

import pytest
from requests.exceptions import ConnectionError as RequestsConnectionError

HOST = "192.0.2.10"


def reply(data: Any = None, code: int = 0, url: str = "/test/url", request_id: int = 1) -> dict[str, Any]:
    result: dict[str, Any] = {"status": {"code": code, "message": "OK" if code == 0 else "Error"}, "url": url}
    if data is not None:
        result["data"] = data
    return {"id": request_id, "result": [result], "session": "sid-from-reply"}


def response_with(body: Any) -> Mock:
    response = Mock()
    response.json.return_value = body
    return response


@pytest.fixture
def mocked(lib: ModuleType) -> Any:
    """A client whose ``_session`` is a Mock and whose session id was set by hand (no login)."""
    fmg = lib.FortiManager(HOST, "admin", "password")
    fmg._session = Mock()
    fmg.sid = "test-session-id"
    return fmg


# --- construction and attributes -------------------------------------------------------------------
def test_constructor_sets_pyfmgs_private_attributes(lib: ModuleType) -> None:
    fmg = lib.FortiManager(HOST, "admin", "password")
    assert (fmg._host, fmg._user, fmg._passwd) == (HOST, "admin", "password")
    assert (fmg._use_ssl, fmg._verify_ssl, fmg._timeout, fmg._verbose) == (True, False, 300, False)
    assert (fmg._sid, fmg._url, fmg._req_id, fmg._logger) == (None, None, 0, None)
    assert (fmg._apikeyused, fmg._forticloudused, fmg._debug, fmg._check_adom_workspace) == (False, False, False, True)
    assert fmg._track_task_disable_connerr is False
    assert type(fmg._lock_ctx).__name__ == "FMGLockContext" and fmg._lock_ctx._fmg is fmg
    assert type(fmg._req_resp_object).__name__ == "RequestResponse"
    assert callable(fmg._session.post) and fmg.sess is fmg._session


def test_api_key_and_forticloud_flags(lib: ModuleType) -> None:
    keyed = lib.FortiManager(HOST, apikey="k3y-abcd")
    assert (keyed._passwd, keyed._apikeyused, keyed.api_key_used) == ("k3y-abcd", True, True)
    cloud = lib.FortiManager("123.us-west-1.fortimanager.forticloud.com", "admin", "pw")
    assert cloud._forticloudused is True and cloud.forticloud_used is True


def test_every_property_setter(lib: ModuleType) -> None:
    fmg = lib.FortiManager(HOST, "admin", "password", debug=True, use_ssl=False, verify_ssl=True, timeout=600)
    assert (fmg._debug, fmg._use_ssl, fmg._verify_ssl, fmg._timeout) == (True, False, True, 600)
    fmg.api_key_used = True
    fmg.forticloud_used = True
    fmg.check_adom_workspace = False
    fmg.debug = False
    fmg.req_id = 12
    fmg.sid = "sid"
    fmg.verify_ssl = "/etc/ssl/ca.pem"
    fmg.timeout = 10
    fmg.verbose = True
    assert (fmg.api_key_used, fmg._apikeyused, fmg.forticloud_used, fmg._forticloudused) == (True, True, True, True)
    assert (fmg.check_adom_workspace, fmg.debug, fmg.req_id, fmg._req_id, fmg.sid) == (False, False, 12, 12, "sid")
    assert (fmg.verify_ssl, fmg._verify_ssl, fmg.timeout, fmg._timeout, fmg.verbose) == (
        "/etc/ssl/ca.pem",
        "/etc/ssl/ca.pem",
        10,
        10,
        True,
    )


def test_update_request_id(lib: ModuleType) -> None:
    fmg = lib.FortiManager(HOST, "admin", "password")
    fmg._update_request_id()
    fmg._update_request_id()
    assert fmg.req_id == 2
    fmg._update_request_id(99)
    assert fmg.req_id == 99


def test_set_sid(lib: ModuleType) -> None:
    fmg = lib.FortiManager(HOST, "admin", "password")
    fmg._set_sid({"session": "S1"})
    assert fmg.sid == "S1"
    fmg._set_sid({"session": "S2"})
    assert fmg.sid == "S1"  # only a client without a session takes one
    keyed = lib.FortiManager(HOST, apikey="abcd1234")
    keyed._set_sid(None)
    assert keyed.sid.endswith("-1234") and len(keyed.sid) == 36 + 5


def test_str_and_repr(lib: ModuleType, mocked: Any) -> None:
    assert "no valid connection" in str(lib.FortiManager(HOST, "admin", "password"))
    assert str(mocked) == f"FortiManager instance connected to {HOST}."
    assert repr(mocked) == (
        f"FortiManager(host={HOST}, pwd omitted, debug=False, use_ssl=True, verify_ssl=False, timeout=300)"
    )


# --- a swapped _session ----------------------------------------------------------------------------
def test_a_swapped_session_carries_the_call(mocked: Any) -> None:
    mocked._session.post.return_value = response_with(reply({"test": "data"}))
    assert mocked.get("/test/url", fields=["name"]) == (0, {"test": "data"})
    mocked._session.post.assert_called_once()
    kwargs = mocked._session.post.call_args.kwargs
    assert json.loads(kwargs["data"]) == {
        "method": "get",
        "params": [{"url": "/test/url", "fields": ["name"]}],
        "session": "test-session-id",
        "id": 1,
    }
    assert (kwargs["verify"], kwargs["timeout"], kwargs["headers"]) == (
        False,
        300,
        {"content-type": "application/json"},
    )


def test_a_swapped_session_with_an_api_key_sends_the_bearer_header(lib: ModuleType) -> None:
    fmg = lib.FortiManager(HOST, apikey="k3y-abcd")
    fmg._session = Mock()
    fmg._session.post.return_value = response_with(reply())
    fmg.sid = "x"
    fmg.add("/test/url", name="a")
    headers = fmg._session.post.call_args.kwargs["headers"]
    assert headers == {"content-type": "application/json", "Authorization": "Bearer k3y-abcd"}


def test_an_error_status_is_returned(mocked: Any) -> None:
    mocked._session.post.return_value = response_with(reply(code=-1))
    code, data = mocked.get("/test/url")
    assert code == -1 and data["status"]["message"] == "Error"


def test_free_form_returns_200_and_every_result(mocked: Any) -> None:
    body = {"id": 1, "result": [reply(url="/a")["result"][0], reply(url="/b", code=-3)["result"][0]]}
    mocked._session.post.return_value = response_with(body)
    code, results = mocked.free_form("get", data=[{"url": "/a"}, {"url": "/b"}])
    assert code == 200 and [r["url"] for r in results] == ["/a", "/b"]


def test_a_reply_that_is_not_json_returns_100_and_the_response(mocked: Any) -> None:
    response = Mock()
    response.json.side_effect = ValueError("Expecting value")
    mocked._session.post.return_value = response
    assert mocked.get("/test/url") == (100, response)


def test_connection_error_from_the_session(lib: ModuleType, mocked: Any) -> None:
    mocked._session.post.side_effect = RequestsConnectionError("Connection failed")
    with pytest.raises(lib.FMGConnectionError) as caught:
        mocked._post_request("get", [{"url": "/test"}])
    assert str(caught.value).startswith("Connection error: ") and "Connection failed" in str(caught.value)
    assert mocked.req_resp_object.error_msg.startswith("Connection error: ")


def test_connection_error_during_login(lib: ModuleType) -> None:
    fmg = lib.FortiManager(HOST, "admin", "password")
    fmg._session = Mock()
    fmg._session.post.side_effect = RequestsConnectionError("Network unreachable")
    with pytest.raises(lib.FMGConnectionError, match=r"^Connection error: .*Network unreachable"):
        fmg.login()


def test_login_through_a_swapped_session(lib: ModuleType) -> None:
    fmg = lib.FortiManager(HOST, "admin", "password")
    fmg._session = Mock()
    login = {"id": 1, "result": [{"status": {"code": 0, "message": "OK"}, "url": "sys/login/user"}], "session": "S"}
    mode = reply({"workspace-mode": 1, "adom-status": 1}, url="/cli/global/system/global", request_id=2)
    fmg._session.post.side_effect = [response_with(login), response_with(mode)]
    assert fmg.login() == (0, {"status": {"message": "OK", "code": 0}, "url": "sys/login/user"})
    assert fmg.sid == "S" and fmg._url == f"https://{HOST}/jsonrpc"
    assert (fmg._lock_ctx.uses_workspace, fmg._lock_ctx.uses_adoms) == (True, True)
    sent = [json.loads(c.kwargs["data"]) for c in fmg._session.post.call_args_list]
    assert sent[0]["params"] == [{"url": "sys/login/user", "data": {"passwd": "password", "user": "admin"}}]
    assert sent[1]["params"] == [{"url": "/cli/global/system/global", "fields": ["workspace-mode", "adom-status"]}]


@pytest.mark.parametrize(
    ("body", "opening"),
    [({"missing_result_key": "value"}, "Key error in response:"), ({"result": []}, "Index error in response:")],
)
def test_malformed_replies(lib: ModuleType, mocked: Any, body: Any, opening: str) -> None:
    mocked._session.post.return_value = response_with(body)
    with pytest.raises(lib.FMGResponseNotFormedCorrect) as caught:
        mocked._post_request("get", [{"url": "/test"}])
    assert opening in str(caught.value)


def test_dprint_runs_when_a_call_fails(mocked: Any) -> None:
    seen = []
    mocked.dprint = lambda: seen.append(mocked.req_resp_object.error_msg)
    mocked._session.post.side_effect = RequestsConnectionError("down")
    with pytest.raises(Exception, match="Connection error"):
        mocked._post_request("get", [{"url": "/test"}])
    assert seen and seen[-1].startswith("Connection error: ")


def test_the_clients_own_session_with_post_replaced(mocked: Any, lib: ModuleType) -> None:
    fmg = lib.FortiManager(HOST, "admin", "password")
    fmg.sid = "sid"
    fmg._url = "https://fmg.local/jsonrpc"
    captured = {}

    def post(url: str, **kwargs: Any) -> Mock:
        captured.update(kwargs, url=url)
        return response_with(reply({"k": 1}))

    with patch.object(fmg.sess, "post", post, create=True):
        assert fmg.get("/x") == (0, {"k": 1})
    assert captured["url"] == "https://fmg.local/jsonrpc" and json.loads(captured["data"])["method"] == "get"


# --- replacing methods on the instance ---------------------------------------------------------------
def test_verbs_go_through_post_request(mocked: Any) -> None:
    mocked._post_request = Mock(return_value=(0, {}))
    mocked.get("/test/url", fields=["name", "id"])
    assert mocked._post_request.call_args.args == ("get", [{"url": "/test/url", "fields": ["name", "id"]}])
    mocked.add("/test/url", name="test", type=1)
    assert mocked._post_request.call_args.args == ("add", [{"url": "/test/url", "data": {"name": "test", "type": 1}}])
    mocked.execute("sys/proxy/json", {"target": ["x"]})
    assert mocked._post_request.call_args.args == ("exec", [{"url": "sys/proxy/json", "target": ["x"]}])
    data = [{"url": "/a"}, {"url": "/b"}]
    mocked.free_form("get", data=data)
    assert mocked._post_request.call_args.args == ("get", data)
    assert mocked._post_request.call_args.kwargs["free_form"] is True


def test_free_form_without_data(lib: ModuleType, mocked: Any) -> None:
    for kwargs in ({}, {"invalid_key": "value"}):
        with pytest.raises(lib.FMGRequestNotFormedCorrect, match=r"^Free Form Request was not formed correctly"):
            mocked.free_form("get", **kwargs)


def test_track_task_polls_through_the_instances_get(mocked: Any) -> None:
    start = int(time.time())
    states = [{"percent": p, "num_done": p, "num_err": 0, "num_lines": 100, "start_tm": start} for p in (0, 50, 100)]
    mocked.get = Mock(side_effect=[(0, state) for state in states])
    with patch("time.sleep") as sleep:
        code, task = mocked.track_task(12345, sleep_time=0.01)
    assert code == 0 and task["percent"] == 100 and isinstance(task["total_task_time"], str)
    assert [c.args[0] for c in mocked.get.call_args_list] == ["/task/task/12345"] * 3
    assert sleep.call_count == 2


def test_track_task_timeout(mocked: Any) -> None:
    mocked.get = Mock(
        return_value=(0, {"percent": 50, "num_done": 50, "num_err": 0, "num_lines": 100, "start_tm": time.time() - 5})
    )
    with patch("time.sleep"):
        code, result = mocked.track_task(12345, timeout=1)
    assert code == 1 and "timed out" in result["msg"]


def test_track_task_gives_up_after_the_retrieval_fail_gate(mocked: Any) -> None:
    mocked.get = Mock(return_value=(-1, {"status": {"code": -1}}))
    with patch("time.sleep"):
        code, _ = mocked.track_task(12345, retrieval_fail_gate=1)
    assert code == -1 and mocked.get.call_count == 1


def test_track_task_deletes_through_the_instance(mocked: Any) -> None:
    mocked.get = Mock(return_value=(0, {"percent": 0, "num_done": 0, "num_err": 0, "num_lines": 1, "start_tm": 1}))
    mocked.delete = Mock(return_value=(0, {}))
    with patch("time.sleep"):
        code, result = mocked.track_task(7, timeout=1, delete_task_on_timeout=True)
    assert code == 1 and result["msg"].endswith("The task will be deleted.")
    mocked.delete.assert_called_once_with("/task/task/7")
    mocked.delete.reset_mock()
    mocked._delete_task(9)
    mocked.delete.assert_called_once_with("/task/task/9")


def test_lock_calls_go_through_the_lock_context(mocked: Any) -> None:
    for name in ("lock_adom", "unlock_adom", "commit_changes"):
        setattr(mocked._lock_ctx, name, Mock(return_value=(0, {name: 1})))
        assert getattr(mocked, name)("root") == (0, {name: 1})
        getattr(mocked._lock_ctx, name).assert_called_once()
        assert getattr(mocked._lock_ctx, name).call_args.args[0] == "root"


def test_lock_context_calls_go_through_the_instances_execute(mocked: Any) -> None:
    mocked.execute = Mock(return_value=(0, {"status": {"code": 0, "message": "OK"}}))
    mocked.lock_adom("dmz")
    mocked.commit_changes("dmz")
    mocked.unlock_adom("dmz")
    assert [c.args for c in mocked.execute.call_args_list] == [
        ("/dvmdb/adom/dmz/workspace/lock/", {}),
        ("/dvmdb/adom/dmz/workspace/commit", {}),
        ("/dvmdb/adom/dmz/workspace/unlock/", {}),
    ]


def test_logout_unlocks_through_run_unlock_and_execute(lib: ModuleType) -> None:
    fmg = lib.FortiManager(HOST, "admin", "password")
    fmg.sid = "sid"
    fmg._lock_ctx.uses_workspace = True
    fmg._lock_ctx.run_unlock = Mock()
    fmg.execute = Mock(return_value=(0, {"url": "sys/logout"}))
    assert fmg.logout() == (0, {"url": "sys/logout"})
    fmg._lock_ctx.run_unlock.assert_called_once_with()
    fmg.execute.assert_called_once_with("sys/logout")
    assert fmg.sid is None


def test_context_manager_calls_login_and_logout(lib: ModuleType) -> None:
    login = patch.object(lib.FortiManager, "login", return_value=(0, {}))
    logout = patch.object(lib.FortiManager, "logout", return_value=(0, {}))
    with login as logged_in, logout as logged_out, lib.FortiManager(HOST, "admin", "password") as fmg:
        assert fmg is not None
    logged_in.assert_called_once()
    logged_out.assert_called_once()


def test_check_mode_goes_through_the_instances_get(lib: ModuleType) -> None:
    fmg = lib.FortiManager(HOST, "admin", "password")
    fmg.get = Mock(return_value=(0, {"workspace-mode": "workflow", "adom-status": "enable"}))
    fmg._lock_ctx.check_mode()
    fmg.get.assert_called_once_with("/cli/global/system/global", fields=["workspace-mode", "adom-status"])
    assert (fmg._lock_ctx.uses_workspace, fmg._lock_ctx.uses_adoms) == (True, True)


# --- FMGLockContext around a double ------------------------------------------------------------------
@pytest.fixture
def ctx(lib: ModuleType) -> Any:
    fmg = Mock()
    fmg.check_adom_workspace = True
    fmg.execute.return_value = (0, {"status": {"code": 0, "message": "OK"}})
    return lib.FMGLockContext(fmg)


def test_lock_context_starts_empty(ctx: Any) -> None:
    assert ctx._locked_adom_list == [] and ctx._uses_workspace is False and ctx._uses_adoms is False
    ctx.uses_workspace = ctx.uses_adoms = True
    assert (ctx.uses_workspace, ctx.uses_adoms, ctx._uses_workspace) == (True, True, True)


def test_lock_list_management(ctx: Any) -> None:
    ctx.add_adom_to_lock_list("root")
    ctx.add_adom_to_lock_list("root")
    ctx.add_adom_to_lock_list("dmz")
    assert ctx._locked_adom_list == ["root", "dmz"]
    ctx.remove_adom_from_lock_list("root")
    ctx.remove_adom_from_lock_list("never-locked")
    assert ctx._locked_adom_list == ["dmz"]


@pytest.mark.parametrize(
    ("answer", "workspace", "adoms"),
    [
        ((0, {"workspace-mode": 1, "adom-status": 1}), True, True),
        ((0, {"workspace-mode": 0, "adom-status": 0}), False, False),
        ((0, {"workspace-mode": "disabled", "adom-status": "enable"}), False, True),
        ((0, {"workspace-mode": "workspace"}), True, False),
        ((0, {}), False, False),
        ((-11, {"status": {"code": -11, "message": "No permission"}}), False, False),
    ],
)
def test_check_mode(ctx: Any, answer: Any, workspace: bool, adoms: bool) -> None:
    ctx._fmg.get.return_value = answer
    ctx.check_mode()
    assert (ctx.uses_workspace, ctx.uses_adoms) == (workspace, adoms)
    ctx._fmg.get.assert_called_once_with("/cli/global/system/global", fields=["workspace-mode", "adom-status"])


def test_check_mode_off(ctx: Any) -> None:
    ctx._fmg.check_adom_workspace = False
    ctx.uses_workspace = ctx.uses_adoms = True
    ctx.check_mode()
    assert (ctx.uses_workspace, ctx.uses_adoms) == (False, False) and not ctx._fmg.get.called


@pytest.mark.parametrize(
    ("call", "adom", "url", "listed"),
    [
        ("lock_adom", "root", "/dvmdb/adom/root/workspace/lock/", ["root"]),
        ("lock_adom", "global", "/dvmdb/global/workspace/lock/", ["global"]),
        ("lock_adom", "Global", "/dvmdb/global/workspace/lock/", ["Global"]),
        ("lock_adom", "test_adom", "/dvmdb/adom/test_adom/workspace/lock/", ["test_adom"]),
        ("lock_adom", None, "/dvmdb/adom/root/workspace/lock", [None]),
        ("unlock_adom", "root", "/dvmdb/adom/root/workspace/unlock/", []),
        ("unlock_adom", "global", "/dvmdb/global/workspace/unlock/", []),
        ("unlock_adom", None, "/dvmdb/adom/root/workspace/unlock", []),
        ("commit_changes", "root", "/dvmdb/adom/root/workspace/commit", []),
        ("commit_changes", "global", "/dvmdb/global/workspace/commit/", []),
        ("commit_changes", None, "/dvmdb/adom/root/workspace/commit", []),
    ],
)
def test_lock_calls(ctx: Any, call: str, adom: str | None, url: str, listed: list[str | None]) -> None:
    assert getattr(ctx, call)(adom) == (0, {"status": {"code": 0, "message": "OK"}})
    ctx._fmg.execute.assert_called_once_with(url, {})
    assert ctx._locked_adom_list == listed


def test_commit_aux_and_extra_arguments(ctx: Any) -> None:
    ctx.commit_changes("test_adom", True, {"extra": 1}, flag=2)
    ctx._fmg.execute.assert_called_once_with("/pm/config/adom/test_adom/workspace/commit", {}, {"extra": 1}, flag=2)


def test_unlock_removes_and_failed_lock_records_nothing(ctx: Any) -> None:
    ctx.add_adom_to_lock_list("root")
    ctx.unlock_adom("root")
    assert ctx._locked_adom_list == []
    ctx._fmg.execute.return_value = (-1, {"status": {"code": -1, "message": "Failed"}})
    assert ctx.lock_adom("root")[0] == -1 and ctx._locked_adom_list == []


def test_run_unlock_with_one_lock(ctx: Any) -> None:
    ctx.add_adom_to_lock_list("root")
    ctx.run_unlock()
    ctx._fmg.execute.assert_called_once_with("/dvmdb/adom/root/workspace/unlock/", {})
    assert ctx._locked_adom_list == []


# --- exceptions ----------------------------------------------------------------------------------
def test_exception_texts_and_bases(lib: ModuleType) -> None:
    assert str(lib.FMGBaseException()) == "An exception occurred within pyfmg"
    assert str(lib.FMGRequestNotFormedCorrect()) == "An exception occurred within pyfmg"
    assert str(lib.FMGOAuthTokenError()) == "An exception occurred within pyfmg"
    assert str(lib.FMGBaseException("custom")) == "custom"
    assert str(lib.FMGResponseNotFormedCorrect("x")) == "'x'"
    assert str(lib.FMGValueError("bad")) == "bad" and isinstance(lib.FMGValueError("bad"), ValueError)
    assert str(lib.FMGConnectionError("down")) == "down"
    assert isinstance(lib.FMGConnectionError("x"), RequestsConnectionError)
    assert str(lib.FMGConnectTimeout("slow")) == "slow"
    session_error = lib.FMGValidSessionException("get", [{"url": "/test/url"}])
    assert isinstance(session_error, lib.FMGBaseException)
    assert all(part in str(session_error) for part in ("get", "/test/url", "no valid session"))


def test_calls_without_a_session(lib: ModuleType) -> None:
    with pytest.raises(lib.FMGValidSessionException, match="no valid session"):
        lib.FortiManager(HOST, "admin", "password").get("/test/url")


# --- logging helpers -----------------------------------------------------------------------------
def test_request_response_object(lib: ModuleType) -> None:
    record = lib.RequestResponse()
    record.request_string = "REQ"
    record.request_json, record.response_json, record.error_msg = {"a": 1}, {"b": 2}, "boom"
    assert (record.request_string, record.response_string, record.error_msg) == ("REQ", "RESPONSE:", "boom")
    record.reset()
    assert (record.request_string, record.request_json, record.response_json, record.error_msg) == (
        "REQUEST:",
        None,
        None,
        None,
    )


def test_dprint_prints_with_debug(mocked: Any, capsys: pytest.CaptureFixture[str]) -> None:
    mocked.req_resp_object.request_json = {"method": "get", "url": "/test"}
    mocked.req_resp_object.response_json = {"result": [{"data": "test"}]}
    mocked.dprint()
    assert capsys.readouterr().out == ""
    mocked.debug = True
    mocked.dprint()
    out = capsys.readouterr().out
    assert all(part in out for part in ("REQUEST:", "RESPONSE:", '"method": "get"', '"data": "test"', "-" * 100))
    mocked.req_resp_object.error_msg = "Connection failed"
    mocked.dprint()
    out = capsys.readouterr().out
    assert "Connection failed" in out and "REQUEST:" not in out


def test_dprint_calls_dlog(mocked: Any) -> None:
    mocked.dlog = Mock()
    mocked.dprint()
    mocked.dlog.assert_called_once_with()


def test_getlog_and_handlers(mocked: Any, caplog: pytest.LogCaptureFixture) -> None:
    assert mocked._logger is None
    log = mocked.getLog("pyfmg-compat-test", logging.DEBUG)
    assert mocked.getLog("other") is log and log.level == logging.DEBUG
    handler = logging.NullHandler()
    mocked.addHandler(handler)
    assert handler in log.handlers
    mocked.removeHandler(handler)
    assert handler not in log.handlers
    mocked.req_resp_object.request_json = {"method": "get"}
    with caplog.at_level(logging.INFO, logger="pyfmg-compat-test"):
        mocked.dlog()
        mocked.req_resp_object.error_msg = "Network timeout occurred"
        mocked.dlog()
    text = caplog.text
    assert "REQUEST:" in text and '"method": "get"' in text and "Network timeout occurred" in text
    mocked.resetLog()
    assert mocked._logger is None


def test_jprint(lib: ModuleType) -> None:
    assert json.loads(lib.FortiManager.jprint({"key": "value", "n": 1})) == {"key": "value", "n": 1}
    assert "Type Information" in lib.FortiManager.jprint(object())
