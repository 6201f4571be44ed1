"""Server time (a slow FortiManager, besides the network's ``latency``) and the count of requests served."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from pyfmg.testing import FMGSimulator
from pyfmg.testing.__main__ import build_parser, run, simulator_for
from pyfmg.testing.pacing import RequestCounts, ServerTime

from .conftest import ADDRESSES, Rpc


def _held(sim: FMGSimulator) -> list[float]:
    """Record the holds instead of waiting them out."""
    assert sim._paced is not None
    holds: list[float] = []
    sim._paced.wait = holds.append
    return holds


@pytest.mark.sim(server_time=0.5, server_time_per_param=0.25)
def test_each_request_is_held_for_the_server_time_plus_a_share_per_param(sim: FMGSimulator, rpc: Rpc) -> None:
    holds = _held(sim)
    rpc.send("get", {"url": ADDRESSES}, {"url": f"{ADDRESSES}/all"})
    rpc.one("get", "sys/status")
    assert holds == [1.0, 0.75]
    sim.server_time, sim.server_time_per_param = 0.0, 0.0  # settable while running, like latency
    assert rpc.one("get", "sys/status")[0] == 0
    assert holds == [1.0, 0.75]


def test_the_queue_decides_which_requests_wait_for_each_other() -> None:
    paced = ServerTime(lambda request, bearer: None, lambda: (0.0, 0.0, "global"))
    one, two = {"session": "a"}, {"session": "b"}
    assert paced.queue("global", one, None) is paced.queue("global", two, None)
    assert paced.queue("session", one, None) is paced.queue("session", dict(one), None)
    assert paced.queue("session", one, None) is not paced.queue("session", two, None)
    assert paced.queue("session", {"session": None}, "key-1") is not paced.queue("session", one, "key-2")


def test_requests_without_a_queue_are_held_side_by_side() -> None:
    inside, release = threading.Semaphore(0), threading.Event()
    paced = ServerTime(lambda request, bearer: "answered", lambda: (1.0, 0.0, "none"))

    def hold(seconds: float) -> None:
        inside.release()
        assert release.wait(10)

    paced.wait = hold
    answers: list[Any] = []
    threads = [threading.Thread(target=lambda: answers.append(paced({"session": "s"}, None))) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        assert inside.acquire(timeout=10) and inside.acquire(timeout=10)  # both held at once
    finally:
        release.set()
        for thread in threads:
            thread.join(10)
    assert answers == ["answered", "answered"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"server_time": -1}, "server_time must be"),
        ({"server_time_per_param": float("inf")}, "server_time_per_param must be"),
        ({"server_time": "1"}, "server_time must be"),
        ({"server_queue": "adom"}, "server_queue must be one of global, session, none"),
    ],
)
def test_bad_server_time_settings_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FMGSimulator(**options)


def test_the_command_line_sets_the_server_time(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(
        ["--server-time", "0.3", "--server-time-per-param", "0.01", "--server-queue", "session"]
    )
    sim = simulator_for(args)
    assert (sim.server_time, sim.server_time_per_param, sim.server_queue) == (0.3, 0.01, "session")
    assert simulator_for(build_parser().parse_args([])).server_queue == "global"
    with pytest.raises(SystemExit):
        run(["--server-time", "-2"])
    assert "server_time must be" in capsys.readouterr().err


@pytest.mark.sim(request_history=0)
def test_requests_and_params_are_counted_by_method(sim: FMGSimulator, rpc: Rpc) -> None:
    rpc.send("add", {"url": ADDRESSES, "data": {"name": "h1"}}, {"url": ADDRESSES, "data": {"name": "h2"}})
    rpc.send("get", {"url": f"{ADDRESSES}/h1"}, {"url": f"{ADDRESSES}/h2"}, {"url": f"{ADDRESSES}/h3"})
    requests.post(sim.url, data=b"not json", timeout=10)
    counts = sim.request_counts
    assert counts.as_dict() == {
        "requests": 4,
        "params": 6,
        "by_method": {
            "": {"requests": 1, "params": 0},
            "add": {"requests": 1, "params": 2},
            "exec": {"requests": 1, "params": 1},  # the login
            "get": {"requests": 1, "params": 3},
        },
    }
    assert str(counts) == "4 request(s), 6 param(s): not JSON-RPC 1 (0), add 1 (2), exec 1 (1), get 1 (3)"
    assert sim.requests == []  # counting does not need the history
    assert sim.reset_request_counts().requests == 4
    rpc.one("get", "sys/status")
    assert sim.request_counts.as_dict() == {
        "requests": 1,
        "params": 1,
        "by_method": {"get": {"requests": 1, "params": 1}},
    }


def test_an_injected_fault_is_counted_too(sim: FMGSimulator, rpc: Rpc) -> None:
    sim.reset_request_counts()
    sim.inject("http_502_html", method="get")
    assert (
        rpc.raw({"id": 1, "method": "get", "params": [{"url": "sys/status"}], "session": rpc.token}).status_code == 502
    )
    assert sim.request_counts.by_method["get"].requests == 1


def test_counts_copy_and_empty_text() -> None:
    counts = RequestCounts()
    assert str(counts) == "0 request(s), 0 param(s)"
    counts.add({"method": "get", "params": {"url": "x"}})  # params as one object count as one
    copied = counts.copy()
    counts.add({"method": "get", "params": []})
    assert (copied.requests, copied.by_method["get"].params) == (1, 1)
