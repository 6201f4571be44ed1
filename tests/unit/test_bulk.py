"""fmg.bulk: many items in few multi-param requests, one verdict per item, in input order."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from pyfmg import FMGConnectionError, FMGInvalidResponse, FMGValidSessionException, FMGValueError, FortiManager
from pyfmg.bulk import ItemResult

from .fakefmg import HOST, PASSWORD, FakeFMG, ok

ADDR = "pm/config/adom/root/obj/firewall/address"


def _objects(count: int) -> list[dict[str, Any]]:
    return [{"name": f"h{i}", "subnet": f"10.0.{i // 250}.{i % 250}/32"} for i in range(count)]


def _adds(fake: FakeFMG) -> list[dict[str, Any]]:
    return [b for b in fake.bodies if b["method"] == "add"]


def _per_item(method: str, params: list[Any], body: dict[str, Any]) -> Any:
    """Answer every param; objects named 'bad...' are refused as duplicates."""
    if method not in ("add", "delete", "get") or len(params) < 1 or "/address" not in params[0]["url"]:
        return None
    results = []
    for param in params:
        name = (param.get("data") or {}).get("name") if method == "add" else param["url"].rsplit("/", 1)[-1]
        if str(name).startswith("bad"):
            results.append(ok(url=param["url"], code=-2, message="Object already exists"))
        else:
            results.append(ok({"name": name}, param["url"]))
    return {"id": body["id"], "result": results}


def test_items_are_packed_into_chunks_and_answered_in_input_order(fmg: FortiManager, fake: FakeFMG) -> None:
    fake.on(_per_item)
    objects = _objects(25)
    objects[12]["name"] = "bad12"

    results = fmg.bulk("add", ADDR, objects, chunk_size=10)

    sent = _adds(fake)
    assert [len(b["params"]) for b in sent] == [10, 10, 5]
    assert sent[0]["params"][0] == {"url": ADDR, "data": objects[0]}
    assert list(sent[0]) == ["method", "params", "session", "id"]
    assert [r.index for r in results] == list(range(25))
    assert [r.data for r in results if r.ok] == [{"name": o["name"]} for o in objects if o["name"] != "bad12"]
    bad = results[12]
    assert (bad.ok, bad.code, bad.message, bad.url, bad.error) == (False, -2, "Object already exists", ADDR, None)
    assert bad.param == {"url": ADDR, "data": objects[12]}
    assert all(r.ok for i, r in enumerate(results) if i != 12)


def test_full_params_are_sent_as_given(fmg: FortiManager, fake: FakeFMG) -> None:
    fake.on(_per_item)
    params = [{"url": f"{ADDR}/h{i}"} for i in range(3)] + [{"url": f"{ADDR}/bad"}]
    results = fmg.bulk("delete", params)
    assert fake.bodies[-1]["method"] == "delete" and fake.bodies[-1]["params"] == params
    assert [r.code for r in results] == [0, 0, 0, -2]
    assert [r.url for r in results] == [p["url"] for p in params]


def test_concurrent_chunks_complete_out_of_order_but_results_keep_input_order(fmg: FortiManager, fake: FakeFMG) -> None:
    last_chunk_answered = threading.Event()
    in_flight: set[int] = set()
    most_in_flight = 0
    guard = threading.Lock()

    def slow_first_chunk(method: str, params: list[Any], body: dict[str, Any]) -> Any:
        nonlocal most_in_flight
        if method != "add":
            return None
        first = int(params[0]["data"]["name"][1:])
        with guard:
            in_flight.add(first)
            most_in_flight = max(most_in_flight, len(in_flight))
        if first == 0:
            assert last_chunk_answered.wait(timeout=10), "the other chunks were not sent while the first was pending"
        reply = _per_item(method, params, body)
        if first == 35:
            last_chunk_answered.set()
        with guard:
            in_flight.discard(first)
        return reply

    fake.on(slow_first_chunk)
    progress: list[tuple[int, int]] = []
    results = fmg.bulk(
        "add", ADDR, _objects(40), chunk_size=5, workers=4, progress=lambda d, t: progress.append((d, t))
    )

    assert [r.data["name"] for r in results] == [f"h{i}" for i in range(40)]
    assert [r.index for r in results] == list(range(40))
    assert 1 < most_in_flight <= 4
    assert [d for d, _ in progress] == sorted(d for d, _ in progress) and progress[-1] == (40, 40)
    assert len(progress) == 8 and {t for _, t in progress} == {40}


def test_progress_reports_items_done_after_each_chunk(fmg: FortiManager, fake: FakeFMG) -> None:
    fake.on(_per_item)
    calls: list[tuple[int, int, str]] = []
    fmg.bulk(
        "add",
        ADDR,
        _objects(25),
        chunk_size=10,
        progress=lambda d, t: calls.append((d, t, threading.current_thread().name)),
    )
    assert [(d, t) for d, t, _ in calls] == [(10, 25), (20, 25), (25, 25)]
    assert {name for _, _, name in calls} == {threading.current_thread().name}


def test_a_chunk_whose_request_failed_reports_the_error_on_each_of_its_items_and_is_not_resent(
    fmg: FortiManager, fake: FakeFMG
) -> None:
    def drop_second_chunk(method: str, params: list[Any], body: dict[str, Any]) -> Any:
        if method == "add" and params[0]["data"]["name"] == "h5":
            raise requests.exceptions.ConnectionError("connection reset by peer")
        return None

    fake.on(_per_item)
    fake.on(drop_second_chunk)
    results = fmg.bulk("add", ADDR, _objects(12), chunk_size=5, workers=2)

    assert [r.ok for r in results] == [True] * 5 + [False] * 5 + [True] * 2
    for failed in results[5:10]:
        assert failed.code is None and isinstance(failed.error, FMGConnectionError)
        assert "connection reset by peer" in failed.message
    assert [b["params"][0]["data"]["name"] for b in _adds(fake)].count("h5") == 1


def test_a_reply_that_is_not_json_marks_its_items_with_code_100(fmg: FortiManager, fake: FakeFMG) -> None:
    fake.on(lambda m, p, b: (502, "<html>Bad Gateway</html>") if m == "add" and p[0]["data"]["name"] == "h2" else None)
    fake.on(_per_item)
    fake.handlers.reverse()  # the 502 handler first
    results = fmg.bulk("add", ADDR, _objects(4), chunk_size=2)
    assert [r.code for r in results] == [0, 0, 100, 100]
    assert "HTTP 502" in results[2].message and results[2].error is None


def test_missing_results_are_reported_on_the_items_without_one(fmg: FortiManager, fake: FakeFMG) -> None:
    fake.on(lambda m, p, b: {"id": b["id"], "result": [ok({"name": "h0"}, ADDR)]} if m == "add" else None)
    results = fmg.bulk("add", ADDR, _objects(3))
    assert results[0].ok
    assert [r.code for r in results[1:]] == [None, None]
    assert all(isinstance(r.error, FMGInvalidResponse) for r in results[1:])


def test_the_workspace_lock_is_taken_once_and_committed_after_the_run(fake: FakeFMG) -> None:
    fake.workspace_mode = 1
    fake.on(_per_item)
    with FortiManager(HOST, "admin", PASSWORD) as fmg:
        assert fmg.workspace_mode
        fake.bodies.clear()
        results = fmg.bulk("add", ADDR, _objects(30), chunk_size=10, workers=3, adom="root")
        assert fmg.locked_scopes == []
    urls = [(b["method"], b["params"][0]["url"]) for b in fake.bodies]
    assert urls[0] == ("exec", "/dvmdb/adom/root/workspace/lock/")
    assert urls[-3:-1] == [
        ("exec", "/dvmdb/adom/root/workspace/commit"),
        ("exec", "/dvmdb/adom/root/workspace/unlock/"),
    ]
    assert [m for m, _ in urls].count("add") == 3 and all(r.ok for r in results)


def test_an_exception_from_progress_stops_the_run_and_releases_the_lock(fake: FakeFMG) -> None:
    fake.workspace_mode = 1
    fake.on(_per_item)

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with FortiManager(HOST, "admin", PASSWORD) as fmg:
        with pytest.raises(KeyboardInterrupt):
            fmg.bulk("add", ADDR, _objects(30), chunk_size=10, adom="root", progress=stop)
        assert fmg.locked_scopes == []
    methods = [(b["method"], b["params"][0]["url"]) for b in fake.bodies]
    assert [m for m, _ in methods].count("add") == 1
    assert ("exec", "/dvmdb/adom/root/workspace/commit") not in methods


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("add", ADDR, [{}]), {"chunk_size": 0}, "chunk_size"),
        (("add", ADDR, [{}]), {"workers": 11}, "pool_size=11"),
        (("add", ADDR, [{}]), {"workers": True}, "workers"),
        (("add", ADDR, None), {}, "items"),
        (("add", ADDR, {"name": "x"}), {}, "items"),
        (("delete", [{"name": "no url"}]), {}, "param #0"),
        (("delete", "pm/x", None), {}, "items"),
        (("", ADDR, [{}]), {}, "method"),
        (("delete", [{"url": "a"}], [1]), {}, "only with a url"),
    ],
)
def test_bad_arguments_raise_before_anything_is_sent(
    fake: FakeFMG, args: tuple[Any, ...], kwargs: dict[str, Any], match: str
) -> None:
    fake.workspace_mode = 1
    with FortiManager(HOST, "admin", PASSWORD) as fmg:
        fake.bodies.clear()
        with pytest.raises(FMGValueError, match=match):
            fmg.bulk(*args, adom="root", **kwargs)
        assert fake.bodies == []


def test_without_a_session_bulk_raises(fake: FakeFMG) -> None:
    fmg = FortiManager(HOST, "admin", PASSWORD)
    with pytest.raises(FMGValidSessionException):
        fmg.bulk("add", ADDR, _objects(2))
    assert fake.bodies == []


def test_no_items_send_nothing(fmg: FortiManager, fake: FakeFMG) -> None:
    assert fmg.bulk("add", ADDR, iter([])) == []
    assert fake.bodies == []


def test_item_result_is_ok_only_for_code_zero() -> None:
    assert ItemResult(0, "u", 0, "OK").ok
    assert not ItemResult(0, "u", -2, "exists").ok
    assert not ItemResult(0, "u", None, "lost").ok
