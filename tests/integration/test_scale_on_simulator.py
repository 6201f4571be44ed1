"""Threads, bulk runs, task tracking and large replies over real sockets, against the simulator."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from pyfmg import FortiManager, TaskProgress
from pyfmg.testing import FMGSimulator

ADDR = "pm/config/adom/root/obj/firewall/address"
THREADS = 8
CALLS = 25


def _connections_made(fmg: FortiManager) -> int:
    adapter = fmg.sess.get_adapter(f"http://{fmg.host}/jsonrpc")
    return sum(pool.num_connections for pool in adapter.poolmanager.pools._container.values())  # type: ignore[attr-defined]


def _objects(count: int, prefix: str = "h") -> list[dict[str, Any]]:
    return [
        {"name": f"{prefix}{i}", "subnet": f"10.1.{i // 250}.{i % 250 + 1}/32", "comment": f"#{i}"}
        for i in range(count)
    ]


def test_eight_threads_share_one_client_and_its_connection_pool(fmg: FortiManager) -> None:
    for n in range(THREADS):
        assert fmg.add(ADDR, name=f"t{n}", subnet=f"10.9.0.{n + 1}/32", comment=f"thread {n}")[0] == 0
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        try:
            start.wait()
            for _ in range(CALLS):
                code, row = fmg.get(f"{ADDR}/t{n}")
                assert code == 0 and row["comment"] == f"thread {n}"
                assert fmg.req_resp_object.response_json["id"] == fmg.req_resp_object.request_json["id"]
        except BaseException as err:  # re-checked in the main thread
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert 1 <= _connections_made(fmg) <= THREADS, "connections were not reused"


def test_sequential_calls_and_large_replies_reuse_one_connection(
    fmg: FortiManager, fmg_simulator: FMGSimulator
) -> None:
    before = len(fmg_simulator.objects(ADDR))
    results = fmg.bulk("add", ADDR, _objects(2000), chunk_size=500)
    assert all(r.ok for r in results)
    for _ in range(3):
        code, rows = fmg.get(ADDR)
        assert code == 0 and len(rows) == before + 2000 and rows[-1]["comment"] == "#1999"
    assert [(r["name"], r["comment"]) for r in rows] == [(r["name"], r["comment"]) for r in fmg_simulator.objects(ADDR)]
    assert _connections_made(fmg) == 1


def test_bulk_add_reports_each_item_and_writes_the_rest(fmg: FortiManager, fmg_simulator: FMGSimulator) -> None:
    before = len(fmg_simulator.objects(ADDR))
    objects = _objects(300)
    # A duplicate of item 110: the same chunk (100-149), so its params are applied in order and
    # item 120 is the one that fails whichever chunk the workers send first.
    objects[120] = {"name": "h110", "subnet": "10.2.0.1/32"}
    seen: list[int] = []
    results = fmg.bulk("add", ADDR, objects, chunk_size=50, workers=4, progress=lambda done, total: seen.append(done))

    assert [r.index for r in results] == list(range(300))
    assert [i for i, r in enumerate(results) if not r.ok] == [120]
    assert results[120].code == -2 and results[120].message == "Object already exists"
    assert results[0].data == {"name": "h0"}
    assert len(fmg_simulator.objects(ADDR)) == before + 299
    adds = [r for r in fmg_simulator.requests if isinstance(r.json, dict) and r.json.get("method") == "add"]
    assert len(adds) == 6 and seen == sorted(seen) and seen[-1] == 300


@pytest.mark.fmg_simulator(workspace_mode="normal")
def test_bulk_in_workspace_mode_locks_once_and_commits(fmg: FortiManager, fmg_simulator: FMGSimulator) -> None:
    before = len(fmg_simulator.objects(ADDR))
    results = fmg.bulk("add", ADDR, _objects(120), chunk_size=40, workers=3, adom="root")
    assert all(r.ok for r in results)
    urls = [
        r.json["params"][0]["url"] for r in fmg_simulator.requests if isinstance(r.json, dict) and r.json.get("params")
    ]
    assert sum(url.endswith("/workspace/lock/") for url in urls) == 1
    assert sum(url.endswith("/workspace/commit") for url in urls) == 1
    assert fmg_simulator.locks == {} and fmg.locked_scopes == []
    assert len(fmg_simulator.objects(ADDR)) == before + 120


@pytest.mark.fmg_simulator(task_duration=0.3)
def test_track_tasks_follows_several_tasks_to_the_end(fmg: FortiManager) -> None:
    task_ids = []
    for _ in range(2):
        _code, reply = fmg.free_form("exec", create_task={"adom": "root"}, data=[{"url": "sys/status"}])
        task_ids.append(reply[0]["data"]["task"])
    seen: list[TaskProgress] = []
    replies = fmg.track_tasks(task_ids, sleep_time=0.5, timeout=30, progress=seen.append)
    assert [task["id"] for _, task in replies] == task_ids
    assert all(code == 0 and task["percent"] == 100 for code, task in replies)
    for task_id in task_ids:
        percents = [p.percent for p in seen if p.task_id == task_id]
        assert percents == sorted(percents) and percents[-1] == 100
