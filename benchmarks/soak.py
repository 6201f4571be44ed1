"""Soak test: many threads share one FortiManager client against the simulator; count what goes wrong.

Each thread owns an ADOM and runs cycles of ten calls (lock, add, get, update, get, status, delete,
get of the deleted object, commit, unlock).  Every read is checked against what the thread itself
wrote, so a reply delivered to the wrong thread or the wrong call shows up as a mismatch.  At the
end nothing may be left locked, neither in the client's books nor on the simulator.

    python benchmarks/soak.py                       # 8 threads x 5,000 calls
    python benchmarks/soak.py --threads 8 --calls 500 --faults

``--faults`` also injects connection resets and 502 pages into reads, with a retry policy that
repeats reads, to soak the recovery path.  The report gives errors per 10,000 calls.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from pyfmg import FortiManager
from pyfmg.retry import Retry
from pyfmg.testing import FMGSimulator

CYCLE = 10  # calls per cycle, see _cycle
NOT_FOUND = -3


@dataclass
class SoakResult:
    calls: int = 0
    errors: int = 0
    mismatches: int = 0
    lost: int = 0
    faults: int = 0
    stranded_locks: list[str] = field(default_factory=list)
    seconds: float = 0.0
    samples: list[str] = field(default_factory=list)
    guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def failures(self) -> int:
        return self.errors + self.mismatches + self.lost + len(self.stranded_locks)

    @property
    def per_10k(self) -> float:
        return 10_000 * self.failures / self.calls if self.calls else 0.0

    def record(self, kind: str, detail: str) -> None:
        with self.guard:
            setattr(self, kind, getattr(self, kind) + 1)
            if len(self.samples) < 10:
                self.samples.append(f"{kind}: {detail}")

    def count(self, calls: int) -> None:
        with self.guard:
            self.calls += calls


def _cycle(client: FortiManager, adom: str, thread: int, cycle: int, result: SoakResult) -> None:
    table = f"pm/config/adom/{adom}/obj/firewall/address"
    name = f"t{thread}-c{cycle}"
    token = f"{name}-written"
    steps: list[tuple[str, Any]] = []

    def check(label: str, reply: Any, code: int, **expected: Any) -> None:
        if not (isinstance(reply, tuple) and len(reply) == 2):
            result.record("lost", f"{label}: no (code, data) reply: {reply!r}")
            return
        got_code, data = reply
        if got_code != code:
            result.record("mismatches", f"{label}: code {got_code}, expected {code}: {data!r}"[:300])
            return
        for key, value in expected.items():
            if not isinstance(data, dict) or data.get(key) != value:
                result.record("mismatches", f"{label}: {key} is not {value!r} in {data!r}"[:300])
                return
        steps.append((label, got_code))

    check("lock", client.lock_adom(adom), 0)
    check("add", client.add(table, name=name, subnet=f"10.{thread}.{cycle % 250}.1/32", comment=token), 0)
    check("get", client.get(f"{table}/{name}"), 0, name=name, comment=token)
    token = f"{name}-updated"
    check("update", client.update(f"{table}/{name}", comment=token), 0)
    check("get updated", client.get(f"{table}/{name}"), 0, name=name, comment=token)
    check("status", client.get("sys/status"), 0)
    check("delete", client.delete(f"{table}/{name}"), 0)
    check("get deleted", client.get(f"{table}/{name}"), NOT_FOUND)
    check("commit", client.commit_changes(adom), 0)
    check("unlock", client.unlock_adom(adom), 0)


def _worker(client: FortiManager, thread: int, cycles: int, result: SoakResult) -> None:
    adom = f"soak{thread}"
    for cycle in range(cycles):
        try:
            _cycle(client, adom, thread, cycle, result)
        except Exception as err:
            result.record("errors", f"thread {thread} cycle {cycle}: {type(err).__name__}: {err}"[:300])
            # Leave the ADOM clean for the next cycle, as a careful script would.
            try:
                client.unlock_adom(adom)
            except Exception as unlock_err:
                result.record("errors", f"thread {thread} unlock after error: {unlock_err}"[:300])
        finally:
            result.count(CYCLE)


def _inject_faults(sim: FMGSimulator, stop: threading.Event, result: SoakResult, every: float = 0.1) -> None:
    """Transient faults on reads, alternately a reset and a proxy's 502 page.

    A new fault is armed only once a read has gone by since the last one, so faults do not pile up.
    A read that retries can still meet several in a row (other threads' reads arm new ones), which
    is why ``--faults`` runs with ``Retry(reads=5)``: with ``reads=3`` about 1 read in 200 spent its
    budget at this fault rate, which is the policy working as configured, not a client error.
    """
    kinds = ("reset", "http_502_html")
    seen = 0
    while not stop.wait(every):
        recorded = sim.requests
        reads_since = sum(1 for request in recorded[seen:] if _is_status_read(request))
        seen = len(recorded)
        if result.faults and not reads_since:
            continue
        sim.inject(kinds[result.faults % 2], method="get", url="sys/status")
        result.faults += 1


def _is_status_read(request: Any) -> bool:
    body = request.json if isinstance(request.json, dict) else {}
    params = body.get("params") or [{}]
    return body.get("method") == "get" and isinstance(params[0], dict) and params[0].get("url") == "sys/status"


def soak(
    threads: int = 8,
    calls_per_thread: int = 500,
    faults: bool = False,
    simulator: FMGSimulator | None = None,
) -> SoakResult:
    """Run the soak; ``calls_per_thread`` is rounded down to whole cycles of ten calls."""
    own = simulator is None
    sim = (
        simulator
        or FMGSimulator(workspace_mode="normal", adoms=["root", *(f"soak{n}" for n in range(threads))]).start()
    )
    result = SoakResult()
    try:
        retry = Retry(reads=5, backoff_factor=0.01) if faults else None
        client = FortiManager(sim.host, "admin", "password", use_ssl=False, pool_size=threads, retry=retry)
        client.login()
        stop_faults = threading.Event()
        injector = threading.Thread(target=_inject_faults, args=(sim, stop_faults, result), daemon=True)
        begin = time.perf_counter()
        workers = [
            threading.Thread(target=_worker, args=(client, n, calls_per_thread // CYCLE, result), name=f"soak-{n}")
            for n in range(threads)
        ]
        for worker in workers:
            worker.start()
        if faults:
            injector.start()
        for worker in workers:
            worker.join()
        stop_faults.set()
        if faults:
            injector.join()
        sim.clear_faults()
        result.seconds = time.perf_counter() - begin
        result.stranded_locks = [f"client: {scope}" for scope in client.locked_scopes]
        result.stranded_locks += [f"simulator: {scope}" for scope in sim.locks]
        client.logout()
        result.stranded_locks += [f"after logout: {scope}" for scope in sim.locks]
    finally:
        if own:
            sim.stop()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--calls", type=int, default=5000, help="calls per thread (whole cycles of 10)")
    parser.add_argument("--faults", action="store_true", help="inject resets and 502 pages into reads")
    args = parser.parse_args(argv)
    result = soak(args.threads, args.calls, args.faults)
    print(
        f"{result.calls} calls by {args.threads} threads in {result.seconds:.1f} s "
        f"({result.calls / result.seconds:.0f} calls/s): {result.errors} errors, {result.mismatches} mismatches, "
        f"{result.lost} lost, {len(result.stranded_locks)} stranded locks, {result.faults} faults injected -> "
        f"{result.per_10k:.2f} failures per 10,000 calls"
    )
    for sample in result.samples:
        print("  ", sample)
    return 0 if result.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
