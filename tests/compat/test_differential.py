"""The same calls on pyFMG 0.8.6.3 and on pyfmg, side by side: JSON sent, return values, state, errors.

Both libraries talk to the same scripted FortiManager (``responses``, or a socket on 127.0.0.1
for faults below HTTP); each test runs a scenario on both and compares what it observed.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any, Callable

import pytest
import requests
import responses

from tests.unit.fakefmg import HOST, PASSWORD, FakeFMG, ok

Scenario = Callable[[Any], list[Any]]


def run(lib: ModuleType, scenario: Scenario, setup: Callable[[FakeFMG], None] = lambda fake: None, **kw: Any) -> Any:
    """(what the scenario observed, every request body sent, every header set sent)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeFMG(rsps)
        setup(fake)
        fmg = lib.FortiManager(HOST, kw.pop("user", "admin"), kw.pop("passwd", PASSWORD), **kw)
        observed = scenario(fmg)
        headers = [{k: v for k, v in h.items() if k in ("content-type", "Authorization")} for h in fake.headers]
        return observed, fake.bodies, headers


def compare(pyfmg_ref: ModuleType, ours: ModuleType, scenario: Scenario, **kw: Any) -> Any:
    theirs = run(pyfmg_ref, scenario, **kw)
    mine = run(ours, scenario, **kw)
    assert mine[1] == theirs[1], "different JSON sent"
    assert mine[2] == theirs[2], "different headers sent"
    assert mine[0] == theirs[0], "different results"
    return mine[0]


ADDRESSES = "pm/config/adom/root/obj/firewall/address"


def every_verb(fmg: Any) -> list[Any]:
    seen: list[Any] = [fmg.login(), str(fmg), fmg._url, fmg.sid]
    seen.append(fmg.get(ADDRESSES, fields=["name", "subnet"], filter=["name", "==", "web"], loadsub=0))
    seen.append(fmg.add(ADDRESSES, name="web", subnet=["10.0.0.1", "255.255.255.255"], allow__routing="enable"))
    seen.append(fmg.add(ADDRESSES, {"name": "dict-arg"}, fake___attribute=1))
    seen.append(fmg.set(ADDRESSES, data=[{"name": "a"}, {"name": "b"}]))
    seen.append(fmg.update(f"{ADDRESSES}/web", comment="x"))
    seen.append(fmg.replace(f"{ADDRESSES}/web", name="web", comment="y"))
    seen.append(fmg.clone(f"{ADDRESSES}/web", name="web2"))
    seen.append(fmg.move("pm/config/adom/root/pkg/default/firewall/policy/2", option="before", target="1"))
    seen.append(fmg.unset(f"{ADDRESSES}/web", comment=""))
    seen.append(fmg.delete(f"{ADDRESSES}/web2"))
    seen.append(fmg.execute("sys/proxy/json", action="get", resource="/api/v2/monitor/system/status", target=["x"]))
    seen.append(fmg.free_form("get", data=[{"url": ADDRESSES}, {"url": "sys/status"}]))
    seen.append(fmg.free_form("exec", create_task="enable", data=[{"url": "sys/status"}]))
    fmg.verbose = True
    seen.append(fmg.get("sys/status"))
    seen.append((fmg.req_id, fmg.req_resp_object.request_json, fmg.req_resp_object.response_json))
    seen.append(fmg.logout())
    seen.append((fmg.sid, str(fmg)))
    return seen


def test_every_verb_sends_and_returns_the_same(pyfmg_ref: ModuleType, ours: ModuleType) -> None:
    observed = compare(pyfmg_ref, ours, every_verb)
    assert observed[0] == (0, {"status": {"message": "OK", "code": 0}, "url": "sys/login/user"})


def workspace_session(fmg: Any) -> list[Any]:
    seen: list[Any] = [fmg.login(), fmg._lock_ctx.uses_workspace, fmg._lock_ctx.uses_adoms]
    seen.append(fmg.lock_adom("root"))
    seen.append(list(fmg._lock_ctx._locked_adom_list))
    seen.append(fmg.add(ADDRESSES, name="web"))
    seen.append(fmg.commit_changes("root"))
    seen.append(fmg.commit_changes("root", aux=True))
    seen.append(fmg.unlock_adom("root"))
    seen.append(list(fmg._lock_ctx._locked_adom_list))
    seen.append(fmg.lock_adom("global"))
    seen.append(fmg.lock_adom())
    seen.append(fmg.unlock_adom())
    seen.append(list(fmg._lock_ctx._locked_adom_list))
    seen.append(fmg.logout())  # releases the one lock still held, then logs out
    return seen


@pytest.mark.parametrize("mode", [1, "workspace", "workflow"])
def test_workspace_mode_session(pyfmg_ref: ModuleType, ours: ModuleType, mode: Any) -> None:
    def setup(fake: FakeFMG) -> None:
        fake.workspace_mode = mode

    observed = compare(pyfmg_ref, ours, workspace_session, setup=setup)
    assert observed[1] is True and observed[4] == ["root"] and observed[-2] == ["global"]


def test_check_adom_workspace_off(pyfmg_ref: ModuleType, ours: ModuleType) -> None:
    def scenario(fmg: Any) -> list[Any]:
        return [fmg.login(), fmg._lock_ctx.uses_workspace, fmg.get("sys/status"), fmg.logout()]

    compare(pyfmg_ref, ours, scenario, check_adom_workspace=False)


def test_api_key_session(pyfmg_ref: ModuleType, ours: ModuleType) -> None:
    def scenario(fmg: Any) -> list[Any]:
        seen = [fmg.login(), fmg.sid.endswith("-abcd"), len(fmg.sid)]
        seen += [fmg.get("sys/status"), fmg.add(ADDRESSES, name="web"), fmg.logout(), fmg.sid]
        return seen

    def strip_sessions(result: Any) -> Any:
        observed, bodies, headers = result
        return observed, [{k: v for k, v in b.items() if k != "session"} for b in bodies], headers

    theirs = strip_sessions(run(pyfmg_ref, scenario, user=None, passwd=None, apikey="k3y-abcd"))
    mine = strip_sessions(run(ours, scenario, user=None, passwd=None, apikey="k3y-abcd"))
    assert mine == theirs
    assert mine[2][0] == {"content-type": "application/json", "Authorization": "Bearer k3y-abcd"}


def test_failed_login(pyfmg_ref: ModuleType, ours: ModuleType) -> None:
    def scenario(fmg: Any) -> list[Any]:
        with pytest.raises(Exception) as caught:
            fmg.login()
        return [type(caught.value).__name__, "no valid session" in str(caught.value), fmg.sid]

    assert compare(pyfmg_ref, ours, scenario, passwd="wrong") == ["FMGValidSessionException", True, None]


# --- replies that are not what they should be ------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "body", "exception", "opening"),
    [
        ("no result", {"id": 2, "nothing": 1}, "FMGResponseNotFormedCorrect", "Key error in response: "),
        ("empty result", {"id": 2, "result": []}, "FMGResponseNotFormedCorrect", "Index error in response: "),
        ("no status", {"id": 2, "result": [{"url": "x"}]}, "FMGResponseNotFormedCorrect", "Key error in response: "),
    ],
)
def test_malformed_replies_raise_the_same_class_with_the_same_opening(
    pyfmg_ref: ModuleType, ours: ModuleType, name: str, body: Any, exception: str, opening: str
) -> None:
    def setup(fake: FakeFMG) -> None:
        fake.on(lambda method, params, b: {**body, "id": b["id"]} if params[0]["url"] == "sys/status" else None)

    def scenario(fmg: Any) -> list[Any]:
        fmg.login()
        with pytest.raises(KeyError) as caught:
            fmg.get("sys/status")
        err = caught.value
        return [exception in {cls.__name__ for cls in type(err).__mro__}, str(err).lstrip("'\"").startswith(opening)]

    assert compare(pyfmg_ref, ours, scenario, setup=setup, check_adom_workspace=False) == [True, True]


def test_a_reply_that_is_not_json(pyfmg_ref: ModuleType, ours: ModuleType) -> None:
    def setup(fake: FakeFMG) -> None:
        fake.on(lambda method, params, body: (502, "<html>Bad Gateway</html>") if method == "get" else None)

    def scenario(fmg: Any) -> list[Any]:
        fmg.login()
        code, data = fmg.get("sys/status")
        return [code, data.status_code, data.text, data.headers.get("Content-Type")]

    assert compare(pyfmg_ref, ours, scenario, setup=setup, check_adom_workspace=False)[:3] == [
        100,
        502,
        "<html>Bad Gateway</html>",
    ]


# --- faults below HTTP, over real sockets ------------------------------------------------------------
@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_connection_refused(pyfmg_ref: ModuleType, ours: ModuleType, closed_port: int) -> None:
    for lib in (pyfmg_ref, ours):
        fmg = lib.FortiManager(f"127.0.0.1:{closed_port}", "admin", "pw", use_ssl=False, timeout=5)
        with pytest.raises(lib.FMGConnectionError, match=r"^Connection error: "):
            fmg.login()
        assert fmg.req_resp_object.error_msg.startswith("Connection error: ")


HALF_A_REPLY = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id": 1, '


@pytest.fixture
def stalling_server() -> Iterator[int]:
    """Answers every request with headers and half of the announced body, then goes silent."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            conn.recv(65536)
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id": 1, ')

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
    server.close()
    for conn in held:
        conn.close()
    thread.join(timeout=5)


def test_a_body_that_stalls_mid_read_is_a_connection_error(
    pyfmg_ref: ModuleType, ours: ModuleType, stalling_server: int
) -> None:
    for lib in (pyfmg_ref, ours):
        fmg = lib.FortiManager(f"127.0.0.1:{stalling_server}", "admin", "pw", use_ssl=False, timeout=0.3)
        fmg.sid = "sid"
        fmg._url = f"http://127.0.0.1:{stalling_server}/jsonrpc"  # set by login, which this test skips
        with pytest.raises(lib.FMGConnectionError, match=r"^Connection error: "):
            fmg.get("sys/status")


def test_results_are_comparable_as_json(pyfmg_ref: ModuleType, ours: ModuleType) -> None:
    # The scenarios above compare Python values; make sure they are plain JSON values on both sides.
    observed = run(ours, every_verb)[0]
    json.dumps(observed[4:-3])
    assert ok()["status"]["code"] == 0


def test_a_swapped_in_requests_session_same_wire(pyfmg_ref: ModuleType, ours: ModuleType) -> None:
    def scenario(fmg: Any) -> list[Any]:
        fmg._session = requests.Session()
        fmg._session.headers["X-Trace"] = "compat"
        return every_verb(fmg)

    theirs, mine = run(pyfmg_ref, scenario), run(ours, scenario)
    assert mine[1] == theirs[1] and mine[0] == theirs[0]
