"""``python -m pyfmg.testing``: run a simulator in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
import threading

from .pacing import QUEUES
from .server import Limits
from .simulator import FMGSimulator
from .state import WORKSPACE_MODES


def build_parser(prog: str = "python -m pyfmg.testing") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Run a FortiManager JSON-RPC simulator (on 127.0.0.1).")
    parser.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: any free port)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a throw-away CA")
    parser.add_argument("--workspace-mode", choices=sorted(WORKSPACE_MODES), default="disabled")
    parser.add_argument("--adom", action="append", dest="adoms", metavar="NAME", help="ADOM (repeatable)")
    parser.add_argument("--api-key", action="append", dest="api_keys", default=[], metavar="KEY")
    parser.add_argument("--task-duration", type=float, default=5.0, metavar="SECONDS")
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="SECONDS", help="network time added to every request (0)"
    )
    parser.add_argument(
        "--server-time", type=float, default=0.0, metavar="SECONDS", help="time the server takes per request (0)"
    )
    parser.add_argument(
        "--server-time-per-param", type=float, default=0.0, metavar="SECONDS", help="and per JSON-RPC param (0)"
    )
    parser.add_argument(
        "--server-queue",
        choices=QUEUES,
        default="global",
        help="requests served one at a time: by everybody (global, the default), per session, or none",
    )
    parser.add_argument("--max-body", type=int, default=Limits.max_body, metavar="BYTES", help="refuse larger bodies")
    parser.add_argument(
        "--request-history", type=int, default=1000, metavar="N", help="requests kept for inspection (1000)"
    )
    parser.add_argument("--replay", metavar="CASSETTE", help="answer with a recorded session, strictly in order")
    parser.add_argument("--seed", metavar="CASSETTE", help="start with the tables read in a recorded session")
    return parser


def simulator_for(args: argparse.Namespace) -> FMGSimulator:
    """The simulator the parsed command line asks for (``ValueError`` for a setting it refuses)."""
    return FMGSimulator(
        api_keys=tuple(args.api_keys),
        workspace_mode=args.workspace_mode,
        adoms=tuple(args.adoms or ("root",)),
        task_duration=args.task_duration,
        tls=args.tls,
        latency=args.latency,
        server_time=args.server_time,
        server_time_per_param=args.server_time_per_param,
        server_queue=args.server_queue,
        port=args.port,
        bind=args.bind,
        max_body=args.max_body,
        request_history=args.request_history,
        replay=args.replay,
        seed=args.seed,
    )


def run(
    argv: list[str] | None = None, stop: threading.Event | None = None, prog: str = "python -m pyfmg.testing"
) -> int:
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    try:
        sim = simulator_for(args)
    except ValueError as error:
        parser.error(str(error))
    stop = stop or threading.Event()
    with sim:
        print(f"FortiManager simulator on {sim.url}", flush=True)
        print(f"  host: {sim.host}   user: admin   password: password (simulator test account)", flush=True)
        if sim.ca_cert_path:
            print(f"  CA certificate: {sim.ca_cert_path}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        try:
            while not stop.wait(3600):  # sleeps; Ctrl-C or stop ends it
                pass
        except KeyboardInterrupt:
            print("stopping", file=sys.stderr)
    print(f"served {sim.request_counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(run())
