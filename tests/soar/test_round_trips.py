"""Requests the IP containment actions send, counted in the simulator's request log, against each
action's round-trip floor (docs/soar.rst has the table). Counts, never times."""

from __future__ import annotations

import json

from pyfmg.soar import run
from pyfmg.testing import FMGSimulator

from .conftest import WEBFILTER, config_for, rpc_calls, seed, seed_webfilter

ADDRESS = "pm/config/adom/root/obj/firewall/address"
GROUP = "pm/config/adom/root/obj/firewall/addrgrp/soar-blocklist"
LOGIN = [("exec", "sys/login/user"), ("get", "cli/global/system/global")]
LOGOUT = [("exec", "sys/logout")]
LOCK, COMMIT, UNLOCK = (("exec", f"dvmdb/adom/root/workspace/{step}") for step in ("lock", "commit", "unlock"))


def ips(count: int) -> list[str]:
    return [f"203.0.113.{host}" for host in range(1, count + 1)]


def block(sim: FMGSimulator, addresses: list[str], **params: str) -> dict:
    sim.clear_requests()
    return run("block_ip", config_for(sim), {"ip_addresses": addresses, "address_group": "soar-blocklist", **params})


def unblock(sim: FMGSimulator, addresses: list[str], **params: str) -> dict:
    sim.clear_requests()
    return run("unblock_ip", config_for(sim), {"ip_addresses": addresses, "address_group": "soar-blocklist", **params})


def params_sent(sim: FMGSimulator, method: str, url: str) -> list[int]:
    """How many params each request of ``method`` to ``url`` carried."""
    return [
        len(request.json["params"])
        for request in sim.requests
        if request.json and request.json["method"] == method and request.json["params"][0]["url"].strip("/") == url
    ]


def test_blocking_one_and_fifty_new_addresses_costs_the_same_eleven_requests(ws_sim: FMGSimulator) -> None:
    # Floor 9: login, mode, one read of group and objects, lock, add, member add, commit, unlock, logout.
    # We send 11: the group and the objects are two reads, and inside the lock the planner reads the
    # objects it creates again (one made meanwhile by another session is not made twice).
    def expected(read: str) -> list[tuple[str, str]]:
        return [
            *LOGIN,
            ("get", GROUP),
            ("get", read),
            LOCK,
            ("get", read),
            ("add", ADDRESS),
            ("add", GROUP + "/member"),
            COMMIT,
            UNLOCK,
            *LOGOUT,
        ]

    one = block(ws_sim, ips(1))
    assert one["blocked"] == ["203.0.113.1"] and one["created"] == ["soar-block-203.0.113.1"]
    # One object is read as its row, more as the table filtered to their names.
    assert rpc_calls(ws_sim) == expected(f"{ADDRESS}/soar-block-203.0.113.1") and len(ws_sim.requests) == 11

    fifty = block(ws_sim, ips(51)[1:])
    assert fifty["blocked"] == ips(51)[1:] and len(fifty["created"]) == 50 and fifty["failed"] == []
    assert rpc_calls(ws_sim) == expected(ADDRESS) and len(ws_sim.requests) == 11
    assert params_sent(ws_sim, "add", ADDRESS) == [50]
    assert fifty["lock_scope"] == "root" and fifty["committed"] is True
    assert ws_sim.objects(GROUP)["member"] == ["placeholder", *(f"soar-block-{ip}" for ip in ips(51))]
    assert ws_sim.objects(f"{ADDRESS}/soar-block-203.0.113.51")["subnet"] == ["203.0.113.51", "255.255.255.255"]
    assert ws_sim.locks == {} and ws_sim.sessions == {}


def test_blocking_what_is_blocked_already_reads_twice_and_locks_nothing(ws_sim: FMGSimulator) -> None:
    block(ws_sim, ips(50))
    again = block(ws_sim, ips(50))
    # Floor 4: login, mode, one read, logout. We send 5 (group and objects are two reads).
    assert rpc_calls(ws_sim) == [*LOGIN, ("get", GROUP), ("get", ADDRESS), *LOGOUT]
    assert again["already_blocked"] == ips(50) and again["blocked"] == [] and again["created"] == []
    assert again["lock_scope"] == "" and again["committed"] is False


def test_unblocking_costs_eight_requests_and_deleting_the_objects_two_more(ws_sim: FMGSimulator) -> None:
    block(ws_sim, ips(50))
    kept = unblock(ws_sim, ips(25))
    # At the floor, 8: login, mode, group read, lock, member delete, commit, unlock, logout.
    assert rpc_calls(ws_sim) == [*LOGIN, ("get", GROUP), LOCK, ("delete", GROUP + "/member"), COMMIT, UNLOCK, *LOGOUT]
    assert kept["unblocked"] == ips(25) and kept["deleted"] == [] and kept["committed"] is True

    gone = unblock(ws_sim, ips(50), delete_address="true")
    # Floor 9 (one multi-param delete more); we send 10: the planner reads the objects before deleting them.
    assert rpc_calls(ws_sim) == [
        *LOGIN,
        ("get", GROUP),
        LOCK,
        ("delete", GROUP + "/member"),
        ("get", ADDRESS),
        ("delete", f"{ADDRESS}/soar-block-203.0.113.26"),
        COMMIT,
        UNLOCK,
        *LOGOUT,
    ]
    assert gone["unblocked"] == ips(50)[25:] and gone["not_blocked"] == ips(25)
    assert gone["deleted"] == [f"soar-block-{ip}" for ip in ips(50)[25:]] and gone["failed"] == []
    assert params_sent(ws_sim, "delete", f"{ADDRESS}/soar-block-203.0.113.26") == [25]
    assert ws_sim.objects(GROUP)["member"] == ["placeholder"]

    nothing = unblock(ws_sim, ips(50))
    # At the floor, 4: login, mode, group read, logout.
    assert rpc_calls(ws_sim) == [*LOGIN, ("get", GROUP), *LOGOUT]
    assert nothing["not_blocked"] == ips(50) and nothing["lock_scope"] == "" and nothing["committed"] is False
    assert ws_sim.locks == {} and ws_sim.sessions == {}


def test_without_workspace_mode_a_block_sends_no_lock_or_commit(plain_sim: FMGSimulator) -> None:
    seed(plain_sim)
    result = block(plain_sim, ips(3))
    assert [call for call in rpc_calls(plain_sim) if call[0] == "exec"] == [LOGIN[0], *LOGOUT]
    # login, mode, group read, objects read, the planner's read and add, member add, logout
    assert len(plain_sim.requests) == 8 and result["blocked"] == ips(3) and result["lock_scope"] == ""


def test_a_refused_create_fails_that_address_alone(ws_sim: FMGSimulator) -> None:
    block(ws_sim, ["203.0.113.1"])
    refusal = {"status": {"code": -10, "message": "The data is invalid for selected url"}, "url": ADDRESS}
    ws_sim.inject("raw", method="add", url=ADDRESS, body=json.dumps({"result": [refusal]}))
    result = block(ws_sim, ["203.0.113.1", "203.0.113.2", "203.0.113.1/32"])
    assert result["already_blocked"] == ["203.0.113.1", "203.0.113.1/32"] and result["blocked"] == []
    assert result["failed"] == [
        {
            "ip": "203.0.113.2",
            "reason": "creating soar-block-203.0.113.2 failed: code -10 (The data is invalid for selected url)",
        }
    ]
    assert ws_sim.objects(GROUP)["member"] == ["placeholder", "soar-block-203.0.113.1"]
    assert ws_sim.locks == {} and ws_sim.sessions == {}


def test_the_same_address_twice_is_blocked_once(ws_sim: FMGSimulator) -> None:
    result = block(ws_sim, ["203.0.113.9", "203.0.113.9/32"])
    assert result["blocked"] == ["203.0.113.9"] and result["already_blocked"] == ["203.0.113.9/32"]
    assert result["created"] == ["soar-block-203.0.113.9"]
    assert ws_sim.objects(GROUP)["member"] == ["placeholder", "soar-block-203.0.113.9"]


def test_url_actions_are_at_their_floor(ws_sim: FMGSimulator) -> None:
    list_id = seed_webfilter(ws_sim)
    profile, entries = f"{WEBFILTER}/profile/web", f"{WEBFILTER}/urlfilter/{list_id}"
    urls = [f"bad{number}.example" for number in range(50)]
    config = config_for(ws_sim)
    reads = [*LOGIN, ("get", profile), ("get", entries)]  # the list's id is in the profile: two reads

    blocked = run("block_url", config, {"urls": [*urls, "allowed.example"], "webfilter_profile": "web"})
    # Floor 10: login, mode, 2 reads, lock, 1 add of the 50, 1 update of the allowed one, commit, unlock, logout.
    assert rpc_calls(ws_sim) == [
        *reads,
        LOCK,
        ("add", f"{entries}/entries"),
        ("update", f"{entries}/entries/2"),
        COMMIT,
        UNLOCK,
        *LOGOUT,
    ]
    assert blocked["blocked"] == [*urls, "allowed.example"] and blocked["failed"] == []
    assert params_sent(ws_sim, "add", f"{entries}/entries") == [50]

    ws_sim.clear_requests()
    again = run("block_url", config, {"urls": urls, "webfilter_profile": "web"})
    assert rpc_calls(ws_sim) == [*reads, *LOGOUT]  # floor 5: nothing locked
    assert again["already_blocked"] == urls and again["lock_scope"] == "" and again["committed"] is False

    ws_sim.clear_requests()
    gone = run("unblock_url", config, {"urls": urls, "webfilter_profile": "web"})
    # Floor 9: login, mode, 2 reads, lock, 1 delete of the 50 entries, commit, unlock, logout.
    calls = rpc_calls(ws_sim)
    assert calls == [*reads, LOCK, ("delete", calls[5][1]), COMMIT, UNLOCK, *LOGOUT]
    assert calls[5][1].startswith(f"{entries}/entries/")
    assert len(ws_sim.requests) == 9 and params_sent(ws_sim, "delete", calls[5][1]) == [50]
    assert gone["unblocked"] == urls and gone["committed"] is True
    assert ws_sim.locks == {} and ws_sim.sessions == {}
