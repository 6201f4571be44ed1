"""The commands that talk to a FortiManager: one function per command, each returns an exit status."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, TextIO

from pyfmg.progress import ProgressBar

from .arguments import WRITE_VERBS
from .errors import EXIT_CONNECTION, EXIT_FMG_ERROR, EXIT_OK, EXIT_USAGE, CliError, describe, not_json_problem
from .output import emit
from .settings import Settings
from .tasks import follow_task, task_status

if TYPE_CHECKING:
    from pyfmg import ConvergeResult, FortiManager


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


def converge_objects(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The wanted objects ``converge`` takes from ``--data``: a list of objects (or one object)."""
    objects = [] if args.data is None else [args.data] if isinstance(args.data, dict) else args.data
    if not isinstance(objects, list) or not all(isinstance(item, dict) for item in objects):
        raise CliError("converge --data takes a JSON list of objects, each with its --by attribute", EXIT_USAGE)
    if not objects and not args.absent:
        raise CliError("converge needs the wanted objects (--data JSON|@FILE), --absent NAME ..., or both", EXIT_USAGE)
    return objects


def converge_rows(result: ConvergeResult, by: str, fmt: str) -> list[dict[str, Any]]:
    """One row per object: its name, what happened, which attributes; code and message when it failed.
    JSON also gets ``before`` and ``after`` of what changed (or would), for a diff."""
    rows = []
    for item in result:
        row: dict[str, Any] = {
            by: item.key_value,
            "status": item.status,
            "action": item.action,
            "attributes": list(item.changed_attributes),
        }
        if not item.ok:
            row.update(code=item.code, message=item.message)
        if fmt != "table" and item.changed:
            row.update(before=item.before, after=item.after)
        rows.append(row)
    return rows


def run_converge(fmg: FortiManager, args: argparse.Namespace, ctx: Context) -> int:
    from pyfmg import FMGConvergeError

    bar = ProgressBar(ctx.err, "converge")

    def progress(done: int, total: int) -> None:
        bar.update(100 * done // total, f"{done}/{total} objects", state="done" if done >= total else "writing")

    try:
        result = fmg.converge(
            args.url,
            converge_objects(args),
            key=args.by,
            absent=args.absent,
            check_mode=args.check,
            chunk_size=args.chunk_size,
            workers=args.workers,
            progress=progress,
        )
    finally:
        bar.close()
    ctx.show(converge_rows(result, args.by, ctx.fmt))
    try:
        result.raise_for_status()
    except FMGConvergeError as error:
        # An object FortiManager refused, or a lock or commit that failed: 1; no usable answer: 3.
        status = describe(result.error)[0] if result.error is not None else EXIT_FMG_ERROR
        raise CliError(f"{error} ({result.summary})", status) from error
    ctx.err.write(f"{result.url}: {result.summary}{' (check: nothing written)' if args.check else ''}\n")
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
    if args.command == "converge":
        converge_objects(args)
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
    "converge": run_converge,
    "track-task": run_track_task,
    **{verb: run_verb for verb in (*WRITE_VERBS, "exec")},
    **{action: run_workspace for action in ("lock", "commit", "unlock")},
}
