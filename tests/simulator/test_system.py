from __future__ import annotations

import pytest

from pyfmg.testing import FMGSimulator

from .conftest import Rpc

GLOBAL = "/cli/global/system/global"


def test_system_global_numbers_without_verbose_names_with(rpc: Rpc) -> None:
    code, data = rpc.one("get", GLOBAL, fields=["workspace-mode", "adom-status"])
    assert (code, data) == (0, {"workspace-mode": 0, "adom-status": 1})
    assert rpc.one("get", GLOBAL, fields=["workspace-mode", "adom-status"], verbose=1)[1] == {
        "workspace-mode": "disabled",
        "adom-status": "enable",
    }


@pytest.mark.parametrize(("mode", "number"), [("normal", 1), ("workflow", 2), ("per-adom", 3), ("disabled", 0)])
def test_set_workspace_mode(rpc: Rpc, sim: FMGSimulator, mode: str, number: int) -> None:
    sim.set_workspace_mode(mode)
    assert rpc.one("get", GLOBAL, fields=["workspace-mode"])[1] == {"workspace-mode": number}
    assert sim.workspace_mode == mode
    with pytest.raises(ValueError):
        sim.set_workspace_mode("sometimes")


def test_system_global_can_be_updated_over_the_api(rpc: Rpc, sim: FMGSimulator) -> None:
    assert rpc.one("update", GLOBAL, data={"workspace-mode": 1})[0] == 0
    assert sim.workspace_mode == "normal"
    assert rpc.one("update", GLOBAL, data={"workspace-mode": "bogus"})[0] == -10


@pytest.mark.sim(adom_status="disable")
def test_status(rpc: Rpc) -> None:
    for url in ("sys/status", "/cli/global/system/status"):
        code, data = rpc.one("get", url)
        assert code == 0
        assert data["Version"].startswith("v7.4.5-build")
        assert (data["Major"], data["Minor"], data["Patch"]) == (7, 4, 5)
        assert data["Admin Domain Configuration"] == "Disabled"
    assert rpc.one("get", GLOBAL, fields=["adom-status"])[1] == {"adom-status": 0}


@pytest.mark.sim(adoms=("root", "lab"), devices={"root": ["FGT-A"], "lab": ["FGT-B", "FGT-C"]})
def test_adoms_and_devices(rpc: Rpc) -> None:
    code, adoms = rpc.one("get", "dvmdb/adom", fields=["name", "os_ver"])
    assert code == 0
    assert [a["name"] for a in adoms] == ["root", "lab"]
    assert all(set(a) == {"name", "os_ver", "oid"} for a in adoms)
    assert adoms[0]["os_ver"] == 7
    assert rpc.one("get", "dvmdb/adom/lab", verbose=1)[1]["os_ver"] == "7.0"
    assert [d["name"] for d in rpc.one("get", "/dvmdb/adom/lab/device")[1]] == ["FGT-B", "FGT-C"]
    assert [d["name"] for d in rpc.one("get", "/dvmdb/device")[1]] == ["FGT-A", "FGT-B", "FGT-C"]
    device = rpc.one("get", "/dvmdb/adom/root/device/FGT-A")[1]
    assert {"name", "sn", "ip", "os_ver", "platform_str"} <= set(device)
    assert rpc.one("get", "/dvmdb/adom/nope/device")[0] == -6


def test_new_adom_gets_its_object_database(rpc: Rpc) -> None:
    assert rpc.one("add", "dvmdb/adom", data={"name": "NEW"}) == (0, {"name": "NEW"})
    assert rpc.one("get", "pm/config/adom/NEW/obj/firewall/address/all")[0] == 0
    assert rpc.one("delete", "dvmdb/adom/NEW")[0] == 0
    assert rpc.one("get", "pm/config/adom/NEW/obj/firewall/address")[0] == -6
