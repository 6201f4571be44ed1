"""track_task / track_tasks: pyFMG's results, prompt return, no hammering; a fake clock, no real sleeps."""

from __future__ import annotations

from typing import Any

import pytest

from pyfmg import FMGConnectionError, FortiManager, TaskProgress
from pyfmg.tasks import TaskTracker, TrackOptions

from .fakefmg import FakeFMG, ok

T0 = 1_700_000_000.0
POLL_COST = 0.003  # seconds one poll takes on the fake clock


class FakeTasks:
    """Tasks whose percent grows linearly over their duration, on a clock only sleeps move."""

    def __init__(self, poll_cost: float = POLL_COST, step: int = 1) -> None:
        self.poll_cost = poll_cost  # a round trip; the task is read at its end, as the simulator does
        self.step = step  # percent moves in steps of this size
        self.now = T0
        self.tasks: dict[int, dict[str, Any]] = {}
        self.polls: list[tuple[float, list[str]]] = []
        self.sleeps: list[float] = []
        self.deleted: list[str] = []
        self.failing: list[Any] = []  # exceptions or (code, reply) to answer instead, one per poll

    def add(self, task_id: int, duration: float, lines: int = 4, errors: int = 0, stall_at: int | None = None) -> None:
        self.tasks[task_id] = {
            "start": self.now,
            "duration": duration,
            "lines": lines,
            "errors": errors,
            "stall": stall_at,
        }

    def finish_time(self, task_id: int) -> float:
        spec = self.tasks[task_id]
        return float(spec["start"] + spec["duration"])

    def render(self, task_id: int) -> dict[str, Any]:
        spec = self.tasks[task_id]
        fraction = 1.0 if spec["duration"] == 0 else min(1.0, (self.now - spec["start"]) / spec["duration"])
        percent = int(fraction * 100) // self.step * self.step
        if spec["stall"] is not None:
            percent = min(percent, spec["stall"])
        done = spec["lines"] * percent // 100
        return {
            "id": task_id,
            "percent": percent,
            "num_lines": spec["lines"],
            "num_done": done,
            "num_err": spec["errors"] if percent == 100 else 0,
            "start_tm": int(spec["start"]),
        }

    def get(self, url: str) -> tuple[int, Any]:
        self.polls.append((self.now, [url]))
        return self._answer(url)

    def get_many(self, urls: list[str]) -> list[tuple[int, Any]]:
        self.polls.append((self.now, list(urls)))
        return [self._answer(url) for url in urls]

    def poll_intervals(self) -> list[float]:
        """Seconds from the start of each poll to the start of the next."""
        return [later[0] - earlier[0] for earlier, later in zip(self.polls, self.polls[1:])]

    def _answer(self, url: str) -> tuple[int, Any]:
        self.now += self.poll_cost
        if self.failing:
            failure = self.failing.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return failure
        return 0, self.render(int(url.rsplit("/", 1)[1]))

    def delete(self, url: str) -> tuple[int, Any]:
        self.deleted.append(url)
        return 0, {}

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    def tracker(self, notes: list[str] | None = None) -> TaskTracker:
        note = notes.append if notes is not None else (lambda text: None)
        return TaskTracker(self.get, self.delete, note, sleep=self.sleep, clock=self.clock, get_many=self.get_many)


@pytest.fixture
def world() -> FakeTasks:
    return FakeTasks()


@pytest.mark.parametrize("duration", [0.5, 2.0, 7.0, 60.0, 600.0])
def test_tracking_ends_soon_after_100_percent_and_polls_a_long_task_rarely(world: FakeTasks, duration: float) -> None:
    world.add(7, duration)
    code, task = world.tracker().track(7, TrackOptions(timeout=duration + 60))
    assert code == 0 and task["percent"] == 100 and "total_task_time" in task
    assert world.now - world.finish_time(7) <= 0.25
    # pyFMG polled every 3 s; a steady task costs that many polls plus a bounded number of close-in ones.
    assert len(world.polls) <= duration / 3 + 25
    assert max(world.sleeps) <= 3


@pytest.mark.parametrize("duration", [2.0, 10.0, 30.0, 100.0])
@pytest.mark.parametrize("round_trip", [0.02, 0.1])
@pytest.mark.parametrize("step", [1, 10])
def test_a_slow_round_trip_does_not_stretch_the_overshoot(duration: float, round_trip: float, step: int) -> None:
    world = FakeTasks(poll_cost=round_trip, step=step)
    world.add(7, duration)
    code, task = world.tracker().track(7, TrackOptions(timeout=duration + 60))
    assert code == 0 and task["percent"] == 100
    # Polls start min_sleep_time apart near the end whatever the round trip (it used to add to the wait).
    assert world.now - world.finish_time(7) <= 0.25
    assert len(world.polls) <= duration / 3 + 25


def test_a_round_trip_longer_than_the_interval_means_polls_back_to_back(world: FakeTasks) -> None:
    world.poll_cost = 4.0  # a FortiManager taking 4 s to answer
    world.add(8, 30.0)
    code, _task = world.tracker().track(8, TrackOptions(timeout=100))
    assert code == 0 and set(world.sleeps) == {0.0}
    assert world.now - world.finish_time(8) <= 4.0  # one round trip at most


def test_waits_start_short_and_grow_to_sleep_time_while_nothing_moves(world: FakeTasks) -> None:
    world.add(1, 100.0, stall_at=0)
    code, reply = world.tracker().track(1, TrackOptions(timeout=40, sleep_time=5))
    assert code == 1 and "timed out" in reply["msg"]
    intervals = world.poll_intervals()
    assert intervals[0] == pytest.approx(0.2)
    assert intervals == sorted(intervals) and intervals[-1] == pytest.approx(5)
    assert len(world.polls) < 20


def test_a_task_that_stops_progressing_is_polled_less_and_less(world: FakeTasks) -> None:
    world.add(1, 10.0, stall_at=40)
    code, task = world.tracker().track(1, TrackOptions(timeout=120, timeout_only=False, task_stale_timeout=60))
    assert code == 1 and "did not progress" in task["msg"] and task["percent"] == 40
    # Close polling around the predicted end, then back to sleep_time while nothing moves.
    assert world.poll_intervals()[-10:] == pytest.approx([3.0] * 10)
    assert len(world.polls) <= 60 / 3 + 30


def test_progress_callbacks_arrive_in_order_once_per_change(world: FakeTasks) -> None:
    world.add(3, 2.0, lines=4, errors=1)
    seen: list[TaskProgress] = []
    world.tracker().track(3, TrackOptions(progress=seen.append))
    percents = [p.percent for p in seen]
    assert percents == sorted(percents) and percents[-1] == 100
    assert len(set(seen)) == len(seen), "a callback repeated numbers that had not changed"
    assert seen[-1] == TaskProgress(3, 100, 4, 4, 1)
    assert [p.num_done for p in seen] == sorted(p.num_done for p in seen)


def test_timeout_returns_pyfmg_message_and_can_delete_the_task(world: FakeTasks) -> None:
    world.add(9, 1000.0)
    code, reply = world.tracker().track(9, TrackOptions(timeout=10, delete_task_on_timeout=True))
    assert code == 1
    assert reply == {
        "msg": "Task 9 did not complete in efficient time and timed out. The timeout value was 10. "
        "The task will be deleted."
    }
    assert world.deleted == ["/task/task/9"]


def test_zero_percent_timeout_returns_the_task_with_a_message(world: FakeTasks) -> None:
    world.add(2, 100.0, stall_at=0)
    code, task = world.tracker().track(2, TrackOptions(timeout_only=False, zero_percent_timeout=5))
    assert code == 1 and task["percent"] == 0 and "zero percent" in task["msg"]


def test_retrieval_fail_gate_returns_the_last_failure(world: FakeTasks) -> None:
    world.add(4, 100.0)
    failure = (-3, {"status": {"code": -3, "message": "Object does not exist"}, "url": "/task/task/4"})
    world.failing = [failure] * 3
    assert world.tracker().track(4, TrackOptions(retrieval_fail_gate=3)) == failure


def test_connection_errors_count_as_failed_polls_only_when_asked(world: FakeTasks) -> None:
    world.add(5, 1.0)
    world.failing = [FMGConnectionError("reset")]
    with pytest.raises(FMGConnectionError):
        world.tracker().track(5, TrackOptions())
    world.failing = [FMGConnectionError("reset")]
    code, task = world.tracker().track(5, TrackOptions(retry_connection_errors=True))
    assert code == 0 and task["percent"] == 100


def test_sleep_time_below_the_minimum_is_used_as_is(world: FakeTasks) -> None:
    world.add(6, 0.3)
    world.tracker().track(6, TrackOptions(sleep_time=0.05))
    assert world.poll_intervals() == pytest.approx([0.05] * (len(world.polls) - 1))


def test_several_tasks_are_polled_together_and_returned_in_input_order(world: FakeTasks) -> None:
    world.add(11, 5.0)
    world.add(12, 1.0, errors=2)
    world.add(13, 3.0)
    seen: list[TaskProgress] = []
    replies = world.tracker().track_many([11, 12, 13], TrackOptions(progress=seen.append))

    assert [task["id"] for _, task in replies] == [11, 12, 13]
    assert all(code == 0 and task["percent"] == 100 for code, task in replies)
    assert replies[1][1]["num_err"] == 2
    for task_id in (11, 12, 13):
        last_poll_of_task = max(when for when, urls in world.polls if f"/task/task/{task_id}" in urls)
        assert last_poll_of_task - world.finish_time(task_id) <= 0.25
    # One request per round, and a finished task is no longer asked for.
    assert all(len(urls) == len(set(urls)) for _, urls in world.polls)
    assert world.polls[0][1] == ["/task/task/11", "/task/task/12", "/task/task/13"]
    assert world.polls[-1][1] == ["/task/task/11"]
    for task_id in (11, 12, 13):
        percents = [p.percent for p in seen if p.task_id == task_id]
        assert percents == sorted(percents) and percents[-1] == 100


def test_client_track_tasks_sends_one_multi_param_get_per_round(fmg: FortiManager, fake: FakeFMG) -> None:
    def task_reply(method: str, params: list[Any], body: dict[str, Any]) -> Any:
        if method != "get" or not params[0]["url"].startswith("/task/task/"):
            return None
        results = []
        for param in params:
            task_id = int(param["url"].rsplit("/", 1)[1])
            results.append(ok({"id": task_id, "percent": 100, "num_err": 0, "start_tm": 0}, param["url"]))
        return {"id": body["id"], "result": results}

    fake.on(task_reply)
    replies = fmg.track_tasks([21, 22])
    assert [task["id"] for _, task in replies] == [21, 22]
    assert all(code == 0 and "total_task_time" in task for code, task in replies)
    assert [b["params"] for b in fake.bodies] == [[{"url": "/task/task/21"}, {"url": "/task/task/22"}]]
    assert fmg.track_tasks([]) == []


def test_client_track_task_keeps_pyfmg_signature_and_reports_progress(fmg: FortiManager, fake: FakeFMG) -> None:
    fake.on(
        lambda m, p, b: (
            ok({"id": 5, "percent": 100, "num_done": 2, "num_lines": 2, "num_err": 0}, p[0]["url"])
            if p[0]["url"] == "/task/task/5"
            else None
        )
    )
    seen: list[TaskProgress] = []
    code, task = fmg.track_task(5, 3, 10, 120, False, True, 30, 60, progress=seen.append)
    assert code == 0 and task["percent"] == 100
    assert seen == [TaskProgress(5, 100, 2, 2, 0)]
