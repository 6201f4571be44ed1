"""A test suite written against a live FortiManager, replayed call for call on the simulator with pyFMG 0.8.6.3.

The calls and the assertions are those of two public suites that ran against a real unit with
pyFMG as their client (docs/simulator.rst, "Tested against a live suite"):

- the FortiSOAR "FortiManager JSON RPC" connector's tests (``tests/sequential/
  test_sequential_fortimanager_rpc.py``): each test once with a user and password, once with an
  API key, with workspace mode on and off;
- the same connector's lock probes (``device_lifecycle_lock_probe.py``, ``lock_matrix_probe.py``),
  which add and delete model devices, create and run CLI scripts with and without the ADOM lock,
  and judge each operation on its finished task.

The connector's own wrapper code is not ours to copy: each call below is what that wrapper sends
through pyFMG, and each assertion is the suite's. Task timing comes from the simulator's clock
(``advance_clock``), never from sleeping.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from pyfmg import FortiManager
from pyfmg.testing import FMGSimulator
from tests.compat import reference

API_KEY = "pytest-api-0123456789abcdefghij"
DEVICE = "FGT-01"  # LIVE_FGT_DEVICE_NAME: a device the package is assigned to
PACKAGE = "default"  # FGT_ASSIGNED_POL_PKG
ADDRESS_URL = "/pm/config/adom/root/obj/firewall/address/"
ADDRESS = {"name": "host-172-23-200-121", "subnet": ["172.23.200.121", "255.255.255.255"], "type": "ipmask"}
MODEL_DEVICE = {
    "mr": 4, "sn": "FGT60F0123456789", "name": "", "patch": 0, "os_ver": 6, "os_type": "fos",
    "mgmt_mode": "fmg", "meta fields": {"Contact Email": "admin@test.com"}, "device action": "add_model",
}  # fmt: skip
PREVIEW_INSTALL = {"adom": "root", "pkg": PACKAGE, "flags": ["preview"], "scope": [{"name": DEVICE, "vdom": "root"}]}


@pytest.fixture(scope="module")
def pyfmg_ref() -> ModuleType:
    try:
        return reference.load()
    except Exception as err:  # a missing reference must never pass unnoticed
        pytest.fail(f"pyFMG {reference.VERSION} is unavailable: {err}", pytrace=False)


@pytest.fixture(params=["normal", "disabled"])
def live(request: pytest.FixtureRequest) -> Iterator[FMGSimulator]:
    """The "live" FortiManager: workspace mode on, then off, as the suite's runner does."""
    with FMGSimulator(workspace_mode=request.param, api_keys={API_KEY: "pytest_api"}, task_duration=4.0) as sim:
        # The suite's README: "Assign a policy package to the device".
        with FortiManager(sim.host, "admin", "password", use_ssl=False) as admin, admin.workspace("root"):
            scope = [{"name": DEVICE, "vdom": "root"}]
            assert admin.update(f"pm/pkg/adom/root/{PACKAGE}", data={"scope member": scope})[0] == 0
        yield sim


@pytest.fixture(params=["Username/Password", "API Key"])
def fmg(request: pytest.FixtureRequest, live: FMGSimulator, pyfmg_ref: ModuleType) -> Iterator[Any]:
    if request.param == "API Key":
        client = pyfmg_ref.FortiManager(live.host, apikey=API_KEY, use_ssl=False, disable_request_warnings=True)
    else:
        client = pyfmg_ref.FortiManager(live.host, "admin", "password", use_ssl=False, disable_request_warnings=True)
    with client:
        yield client


class Locked:
    """The connector's habit: with workspace mode on, lock the ADOM, act, commit, unlock."""

    def __init__(self, fmg: Any) -> None:
        self.fmg = fmg
        self.workspace = fmg._lock_ctx.uses_workspace

    def __enter__(self) -> Locked:
        if self.workspace:
            assert self.fmg.lock_adom("root")[0] == 0
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.workspace:
            self.fmg.commit_changes("root")
            self.fmg.unlock_adom("root")


def finish(live: FMGSimulator, fmg: Any, task_id: Any, **options: Any) -> tuple[int, Any]:
    """pyFMG's track_task, with the simulator's clock moved on instead of waiting."""
    live.advance_clock(5)
    return fmg.track_task(task_id, sleep_time=0.05, **options)  # type: ignore[no-any-return]


# --- the connector's sequential tests ------------------------------------------------------------------


def test_rpc_get(fmg: Any) -> None:
    code, response = fmg.get("/dvmdb/device")
    assert code == 0 and isinstance(response, list)


def test_rpc_get_invalid_url(fmg: Any) -> None:
    code, response = fmg.get("/dvmdb/devices", data="")
    assert code == -3, "Expected status -3 for invalid URL"
    assert response["status"]["message"] == "Object does not exist"


def test_rpc_add_set_get_delete(fmg: Any) -> None:
    url = ADDRESS_URL + ADDRESS["name"]
    with Locked(fmg):
        code, response = fmg.add(ADDRESS_URL, data=[ADDRESS])
        assert code == 0 and response.get("name") == "host-172-23-200-121"
        assert fmg.set(url, data={"subnet": ["172.23.200.122", "255.255.255.255"]})[0] == 0
        assert fmg.get(url)[1]["subnet"][0] == "172.23.200.122"
        code, response = fmg.delete(url)
        assert code == 0 and response["url"] == "/pm/config/adom/root/obj/firewall/address/host-172-23-200-121"


def test_rpc_execute_adds_and_deletes_a_model_device(fmg: Any, live: FMGSimulator) -> None:
    with Locked(fmg):
        code, response = fmg.execute(
            "/dvm/cmd/add/device", adom="root", flags=["create_task", "nonblocking"], device=dict(MODEL_DEVICE)
        )
        assert code == 0
        code, task = finish(live, fmg, response["taskid"])
        assert code == 0 and task.get("percent") == 100, "Expected percent 100 in task response"
    with Locked(fmg):
        code, response = fmg.execute(
            "/dvm/cmd/del/device", adom="root", flags=["create_task", "nonblocking"], device="FGT60F0123456789"
        )
        assert code == 0
        code, task = finish(live, fmg, response["taskid"])
        assert code == 0 and task.get("percent") == 100


def test_rpc_freeform(fmg: Any) -> None:
    names = ["host-172-23-200-121", "host-172-23-200-122", "host-172-23-200-123"]
    adds = [
        {"url": ADDRESS_URL, "data": [{"name": n, "subnet": [n[5:].replace("-", "."), "255.255.255.255"]}]}
        for n in names
    ]
    with Locked(fmg):
        code, results = fmg.free_form("add", data=adds)
        assert code == 200 and len(results) == len(names)
        assert all(r["status"]["code"] == 0 for r in results)
        code, results = fmg.free_form("delete", data=[{"url": ADDRESS_URL + n} for n in names])
        assert code == 200 and len(results) == len(names)


def test_track_task_parameters(fmg: Any, live: FMGSimulator) -> None:
    code, response = fmg.execute("/securityconsole/install/package", data=dict(PREVIEW_INSTALL))
    assert code == 0 and "task" in response
    code, task = finish(live, fmg, response["task"], timeout=300)
    assert code == 0 and task.get("percent") == 100


def test_task_timeout_deletes_the_task(fmg: Any, live: FMGSimulator) -> None:
    # The unit's clock runs a minute behind this machine's: to pyFMG the task looks a minute old at
    # once, while on the unit it has only just started.
    live.advance_clock(-60)
    code, response = fmg.execute("/securityconsole/install/package", data=dict(PREVIEW_INSTALL))
    task_id = response["task"]
    code, result = fmg.track_task(task_id, sleep_time=0.05, timeout=1, delete_task_on_timeout=True)
    assert code == 1
    assert result["msg"] == (
        f"Task {task_id} did not complete in efficient time and timed out. The timeout value was 1. "
        "The task will be deleted."
    )
    assert fmg.get(f"/task/task/{task_id}")[0] == -3, "Task should have been deleted"


def test_task_kept_when_deletion_is_off(fmg: Any, live: FMGSimulator) -> None:
    live.advance_clock(-60)
    task_id = fmg.execute("/securityconsole/install/package", data=dict(PREVIEW_INSTALL))[1]["task"]
    code, result = fmg.track_task(task_id, sleep_time=0.05, timeout=1, delete_task_on_timeout=False)
    assert code == 1 and result["msg"].endswith("The timeout value was 1.")
    assert fmg.get(f"/task/task/{task_id}")[0] == 0, "Task should still exist"


def test_zero_percent_timeout(fmg: Any, live: FMGSimulator) -> None:
    live.advance_clock(-60)
    task_id = fmg.execute("/securityconsole/install/package", data=dict(PREVIEW_INSTALL))[1]["task"]
    code, result = fmg.track_task(
        task_id, sleep_time=0.05, timeout=300, timeout_only=False, zero_percent_timeout=2, delete_task_on_timeout=True
    )
    assert code == 1 and "did not progress past zero percent" in result["msg"]
    assert fmg.get(f"/task/task/{task_id}")[0] == -3


def test_stale_task_timeout(fmg: Any, live: FMGSimulator) -> None:
    live.advance_clock(-10)  # ten seconds behind: the task looks ten seconds old to pyFMG
    task_id = fmg.execute("/securityconsole/install/package", data=dict(PREVIEW_INSTALL))[1]["task"]
    live.advance_clock(1)  # a quarter done on the unit; polls 0.05 s apart see the same 10 % step
    code, result = fmg.track_task(
        task_id,
        sleep_time=0.05,
        timeout=30,
        timeout_only=False,
        zero_percent_timeout=10,
        task_stale_timeout=2,
        delete_task_on_timeout=True,
    )
    assert code == 1 and 0 < result["percent"] < 100
    assert result["msg"] == (
        f"Task {task_id} did not progress in the desired time. The task_stale_timeout value was 2. "
        "The task will be deleted."
    )
    assert fmg.get(f"/task/task/{task_id}")[0] == -3, "Task should have been deleted"


def test_special_case_install_preview(fmg: Any, live: FMGSimulator) -> None:
    scope = [{"name": DEVICE, "vdom": "root"}]
    code, response = fmg.execute("/securityconsole/install/preview", data={"adom": "root", "scope": scope})
    assert code == 0
    code, task = finish(live, fmg, response["task"], timeout=120)
    assert code == 0 and task["percent"] == 100
    code, preview = fmg.execute("/securityconsole/preview/result", data={"adom": "root", "device": DEVICE})
    assert code == 0 and "message" in preview


# --- the lock probes -----------------------------------------------------------------------------------

TARGET_ADOM_DATABASE = 2
SCRIPTED = 'config firewall address\nedit "zz_lockprobe_scripted"\nset subnet 10.255.255.253 255.255.255.255\nnext\nend'


def resolve_task(fmg: Any, live: FMGSimulator, response: Any) -> tuple[bool | None, str]:
    """The probes' verdict on an exec: ok only if its task ends without errors."""
    task_id = response.get("task") or response.get("taskid") if isinstance(response, dict) else None
    if not task_id:
        return None, ""
    live.advance_clock(5)
    status, task = fmg.get(f"/task/task/{task_id}")
    assert status == 0 and (task["percent"] == 100 or task["state"] in (4, 5))
    return task["state"] != 5 and not task["num_err"], f"state={task['state']} num_err={task['num_err']}"


def test_probe_reads_the_version_and_picks_the_script_endpoint(fmg: Any) -> None:
    status, sysinfo = fmg.get("/sys/status")
    match = re.search(r"v?(\d+)\.(\d+)\.(\d+)", sysinfo.get("Version", ""))
    assert status == 0 and match is not None
    assert tuple(int(part) for part in match.groups()) < (7, 6, 5)  # scripts under /dvmdb/adom/<adom>/script


@pytest.mark.parametrize("live", ["normal"], indirect=True)
def test_probe_address_write_needs_the_lock(fmg: Any) -> None:
    assert fmg._lock_ctx.uses_workspace
    data = {"name": "zz_lockprobe_addr", "subnet": ["10.255.255.254", "255.255.255.255"], "type": "ipmask"}
    assert fmg.add("/pm/config/adom/root/obj/firewall/address", data=data)[0] in {-10147, -11, -3}  # no lock
    assert fmg.execute("/dvmdb/adom/root/workspace/lock")[0] == 0
    assert fmg.add("/pm/config/adom/root/obj/firewall/address", data=data)[0] == 0
    fmg.execute("/dvmdb/adom/root/workspace/commit")
    fmg.execute("/dvmdb/adom/root/workspace/unlock")


@pytest.mark.parametrize("live", ["normal"], indirect=True)
def test_probe_script_on_the_database_is_accepted_without_the_lock_but_fails_in_its_task(
    fmg: Any, live: FMGSimulator
) -> None:
    script = {"name": "zz_lockprobe_script", "type": 1, "target": TARGET_ADOM_DATABASE, "content": SCRIPTED}
    assert fmg.execute("/dvmdb/adom/root/workspace/lock")[0] == 0
    assert fmg.add("/dvmdb/adom/root/script", data=script)[0] == 0
    fmg.execute("/dvmdb/adom/root/workspace/commit")
    fmg.execute("/dvmdb/adom/root/workspace/unlock")
    run = {"data": {"adom": "root", "package": PACKAGE, "script": "zz_lockprobe_script"}}
    status, response = fmg.execute("/dvmdb/adom/root/script/execute", **run)
    assert status == 0  # "running a CLI script without the workspace lock returns status 0 with a task id"
    assert resolve_task(fmg, live, response)[0] is False  # "... and only the finished task reports num_err=1"
    assert fmg.execute("/dvmdb/adom/root/workspace/lock")[0] == 0
    status, response = fmg.execute("/dvmdb/adom/root/script/execute", **run)
    assert status == 0 and resolve_task(fmg, live, response)[0] is True
    assert fmg.get("/pm/config/adom/root/obj/firewall/address/zz_lockprobe_scripted")[0] == 0
    fmg.execute("/dvmdb/adom/root/workspace/commit")
    fmg.execute("/dvmdb/adom/root/workspace/unlock")


@pytest.mark.parametrize("live", ["normal"], indirect=True)
def test_probe_device_lifecycle(fmg: Any, live: FMGSimulator) -> None:
    def model_device(index: int) -> dict[str, Any]:
        return {
            "name": f"zz_addprobe_{index}", "sn": f"FGVMEV000009800{index}", "mgmt_mode": 3,
            "device action": "add_model", "os_type": 0, "os_ver": 7, "mr": 6, "platform_str": "FortiGate-VM64",
        }  # fmt: skip

    def names() -> set[str]:
        status, response = fmg.get("/dvmdb/adom/root/device")
        return {entry.get("name") for entry in response} if status == 0 else set()

    assert fmg.execute("/dvmdb/adom/root/workspace/lock")[0] == 0
    data = {"adom": "root", "device": model_device(1), "flags": ["create_task", "nonblocking"]}
    status, response = fmg.execute("/dvm/cmd/add/device", data=data)
    assert status == 0 and resolve_task(fmg, live, response)[0] is True
    many = {"adom": "root", "add-dev-list": [model_device(2), model_device(3)], "flags": ["create_task", "nonblocking"]}
    status, response = fmg.execute("/dvm/cmd/add/dev-list", data=many)
    assert status == 0 and resolve_task(fmg, live, response)[0] is True
    assert {"zz_addprobe_1", "zz_addprobe_2", "zz_addprobe_3"} <= names()
    status, response = fmg.execute("/dvm/cmd/del/device", data={"adom": "root", "device": "zz_addprobe_1"})
    assert status == 0 and resolve_task(fmg, live, response) == (None, "")  # "returns 0 with no task at all"
    fmg.execute("/dvmdb/adom/root/workspace/commit")
    fmg.execute("/dvmdb/adom/root/workspace/unlock")
    assert "zz_addprobe_1" not in names()
