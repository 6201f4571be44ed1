"""A 2-second task: how long after it reaches 100 % does track_task return? pyfmg vs pyFMG 0.8.6.3.

    python benchmarks/bench_track_task.py [--reference ...] [--duration 2] [--rounds 3]

The simulator (own process, ``--task-duration``) runs each task for exactly ``--duration``
seconds from its creation.  The 100 % moment is taken as the time just before the request that
created the task, so the lateness printed errs on the high side by up to one round trip.  Both
clients use track_task's defaults (``sleep_time=3``).  Polls are counted from request ids.
"""

from __future__ import annotations

import time
from typing import Any

from _harness import PASSWORD, USER, load_reference, parser, report, simulator

import pyfmg


def follow(client: Any, duration: float) -> tuple[float, int]:
    """Lateness after 100 % and number of polls for one task."""
    before = time.perf_counter()
    _code, reply = client.free_form("exec", create_task={"adom": "root"}, data=[{"url": "sys/status"}])
    task_id = reply[0]["data"]["task"]
    first_id = client.req_id
    code, task = client.track_task(task_id)
    returned = time.perf_counter()
    assert code == 0 and task["percent"] == 100, (code, task)
    return returned - (before + duration), client.req_id - first_id


def main() -> None:
    options = parser(__doc__ or "")
    options.add_argument("--duration", type=float, default=2.0)
    options.add_argument("--rounds", type=int, default=3)
    args = options.parse_args()
    legacy = load_reference(args.reference)
    late: dict[str, list[float]] = {"pyfmg": [], "pyFMG": []}
    polls: dict[str, list[int]] = {"pyfmg": [], "pyFMG": []}
    with simulator("--task-duration", str(args.duration)) as host:
        ours = pyfmg.FortiManager(host, USER, PASSWORD, use_ssl=False)
        theirs = legacy.FortiManager(host, USER, PASSWORD, use_ssl=False)
        ours.login()
        theirs.login()
        for _ in range(args.rounds):
            for name, client in (("pyfmg", ours), ("pyFMG", theirs)):
                lateness, count = follow(client, args.duration)
                late[name].append(lateness)
                polls[name].append(count)
        ours.logout()
        theirs.logout()
    worst_ours, worst_theirs = max(late["pyfmg"]), max(late["pyFMG"])
    ratio = f"{worst_ours / worst_theirs:.2f}"
    report(
        f"a {args.duration:g}-second task, track_task defaults (sleep_time=3), worst of {args.rounds}",
        [
            ("returned after 100 %", f"{worst_ours:.3f} s", f"{worst_theirs:.3f} s", ratio),
            ("polls per task", f"{max(polls['pyfmg'])}", f"{max(polls['pyFMG'])}", ""),
        ],
    )
    print(f"  every round pyfmg: {[round(x, 3) for x in late['pyfmg']]} s, polls {polls['pyfmg']}")
    print(f"  every round pyFMG: {[round(x, 3) for x in late['pyFMG']]} s, polls {polls['pyFMG']}")


if __name__ == "__main__":
    main()
