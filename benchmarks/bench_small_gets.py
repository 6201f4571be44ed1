"""Small get calls, one after the other: wall time per call, pyfmg vs pyFMG 0.8.6.3.

    python benchmarks/bench_small_gets.py [--reference /tmp/pyfmg_ref/whl/pyFMG/fortimgr.py] [--calls 2000] [--rounds 5]

Both clients call the same simulator (in its own process) on 127.0.0.1: a get of one address
object.  Rounds alternate between the clients; the figure is the median of the rounds' times
per call, so a burst of load elsewhere on the machine hits both alike.  Client CPU per call
(``time.process_time``) is printed too: it is the part a client can change.
"""

from __future__ import annotations

import time

from _harness import ADDRESS_URL, PASSWORD, USER, load_reference, median, parser, report, simulator

import pyfmg


def main() -> None:
    options = parser(__doc__ or "")
    options.add_argument("--calls", type=int, default=2000)
    options.add_argument("--rounds", type=int, default=5)
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
        wall: dict[str, list[float]] = {"pyfmg": [], "pyFMG": []}
        cpu: dict[str, list[float]] = {"pyfmg": [], "pyFMG": []}
        for _ in range(args.rounds):
            for name, client in (("pyfmg", ours), ("pyFMG", theirs)):
                for _ in range(50):  # warm the connection
                    client.get(url)
                start_wall, start_cpu = time.perf_counter(), time.process_time()
                for _ in range(args.calls):
                    client.get(url)
                wall[name].append((time.perf_counter() - start_wall) / args.calls)
                cpu[name].append((time.process_time() - start_cpu) / args.calls)
        ours.logout()
        theirs.logout()
    w_ours, w_theirs = median(wall["pyfmg"]), median(wall["pyFMG"])
    c_ours, c_theirs = median(cpu["pyfmg"]), median(cpu["pyFMG"])
    report(
        f"small gets: {args.rounds} rounds x {args.calls} calls per client, median per call",
        [
            ("wall time per call", f"{w_ours * 1e6:.0f} us", f"{w_theirs * 1e6:.0f} us", f"{w_ours / w_theirs:.2f}"),
            ("client CPU per call", f"{c_ours * 1e6:.0f} us", f"{c_theirs * 1e6:.0f} us", f"{c_ours / c_theirs:.2f}"),
        ],
    )
    print(f"  rounds pyfmg: {[round(w * 1e6) for w in wall['pyfmg']]} us")
    print(f"  rounds pyFMG: {[round(w * 1e6) for w in wall['pyFMG']]} us")


if __name__ == "__main__":
    main()
