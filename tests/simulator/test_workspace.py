from __future__ import annotations

import pytest

from pyfmg.testing import FMGSimulator

from .conftest import ADDRESSES, POLICIES, Rpc

pytestmark = pytest.mark.sim(workspace_mode="normal")
LOCK = "/dvmdb/adom/root/workspace/lock/"
UNLOCK = "/dvmdb/adom/root/workspace/unlock/"
COMMIT = "/dvmdb/adom/root/workspace/commit/"
LOCKINFO = "/dvmdb/adom/root/workspace/lockinfo"


def test_write_without_lock_is_refused(rpc: Rpc) -> None:
    result = rpc.send("add", {"url": ADDRESSES, "data": {"name": "h1"}})["result"][0]
    assert result["status"] == {"code": -10147, "message": "no write permission"}
    assert rpc.one("get", ADDRESSES)[0] == 0  # reads need no lock


def test_lock_reply_has_no_data_and_lockinfo_names_holder(rpc: Rpc, other: Rpc, sim: FMGSimulator) -> None:
    assert rpc.one("get", LOCKINFO) == (0, None)  # free: no data at all
    result = rpc.send("exec", {"url": LOCK})["result"][0]
    assert result == {"status": {"code": 0, "message": "OK"}, "url": LOCK}
    assert sim.locks == {"root": rpc.token}
    code, info = other.one("get", LOCKINFO)
    assert code == 0
    assert info[0]["lock_user"] == "admin"
    assert info[0]["lock_sid"] == sim._sessions.resolve(rpc.token).sid
    assert abs(info[0]["lock_time"] - sim.clock()) < 5
    assert other.send("exec", {"url": LOCK})["result"][0]["status"] == {
        "code": -20055,
        "message": "Workspace is locked by other user",
    }
    assert other.one("add", ADDRESSES, data={"name": "x"})[0] == -20055
    assert other.one("exec", UNLOCK)[0] == -20055
    assert rpc.one("exec", LOCK)[0] == 0  # locking again is harmless


def test_commit_keeps_changes_unlock_without_commit_drops_them(rpc: Rpc, sim: FMGSimulator) -> None:
    rpc.one("exec", LOCK)
    rpc.one("add", ADDRESSES, data={"name": "kept"})
    assert rpc.one("get", "/dvmdb/adom/root/workspace/dirty")[1] == {"dirty": 1}
    result = rpc.send("exec", {"url": COMMIT})["result"][0]
    assert result["status"]["code"] == 0 and isinstance(result["taskid"], int)
    rpc.one("add", ADDRESSES, data={"name": "dropped"})
    assert rpc.one("exec", UNLOCK)[0] == 0
    names = [a["name"] for a in sim.objects(ADDRESSES)]
    assert "kept" in names and "dropped" not in names
    assert sim.locks == {}


def test_commit_without_lock(rpc: Rpc) -> None:
    assert rpc.one("exec", COMMIT)[0] == -10147


def test_logout_releases_locks_and_rolls_back(rpc: Rpc, sim: FMGSimulator) -> None:
    rpc.one("exec", LOCK)
    rpc.one("add", ADDRESSES, data={"name": "h1"})
    rpc.one("exec", "sys/logout")
    assert sim.locks == {}
    assert "h1" not in [a["name"] for a in sim.objects(ADDRESSES)]


def test_two_sessions_lock_two_packages_of_one_adom(rpc: Rpc, other: Rpc, sim: FMGSimulator) -> None:
    rpc.one("add", "pm/pkg/adom/root", data={"name": "second"})  # needs the ADOM lock
    rpc.one("exec", LOCK)
    rpc.one("add", "pm/pkg/adom/root", data={"name": "second"})
    rpc.one("exec", COMMIT)
    rpc.one("exec", UNLOCK)
    assert rpc.one("exec", "/dvmdb/adom/root/workspace/lock/pkg/default")[0] == 0
    assert other.one("exec", "/dvmdb/adom/root/workspace/lock/pkg/second")[0] == 0
    assert sim.locks == {"root/pkg/default": rpc.token, "root/pkg/second": other.token}
    # a package lock and an ADOM lock exclude each other in both directions
    assert other.one("exec", LOCK)[0] == -20055
    assert other.one("exec", "/dvmdb/adom/root/workspace/lock/pkg/default")[0] == -20055
    # each may write its own package only; objects need the ADOM lock
    assert rpc.one("add", POLICIES, data={"name": "mine"})[0] == 0
    assert other.one("add", POLICIES, data={"name": "theirs"})[0] == -20055
    assert other.one("add", "pm/config/adom/root/pkg/second/firewall/policy", data={"name": "x"})[0] == 0
    assert rpc.one("add", ADDRESSES, data={"name": "h"})[0] == -20055  # another session holds part of root
    _code, info = rpc.one("get", LOCKINFO)
    assert sorted(row["obj_url"] for row in info) == ["pkg/default", "pkg/second"]
    assert rpc.one("exec", "/dvmdb/adom/root/workspace/commit/pkg/default")[0] == 0
    assert rpc.one("exec", "/dvmdb/adom/root/workspace/unlock/pkg/default")[0] == 0
    assert sim.objects(POLICIES)[0]["name"] == "mine"
    assert other.one("exec", LOCK)[0] == 0  # its own package lock does not stand in its way


def test_adom_lock_blocks_package_lock_of_another_session(rpc: Rpc, other: Rpc) -> None:
    rpc.one("exec", LOCK)
    assert other.one("exec", "/dvmdb/adom/root/workspace/lock/pkg/default")[0] == -20055
    assert rpc.one("exec", "/dvmdb/adom/root/workspace/lock/pkg/nope")[0] == -3


def test_global_and_device_locks(rpc: Rpc, other: Rpc, sim: FMGSimulator) -> None:
    assert rpc.one("exec", "/dvmdb/global/workspace/lock/")[0] == 0
    assert other.one("exec", "/dvmdb/global/workspace/lock")[0] == -20055
    assert other.one("add", "pm/config/global/obj/firewall/address", data={"name": "g"})[0] == -20055
    assert rpc.one("add", "pm/config/global/obj/firewall/address", data={"name": "g"})[0] == 0
    assert other.one("exec", LOCK)[0] == 0  # global and root are separate scopes
    assert rpc.one("exec", "/dvmdb/global/workspace/commit")[0] == 0
    assert sim.locks == {"global": rpc.token, "root": other.token}
    other.one("exec", UNLOCK)
    assert rpc.one("exec", "/dvmdb/adom/root/workspace/lock/dev/FGT-01")[0] == 0
    assert sim.locks["root/dev/FGT-01"] == rpc.token
    assert other.one("exec", LOCK)[0] == -20055


def test_pyfmg_aux_commit_url(rpc: Rpc) -> None:
    rpc.one("exec", LOCK)
    assert rpc.one("exec", "/pm/config/adom/root/workspace/commit")[0] == 0


def test_workspace_calls_when_workspace_is_off(rpc: Rpc, sim: FMGSimulator) -> None:
    sim.set_workspace_mode("disabled")
    assert rpc.one("get", LOCKINFO)[0] == -9
    assert rpc.one("exec", LOCK)[0] == -9
    assert rpc.one("add", ADDRESSES, data={"name": "free"})[0] == 0
    assert rpc.one("exec", "/dvmdb/adom/nope/workspace/lock")[0] == -6


def test_per_adom_workspace_mode(rpc: Rpc, sim: FMGSimulator) -> None:
    sim.set_workspace_mode("per-adom")
    assert rpc.one("add", ADDRESSES, data={"name": "free"})[0] == 0
    assert rpc.one("update", "dvmdb/adom/root", data={"workspace_mode": 1})[0] == 0
    assert rpc.one("add", ADDRESSES, data={"name": "locked"})[0] == -10147


def test_other_sessions_read_the_committed_state(rpc: Rpc, other: Rpc, sim: FMGSimulator) -> None:
    rpc.one("exec", LOCK)
    rpc.one("add", ADDRESSES, data={"name": "draft"})
    assert rpc.one("get", f"{ADDRESSES}/draft")[0] == 0  # the holder sees its edit
    assert other.one("get", f"{ADDRESSES}/draft")[0] == -3  # nobody else does yet
    assert sim.objects(f"{ADDRESSES}/draft")["name"] == "draft"  # sim.objects shows the live state
    rpc.one("exec", COMMIT)
    assert other.one("get", f"{ADDRESSES}/draft")[0] == 0
    rpc.one("exec", UNLOCK)
    rpc.one("exec", "/dvmdb/adom/root/workspace/lock/pkg/default")
    rpc.one("add", POLICIES, data={"name": "pending"})
    assert other.one("get", POLICIES)[1] == []
    assert [p["name"] for p in rpc.one("get", POLICIES)[1]] == ["pending"]
    assert rpc.one("get", f"{ADDRESSES}/draft")[0] == 0
