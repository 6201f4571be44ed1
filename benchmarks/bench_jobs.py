"""The jobs of issue 21, in requests and wall time, against their round-trip floor and pyFMG's one-call-per-object loop.

    python benchmarks/bench_jobs.py [--latency 0.02 0.1] [--server-time 0] [--objects 1000 20000]
                                    [--sample 1000] [--reference ...] [--only pyfmg|pyFMG] [--memory]
                                    [--repeat 0]

Jobs, on address objects in ADOM root of a simulator in workspace mode ``normal``:

- ``create``: N new addresses;
- ``rerun``: the same N again (nothing to change);
- ``change10``: the same N with every tenth one's comment changed (only for N > 1,000).

Contenders, each on its own simulator (own process, ``--latency`` and ``--server-time`` on every
request; it counts the requests itself, see ``_harness.CountedSimulator``):

- ``pyfmg``: ``fmg.converge(url, objects, key="name")`` (workspace mode: it locks, commits and
  unlocks by itself), its summary checked against what the job must do;
- ``pyFMG``: pyFMG 0.8.6.3 (the hash-pinned wheel tests/compat downloads), one call per object:
  ``lock_adom``, an ``add`` per object, ``commit_changes``, ``unlock_adom`` for ``create``; a ``get``
  per object compared with the wanted one (pyfmg's ``values_match``, so that a subnet written as
  ``10.0.0.1/32`` and read back as ``[ip, mask]`` is not a change), then one lock and an ``update``
  per changed object, for ``rerun``/``change10``.

Each job runs in a child process and marks its phases; the simulator's counts are read at each
mark.  The child reports its RSS before the job (the wanted objects built), at its peak
(``VmHWM``) and, for pyfmg, after the result was dropped.  ``--memory`` then runs pyfmg's jobs
once more, untimed and without latency, under ``tracemalloc``: the peak of what the job
allocates, what its result holds (per object), what is left once the result is dropped, and
after logout (the client keeps its last exchange, as pyFMG did, until the next call).
``--repeat N`` then runs N jobs on the largest of ``--objects`` one after the other in one
client process (creating, then changing every tenth comment and back again, in turns), with
the RSS after each: memory that is kept per job would show as growth from job to job.
A phase that sends one or more requests per object (pyFMG's loops) runs on the first
``--sample`` objects only when N is larger, and its time and requests
are scaled by N / sample: the table says "sampled" and the figure is an extrapolation (each
object costs the simulator the same whatever the table size: benchmarks/bench_simulator_jobs.py).
The floor of a job is the issue's: login, one read of the table, lock, one 100-object write per
100 objects written, commit, unlock, logout (no write, lock or commit when nothing changes);
its wall floor is those requests one after the other, each costing latency + server time.
"""

from __future__ import annotations

import gc
import json
import math
import os
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from typing import Any, Callable

from _harness import ADDRESS_URL, PASSWORD, USER, CountedSimulator, load_reference, parser

import pyfmg

CHUNK = 100


def wanted_objects(count: int, changed: bool = False) -> list[dict[str, str]]:
    """N addresses; with ``changed`` every tenth has another comment."""
    return [
        {
            "name": f"a{i:06d}",
            "subnet": f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}/32",
            "comment": "changed" if changed and i % 10 == 0 else "feed",
        }
        for i in range(count)
    ]


def floor_requests(to_write: int) -> int:
    """Login, one read, logout; and lock, the writes, commit, unlock when something is written."""
    return 3 + (3 + math.ceil(to_write / CHUNK) if to_write else 0)


# --- the child: one job of one contender ----------------------------------------------------------
def rss_kb(field_name: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


class Marks:
    """Tell the parent where a phase ends, so it can read the simulator's counts; wait for it."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def __call__(self, kind: str) -> None:
        now = time.perf_counter()
        print(f"mark {kind} {now - self.last:.6f}", flush=True)
        sys.stdin.readline()
        self.last = time.perf_counter()


def expected_summary(job: str, objects: int) -> str:
    return {
        "create": f"{objects} created",
        "rerun": f"{objects} unchanged",
        "change10": f"{math.ceil(objects / 10)} updated, {objects - math.ceil(objects / 10)} unchanged",
    }[job]


def pyfmg_job(job: str, host: str, items: list[dict[str, str]], mark: Callable[[str], None]) -> dict[str, int]:
    """``fmg.converge``; the client's memory with its result held and after dropping it."""
    fmg = pyfmg.FortiManager(host, USER, PASSWORD, use_ssl=False)
    fmg.login()
    if tracemalloc.is_tracing():  # untimed memory run: first what one call and the session keep
        fmg.converge(ADDRESS_URL, items[:2], key="name", check_mode=True)
    before = {"traced_before_job": traced()}
    mark("fixed")
    result = fmg.converge(ADDRESS_URL, items, key="name")
    mark("fixed")
    assert str(result.summary) == expected_summary(job, len(items)), f"{job}: {result!r}"
    memory = {**before, "rss_with_result_kb": rss_kb("VmRSS"), "traced_with_result": traced()}
    del result
    gc.collect()
    memory.update(rss_after_kb=rss_kb("VmRSS"), traced_after=traced())
    fmg.logout()  # replaces the last exchange, which the client keeps as pyFMG did (req_resp_object)
    memory.update(traced_after_logout=traced())
    mark("fixed")
    return memory


def traced() -> int:
    return tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0


def pyfmg_0863_job(job: str, host: str, items: list[dict[str, str]], mark: Callable[[str], None]) -> dict[str, int]:
    from pyfmg.converge import values_match

    legacy = load_reference(os.environ.get("PYFMG_REFERENCE", ""))
    fmg = legacy.FortiManager(host, USER, PASSWORD, use_ssl=False)
    fmg.login()
    mark("fixed")
    if job == "create":
        to_write, method = items, "add"
    else:
        to_write, method = [], "update"
        for item in items:
            code, current = fmg.get(f"{ADDRESS_URL}/{item['name']}")
            if code != 0 or not all(values_match(v, current.get(k)) for k, v in item.items()):
                to_write.append(item)
        mark("per-object")
    if to_write:
        fmg.lock_adom("root")
        mark("fixed")
        for item in to_write:
            url = ADDRESS_URL if method == "add" else f"{ADDRESS_URL}/{item['name']}"
            code, reply = getattr(fmg, method)(url, **item)
            assert code == 0, reply
        mark("per-object")
        fmg.commit_changes("root")
        fmg.unlock_adom("root")
        mark("fixed")
    fmg.logout()
    mark("fixed")
    return {}


def child(spec: dict[str, Any]) -> None:
    items = wanted_objects(spec["objects"], spec["job"] == "change10")[: spec["run_on"]]
    gc.collect()
    memory = {"rss_before_kb": rss_kb("VmRSS")}
    if spec.get("trace"):
        tracemalloc.start()
    job = pyfmg_job if spec["contender"] == "pyfmg" else pyfmg_0863_job
    memory.update(job(spec["job"], spec["host"], items, Marks()))
    memory.update(
        peak_rss_kb=rss_kb("VmHWM"), traced_peak=tracemalloc.get_traced_memory()[1] if spec.get("trace") else 0
    )
    print("result " + json.dumps(memory), flush=True)


# --- the parent -----------------------------------------------------------------------------------
@dataclass
class Outcome:
    contender: str
    job: str
    objects: int
    wall: float = 0.0
    requests: float = 0.0
    params: float = 0.0
    by_method: dict[str, float] = field(default_factory=dict)
    sampled: int = 0  # objects the per-object phases ran on, when fewer than ``objects``
    memory: dict[str, int] = field(default_factory=dict)  # the child's figures (kB of RSS, bytes traced)


def run_job(sim: CountedSimulator, contender: str, job: str, objects: int, sample: int, trace: bool = False) -> Outcome:
    run_on = min(objects, sample)
    scale = objects / run_on
    spec = {"contender": contender, "job": job, "objects": objects, "run_on": run_on, "host": sim.host, "trace": trace}
    if contender == "pyfmg":
        spec["run_on"], scale = objects, 1.0  # not a loop per object: the whole job, never sampled
    outcome = Outcome(contender, job, objects, sampled=spec["run_on"] if spec["run_on"] < objects else 0)
    sim.take_counts()
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    for line in process.stdout:
        if line.startswith("mark "):
            _, kind, seconds = line.split()
            counts = sim.take_counts()
            factor = scale if kind == "per-object" else 1.0
            outcome.wall += float(seconds) * factor
            outcome.requests += counts["requests"] * factor
            outcome.params += counts["params"] * factor
            for method, count in counts["by_method"].items():
                outcome.by_method[method] = outcome.by_method.get(method, 0) + count["requests"] * factor
            process.stdin.write("go\n")
            process.stdin.flush()
        elif line.startswith("result "):
            outcome.memory = json.loads(line[len("result ") :])
    if process.wait() != 0:
        raise SystemExit(f"{contender} {job} on {objects} objects failed")
    return outcome


def check_and_fill(sim: CountedSimulator, job: str, objects: int, covered: int) -> None:
    """Check the table holds what the job was to write (for the objects it covered); add the rest untimed."""
    latency = {"latency": 0.0, "server_time": 0.0}
    sim.set(**latency)
    wanted = wanted_objects(objects, job == "change10")
    with pyfmg.FortiManager(sim.host, USER, PASSWORD, use_ssl=False) as fmg:
        _code, rows = fmg.get(ADDRESS_URL, fields=["name", "comment"])
        stored = {row["name"]: row.get("comment") for row in rows}
        for item in wanted[:covered]:
            assert stored.get(item["name"]) == item["comment"], f"{job}: {item['name']} is {stored.get(item['name'])!r}"
        missing = [item for item in wanted if item["name"] not in stored]
        if missing:
            results = fmg.bulk("add", ADDRESS_URL, missing, adom="root", chunk_size=500)
            assert all(result.ok for result in results)
    sim.take_counts()


def run_contender(contender: str, objects: int, args: Any, latency: float, trace: bool = False) -> list[Outcome]:
    jobs = ["create", "rerun"] + (["change10"] if objects > 1000 else [])
    settings = {"latency": latency, "server_time": args.server_time}
    options = {"workspace_mode": "normal", "request_history": 0, **settings}
    outcomes = []
    with CountedSimulator(**options) as sim:
        for job in jobs:
            outcome = run_job(sim, contender, job, objects, args.sample, trace)
            outcomes.append(outcome)
            check_and_fill(sim, job, objects, outcome.sampled or objects)
            sim.set(**settings)
    return outcomes


def floor_of(outcome: Outcome) -> int:
    return floor_requests(
        {"create": outcome.objects, "rerun": 0, "change10": math.ceil(outcome.objects / 10)}[outcome.job]
    )


def print_table(latency: float, server_time: float, outcomes: list[Outcome]) -> None:
    per_request = latency + server_time
    print(
        f"\nlatency {latency * 1000:g} ms, server time {server_time * 1000:g} ms per request "
        f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; pyfmg path: "
        "fmg.converge)"
    )
    header = (
        "objects",
        "job",
        "client",
        "requests",
        "floor",
        "x floor",
        "wall s",
        "floor s",
        "x floor",
        "pyFMG / pyfmg wall",
        "RSS MB: before, peak, after",
    )
    rows = []
    for outcome in outcomes:
        floor = floor_of(outcome)
        legacy = next(
            (o for o in outcomes if o.contender == "pyFMG" and (o.job, o.objects) == (outcome.job, outcome.objects)),
            None,
        )
        versus = f"{legacy.wall / outcome.wall:.2f}" if legacy is not None and outcome is not legacy else ""
        methods = ", ".join(f"{m} {c:,.0f}" for m, c in sorted(outcome.by_method.items()))
        rows.append(
            (
                f"{outcome.objects:,}",
                outcome.job,
                outcome.contender + (f" (sampled {outcome.sampled:,})" if outcome.sampled else ""),
                f"{outcome.requests:,.0f} ({methods})",
                f"{floor}",
                f"{outcome.requests / floor:.1f}",
                f"{outcome.wall:,.1f}",
                f"{floor * per_request:.2f}",
                f"{outcome.wall / (floor * per_request):.1f}" if per_request else "",
                versus,
                ", ".join(
                    f"{outcome.memory[name] / 1024:.0f}" if name in outcome.memory else "-"
                    for name in ("rss_before_kb", "peak_rss_kb", "rss_after_kb")
                ),
            )
        )
    print_rows(header, rows)


def print_rows(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)))


def print_memory(outcomes: list[Outcome]) -> None:
    """What ``fmg.converge`` allocates (tracemalloc, after login): at its peak, in its result, after dropping it."""
    print("\npyfmg's memory (tracemalloc, from after login; untimed run without latency)")
    header = (
        "objects",
        "job",
        "peak MB",
        "result MB",
        "result bytes per object",
        "kept after drop kB",
        "after logout kB",
    )
    rows = []
    for outcome in outcomes:
        memory, base = outcome.memory, outcome.memory["traced_before_job"]
        result = memory["traced_with_result"] - base
        rows.append(
            (
                f"{outcome.objects:,}",
                outcome.job,
                f"{(memory['traced_peak'] - base) / 2**20:.1f}",
                f"{result / 2**20:.1f}",
                f"{result / outcome.objects:,.0f}",
                f"{(memory['traced_after'] - base) / 1024:,.1f}",
                f"{(memory['traced_after_logout'] - base) / 1024:,.1f}",
            )
        )
    print_rows(header, rows)


def repeat_child(host: str, objects: int, jobs: int) -> None:
    """``jobs`` converges of ``objects`` one after the other in this process; RSS after each, its result dropped."""
    with pyfmg.FortiManager(host, USER, PASSWORD, use_ssl=False) as fmg:
        for number in range(jobs):
            changed = number % 2 == 1  # create, then 10 % changed and back again, in turns
            result = fmg.converge(ADDRESS_URL, wanted_objects(objects, changed), key="name")
            summary = str(result.summary)
            del result
            gc.collect()
            rss, peak = rss_kb("VmRSS") / 1024, rss_kb("VmHWM") / 1024
            print(f"  job {number + 1:2}: {summary:32} RSS {rss:.0f} MB, peak so far {peak:.0f} MB")


def repeat(objects: int, jobs: int) -> None:
    print(f"\n{jobs} jobs of {objects:,} objects in one client process (no latency)", flush=True)
    with CountedSimulator(workspace_mode="normal", request_history=0) as sim:
        command = [sys.executable, __file__, "--repeat-child", sim.host, str(objects), str(jobs)]
        subprocess.run(command, check=True)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(json.loads(sys.argv[2]))
        return
    if sys.argv[1:2] == ["--repeat-child"]:
        repeat_child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    options = parser(__doc__ or "")
    options.add_argument("--latency", type=float, nargs="+", default=[0.02, 0.1])
    options.add_argument("--server-time", type=float, default=0.0)
    options.add_argument("--objects", type=int, nargs="+", default=[1000, 20000])
    options.add_argument("--sample", type=int, default=1000, help="objects a per-object loop runs on (1000)")
    options.add_argument("--only", choices=("pyfmg", "pyFMG"), help="run one contender")
    options.add_argument("--memory", action="store_true", help="then trace pyfmg's allocations in an untimed run")
    options.add_argument(
        "--repeat", type=int, default=0, help="then run this many jobs in one process (RSS after each)"
    )
    args = options.parse_args()
    if args.reference:
        os.environ["PYFMG_REFERENCE"] = args.reference
    load_reference(args.reference)  # fetched (and checked) once, before any timing
    contenders = [args.only] if args.only else ["pyfmg", "pyFMG"]
    for latency in args.latency:
        outcomes = []
        for objects in args.objects:
            for contender in contenders:
                outcomes.extend(run_contender(contender, objects, args, latency))
        print_table(latency, args.server_time, outcomes)
    if args.memory:
        args.server_time = 0.0
        print_memory(
            [outcome for objects in args.objects for outcome in run_contender("pyfmg", objects, args, 0.0, True)]
        )
    if args.repeat:
        repeat(max(args.objects), args.repeat)


if __name__ == "__main__":
    main()
