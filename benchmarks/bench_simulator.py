"""The simulator's own speed: small gets per second (1 and 8 client threads), bulk adds, memory over time.

    python benchmarks/bench_simulator.py [--baseline REV] [--gets 5000] [--objects 10000] [--soak 100000]

The simulator runs in its own process; the client is a bare ``http.client`` connection per thread
sending prepared JSON-RPC bodies, so the figures are the server's, not a client library's.  With
``--baseline REV`` (default: the commit before the new server loop) the same measures run against
that revision's simulator too (checked out with ``git archive`` into a temporary directory), in
alternating rounds, and the ratios are printed.

Measures:

- small get: ``get pm/config/adom/root/obj/firewall/address/all`` over a kept-alive connection;
- bulk adds: ``--objects`` addresses as 100 ``add`` requests of 100 objects each, one connection;
- idle: the simulator's CPU time while nobody calls it for ``--idle`` seconds;
- memory: the simulator's resident set (``VmRSS``) after 1,000 requests and after ``--soak``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator

BASELINE = "b688226"  # main before the simulator's own server loop
URL = "pm/config/adom/root/obj/firewall/address"
LAUNCH_FROM = (
    "import runpy, sys; sys.path.insert(0, {path!r}); "
    "sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in getattr(f, '__module__', '')]; "
    "import pyfmg.testing; assert pyfmg.testing.__file__.startswith({path!r}); "
    "runpy.run_module('pyfmg.testing', run_name='__main__')"
)


@contextlib.contextmanager
def simulator(pythonpath: str | None) -> Iterator[tuple[str, int, int]]:
    command = [sys.executable, "-m", "pyfmg.testing"]
    if pythonpath:
        # An editable install's import hook would win over PYTHONPATH: drop it in the child.
        command = [sys.executable, "-c", LAUNCH_FROM.format(path=pythonpath)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            match = re.search(r"host: (\S+):(\d+)", line)
            if match:
                yield match.group(1), int(match.group(2)), process.pid
                break
        else:
            raise SystemExit("the simulator did not start")
    finally:
        # SIGTERM, not SIGINT: a benchmark started as a shell background job passes SIGINT on ignored.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class Client:
    def __init__(self, host: str, port: int) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.session = None
        reply = self.call("exec", {"url": "sys/login/user", "data": {"user": "admin", "passwd": "password"}})
        self.session = reply["session"]

    def body(self, method: str, *params: dict) -> bytes:
        return json.dumps({"id": 1, "method": method, "params": list(params), "session": self.session}).encode()

    def post(self, body: bytes) -> bytes:
        self.conn.request("POST", "/jsonrpc", body, {"Content-Type": "application/json"})
        return self.conn.getresponse().read()

    def call(self, method: str, *params: dict) -> dict:
        return json.loads(self.post(self.body(method, *params)))


def gets_per_second(host: str, port: int, threads: int, calls: int) -> float:
    clients = [Client(host, port) for _ in range(threads)]
    bodies = [c.body("get", {"url": f"{URL}/all"}) for c in clients]
    for client, body in zip(clients, bodies):
        for _ in range(50):  # warm up
            client.post(body)
    barrier = threading.Barrier(threads + 1)

    def work(client: Client, body: bytes) -> None:
        barrier.wait()
        for _ in range(calls):
            client.post(body)

    workers = [threading.Thread(target=work, args=pair) for pair in zip(clients, bodies)]
    for worker in workers:
        worker.start()
    barrier.wait()
    start = time.perf_counter()
    for worker in workers:
        worker.join()
    return threads * calls / (time.perf_counter() - start)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the simulator process has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bulk_adds(host: str, port: int, objects: int, prefix: str) -> float:
    client = Client(host, port)
    chunks = []
    for first in range(0, objects, 100):
        items = [
            {"name": f"{prefix}{i:06d}", "subnet": f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}/32"}
            for i in range(first, min(first + 100, objects))
        ]
        chunks.append(client.body("add", {"url": URL, "data": items}))
    start = time.perf_counter()
    for body in chunks:
        client.post(body)
    return time.perf_counter() - start


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def soak(host: str, port: int, pid: int, requests: int) -> tuple[float, float]:
    client = Client(host, port)
    body = client.body("get", {"url": f"{URL}/all"})
    for _ in range(1000):
        client.post(body)
    early = rss_mb(pid)
    for _ in range(requests - 1000):
        client.post(body)
    return early, rss_mb(pid)


def checkout(rev: str, into: str) -> str:
    archive = subprocess.run(["git", "archive", rev, "pyfmg"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return into


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--baseline", default=BASELINE, help="git revision to compare with ('' for none)")
    options.add_argument("--gets", type=int, default=5000, help="gets per thread per round")
    options.add_argument("--objects", type=int, default=10000)
    options.add_argument("--rounds", type=int, default=3)
    options.add_argument("--idle", type=float, default=5.0, help="seconds of idling to measure")
    options.add_argument("--soak", type=int, default=100000, help="requests for the memory measure (0: skip)")
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        contenders = {"now": None}
        if args.baseline:
            contenders[args.baseline] = checkout(args.baseline, scratch)
        figures: dict[str, dict[str, list[float]]] = {name: {} for name in contenders}
        for round_number in range(args.rounds):
            for name, path in contenders.items():
                with simulator(path) as (host, port, pid):
                    measures = figures[name]
                    before = cpu_seconds(pid)
                    measures.setdefault("gets/s, 1 thread", []).append(gets_per_second(host, port, 1, args.gets))
                    per_get = (cpu_seconds(pid) - before) / (args.gets + 51) * 1e6
                    measures.setdefault("server CPU per get, us", []).append(per_get)
                    measures.setdefault("gets/s, 8 threads", []).append(gets_per_second(host, port, 8, args.gets // 4))
                    before = cpu_seconds(pid)
                    seconds = bulk_adds(host, port, args.objects, f"r{round_number}-")
                    measures.setdefault(f"{args.objects} bulk adds, s", []).append(seconds)
                    measures.setdefault("server CPU per added object, us", []).append(
                        (cpu_seconds(pid) - before) / args.objects * 1e6
                    )
        for name, path in contenders.items():
            with simulator(path) as (_host, _port, pid):
                time.sleep(0.5)  # let it settle after start-up
                before = cpu_seconds(pid)
                time.sleep(args.idle)
                figures[name][f"CPU while idle for {args.idle:g} s, ms"] = [(cpu_seconds(pid) - before) * 1000]
        if args.soak:
            for name, path in contenders.items():
                with simulator(path) as (host, port, pid):
                    early, late = soak(host, port, pid, args.soak)
                figures[name]["RSS after 1,000 requests, MB"] = [early]
                figures[name][f"RSS after {args.soak:,} requests, MB"] = [late]
    python = sys.version.split()[0]
    print(f"simulator benchmark, median of {args.rounds} rounds (python {python}, {os.cpu_count()} CPUs)")
    names = list(contenders)
    print(f"  {'measure':36} " + " ".join(f"{n:>12}" for n in names) + ("   ratio" if len(names) == 2 else ""))
    for measure in figures["now"]:
        values = [statistics.median(figures[n][measure]) for n in names]
        ratio = f"   {values[0] / values[1]:.2f}" if len(values) == 2 and values[1] else ""
        spread = ", ".join(f"{min(figures[n][measure]):.2f}-{max(figures[n][measure]):.2f}" for n in names)
        print(f"  {measure:36} " + " ".join(f"{v:12.2f}" for v in values) + ratio + f"   (range {spread})")


if __name__ == "__main__":
    main()
