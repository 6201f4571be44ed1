"""The simulator on the requests of a large job: 20,000 addresses written and read back in few requests.

    python benchmarks/bench_simulator_jobs.py [--objects 20000] [--baseline REV] [--rounds 1]

What a planner sends for a job of issue 21, timed request by request against the simulator in its
own process (a bare ``http.client`` connection, no client library), with the simulator's CPU time:

- create: ``--objects`` addresses, ``add`` requests of 100 params (one object each);
- filtered reads: the table filtered to all its keys in chunks of 500 (``["name", "in", ...]``
  with ``fields``), then in one request; a nested filter with ``range``; ``option: count``;
- 10 % changed: ``update`` requests of 100 params (one object URL each);
- 10 % deleted: ``delete`` requests of 100 params (one object URL each);
- as many firewall policies created, 100 params a request, each numbered by the server.

With ``--baseline REV`` (default: main before this work) the same runs against that revision's
simulator (``git archive`` into a temporary directory) and the ratios are printed.  The baseline
needs minutes at 20,000 objects: its filters compared every row with every key.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from typing import Any, Callable

from bench_simulator import URL, Client, checkout, cpu_seconds, rss_mb, simulator

BASELINE = "19713d3"  # main before the simulator's job-sized fixes
CHUNK = 100
READ_CHUNK = 500


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def job(host: str, port: int, pid: int, objects: int) -> dict[str, tuple[float, float]]:
    """(wall seconds, simulator CPU seconds) of each step, in order."""
    client = Client(host, port)
    assert client.conn.sock is not None
    client.conn.sock.settimeout(900)  # the baseline takes minutes on some of these requests
    names = [f"h{i:06d}" for i in range(objects)]
    figures: dict[str, tuple[float, float]] = {}

    def step(label: str, bodies: list[bytes], check: Callable[[list[dict]], None] | None = None) -> None:
        cpu, start = cpu_seconds(pid), time.perf_counter()
        replies = [client.post(body) for body in bodies]
        figures[label] = (time.perf_counter() - start, cpu_seconds(pid) - cpu)
        if check is not None:
            check([json.loads(reply) for reply in replies])

    def all_ok(replies: list[dict]) -> None:
        codes = {result["status"]["code"] for reply in replies for result in reply["result"]}
        assert codes == {0}, codes

    def rows_back(expected: int) -> Callable[[list[dict]], None]:
        def check(replies: list[dict]) -> None:
            got = sum(len(reply["result"][0]["data"]) for reply in replies)
            assert got == expected, (got, expected)

        return check

    def subnet(i: int) -> str:
        return f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}/32"

    creates = [
        client.body("add", *({"url": URL, "data": {"name": n, "subnet": subnet(int(n[1:]))}} for n in part))
        for part in chunks(names, CHUNK)
    ]
    step(f"create {objects:,}, {CHUNK} params a request", creates, all_ok)
    fields = ["name", "subnet", "comment", "color"]
    reads = [
        client.body("get", {"url": URL, "filter": ["name", "in", *part], "fields": fields})
        for part in chunks(names, READ_CHUNK)
    ]
    step(f"read back, 'in' {READ_CHUNK} keys a request", reads, rows_back(objects))
    step(
        f"read back, 'in' {objects:,} keys at once",
        [client.body("get", {"url": URL, "filter": ["name", "in", *names], "fields": fields})],
        rows_back(objects),
    )
    step("whole table", [client.body("get", {"url": URL})], rows_back(objects + 2))
    nested = [["name", "in", *names[:1000]], "&&", ["comment", "==", ""]]
    step(
        "nested filter + range, x20",
        [client.body("get", {"url": URL, "filter": nested, "range": [0, 100]})] * 20,
        rows_back(2000),
    )
    step("option count, x20", [client.body("get", {"url": URL, "option": "count"})] * 20)
    changed = names[::10]
    updates = [
        client.body("update", *({"url": f"{URL}/{n}", "data": {"comment": "changed"}} for n in part))
        for part in chunks(changed, CHUNK)
    ]
    step(f"update {len(changed):,}, {CHUNK} params a request", updates, all_ok)
    doomed = names[1::10]
    deletes = [client.body("delete", *({"url": f"{URL}/{n}"} for n in part)) for part in chunks(doomed, CHUNK)]
    step(f"delete {len(doomed):,}, {CHUNK} params a request", deletes, all_ok)
    policy_url = "pm/config/adom/root/pkg/default/firewall/policy"
    policies = [
        client.body("add", *({"url": policy_url, "data": {"name": f"p{i}", "action": "accept"}} for i in part))
        for part in chunks(list(range(objects)), CHUNK)
    ]
    step(f"create {objects:,} policies (numbered by the server)", policies, all_ok)
    figures["simulator RSS after, MB"] = (rss_mb(pid), 0.0)
    return figures


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--objects", type=int, default=20000)
    options.add_argument("--baseline", default=BASELINE, help="git revision to compare with ('' for none)")
    options.add_argument("--rounds", type=int, default=1)
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        contenders = {"now": None}
        if args.baseline:
            contenders[args.baseline] = checkout(args.baseline, scratch)
        runs: dict[str, list[dict[str, tuple[float, float]]]] = {name: [] for name in contenders}
        for _ in range(args.rounds):
            for name, path in contenders.items():
                with simulator(path) as (host, port, pid):
                    runs[name].append(job(host, port, pid, args.objects))
    names = list(contenders)
    print(
        f"simulator on a {args.objects:,}-object job, median of {args.rounds} (Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs): wall s / simulator CPU s"
    )
    ratio_head = "   baseline / now (wall)" if len(names) == 2 else ""
    print(f"  {'step':44} " + " ".join(f"{n:>18}" for n in names) + ratio_head)
    for label in runs["now"][0]:
        cells, walls = [], []
        for name in names:
            wall = statistics.median(run[label][0] for run in runs[name])
            cpu = statistics.median(run[label][1] for run in runs[name])
            walls.append(wall)
            cells.append(f"{wall:8.3f} / {cpu:7.3f}" if not label.startswith("simulator RSS") else f"{wall:18.0f}")
        ratio = ""
        if len(walls) == 2 and walls[0] and not label.startswith("simulator RSS"):
            ratio = f"   {walls[1] / walls[0]:.2f}"
        print(f"  {label:44} " + " ".join(f"{c:>18}" for c in cells) + ratio)


if __name__ == "__main__":
    main()
