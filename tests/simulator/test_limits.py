"""A broken client cannot hang a suite: body caps, body deadlines, clean errors, bounded connections."""

from __future__ import annotations

import json
import select
import socket
import threading
import time

import pytest

from pyfmg.testing import FMGSimulator
from pyfmg.testing.__main__ import build_parser, run

from .conftest import Rpc

STATUS = {"id": 1, "method": "get", "params": [{"url": "sys/status"}]}


def connect(sim: FMGSimulator) -> socket.socket:
    return socket.create_connection(("127.0.0.1", sim.port), timeout=5)


def post(body: bytes, extra: bytes = b"") -> bytes:
    return (
        b"POST /jsonrpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + extra
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def answer(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def status_line(raw: bytes) -> bytes:
    return raw.split(b"\r\n", 1)[0]


@pytest.mark.sim(max_body=1000)
def test_a_body_over_the_cap_is_refused_with_413(sim: FMGSimulator) -> None:
    with connect(sim) as conn:
        conn.sendall(post(b"x" * 1001))
        raw = answer(conn)
    assert status_line(raw) == b"HTTP/1.1 413 Payload Too Large"
    assert b"Connection: close" in raw and b"1000-byte limit" in raw
    with connect(sim) as conn:  # the next client is served as usual
        conn.sendall(post(json.dumps(STATUS).encode(), b"Connection: close\r\n"))
        assert status_line(answer(conn)) == b"HTTP/1.1 200 OK"


@pytest.mark.sim(max_body=1000)
def test_a_chunked_body_over_the_cap_is_refused(sim: FMGSimulator) -> None:
    with connect(sim) as conn:
        conn.sendall(b"POST /jsonrpc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        conn.sendall(b"400\r\n" + b"x" * 1024 + b"\r\n0\r\n\r\n")
        assert status_line(answer(conn)) == b"HTTP/1.1 413 Payload Too Large"


@pytest.mark.sim(body_timeout=0.3)
def test_a_body_that_never_arrives_times_out_with_408(sim: FMGSimulator) -> None:
    with connect(sim) as conn:
        conn.sendall(b"POST /jsonrpc HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")  # 99 bytes never follow
        started = time.monotonic()
        raw = answer(conn)
    assert status_line(raw) == b"HTTP/1.1 408 Request Timeout"
    assert time.monotonic() - started < 4


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GARBAGE\r\n\r\n", b"400 Bad Request"),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", b"400 Bad Request"),  # TLS hello, answered at once
        (b"POST /jsonrpc SPDY/3\r\n\r\n", b"400 Bad Request"),
        (b"POST /jsonrpc HTTP/1.1\r\nno colon here\r\n\r\n", b"400 Bad Request"),
        (b"POST /jsonrpc HTTP/1.1\r\nContent-Length: ten\r\n\r\n", b"400 Bad Request"),
        (b"POST /jsonrpc HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", b"501 Not Implemented"),
        (b"POST /jsonrpc HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", b"400 Bad Request"),
        (b"POST /" + b"x" * 9000 + b" HTTP/1.1\r\n\r\n", b"400 Bad Request"),
        (b"POST /jsonrpc HTTP/1.1\r\nX: " + b"y" * 9000 + b"\r\n\r\n", b"431 Request Header Fields Too Large"),
        (b"POST /jsonrpc HTTP/1.1\r\n" + b"X: y\r\n" * 101 + b"\r\n", b"431 Request Header Fields Too Large"),
    ],
)
def test_malformed_http_gets_a_clean_error_and_no_traceback(
    sim: FMGSimulator, capfd: pytest.CaptureFixture[str], request_bytes: bytes, status: bytes
) -> None:
    with connect(sim) as conn:
        conn.sendall(request_bytes)
        raw = answer(conn)
    assert status_line(raw) == b"HTTP/1.1 " + status
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00", b"[1, 2", b"null", b"42", b'"text"'])
def test_malformed_json_gets_a_json_rpc_error_and_no_traceback(
    rpc: Rpc, capfd: pytest.CaptureFixture[str], body: bytes
) -> None:
    reply = rpc.http.post(rpc.sim.url, data=body, headers={"Content-Type": "application/json"}, timeout=5)
    assert reply.status_code == 200
    result = reply.json()["result"]
    status = (result[0] if isinstance(result, list) else result)["status"]
    assert status["code"] in (-1, -10)
    assert capfd.readouterr().err == ""


def test_a_client_that_hangs_up_mid_body_leaves_no_traceback(
    sim: FMGSimulator, capfd: pytest.CaptureFixture[str]
) -> None:
    with connect(sim) as conn:
        conn.sendall(b"POST /jsonrpc HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
    caller = Rpc(sim)  # the server is still fine
    assert caller.login()["result"][0]["status"]["code"] == 0
    assert capfd.readouterr().err == ""


@pytest.mark.sim(max_connections=2)
def test_connections_beyond_the_bound_wait_while_the_others_are_busy(sim: FMGSimulator) -> None:
    body = json.dumps(STATUS).encode()

    def handlers() -> int:
        return sum(t.name == f"fmg-simulator-{sim.port}-connection" for t in threading.enumerate())

    first, second = connect(sim), connect(sim)
    for conn in (first, second):  # both in the middle of a request: every slot is busy
        conn.sendall(post(body)[:-5])
    deadline = time.monotonic() + 5
    while handlers() < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert handlers() == 2  # one handler thread per connection
    third = connect(sim)  # accepted by the kernel, waiting for a slot
    third.sendall(post(body))
    third.settimeout(0.3)
    with pytest.raises(socket.timeout):
        third.recv(65536)
    assert handlers() == 2  # the third has no thread yet
    first.sendall(post(body)[-5:])  # the first request completes...
    assert first.recv(65536).startswith(b"HTTP/1.1 200")
    third.settimeout(5)  # ...and its now idle connection gives its slot to the third
    assert third.recv(65536).startswith(b"HTTP/1.1 200")
    first.settimeout(5)
    assert first.recv(65536) == b""
    for conn in (first, second, third):
        conn.close()


@pytest.mark.sim(max_connections=2)
def test_idle_kept_alive_connections_give_their_slot_to_a_new_client(sim: FMGSimulator) -> None:
    body = json.dumps(STATUS).encode()
    idle = [connect(sim), connect(sim)]
    for conn in idle:
        conn.sendall(post(body))
        assert conn.recv(65536).startswith(b"HTTP/1.1 200")
    with connect(sim) as third:
        third.sendall(post(body, b"Connection: close\r\n"))
        assert status_line(answer(third)) == b"HTTP/1.1 200 OK"
    readable, _, _ = select.select(idle, [], [], 5)  # one of the two idle ones was closed
    assert len(readable) == 1 and readable[0].recv(65536) == b""
    for conn in idle:
        conn.close()


@pytest.mark.sim(request_history=5)
def test_request_history_is_bounded(rpc: Rpc, sim: FMGSimulator) -> None:
    for number in range(10):
        rpc.send("get", {"url": f"/dvmdb/adom/{number}"})
    recorded = sim.requests
    assert len(recorded) == 5
    assert recorded[-1].json["params"] == [{"url": "/dvmdb/adom/9"}]


def test_bind_address_and_command_line_option() -> None:
    assert build_parser().parse_args([]).bind == "127.0.0.1"
    assert build_parser().parse_args(["--bind", "127.0.0.2"]).bind == "127.0.0.2"
    with FMGSimulator(bind="127.0.0.2") as sim:
        assert sim.host == f"127.0.0.2:{sim.port}" and sim.url.startswith("http://127.0.0.2:")
        with socket.create_connection(("127.0.0.2", sim.port), timeout=5) as conn:
            conn.sendall(post(json.dumps(STATUS).encode(), b"Connection: close\r\n"))
            assert status_line(answer(conn)) == b"HTTP/1.1 200 OK"


def test_main_listens_on_the_bind_address(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    stop.set()
    assert run(["--bind", "127.0.0.2", "--max-body", "2048", "--request-history", "10"], stop=stop) == 0
    assert "http://127.0.0.2:" in capsys.readouterr().out
