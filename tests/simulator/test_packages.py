from __future__ import annotations

from pyfmg.testing import FMGSimulator

from .conftest import Rpc

PKG = "pm/pkg/adom/root"


def test_default_package_exists(rpc: Rpc) -> None:
    code, data = rpc.one("get", PKG)
    assert code == 0
    assert [(p["name"], p["type"]) for p in data] == [("default", "pkg")]
    assert "scope member" in data[0] and isinstance(data[0]["oid"], int)


def test_folders_nested_packages_and_their_policies(rpc: Rpc, sim: FMGSimulator) -> None:
    assert rpc.one("add", PKG, data={"name": "branches", "type": "folder"}) == (0, {"name": "branches"})
    assert rpc.one("add", f"{PKG}/branches", data={"name": "paris", "type": "pkg"}) == (0, {"name": "paris"})
    assert rpc.one("add", f"{PKG}/branches", data={"name": "paris", "type": "pkg"})[0] == -2
    folder = rpc.one("get", f"{PKG}/branches")[1]
    assert [child["name"] for child in folder["subobj"]] == ["paris"]
    policies = "pm/config/adom/root/pkg/branches/paris/firewall/policy"
    assert rpc.one("add", policies, data={"name": "allow", "action": "accept"}) == (0, {"policyid": 1})
    assert sim.objects(policies)[0]["name"] == "allow"
    assert rpc.one("get", "pm/config/adom/root/pkg/branches/nowhere/firewall/policy")[0] == -6
    scope = [{"name": "FGT-01", "vdom": "root"}]
    assert rpc.one("update", f"{PKG}/branches/paris", data={"scope member": scope})[0] == 0
    assert rpc.one("get", f"{PKG}/branches/paris")[1]["scope member"] == scope
    assert rpc.one("clone", f"{PKG}/branches/paris", data={"name": "lyon"}) == (0, {"name": "lyon"})
    assert sim.objects("pm/config/adom/root/pkg/branches/lyon/firewall/policy")[0]["name"] == "allow"
    assert rpc.one("delete", f"{PKG}/branches/paris")[0] == 0
    assert rpc.one("get", f"{PKG}/branches/paris")[0] == -3
    assert rpc.one("delete", f"{PKG}/branches/paris")[0] == -3
