"""The collection's shared glue, in-process: error mapping, task outcome, argument helpers."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("ansible.module_utils.basic")

from ansible_collections.pyfmg.fortimanager.plugins.module_utils import fmg as glue
from ansible_collections.pyfmg.fortimanager.plugins.module_utils import tasks
from pyfmg import FMGConnectionError, FMGLockError, FMGValidSessionException, LockScope
from pyfmg.converge import FMGObjectStatusError


def test_lock_error_maps_to_code_message_and_lock_url() -> None:
    error = FMGLockError(
        "lock refused", scope="branch", code=-20055, message="Workspace is locked by other user", holder="jdoe"
    )
    failure = glue.failure_from_exception(error)
    assert failure.code == -20055
    assert failure.message == "Workspace is locked by other user (held by jdoe)"
    assert failure.url == "/dvmdb/adom/branch/workspace/lock"
    assert failure.extra["error_type"] == "FMGLockError"


def test_workspace_urls_for_every_scope() -> None:
    assert glue.workspace_url("root", "lock") == "/dvmdb/adom/root/workspace/lock"
    assert glue.workspace_url("global", "commit") == "/dvmdb/global/workspace/commit"
    assert glue.workspace_url("root/pkg/default", "lock") == "/dvmdb/adom/root/workspace/lock/pkg/default"


def test_commit_failure_names_the_commit_url() -> None:
    from pyfmg import FMGWorkspaceError

    failure = glue.failure_from_exception(FMGWorkspaceError("commit failed", scope="root", code=-9, message="no"))
    assert (failure.code, failure.message, failure.url) == (-9, "no", "/dvmdb/adom/root/workspace/commit")


def test_object_status_error_keeps_fortimanagers_words() -> None:
    failure = glue.failure_from_exception(FMGObjectStatusError("add", "pm/x", -10, "The data is invalid"))
    assert (failure.code, failure.message, failure.url) == (-10, "The data is invalid", "pm/x")


def test_every_pyfmg_error_family_is_caught() -> None:
    assert issubclass(FMGConnectionError, glue.FMG_ERRORS)
    assert issubclass(FMGValidSessionException, glue.FMG_ERRORS)
    failure = glue.failure_from_exception(FMGConnectionError("refused"))
    assert failure.code is None and "refused" in failure.msg


def test_results_are_masked_with_pyfmgs_redactor() -> None:
    module = FakeModule()
    module.params.update(password="s3cret-pw", api_key=None)

    class Session:
        sid = "7bd1c0de-session-id"

    redactor = glue._redactor(module, Session())
    result = {"msg": "login as admin/s3cret-pw failed", "data": {"session": "other", "note": "sid 7bd1c0de-session-id"}}
    masked = redactor.data(result)
    assert "s3cret-pw" not in str(masked) and "7bd1c0de-session-id" not in str(masked) and "other" not in str(masked)
    assert result["data"]["session"] == "other"  # the original is left alone


def test_verify_ssl_takes_a_bool_or_a_ca_bundle() -> None:
    assert glue.verify_setting(True) is True
    assert glue.verify_setting("no") is False
    assert glue.verify_setting("yes") is True
    assert glue.verify_setting("/etc/ssl/fmg-ca.pem") == "/etc/ssl/fmg-ca.pem"
    with pytest.raises(ValueError, match="CA bundle"):
        glue.verify_setting("  ")


def test_rc_succeeded_and_rc_failed_override_the_status() -> None:
    module = FakeModule()
    module.params.update(rc_succeeded=[-2], rc_failed=[0])
    glue.check_rc(module, -2, {}, "add", "u")  # "object already exists" accepted
    with pytest.raises(glue.FMGModuleFailure, match="rc_failed"):
        glue.check_rc(module, 0, {}, "add", "u")
    with pytest.raises(glue.FMGModuleFailure):
        glue.check_rc(module, -3, {}, "get", "u")


def rpc_params(**given: Any) -> dict[str, Any]:
    return {"method": None, "url": None, "params": {}, "data": None, "json": None, "adom": "root", **given}


def test_rpc_takes_fmgr_generic_params_and_json() -> None:
    generic = [{"url": "/pm/config/adom/{adom}/obj/firewall/address", "data": [{"name": "a"}]}]
    method, blocks = tasks.requests_of(rpc_params(method="add", params=generic))
    assert method == "add" and blocks == [{"url": "/pm/config/adom/root/obj/firewall/address", "data": [{"name": "a"}]}]
    text = '{"method": "get", "params": [{"url": "/sys/status"}, {"url": "/dvmdb/adom", "fields": ["name"]}]}'
    method, blocks = tasks.requests_of(rpc_params(json=text))
    assert method == "get" and [block["url"] for block in blocks] == ["/sys/status", "/dvmdb/adom"]
    assert tasks.requests_of(rpc_params(method="get", url="sys/status", params={"fields": ["x"]})) == (
        "get",
        [{"fields": ["x"], "url": "sys/status"}],
    )
    for bad in (
        rpc_params(json="{not json"),
        rpc_params(json='{"method": "drop", "params": [{"url": "x"}]}'),
        rpc_params(method="get", params=[{"data": 1}]),
        rpc_params(method="get"),
    ):
        with pytest.raises(glue.FMGModuleFailure):
            tasks.requests_of(bad)


def test_fmgr_fact_selectors_become_urls() -> None:
    address = {"selector": "firewall_address", "params": {"adom": "root", "address": "web01"}}
    assert tasks.facts_url(address, "root") == "pm/config/adom/root/obj/firewall/address/web01"
    table = {"selector": "firewall_address", "params": {"adom": "global", "address": ""}}
    assert tasks.facts_url(table, "root") == "pm/config/global/obj/firewall/address"
    policy = {"selector": "pkg_firewall_policy", "params": {"pkg": "default"}}
    assert tasks.facts_url(policy, "lab") == "pm/config/adom/lab/pkg/default/firewall/policy"
    assert tasks.facts_url({"url": "/cli/global/system/dns"}, "root") == "cli/global/system/dns"
    with pytest.raises(glue.FMGModuleFailure, match=r"facts\.url"):
        tasks.facts_url({"selector": "no_such_selector"}, "root")
    with pytest.raises(glue.FMGModuleFailure, match="pkg"):
        tasks.facts_url({"selector": "pkg_firewall_policy", "params": {"policy": 3}}, "root")


def test_check_status_raises_with_status_message() -> None:
    glue.check_status(0, {}, "get", "u")
    with pytest.raises(glue.FMGModuleFailure) as caught:
        glue.check_status(-6, {"status": {"code": -6, "message": "Invalid url"}, "url": "u"}, "get", "u")
    assert (caught.value.code, caught.value.message, caught.value.url) == (-6, "Invalid url", "u")


class TaskClient:
    def __init__(self, task: Any, code: int = 0, lines: Any = None) -> None:
        self.task, self.code, self.lines = task, code, lines
        self.tracked: list[Any] = []

    def track_task(self, task_id: Any, sleep_time: float, timeout: float) -> tuple[int, Any]:
        self.tracked.append((task_id, sleep_time, timeout))
        return self.code, self.task

    def get(self, url: str) -> tuple[int, Any]:
        return 0, self.lines or []


def test_follow_task_returns_a_finished_task_with_its_lines() -> None:
    client = TaskClient({"id": 7, "state": 4, "num_err": 0, "percent": 100}, lines=[{"name": "FGT-01", "state": 4}])
    task = glue.follow_task(client, {"task": 7}, "securityconsole/install/package", 30, 0.5)
    assert client.tracked == [(7, 0.5, 30)]
    assert task["line"] == [{"name": "FGT-01", "state": 4}]


@pytest.mark.parametrize(
    "task",
    [
        {"id": 7, "state": 5, "num_err": 1, "line": [{"name": "FGT-09", "err": 1, "detail": "device not found"}]},
        {"id": 7, "state": "error", "num_err": 0, "line": []},
    ],
)
def test_follow_task_fails_when_the_task_ends_in_error(task: dict[str, Any]) -> None:
    with pytest.raises(glue.FMGModuleFailure) as caught:
        glue.follow_task(TaskClient(task), {"taskid": 7}, "u", 30, 0.5)
    assert caught.value.url == "/task/task/7"
    assert caught.value.extra["task"] is task
    if task["line"]:
        assert "FGT-09: device not found" in caught.value.message


def test_follow_task_needs_a_task_id_and_a_followable_task() -> None:
    with pytest.raises(glue.FMGModuleFailure, match="no task id"):
        glue.follow_task(TaskClient({}), {"name": "x"}, "u", 30, 0.5)
    with pytest.raises(glue.FMGModuleFailure, match="could not be followed"):
        glue.follow_task(TaskClient({"msg": "timed out"}, code=1), {"task": 3}, "u", 30, 0.5)


def test_install_scope_spellings() -> None:
    assert tasks.scope_items([{"name": "A", "vdom": "root"}, "B/vd1", "C", {"name": "grp"}]) == [
        {"name": "A", "vdom": "root"},
        {"name": "B", "vdom": "vd1"},
        {"name": "C"},
        {"name": "grp"},
    ]
    with pytest.raises(glue.FMGModuleFailure):
        tasks.scope_items([{"vdom": "root"}])


class FakeModule:
    def __init__(self, lock: str = "auto", adom: str = "root") -> None:
        self.params: dict[str, Any] = {"lock": lock, "adom": adom, "workspace_locking_adom": None}
        self.warnings: list[str] = []

    def warn(self, text: str) -> None:
        self.warnings.append(text)


@pytest.mark.parametrize(
    ("method", "url", "data", "lock", "expected"),
    [
        ("get", "pm/config/adom/root/obj/firewall/address", None, "always", None),
        ("add", "pm/config/adom/lab/obj/firewall/address", None, "auto", LockScope("lab")),
        ("set", "pm/config/adom/root/pkg/default/firewall/policy", None, "auto", LockScope("root", package="default")),
        ("exec", "securityconsole/install/package", {"adom": "root", "pkg": "default"}, "auto", None),
        ("exec", "dvm/cmd/add/device", {"adom": "lab"}, "auto", LockScope("lab")),
        ("exec", "sys/proxy/json", {}, "auto", None),
        ("exec", "sys/proxy/json", {}, "always", LockScope("root")),
        ("set", "pm/config/adom/root/obj/firewall/address", None, "never", None),
    ],
)
def test_rpc_takes_the_narrowest_lock(method: str, url: str, data: Any, lock: str, expected: Any) -> None:
    assert tasks.lock_for(FakeModule(lock), method, url, data) == expected


def test_workspace_locking_adom_locks_that_whole_adom() -> None:
    module = FakeModule()
    module.params["workspace_locking_adom"] = "lab"
    assert tasks.lock_for(module, "set", "pm/config/adom/root/pkg/default/firewall/policy", None) == LockScope("lab")
    assert glue.write_scope(module, "update", "pm/config/adom/root/obj/firewall/address") == LockScope("lab")
    assert tasks.lock_for(module, "get", "pm/config/adom/root/obj/firewall/address", None) is None


def test_undecidable_pm_write_locks_the_adom_option_with_a_warning() -> None:
    module = FakeModule(adom="lab")
    assert glue.write_scope(module, "set", "pm/devprof/something-odd") == LockScope("lab")
    assert module.warnings
    assert glue.write_scope(module, "set", "fortiview/odd") is None


def test_secret_attributes_are_masked_in_results() -> None:
    obj = {
        "name": "vpn1",
        "psksecret": "s3cret",
        "comment": "x",
        "peers": [{"passwd": "p", "id": 1}],
        "private-key": "",
        "key": "k",
    }
    assert glue.mask_secret_attributes(obj) == {
        "name": "vpn1",
        "psksecret": "********",
        "comment": "x",
        "peers": [{"passwd": "********", "id": 1}],
        "private-key": "",
        "key": "********",
    }
    assert obj["psksecret"] == "s3cret"


def client_params(sim: Any, password: str) -> dict[str, Any]:
    return {
        "host": sim.host,
        "username": "admin",
        "password": password,
        "api_key": None,
        "use_ssl": False,
        "verify_ssl": False,
        "timeout": 10,
    }


def test_refused_login_reports_fortimanagers_code(fmg_simulator: Any) -> None:
    module = FakeModule()
    module.params.update(client_params(fmg_simulator, "wrong-password"))
    with pytest.raises(glue.FMGModuleFailure) as caught, glue.fmg_client(module):
        pass
    assert (caught.value.code, caught.value.message, caught.value.url) == (-22, "Login fail", "sys/login/user")
    assert "wrong-password" not in str(caught.value)
    assert fmg_simulator.sessions == {}


@pytest.mark.fmg_simulator(workspace_mode="normal")
def test_client_unlocks_and_logs_out_when_the_block_raises(fmg_simulator: Any) -> None:
    module = FakeModule()
    module.params.update(client_params(fmg_simulator, "password"), lock_wait=0)
    with pytest.raises(RuntimeError), glue.fmg_client(module) as fmg:
        assert fmg.lock_adom("root")[0] == 0  # held outside any workspace() block
        assert fmg_simulator.locks
        raise RuntimeError("boom")
    assert fmg_simulator.locks == {}
    assert fmg_simulator.sessions == {}


class ExitingModule(FakeModule):
    """A module whose exit_json/fail_json record what Ansible would print (also with -vvv)."""

    def __init__(self) -> None:
        super().__init__()
        self.exited: dict[str, Any] = {}

    def exit_json(self, **result: Any) -> None:
        self.exited = result
        raise SystemExit(0)

    def fail_json(self, **result: Any) -> None:
        self.exited = {"failed": True, **result}
        raise SystemExit(1)


@pytest.mark.parametrize("fails", [False, True])
def test_a_session_id_echoed_by_fortimanager_never_reaches_the_result(fmg_simulator: Any, fails: bool) -> None:
    module = ExitingModule()
    module.params.update(client_params(fmg_simulator, "password"), lock_wait=0)
    seen: list[str] = []

    def echo(fmg: Any) -> dict[str, Any]:
        seen.append(fmg.sid)
        if fails:
            raise glue.FMGModuleFailure(f"refused for session {fmg.sid}", message=f"session {fmg.sid} is not allowed")
        return {"changed": False, "data": {"comment": f"created by session {fmg.sid}"}}

    with pytest.raises(SystemExit):
        glue.run_task(module, glue.TaskContext(module.params), lambda ctx: echo)
    (sid,) = seen
    assert module.exited and sid not in str(module.exited)
    assert bool(module.exited.get("failed")) is fails
    assert fmg_simulator.sessions == {}


@pytest.mark.fmg_simulator(tls=True)
def test_unverified_tls_warns_and_a_ca_bundle_verifies(fmg_simulator: Any) -> None:
    import urllib3

    module = FakeModule()
    module.params.update(client_params(fmg_simulator, "password"), use_ssl=True, verify_ssl=False)
    # urllib3's own warning is no longer silenced, and the task warns in Ansible's output.
    with pytest.warns(urllib3.exceptions.InsecureRequestWarning), glue.fmg_client(module) as fmg:
        assert fmg.get("sys/status")[0] == 0
    assert any("verify_ssl is false" in warning for warning in module.warnings)

    module = FakeModule()
    module.params.update(client_params(fmg_simulator, "password"), use_ssl=True, verify_ssl=fmg_simulator.ca_cert_path)
    with glue.fmg_client(module) as fmg:
        assert fmg.get("sys/status")[0] == 0
    assert module.warnings == []

    # The default (true) checks against the system's CAs, which did not sign the simulator's certificate.
    module = FakeModule()
    module.params.update(client_params(fmg_simulator, "password"), use_ssl=True, verify_ssl=True)
    with pytest.raises(glue.FMG_ERRORS), glue.fmg_client(module):
        pass
    assert fmg_simulator.sessions == {}


CLOUD_HOST = "1234.eu.fortimanager.forticloud.com"


def _forticloud_fmg(rsps: Any) -> list[dict[str, Any]]:
    """A FortiCloud-hosted FortiManager behind ``responses``: the token login and any JSON-RPC call."""
    import json

    seen: list[dict[str, Any]] = []

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        seen.append({"url": request.url, "body": body})
        if request.url.endswith("/p/forticloud_jsonrpc_login/"):
            return 200, {}, json.dumps({"session": "CLOUD-SESSION-1"})
        url = body["params"][0]["url"]
        return 200, {}, json.dumps({"id": body["id"], "result": [{"status": {"code": 0, "message": "OK"}, "url": url}]})

    rsps.add_callback("POST", f"https://{CLOUD_HOST}/p/forticloud_jsonrpc_login/", callback=answer)
    rsps.add_callback("POST", f"https://{CLOUD_HOST}/jsonrpc", callback=answer)
    return seen


def test_forticloud_access_token_logs_in_standalone_and_never_shows() -> None:
    responses = pytest.importorskip("responses")
    module = ExitingModule()
    module.params.update(
        host=CLOUD_HOST,
        username=None,
        password=None,
        api_key=None,
        forticloud_access_token="CLOUD-TOKEN-XYZ",
        use_ssl=True,
        verify_ssl=True,
        timeout=10,
    )
    with responses.RequestsMock() as rsps:
        seen = _forticloud_fmg(rsps)
        with glue.fmg_client(module) as fmg:
            assert fmg.get("sys/status")[0] == 0
    assert seen[0] == {
        "url": f"https://{CLOUD_HOST}/p/forticloud_jsonrpc_login/",
        "body": {"access_token": "CLOUD-TOKEN-XYZ"},
    }
    assert all(hit["body"].get("session") == "CLOUD-SESSION-1" for hit in seen[1:])
    assert seen[-1]["body"]["params"] == [{"url": "sys/logout"}]
    assert "CLOUD-TOKEN-XYZ" not in str(glue._redactor(module, fmg).text("token CLOUD-TOKEN-XYZ"))


def test_the_play_locks_fact_counts_only_for_this_runs_connection() -> None:
    from ansible_collections.pyfmg.fortimanager.plugins.plugin_utils.action import held_locks

    fact = {"socket": "/tmp/pc/abc", "locks": {"root": "c1"}}
    assert held_locks({"ansible_facts": {"pyfmg_workspace_locks": fact}}, "/tmp/pc/abc") == {"root": "c1"}
    # A fact cache kept it from an earlier run, whose connection socket was another one.
    assert held_locks({"ansible_facts": {"pyfmg_workspace_locks": fact}}, "/tmp/pc/def") is None
    assert held_locks({}, "/tmp/pc/abc") is None and held_locks(None, "/tmp/pc/abc") is None


def test_a_play_workspace_knows_which_locks_are_gone() -> None:
    play = glue.PlayWorkspace("c1")
    play.locks["root"] = LockScope("root")
    assert play.covering(LockScope("root", package="default")) == LockScope("root")
    assert play.covering(LockScope("branch")) is None and play.covering(None) is None
    assert play.lost({"root": "c1"}, ["root"]) == []
    assert play.lost({"root": "c0"}, ["root"]) == ["root"]  # taken by an earlier connection process
    assert play.lost({"root": "c1"}, []) == ["root"]  # the client no longer holds it (session lost)
    assert play.lost(None, []) == []


@pytest.mark.parametrize(
    "facts",
    [
        {"selector": "firewall_address", "params": ["adom", "root"]},
        {"selector": "firewall_address", "params": "address=web01"},
        {"selector": ["firewall_address"]},
    ],
)
def test_facts_that_are_not_shaped_as_fmgr_facts_fail_clearly(facts: dict[str, Any]) -> None:
    """Under connection: local: the module's own failure, not a traceback, before any login."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    from ansible_collections.pyfmg.fortimanager.plugins.module_utils.specs import argument_spec

    module = ExitingModule()
    checked = ArgumentSpecValidator(argument_spec("fmg_info")).validate({"facts": facts, "host": "unused.invalid"})
    assert not checked.error_messages, checked.error_messages
    module.params = checked.validated_parameters
    with pytest.raises(SystemExit):
        glue.run_task(module, glue.TaskContext(module.params), tasks.info_task)
    assert module.exited["failed"] and module.exited["msg"].startswith("facts."), module.exited
    assert "must be" in module.exited["msg"] or "is not one" in module.exited["msg"], module.exited


def test_enable_log_collects_the_records_without_passing_them_to_ansibles_log() -> None:
    """Ansible's log_path handler sits on the root logger (logging.basicConfig in the connection process)."""
    import logging

    class Collect(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.DEBUG)
            self.lines: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.lines.append(record.getMessage())

    root, package = logging.getLogger(), logging.getLogger("pyfmg")
    ansible_log = Collect()
    root.addHandler(ansible_log)
    before = (root.level, package.level, package.propagate)
    root.setLevel(logging.DEBUG)
    try:
        with glue.task_log(True) as lines:
            logging.getLogger("pyfmg.transport").debug("request body")
        assert lines == ["DEBUG pyfmg.transport: request body"]
        assert ansible_log.lines == []
        assert (package.level, package.propagate) == before[1:]
        logging.getLogger("pyfmg.transport").warning("after the task")
        assert ansible_log.lines == ["after the task"]  # as before the task
    finally:
        root.removeHandler(ansible_log)
        root.setLevel(before[0])
