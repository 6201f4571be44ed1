"""Background tasks (installs, device adds, "create task" requests) whose progress follows the clock.

A task is fully decided when it is created; what changes with time is how much of it is
reported as done.  Lines finish one after the other over ``duration`` seconds, each moving in
steps of 10 %.  ``percent``
reaches 100 also when lines fail; the task then ends in state ``error`` with ``num_err > 0``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from .codes import NOT_FOUND, RpcError

# FortiManager task states: numbers on the wire, names with ``verbose: 1``.
PENDING, RUNNING, CANCELLING, CANCELLED, DONE, ERROR, ABORTING, ABORTED, WARNING, TO_CONTINUE = range(10)
STATE_NAMES = (
    "pending", "running", "cancelling", "cancelled", "done", "error", "aborting", "aborted", "warning", "to_continue",
)  # fmt: skip
#: ``src`` of a task: a number, its name with ``verbose: 1`` (only "device manager" = 0 is seen in replies).
SOURCES = {"device manager": 0}


@dataclass
class TaskLine:
    name: str
    ip: str = ""
    vdom: str = ""
    error: str = ""  # non-empty: the line fails with this detail
    detail: str = "install and save finished status=OK"


@dataclass
class Task:
    id: int
    title: str
    src: str
    user: str
    adom: int
    start: float
    duration: float
    lines: list[TaskLine]
    pid: int = 0

    def finished(self, now: float) -> bool:
        return self.duration <= 0 or now - self.start >= self.duration

    def render(self, now: float, verbose: bool = False) -> dict[str, Any]:
        elapsed = max(0.0, now - self.start)
        fraction = 1.0 if self.duration <= 0 else min(1.0, elapsed / self.duration)
        total = max(1, len(self.lines))
        rendered = []
        num_done = num_err = percent_sum = 0
        for index, line in enumerate(self.lines):
            line_begin, line_end = index / total, (index + 1) / total
            if fraction >= line_end:
                line_percent = 100
            elif fraction <= line_begin:
                line_percent = 0
            else:
                # In steps of 10, as FortiManager reports it: consecutive polls may see no change.
                line_percent = int((fraction - line_begin) * total * 10) * 10
            finished = line_percent == 100
            percent_sum += line_percent
            failed = finished and bool(line.error)
            num_done += int(finished and not failed)
            num_err += int(failed)
            line_start = int(self.start + line_begin * self.duration)
            line_state = (ERROR if failed else DONE) if finished else RUNNING if line_percent else PENDING
            detail = (line.error if failed else line.detail) if finished else "starting"
            # History keeps every step a line went through; its state stays numeric (seen on real units).
            history = [{"detail": "starting", "name": line.name, "percent": 0, "state": PENDING, "vdom": None}]
            if line_percent:
                history.append(
                    {"detail": detail, "name": line.name, "percent": line_percent, "state": line_state, "vdom": None}
                )
            rendered.append(
                {
                    "name": line.name,
                    "ip": line.ip,
                    "vdom": line.vdom,
                    "oid": index + 1,
                    "poid": 0,
                    "state": STATE_NAMES[line_state] if verbose else line_state,
                    "err": int(failed),
                    "percent": line_percent,
                    "detail": detail,
                    "start_tm": line_start if line_percent or finished else 0,
                    "end_tm": int(self.start + line_end * self.duration) if finished else 0,
                    "history": history,
                }
            )
        finished = fraction >= 1.0
        # Derived from the lines, so percent, num_done and state never disagree while a task runs.
        percent = 100 if finished else min(99, percent_sum // total)
        state = (ERROR if num_err else DONE) if finished else RUNNING if percent or num_done else PENDING
        return {
            "id": self.id,
            "title": self.title,
            "src": self.src if verbose else SOURCES.get(self.src, 0),
            "user": self.user,
            "adom": self.adom,
            "flags": 0,
            "pid": self.pid,
            "state": STATE_NAMES[state] if verbose else state,
            "percent": percent,
            "tot_percent": percent,
            "num_lines": len(self.lines),
            "num_done": num_done,
            "num_err": num_err,
            "num_warn": 0,
            "start_tm": int(self.start),
            "end_tm": int(self.start + self.duration) if finished else 0,
            "line": rendered,
        }


@dataclass
class TaskStore:
    clock: Callable[[], float]
    duration: float
    _tasks: dict[int, Task] = field(default_factory=dict)
    _last_id: int = 0
    _mutex: threading.RLock = field(default_factory=threading.RLock)

    def create(
        self,
        title: str,
        user: str,
        lines: list[TaskLine],
        src: str = "device manager",
        adom: int = 3,
        duration: float | None = None,
    ) -> int:
        with self._mutex:
            self._last_id += 1
            task_id = self._last_id
            spent = self.duration if duration is None else duration
            pid = 20000 + task_id  # the worker process FortiManager names; any stable number will do
            self._tasks[task_id] = Task(task_id, title, src, user, adom, self.clock(), spent, lines, pid)
            return task_id

    def get(self, task_id: str, verbose: bool = False) -> dict[str, Any]:
        with self._mutex:
            task = self._tasks.get(int(task_id)) if task_id.isdigit() else None
            if task is None:
                raise RpcError(NOT_FOUND)
            return task.render(self.clock(), verbose)

    def next_id(self) -> int:
        """The id the next task will get."""
        return self._last_id + 1

    def raw(self, task_id: int) -> Task | None:
        return self._tasks.get(task_id)

    def finished(self, task_id: int) -> bool:
        """True once the task reached 100 % (also when it was deleted)."""
        with self._mutex:
            task = self._tasks.get(task_id)
            return task is None or task.finished(self.clock())

    def all(self, verbose: bool = False) -> list[dict[str, Any]]:
        with self._mutex:
            now = self.clock()
            return [task.render(now, verbose) for task in self._tasks.values()]

    def delete(self, task_id: str) -> None:
        with self._mutex:
            if not task_id.isdigit() or self._tasks.pop(int(task_id), None) is None:
                raise RpcError(NOT_FOUND)
