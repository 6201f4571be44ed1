"""Large replies: msgspec and json give the same results, the GC pause is restored, req_resp_object stays light."""

from __future__ import annotations

import gc
import json
import math
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from pyfmg import FortiManager, response
from pyfmg.response import LARGE_REPLY, NotJSONResponse, RequestResponse, decode, parse_releasing_bytes

from .fakefmg import FakeFMG, ok

ADDR = "pm/config/adom/root/obj/firewall/address"

BODIES = {
    "reply": b'{"id": 1, "result": [{"status": {"code": 0, "message": "OK"}, "data": [{"name": "h1"}]}]}',
    "unicode": '{"name": "caf\u00e9 \u2603 \U0001f600", "escaped": "\\u00e9\\ud83d\\ude00"}'.encode(),
    "big integer": b'{"n": 123456789012345678901234567890, "m": -9223372036854775809}',
    "floats": b"[0.1, -0.0, 1e-320, 1.7976931348623157e308, 2.5E+3]",
    "overflowing float": b"[1e400]",
    "NaN and Infinity": b"[NaN, Infinity, -Infinity]",
    "lone surrogate": b'{"comment": "\\ud800 kept"}',
    "byte order mark": b'\xef\xbb\xbf{"a": 1}',
    "UTF-16": '{"a": "\u00e9"}'.encode("utf-16-le"),
    "duplicate keys": b'{"a": 1, "a": 2}',
    "nested deeply": b"[" * 100_000 + b"]" * 100_000,
    "not JSON": b"<html>502 Bad Gateway</html>",
    "truncated": b'{"id": 1, "result": [{"status"',
    "empty": b"",
    "trailing bytes": b'{"a": 1} x',
    "invalid UTF-8": b'{"a": "\xff"}',
}


@pytest.fixture(params=["msgspec", "json"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "msgspec":
        pytest.importorskip("msgspec")
        assert response.msgspec_available()
    else:
        monkeypatch.setattr(response, "_MSGSPEC", None)
        assert not response.msgspec_available()
    return str(request.param)


def expected(body: bytes) -> Any:
    """What json.loads(bytes) gives, or the exception class it raises as ValueError."""
    try:
        return json.loads(body)
    except RecursionError:
        return ValueError
    except ValueError:
        return ValueError


def same(left: Any, right: Any) -> bool:
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left):
        return math.isnan(right)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    return type(left) is type(right) and left == right


@pytest.mark.parametrize("name", sorted(BODIES))
def test_both_parsers_give_what_json_gives(parser: str, name: str) -> None:
    body, want = BODIES[name], expected(BODIES[name])
    if want is ValueError:
        with pytest.raises(ValueError):
            decode(body)
    else:
        assert same(decode(body), want)


@pytest.mark.parametrize("name", sorted(BODIES))
def test_the_client_path_gives_the_value_or_a_not_json_reply(parser: str, name: str) -> None:
    body, want = BODIES[name], expected(BODIES[name])
    reply = SimpleNamespace(content=body, status=200, headers={"Content-Type": "application/json"})
    got = parse_releasing_bytes(reply, ADDR, RequestResponse())
    if want is ValueError:
        assert isinstance(got, NotJSONResponse) and got.content == body and got.status_code == 200
    else:
        assert same(got, want)
    assert reply.content == body[:200]


def test_a_large_reply_gives_the_same_objects_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        {"name": f"h{i}", "subnet": ["10.0.0.1", "255.255.255.255"], "comment": "\u00e9" * 20} for i in range(20_000)
    ]
    body = json.dumps({"id": 1, "result": [{"status": {"code": 0}, "data": rows}]}).encode()
    assert len(body) > LARGE_REPLY
    with_default = decode(body)
    monkeypatch.setattr(response, "_MSGSPEC", None)
    assert decode(body) == with_default == json.loads(body)


# --- the garbage collector's pause ----------------------------------------------------------------


@pytest.fixture
def gc_state() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def spying_parser(monkeypatch: pytest.MonkeyPatch, seen: list[bool], fail: bool = False) -> None:
    def parse(content: Any) -> Any:
        seen.append(gc.isenabled())
        if fail:
            raise RecursionError("deep")
        return {}

    monkeypatch.setattr(response, "_MSGSPEC", parse)
    monkeypatch.setattr(response.json, "loads", parse)


@pytest.mark.usefixtures("gc_state")
@pytest.mark.parametrize("enabled_before", [True, False])
def test_a_large_reply_is_parsed_with_the_collector_paused_and_its_state_restored(
    monkeypatch: pytest.MonkeyPatch, enabled_before: bool
) -> None:
    (gc.enable if enabled_before else gc.disable)()
    seen: list[bool] = []
    spying_parser(monkeypatch, seen)
    decode(b" " * (LARGE_REPLY + 1))
    decode(b"{}")
    assert seen == [False, enabled_before]
    assert gc.isenabled() is enabled_before


@pytest.mark.usefixtures("gc_state")
def test_the_collector_is_restored_when_parsing_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    gc.enable()
    seen: list[bool] = []
    spying_parser(monkeypatch, seen, fail=True)
    with pytest.raises(ValueError, match="nested too deeply"):
        decode(b" " * (LARGE_REPLY + 1))
    assert seen == [False, False] and gc.isenabled()


@pytest.mark.usefixtures("gc_state")
def test_threads_parsing_at_once_keep_the_collector_paused_until_the_last_one_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gc.enable()
    inside, release_first, first_done = threading.Barrier(2), threading.Event(), threading.Event()
    states: dict[str, bool] = {}

    def parse(content: Any) -> Any:
        name = threading.current_thread().name
        inside.wait(10)
        if name == "second":
            assert first_done.wait(10)
            states["second after first ended"] = gc.isenabled()
        else:
            assert release_first.wait(10)
        return {}

    monkeypatch.setattr(response, "_MSGSPEC", parse)
    large = b" " * (LARGE_REPLY + 1)

    def first() -> None:
        decode(large)
        first_done.set()

    threads = [
        threading.Thread(target=first, name="first"),
        threading.Thread(target=decode, args=(large,), name="second"),
    ]
    for thread in threads:
        thread.start()
    release_first.set()
    for thread in threads:
        thread.join(10)
    assert states == {"second after first ended": False}
    assert gc.isenabled()


# --- req_resp_object ------------------------------------------------------------------------------


def test_a_large_reply_is_kept_as_text_and_parsed_again_when_read(fmg: FortiManager, fake: FakeFMG) -> None:
    rows = [{"name": f"h{i:05d}", "comment": "x" * 100} for i in range(20_000)]
    fake.on(lambda method, params, body: ok(rows, ADDR) if params[0]["url"] == ADDR else None)
    code, data = fmg.get(ADDR)
    assert code == 0 and data == rows
    record = fmg.req_resp_object
    assert (
        record._value is None
        and isinstance(record._source, (str, bytes, bytearray))
        and len(record._source) > LARGE_REPLY
    )
    del data  # nothing of the parsed reply stays alive through the record
    reply = record.response_json
    assert reply["result"][0]["data"] == rows and reply["id"] == record.request_json["id"]
    assert record.response_json is reply
    record.reset()
    assert record.response_json is None


def test_a_small_reply_is_kept_as_the_objects_returned(fmg: FortiManager, fake: FakeFMG) -> None:
    fake.on(lambda method, params, body: ok([{"name": "h1"}], ADDR) if params[0]["url"] == ADDR else None)
    code, data = fmg.get(ADDR)
    assert code == 0 and fmg.req_resp_object.response_json["result"][0]["data"] is data
