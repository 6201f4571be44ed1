"""Following a FortiManager task (install, import, script...) until it ends, as pyFMG's track_task did.

The return values are pyFMG's: ``(code, task)`` when the task reached 100 %, with
``total_task_time`` added; ``(code, last reply)`` when polling failed ``retrieval_fail_gate``
times; ``(1, {"msg": ...})`` on timeout; ``(1, task + msg)`` when the task sat at 0 % or stopped
progressing (only with ``timeout_only=False``).
"""

from __future__ import annotations

import datetime
import logging
import time
from typing import Any, Callable

from .exceptions import FMGConnectionError

logger = logging.getLogger(__name__)

Reply = tuple[int, Any]


def _as_int(task: dict[str, Any], key: str, default: int = 0) -> int:
    try:
        return int(task.get(key, default))
    except (TypeError, ValueError):
        return default


class TaskTracker:
    """Polls ``/task/task/<id>``. ``get``/``delete`` are the client's calls; ``note`` receives progress text."""

    def __init__(
        self,
        get: Callable[[str], Reply],
        delete: Callable[[str], Reply],
        note: Callable[[str], None],
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._get = get
        self._delete = delete
        self._note = note
        self._sleep = sleep
        self._clock = clock

    def track(
        self,
        task_id: Any,
        sleep_time: float = 3,
        retrieval_fail_gate: int = 10,
        timeout: float = 120,
        delete_task_on_timeout: bool = False,
        timeout_only: bool = True,
        zero_percent_timeout: float = 30,
        task_stale_timeout: float = 60,
        retry_connection_errors: bool = False,
    ) -> Reply:
        url = f"/task/task/{task_id}"
        begin = datetime.datetime.now()
        first_poll = self._clock()
        self._note(f"Task {task_id} tracking begins at {begin}")
        code = 1  # pyFMG's values when nothing was ever retrieved
        task: Any = ""
        failures = 0
        percent = last_percent = 0
        duration = 0.0
        while True:
            try:
                code, reply = self._get(url)
            except FMGConnectionError:
                if not retry_connection_errors:
                    raise
                self._note(f"Task {task_id}: connection error while polling at {datetime.datetime.now()}")
                code, reply = -99, task
            if code == 0 and isinstance(reply, dict):
                task = reply
                last_percent, percent = percent, _as_int(task, "percent")
                start_tm = _as_int(task, "start_tm")
                duration = self._clock() - (start_tm if start_tm > 0 else first_poll)
                self._note(
                    f"Task {task_id} is at {percent}% after {duration:.1f} s; "
                    f"{_as_int(task, 'num_err')} line(s) with errors"
                )
            else:
                failures += 1
                if reply is not None and code != -99:
                    task = reply
                duration = self._clock() - first_poll
                if failures >= retrieval_fail_gate:
                    self._note(f"Task {task_id}: retrieving its state failed {failures} times; giving up")
                    return code, task
            if percent >= 100:
                break
            stop = self._stop_reason(
                task_id,
                percent,
                last_percent,
                duration,
                timeout,
                timeout_only,
                zero_percent_timeout,
                task_stale_timeout,
            )
            if stop is not None:
                reason, on_timeout = stop
                if delete_task_on_timeout:
                    reason += " The task will be deleted."
                    self._delete(url)
                self._note(reason)
                if on_timeout or not isinstance(task, dict):
                    return 1, {"msg": reason}
                task["msg"] = reason
                return 1, task
            self._sleep(sleep_time)
        end = datetime.datetime.now()
        task["total_task_time"] = str(end - begin)
        self._note(f"Task {task_id} completed at {end}; total time {end - begin}")
        return code, task

    @staticmethod
    def _stop_reason(
        task_id: Any,
        percent: int,
        last_percent: int,
        duration: float,
        timeout: float,
        timeout_only: bool,
        zero_percent_timeout: float,
        task_stale_timeout: float,
    ) -> tuple[str, bool] | None:
        """Why tracking must stop now (message, is-the-overall-timeout), or None to keep polling."""
        if duration >= timeout:
            return (
                f"Task {task_id} did not complete in efficient time and timed out. The timeout value was {timeout}.",
                True,
            )
        if not timeout_only and percent == 0 and duration >= zero_percent_timeout:
            return (
                f"Task {task_id} did not progress past zero percent in an efficient time. "
                f"The zero_percent_timeout value was {zero_percent_timeout}.",
                False,
            )
        if not timeout_only and 0 < last_percent == percent and duration >= task_stale_timeout:
            return (
                f"Task {task_id} did not progress in the desired time. "
                f"The task_stale_timeout value was {task_stale_timeout}.",
                False,
            )
        return None
