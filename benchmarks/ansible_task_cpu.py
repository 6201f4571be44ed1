"""Controller CPU per task: pyfmg.fortimanager against fortinet.fortimanager on the same play.

Both collections run one realistic play (tests/ansible/playbooks/realistic_pyfmg.yml and
realistic_fortinet.yml: facts, four addresses, a group, a delete, a policy, a read, an install
preview and an install) over ``connection: httpapi`` against simulators on 127.0.0.1, first on an
empty FortiManager (create), then again (rerun). Rounds alternate the collections, so that a busy
machine slows both alike; the figures are medians over the rounds.

CPU is that of the whole process tree ansible-playbook starts: its workers, the module processes
and the ``ansible-connection`` processes, which detach from ansible-playbook (this process becomes
their subreaper, so their CPU is counted when they end). The simulators run in this process and
are not counted. Per task = CPU / tasks run (the recap's ``ok`` over all hosts).

    python benchmarks/ansible_task_cpu.py                    # 5 rounds, 1 host, both collections
    python benchmarks/ansible_task_cpu.py --rounds 7 --hosts 2
    python benchmarks/ansible_task_cpu.py --connection local  # pyfmg with a login per task
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _ansible

from pyfmg import FortiManager
from pyfmg.testing import FMGSimulator

PLAYS = _ansible.REPO / "tests" / "ansible" / "playbooks"
PASSWORD = "bench-password"
COLLECTIONS = ("ansible.netcommon", "fortinet.fortimanager")


def reap_all() -> None:
    """Wait for every descendant left (connection processes end when the play closes them)."""
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


def inventory_host(sim: FMGSimulator, dialect: str, connection: str) -> dict[str, Any]:
    if connection == "httpapi":
        return _ansible.httpapi_host(sim.host, PASSWORD, network_os=f"{dialect}.fortimanager.fortimanager")
    return _ansible.local_host(sim.host)


def play(dialect: str, connection: str) -> list[dict[str, Any]]:
    import yaml

    book = yaml.safe_load((PLAYS / f"realistic_{dialect}.yml").read_text())
    if connection == "local":
        book[0]["module_defaults"] = _ansible.local_module_defaults(PASSWORD)
    return book


def seed(sim: FMGSimulator) -> None:
    """The address the play deletes."""
    with FortiManager(sim.host, "admin", PASSWORD, use_ssl=False) as fmg, fmg.workspace("root"):
        code, _ = fmg.add(
            "pm/config/adom/root/obj/firewall/address", data={"name": "legacy-web", "subnet": "10.9.9.9/32"}
        )
        assert code == 0, code


def run_once(workdir: Path, book: Path, hosts: Path, forks: int) -> tuple[float, float, int, int, str]:
    """CPU seconds of the process tree, wall seconds, tasks run, changes, output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = _ansible.run_playbook(hosts, book, _ansible.playbook_environment(workdir, forks, COLLECTIONS))
    wall = time.perf_counter() - started
    reap_all()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    output = completed.stdout + completed.stderr
    recaps = _ansible.play_recap(completed.stdout).values()
    if completed.returncode != 0 or len(recaps) != forks or any(r["failed"] for r in recaps):
        sys.exit(f"ansible-playbook failed:\n{output[-4000:]}")
    return cpu, wall, sum(r["ok"] for r in recaps), sum(r["changed"] for r in recaps), output


def one_round(dialect: str, connection: str, hosts: int) -> dict[str, Any]:
    sims = [
        FMGSimulator(users={"admin": PASSWORD}, workspace_mode="normal", task_duration=0.3).start()
        for _ in range(hosts)
    ]
    try:
        for sim in sims:
            seed(sim)
            sim.clear_requests()
        with tempfile.TemporaryDirectory(prefix="taskcpu-") as tmp:
            workdir = Path(tmp)
            (workdir / "hosts.yml").write_text(
                json.dumps(_ansible.inventory(inventory_host(sim, dialect, connection) for sim in sims))
            )
            (workdir / "play.yml").write_text(json.dumps(play(dialect, connection)))
            figures: dict[str, Any] = {}
            for run in ("create", "rerun"):
                cpu, wall, tasks, changed, _ = run_once(workdir, workdir / "play.yml", workdir / "hosts.yml", hosts)
                requests = sum(len(sim.requests) for sim in sims) / hosts
                figures[run] = {"cpu": cpu, "wall": wall, "tasks": tasks, "changed": changed, "requests": requests}
                for sim in sims:
                    sim.clear_requests()
            for sim in sims:
                assert sim.locks == {} and sim.sessions == {}, (sim.locks, sim.sessions)
            return figures
    finally:
        for sim in sims:
            sim.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--hosts", type=int, default=1)
    parser.add_argument("--connection", choices=["httpapi", "local"], default="httpapi", help="for pyfmg's play")
    parser.add_argument("--only", choices=["pyfmg", "fortinet"], help="measure one collection")
    args = parser.parse_args()
    _ansible.become_subreaper()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"hosts={args.hosts} rounds={args.rounds} pyfmg connection={args.connection} cores={os.cpu_count()} "
        f"load average={load} python={sys.version.split()[0]}",
        flush=True,
    )
    dialects = [args.only] if args.only else ["pyfmg", "fortinet"]
    results: dict[str, list[dict[str, Any]]] = {dialect: [] for dialect in dialects}
    for number in range(args.rounds):
        order = dialects if number % 2 == 0 else dialects[::-1]
        for dialect in order:
            connection = args.connection if dialect == "pyfmg" else "httpapi"
            figures = one_round(dialect, connection, args.hosts)
            results[dialect].append(figures)
            line = "  ".join(
                f"{run}: {f['cpu']:5.1f} CPU-s {f['tasks']:3d} tasks {f['cpu'] / f['tasks']:.3f}/task "
                f"changed={f['changed']} requests/host={f['requests']:.0f} wall {f['wall']:5.1f}s"
                for run, f in figures.items()
            )
            print(f"round {number + 1} {dialect:>8}: {line}", flush=True)
    print("\nmedian CPU seconds per task (ansible-connection processes included)")
    medians: dict[str, dict[str, float]] = {}
    for dialect in dialects:
        medians[dialect] = {
            run: statistics.median(r[run]["cpu"] / r[run]["tasks"] for r in results[dialect])
            for run in ("create", "rerun")
        }
        per_play = {run: statistics.median(r[run]["cpu"] for r in results[dialect]) for run in ("create", "rerun")}
        print(
            f"{dialect:>8}: create {medians[dialect]['create']:.3f} s/task ({per_play['create']:.1f} s/play), "
            f"rerun {medians[dialect]['rerun']:.3f} s/task ({per_play['rerun']:.1f} s/play)"
        )
    if len(dialects) == 2:
        for run in ("create", "rerun"):
            ratio = medians["pyfmg"][run] / medians["fortinet"][run]
            print(f"pyfmg / fortinet per task, {run}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
