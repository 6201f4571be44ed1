"""Following FortiManager tasks (install, import, script...) until they end, as pyFMG's track_task did.

The return values are pyFMG's: ``(code, task)`` when the task reached 100 %, with
``total_task_time`` added; ``(code, last reply)`` when polling failed ``retrieval_fail_gate``
times; ``(1, {"msg": ...})`` on timeout; ``(1, task + msg)`` when the task sat at 0 % or stopped
progressing (only with ``timeout_only=False``).

What differs is when the polls happen.  pyFMG slept ``sleep_time`` between polls, so it noticed
the end of a task up to ``sleep_time`` (plus a round trip) late.  Here the first polls come
quickly and the interval then grows towards ``sleep_time``; once the task moves, the rate of its
progress predicts when it will reach 100 %, and the polls close in on that moment (each wait is
half the predicted rest, never shorter than ``min_sleep_time``).  Percent moves in whole steps, so
the prediction is a window as wide as the gap between the two polls around the last step; polls
stay ``min_sleep_time`` apart through that window and back off again if the task is late.
Intervals are counted from the start of one poll to the start of the next, so a slow round trip
does not stretch them: with progress steady and a round trip shorter than ``min_sleep_time``,
tracking ends within ``min_sleep_time`` (0.2 s) of 100 %, plus the time the reply takes to come
back.  A long task is polled about as often as pyFMG polled it (once per ``sleep_time``), plus a
bounded number of close polls near its end.  A task that jumps to 100 % far ahead of its rate
is noticed at the next poll, at most ``sleep_time`` later, as with pyFMG.
"""

from __future__ import annotations

import datetime
import logging
import math
import time
from typing import Any, Callable, NamedTuple

from .exceptions import FMGConnectionError, FMGValueError, bounded_repr

logger = logging.getLogger(__name__)

Reply = tuple[int, Any]

#: The shortest wait between two polls of a task, unless ``sleep_time`` is shorter still.
MIN_SLEEP_TIME = 0.2
#: How fast the wait grows while a task shows no measurable progress.
BACKOFF_FACTOR = 1.5


class TaskProgress(NamedTuple):
    """What a progress callback is told each time a task's numbers change."""

    task_id: Any
    percent: int
    num_done: int
    num_lines: int
    num_err: int


ProgressCallback = Callable[[TaskProgress], None]


def _as_int(task: dict[str, Any], key: str, default: int = 0) -> int:
    try:
        return int(task.get(key, default))
    except (TypeError, ValueError):
        return default


class TrackOptions(NamedTuple):
    """pyFMG's track_task knobs, plus the shortest wait and the progress callback."""

    sleep_time: float = 3
    retrieval_fail_gate: int = 10
    timeout: float = 120
    delete_task_on_timeout: bool = False
    timeout_only: bool = True
    zero_percent_timeout: float = 30
    task_stale_timeout: float = 60
    retry_connection_errors: bool = False
    min_sleep_time: float = MIN_SLEEP_TIME
    progress: ProgressCallback | None = None


def checked(options: TrackOptions) -> TrackOptions:
    """``options`` if every setting is usable; :class:`FMGValueError` naming the first that is not.

    pyFMG let a wrong type reach ``time.sleep`` or a comparison, as a raw ``TypeError``.
    """
    for name in ("sleep_time", "min_sleep_time"):
        value = getattr(options, name)
        if not _is_number(value) or not 0 <= value < math.inf:
            raise FMGValueError(
                f"track_task: {name} must be a finite number of seconds >= 0, got {bounded_repr(value)}"
            )
    for name in ("timeout", "zero_percent_timeout", "task_stale_timeout"):
        value = getattr(options, name)
        if not _is_number(value) or math.isnan(value):
            raise FMGValueError(f"track_task: {name} must be a number of seconds, got {bounded_repr(value)}")
    gate = options.retrieval_fail_gate
    if not _is_number(gate) or math.isnan(gate):
        raise FMGValueError(
            f"track_task: retrieval_fail_gate must be a number of failed polls, got {bounded_repr(gate)}"
        )
    if options.progress is not None and not callable(options.progress):
        raise FMGValueError(f"track_task: progress must be a callable or None, got {bounded_repr(options.progress)}")
    return options


def check_task_id(task_id: Any) -> Any:
    """``task_id`` if it can name one task: a whole number >= 0 or its decimal digits; else :class:`FMGValueError`.

    pyFMG formatted anything into ``/task/task/<id>``: an empty id polled the task *list* and
    came back at once as code 0, as if a task had finished.
    """
    if isinstance(task_id, int) and not isinstance(task_id, bool) and task_id >= 0:
        return task_id
    if isinstance(task_id, str) and task_id.isascii() and task_id.isdigit():
        return task_id
    raise FMGValueError(
        f"track_task: task_id must be a task number (a whole number >= 0, or its digits as text), "
        f"got {bounded_repr(task_id)}"
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Follower:
    """One task's tracking state: takes poll outcomes, decides when it is over and when to poll next."""

    def __init__(
        self,
        task_id: Any,
        options: TrackOptions,
        clock: Callable[[], float],
        note: Callable[[str], None],
        delete: Callable[[str], Reply],
    ) -> None:
        self.task_id = check_task_id(task_id)
        self.url = f"/task/task/{task_id}"
        self.options = options
        self._clock = clock
        self._note = note
        self._delete = delete
        self.begin = datetime.datetime.now()
        self.first_poll = clock()
        self.result: Reply | None = None
        self._task: Any = ""  # pyFMG's value when nothing was ever retrieved
        self._failures = 0
        self._percent = self._last_percent = 0
        self._reported: tuple[int, int, int, int] | None = None
        # For the progress rate: (time, percent) of the first successful poll; (earliest, latest
        # possible time, percent) of the last change of percent; the time of the latest poll.
        self._first_seen: tuple[float, int] | None = None
        self._change: tuple[float, float, int] = (0.0, 0.0, 0)
        self._last_poll = 0.0
        self._poll_began = self._answered = clock()  # when the latest poll was sent and answered
        self._delay: float | None = None
        note(f"Task {task_id} tracking begins at {self.begin}")

    # --- one poll -------------------------------------------------------------------------------
    def observe(self, code: int, reply: Any, began: float | None = None) -> None:
        """Take the outcome of one poll sent at ``began`` (``code`` -99: the connection failed); may set ``result``."""
        now = self._clock()
        self._poll_began, self._answered = (now if began is None else began), now
        options = self.options
        if code == 0 and isinstance(reply, dict):
            self._task = reply
            self._last_percent, self._percent = self._percent, _as_int(reply, "percent")
            start_tm = _as_int(reply, "start_tm")
            duration = now - (start_tm if start_tm > 0 else self.first_poll)
            self._remember(now, self._percent)
            self._note(
                f"Task {self.task_id} is at {self._percent}% after {duration:.1f} s; "
                f"{_as_int(reply, 'num_err')} line(s) with errors"
            )
            self._report(reply)
        else:
            self._failures += 1
            if reply is not None and code != -99:
                self._task = reply
            duration = now - self.first_poll
            if self._failures >= options.retrieval_fail_gate:
                self._note(f"Task {self.task_id}: retrieving its state failed {self._failures} times; giving up")
                self.result = (code, self._task)
                return
        if self._percent >= 100:
            end = datetime.datetime.now()
            self._task["total_task_time"] = str(end - self.begin)
            self._note(f"Task {self.task_id} completed at {end}; total time {end - self.begin}")
            self.result = (code, self._task)
            return
        stop = self._stop_reason(duration)
        if stop is not None:
            reason, on_timeout = stop
            if options.delete_task_on_timeout:
                reason += " The task will be deleted."
                self._delete(self.url)
            self._note(reason)
            if on_timeout or not isinstance(self._task, dict):
                self.result = (1, {"msg": reason})
            else:
                self._task["msg"] = reason
                self.result = (1, self._task)

    def _report(self, task: dict[str, Any]) -> None:
        if self.options.progress is None:
            return
        numbers = (self._percent, _as_int(task, "num_done"), _as_int(task, "num_lines"), _as_int(task, "num_err"))
        if numbers != self._reported:
            self._reported = numbers
            self.options.progress(TaskProgress(self.task_id, *numbers))

    def _remember(self, now: float, percent: int) -> None:
        if self._first_seen is None:
            self._first_seen = (now, percent)
            self._change = (now, now, percent)
        elif percent != self._change[2]:
            # The change happened after the previous poll and no later than this one.
            self._change = (self._last_poll, now, percent)
        self._last_poll = now

    def _stop_reason(self, duration: float) -> tuple[str, bool] | None:
        """Why tracking must stop now (message, is-the-overall-timeout), or None to keep polling."""
        options = self.options
        if duration >= options.timeout:
            return (
                f"Task {self.task_id} did not complete in efficient time and timed out. "
                f"The timeout value was {options.timeout}.",
                True,
            )
        if not options.timeout_only and self._percent == 0 and duration >= options.zero_percent_timeout:
            return (
                f"Task {self.task_id} did not progress past zero percent in an efficient time. "
                f"The zero_percent_timeout value was {options.zero_percent_timeout}.",
                False,
            )
        if (
            not options.timeout_only
            and 0 < self._last_percent == self._percent
            and duration >= options.task_stale_timeout
        ):
            return (
                f"Task {self.task_id} did not progress in the desired time. "
                f"The task_stale_timeout value was {options.task_stale_timeout}.",
                False,
            )
        return None

    # --- when to poll again ---------------------------------------------------------------------
    def next_delay(self) -> float:
        """Seconds to wait from now until the next poll (see the module docstring)."""
        return max(0.0, self._next_interval() - (self._answered - self._poll_began))

    def _next_interval(self) -> float:
        """Seconds from the start of the latest poll to the start of the next."""
        ceiling = max(float(self.options.sleep_time), 0.0)
        floor = min(max(self.options.min_sleep_time, 0.0), ceiling)
        if self._delay is None:
            delay = floor
        else:
            grown = min(ceiling, max(self._delay * BACKOFF_FACTOR, floor))
            delay = grown
            finish = self._predicted_finish()
            if finish is not None:
                earliest, latest = finish
                now = self._last_poll
                if now < earliest:
                    delay = min(grown, max(floor, (earliest - now) / 2))
                elif now <= latest:
                    delay = floor  # the task is due: poll closely until the prediction has surely passed
        self._delay = delay
        return delay

    def _predicted_finish(self) -> tuple[float, float] | None:
        """The earliest and latest time the task should reach 100 % at its average rate, or None."""
        if self._first_seen is None:
            return None
        first_time, first_percent = self._first_seen
        change_earliest, change_latest, percent = self._change
        if percent <= first_percent or change_latest <= first_time:
            return None
        rate = (percent - first_percent) / (change_latest - first_time)
        rest = max(100 - percent, 0) / rate
        return change_earliest + rest, change_latest + rest + (change_latest - change_earliest)


class TaskTracker:
    """Polls ``/task/task/<id>``. ``get``/``delete`` are the client's calls; ``note`` receives progress text.

    ``get_many(urls)`` gets several URLs in one request and returns one ``(code, data)`` per URL;
    it is what lets :meth:`track_many` poll many tasks with one request per round.
    """

    def __init__(
        self,
        get: Callable[[str], Reply],
        delete: Callable[[str], Reply],
        note: Callable[[str], None],
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        get_many: Callable[[list[str]], list[Reply]] | None = None,
    ) -> None:
        self._get = get
        self._delete = delete
        self._note = note
        self._sleep = sleep
        self._clock = clock
        self._get_many = get_many

    def track(self, task_id: Any, options: TrackOptions | None = None, **keywords: Any) -> Reply:
        """Follow one task; settings come as ``options`` or as :class:`TrackOptions` keywords."""
        settings = checked(options if options is not None else TrackOptions(**keywords))
        follower = _Follower(task_id, settings, self._clock, self._note, self._delete)
        while True:
            began = self._clock()
            try:
                code, reply = self._get(follower.url)
            except FMGConnectionError:
                if not settings.retry_connection_errors:
                    raise
                self._note(f"Task {task_id}: connection error while polling at {datetime.datetime.now()}")
                code, reply = -99, None
            follower.observe(code, reply, began)
            if follower.result is not None:
                return follower.result
            self._sleep(follower.next_delay())

    def track_many(self, task_ids: list[Any], options: TrackOptions | None = None, **keywords: Any) -> list[Reply]:
        """Follow several tasks at once, one request per round; one pyFMG-style reply per task, in input order."""
        settings = checked(options if options is not None else TrackOptions(**keywords))
        followers = [_Follower(task_id, settings, self._clock, self._note, self._delete) for task_id in task_ids]
        while True:
            active = [f for f in followers if f.result is None]
            if not active:
                return [f.result for f in followers if f.result is not None]
            began = self._clock()
            try:
                replies = self._poll_many([f.url for f in active])
            except FMGConnectionError:
                if not settings.retry_connection_errors:
                    raise
                self._note(f"Tasks {[f.task_id for f in active]}: connection error while polling")
                replies = [(-99, None)] * len(active)
            for follower, (code, reply) in zip(active, replies):
                follower.observe(code, reply, began)
            delays = [f.next_delay() for f in active if f.result is None]
            if delays:
                self._sleep(min(delays))

    def _poll_many(self, urls: list[str]) -> list[Reply]:
        if self._get_many is None or len(urls) == 1:
            return [self._get(url) for url in urls]
        return self._get_many(urls)
