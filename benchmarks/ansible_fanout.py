"""Wall time of one Ansible play over 1, 3 and 10 simulated FortiManagers (forks = host count).

Each host converges ``--objects`` address objects with ``pyfmg.fortimanager.fmg_object``: a first
run creates them (reads, workspace lock, adds, commit), a second run finds nothing to do (reads
only). The simulators run in this process on 127.0.0.1; ansible-playbook runs as a subprocess,
as a user would run it.

    python benchmarks/ansible_fanout.py                      # 1, 3, 10 hosts, 100 objects, batch
    python benchmarks/ansible_fanout.py --mode loop --hosts 1 3 --objects 20

``batch`` converges all objects in one task (``objects:``, one login and one lock per host);
``loop`` runs one task per object (``loop:``), which is what most playbooks do.

``--mode play30`` runs the thirty-task play of the tests (tests/ansible/playbooks/httpapi_thirty.yml:
20 addresses, 3 groups, a policy, reads) twice per host count: through ``connection: httpapi``
(pyfmg's httpapi plugin, one login per host per play) and with ``connection: local`` and the
modules' own ``host`` options (one login per task). It prints wall time, per host and per task,
and the logins the simulators counted::

    python benchmarks/ansible_fanout.py --mode play30 --hosts 1 3 10 --latency 0.02
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import _ansible
import yaml

from pyfmg.testing import FMGSimulator

URL = "pm/config/adom/root/obj/firewall/address"


def playbook(objects: int, mode: str) -> list[dict]:
    connection = {
        "host": "{{ fmg_host }}",
        "username": "admin",
        "password": "password",
        "use_ssl": False,
        "url": URL,
    }
    if mode == "batch":
        items = [
            {"name": f"bench-{n:04d}", "attributes": {"subnet": f"10.{n // 250}.{n % 250}.1/32", "comment": "bench"}}
            for n in range(objects)
        ]
        task = {"name": "converge objects", "pyfmg.fortimanager.fmg_object": {**connection, "objects": items}}
    else:
        task = {
            "name": "converge objects",
            "pyfmg.fortimanager.fmg_object": {
                **connection,
                "name": "bench-{{ '%04d' % item }}",
                "attributes": {"subnet": "10.{{ item // 250 }}.{{ item % 250 }}.1/32", "comment": "bench"},
            },
            "loop": f"{{{{ range({objects}) | list }}}}",
        }
    return [
        {"name": "fan-out", "hosts": "fortimanagers", "connection": "local", "gather_facts": False, "tasks": [task]}
    ]


def run_play(
    workdir: Path, inventory: Path, book: Path, forks: int, collections: tuple[str, ...] = ()
) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    completed = _ansible.run_playbook(inventory, book, _ansible.playbook_environment(workdir, forks, collections))
    elapsed = time.perf_counter() - started
    recap = {host: r["changed"] for host, r in _ansible.play_recap(completed.stdout).items() if r["failed"] == 0}
    if completed.returncode != 0 or len(recap) != forks:
        sys.exit(f"ansible-playbook failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return elapsed, recap


def measure(hosts: int, objects: int, mode: str) -> tuple[float, float]:
    sims = [FMGSimulator(workspace_mode="normal").start() for _ in range(hosts)]
    try:
        with tempfile.TemporaryDirectory(prefix="fanout-") as tmp:
            workdir = Path(tmp)
            inventory = workdir / "inventory.yml"
            inventory.write_text(json.dumps(_ansible.inventory(_ansible.local_host(sim.host) for sim in sims)))
            book = workdir / "play.yml"
            book.write_text(json.dumps(playbook(objects, mode)))
            first, changed = run_play(workdir, inventory, book, hosts)
            if set(changed.values()) != {1}:
                sys.exit(f"first run should change every host once: {changed}")
            second, changed = run_play(workdir, inventory, book, hosts)
            if set(changed.values()) != {0}:
                sys.exit(f"second run should change nothing: {changed}")
            for sim in sims:
                names = {row["name"] for row in sim.objects(URL)}
                assert len([n for n in names if n.startswith("bench-")]) == objects
                assert sim.locks == {} and sim.sessions == {}
            return first, second
    finally:
        for sim in sims:
            sim.stop()


THIRTY = _ansible.REPO / "tests" / "ansible" / "playbooks" / "httpapi_thirty.yml"
PASSWORD = "bench-password"


def login_count(sim: FMGSimulator) -> int:
    count = 0
    for request in sim.requests:
        body = request.json
        if isinstance(body, dict) and body.get("method") == "exec":
            count += sum(1 for p in body.get("params") or [] if str(p.get("url", "")).strip("/") == "sys/login/user")
    return count


def play30(hosts: int, connection: str, latency: float) -> tuple[float, int]:
    """Wall time of the thirty-task play (first run) and the logins it cost, over ``hosts`` simulators."""
    sims = [
        FMGSimulator(users={"admin": PASSWORD}, workspace_mode="normal", latency=latency).start() for _ in range(hosts)
    ]
    try:
        with tempfile.TemporaryDirectory(prefix="fanout-") as tmp:
            workdir = Path(tmp)
            hosts_vars = [
                _ansible.httpapi_host(sim.host, PASSWORD) if connection == "httpapi" else _ansible.local_host(sim.host)
                for sim in sims
            ]
            (workdir / "inventory.yml").write_text(json.dumps(_ansible.inventory(hosts_vars)))
            play = yaml.safe_load(THIRTY.read_text())
            if connection == "local":
                play[0]["module_defaults"] = _ansible.local_module_defaults(PASSWORD)
            book = workdir / "play.yml"
            book.write_text(json.dumps(play))
            elapsed, changed = run_play(workdir, workdir / "inventory.yml", book, hosts, ("ansible.netcommon",))
            if set(changed.values()) != {24}:
                sys.exit(f"the first run should change 24 objects on every host: {changed}")
            logins = sum(login_count(sim) for sim in sims)
            for sim in sims:
                assert sim.locks == {} and sim.sessions == {}
            return elapsed, logins
    finally:
        for sim in sims:
            sim.stop()


def main_play30(hosts_list: list[int], latency: float, repeat: int) -> None:
    print(f"{'hosts':>5} {'connection':>10} {'wall':>8} {'per host':>9} {'per task':>9} {'logins':>7}")
    for hosts in hosts_list:
        for connection in ("httpapi", "local"):
            rounds = [play30(hosts, connection, latency) for _ in range(repeat)]
            wall = min(r[0] for r in rounds)
            logins = rounds[0][1]
            per_host = wall / hosts
            print(f"{hosts:>5} {connection:>10} {wall:>7.1f}s {per_host:>8.2f}s {per_host / 30:>8.3f}s {logins:>7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[1, 3, 10])
    parser.add_argument("--objects", type=int, default=100)
    parser.add_argument("--mode", choices=["batch", "loop", "play30"], default="batch")
    parser.add_argument("--latency", type=float, default=0.0, help="simulated FortiManager seconds per request")
    parser.add_argument("--repeat", type=int, default=1, help="best of this many rounds (noisy machines)")
    args = parser.parse_args()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"mode={args.mode} objects/host={args.objects} cores={os.cpu_count()} load average={load} "
        f"python={sys.version.split()[0]} latency={args.latency}s best of {args.repeat}"
    )
    if args.mode == "play30":
        if _ansible.collection_root("ansible.netcommon") is None:
            sys.exit("connection: httpapi needs the ansible.netcommon collection: pip install ansible")
        main_play30(args.hosts, args.latency, args.repeat)
        return
    print(f"{'hosts':>5} {'create: wall':>13} {'per host':>9} {'converged: wall':>16} {'per host':>9}")
    for hosts in args.hosts:
        rounds = [measure(hosts, args.objects, args.mode) for _ in range(args.repeat)]
        first = min(r[0] for r in rounds)
        second = min(r[1] for r in rounds)
        print(f"{hosts:>5} {first:>12.2f}s {first / hosts:>8.2f}s {second:>15.2f}s {second / hosts:>8.2f}s", flush=True)


if __name__ == "__main__":
    main()
