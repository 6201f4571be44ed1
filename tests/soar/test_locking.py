"""Scoped locks under contention: waiting for another session's lock, giving up on it, and several
workers writing to two packages of one ADOM at the same time."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from pyfmg.soar import SOARError, run
from pyfmg.testing import FMGSimulator

from .conftest import admin_client, config_for

POLICY = "pm/config/adom/root/pkg/{}/firewall/policy"


def lock_attempts(sim: FMGSimulator, scope_url: str) -> int:
    count = 0
    for request in sim.requests:
        body = request.json
        if (
            isinstance(body, dict)
            and body.get("method") == "exec"
            and str(body["params"][0].get("url", "")).strip("/") == scope_url
        ):
            count += 1
    return count


def wait_until(condition: Any, deadline_s: float = 5.0) -> None:
    deadline = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        time.sleep(0.005)


def test_lock_held_by_another_session_that_frees_while_we_wait(ws_sim: FMGSimulator) -> None:
    holder = admin_client(ws_sim, "other")
    holder.login()
    assert holder.lock("root", package="p2")[0] == 0
    lock_url = "dvmdb/adom/root/workspace/lock/pkg/p2"
    outcome: dict[str, Any] = {}

    def worker() -> None:
        try:
            outcome["result"] = run(
                "add", config_for(ws_sim, lock_wait="10"), {"url": POLICY.format("p2"), "data": {"name": "waited"}}
            )
        except Exception as error:  # reported through the assertion below
            outcome["error"] = error

    thread = threading.Thread(target=worker)
    thread.start()
    # The holder's own lock plus at least two refused attempts by the worker: it is waiting.
    wait_until(lambda: lock_attempts(ws_sim, lock_url) >= 3)
    holder.logout()
    thread.join(10)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["result"]["lock_scope"] == "root/pkg/p2" and outcome["result"]["committed"] is True
    assert "waited" in [row["name"] for row in ws_sim.objects(POLICY.format("p2"))]
    assert ws_sim.locks == {} and ws_sim.sessions == {}


def test_lock_that_never_frees_fails_naming_scope_and_holder(ws_sim: FMGSimulator) -> None:
    with admin_client(ws_sim, "other") as holder:
        assert holder.lock("root", package="p2")[0] == 0
        started = time.monotonic()
        with pytest.raises(SOARError) as caught:
            run("add", config_for(ws_sim, lock_wait="0.3"), {"url": POLICY.format("p2"), "data": {"name": "never"}})
        assert time.monotonic() - started < 5
        message = str(caught.value)
        assert "root/pkg/p2 is locked by other; still locked after waiting 0.3 s" in message
        assert "retry later or raise 'Lock Wait'" in message
        assert caught.value.details == {"lock_scope": "root/pkg/p2", "holder": "other"}
        assert caught.value.code == -20055
        assert list(ws_sim.locks) == ["root/pkg/p2"]  # only the holder's lock; ours was never taken
    assert "never" not in [row["name"] for row in ws_sim.objects(POLICY.format("p2"))]
    assert ws_sim.sessions == {}


def test_adom_lock_of_another_session_blocks_a_package_write(ws_sim: FMGSimulator) -> None:
    with admin_client(ws_sim, "other") as holder:
        assert holder.lock("root")[0] == 0
        with pytest.raises(SOARError, match="root/pkg/p2 is locked by"):
            run("add", config_for(ws_sim), {"url": POLICY.format("p2"), "data": {"name": "blocked"}})
        assert list(ws_sim.locks) == ["root"]


def test_package_locks_let_two_workers_edit_two_packages_at_once(ws_sim: FMGSimulator) -> None:
    """Worker A holds package p2; worker B still gets package default (an ADOM lock would block it)."""
    with admin_client(ws_sim, "other") as holder:
        assert holder.lock("root", package="p2")[0] == 0
        result = run("add", config_for(ws_sim), {"url": POLICY.format("default"), "data": {"name": "side-by-side"}})
        assert result["lock_scope"] == "root/pkg/default" and result["committed"] is True
        with pytest.raises(SOARError, match="root is locked by"):
            run(
                "add",
                config_for(ws_sim, narrow_locks="false"),
                {"url": POLICY.format("default"), "data": {"name": "x"}},
            )


def test_four_workers_on_two_packages_do_not_step_on_each_other(ws_sim: FMGSimulator) -> None:
    packages = ["default", "p2", "default", "p2"]
    per_worker = 3

    def worker(index: int) -> list[dict[str, Any]]:
        results = []
        for number in range(per_worker):
            results.append(
                run(
                    "add",
                    config_for(ws_sim, lock_wait="20"),
                    {"url": POLICY.format(packages[index]), "data": {"name": f"w{index}-{number}"}},
                )
            )
        return results

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(worker, range(4)))
    for index, results in enumerate(outcomes):
        assert all(r["committed"] and r["lock_scope"] == f"root/pkg/{packages[index]}" for r in results)
    for package in ("default", "p2"):
        names = {row["name"] for row in ws_sim.objects(POLICY.format(package))}
        expected = {f"w{i}-{n}" for i in range(4) if packages[i] == package for n in range(per_worker)}
        assert expected <= names
        other = {f"w{i}-{n}" for i in range(4) if packages[i] != package for n in range(per_worker)}
        assert not other & names
    # Only package locks were ever requested: no worker locked the whole ADOM.
    assert lock_attempts(ws_sim, "dvmdb/adom/root/workspace/lock") == 0
    assert ws_sim.locks == {} and ws_sim.sessions == {}
