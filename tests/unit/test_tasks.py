"""track_task: pyFMG's return values, without its crashes; no real sleeping."""

from __future__ import annotations

from typing import Any

import pytest

from pyfmg import FMGConnectionError
from pyfmg.tasks import TaskTracker

START = 1_000_000.0


class Script:
    """Replies to task polls from a list; a fake clock advances by each sleep."""

    def __init__(self, replies: list[Any], start_tm: float = START) -> None:
        self.replies = replies
        self.now = start_tm
        self.sleeps: list[float] = []
        self.deleted: list[str] = []
        self.notes: list[str] = []
        self.tracker = TaskTracker(self.get, self.delete, self.notes.append, sleep=self.sleep, clock=lambda: self.now)

    def get(self, url: str) -> tuple[int, Any]:
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    def delete(self, url: str) -> tuple[int, Any]:
        self.deleted.append(url)
        return 0, {}

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def task(percent: int, **extra: Any) -> tuple[int, dict[str, Any]]:
    return 0, {
        "id": 7,
        "percent": percent,
        "num_done": 0,
        "num_err": 0,
        "num_lines": 1,
        "start_tm": int(START),
        "state": 4 if percent == 100 else 1,
        **extra,
    }


def test_completes_with_total_task_time() -> None:
    s = Script([task(10), task(60), task(100)])
    code, info = s.tracker.track(7, sleep_time=3)
    assert code == 0 and info["percent"] == 100 and "total_task_time" in info
    assert s.sleeps == [3, 3]


def test_first_poll_failing_counts_against_the_gate_instead_of_crashing() -> None:
    # pyFMG 0.8.6.3 raises UnboundLocalError here.
    s = Script([(-3, {"status": {"code": -3, "message": "Object does not exist"}}), task(100)])
    code, info = s.tracker.track(7)
    assert code == 0 and info["percent"] == 100


def test_retrieval_fail_gate_returns_the_last_reply() -> None:
    failure = (-6, {"status": {"code": -6, "message": "Invalid url"}, "url": "/task/task/7"})
    s = Script([failure])
    code, info = s.tracker.track(7, retrieval_fail_gate=4)
    assert code == -6 and info["status"]["code"] == -6 and len(s.sleeps) == 3


def test_timeout_returns_one_and_a_message_and_can_delete() -> None:
    s = Script([task(50)])
    code, info = s.tracker.track(7, sleep_time=10, timeout=25, delete_task_on_timeout=True)
    assert code == 1 and set(info) == {"msg"} and "timed out" in info["msg"] and "deleted" in info["msg"]
    assert s.deleted == ["/task/task/7"]


def test_zero_percent_timeout_only_when_timeout_only_is_false() -> None:
    s = Script([task(0)])
    code, info = s.tracker.track(7, sleep_time=5, timeout_only=False, zero_percent_timeout=12)
    assert code == 1 and info["percent"] == 0 and "zero percent" in info["msg"]


def test_stale_timeout() -> None:
    s = Script([task(40)])
    code, info = s.tracker.track(7, sleep_time=5, timeout_only=False, task_stale_timeout=20)
    assert code == 1 and info["percent"] == 40 and "did not progress" in info["msg"]


def test_connection_errors_are_raised_unless_disabled() -> None:
    with pytest.raises(FMGConnectionError):
        Script([FMGConnectionError("reset")]).tracker.track(7)
    s = Script([FMGConnectionError("reset"), task(100)])
    code, info = s.tracker.track(7, retry_connection_errors=True)
    assert code == 0 and info["percent"] == 100


def test_missing_or_bad_fields_do_not_crash() -> None:
    s = Script([(0, {"percent": "n/a"}), (0, {"percent": 100})])
    code, info = s.tracker.track(7)
    assert code == 0 and info["percent"] == 100
