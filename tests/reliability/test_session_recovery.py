"""Expired sessions and restarts: opt-in re-login and one repeat, bounded read retries, no blind write repeats."""

from __future__ import annotations

import dataclasses
import json
import threading
from typing import Any, Callable

import pytest
import requests

from pyfmg import (
    FMGConnectionError,
    FMGLockError,
    FMGTLSError,
    FMGValidSessionException,
    FMGValueError,
    FMGWorkspaceError,
    FortiManager,
)
from pyfmg.retry import Retry

from .conftest import ADDRESSES, API_KEY, wait_until

RELOGIN = Retry(relogin=True)
EXPIRED = json.dumps({"result": [{"status": {"code": -11, "message": "No permission for the resource"}}]}).encode()
Connect = Callable[..., FortiManager]


def sent(sim: Any, url: str, method: str | None = None) -> int:
    """How many JSON-RPC requests for ``url`` (and ``method``) the simulator received."""
    count = 0
    for request in sim.requests:
        body = request.json if isinstance(request.json, dict) else {}
        params = body.get("params") or [{}]
        if str(params[0].get("url", "")).strip("/") == url.strip("/") and method in (None, body.get("method")):
            count += 1
    return count


def logins(sim: Any) -> int:
    return sent(sim, "sys/login/user")


def expire_sessions(sim: Any) -> None:
    sim.advance_clock(10_000)
    assert sim.sessions == {}


# --- the policy object ---------------------------------------------------------------------------------------


def test_default_policy_repeats_nothing() -> None:
    policy = Retry()
    assert not policy.relogin and policy.reads == 0 and Retry.disabled() == policy
    assert not policy.may_repeat_read("get", 0)


def test_policy_is_immutable_and_validated() -> None:
    policy = Retry(reads=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.reads = 5  # type: ignore[misc]
    assert policy.replace(reads=5).reads == 5 and policy.reads == 3
    for bad in ({"reads": -1}, {"reads": 1.5}, {"backoff_factor": -1}, {"backoff_max": "x"}):
        with pytest.raises(FMGValueError):
            Retry(**bad)  # type: ignore[arg-type]
    with pytest.raises(FMGValueError):
        FortiManager("fmg.test", "admin", "pw", retry="yes")  # type: ignore[arg-type]


def test_backoff_is_exponential_and_bounded() -> None:
    policy = Retry(reads=10, backoff_factor=0.5, backoff_max=3.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert Retry(backoff_factor=0).backoff(4) == 0
    jittered = Retry(backoff_factor=1, backoff_jitter=0.25)
    assert all(2.0 <= jittered.backoff(2) <= 2.25 for _ in range(50))


def test_only_reads_may_be_repeated() -> None:
    policy = Retry(reads=2)
    assert policy.may_repeat_read("get", 1) and not policy.may_repeat_read("get", 2)
    for write in ("add", "set", "update", "delete", "replace", "clone", "move", "unset", "exec"):
        assert not policy.may_repeat_read(write, 0)


# --- re-login -----------------------------------------------------------------------------------------------


def test_without_policy_an_expired_session_returns_minus_11_like_pyfmg(sim: Any, client: FortiManager) -> None:
    expire_sessions(sim)
    before = logins(sim)
    code, _ = client.get(ADDRESSES)
    assert code == -11 and logins(sim) == before


def test_password_session_is_renewed_and_the_read_repeated(sim: Any, make_client: Connect) -> None:
    client = make_client(sim, retry=RELOGIN)
    old_sid = client.sid
    expire_sessions(sim)
    code, data = client.get(ADDRESSES)
    assert code == 0 and isinstance(data, list)
    assert logins(sim) == 2 and client.sid != old_sid and client.sid in sim.sessions


def test_a_refused_write_is_repeated_once_after_re_login(sim: Any, make_client: Connect) -> None:
    client = make_client(sim, retry=RELOGIN)
    expire_sessions(sim)
    code, _ = client.add(ADDRESSES, name="h1", subnet="10.0.0.1/32")
    assert code == 0 and sim.objects(ADDRESSES + "/h1")["name"] == "h1"
    assert sent(sim, ADDRESSES, "add") == 2  # refused once, applied once


def test_a_real_denial_costs_one_re_login_and_is_returned(sim: Any, make_client: Connect) -> None:
    client = make_client(sim, retry=RELOGIN)
    sim.inject("raw", times=2, method="get", url=ADDRESSES, status=200, body=EXPIRED)
    code, _ = client.get(ADDRESSES)
    assert code == -11 and logins(sim) == 2 and sent(sim, ADDRESSES, "get") == 2


def test_api_key_session_is_renewed(sim: Any, make_client: Connect) -> None:
    client = make_client(sim, apikey=API_KEY, retry=RELOGIN)
    old_sid = client.sid
    sim.inject("raw", method="get", url=ADDRESSES, status=200, body=EXPIRED)
    assert client.get(ADDRESSES)[0] == 0
    assert client.sid != old_sid and str(client.sid).endswith(API_KEY[-4:])
    assert logins(sim) == 0  # API keys have no login call


def test_failed_re_login_raises_and_forgets_the_session(sim: Any, make_client: Connect) -> None:
    client = make_client(sim, retry=RELOGIN)
    client.lock_adom("root")
    expire_sessions(sim)
    sim.inject("http_502_html", url="sys/login/user")
    with pytest.raises(FMGValidSessionException, match="HTTP 502"):
        client.get(ADDRESSES)
    assert client.sid is None and client.locked_scopes == []


def test_logout_of_an_expired_session_does_not_log_in_again(sim: Any, make_client: Connect) -> None:
    client = make_client(sim, retry=RELOGIN)
    client.lock_adom("root")
    expire_sessions(sim)
    client.logout()
    assert logins(sim) == 1 and client.sid is None and client.locked_scopes == [] and sim.locks == {}


def test_threads_sharing_a_client_log_in_again_only_once(sim: Any, make_client: Connect) -> None:
    client = make_client(sim, retry=RELOGIN)
    expire_sessions(sim)
    codes: list[int] = []
    barrier = threading.Barrier(8)

    def read() -> None:
        barrier.wait(timeout=10)
        codes.append(client.get(ADDRESSES)[0])

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert codes == [0] * 8
    assert logins(sim) == 2 and len(sim.sessions) == 1


class SwappedSession(requests.Session):
    """A session of the caller's own, assigned to ``fmg._session``: calls take pyFMG's path through it."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False  # no proxy from the environment on loopback


@pytest.mark.parametrize("route", ["own wire", "swapped _session"])
def test_a_re_login_is_one_step_for_threads_calling_meanwhile(
    make_sim: Callable[..., Any], make_client: Connect, route: str
) -> None:
    """Threads calling during a re-login use the old session (-11, wait, repeat) or the new one, never none."""
    sim = make_sim(request_history=None)
    client = make_client(sim, retry=RELOGIN)
    if route == "swapped _session":
        client._session = SwappedSession()
    stop = threading.Event()
    done = [0] * 4
    failures: list[Any] = []

    def hammer(index: int) -> None:
        while not stop.is_set():
            try:
                code, _ = client.get("sys/status")
            except Exception as err:  # before: FMGValidSessionException while the session id was None
                failures.append(err)
                return
            if code != 0:
                failures.append(code)
            done[index] += 1

    threads = [threading.Thread(target=hammer, args=(index,)) for index in range(len(done))]
    for thread in threads:
        thread.start()
    try:
        for _ in range(3):
            old = client.sid
            sim.inject("slow", url="sys/login/user", delay=0.2)  # the re-login takes a round trip's while
            sim.advance_clock(10_000)
            wait_until(lambda: bool(failures) or client.sid not in (None, old))  # noqa: B023 (used at once)
            # Every thread makes two more calls, so none still carries the old session into the next expiry.
            seen = list(done)
            wait_until(lambda: bool(failures) or all(now >= then + 2 for now, then in zip(done, seen)))  # noqa: B023
            if failures:
                break
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert failures == []
    assert logins(sim) == 4 and client.sid in sim.sessions


def test_threads_wait_until_the_locks_are_back_before_using_a_new_session(
    make_sim: Callable[..., Any], make_client: Connect
) -> None:
    """A write sent while the re-login is still taking the locks back waits for them, instead of being refused."""
    ws_sim = make_sim(workspace_mode="normal")
    client = make_client(ws_sim, retry=RELOGIN)
    client.lock_adom("root")
    expire_sessions(ws_sim)
    ws_sim.inject("slow", method="exec", url="dvmdb/adom/root/workspace/lock*", delay=0.5)
    reader = threading.Thread(target=client.get, args=(ADDRESSES,))
    reader.start()  # meets -11 and logs in again; taking root back takes 0.5 s
    wait_until(lambda: len(ws_sim.sessions) == 1)
    code, _ = client.add(ADDRESSES, name="h1", subnet="10.0.0.1/32")
    reader.join(timeout=30)
    assert code == 0  # before: sent on the new session before its lock, and refused with -10147
    assert ws_sim.locks == {"root": client.sid} and client.locked_scopes == ["root"]


# --- locks across an expiry ---------------------------------------------------------------------------------


@pytest.fixture
def ws_sim(make_sim: Callable[..., Any]) -> Any:
    return make_sim(workspace_mode="normal")


def test_locks_are_taken_back_after_re_login(ws_sim: Any, make_client: Connect) -> None:
    client = make_client(ws_sim, retry=RELOGIN)
    client.lock_adom("root")
    expire_sessions(ws_sim)
    assert ws_sim.locks == {}
    assert client.get(ADDRESSES)[0] == 0
    assert client.locked_scopes == ["root"] and ws_sim.locks == {"root": client.sid}
    # ... and they are usable: a write, a commit, an unlock.
    assert client.add(ADDRESSES, name="h2", subnet="10.0.0.2/32")[0] == 0
    assert client.commit_changes("root")[0] == 0 and client.unlock_adom("root")[0] == 0
    assert ws_sim.objects(ADDRESSES + "/h2")["name"] == "h2" and ws_sim.locks == {}


def test_uncommitted_changes_lost_with_the_session_fail_the_call(ws_sim: Any, make_client: Connect) -> None:
    client = make_client(ws_sim, retry=RELOGIN)
    with pytest.raises(FMGWorkspaceError, match="uncommitted changes") as info, client.workspace("root"):
        assert client.add(ADDRESSES, name="h1", subnet="10.0.0.1/32")[0] == 0
        expire_sessions(ws_sim)  # FortiManager drops h1 with the session
        client.add(ADDRESSES, name="h3", subnet="10.0.0.3/32")
    assert info.value.scope == "root"
    assert sent(ws_sim, ADDRESSES, "add") == 2  # h3 was refused once and not repeated
    with pytest.raises(LookupError):
        ws_sim.objects(ADDRESSES + "/h1")
    assert client.locked_scopes == [] and ws_sim.locks == {}  # the with block released the re-taken lock


def test_committed_changes_do_not_block_the_repeat(ws_sim: Any, make_client: Connect) -> None:
    client = make_client(ws_sim, retry=RELOGIN)
    client.lock_adom("root")
    client.add(ADDRESSES, name="h1", subnet="10.0.0.1/32")
    assert client.commit_changes("root")[0] == 0
    expire_sessions(ws_sim)
    assert client.add(ADDRESSES, name="h4", subnet="10.0.0.4/32")[0] == 0
    assert client.locked_scopes == ["root"] and ws_sim.objects(ADDRESSES + "/h1")["name"] == "h1"


def test_a_lock_taken_by_someone_else_meanwhile_fails_clearly(ws_sim: Any, make_client: Connect) -> None:
    client = make_client(ws_sim, retry=RELOGIN)
    client.lock_adom("root")
    expire_sessions(ws_sim)
    other = make_client(ws_sim, "other")
    assert other.lock_adom("root")[0] == 0
    with pytest.raises(FMGLockError, match="session expired while root was locked") as info:
        client.get(ADDRESSES)
    assert info.value.scope == "root" and info.value.holder == "other"
    assert client.locked_scopes == [] and client.sid in ws_sim.sessions  # logged in, holding nothing
    assert client.get(ADDRESSES)[0] == 0


# --- repeating reads ----------------------------------------------------------------------------------------


def test_a_read_survives_connection_resets_within_its_budget(sim: Any, make_client: Connect) -> None:
    client = make_client(sim, retry=Retry(reads=2, backoff_factor=0))
    sim.inject("reset", times=2, method="get", url=ADDRESSES)
    assert client.get(ADDRESSES)[0] == 0
    assert sent(sim, ADDRESSES, "get") == 3


def test_a_read_fails_when_the_budget_is_spent(sim: Any, make_client: Connect) -> None:
    client = make_client(sim, retry=Retry(reads=2, backoff_factor=0))
    sim.inject("reset", times=3, method="get", url=ADDRESSES)
    with pytest.raises(FMGConnectionError):
        client.get(ADDRESSES)
    assert sent(sim, ADDRESSES, "get") == 3


def test_a_read_is_repeated_after_a_proxy_error_page(sim: Any, make_client: Connect) -> None:
    client = make_client(sim, retry=Retry(reads=1, backoff_factor=0))
    sim.inject("http_502_html", method="get", url=ADDRESSES)
    assert client.get(ADDRESSES)[0] == 0
    sim.inject("http_502_html", times=2, method="get", url=ADDRESSES)
    assert client.get(ADDRESSES)[0] == 100  # pyFMG's code once the budget is spent


def test_a_write_is_never_repeated_after_a_connection_error(sim: Any, make_client: Connect) -> None:
    client = make_client(sim, retry=Retry(relogin=True, reads=5, backoff_factor=0))
    sim.inject("reset", method="add", url=ADDRESSES)
    with pytest.raises(FMGConnectionError):
        client.add(ADDRESSES, name="h1", subnet="10.0.0.1/32")
    assert sent(sim, ADDRESSES, "add") == 1


def test_tls_failures_are_not_repeated(sim: Any) -> None:
    client = FortiManager(
        sim.host, apikey=API_KEY, use_ssl=True, check_adom_workspace=False, retry=Retry(reads=3, backoff_factor=0)
    )
    client.login()
    with pytest.raises(FMGTLSError):
        client.get(ADDRESSES)
    assert sim.requests == []


def test_free_form_writes_count_as_uncommitted_changes(ws_sim: Any, make_client: Connect) -> None:
    client = make_client(ws_sim, retry=RELOGIN)
    client.lock_adom("root")
    code, results = client.free_form("add", data=[{"url": ADDRESSES, "data": {"name": "h5", "subnet": "10.0.0.5/32"}}])
    assert code == 200 and results[0]["status"]["code"] == 0
    expire_sessions(ws_sim)
    with pytest.raises(FMGWorkspaceError, match="uncommitted changes"):
        client.get(ADDRESSES)
    assert client.locked_scopes == ["root"] and ws_sim.locks == {"root": client.sid}
