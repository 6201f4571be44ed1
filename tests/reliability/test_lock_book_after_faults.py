"""The lock book (``locked_scopes``) matches FortiManager after a fault.

A lock whose fate became unknown -- its unlock failed or was lost, or an exchange broke while it
was held (FortiManager restarted mid-job) -- is checked with ``lockinfo`` before a
``workspace()`` block relies on it: kept when it is still this session's, taken again when it is
gone, dropped with an ``FMGLockError`` naming the holder when someone else has it now.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from pyfmg import FMGConnectionError, FMGLockError, FMGWorkspaceError, FortiManager

from .conftest import ADDRESSES, API_KEY, PASSWORD, USERS

UNLOCK_URL = "dvmdb/adom/root/workspace/unlock*"
DENIED = json.dumps({"result": [{"status": {"code": -11, "message": "No permission for the resource"}}]}).encode()


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


# --- a session lost without re-login: -11 and -10147 ------------------------------------------------------------


def expire_sessions(sim: Any) -> None:
    sim.advance_clock(10_000)
    assert sim.sessions == {}


def test_locks_die_with_an_expired_session(make_sim: Callable[..., Any]) -> None:
    """-11 on any call, the session confirmed gone: the book is emptied and logout unlocks nothing."""
    sim = make_sim(workspace_mode="normal")
    fmg = FortiManager(sim.host, "admin", PASSWORD, use_ssl=False)
    fmg.login()
    fmg.lock_adom("root")
    expire_sessions(sim)
    assert fmg.get(ADDRESSES)[0] == -11  # as pyFMG: returned, no re-login without Retry(relogin=True)
    assert fmg.locked_scopes == []  # before: ["root"]
    assert sent(sim, "workspace/lockinfo") == 1  # one question settled it: -11 and "no permission" look alike
    fmg.logout()
    assert sent(sim, "workspace/unlock") == 0  # before: an unlock answered -11


def test_a_real_denial_keeps_the_locks(make_sim: Callable[..., Any]) -> None:
    sim = make_sim(workspace_mode="normal")
    fmg = FortiManager(sim.host, "admin", PASSWORD, use_ssl=False)
    fmg.login()
    fmg.lock_adom("root")
    sim.inject("raw", method="get", url=ADDRESSES, status=200, body=DENIED)
    assert fmg.get(ADDRESSES)[0] == -11
    assert fmg.locked_scopes == ["root"] and list(sim.locks) == ["root"]  # lockinfo: still ours
    with fmg.workspace("root"):  # trusted as it is: no second question, no second lock
        assert fmg.add(ADDRESSES, name="h1", subnet=["10.0.0.1", "255.255.255.255"])[0] == 0
    assert sent(sim, "workspace/lockinfo") == 1 and sent(sim, "workspace/lock/") == 1  # lock_adom's only
    fmg.logout()
    assert sent(sim, "workspace/unlock") == 1 and sim.locks == {}


def test_a_write_refused_with_minus_11_inside_a_block_unlocks_nothing(make_sim: Callable[..., Any]) -> None:
    sim = make_sim(workspace_mode="normal")
    fmg = FortiManager(sim.host, "admin", PASSWORD, use_ssl=False)
    fmg.login()
    with pytest.raises(FMGWorkspaceError, match="code -11"), fmg.workspace("root"):
        expire_sessions(sim)
        assert fmg.add(ADDRESSES, name="h1", subnet=["10.0.0.1", "255.255.255.255"])[0] == -11
    assert fmg.locked_scopes == []
    fmg.logout()
    assert sent(sim, "workspace/unlock") == 0  # before: the block's exit and logout each sent one


def test_the_next_block_after_a_session_loss_fails_before_it_runs(make_sim: Callable[..., Any]) -> None:
    sim = make_sim(workspace_mode="normal")
    fmg = FortiManager(sim.host, "admin", PASSWORD, use_ssl=False)
    fmg.login()
    fmg.lock_adom("root")
    expire_sessions(sim)
    assert fmg.get(ADDRESSES)[0] == -11
    with pytest.raises(FMGLockError, match="code -11"), fmg.workspace("root"):
        pytest.fail("before: the block ran on a lock that died with the session")
    fmg.logout()


def test_logout_after_a_quiet_expiry_stops_at_the_first_refused_unlock(make_sim: Callable[..., Any]) -> None:
    sim = make_sim(workspace_mode="normal", adoms=("root", "lab"))
    fmg = FortiManager(sim.host, "admin", PASSWORD, use_ssl=False)
    fmg.login()
    assert fmg.lock_adom("root")[0] == 0 and fmg.lock_adom("lab")[0] == 0
    expire_sessions(sim)
    fmg.logout()
    assert sent(sim, "workspace/unlock") == 1  # before: 2, each answered -11
    assert fmg.locked_scopes == [] and fmg.sid is None


def test_a_write_refused_for_want_of_a_lock_drops_it_from_the_book(make_sim: Callable[..., Any]) -> None:
    """The issue's restart between two calls, with an API key: only -10147 tells the lock is gone."""
    sim = make_sim(workspace_mode="normal")
    fmg = FortiManager(sim.host, apikey=API_KEY, use_ssl=False)
    fmg.login()
    fmg.lock_adom("root")
    port = sim.port
    sim.stop()
    back = make_sim(workspace_mode="normal", port=port)  # restarted between two calls: no lock
    assert fmg.add(ADDRESSES, name="h1", subnet=["10.0.0.1", "255.255.255.255"])[0] == -10147
    assert fmg.locked_scopes == []  # before: ["root"]
    with fmg.workspace("root"):  # before: no lock sent, the write refused again and the commit failed
        assert fmg.add(ADDRESSES, name="h2", subnet=["10.0.0.2", "255.255.255.255"])[0] == 0
    assert back.objects(ADDRESSES + "/h2")["name"] == "h2" and back.locks == {}
    fmg.logout()
    assert sent(back, "workspace/unlock") == 1  # the block's own; logout had nothing left to release


def test_a_write_outside_the_locks_held_leaves_the_book_alone(make_sim: Callable[..., Any]) -> None:
    sim = make_sim(workspace_mode="normal")
    fmg = FortiManager(sim.host, apikey=API_KEY, use_ssl=False)
    fmg.login()
    assert fmg.lock("root", package="default")[0] == 0
    assert fmg.add(ADDRESSES, name="h1", subnet=["10.0.0.1", "255.255.255.255"])[0] == -10147  # needs root
    assert fmg.locked_scopes == ["root/pkg/default"] and list(sim.locks) == ["root/pkg/default"]
    fmg.logout()
    assert sim.locks == {}
