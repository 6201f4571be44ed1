"""pyfmg.converge with the real client against the simulator: FortiManager's normalised forms."""

from __future__ import annotations

import pytest

from pyfmg import FortiManager
from pyfmg.converge import FMGObjectStatusError, apply_object_change, converge_object, plan_object
from pyfmg.testing import FMGSimulator

ADDR = "pm/config/adom/root/obj/firewall/address"
GROUP = "pm/config/adom/root/obj/firewall/addrgrp"
POLICY = "pm/config/adom/root/pkg/default/firewall/policy"


def sent_methods(sim: FMGSimulator) -> list[tuple[str, str]]:
    return [
        (r.json["method"], r.json["params"][0].get("url", ""))
        for r in sim.requests
        if isinstance(r.json, dict) and r.json.get("params")
    ]


@pytest.mark.fmg_simulator(workspace_mode="normal")
def test_converge_round_trip_in_workspace_mode(fmg_simulator: FMGSimulator) -> None:
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False, verbose=True) as fmg:
        wanted = {"subnet": "10.0.0.0 255.255.255.0", "comment": "lan"}
        plan = plan_object(fmg, ADDR, "lan", wanted)
        assert plan.action == "create"
        with fmg.workspace("root"):
            apply_object_change(fmg, plan)
        assert fmg_simulator.objects(f"{ADDR}/lan")["subnet"] == ["10.0.0.0", "255.255.255.0"]

        # FortiManager answers [ip, mask]; "/24" and the space form are the same value.
        fmg_simulator.clear_requests()
        for spelling in ("10.0.0.0/24", "10.0.0.0 255.255.255.0", ["10.0.0.0", "255.255.255.0"]):
            assert converge_object(fmg, ADDR, "lan", {"subnet": spelling}).action == "none"
        assert {method for method, _ in sent_methods(fmg_simulator)} == {"get"}

        # Member lists: a single name, another order, and verbose enum names all match.
        with fmg.workspace("root"):
            converge_object(fmg, ADDR, "dmz", {"subnet": "10.0.1.0/24"})
            converge_object(fmg, GROUP, "nets", {"member": ["lan", "dmz"]})
            converge_object(
                fmg,
                POLICY,
                5,
                {
                    "srcintf": "any",
                    "dstintf": "any",
                    "srcaddr": "lan",
                    "dstaddr": ["dmz"],
                    "service": ["HTTPS", "HTTP"],
                    "schedule": "always",
                    "action": "accept",
                },
                key="policyid",
            )
        assert converge_object(fmg, GROUP, "nets", {"member": ["dmz", "lan"]}).action == "none"
        policy = plan_object(
            fmg,
            POLICY,
            5,
            {"srcaddr": ["lan"], "service": ["HTTP", "HTTPS"], "action": "accept", "schedule": ["always"]},
            key="policyid",
        )
        assert policy.action == "none", policy.changed_attributes

        # Check mode: the plan says what would change; nothing is written, nothing locked.
        fmg_simulator.clear_requests()
        plan = converge_object(fmg, GROUP, "nets", {"member": ["lan"]}, check_mode=True)
        assert (plan.action, plan.changed_attributes) == ("update", ["member"])
        assert plan.before["member"] == ["lan", "dmz"] and plan.after["member"] == ["lan"]
        gone = converge_object(fmg, ADDR, "dmz", state="absent", check_mode=True)
        assert gone.action == "delete"
        assert {method for method, _ in sent_methods(fmg_simulator)} == {"get"}
        assert fmg_simulator.locks == {}

        # Update sends only what differs; delete removes the row.
        with fmg.workspace("root"):
            converge_object(fmg, ADDR, "lan", {"subnet": "10.0.0.0/24", "comment": "office"})
            converge_object(fmg, GROUP, "nets", state="absent")
        updates = [r.json for r in fmg_simulator.requests if isinstance(r.json, dict) and r.json["method"] == "update"]
        assert [u["params"][0]["data"] for u in updates] == [{"comment": "office"}]
        with pytest.raises(LookupError):
            fmg_simulator.objects(f"{GROUP}/nets")


def test_refusals_keep_fortimanagers_code(fmg_simulator: FMGSimulator) -> None:
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False, verbose=True) as fmg:
        with pytest.raises(FMGObjectStatusError) as bad_url:
            plan_object(fmg, "pm/config/adom/root/obj/firewall/nothing", "x", {})
        assert bad_url.value.code == -6
        with pytest.raises(FMGObjectStatusError) as bad_data:
            converge_object(fmg, ADDR, "broken", {"subnet": "not-a-subnet"})
        assert (bad_data.value.code, bad_data.value.method) == (-10, "add")


def test_enum_numbers_match_names_on_a_verbose_and_a_plain_client(fmg_simulator: FMGSimulator) -> None:
    wanted = {
        "srcintf": "any",
        "dstintf": "any",
        "srcaddr": "all",
        "dstaddr": "all",
        "service": "ALL",
        "schedule": "always",
        "action": 1,
        "logtraffic": "all",
    }
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False, verbose=True) as fmg:
        assert converge_object(fmg, POLICY, 7, wanted, key="policyid").action == "create"
        assert converge_object(fmg, POLICY, 7, wanted, key="policyid").action == "none"
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False) as plain:
        # Without verbose FortiManager answers numbers; names still match them.
        assert (
            converge_object(plain, POLICY, 7, {"action": "accept", "logtraffic": "all"}, key="policyid").action
            == "none"
        )
        assert converge_object(plain, POLICY, 7, {"action": "deny"}, key="policyid", check_mode=True).action == "update"
