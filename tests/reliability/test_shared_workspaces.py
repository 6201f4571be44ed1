"""``workspace()`` on one client shared by 32 threads, against the simulator in workspace mode.

Each thread runs a few blocks; every third block raises on purpose after writing. What must hold:
no unexpected exception, every read inside a block sees the thread's own write, every write of a
block that succeeded is committed (it survives the failures of other threads), and at the end
nothing is left locked, neither in the client's books nor on the simulator.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from pyfmg import FortiManager

THREADS = 32
BLOCKS = 4
ADDRESSES = "pm/config/adom/{adom}/obj/firewall/address"
POLICIES = "pm/config/adom/{adom}/pkg/{package}/firewall/policy"


class Deliberate(Exception):
    """Raised inside a block on purpose: the block fails after writing."""


Scope = dict[str, str]


def _table(scope: Scope) -> str:
    if "package" in scope:
        return POLICIES.format(**scope)
    if scope["adom"] == "global":
        return "pm/config/global/obj/firewall/address"
    return ADDRESSES.format(adom=scope["adom"])


def _run(client: FortiManager, scopes: list[Scope]) -> tuple[list[str], dict[str, set[str]]]:
    """Run the workload; return the unexpected errors and, per table, the names that must exist."""
    errors: list[str] = []
    committed: dict[str, set[str]] = {}
    guard = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(thread: int) -> None:
        scope = scopes[thread % len(scopes)]
        table = _table(scope)
        start.wait()
        for block in range(BLOCKS):
            name = f"t{thread}-b{block}"
            failing = block % 3 == 2
            try:
                with client.workspace(**scope):
                    code, data = client.add(table, data={"name": name, "subnet": f"10.{thread}.{block}.1/32"})
                    if code != 0:
                        raise AssertionError(f"add {name} in {scope}: code {code}, {data}")
                    code, rows = client.get(table, filter=["name", "==", name])
                    if code != 0 or [row.get("name") for row in rows] != [name]:
                        raise AssertionError(f"read back {name} in {scope}: code {code}, {rows}")
                    if failing:
                        raise Deliberate(name)
            except Deliberate:
                continue
            except Exception as err:
                with guard:
                    errors.append(f"{name} {scope}: {type(err).__name__}: {err}"[:300])
                continue
            with guard:
                committed.setdefault(table, set()).add(name)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    return errors, committed


def _check(client: FortiManager, sim: Any, scopes: list[Scope]) -> None:
    errors, committed = _run(client, scopes)
    assert errors == [], f"{len(errors)} unexpected errors, e.g. {errors[:5]}"
    assert client.locked_scopes == []
    assert sim.locks == {}
    assert sum(len(names) for names in committed.values()) == THREADS * (BLOCKS - BLOCKS // 3)
    for table, names in committed.items():
        code, rows = client.get(table, fields=["name"])
        assert code == 0
        missing = names - {row["name"] for row in rows}
        assert not missing, f"committed writes lost in {table}: {sorted(missing)[:10]}"


def test_32_threads_on_one_adom_neither_unlock_nor_roll_back_each_other(
    make_sim: Callable[..., Any], make_client: Callable[..., FortiManager]
) -> None:
    sim = make_sim(workspace_mode="normal")
    client = make_client(sim, pool_size=THREADS)
    _check(client, sim, [{"adom": "root"}])


def test_32_threads_on_mixed_overlapping_scopes(
    make_sim: Callable[..., Any], make_client: Callable[..., FortiManager]
) -> None:
    sim = make_sim(workspace_mode="normal", adoms=["root", "second"])
    client = make_client(sim, pool_size=THREADS)
    scopes: list[Scope] = [
        {"adom": "root"},
        {"adom": "root", "package": "default"},
        {"adom": "second"},
        {"adom": "second", "package": "default"},
        {"adom": "global"},
    ]
    _check(client, sim, scopes)
