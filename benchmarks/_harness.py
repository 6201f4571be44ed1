"""Shared pieces of the benchmarks: a simulator in its own process, pyFMG 0.8.6.3 loaded by path, timing.

The simulator runs in a child process so that its work (and its memory) is not counted against
either client, and both clients talk to the same one over 127.0.0.1.  pyFMG is loaded from its
source file under another module name: the ``pyFMG`` import name belongs to pyfmg's alias.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import os
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from types import ModuleType
from typing import Any, Callable

DEFAULT_REFERENCE = ""  # the hash-pinned wheel tests/compat fetches (cached in ~/.cache/pyfmg-compat)
USER, PASSWORD = "admin", "password"  # the simulator's built-in test account
ADDRESS_URL = "pm/config/adom/root/obj/firewall/address"


def parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--reference",
        default=os.environ.get("PYFMG_REFERENCE", DEFAULT_REFERENCE),
        help="path of pyFMG 0.8.6.3's pyFMG/fortimgr.py (default: the wheel tests/compat downloads and pins)",
    )
    return parser


def load_reference(path: str) -> ModuleType:
    """pyFMG 0.8.6.3's fortimgr module, loaded from ``path`` as ``pyfmg_0863`` (no path: as tests/compat gets it)."""
    if not path:
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        from tests.compat import reference

        return reference.load()
    spec = importlib.util.spec_from_file_location("pyfmg_0863", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load pyFMG from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def simulator(*options: str) -> Iterator[str]:
    """Run ``python -m pyfmg.testing`` with ``options`` in a child process; yield its host:port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pyfmg.testing", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            match = re.search(r"host: (\S+)", line)
            if match:
                yield match.group(1)
                break
        else:
            raise SystemExit("the simulator did not start")
    finally:
        process.terminate()
        process.wait(timeout=10)


def seconds(call: Callable[[], Any], repeat: int) -> list[float]:
    """Wall time of ``repeat`` calls, one figure each."""
    figures = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        figures.append(time.perf_counter() - start)
    return figures


def peak_bytes(call: Callable[[], Any]) -> int:
    """Peak Python heap growth (tracemalloc) while ``call`` runs and its result is alive."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = call()
        peak = tracemalloc.get_traced_memory()[1] - base
        del result
    finally:
        tracemalloc.stop()
    return peak


def median(figures: list[float]) -> float:
    return statistics.median(figures)


def report(title: str, rows: list[tuple[str, str, str, str]]) -> None:
    """Print a small table: measure, pyfmg, pyFMG 0.8.6.3, ratio."""
    print(f"\n{title}  (nproc={os.cpu_count()}, Python {sys.version.split()[0]})")
    header = ("measure", "pyfmg", "pyFMG 0.8.6.3", "pyfmg / pyFMG")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)))


CANNED_SERVER = r"""
import re, socket, sys, threading
reply = open(sys.argv[1], "rb").read()  # a JSON-RPC reply whose text starts with '{"id": <n>'
tail = reply[reply.index(b",") :]
listener = socket.create_server(("127.0.0.1", 0))
print("host: 127.0.0.1:%d" % listener.getsockname()[1], flush=True)

def serve(conn):
    data = b""
    while True:
        while b"\r\n\r\n" not in data:
            more = conn.recv(65536)
            if not more:
                return
            data += more
        head, _, data = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        while len(data) < length:
            data += conn.recv(65536)
        body, data = data[:length], data[length:]
        request_id = re.search(rb'"id": *(\d+)', body).group(1)
        out = b'{"id": ' + request_id + tail
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(out))
        conn.sendall(out)

while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
"""


@contextlib.contextmanager
def canned(reply: bytes) -> Iterator[str]:
    """Serve ``reply`` (a JSON-RPC reply, its id replaced by each request's) from a child process; yield host:port.

    For measuring a client on a large reply: the simulator spends longer building a 50 MB reply
    than a client spends reading it, which would hide the client's share of the wall time.
    """
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".json") as saved:
        saved.write(reply)
        saved.flush()
        process = subprocess.Popen([sys.executable, "-c", CANNED_SERVER, saved.name], stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            match = re.search(r"host: (\S+)", process.stdout.readline())
            if not match:
                raise SystemExit("the canned server did not start")
            yield match.group(1)
        finally:
            process.terminate()
            process.wait(timeout=10)


SIMULATOR_CHILD = r"""
import json, sys
from pyfmg.testing import FMGSimulator
sim = FMGSimulator(**json.loads(sys.argv[1]))
with sim:
    print(json.dumps({"host": sim.host}), flush=True)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "counts":  # the counts since the last "counts", then from zero again
            print(json.dumps(sim.reset_request_counts().as_dict()), flush=True)
        elif command == "set":  # set name=value ...: latency, server_time, server_time_per_param
            for pair in argument.split():
                name, _, value = pair.partition("=")
                setattr(sim, name, float(value))
            print("{}", flush=True)
        else:
            break
"""


class CountedSimulator:
    """A simulator in a child process whose own request counts this process can read.

    The counts come from ``FMGSimulator.request_counts`` in the child (every HTTP request it
    received, and the JSON-RPC params in them, by method), not from either client.
    """

    def __init__(self, **options: Any) -> None:
        import json

        self._json = json
        self.process = subprocess.Popen(
            [sys.executable, "-c", SIMULATOR_CHILD, json.dumps(options)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.host: str = self._ask(None)["host"]

    def _ask(self, command: str | None) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        if command is not None:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("the simulator child process ended")
        return self._json.loads(line)

    def take_counts(self) -> dict[str, Any]:
        """``{"requests", "params", "by_method": {method: {"requests", "params"}}}`` since the last call."""
        return dict(self._ask("counts"))

    def set(self, **settings: float) -> None:
        """Change ``latency``, ``server_time`` or ``server_time_per_param`` from now on."""
        self._ask("set " + " ".join(f"{name}={value}" for name, value in settings.items()))

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()  # ends the command loop
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> CountedSimulator:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
