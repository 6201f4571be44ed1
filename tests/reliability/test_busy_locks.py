"""Busy workspace locks, end to end: waiting for a lock another admin holds, and releasing ours whatever fails."""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable

import pytest

from pyfmg import FMGConnectionError, FMGLockError, FMGWorkspaceError, FortiManager

from .conftest import ADDRESSES, PASSWORD, wait_until

Connect = Callable[..., FortiManager]
LOCK_ROOT = "dvmdb/adom/root/workspace/lock"
FAILED = json.dumps({"result": [{"status": {"code": -1, "message": "Commit failed: disk full"}}]}).encode()


@pytest.fixture
def ws_sim(make_sim: Callable[..., Any]) -> Any:
    return make_sim(workspace_mode="normal", adoms=("root", "lab"))


def requests_of(sim: Any, client: FortiManager, url: str) -> list[Any]:
    """The JSON-RPC requests ``client``'s session sent for ``url``, in order."""
    found = []
    for request in sim.requests:
        body = request.json if isinstance(request.json, dict) else {}
        params = body.get("params") or [{}]
        if body.get("session") == client.sid and str(params[0].get("url", "")).strip("/") == url:
            found.append(body)
    return found


def urls_sent(sim: Any) -> list[str]:
    out = []
    for request in sim.requests:
        params = (request.json or {}).get("params") or [{}]
        out.append(str(params[0].get("url", "")).strip("/"))
    return out


def test_a_lock_freed_while_we_wait_is_taken(ws_sim: Any, make_client: Connect) -> None:
    other = make_client(ws_sim, "other")
    assert other.lock_adom("root")[0] == 0
    client = make_client(ws_sim)
    outcome: list[Any] = []
    waiter = threading.Thread(target=lambda: outcome.append(client.lock_adom("root", wait=20)))
    waiter.start()
    # A second attempt on the wire means the first one was answered, and refused: the lock is still other's.
    wait_until(lambda: len(requests_of(ws_sim, client, LOCK_ROOT)) >= 2)
    assert other.unlock_adom("root")[0] == 0
    waiter.join(timeout=20)
    assert outcome and outcome[0][0] == 0
    assert client.locked_scopes == ["root"] and ws_sim.locks == {"root": client.sid}


def test_a_lock_that_never_frees_raises_naming_adom_and_holder(ws_sim: Any, make_client: Connect) -> None:
    other = make_client(ws_sim, "other")
    assert other.lock_adom("root")[0] == 0
    client = make_client(ws_sim)
    begin = time.monotonic()
    with pytest.raises(FMGLockError) as info:
        client.lock_adom("root", wait=0.4)
    elapsed = time.monotonic() - begin
    assert 0.4 <= elapsed < 3
    error = info.value
    assert error.adom == "root" and error.scope == "root" and error.holder == "other" and error.code == -20055
    assert "root is locked by other" in str(error) and "0.4 s" in str(error)
    assert len(requests_of(ws_sim, client, LOCK_ROOT)) >= 2
    assert client.locked_scopes == [] and ws_sim.locks == {"root": other.sid}


def test_without_wait_a_busy_lock_returns_the_code_like_pyfmg(ws_sim: Any, make_client: Connect) -> None:
    other = make_client(ws_sim, "other")
    other.lock_adom("root")
    client = make_client(ws_sim)
    assert client.lock_adom("root")[0] == -20055
    assert len(requests_of(ws_sim, client, LOCK_ROOT)) == 1 and client.locked_scopes == []


def test_a_busy_workspace_block_never_runs(ws_sim: Any, make_client: Connect) -> None:
    make_client(ws_sim, "other").lock_adom("root")
    client = make_client(ws_sim)
    ran = []
    with pytest.raises(FMGLockError, match="locked by other"), client.workspace("root", wait=0.2):
        ran.append(True)
    assert ran == [] and client.locked_scopes == []


# --- release on exit, whatever fails ------------------------------------------------------------------------


def test_failed_commit_still_unlocks(ws_sim: Any, make_client: Connect) -> None:
    client = make_client(ws_sim)
    ws_sim.inject("raw", url="dvmdb/adom/root/workspace/commit", status=200, body=FAILED)
    with pytest.raises(FMGWorkspaceError, match="disk full"), client.workspace("root"):
        assert client.add(ADDRESSES, name="h1", subnet="10.0.0.1/32")[0] == 0
    assert ws_sim.locks == {} and client.locked_scopes == []
    with pytest.raises(LookupError):  # not committed, so dropped with the lock
        ws_sim.objects(ADDRESSES + "/h1")


def test_commit_that_breaks_the_connection_still_unlocks(ws_sim: Any, make_client: Connect) -> None:
    client = make_client(ws_sim)
    ws_sim.inject("reset", url="dvmdb/adom/root/workspace/commit")
    with pytest.raises(FMGConnectionError), client.workspace("root"):
        client.add(ADDRESSES, name="h1", subnet="10.0.0.1/32")
    assert ws_sim.locks == {} and client.locked_scopes == []


def test_failing_block_unlocks_without_committing(ws_sim: Any, make_client: Connect) -> None:
    client = make_client(ws_sim)
    with pytest.raises(ZeroDivisionError), client.workspace("root"):
        assert ws_sim.locks == {"root": client.sid}
        _ = 1 / 0
    assert ws_sim.locks == {} and "dvmdb/adom/root/workspace/commit" not in urls_sent(ws_sim)


def test_failing_logout_still_releases_every_lock(ws_sim: Any) -> None:
    ws_sim.inject("reset", url="sys/logout")
    with pytest.raises(FMGConnectionError), FortiManager(ws_sim.host, "admin", PASSWORD, use_ssl=False) as client:
        client.lock_adom("root")
        client.lock_adom("lab")
        assert set(ws_sim.locks) == {"root", "lab"}
    assert ws_sim.locks == {} and client.sid is None and client.locked_scopes == []


def test_failing_block_and_failing_logout_keep_the_block_error(ws_sim: Any, caplog: pytest.LogCaptureFixture) -> None:
    ws_sim.inject("reset", url="sys/logout")
    with (
        pytest.raises(KeyError, match="from the block"),
        FortiManager(ws_sim.host, "admin", PASSWORD, use_ssl=False) as client,
    ):
        client.lock_adom("root")
        raise KeyError("from the block")
    assert ws_sim.locks == {} and client.sid is None
    assert any("Logout" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)


def test_failed_unlock_is_logged_and_raised_after_the_others_were_unlocked(
    ws_sim: Any, make_client: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(ws_sim)
    client.lock_adom("root")
    client.lock_adom("lab")
    ws_sim.inject("reset", url="dvmdb/adom/root/workspace/unlock")
    ws_sim.clear_requests()
    with pytest.raises(FMGConnectionError, match="unlock"):
        client.logout()
    sent = urls_sent(ws_sim)
    assert sent == ["dvmdb/adom/root/workspace/unlock", "dvmdb/adom/lab/workspace/unlock", "sys/logout"]
    assert any(r.levelno == logging.ERROR and "Unlocking root failed" in r.getMessage() for r in caplog.records)
    assert ws_sim.locks == {} and ws_sim.sessions == {} and client.locked_scopes == []
