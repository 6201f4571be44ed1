"""The lock book (``locked_scopes``) matches FortiManager after a fault.

A lock whose fate became unknown -- its unlock failed or was lost, or an exchange broke while it
was held (FortiManager restarted mid-job) -- is checked with ``lockinfo`` before a
``workspace()`` block relies on it: kept when it is still this session's, taken again when it is
gone, dropped with an ``FMGLockError`` naming the holder when someone else has it now.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

from pyfmg import FMGConnectionError, FMGLockError, FortiManager

from .conftest import ADDRESSES, API_KEY, PASSWORD, USERS

UNLOCK_URL = "dvmdb/adom/root/workspace/unlock*"


def sent(sim: Any, fragment: str) -> int:
    """JSON-RPC requests received whose first URL contains ``fragment``."""
    count = 0
    for request in sim.requests:
        body = request.json if isinstance(request.json, dict) else {}
        params = body.get("params") or [{}]
        if fragment in str(params[0].get("url", "")):
            count += 1
    return count


def test_after_a_restart_mid_job_the_next_block_locks_again(make_sim: Callable[..., Any]) -> None:
    """The issue's case: the server is killed inside a block and comes back without the lock."""
    sim = make_sim(workspace_mode="normal")
    fmg = FortiManager(sim.host, apikey=API_KEY, use_ssl=False, timeout=2)
    fmg.login()
    port = sim.port
    with pytest.raises(FMGConnectionError), fmg.workspace("root"):
        assert fmg.add(ADDRESSES, name="h1", subnet=["10.0.0.1", "255.255.255.255"])[0] == 0
        sim.stop()  # killed mid-job: this call and the block's unlock fail
        fmg.add(ADDRESSES, name="h2", subnet=["10.0.0.2", "255.255.255.255"])
    assert fmg.locked_scopes == ["root"]  # unknown: the unlock never arrived
    back = make_sim(workspace_mode="normal", port=port)  # restarted: no session state, no lock
    with fmg.workspace("root"):
        code, _ = fmg.add(ADDRESSES, name="h3", subnet=["10.0.0.3", "255.255.255.255"])
        assert code == 0  # before: no lock was sent, and FortiManager refused the write (-10147)
    assert sent(back, "workspace/lockinfo") == 1 and sent(back, "workspace/lock") >= 2
    assert back.locks == {} and fmg.locked_scopes == []
    names = [row["name"] for row in back.objects(ADDRESSES)]
    assert "h3" in names and "h1" not in names  # h1 went with the restart, uncommitted
    fmg.logout()


def test_an_unlock_whose_reply_was_lost_is_checked_and_taken_again(make_sim: Callable[..., Any]) -> None:
    sim = make_sim(workspace_mode="normal")
    fmg = FortiManager(sim.host, "admin", PASSWORD, use_ssl=False)
    fmg.login()
    fmg.lock_adom("root")
    sim.inject("lost_reply", method="exec", url=UNLOCK_URL)  # FortiManager unlocks; the reply never comes
    with pytest.raises(FMGConnectionError):
        fmg.unlock_adom("root")
    assert sim.locks == {} and fmg.locked_scopes == ["root"]
    with fmg.workspace("root"):
        assert list(sim.locks) == ["root"]
        assert fmg.add(ADDRESSES, name="h1", subnet=["10.0.0.1", "255.255.255.255"])[0] == 0
    assert list(sim.locks) == ["root"] and fmg.locked_scopes == ["root"]  # lock_adom's claim stands
    fmg.logout()
    assert sim.locks == {}


def test_a_lock_still_held_after_a_failed_unlock_is_kept_without_locking_again(make_sim: Callable[..., Any]) -> None:
    sim = make_sim(workspace_mode="normal")
    fmg = FortiManager(sim.host, "admin", PASSWORD, use_ssl=False)
    fmg.login()
    fmg.lock_adom("root")
    sim.inject("reset", method="exec", url=UNLOCK_URL)  # the connection breaks before the unlock is done
    with pytest.raises(FMGConnectionError):
        fmg.unlock_adom("root")
    assert list(sim.locks) == ["root"]
    locks_before = sent(sim, "workspace/lock/")
    with fmg.workspace("root"):
        assert fmg.add(ADDRESSES, name="h1", subnet=["10.0.0.1", "255.255.255.255"])[0] == 0
    assert sent(sim, "workspace/lockinfo") == 1 and sent(sim, "workspace/lock/") == locks_before
    fmg.logout()
    assert sim.locks == {}


def test_a_lock_lost_to_another_administrator_is_dropped_and_named(make_sim: Callable[..., Any]) -> None:
    sim = make_sim(workspace_mode="normal")
    fmg = FortiManager(sim.host, "admin", PASSWORD, use_ssl=False)
    fmg.login()
    fmg.lock_adom("root")
    sim.inject("lost_reply", method="exec", url=UNLOCK_URL)
    with pytest.raises(FMGConnectionError):
        fmg.unlock_adom("root")
    with FortiManager(sim.host, "other", USERS["other"], use_ssl=False) as other:
        assert other.lock_adom("root")[0] == 0
        with pytest.raises(FMGLockError, match="now locked by other") as raised, fmg.workspace("root"):
            pytest.fail("the block must not run on a lock it lost")
        assert raised.value.holder == "other"
        assert fmg.locked_scopes == []
    fmg.logout()


def test_a_lock_held_when_another_call_broke_is_checked_before_a_block_relies_on_it(
    make_sim: Callable[..., Any],
) -> None:
    sim = make_sim(workspace_mode="normal")
    fmg = FortiManager(sim.host, apikey=API_KEY, use_ssl=False)
    fmg.login()
    fmg.lock_adom("root")
    with fmg.workspace("root"):  # nothing broke: the book is trusted
        pass
    assert sent(sim, "workspace/lockinfo") == 0
    sim.inject("reset", method="get", url="sys/status")
    with pytest.raises(FMGConnectionError):
        fmg.get("sys/status")
    with fmg.workspace("root"):
        assert fmg.add(ADDRESSES, name="h1", subnet=["10.0.0.1", "255.255.255.255"])[0] == 0
    assert sent(sim, "workspace/lockinfo") == 1  # checked once; still this session's, so kept
    fmg.logout()
    assert sim.locks == {}
