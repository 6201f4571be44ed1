"""10,000 address adds with 5 ms of latency per request: pyfmg's bulk vs pyFMG 0.8.6.3 one by one.

    python benchmarks/bench_bulk_adds.py [--reference ...] [--objects 10000] [--latency 0.005]
                                         [--configs 100x4,500x4,25x8] [--legacy-sample 0]

pyFMG has no bulk call, so it adds the objects one ``add`` at a time, as scripts written for it
do.  pyfmg sends them with ``fmg.bulk("add", url, objects, chunk_size=C, workers=W)`` for each
``CxW`` of ``--configs``, each run into a fresh simulator (its own process, ``--latency`` added to
every request).  The round-trip floor of a run is requests x latency / workers: what the run
would take if the simulator and both clients cost nothing.  Each run is also repeated against a
simulator without latency, which shows how much of the time is the simulator's own work.
``--legacy-sample N`` times pyFMG on N objects and scales to ``--objects`` (0: all of them).
"""

from __future__ import annotations

import math
import time

from _harness import ADDRESS_URL, PASSWORD, USER, load_reference, parser, report, simulator

import pyfmg


def objects(count: int, prefix: str) -> list[dict[str, str]]:
    return [
        {"name": f"{prefix}{i:05d}", "subnet": f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}/32", "comment": "feed"}
        for i in range(count)
    ]


def run_bulk(latency: float, items: list[dict[str, str]], chunk_size: int, workers: int) -> tuple[float, float]:
    """Wall time and this process's CPU time (the client's share; the simulator has its own process)."""
    with (
        simulator("--latency", str(latency)) as host,
        pyfmg.FortiManager(host, USER, PASSWORD, use_ssl=False, pool_size=max(workers, 10)) as fmg,
    ):
        start, start_cpu = time.perf_counter(), time.process_time()
        results = fmg.bulk("add", ADDRESS_URL, items, chunk_size=chunk_size, workers=workers)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        assert len(results) == len(items) and all(r.ok for r in results), "some adds failed"
        assert fmg.get(ADDRESS_URL, option="count")[1] >= len(items)
    return elapsed, cpu


def run_legacy(legacy: object, latency: float, items: list[dict[str, str]]) -> float:
    with simulator("--latency", str(latency)) as host:
        fmg = legacy.FortiManager(host, USER, PASSWORD, use_ssl=False)  # type: ignore[attr-defined]
        fmg.login()
        start = time.perf_counter()
        for item in items:
            code, _ = fmg.add(ADDRESS_URL, **item)
            assert code == 0, "an add failed"
        elapsed = time.perf_counter() - start
        fmg.logout()
    return elapsed


def main() -> None:
    options = parser(__doc__ or "")
    options.add_argument("--objects", type=int, default=10_000)
    options.add_argument("--latency", type=float, default=0.005)
    options.add_argument("--configs", default="100x4,500x4,25x8")
    options.add_argument("--legacy-sample", type=int, default=0)
    args = options.parse_args()
    legacy = load_reference(args.reference)
    items = objects(args.objects, "b")

    sample = args.legacy_sample or args.objects
    legacy_time = run_legacy(legacy, args.latency, objects(sample, "p")) * args.objects / sample
    scaled = f" (timed on {sample}, scaled)" if sample != args.objects else ""

    rows = [("pyFMG one add per request", "", f"{legacy_time:.2f} s{scaled}", "1.00")]
    floors = []
    for config in args.configs.split(","):
        chunk_size, workers = (int(part) for part in config.split("x"))
        elapsed, cpu = run_bulk(args.latency, items, chunk_size, workers)
        no_latency, _ = run_bulk(0.0, items, chunk_size, workers)
        requests_sent = math.ceil(args.objects / chunk_size)
        floor = requests_sent * args.latency / workers
        floors.append(
            f"  chunk_size={chunk_size} workers={workers}: {requests_sent} requests, floor {floor * 1e3:.0f} ms, "
            f"run {elapsed * 1e3:.0f} ms = {elapsed / floor:.1f} x floor; same run without latency "
            f"{no_latency * 1e3:.0f} ms; client CPU {cpu * 1e3:.0f} ms; {legacy_time / elapsed:.0f} x faster than pyFMG"
        )
        rows.append(
            (f"bulk chunk_size={chunk_size} workers={workers}", f"{elapsed:.2f} s", "", f"{elapsed / legacy_time:.3f}")
        )
    report(f"{args.objects} address adds, {args.latency * 1e3:g} ms latency per request", rows)
    print("\n".join(floors))


if __name__ == "__main__":
    main()
