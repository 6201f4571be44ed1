"""Cold start of whole processes, hyperfine-style: min and median wall time over N runs each.

    python benchmarks/bench_cold_start.py [--runs 30] [--reference /tmp/pyfmg_ref/whl/pyFMG/fortimgr.py]

Every command is a new process, as a SOAR action, an Ansible task or a shell call starts one.
The commands run interleaved (one run of each, N times over) after a warm-up, so a burst of load
elsewhere on the machine hits them all alike. Measured: ``python -c pass`` (the floor),
``import pyfmg``, ``import`` of pyFMG 0.8.6.3's module, ``pyfmg --help``, ``pyfmg --version``, and
a one-shot ``pyfmg get sys/status`` against the simulator (log in, get, log out) next to a
``http.client`` script that sends the same three requests (the floor for that job).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _harness import PASSWORD, USER, parser, simulator

HTTP_CLIENT_SCRIPT = """
import http.client, json, sys
host, port = sys.argv[1].rsplit(":", 1)
conn = http.client.HTTPConnection(host, int(port))
def call(method, url, data=None, session=None):
    param = {"url": url}
    if data is not None:
        param["data"] = data
    body = json.dumps({"id": 1, "method": method, "params": [param], "session": session, "verbose": 0})
    conn.request("POST", "/jsonrpc", body, {"Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())
sid = call("exec", "sys/login/user", {"user": sys.argv[2], "passwd": sys.argv[3]})["session"]
print(json.dumps(call("get", "sys/status", session=sid)["result"][0]["data"]))
call("exec", "sys/logout", session=sid)
"""


def measure(commands: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_number in range(runs + 2):  # two warm-up rounds, not counted
        for name, argv in commands.items():
            start = time.perf_counter()
            done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
            elapsed = time.perf_counter() - start
            if done.returncode != 0:
                raise SystemExit(f"{name} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
            if round_number >= 2:
                times[name].append(elapsed)
    return times


def main() -> None:
    options = parser(__doc__ or "")
    options.add_argument("--runs", type=int, default=30)
    args = options.parse_args()
    python = sys.executable
    script = shutil.which("pyfmg", path=str(Path(python).parent)) or "pyfmg"
    commands = {
        "python -c pass": [python, "-c", "pass"],
        "python -c 'import pyfmg'": [python, "-c", "import pyfmg"],
        "pyfmg --help": [script, "--help"],
        "pyfmg --version": [script, "--version"],
    }
    if Path(args.reference).is_file():
        load = (
            f"import importlib.util as u; s = u.spec_from_file_location('pyfmg_0863', {args.reference!r}); "
            "s.loader.exec_module(u.module_from_spec(s))"
        )
        commands["import pyFMG 0.8.6.3"] = [python, "-c", load]
    env = dict(os.environ, PYFMG_USER=USER, PYFMG_PASSWORD=PASSWORD)
    with simulator() as host:
        commands["pyfmg get sys/status (one shot)"] = [script, "--host", f"http://{host}", "get", "sys/status"]
        commands["http.client script (same 3 requests)"] = [python, "-c", HTTP_CLIENT_SCRIPT, host, USER, PASSWORD]
        times = measure(commands, args.runs, env)
    floor = statistics.median(times["python -c pass"])
    shot_floor = statistics.median(times["http.client script (same 3 requests)"])
    version = sys.version.split()[0]
    print(f"{args.runs} runs each, interleaved, after 2 warm-up rounds; Python {version}, {os.cpu_count()} CPUs")
    print(f"{'command':42} {'min ms':>8} {'median ms':>10} {'x pass':>8} {'x http.client':>14}")
    for name, figures in times.items():
        middle = statistics.median(figures)
        print(
            f"{name:42} {min(figures) * 1000:8.1f} {middle * 1000:10.1f} {middle / floor:8.2f} "
            f"{middle / shot_floor:14.2f}"
        )


if __name__ == "__main__":
    main()
