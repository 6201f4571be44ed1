"""``pyfmg``: the FortiManager JSON-RPC API from a shell.

JSON results go to stdout, messages and progress to stderr.  Exit status: 0 success, 1 the
FortiManager answered with an error status (or a task failed), 2 bad command line, 3 the call
could not be made (connection, login, malformed reply).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
import warnings
from typing import Any, Callable, TextIO

from pyfmg import FMGBaseException, FMGInsecureTLSWarning, FMGValueError, FortiManager, LockScope, __version__
from pyfmg.progress import ProgressBar

EXIT_OK, EXIT_API_ERROR, EXIT_USAGE, EXIT_FAILURE = 0, 1, 2, 3
WRITE_VERBS = ("add", "set", "update", "delete", "replace", "clone", "move", "unset")
TASK_DONE, TASK_ERROR = 4, 5


class CliError(Exception):
    """A problem to report on stderr with an exit status."""

    def __init__(self, message: str, status: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.status = status


# --- arguments --------------------------------------------------------------------------------------
def json_argument(text: str) -> Any:
    """``--data``/``--filter`` value: inline JSON, ``@file`` or ``@-`` (stdin)."""
    source = "the argument"
    if text.startswith("@"):
        path = text[1:]
        source = "stdin" if path == "-" else path
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as exc:
            raise argparse.ArgumentTypeError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{source} is not valid JSON: {exc}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyfmg",
        description="Call the FortiManager JSON-RPC API. Results are JSON on stdout.",
        epilog="Environment: PYFMG_HOST, PYFMG_USER, PYFMG_PASSWORD, PYFMG_APIKEY. "
        "Without a password or API key the password is asked for.",
    )
    parser.add_argument("--version", action="version", version=f"pyfmg {__version__}")
    conn = parser.add_argument_group("connection")
    conn.add_argument("--host", default=os.environ.get("PYFMG_HOST"), help="address[:port] (env PYFMG_HOST)")
    conn.add_argument("--user", default=os.environ.get("PYFMG_USER"), help="administrator (env PYFMG_USER)")
    conn.add_argument("--apikey-file", metavar="PATH", help="read the API key from this file (or set PYFMG_APIKEY)")
    conn.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS")
    conn.add_argument("--verify", action="store_true", help="verify the server certificate (system CAs)")
    conn.add_argument("--ca-cert", metavar="PATH", help="verify the server certificate against this CA file")
    conn.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60)")
    conn.add_argument("--verbose", action="store_true", help="ask for enum names instead of numbers")
    conn.add_argument("--record", metavar="PATH", help="write the calls and replies, redacted, to a cassette")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    get = commands.add_parser("get", help="read a table or an object")
    get.add_argument("url")
    get.add_argument("--fields", nargs="+", metavar="FIELD", help="attributes to return")
    get.add_argument("--filter", type=json_argument, metavar="JSON", help='e.g. \'["name","like","web%%"]\'')
    get.add_argument("--option", action="append", metavar="OPTION", help='e.g. "count" (repeatable)')
    get.add_argument("--range", nargs=2, type=int, metavar=("OFFSET", "COUNT"))
    get.add_argument("--sort", metavar="JSON", type=json_argument, help="sortings, e.g. '[{\"name\": 1}]'")

    for verb in (*WRITE_VERBS, "exec"):
        sub = commands.add_parser(verb, help=f"{verb} with optional data")
        sub.add_argument("url")
        sub.add_argument("--data", type=json_argument, metavar="JSON|@FILE", help="the param's data")

    free = commands.add_parser("free-form", help="send params from a file (one result per param)")
    free.add_argument("method")
    free.add_argument("params", type=json_argument, metavar="@FILE", help="a list of params (JSON)")
    free.add_argument("--create-task", type=json_argument, metavar="JSON", help='e.g. \'{"adom": "root"}\'')

    for action in ("lock", "commit", "unlock"):
        sub = commands.add_parser(action, help=f"{action} an ADOM (or one package or device in it)")
        sub.add_argument("adom")
        target = sub.add_mutually_exclusive_group()
        target.add_argument("--package", metavar="PATH")
        target.add_argument("--device", metavar="NAME")

    track = commands.add_parser("track-task", help="follow a task with a progress bar until it ends")
    track.add_argument("task_id", type=int)
    track.add_argument("--interval", type=float, default=1.0, help="seconds between polls (default 1)")
    track.add_argument("--wait", type=float, default=600.0, help="give up after this many seconds")

    commands.add_parser("sim", help="run a FortiManager simulator (options: pyfmg sim --help)", add_help=False)
    demo = commands.add_parser("demo", help="drive a realistic session against an embedded simulator")
    demo.add_argument("--task-duration", type=float, default=4.0, help="seconds the install takes")
    soar = commands.add_parser("soar", help="SOAR connectors (see the SOAR guide)")
    soar_commands = soar.add_subparsers(dest="soar_command", metavar="SOAR_COMMAND", required=True)
    bundle = soar_commands.add_parser("build-fortisoar", help="build the FortiSOAR connector .tgz into OUTDIR")
    bundle.add_argument("outdir")
    return parser


# --- connecting ---------------------------------------------------------------------------------------
def connect(args: argparse.Namespace, ask: Callable[[str], str] | None = None) -> FortiManager:
    if not args.host:
        raise CliError("no FortiManager given: use --host or set PYFMG_HOST", EXIT_USAGE)
    verify: Any = args.ca_cert or bool(args.verify)
    common: dict[str, Any] = {
        "use_ssl": not args.http,
        "verify_ssl": verify,
        "timeout": args.timeout,
        "verbose": args.verbose,
        "disable_request_warnings": True,
        "record": args.record,
    }
    if not args.http and not verify:
        print("warning: the server certificate is not verified (use --verify or --ca-cert)", file=sys.stderr)
        # The line above says it in the command's own terms; the client's warning would repeat it.
        warnings.filterwarnings("ignore", category=FMGInsecureTLSWarning)
    apikey = os.environ.get("PYFMG_APIKEY")
    if args.apikey_file:
        try:
            with open(args.apikey_file, encoding="utf-8") as handle:
                apikey = handle.read().strip()
        except OSError as exc:
            raise CliError(f"cannot read the API key file: {exc.strerror}", EXIT_USAGE) from None
    if apikey:
        return FortiManager(args.host, apikey=apikey, **common)
    if not args.user:
        raise CliError("no administrator given: use --user or set PYFMG_USER (or use an API key)", EXIT_USAGE)
    password = os.environ.get("PYFMG_PASSWORD")
    if password is None:
        password = (ask or getpass.getpass)(f"Password for {args.user}@{args.host}: ")
    return FortiManager(args.host, args.user, password, **common)


# --- output -------------------------------------------------------------------------------------------
def emit(data: Any, out: TextIO) -> None:
    out.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")


def checked(code: int, data: Any, what: str) -> Any:
    if code != 0:
        message = data.get("status", {}).get("message") if isinstance(data, dict) else None
        raise CliError(f"{what} failed: code {code}" + (f", {message}" if message else ""), EXIT_API_ERROR)
    return data


# --- commands -----------------------------------------------------------------------------------------
def run_get(fmg: FortiManager, args: argparse.Namespace, out: TextIO) -> int:
    param: dict[str, Any] = {}
    if args.fields:
        param["fields"] = args.fields
    if args.filter is not None:
        param["filter"] = args.filter
    if args.option:
        param["option"] = args.option if len(args.option) > 1 else args.option[0]
    if args.range:
        param["range"] = args.range
    if args.sort is not None:
        param["sortings"] = args.sort
    code, data = fmg.get(args.url, param)
    emit(checked(code, data, f"get {args.url}"), out)
    return EXIT_OK


def run_verb(fmg: FortiManager, args: argparse.Namespace, out: TextIO) -> int:
    call = fmg.execute if args.command == "exec" else getattr(fmg, args.command)
    code, data = call(args.url) if args.data is None else call(args.url, data=args.data)
    emit(checked(code, data, f"{args.command} {args.url}"), out)
    return EXIT_OK


def run_free_form(fmg: FortiManager, args: argparse.Namespace, out: TextIO) -> int:
    params = args.params
    if isinstance(params, dict):
        params = params.get("params", [params])
    if not isinstance(params, list) or not params or not all(isinstance(p, dict) for p in params):
        raise CliError("free-form needs a JSON list of params (objects with a url)", EXIT_USAGE)
    _, results = fmg.free_form(args.method, create_task=args.create_task, data=params)
    emit(results, out)
    failed = [r for r in results if isinstance(r, dict) and r.get("status", {}).get("code", 0) != 0]
    for result in failed:
        status = result.get("status", {})
        print(f"error: {result.get('url', '?')}: code {status.get('code')}, {status.get('message')}", file=sys.stderr)
    return EXIT_API_ERROR if failed else EXIT_OK


def run_workspace(fmg: FortiManager, args: argparse.Namespace, out: TextIO) -> int:
    # Raw exec on the lock URL on purpose: the client releases locks taken with fmg.lock() when it
    # logs out, and this command's job is to leave the lock in place (useful with an API key).
    scope = LockScope(args.adom, args.package, args.device)
    code, data = fmg.execute(scope.url(args.command))
    emit(checked(code, data, f"{args.command} {scope.name}"), out)
    if args.command == "lock" and not fmg.api_key_used:
        print(
            "note: FortiManager releases this lock when the command's session logs out; "
            "use an API key to keep it across commands",
            file=sys.stderr,
        )
    return EXIT_OK


def follow_task(
    fmg: FortiManager,
    task_id: int,
    progress: TextIO,
    interval: float = 1.0,
    wait: float = 600.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Poll ``/task/task/<id>`` drawing a progress bar until it reaches 100 % (or ``wait`` runs out)."""
    bar = ProgressBar(progress, f"task {task_id}")
    deadline = clock() + wait
    try:
        while True:
            task = checked(*fmg.get(f"/task/task/{task_id}"), f"get task {task_id}")
            if not isinstance(task, dict):
                raise CliError(f"task {task_id}: unexpected reply {task!r}")
            percent = int(task.get("percent") or 0)
            bar.update(
                percent, f"{task.get('num_done', 0)}/{task.get('num_lines', 0)} done, {task.get('num_err', 0)} errors"
            )
            if percent >= 100:
                return task
            if clock() >= deadline:
                raise CliError(f"task {task_id} still at {percent}% after {wait:g} s", EXIT_API_ERROR)
            sleep(interval)
    finally:
        bar.close()


def task_failed(task: dict[str, Any]) -> bool:
    return int(task.get("num_err") or 0) > 0 or task.get("state") not in (TASK_DONE, "done")


def run_track_task(fmg: FortiManager, args: argparse.Namespace, out: TextIO) -> int:
    task = follow_task(fmg, args.task_id, sys.stderr, args.interval, args.wait)
    emit(task, out)
    if task_failed(task):
        print(f"error: task {args.task_id} ended with {task.get('num_err', 0)} error(s)", file=sys.stderr)
        return EXIT_API_ERROR
    return EXIT_OK


COMMANDS: dict[str, Callable[[FortiManager, argparse.Namespace, TextIO], int]] = {
    "get": run_get,
    "free-form": run_free_form,
    "track-task": run_track_task,
    **{verb: run_verb for verb in (*WRITE_VERBS, "exec")},
    **{action: run_workspace for action in ("lock", "commit", "unlock")},
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # The simulator's own options pass through untouched; anywhere else unknown options are errors.
    argv = list(sys.argv[1:] if argv is None else argv)
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.command != "sim":
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        if args.command == "sim":
            from pyfmg.testing.__main__ import run as run_simulator

            return run_simulator(argv[argv.index("sim") + 1 :], prog="pyfmg sim")
        if args.command == "soar":
            from pyfmg.soar_bundle import build_fortisoar

            print(build_fortisoar(args.outdir))
            return EXIT_OK
        if args.command == "demo":
            from pyfmg.demo import run_demo

            return run_demo(sys.stdout, sys.stderr, task_duration=args.task_duration)
        with connect(args) as fmg:
            return COMMANDS[args.command](fmg, args, sys.stdout)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.status
    except (FMGBaseException, FMGValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
