"""The commands that talk to a FortiManager: one function per command, each returns an exit status."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, TextIO

from .arguments import WRITE_VERBS
from .errors import EXIT_CONNECTION, EXIT_FMG_ERROR, EXIT_OK, EXIT_USAGE, CliError, not_json_problem
from .output import emit
from .settings import Settings
from .tasks import follow_task, task_status

if TYPE_CHECKING:
    from pyfmg import FortiManager


@dataclass
class Context:
    settings: Settings
    out: TextIO
    fmt: str
    err: TextIO = sys.stderr

    def show(self, data: Any) -> None:
        emit(data, self.out, self.fmt)


def checked(code: int, data: Any, what: str) -> Any:
    """``data`` when ``code`` is 0; else a CliError: status 3 for a reply that is not JSON, 1 for an error status."""
    problem = not_json_problem(data, what)
    if problem is not None:
        raise CliError(problem, EXIT_CONNECTION)
    if code != 0:
        message = data.get("status", {}).get("message") if isinstance(data, dict) else None
        raise CliError(f"{what} failed: code {code}" + (f", {message}" if message else ""), EXIT_FMG_ERROR)
    return data


@contextlib.contextmanager
def maybe_workspace(fmg: FortiManager, args: argparse.Namespace, ctx: Context) -> Iterator[None]:
    """With ``--workspace``: lock the ADOM, run the block, commit on success, always unlock."""
    if not getattr(args, "workspace", False):
        yield
        return
    with fmg.workspace(ctx.settings.adom):
        yield


def run_get(fmg: FortiManager, args: argparse.Namespace, ctx: Context) -> int:
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
    ctx.show(checked(code, data, f"get {args.url}"))
    return EXIT_OK


def run_verb(fmg: FortiManager, args: argparse.Namespace, ctx: Context) -> int:
    call = fmg.execute if args.command == "exec" else getattr(fmg, args.command)
    with maybe_workspace(fmg, args, ctx):
        code, data = call(args.url) if args.data is None else call(args.url, data=args.data)
        data = checked(code, data, f"{args.command} {args.url}")
    if args.command == "exec" and args.wait:
        task_id = data.get("task") if isinstance(data, dict) else None
        if task_id is None:
            raise CliError(f"exec {args.url} started no task to wait for (reply: {data!r})", EXIT_FMG_ERROR)
        return show_task(fmg, int(task_id), ctx, 1.0, args.wait_timeout)
    ctx.show(data)
    return EXIT_OK


def free_form_params(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The params ``free-form`` sends, from ``--data`` or (the older form) the positional argument."""
    if (args.data is None) == (args.params is None):
        raise CliError("free-form takes its params once: --data JSON|@FILE (or, as before, positionally)", EXIT_USAGE)
    params = args.params if args.data is None else args.data
    if isinstance(params, dict):
        params = params.get("params", [params])
    if not isinstance(params, list) or not params or not all(isinstance(p, dict) for p in params):
        raise CliError("free-form needs a JSON list of params (objects with a url)", EXIT_USAGE)
    return params


def run_free_form(fmg: FortiManager, args: argparse.Namespace, ctx: Context) -> int:
    params = free_form_params(args)
    with maybe_workspace(fmg, args, ctx):
        code, results = fmg.free_form(args.method, create_task=args.create_task, data=params)
    if not isinstance(results, list):  # no result list at all: a reply that is not JSON, or one error status
        checked(code, results, f"free-form {args.method}")
    ctx.show(results)
    failed = [r for r in results if isinstance(r, dict) and r.get("status", {}).get("code", 0) != 0]
    if failed:
        status = failed[0].get("status", {})
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        raise CliError(f"{failed[0].get('url', '?')}: code {status.get('code')}, {status.get('message')}{more}")
    return EXIT_OK


def run_workspace(fmg: FortiManager, args: argparse.Namespace, ctx: Context) -> int:
    from pyfmg import LockScope

    # A raw exec on the lock URL on purpose: the client releases locks taken with fmg.lock() when it
    # logs out, and this command's job is to leave the lock in place for the next command.
    scope = LockScope(args.target_adom or ctx.settings.adom, args.package, args.device)
    code, data = fmg.execute(scope.url(args.command))
    ctx.show(checked(code, data, f"{args.command} {scope.name}"))
    return EXIT_OK


def check_before_login(args: argparse.Namespace, settings: Settings) -> None:
    """Usage errors found only once the settings are known: reported before anything is sent.

    ``pyfmg lock`` with a password would exit 0 while FortiManager drops the lock at logout.
    """
    if args.command == "free-form":
        free_form_params(args)
    if args.command == "lock" and not settings.apikey:
        raise CliError(
            "a lock taken with a password login ends when the command logs out: use an API key "
            "(PYFMG_APIKEY or --apikey-file) to keep it across commands, or lock, write and commit "
            "in one command with --workspace (e.g. pyfmg add URL --data JSON --workspace)",
            EXIT_USAGE,
        )


def show_task(fmg: FortiManager, task_id: int, ctx: Context, interval: float, wait: float) -> int:
    task = follow_task(fmg, task_id, ctx.err, interval, wait)
    ctx.show(task)
    status, message = task_status(task)
    if message:
        raise CliError(message, status)
    return status


def run_track_task(fmg: FortiManager, args: argparse.Namespace, ctx: Context) -> int:
    return show_task(fmg, args.task_id, ctx, args.interval, args.wait)


COMMANDS: dict[str, Callable[[FortiManager, argparse.Namespace, Context], int]] = {
    "get": run_get,
    "free-form": run_free_form,
    "track-task": run_track_task,
    **{verb: run_verb for verb in (*WRITE_VERBS, "exec")},
    **{action: run_workspace for action in ("lock", "commit", "unlock")},
}
