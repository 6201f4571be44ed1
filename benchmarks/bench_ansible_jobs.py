"""Many objects through ONE fmg_object task (``objects:``), against the round-trip floor.

    python benchmarks/bench_ansible_jobs.py [--objects 20000] [--latency 0.02] [--repeat 3]

A simulator in its own process (workspace mode, ``--latency`` seconds on every request; it counts
the requests itself, see ``_harness.CountedSimulator``) and ``ansible-playbook`` over
``connection: httpapi`` with pyfmg's plugin, the objects in a vars file (``objects: "{{ addresses }}"``,
each ``{name, attributes: {subnet, comment}}``).  Three plays, each a fresh ``ansible-playbook``:

- ``create``: one task creates N addresses;
- ``rerun``: the same task again on a new connection (nothing to change);
- ``memory``: the same task ``--repeat`` times in one play, on one connection: the connection
  process's resident memory is sampled (``/proc``) and its peak during each task printed, so a
  job that kept per-object state after it ended would show growth from task to task.

For each play: the task's own seconds (from a callback, start to result), the play's wall seconds
(``ansible-playbook`` start to end: Python start-up, inventory, login, logout), the requests the
simulator received, and the floor: login, mode check, the read (one request with the table's
syntax, its row count and first 10,000 rows, then a request per further 10,000 rows, the
simulator's own addresses included), lock, N / 100 writes, commit, unlock, logout on create; no
lock, write or commit on a rerun.  This process adopts the daemonised
``ansible-connection`` processes (a subreaper) so that it can find and sample them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import _ansible
from _harness import ADDRESS_URL, PASSWORD, USER, CountedSimulator

from pyfmg import FortiManager

CALLBACK = '''
import json, os, time
from ansible.plugins.callback import CallbackBase

class CallbackModule(CallbackBase):
    """Writes each task's start and end (time.time()) as JSON lines to $TASK_TIMES."""
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_times"
    CALLBACK_NEEDS_ENABLED = False

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task = (task.get_name(), time.time())

    def _end(self, result, status):
        name, start = self._task
        with open(os.environ["TASK_TIMES"], "a") as out:
            out.write(json.dumps({"task": name, "start": start, "end": time.time(), "status": status,
                                  "changed": bool(result._result.get("changed"))}) + "\\n")

    def v2_runner_on_ok(self, result):
        self._end(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._end(result, "failed")
'''


def connection_processes() -> dict[int, int]:
    """``{pid: resident kB}`` of the ansible-connection processes this process adopted."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                if b"ansible_connection_cli_stub" not in cmdline.read():
                    continue
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
            if int(fields["PPid"]) == os.getpid():
                found[int(entry)] = int(fields["VmRSS"].split()[0])
        except (OSError, KeyError, ValueError):
            continue
    return found


def reap_connections() -> None:
    """Collect the adopted connection processes that ended (not the simulator, which runs on)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


class Sampler(threading.Thread):
    """Samples the connection processes' resident memory every 50 ms: ``(time, kB)``."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, int]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.05):
            for rss in connection_processes().values():
                self.samples.append((time.time(), rss))


def write_files(workdir: Path, host: str, objects: int, repeat: int) -> None:
    # A 20,000-object job takes longer than the default 30 s a connection call may.
    fmg = dict(_ansible.httpapi_host(host, PASSWORD, user=USER), ansible_command_timeout=600)
    (workdir / "hosts.yml").write_text(json.dumps(_ansible.inventory([fmg])))
    addresses = [
        {
            "name": f"a{i:06d}",
            "attributes": {"subnet": f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}/32", "comment": "feed"},
        }
        for i in range(objects)
    ]
    (workdir / "addresses.json").write_text(json.dumps({"addresses": addresses}))
    task = {
        "name": "Converge the addresses",
        "pyfmg.fortimanager.fmg_object": {
            "url": ADDRESS_URL,
            "objects": "{{ addresses }}",
        },
        "register": "job",
    }
    for name, count in (("once", 1), ("repeat", repeat)):
        play = [
            {
                "name": "One task, many objects",
                "hosts": "fortimanagers",
                "gather_facts": False,
                "vars_files": [str(workdir / "addresses.json")],
                "tasks": [dict(task, name=f"Converge the addresses ({number + 1})") for number in range(count)],
            }
        ]
        (workdir / f"{name}.yml").write_text(json.dumps(play))
    (workdir / "callback_plugins").mkdir(exist_ok=True)
    (workdir / "callback_plugins" / "task_times.py").write_text(CALLBACK)


def environment(workdir: Path) -> dict[str, str]:
    env = _ansible.playbook_environment(workdir, 1, ["ansible.netcommon"])
    env.update(ANSIBLE_CALLBACK_PLUGINS=str(workdir / "callback_plugins"), TASK_TIMES=str(workdir / "times.jsonl"))
    return env


def run_play(workdir: Path, book: str, sampler: Sampler) -> dict[str, Any]:
    times = workdir / "times.jsonl"
    times.unlink(missing_ok=True)
    started = time.perf_counter()
    completed = _ansible.run_playbook(workdir / "hosts.yml", workdir / book, environment(workdir), cwd=workdir)
    wall = time.perf_counter() - started
    deadline = time.monotonic() + 60
    while connection_processes() and time.monotonic() < deadline:  # they end when the play closes them
        time.sleep(0.05)
    reap_connections()
    tasks = [json.loads(line) for line in times.read_text().splitlines()]
    if completed.returncode != 0 or any(task["status"] != "ok" for task in tasks):
        sys.exit(f"ansible-playbook failed:\n{(completed.stdout + completed.stderr)[-4000:]}")
    for task in tasks:
        during = [rss for moment, rss in sampler.samples if task["start"] <= moment <= task["end"]]
        task["peak_rss_mb"] = max(during) / 1024 if during else float("nan")
        task["seconds"] = task["end"] - task["start"]
    return {"wall": wall, "tasks": tasks}


def floor_requests(rows: int, written: int) -> int:
    """Login, mode check, reads of a table of ``rows`` rows, lock, writes, commit, unlock (when writing), logout."""
    reads = 1 if rows <= 10_000 else 1 + math.ceil((rows - 10_000) / 10_000)
    writes = math.ceil(written / 100)
    return 1 + 1 + reads + ((1 + writes + 1 + 1) if written else 0) + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--objects", type=int, default=20_000)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=3, help="tasks of the memory play")
    args = parser.parse_args()
    _ansible.become_subreaper()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"objects={args.objects} latency={args.latency} cores={os.cpu_count()} load average={load}", flush=True)
    sampler = Sampler()
    sampler.start()
    options = {"workspace_mode": "normal", "request_history": 0, "latency": args.latency}
    with CountedSimulator(**options) as sim, tempfile.TemporaryDirectory(prefix="ansiblejobs-") as tmp:
        workdir = Path(tmp)
        write_files(workdir, sim.host, args.objects, args.repeat)
        with FortiManager(sim.host, USER, PASSWORD, use_ssl=False) as fmg:
            code, default_rows = fmg.get(ADDRESS_URL, option="count")  # the simulator's own addresses
            assert code == 0, default_rows
        jobs = (("create", default_rows, args.objects), ("rerun", default_rows + args.objects, 0))
        for label, rows, written in jobs:
            sim.take_counts()
            outcome = run_play(workdir, "once.yml", sampler)
            counts = sim.take_counts()
            (task,) = outcome["tasks"]
            floor = floor_requests(rows, written)
            print(
                f"{label:>7}: task {task['seconds']:6.1f} s, play {outcome['wall']:6.1f} s, "
                f"requests {counts['requests']} (floor {floor}, {counts['requests'] / floor:.2f}x), "
                f"changed={task['changed']}, connection peak RSS {task['peak_rss_mb']:.0f} MB",
                flush=True,
            )
        outcome = run_play(workdir, "repeat.yml", sampler)
        peaks = ", ".join(f"{task['peak_rss_mb']:.0f}" for task in outcome["tasks"])
        seconds = ", ".join(f"{task['seconds']:.1f}" for task in outcome["tasks"])
        print(f" memory: {args.repeat} reruns on one connection: task seconds {seconds}; peak RSS MB {peaks}")
    sampler.stopped.set()


if __name__ == "__main__":
    main()
