from __future__ import annotations

import pytest

from pyfmg.testing import FMGSimulator

from .conftest import ADDRESSES, Rpc

INSTALL = "/securityconsole/install/package"
TASK_FIELDS = {
    "id", "title", "src", "user", "adom", "state", "percent", "tot_percent", "num_lines",
    "num_done", "num_err", "num_warn", "start_tm", "end_tm", "line",
}  # fmt: skip
LINE_FIELDS = {"name", "ip", "vdom", "state", "err", "percent", "detail", "history", "start_tm", "end_tm"}


def install(rpc: Rpc, *devices: str) -> int:
    scope = [{"name": name, "vdom": "root"} for name in devices]
    code, data = rpc.one("exec", INSTALL, data={"adom": "root", "pkg": "default", "scope": scope, "flags": ["none"]})
    assert code == 0, data
    return int(data["task"])


@pytest.mark.sim(task_duration=10.0)
def test_install_task_progresses_with_the_clock(rpc: Rpc, sim: FMGSimulator) -> None:
    task_id = install(rpc, "FGT-01", "FGT-02")
    code, task = rpc.one("get", f"/task/task/{task_id}")
    assert code == 0
    assert set(task) >= TASK_FIELDS and set(task["line"][0]) >= LINE_FIELDS
    assert (task["percent"], task["num_done"], task["num_lines"], task["end_tm"]) == (0, 0, 2, 0)
    assert abs(task["start_tm"] - sim.clock()) < 5  # epoch seconds
    sim.advance_clock(5.5)
    task = rpc.one("get", f"/task/task/{task_id}")[1]
    assert 50 <= task["percent"] < 100 and task["num_done"] == 1 and task["state"] == 1
    sim.advance_clock(5)
    task = rpc.one("get", f"/task/task/{task_id}")[1]
    assert (task["percent"], task["num_done"], task["num_err"], task["state"]) == (100, 2, 0, 4)
    assert task["end_tm"] >= task["start_tm"]
    assert [line["state"] for line in task["line"]] == [4, 4]
    assert rpc.one("get", f"/task/task/{task_id}/line")[1][0]["name"] == "FGT-01"


@pytest.mark.sim(task_duration=0.0)
def test_unknown_device_makes_the_task_end_in_error_at_100_percent(rpc: Rpc) -> None:
    task = rpc.one("get", f"/task/task/{install(rpc, 'FGT-01', 'ghost')}")[1]
    assert (task["percent"], task["num_done"], task["num_err"], task["state"]) == (100, 1, 1, 5)
    assert task["line"][1]["err"] == 1 and "ghost" in task["line"][1]["detail"]


def test_install_rejects_unknown_package_and_bad_data(rpc: Rpc) -> None:
    assert rpc.one("exec", INSTALL, data={"adom": "root", "pkg": "nope", "scope": [{"name": "FGT-01"}]})[0] == -3
    assert rpc.one("exec", INSTALL, data={"pkg": "default"})[0] == -10
    assert rpc.one("exec", INSTALL, data={"adom": "root", "pkg": "default"})[0] == -10  # no scope at all


def test_delete_and_list_tasks(rpc: Rpc) -> None:
    task_id = install(rpc, "FGT-01")
    assert [t["id"] for t in rpc.one("get", "/task/task")[1]] == [task_id]
    assert rpc.send("delete", {"url": f"/task/task/{task_id}"})["result"][0] == {
        "status": {"code": 0, "message": "OK"},
        "url": f"/task/task/{task_id}",
    }
    assert rpc.one("get", f"/task/task/{task_id}")[0] == -3
    assert rpc.one("delete", f"/task/task/{task_id}")[0] == -3


@pytest.mark.sim(task_duration=0.0)
def test_create_task_runs_params_in_a_task(rpc: Rpc, sim: FMGSimulator) -> None:
    reply = rpc.send(
        "add",
        {"url": ADDRESSES, "data": {"name": "t1"}},
        {"url": ADDRESSES, "data": {"name": "all"}},
        **{"create task": {"adom": "root"}},
    )
    (result,) = reply["result"]
    assert "url" not in result and result["status"]["code"] == 0
    task = rpc.one("get", f"/task/task/{result['data']['task']}")[1]
    assert (task["num_lines"], task["num_err"], task["state"]) == (2, 1, 5)
    assert sim.objects(f"{ADDRESSES}/t1")["name"] == "t1"


def test_add_device_with_and_without_task(rpc: Rpc, sim: FMGSimulator) -> None:
    device = {"name": "FGT-NEW", "ip": "192.0.2.10", "adm_usr": "admin", "adm_pass": "x"}
    code, data = rpc.one(
        "exec", "dvm/cmd/add/device", data={"adom": "root", "device": device, "flags": ["create_task"]}
    )
    assert code == 0 and isinstance(data["taskid"], int)
    assert sim.objects("dvmdb/adom/root/device/FGT-NEW")["ip"] == "192.0.2.10"
    code, data = rpc.one("exec", "dvm/cmd/add/device", data={"adom": "root", "device": {**device, "name": "FGT-2ND"}})
    assert code == 0 and data["device"]["name"] == "FGT-2ND" and "adm_pass" not in data["device"]
    assert rpc.one("exec", "dvm/cmd/add/device", data={"adom": "root", "device": device})[0] == -2
    assert rpc.one("exec", "dvm/cmd/del/device", data={"adom": "root", "device": "FGT-NEW"})[0] == 0
    assert rpc.one("get", "dvmdb/adom/root/device/FGT-NEW")[0] == -3
