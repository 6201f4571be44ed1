"""Behaviours copied from live FortiManager replies (each row of the facts table in docs/simulator.rst)."""

from __future__ import annotations

from typing import Any

import pytest

from pyfmg.testing import FMGSimulator

from .conftest import ADDRESSES, Rpc

ADD_DEVICE = "/dvm/cmd/add/device"
DEL_DEVICE = "/dvm/cmd/del/device"
SCRIPTS = "/dvmdb/adom/root/script"
TASK_FIELDS = {
    "id", "title", "src", "user", "adom", "state", "percent", "tot_percent", "num_lines", "num_done",
    "num_err", "num_warn", "start_tm", "end_tm", "line", "flags", "pid",
}  # fmt: skip
LINE_FIELDS = {
    "name",
    "ip",
    "vdom",
    "oid",
    "poid",
    "state",
    "err",
    "percent",
    "detail",
    "history",
    "start_tm",
    "end_tm",
}


def model_device(**extra: Any) -> dict[str, Any]:
    # The device a FortiSOAR connector's live test suite adds: no name, only a serial number.
    return {
        "mr": 4, "sn": "FGT60F0123456789", "name": "", "patch": 0, "os_ver": 6, "os_type": "fos",
        "mgmt_mode": "fmg", "meta fields": {"Contact Email": "admin@test.com"}, "device action": "add_model",
        **extra,
    }  # fmt: skip


def task(rpc: Rpc, task_id: int, **param: Any) -> dict[str, Any]:
    code, data = rpc.one("get", f"/task/task/{task_id}", **param)
    assert code == 0, data
    return data


# --- unknown tables ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/dvmdb/devices", "/dvmdb/adom/root/devices", "/dvmdb/folders"])
def test_an_unknown_table_under_dvmdb_does_not_exist(rpc: Rpc, url: str) -> None:
    result = rpc.send("get", {"url": url, "data": ""})["result"][0]
    assert result["status"] == {"code": -3, "message": "Object does not exist"}
    assert result["url"] == url


def test_an_unknown_prefix_is_still_an_invalid_url(rpc: Rpc) -> None:
    assert rpc.one("get", "/no/such/thing")[0] == -6
    assert rpc.one("get", "/pm/config/adom/root/obj/firewall/nosuch")[0] == -6
    assert rpc.one("get", "/dvmdb/adom/nosuch/device")[0] == -6


# --- model devices and their tasks -------------------------------------------------------------------


@pytest.mark.sim(task_duration=4.0)
def test_a_model_device_is_added_and_deleted_through_tasks(rpc: Rpc, sim: FMGSimulator) -> None:
    data = {"adom": "root", "flags": ["create_task", "nonblocking"], "device": model_device()}
    code, reply = rpc.one("exec", ADD_DEVICE, data=data)
    assert code == 0 and set(reply) == {"taskid"}
    record = task(rpc, reply["taskid"])
    assert set(record) >= TASK_FIELDS and set(record["line"][0]) >= LINE_FIELDS
    assert record["line"][0]["name"] == "FGT60F0123456789"
    sim.advance_clock(4)
    record = task(rpc, reply["taskid"])
    assert (record["percent"], record["state"], record["num_done"], record["num_err"]) == (100, 4, 1, 0)
    device = rpc.one("get", "/dvmdb/adom/root/device/FGT60F0123456789")[1]
    assert device["sn"] == "FGT60F0123456789" and device["conn_status"] == 0 and device["mgmt_mode"] == 1
    assert device["meta fields"] == {"Contact Email": "admin@test.com"}

    deleting = {"adom": "root", "flags": ["create_task", "nonblocking"], "device": "FGT60F0123456789"}
    code, reply = rpc.one("exec", DEL_DEVICE, data=deleting)
    assert code == 0 and "taskid" in reply
    sim.advance_clock(4)
    assert task(rpc, reply["taskid"])["percent"] == 100
    assert rpc.one("get", "/dvmdb/adom/root/device/FGT60F0123456789")[0] == -3


def test_deleting_a_device_without_create_task_answers_no_data(rpc: Rpc) -> None:
    assert rpc.one("exec", ADD_DEVICE, data={"adom": "root", "device": model_device(name="m1")})[0] == 0
    assert rpc.one("exec", DEL_DEVICE, data={"adom": "root", "device": "m1"}) == (0, None)
    assert rpc.one("exec", DEL_DEVICE, data={"adom": "root", "device": "m1"})[0] == -3


def test_device_credentials_are_neither_stored_nor_echoed(rpc: Rpc, sim: FMGSimulator) -> None:
    device = model_device(name="m2", adm_usr="admin", adm_pass="s3cret", psk="s3cret-psk")
    code, reply = rpc.one("exec", ADD_DEVICE, data={"adom": "root", "device": device})
    assert code == 0 and "s3cret" not in str(reply)
    assert "s3cret" not in str(sim.objects("dvmdb/adom/root/device/m2"))


@pytest.mark.sim(task_duration=10.0)
def test_a_running_task_is_consistent_at_every_poll(rpc: Rpc, sim: FMGSimulator) -> None:
    scope = [{"name": name, "vdom": "root"} for name in ("FGT-01", "ghost", "FGT-02")]
    task_id = rpc.one(
        "exec", "/securityconsole/install/package", data={"adom": "root", "pkg": "default", "scope": scope}
    )[1]["task"]
    seen = []
    for _ in range(12):
        record = task(rpc, task_id)
        lines = record["line"]
        assert record["num_done"] + record["num_err"] <= record["num_lines"] == len(lines) == 3
        assert record["num_done"] == sum(line["state"] == 4 for line in lines)
        assert record["num_err"] == sum(line["err"] for line in lines)
        assert record["tot_percent"] == record["percent"]
        assert (record["end_tm"] == 0) == (record["percent"] < 100)
        assert all(line["end_tm"] == 0 or line["end_tm"] >= line["start_tm"] > 0 for line in lines)
        seen.append((record["percent"], record["state"]))
        sim.advance_clock(1)
    percents = [percent for percent, _ in seen]
    assert percents == sorted(percents) and percents[0] == 0 and percents[-1] == 100
    assert [state for _, state in seen if state not in (0, 1)] == [5, 5]  # ends in error: one line failed
    assert task(rpc, task_id)["num_err"] == 1


@pytest.mark.sim(task_duration=0.0)
def test_verbose_tasks_name_their_state_and_source(rpc: Rpc) -> None:
    task_id = rpc.one("exec", "/securityconsole/install/device", data={"adom": "root", "scope": [{"name": "FGT-01"}]})[
        1
    ]["task"]
    plain = task(rpc, task_id)
    assert (plain["state"], plain["src"]) == (4, 0)
    named = task(rpc, task_id, verbose=1)
    assert (named["state"], named["src"], named["line"][0]["state"]) == ("done", "device manager", "done")
    assert named["line"][0]["history"][-1]["state"] == 4  # history states stay numeric
    listed = rpc.one("get", "/task/task", verbose=1)[1]
    assert [t["state"] for t in listed] == ["done"]


# --- web filter ----------------------------------------------------------------------------------------


def test_web_filter_profiles_reference_url_filter_lists(rpc: Rpc, sim: FMGSimulator) -> None:
    profiles = "/pm/config/adom/root/obj/webfilter/profile"
    lists = "/pm/config/adom/root/obj/webfilter/urlfilter"
    assert rpc.one("get", f"{profiles}/default")[1]["web"] == {}
    code, made = rpc.one("add", lists, data={"name": "blocked", "entries": [{"url": "bad.example", "action": "block"}]})
    assert code == 0 and isinstance(made["id"], int)
    assert rpc.one("update", f"{profiles}/default", data={"web": {"urlfilter-table": made["id"]}})[0] == 0
    assert rpc.one("update", f"{profiles}/default", data={"web": {"log-search": "enable"}})[0] == 0
    web = rpc.one("get", f"{profiles}/default")[1]["web"]
    assert web == {"urlfilter-table": made["id"], "log-search": "enable"}  # a write merges into "web"
    entries = rpc.one("get", f"{lists}/{made['id']}/entries")[1]
    assert [(e["url"], e["action"]) for e in entries] == [("bad.example", 1)]
    assert rpc.one("update", f"{profiles}/default", data={"web": "x"})[0] == -10


@pytest.mark.sim(workspace_mode="normal", task_duration=0.0)
def test_block_url_runs_end_to_end_on_the_simulator(sim: FMGSimulator) -> None:
    from pyfmg.soar import run

    config = {"address": "http://" + sim.host, "username": "admin", "password": "password", "verify_ssl": "false"}
    result = run("block_url", config, {"urls": "https://bad.example/x", "webfilter_profile": "default"})
    assert result["blocked"] == ["bad.example/x"]
    profile = sim.objects("pm/config/adom/root/obj/webfilter/profile/default")
    table = profile["web"]["urlfilter-table"]
    entries = sim.objects(f"pm/config/adom/root/obj/webfilter/urlfilter/{table}")["entries"]
    assert [(e["url"], e["action"]) for e in entries] == [("bad.example/x", "block")]
    assert sim.locks == {} and sim.sessions == {}


# --- install preview -----------------------------------------------------------------------------------


@pytest.mark.sim(task_duration=0.0)
def test_install_preview_then_its_result(rpc: Rpc) -> None:
    assert rpc.one("add", ADDRESSES, data={"name": "h1", "subnet": "10.0.0.1/32"})[0] == 0
    result = "/securityconsole/preview/result"
    assert rpc.one("exec", result, data={"adom": "root", "device": "FGT-01"})[0] == -3  # nothing previewed yet
    code, reply = rpc.one("exec", "/securityconsole/install/preview", data={"adom": "root", "device": "FGT-01"})
    assert code == 0 and task(rpc, reply["task"])["percent"] == 100
    code, preview = rpc.one("exec", result, data=[{"adom": "root", "device": "FGT-01"}])
    assert code == 0 and 'edit "h1"\n        set subnet 10.0.0.1 255.255.255.255' in preview["message"]
    scope = [{"name": "FGT-02", "vdom": "root"}]
    assert rpc.one("exec", "/securityconsole/install/preview", data={"adom": "root", "scope": scope})[0] == 0
    assert rpc.one("exec", "/securityconsole/package/cancel/install", data={"adom": "root", "device": "FGT-02"})[0] == 0
    assert rpc.one("exec", result, data={"adom": "root", "device": "FGT-02"})[0] == 0
    assert rpc.one("exec", "/securityconsole/install/preview", data={"adom": "nope", "device": "FGT-01"})[0] == -3


# --- CLI scripts ---------------------------------------------------------------------------------------

ADDRESS_SCRIPT = 'config firewall address\nedit "scripted"\nset subnet 10.255.255.253 255.255.255.255\nnext\nend'


def add_script(rpc: Rpc, name: str, target: Any, content: str) -> None:
    code, data = rpc.one("add", SCRIPTS, data={"name": name, "type": 1, "target": target, "content": content})
    assert code == 0, data


@pytest.mark.sim(task_duration=0.0)
def test_a_script_on_the_adom_database_changes_objects_and_logs(rpc: Rpc, sim: FMGSimulator) -> None:
    add_script(rpc, "s1", 2, ADDRESS_SCRIPT)
    assert rpc.one("get", f"{SCRIPTS}/s1", verbose=1)[1]["target"] == "adom_database"
    code, reply = rpc.one(
        "exec", "/dvmdb/adom/root/script/execute", data={"adom": "root", "package": "default", "script": "s1"}
    )
    assert code == 0
    record = task(rpc, reply["task"])
    assert (record["num_err"], record["state"]) == (0, 4)
    assert sim.objects(f"{ADDRESSES}/scripted")["subnet"] == ["10.255.255.253", "255.255.255.255"]
    log = rpc.one("get", "/dvmdb/adom/root/script/log/latest")[1]
    assert log["log_id"] == int(f"{reply['task']}1") and log["script_name"] == "s1"
    assert "Running script(s1) on DB success" in log["content"]
    assert rpc.one("get", f"/dvmdb/adom/root/script/log/output/logid/{log['log_id']}")[1]["content"] == log["content"]
    summary = rpc.one("get", "/dvmdb/adom/root/script/log/summary")[1]
    assert [(s["log_id"], s["seq"]) for s in summary] == [(log["log_id"], 1)]


@pytest.mark.sim(task_duration=0.0)
def test_a_script_on_devices_logs_per_device(rpc: Rpc, sim: FMGSimulator) -> None:
    add_script(rpc, "s2", "remote_device", "get system status")
    scope = [{"name": "FGT-01", "vdom": "root"}]
    reply = rpc.one("exec", "/dvmdb/adom/root/script/execute", data={"adom": "root", "script": "s2", "scope": scope})[1]
    log = rpc.one("get", "/dvmdb/adom/root/script/log/latest/device/FGT-01")[1]
    assert log["log_id"] == reply["task"] * 10 and "get system status" in log["content"]
    assert rpc.one("get", "/dvmdb/adom/root/script/log/latest/device/FGT-02")[0] == -3
    assert rpc.one("get", "/pm/config/adom/root/obj/fmg/script/s2")[1]["name"] == "s2"  # 7.6.5's place


def test_script_execute_refuses_what_fortimanager_refuses(rpc: Rpc) -> None:
    add_script(rpc, "s3", 2, ADDRESS_SCRIPT)
    execute = "/dvmdb/adom/root/script/execute"
    scope = [{"name": "FGT-01", "vdom": "root"}]
    assert rpc.one("exec", execute, data={"script": "s3", "scope": scope})[0] == -10  # no adom inside data
    assert rpc.one("exec", execute, data={"adom": "root", "script": "s3"})[0] == -10  # adom_database, no package
    assert rpc.one("exec", execute, data={"adom": "root", "script": "s3", "package": "nope"})[0] == -10
    assert rpc.one("exec", execute, data={"adom": "root", "script": "nope", "scope": scope})[0] == -3


@pytest.mark.sim(workspace_mode="normal", task_duration=0.0)
def test_a_script_run_without_the_lock_is_accepted_but_its_task_fails(rpc: Rpc, sim: FMGSimulator) -> None:
    assert rpc.one("exec", "/dvmdb/adom/root/workspace/lock")[0] == 0
    add_script(rpc, "s4", 2, ADDRESS_SCRIPT)
    assert rpc.one("exec", "/dvmdb/adom/root/workspace/commit")[0] == 0
    assert rpc.one("exec", "/dvmdb/adom/root/workspace/unlock")[0] == 0
    data = {"adom": "root", "package": "default", "script": "s4"}
    code, reply = rpc.one("exec", "/dvmdb/adom/root/script/execute", data=data)
    assert code == 0
    record = task(rpc, reply["task"])
    assert (record["num_err"], record["state"], record["percent"]) == (1, 5, 100)
    with pytest.raises(LookupError):
        sim.objects(f"{ADDRESSES}/scripted")
