"""Following a FortiManager task from the command line, with a progress bar on stderr."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, TextIO

from pyfmg.progress import ProgressBar

from .errors import EXIT_CONNECTION, EXIT_OK, EXIT_TASK_FAILED, EXIT_TASK_RUNNING, CliError, not_json_problem

if TYPE_CHECKING:
    from pyfmg import FortiManager

#: FortiManager's task states (numbers on the wire, names with enum names asked for).
STATE_NAMES = ("pending", "running", "cancelling", "cancelled", "done", "error", "aborting", "aborted", "warning")
DONE = "done"


def state_name(task: dict[str, Any]) -> str:
    state = task.get("state")
    if isinstance(state, int) and 0 <= state < len(STATE_NAMES):
        return STATE_NAMES[state]
    return str(state) if state is not None else "unknown"


def follow_task(
    fmg: FortiManager,
    task_id: int,
    progress: TextIO,
    interval: float = 1.0,
    wait: float = 600.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Poll ``/task/task/<id>`` drawing a progress bar until it reaches 100 % or ``wait`` runs out.

    Polls start 0.1 s apart and back off to ``interval``.

    Returns the last task seen; whether it finished is :func:`task_status`'s business.
    """
    bar = ProgressBar(progress, f"task {task_id}")
    deadline = clock() + wait
    delay = min(interval, 0.1)  # short tasks end soon after they start: poll fast first, then back off
    try:
        while True:
            code, task = fmg.get(f"/task/task/{task_id}")
            problem = not_json_problem(task, f"get task {task_id}")
            if problem is not None:
                raise CliError(problem, EXIT_CONNECTION)
            if code != 0 or not isinstance(task, dict):
                message = task.get("status", {}).get("message") if isinstance(task, dict) else None
                raise CliError(f"get task {task_id} failed: code {code}" + (f", {message}" if message else ""))
            percent = int(task.get("percent") or 0)
            detail = f"{task.get('num_done', 0)}/{task.get('num_lines', 0)} done, {task.get('num_err', 0)} errors"
            bar.update(percent, detail, state=state_name(task))
            if percent >= 100 or clock() >= deadline:
                return task
            sleep(min(delay, max(0.0, deadline - clock())))
            delay = min(interval, delay * 1.5)
    finally:
        bar.close()


def task_failed(task: dict[str, Any]) -> bool:
    return int(task.get("num_err") or 0) > 0 or state_name(task) != DONE


def task_status(task: dict[str, Any]) -> tuple[int, str]:
    """The exit status for a followed task and, unless it succeeded, a one-line explanation."""
    task_id = task.get("id", "?")
    if int(task.get("percent") or 0) < 100:
        return EXIT_TASK_RUNNING, f"task {task_id} is still {state_name(task)} at {task.get('percent', 0)}%"
    if task_failed(task):
        errors = int(task.get("num_err") or 0)
        counted = "no errors counted" if not errors else "1 error" if errors == 1 else f"{errors} errors"
        return EXIT_TASK_FAILED, f"task {task_id} failed: it ended in state {state_name(task)!r} with {counted}"
    return EXIT_OK, ""
