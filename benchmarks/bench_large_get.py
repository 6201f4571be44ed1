"""One large get: wall time and peak memory, pyfmg (msgspec and json) vs pyFMG 0.8.6.3.

    python benchmarks/bench_large_get.py [--reference ...] [--rounds 15] [--objects 20000]
    python benchmarks/bench_large_get.py --objects 200000 --rounds 7      # ~50 MB of JSON

The clients get the same table from the same simulator (in its own process).  Time: the median and
the fastest of ``--rounds`` gets each, alternating clients.  Memory: tracemalloc's peak of the Python heap
during one get (the reply's bytes, any text copy, and the parsed objects), measured separately
from the timing so tracing does not slow the timed runs, and what stays allocated after the get
once the caller dropped the data (what ``req_resp_object`` keeps).  "pyfmg (json)" is pyfmg with
msgspec switched off, as without the ``fast`` extra.
"""

from __future__ import annotations

import contextlib
import gc
import json
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

from _harness import ADDRESS_URL, PASSWORD, USER, canned, load_reference, median, peak_bytes, seconds, simulator
from _harness import parser as parser_base

import pyfmg
from pyfmg import response


def address(i: int) -> dict[str, str]:
    return {
        "name": f"feed-{i:05d}",
        "subnet": f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}/32",
        "comment": f"threat feed indicator {i:05d}: first seen 2026-11-23 09:14:07 UTC, confidence high, "
        "source intel-feed-A/B, action block",
    }


@contextlib.contextmanager
def parser(name: str) -> Iterator[None]:
    """pyfmg with msgspec (when installed) or, for "pyfmg (json)", with the standard library's json."""
    saved = response._MSGSPEC
    if name == "pyfmg (json)":
        response._MSGSPEC = None
    try:
        yield
    finally:
        response._MSGSPEC = saved


def held_after(call: object) -> int:
    """Python heap still allocated after one get whose result the caller dropped."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        call()  # type: ignore[operator]
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()


def main() -> None:
    options = parser_options()
    args = options.parse_args()
    legacy = load_reference(args.reference)
    msgspec_on = response.msgspec_available()
    with simulator() as sim_host:
        seeder = pyfmg.FortiManager(sim_host, USER, PASSWORD, use_ssl=False)
        seeder.login()
        for start in range(0, args.objects, 20_000):
            batch = [address(i) for i in range(start, min(start + 20_000, args.objects))]
            results = seeder.bulk("add", ADDRESS_URL, batch, chunk_size=1000, workers=2)
            assert all(r.ok for r in results), "seeding the simulator failed"
        seeder.get(ADDRESS_URL)
        # with a session, so that the clients' logins (which set up pyFMG's URL) succeed too
        reply = json.dumps({**seeder.req_resp_object.response_json, "session": "canned"}).encode()
        seeder.logout()
    # Served as bytes, the same for every call: the simulator would take longer to build it than a client to read it.
    with canned(reply) as host:
        ours = pyfmg.FortiManager(host, USER, PASSWORD, use_ssl=False, check_adom_workspace=False)
        theirs = legacy.FortiManager(host, USER, PASSWORD, use_ssl=False, check_adom_workspace=False)
        ours.login()
        theirs.login()
        code, rows = ours.get(ADDRESS_URL)
        size = len(reply)
        legacy_reply = theirs.get(ADDRESS_URL)
        assert code == 0 and len(rows) >= args.objects and legacy_reply == (0, rows), "the clients disagree"
        with parser("pyfmg (json)"):
            assert ours.get(ADDRESS_URL) == (0, rows)
        del rows

        contestants = {"pyfmg": ours, "pyfmg (json)": ours, "pyFMG": theirs}
        if not msgspec_on:
            del contestants["pyfmg"]
        times: dict[str, list[float]] = {name: [] for name in contestants}
        cpu: dict[str, list[float]] = {name: [] for name in contestants}
        for _ in range(args.rounds):
            for name, client in contestants.items():
                with parser(name):
                    start_cpu = time.process_time()
                    times[name] += seconds(lambda client=client: client.get(ADDRESS_URL), 1)  # type: ignore[attr-defined]
                    cpu[name].append(time.process_time() - start_cpu)
        peaks: dict[str, list[int]] = {name: [] for name in contestants}
        held: dict[str, int] = {}
        for _ in range(3):
            for name, client in contestants.items():
                with parser(name):
                    peaks[name].append(peak_bytes(lambda client=client: client.get(ADDRESS_URL)))  # type: ignore[attr-defined]
        for name, client in contestants.items():
            with parser(name):
                held[name] = held_after(lambda client=client: client.get(ADDRESS_URL))  # type: ignore[attr-defined]

    rows_out = []
    legacy_wall, legacy_cpu, legacy_peak = median(times["pyFMG"]), median(cpu["pyFMG"]), min(peaks["pyFMG"])
    for name in contestants:
        wall, fastest, used, peak = median(times[name]), min(times[name]), median(cpu[name]), min(peaks[name])
        rows_out.append(
            (
                name,
                f"{wall * 1e3:.0f} ms ({fastest * 1e3:.0f}-{max(times[name]) * 1e3:.0f})",
                f"{wall / legacy_wall:.2f}",
                f"{used * 1e3:.0f} ms",
                f"{used / legacy_cpu:.2f}",
                f"{peak / 1e6:.0f} MB",
                f"{peak / legacy_peak:.3f}",
                f"{held[name] / 1e6:.1f} MB",
            )
        )
    print(
        f"\none get of {args.objects} address objects ({size / 1e6:.1f} MB of JSON), {args.rounds} rounds, interleaved"
    )
    print(f"  command: python benchmarks/bench_large_get.py --objects {args.objects} --rounds {args.rounds}")
    header = (
        "client",
        "wall, median (fastest-slowest)",
        "/ pyFMG",
        "client CPU",
        "/ pyFMG",
        "peak heap",
        "/ pyFMG",
        "held after",
    )
    widths = [max(len(str(row[i])) for row in [header, *rows_out]) for i in range(len(header))]
    for row in [header, *rows_out]:
        print("  " + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))
    print(f"  finished {time.strftime('%Y-%m-%d %H:%M:%S')}")


def parser_options() -> Any:
    options = parser_base(__doc__ or "")
    options.add_argument("--rounds", type=int, default=15)
    options.add_argument("--objects", type=int, default=20_000)
    return options


if __name__ == "__main__":
    main()
