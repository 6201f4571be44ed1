"""pyfmg's httpapi plugin in-process, against the simulator: what the persistent connection process does.

No ansible-playbook here (these run in milliseconds): the connection is a stand-in with the options
ansible.netcommon's httpapi connection gives the plugin, and tasks arrive as the collection's
action plugins send them (``pyfmg_task`` with arguments checked against the module's spec).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("ansible")

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.pyfmg.fortimanager.plugins.httpapi.fortimanager import HttpApi
from ansible_collections.pyfmg.fortimanager.plugins.module_utils.specs import argument_spec, module_keywords
from pyfmg.testing import FMGSimulator

from .conftest import API_KEY, PASSWORD, login_count, session_ids

ADDRESSES = "pm/config/adom/root/obj/firewall/address"


class StandInConnection:
    """What the plugin uses of ansible.netcommon's httpapi Connection."""

    def __init__(self, sim: FMGSimulator, **options: Any) -> None:
        address, port = sim.host.rsplit(":", 1)
        self.options = {
            "host": address,
            "port": int(port),
            "remote_user": "admin",
            "password": PASSWORD,
            "use_ssl": False,
            "validate_certs": True,
            "ca_path": None,
            "persistent_command_timeout": 30,
            **options,
        }
        self.connected = False
        self.messages: list[tuple[str, str]] = []
        self.plugin: HttpApi | None = None

    def get_option(self, name: str) -> Any:
        return self.options[name]

    def _connect(self) -> None:
        self.connected = True
        assert self.plugin is not None
        self.plugin.login(self.options["remote_user"], self.options["password"])

    def queue_message(self, level: str, message: str) -> None:
        self.messages.append((level, message))


def task(
    plugin: HttpApi, module: str, *, check_mode: bool = False, diff: bool = False, held: Any = None, **args: Any
) -> dict[str, Any]:
    """What an action plugin sends for a task with ``args``: checked against the module's spec.

    ``held`` is what the host's ``pyfmg_workspace_locks`` fact says the play holds.
    """
    keywords = module_keywords(module)
    checked = ArgumentSpecValidator(
        argument_spec(module),
        mutually_exclusive=keywords.get("mutually_exclusive"),
        required_one_of=keywords.get("required_one_of"),
    ).validate(args)
    assert not checked.error_messages, checked.error_messages
    return plugin.pyfmg_task(module, checked.validated_parameters, check_mode, diff, held)


def writes(sim: FMGSimulator) -> list[str]:
    """Every method and URL sent besides reads and the session's own login and logout."""
    found = []
    for request in sim.requests:
        body = request.json
        if isinstance(body, dict) and body.get("method") != "get":
            for param in body.get("params") or []:
                url = str(param.get("url", "")).strip("/")
                if url not in ("sys/login/user", "sys/logout"):
                    found.append(f"{body['method']} {url}")
    return found


@pytest.fixture
def sim() -> Iterator[FMGSimulator]:
    simulator = FMGSimulator(
        users={"admin": PASSWORD}, api_keys=(API_KEY,), workspace_mode="normal", session_idle_timeout=60
    )
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()


def plugin_for(sim: FMGSimulator, **options: Any) -> tuple[HttpApi, StandInConnection]:
    connection = StandInConnection(sim, **options)
    plugin = HttpApi(connection)
    connection.plugin = plugin
    return plugin, connection


def address(name: str, **attributes: Any) -> dict[str, Any]:
    return {"url": ADDRESSES, "name": name, "attributes": {"subnet": "10.0.0.1/32", **attributes}}


def test_one_login_for_a_plays_tasks_and_logout_releases_every_lock(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    for number in range(3):
        answer = task(plugin, "fmg_object", **address(f"a{number}", comment="x"))
        assert answer["result"]["changed"] and answer["warnings"] == [], answer
    assert task(plugin, "fmg_info", url="sys/status")["result"]["rc"] == 0
    assert login_count(sim) == 1
    # One syntax read for the table, however many tasks write to it.
    syntax_reads = [r for r in sim.requests if (r.json.get("params") or [{}])[0].get("option") == "syntax"]
    assert len(syntax_reads) == 1
    assert [w for w in writes(sim) if w.startswith("add")] == [f"add {ADDRESSES}"] * 3
    assert sim.locks == {} and len(sim.sessions) == 1
    plugin.logout()  # the play's end
    assert sim.sessions == {}


def test_a_refused_write_rolls_back_unlocks_and_keeps_the_session(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    broken = {"name": "broken", "subnet": "not-a-subnet"}
    answer = task(plugin, "fmg_rpc", method="add", url=ADDRESSES, data=broken)
    failure = answer["failure"]
    assert failure["code"] == -10 and failure["url"] == ADDRESSES, failure
    assert sim.locks == {}
    assert not any(row["name"] == "broken" for row in sim.objects(ADDRESSES))
    assert "exec dvmdb/adom/root/workspace/commit" not in writes(sim)
    assert len(sim.sessions) == 1  # still logged in for the next task
    assert task(plugin, "fmg_object", **address("after"))["result"]["action"] == "create"
    assert login_count(sim) == 1
    plugin.logout()
    assert sim.sessions == {}


def test_an_expired_session_is_logged_in_again(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    assert task(plugin, "fmg_info", url="sys/status")["result"]["rc"] == 0
    sim.advance_clock(120)  # past the simulator's 60 s idle timeout: FortiManager forgot the session
    assert sim.sessions == {}
    assert task(plugin, "fmg_info", url="sys/status")["result"]["rc"] == 0
    assert login_count(sim) == 2
    plugin.logout()
    assert sim.sessions == {}


def test_session_id_and_password_never_leave_the_connection(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    task(plugin, "fmg_info", url="sys/status")
    (sid,) = session_ids(sim)
    # FortiManager echoing the session (and the password) back in data: both are masked.
    created = task(plugin, "fmg_object", diff=True, **address("echo", comment=f"{sid} {PASSWORD}"))
    read = task(plugin, "fmg_info", url=f"{ADDRESSES}/echo")
    refused = task(plugin, "fmg_rpc", method="get", url=f"pm/config/adom/{sid}/obj/firewall/address")
    assert read["result"]["rc"] == 0 and refused["failure"]["code"] == -6
    for answer in (created, read, refused):
        assert sid not in str(answer) and PASSWORD not in str(answer)
    plugin.logout()


def test_a_module_api_key_replaces_the_password_session(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    task(plugin, "fmg_info", url="sys/status")
    assert list(sim.sessions.values()) == ["admin"]
    answer = task(plugin, "fmg_info", url="sys/status", access_token=API_KEY)  # fortinet.fortimanager's name
    assert answer["result"]["rc"] == 0 and API_KEY not in str(answer)
    assert sim.sessions == {}  # the password session was logged out
    assert login_count(sim) == 1
    plugin.logout()


def test_no_credentials_and_bad_requests_fail_clearly(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim, remote_user=None, password=None)
    answer = task(plugin, "fmg_info", url="sys/status")
    assert "ansible_user and ansible_password" in answer["failure"]["msg"]
    assert "failure" in plugin.send_request("get", [])
    assert "failure" in plugin.send_request("logout", [{"url": "sys/logout"}])
    assert sim.sessions == {}


def test_a_refused_login_names_fortimanagers_code(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim, password="wrong-password")
    failure = task(plugin, "fmg_info", url="sys/status")["failure"]
    assert failure["code"] == -22, failure
    assert "wrong-password" not in str(failure)


def test_send_request_answers_as_fortinets_plugin_does(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    assert plugin.send_request("get", [{"url": "sys/status"}])["result"][0] == 0
    assert plugin.send_request("exec", [{"url": "dvmdb/adom/root/workspace/lock"}])["result"][0] == 0
    assert sim.locks
    plugin.logout()  # releases what a caller of send_request left locked
    assert sim.locks == {} and sim.sessions == {}


def test_check_mode_reads_and_sends_no_lock_or_write(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    planned = task(plugin, "fmg_object", check_mode=True, diff=True, **address("planned", comment="new"))
    assert planned["result"]["changed"] and planned["result"]["action"] == "create"
    assert planned["result"]["diff"]["after"]["comment"] == "new"
    skipped = task(plugin, "fmg_rpc", check_mode=True, method="add", url=ADDRESSES, data={"name": "never"})
    assert skipped["result"]["changed"] and "not sent" in skipped["result"]["msg"]
    install = task(plugin, "fmg_install", check_mode=True, package="default", scope=["FGT-01/root"])
    assert install["result"]["changed"]
    assert writes(sim) == [] and sim.locks == {}
    assert not any(row["name"] in ("planned", "never") for row in sim.objects(ADDRESSES))
    plugin.logout()


@pytest.mark.parametrize(
    ("attributes", "words"),
    [
        ({"type": "range"}, ["'type'", "'range' is not allowed", "ipmask (0)", "iprange (1)", "fqdn (2)"]),
        ({"comments": "x"}, ["no attribute 'comments'", "did you mean 'comment'"]),
        ({"color": "red"}, ["'color' takes an integer", "not str"]),
        ({"color": 2**40}, ["'color'", "out of range"]),
        ({"comment": "x" * 256}, ["'comment' is 256 characters long", "at most 255"]),
        ({"associated-interface": ["port1", "port2"]}, ["at most 1 value"]),
    ],
)
def test_bad_attributes_fail_before_any_lock_or_write(
    sim: FMGSimulator, attributes: dict[str, Any], words: list[str]
) -> None:
    plugin, _ = plugin_for(sim)
    failure = task(plugin, "fmg_object", **address("bad", **attributes))["failure"]
    for word in words:
        assert word in failure["msg"], failure["msg"]
    assert "bypass_validation" in failure["msg"] and failure["url"] == ADDRESSES
    assert writes(sim) == [] and sim.locks == {}
    plugin.logout()


def test_several_objects_are_all_checked_and_named(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    objects = [
        {"name": "good", "attributes": {"subnet": "10.1.1.1/32"}},
        {"name": "bad-type", "attributes": {"type": "range"}},
        {"name": "gone", "state": "absent", "attributes": {"nonsense": 1}},  # deletes are not checked
        {"name": "typo", "attributes": {"commnet": "x"}},
    ]
    failure = task(plugin, "fmg_object", url=ADDRESSES, objects=objects)["failure"]
    assert failure["problems"] == [
        "bad-type: attribute 'type': 'range' is not allowed; allowed: ipmask (0), iprange (1), fqdn (2), "
        "wildcard (3), geography (4)",
        "typo: firewall address has no attribute 'commnet' (did you mean 'comment'?)",
    ]
    assert writes(sim) == []
    plugin.logout()


def test_bypass_validation_sends_it_anyway(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    failure = task(plugin, "fmg_object", bypass_validation=True, **address("bad", type="range"))["failure"]
    # FortiManager itself refuses it, after the lock: the write was sent.
    assert failure["code"] == -10, failure
    assert "exec dvmdb/adom/root/workspace/lock" in writes(sim) and f"add {ADDRESSES}" in writes(sim)
    assert not any(r for r in sim.requests if (r.json.get("params") or [{}])[0].get("option") == "syntax")
    assert sim.locks == {}
    plugin.logout()


def test_enable_log_returns_the_tasks_redacted_exchanges(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    answer = task(plugin, "fmg_object", enable_log=True, **address("logged"))
    log = "\n".join(answer["log"])
    assert "firewall/address" in log and '"name": "logged"' in log
    (sid,) = session_ids(sim)
    assert PASSWORD not in log and sid not in log
    quiet = task(plugin, "fmg_object", **address("quiet"))
    assert "log" not in quiet
    failed = task(plugin, "fmg_rpc", enable_log=True, method="add", url=ADDRESSES, data={"name": "x", "subnet": "?"})
    assert failed["failure"]["code"] == -10 and any("-10" in line for line in failed["log"])
    plugin.logout()


def test_a_module_forticloud_token_logs_the_connection_in_with_it() -> None:
    cloud = FMGSimulator(tls=True, forticloud_tokens={"CLOUD-TOKEN-ABC": "cloud-admin"})
    with cloud:
        plugin, connection = plugin_for(cloud, remote_user=None, password=None, use_ssl=True)
        connection.options.update(ca_path=cloud.ca_cert_path)
        answer = task(plugin, "fmg_info", url="sys/status", forticloud_access_token="CLOUD-TOKEN-ABC")
        assert answer["result"]["rc"] == 0 and "CLOUD-TOKEN-ABC" not in str(answer)
        assert list(cloud.sessions.values()) == ["cloud-admin"]
        paths = [request.path for request in cloud.requests]
        assert paths[0] == "/p/forticloud_jsonrpc_login/" and set(paths[1:]) == {"/jsonrpc"}
        plugin.logout()
        assert cloud.sessions == {}


# --- one lock for several tasks: fmg_workspace ------------------------------------------------------
POLICIES = "pm/config/adom/root/pkg/default/firewall/policy"


def workspace_calls(sim: FMGSimulator) -> list[str]:
    return [w.split("workspace/")[1] for w in writes(sim) if "/workspace/" in w]


def test_a_workspace_block_locks_once_and_commits_every_tasks_writes_once(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    locked = task(plugin, "fmg_workspace", state="locked")["result"]
    held = locked["ansible_facts"]["pyfmg_workspace_locks"]
    assert locked["held"] and list(held) == ["root"]
    for name in ("w1", "w2"):
        assert task(plugin, "fmg_object", held=held, **address(name))["result"]["action"] == "create"
    policy = {"name": "p", "srcintf": "any", "dstintf": "any", "srcaddr": "w1", "dstaddr": "all", "service": "ALL"}
    rule = task(plugin, "fmg_object", held=held, url=POLICIES, key="policyid", name=7, attributes=policy)
    rpc = task(plugin, "fmg_rpc", held=held, method="update", url=f"{ADDRESSES}/w2", data={"comment": "rpc"})
    assert "result" in rule and "result" in rpc, (rule, rpc)
    assert workspace_calls(sim) == ["lock"]  # the package is inside the locked ADOM: no lock of its own
    released = task(plugin, "fmg_workspace", held=held, state="unlocked")["result"]
    assert released["committed"] == [
        f"created {ADDRESSES}/w1",
        f"created {ADDRESSES}/w2",
        f"created {POLICIES}/7",
        f"update {ADDRESSES}/w2",
    ]
    assert released["ansible_facts"]["pyfmg_workspace_locks"] == {}
    assert workspace_calls(sim) == ["lock", "commit", "unlock"] and sim.locks == {}
    assert sim.objects(f"{ADDRESSES}/w2")["comment"] == "rpc"
    # A rerun writes nothing, so the unlock commits nothing.
    sim.clear_requests()
    held = task(plugin, "fmg_workspace", state="locked")["result"]["ansible_facts"]["pyfmg_workspace_locks"]
    assert task(plugin, "fmg_object", held=held, **address("w1"))["result"]["action"] == "none"
    assert task(plugin, "fmg_workspace", held=held, state="unlocked")["result"]["committed"] == []
    assert workspace_calls(sim) == ["lock", "unlock"]
    plugin.logout()


def test_a_failure_in_the_block_lists_what_is_uncommitted_and_the_play_end_drops_it(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    held = task(plugin, "fmg_workspace", state="locked")["result"]["ansible_facts"]["pyfmg_workspace_locks"]
    assert "result" in task(plugin, "fmg_object", held=held, **address("kept-back"))
    failure = task(plugin, "fmg_object", held=held, **address("broken", subnet="not-a-subnet"))["failure"]
    assert failure["code"] == -10 and failure["uncommitted"] == {"root": [f"created {ADDRESSES}/kept-back"]}
    assert "kept-back" in failure["msg"] and "unless a rescue or always section commits it" in failure["msg"]
    # The install refuses to leave the uncommitted change out.
    install = task(plugin, "fmg_install", held=held, package="default", scope=["FGT-01/root"])["failure"]
    assert "commit them first" in install["msg"] and "securityconsole" not in " ".join(writes(sim))
    assert sim.locks  # held for a rescue section that would commit
    plugin.logout()  # the play ends
    assert sim.locks == {} and sim.sessions == {}
    assert not any(row["name"] == "kept-back" for row in sim.objects(ADDRESSES))
    assert "exec dvmdb/adom/root/workspace/commit" not in writes(sim)


def test_a_lock_lost_with_the_connection_fails_the_next_task(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    held = task(plugin, "fmg_workspace", state="locked")["result"]["ansible_facts"]["pyfmg_workspace_locks"]
    assert "result" in task(plugin, "fmg_object", held=held, **address("lost"))
    plugin.logout()  # the connection idled out between two tasks
    fresh, _ = plugin_for(sim)  # the next task starts a new connection process
    failure = task(fresh, "fmg_workspace", held=held, state="unlocked")["failure"]
    assert failure["lost"] == ["root"] and "dropped every change" in failure["msg"]
    assert "failure" in task(fresh, "fmg_object", held=held, **address("after"))
    assert not any(row["name"] in ("lost", "after") for row in sim.objects(ADDRESSES)) and sim.locks == {}
    fresh.logout()


def test_a_workspace_block_in_check_mode_sends_nothing(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    locked = task(plugin, "fmg_workspace", check_mode=True, state="locked")["result"]
    assert not locked["held"] and "ansible_facts" not in locked
    assert task(plugin, "fmg_object", check_mode=True, **address("planned"))["result"]["action"] == "create"
    assert "result" in task(plugin, "fmg_workspace", check_mode=True, state="unlocked")
    assert writes(sim) == [] and sim.locks == {}
    plugin.logout()


def test_unlocking_without_commit_drops_the_changes_and_says_which(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    held = task(plugin, "fmg_workspace", state="locked")["result"]["ansible_facts"]["pyfmg_workspace_locks"]
    task(plugin, "fmg_object", held=held, **address("draft"))
    released = task(plugin, "fmg_workspace", held=held, state="unlocked", commit=False)["result"]
    assert released["discarded"] == [f"created {ADDRESSES}/draft"] and released["committed"] == []
    assert not any(row["name"] == "draft" for row in sim.objects(ADDRESSES)) and sim.locks == {}
    plugin.logout()


def test_a_refused_commit_under_workspace_locking_adom_keeps_every_objects_result(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    refused = json.dumps({"result": [{"status": {"code": -1, "message": "Commit failed: disk full"}}]}).encode()
    sim.inject("raw", method="exec", url="dvmdb/adom/root/workspace/commit", status=200, body=refused)
    objects = [{"name": "c1", "attributes": {"subnet": "10.0.0.1/32"}}, {"name": "c2", "state": "absent"}]
    failure = task(plugin, "fmg_object", url=ADDRESSES, workspace_locking_adom="root", objects=objects)["failure"]
    assert "disk full" in failure["msg"] and failure["code"] == -1, failure
    # Each object's result is there: the written one says it was not committed, the absent one is unchanged.
    assert [(item["name"], item["action"]) for item in failure["objects"]] == [("c1", "create"), ("c2", "none")]
    assert failure["objects"][0]["status"] == "failed" and "not committed" in failure["objects"][0]["message"]
    assert "status" not in failure["objects"][1]
    assert failure["changed"] is False  # unlocking dropped the uncommitted write
    assert workspace_calls(sim) == ["lock", "commit", "unlock"] and sim.locks == {}
    assert not any(row["name"] == "c1" for row in sim.objects(ADDRESSES))
    plugin.logout()


def test_workspace_locking_adom_locks_that_adom_only_when_the_task_must_write(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    rule = {"srcintf": ["any"], "dstintf": ["any"], "srcaddr": ["all"], "dstaddr": ["all"], "service": ["ALL"]}
    policy = {"url": POLICIES, "key": "policyid", "name": 31, "attributes": {"name": "p31", **rule}}
    sim.clear_requests()
    assert task(plugin, "fmg_object", workspace_locking_adom="root", **policy)["result"]["changed"] is True
    assert [w for w in writes(sim) if "/workspace/" in w] == [
        "exec dvmdb/adom/root/workspace/lock",  # the whole ADOM, not the package
        "exec dvmdb/adom/root/workspace/commit",
        "exec dvmdb/adom/root/workspace/unlock",
    ]
    # A rerun with nothing to change reads and sends nothing else: no lock, no commit, no unlock.
    sim.clear_requests()
    assert task(plugin, "fmg_object", workspace_locking_adom="root", **policy)["result"]["changed"] is False
    assert writes(sim) == [] and len(sim.requests) == 1 and sim.locks == {}
    # commit: false outside a play's fmg_workspace lock is refused, as the module's documentation says.
    failure = task(plugin, "fmg_object", workspace_locking_adom="root", commit=False, **{**policy, "name": 32})
    assert "commit=False would leave the changes" in failure["failure"]["msg"], failure
    assert writes(sim) == [] and sim.locks == {}
    plugin.logout()


def test_facts_params_that_are_not_a_dict_fail_clearly_before_any_login(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    failure = task(plugin, "fmg_info", facts={"selector": "firewall_address", "params": ["root"]})["failure"]
    assert failure["msg"].startswith("facts.params must be a dict"), failure
    assert "list" in failure["msg"] and sim.requests == []
    plugin.logout()
