"""``python -m pyfmg.testing``: run a simulator in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

from .pacing import QUEUES
from .server import Limits
from .sessions import LOGIN_MAX
from .simulator import FMGSimulator
from .state import WORKSPACE_MODES


def build_parser(
    prog: str = "python -m pyfmg.testing", parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser
) -> argparse.ArgumentParser:
    """The options; ``parser_class`` lets a front end (``pyfmg sim``) report errors its own way."""
    parser = parser_class(prog=prog, description="Run a FortiManager JSON-RPC simulator (on 127.0.0.1).")
    parser.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: any free port)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a throw-away CA")
    parser.add_argument(
        "--workspace-mode",
        choices=sorted(WORKSPACE_MODES),
        default="disabled",
        help="disabled by default, where lock, commit and unlock fail with -9 as on a FortiManager without "
        "workspace; give 'normal' to use them",
    )
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
        "--login-max",
        type=int,
        default=LOGIN_MAX,
        metavar="N",
        help=f"sessions one administrator may have open; more get -23 Reach login limit ({LOGIN_MAX}; 0: no limit)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=Limits.max_connections,
        metavar="N",
        help=f"connections served at once ({Limits.max_connections})",
    )
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
        login_max=args.login_max or None,
        max_connections=args.max_connections,
        request_history=args.request_history,
        replay=args.replay,
        seed=args.seed,
    )


def run(
    argv: list[str] | None = None,
    stop: threading.Event | None = None,
    prog: str = "python -m pyfmg.testing",
    parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser,
) -> int:
    """Serve until Ctrl-C, SIGTERM or ``stop``; the simulator's temporary files (its TLS CA) go with it."""
    parser = build_parser(prog, parser_class)
    args = parser.parse_args(argv)
    try:
        sim = simulator_for(args)
    except ValueError as error:
        parser.error(str(error))
    stop = stop or threading.Event()
    with sim, _stopping_on_sigterm(stop):
        print(f"FortiManager simulator on {sim.url}", flush=True)
        print(f"  host: {sim.host}   user: admin   password: password (simulator test account)", flush=True)
        if sim.ca_cert_path:
            print(f"  CA certificate: {sim.ca_cert_path}", flush=True)
        if args.workspace_mode == "disabled":
            print("  workspace mode: disabled (lock/commit/unlock fail with -9; --workspace-mode normal enables it)")
        else:
            print(f"  workspace mode: {args.workspace_mode}")
        print("Press Ctrl-C to stop.", flush=True)
        try:
            while not stop.wait(3600):  # sleeps; Ctrl-C, SIGTERM or stop ends it
                pass
        except KeyboardInterrupt:
            print("stopping", file=sys.stderr)
    print(f"served {sim.request_counts}", file=sys.stderr)
    return 0


@contextlib.contextmanager
def _stopping_on_sigterm(stop: threading.Event) -> Iterator[None]:
    """SIGTERM (``kill``, a CI job ending, ``docker stop``) sets ``stop``, so that the cleanup runs."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(run())
