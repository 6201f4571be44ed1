"""The examples of docs/simulator.rst, kept runnable."""

from __future__ import annotations

import pytest

from pyfmg import FortiManager
from pyfmg.testing import FMGSimulator


def test_from_python() -> None:
    with FMGSimulator(workspace_mode="normal", task_duration=0.5) as sim:
        with FortiManager(sim.host, "admin", "password", use_ssl=sim.tls) as fmg, fmg.workspace("root"):
            fmg.add("pm/config/adom/root/obj/firewall/address", name="h1", subnet="10.0.0.1/32")
        assert sim.objects("pm/config/adom/root/obj/firewall/address/h1")["subnet"] == ["10.0.0.1", "255.255.255.255"]


def test_address_is_created(fmg: FortiManager, fmg_simulator: FMGSimulator) -> None:
    assert fmg.add("pm/config/adom/root/obj/firewall/address", name="web01", subnet="10.0.0.10/32") == (
        0,
        {"name": "web01"},
    )
    assert fmg_simulator.objects("pm/config/adom/root/obj/firewall/address/web01")


@pytest.mark.fmg_simulator(workspace_mode="normal", task_duration=0.2)
def test_install_is_followed(fmg: FortiManager, fmg_simulator: FMGSimulator) -> None:
    with fmg.workspace("root"):
        fmg.add("pm/config/adom/root/obj/firewall/address", name="web01")
    code, reply = fmg.execute(
        "securityconsole/install/package", adom="root", pkg="default", scope=[{"name": "FGT-01", "vdom": "root"}]
    )
    assert code == 0
    _, task = fmg.track_task(reply["task"], sleep_time=0.05)
    assert task["num_err"] == 0


@pytest.mark.fmg_simulator(workspace_mode="normal")
def test_a_busy_adom(fmg: FortiManager, fmg_simulator: FMGSimulator) -> None:
    other = FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False)
    with other:
        other.lock_adom("root")
        assert fmg.lock_adom("root")[0] == -20055


def test_a_bad_gateway_is_reported(fmg: FortiManager, fmg_simulator: FMGSimulator) -> None:
    fmg_simulator.inject("http_502_html", url="sys/status")
    code, _ = fmg.get("sys/status")
    assert code != 0
    assert fmg.get("sys/status")[0] == 0


def test_recorded_requests(fmg: FortiManager, fmg_simulator: FMGSimulator) -> None:
    fmg_simulator.clear_requests()
    fmg.get("sys/status")
    (request,) = fmg_simulator.requests
    assert request.json["method"] == "get"
    assert request.json["params"] == [{"url": "sys/status"}]


def test_a_slow_fortimanager_and_counted_requests() -> None:
    slow = FMGSimulator(latency=0.02, server_time=0.05, server_time_per_param=0.001)
    assert (slow.latency, slow.server_time, slow.server_time_per_param, slow.server_queue) == (
        0.02,
        0.05,
        0.001,
        "global",
    )
    with FMGSimulator(request_history=0) as counted:
        with FortiManager(counted.host, "admin", "password", use_ssl=counted.tls) as client:
            client.get("pm/config/adom/root/obj/firewall/address", fields=["name"])
        counts = counted.request_counts
    assert counts.requests == 4  # login, the workspace-mode check of the login, the get, logout
    assert counts.by_method["get"].requests == 2 and counts.by_method["exec"].requests == 2
