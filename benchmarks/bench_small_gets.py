"""Small get calls, one after the other: client CPU and wall time per call, pyfmg vs pyFMG 0.8.6.3 and the floors.

    python benchmarks/bench_small_gets.py [--reference /tmp/pyfmg_ref/whl/pyFMG/fortimgr.py] [--calls 2000] [--rounds 7]

Every contestant sends the same JSON-RPC get (one address object) to the same simulator (in its
own process) on 127.0.0.1 over one kept-alive connection, and parses the reply:

- ``http.client``: ``HTTPConnection.request`` + ``getresponse().read()`` + ``json.loads``;
- ``urllib3``: one ``HTTPConnectionPool.urlopen`` + ``json.loads`` (the pool pyfmg's requests sits on);
- ``urllib3, pyFMG's headers``: the same with the six headers requests (so pyFMG, so pyfmg) sends,
  i.e. the same bytes on the wire as pyFMG and pyfmg;
- ``requests``: ``Session.post(...).json()``;
- ``pyFMG 0.8.6.3`` and ``pyfmg``: ``FortiManager.get``.

Rounds interleave the contestants, so a burst of load elsewhere on the machine hits all alike; each
figure is the median over rounds, with the spread (lowest-highest round).  Client CPU is
``time.thread_time`` of the thread making the calls (the simulator runs in another process): it is
the part a client can change.  ``--profile NAME`` prints cProfile's top functions for one contestant instead.
"""

from __future__ import annotations

import cProfile
import http.client
import itertools
import json
import pstats
import time
from typing import Any, Callable

import requests
import urllib3
from _harness import ADDRESS_URL, PASSWORD, USER, load_reference, median, parser, simulator

import pyfmg


def envelope_maker(sid: str, url: str) -> Callable[[], str]:
    ids = itertools.count(10_000)
    return lambda: json.dumps({"method": "get", "params": [{"url": url}], "session": sid, "id": next(ids)})


def floors(host: str, sid: str, url: str) -> dict[str, Callable[[], Any]]:
    name, _, port = host.partition(":")
    headers = {"content-type": "application/json"}
    body = envelope_maker(sid, url)

    connection = http.client.HTTPConnection(name, int(port))

    def with_http_client() -> Any:
        connection.request("POST", "/jsonrpc", body(), headers)
        return json.loads(connection.getresponse().read())

    pool = urllib3.HTTPConnectionPool(name, int(port), maxsize=1)

    def with_urllib3() -> Any:
        return json.loads(pool.urlopen("POST", "/jsonrpc", body=body(), headers=headers).data)

    same_pool = urllib3.HTTPConnectionPool(name, int(port), maxsize=1)
    wire_headers = {**requests.utils.default_headers(), **headers}

    def with_urllib3_same_bytes() -> Any:
        text = body()
        sent = {**wire_headers, "Content-Length": str(len(text))}
        return json.loads(same_pool.urlopen("POST", "/jsonrpc", body=text, headers=sent).data)

    session = requests.Session()

    def with_requests() -> Any:
        return session.post(f"http://{host}/jsonrpc", data=body(), headers=headers).json()

    return {
        "http.client": with_http_client,
        "urllib3": with_urllib3,
        "urllib3, pyFMG's headers": with_urllib3_same_bytes,
        "requests": with_requests,
    }


def main() -> None:
    options = parser(__doc__ or "")
    options.add_argument("--calls", type=int, default=2000)
    options.add_argument("--rounds", type=int, default=7)
    options.add_argument("--profile", help="profile one contestant (e.g. pyfmg) instead of timing them all")
    args = options.parse_args()
    legacy = load_reference(args.reference)
    url = f"{ADDRESS_URL}/h1"
    with simulator() as host:
        ours = pyfmg.FortiManager(host, USER, PASSWORD, use_ssl=False)
        theirs = legacy.FortiManager(host, USER, PASSWORD, use_ssl=False)
        ours.login()
        theirs.login()
        assert ours.add(ADDRESS_URL, name="h1", subnet="10.0.0.1/32")[0] == 0
        assert ours.get(url) == theirs.get(url)
        contestants = floors(host, str(ours.sid), url)
        contestants["pyFMG 0.8.6.3"] = lambda: theirs.get(url)
        contestants["pyfmg"] = lambda: ours.get(url)
        expected = ours.get(url)[1]
        for name, call in contestants.items():
            reply = call()
            data = reply[1] if isinstance(reply, tuple) else reply["result"][0]["data"]
            assert data == expected, f"{name} got {reply!r}"
        if args.profile:
            profile(contestants[args.profile], args.calls)
        else:
            measure(contestants, args.calls, args.rounds)
        ours.logout()
        theirs.logout()


def measure(contestants: dict[str, Callable[[], Any]], calls: int, rounds: int) -> None:
    wall: dict[str, list[float]] = {name: [] for name in contestants}
    cpu: dict[str, list[float]] = {name: [] for name in contestants}
    for _ in range(rounds):
        for name, call in contestants.items():
            for _ in range(50):  # warm the connection and the caches
                call()
            start_wall, start_cpu = time.perf_counter(), time.thread_time()
            for _ in range(calls):
                call()
            wall[name].append((time.perf_counter() - start_wall) / calls)
            cpu[name].append((time.thread_time() - start_cpu) / calls)
    print(f"\nsmall gets: {rounds} rounds x {calls} calls per contestant, interleaved; median (lowest-highest round)")
    print(f"  command: python benchmarks/bench_small_gets.py --calls {calls} --rounds {rounds}")
    floor, legacy = median(cpu["urllib3"]), median(cpu["pyFMG 0.8.6.3"])
    header = ("contestant", "client CPU / call", "wall / call", "CPU / urllib3", "CPU / pyFMG")
    rows = [header]
    for name in contestants:
        c, w = cpu[name], wall[name]
        rows.append(
            (
                name,
                f"{median(c) * 1e6:.0f} us ({min(c) * 1e6:.0f}-{max(c) * 1e6:.0f})",
                f"{median(w) * 1e6:.0f} us ({min(w) * 1e6:.0f}-{max(w) * 1e6:.0f})",
                f"{median(c) / floor:.2f}",
                f"{median(c) / legacy:.2f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)))
    print(f"  finished {time.strftime('%Y-%m-%d %H:%M:%S')}")


def profile(call: Callable[[], Any], calls: int) -> None:
    for _ in range(50):
        call()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        call()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats("pyfmg|json|_collections|cookie", 40)


if __name__ == "__main__":
    main()
