"""One get answering ~5 MB (20,000 address objects): wall time and peak memory, pyfmg vs pyFMG 0.8.6.3.

    python benchmarks/bench_large_get.py [--reference /tmp/pyfmg_ref/whl/pyFMG/fortimgr.py] [--rounds 15]

Both clients get the same table from the same simulator (in its own process).  Time: the median and
the fastest of ``--rounds`` gets each, alternating clients.  Memory: tracemalloc's peak of the Python heap
during one get (the reply's bytes, any text copy, and the parsed objects), measured separately
from the timing so tracing does not slow the timed runs.
"""

from __future__ import annotations

import json
import time

from _harness import ADDRESS_URL, PASSWORD, USER, load_reference, median, parser, peak_bytes, report, seconds, simulator

import pyfmg

OBJECTS = 20_000


def address(i: int) -> dict[str, str]:
    return {
        "name": f"feed-{i:05d}",
        "subnet": f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}/32",
        "comment": f"threat feed indicator {i:05d}: first seen 2026-11-23 09:14:07 UTC, confidence high, "
        "source intel-feed-A/B, action block",
    }


def main() -> None:
    options = parser(__doc__ or "")
    options.add_argument("--rounds", type=int, default=15)
    args = options.parse_args()
    parser_rounds = args.rounds
    legacy = load_reference(args.reference)
    with simulator() as host:
        ours = pyfmg.FortiManager(host, USER, PASSWORD, use_ssl=False)
        theirs = legacy.FortiManager(host, USER, PASSWORD, use_ssl=False)
        ours.login()
        theirs.login()
        results = ours.bulk("add", ADDRESS_URL, [address(i) for i in range(OBJECTS)], chunk_size=1000, workers=2)
        assert all(r.ok for r in results), "seeding the simulator failed"
        code, rows = ours.get(ADDRESS_URL)
        size = len(json.dumps({"result": [{"data": rows}]}))
        assert code == 0 and theirs.get(ADDRESS_URL) == (0, rows), "the two clients disagree"
        del rows

        def get(client: object) -> None:
            client.get(ADDRESS_URL)  # type: ignore[attr-defined]

        times: dict[str, list[float]] = {"pyfmg": [], "pyFMG": []}
        cpu: dict[str, list[float]] = {"pyfmg": [], "pyFMG": []}
        for _ in range(parser_rounds):
            for name, client in (("pyfmg", ours), ("pyFMG", theirs)):
                start_cpu = time.process_time()
                times[name] += seconds(lambda client=client: get(client), 1)
                cpu[name].append(time.process_time() - start_cpu)
        peaks = {"pyfmg": [], "pyFMG": []}  # type: dict[str, list[int]]
        for _ in range(3):
            peaks["pyfmg"].append(peak_bytes(lambda: ours.get(ADDRESS_URL)))
            peaks["pyFMG"].append(peak_bytes(lambda: theirs.get(ADDRESS_URL)))
        ours.logout()
        theirs.logout()

    t_ours, t_theirs = median(times["pyfmg"]), median(times["pyFMG"])
    b_ours, b_theirs = min(times["pyfmg"]), min(times["pyFMG"])
    m_ours, m_theirs = min(peaks["pyfmg"]), min(peaks["pyFMG"])
    report(
        f"one get of {OBJECTS} address objects ({size / 1e6:.1f} MB of JSON), {parser_rounds} rounds",
        [
            ("wall time, median", f"{t_ours * 1e3:.0f} ms", f"{t_theirs * 1e3:.0f} ms", f"{t_ours / t_theirs:.2f}"),
            ("wall time, fastest", f"{b_ours * 1e3:.0f} ms", f"{b_theirs * 1e3:.0f} ms", f"{b_ours / b_theirs:.2f}"),
            (
                "client CPU",
                f"{median(cpu['pyfmg']) * 1e3:.0f} ms",
                f"{median(cpu['pyFMG']) * 1e3:.0f} ms",
                f"{median(cpu['pyfmg']) / median(cpu['pyFMG']):.2f}",
            ),
            ("peak Python heap", f"{m_ours / 1e6:.1f} MB", f"{m_theirs / 1e6:.1f} MB", f"{m_ours / m_theirs:.2f}"),
        ],
    )
    print(f"  all times pyfmg: {[round(t * 1e3) for t in times['pyfmg']]} ms")
    print(f"  all times pyFMG: {[round(t * 1e3) for t in times['pyFMG']]} ms")
    print(f"  finished {time.strftime('%H:%M:%S')}")


if __name__ == "__main__":
    main()
