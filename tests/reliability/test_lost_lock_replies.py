"""A lock request whose reply is lost after FortiManager granted it is released on logout.

With an API key the session never ends, so a lock the client does not know about would stay
until an administrator removed it. The client records such a scope as "maybe locked" and
unlocks it before logging out.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import pytest

from pyfmg import FMGBaseException, FMGConnectionError, FortiManager

from .conftest import API_KEY

LOCK_URL = "dvmdb/adom/root/workspace/lock*"


@pytest.fixture
def ws_sim(make_sim: Callable[..., Any]) -> Any:
    return make_sim(workspace_mode="normal")


def test_lock_granted_but_reply_lost_is_released_on_logout_with_an_api_key(ws_sim: Any) -> None:
    client = FortiManager(ws_sim.host, apikey=API_KEY, use_ssl=False)
    client.login()
    ws_sim.inject("lost_reply", method="exec", url=LOCK_URL)
    with pytest.raises(FMGConnectionError):
        client.lock_adom("root")
    assert list(ws_sim.locks) == ["root"]  # granted on the server, unknown to the caller
    assert client.locked_scopes == []
    client.logout()
    assert ws_sim.locks == {}


def test_workspace_block_whose_lock_reply_is_lost_leaves_nothing_locked(ws_sim: Any) -> None:
    with pytest.raises(FMGConnectionError), FortiManager(ws_sim.host, apikey=API_KEY, use_ssl=False) as client:
        ws_sim.inject("lost_reply", method="exec", url=LOCK_URL)
        with client.workspace("root"):
            pytest.fail("the block must not run without its lock")
    assert ws_sim.locks == {}


def test_lock_that_timed_out_is_released_on_logout(ws_sim: Any) -> None:
    client = FortiManager(ws_sim.host, apikey=API_KEY, use_ssl=False, timeout=0.2)
    client.login()
    # The simulator carries the request out after the delay, when the client has given up.
    ws_sim.inject("slow", method="exec", url=LOCK_URL, delay=0.5)
    with pytest.raises((FMGBaseException, FMGConnectionError)):  # a read timeout is both
        client.lock_adom("root")
    deadline = time.monotonic() + 5.0
    while "root" not in ws_sim.locks:
        assert time.monotonic() < deadline, "the simulator never granted the delayed lock"
    client.logout()
    assert ws_sim.locks == {}
