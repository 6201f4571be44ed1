"""How long after a task reaches 100 % does track_task return, and how many polls did it send? pyfmg vs pyFMG 0.8.6.3.

    python benchmarks/bench_track_task.py [--reference ...] [--latency 0.02 0.1] [--durations 2 10]
                                          [--server-time 0] [--rounds 5]

For each latency, a simulator (own process, ``--latency``, ``--task-duration``) runs each task
(one line, percent in steps of 10) for exactly its duration from its creation.  The task is
created by the request whose reply arrives just after the simulator created it, so the 100 %
moment is taken as the arrival of that reply plus the duration (the simulator answers at once
after creating it: the error is well under a millisecond).  Both clients use track_task's
defaults (``sleep_time=3``).  Polls are counted from request ids.  Overshoot = time from 100 % to
track_task returning; the table gives the median and the worst of ``--rounds`` tasks.  Round ``r``
calls track_task ``r / rounds`` of a progress step (a tenth of the task) after the task began,
so that the rounds meet the task's steps at evenly spread moments (started at once, every round
would poll at the same moments of the task and see the same overshoot).
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from _harness import PASSWORD, USER, load_reference, parser, simulator

import pyfmg


def follow(client: Any, duration: float, offset: float) -> tuple[float, int]:
    """Overshoot after 100 % and number of polls for one task tracked from ``offset`` seconds after it began."""
    _code, reply = client.free_form("exec", create_task={"adom": "root"}, data=[{"url": "sys/status"}])
    created = time.perf_counter()
    time.sleep(offset)  # the benchmark's own pause, not a wait for a condition
    task_id = reply[0]["data"]["task"]
    first_id = client.req_id
    code, task = client.track_task(task_id)
    returned = time.perf_counter()
    assert code == 0 and task["percent"] == 100, (code, task)
    return returned - (created + duration), client.req_id - first_id


def main() -> None:
    options = parser(__doc__ or "")
    options.add_argument("--latency", type=float, nargs="+", default=[0.02, 0.1])
    options.add_argument("--durations", type=float, nargs="+", default=[2.0, 10.0])
    options.add_argument("--server-time", type=float, default=0.0, help="simulator --server-time (0)")
    options.add_argument("--rounds", type=int, default=5)
    args = options.parse_args()
    legacy = load_reference(args.reference)
    rows = []
    for latency in args.latency:
        for duration in args.durations:
            late: dict[str, list[float]] = {"pyfmg": [], "pyFMG": []}
            polls: dict[str, list[int]] = {"pyfmg": [], "pyFMG": []}
            command = ["--task-duration", str(duration), "--latency", str(latency)]
            with simulator(*command, "--server-time", str(args.server_time)) as host:
                ours = pyfmg.FortiManager(host, USER, PASSWORD, use_ssl=False)
                theirs = legacy.FortiManager(host, USER, PASSWORD, use_ssl=False)
                ours.login()
                theirs.login()
                for number in range(args.rounds):
                    offset = number / args.rounds * duration / 10
                    for name, client in (("pyfmg", ours), ("pyFMG", theirs)):
                        overshoot, count = follow(client, duration, offset)
                        late[name].append(overshoot)
                        polls[name].append(count)
                ours.logout()
                theirs.logout()
            for name in ("pyfmg", "pyFMG"):
                rows.append(
                    (
                        f"{latency * 1000:g} ms",
                        f"{duration:g} s",
                        name,
                        f"{statistics.median(polls[name]):g} ({min(polls[name])}-{max(polls[name])})",
                        f"{statistics.median(late[name]):.3f}",
                        f"{max(late[name]):.3f}",
                    )
                )
    print(
        f"\ntrack_task defaults (sleep_time=3), {args.rounds} tasks each, server time {args.server_time:g} s "
        f"(pyfmg vs pyFMG 0.8.6.3, Python {sys.version.split()[0]})"
    )
    header = ("latency", "task", "client", "polls/task median (range)", "overshoot median s", "overshoot max s")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)))


if __name__ == "__main__":
    main()
