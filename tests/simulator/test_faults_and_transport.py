from __future__ import annotations

import json
import socket
import ssl
import threading
import time

import pytest
import requests

from pyfmg.testing import FMGSimulator
from pyfmg.testing.__main__ import run

from .conftest import ADDRESSES, Rpc


def test_http_502_html_then_normal(rpc: Rpc, sim: FMGSimulator) -> None:
    sim.inject("http_502_html")
    reply = rpc.raw({"id": 1, "method": "get", "params": [{"url": "sys/status"}], "session": rpc.token})
    assert reply.status_code == 502 and reply.headers["Content-Type"] == "text/html"
    assert b"502 Bad Gateway" in reply.content
    assert rpc.one("get", "sys/status")[0] == 0


def test_truncated_empty_and_no_result(rpc: Rpc, sim: FMGSimulator) -> None:
    sim.inject("truncated_json")
    sim.inject("empty_body")
    sim.inject("no_result")
    body = {"id": 3, "method": "get", "params": [{"url": "sys/status"}], "session": rpc.token}
    with pytest.raises(json.JSONDecodeError):
        json.loads(rpc.raw(body).text)
    assert rpc.raw(body).content == b""
    assert rpc.raw(body).json() == {"id": 3}


def test_faults_match_method_and_url_and_count_down(rpc: Rpc, sim: FMGSimulator) -> None:
    sim.inject("empty_body", times=2, method="add", url="pm/config/*/address")
    assert rpc.one("get", ADDRESSES)[0] == 0  # method does not match
    for _ in range(2):
        assert rpc.raw({"method": "add", "params": [{"url": f"/{ADDRESSES}"}], "session": rpc.token}).content == b""
    assert rpc.one("add", ADDRESSES, data={"name": "h"})[0] == 0
    with pytest.raises(ValueError):
        sim.inject("meteor_strike")


def test_faulted_request_is_not_executed_and_still_recorded(rpc: Rpc, sim: FMGSimulator) -> None:
    sim.clear_requests()
    sim.inject("http_502_html")
    rpc.raw({"method": "add", "params": [{"url": ADDRESSES, "data": {"name": "ghost"}}], "session": rpc.token})
    assert rpc.one("get", f"{ADDRESSES}/ghost")[0] == -3
    assert len(sim.requests) == 2


def test_reset_drops_the_connection(rpc: Rpc, sim: FMGSimulator) -> None:
    sim.inject("reset")
    with pytest.raises(requests.ConnectionError):
        rpc.raw({"method": "get", "params": [{"url": "sys/status"}], "session": rpc.token})
    assert rpc.one("get", "sys/status")[0] == 0


def test_slow_reply_beats_a_short_client_timeout(rpc: Rpc, sim: FMGSimulator) -> None:
    sim.inject("slow", delay=1.0)
    with pytest.raises(requests.ReadTimeout):
        rpc.http.post(sim.url, json={"method": "get", "params": [{"url": "sys/status"}]}, timeout=0.2)


def test_raw_and_latency(rpc: Rpc, sim: FMGSimulator) -> None:
    sim.inject("raw", status=503, body=b"busy", headers={"Retry-After": "1", "Content-Type": "text/plain"})
    reply = rpc.raw({"method": "get", "params": [{"url": "sys/status"}]})
    assert (reply.status_code, reply.content, reply.headers["Retry-After"]) == (503, b"busy", "1")
    sim.latency = 0.1
    started = time.monotonic()
    assert rpc.one("get", "sys/status")[0] == 0
    assert time.monotonic() - started >= 0.1


@pytest.mark.sim(tls=True)
def test_https_with_the_simulator_ca(sim: FMGSimulator) -> None:
    assert sim.url.startswith("https://127.0.0.1:") and sim.ca_cert_path
    verified = Rpc(sim, verify=sim.ca_cert_path)
    assert verified.login()["result"][0]["status"]["code"] == 0
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(sim.url, json={}, verify=True, timeout=5)
    context = ssl.create_default_context(cafile=sim.ca_cert_path)
    assert context.cert_store_stats()["x509_ca"] == 1


def test_main_prints_where_it_listens(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    stop.set()
    assert run(["--workspace-mode", "normal", "--adom", "root", "--adom", "lab"], stop=stop) == 0
    out = capsys.readouterr().out
    assert "http://127.0.0.1:" in out and "user: admin" in out


def test_chunked_request_body(rpc: Rpc, sim: FMGSimulator) -> None:
    body = json.dumps({"id": 1, "method": "get", "params": [{"url": "sys/status"}], "session": rpc.token})
    reply = rpc.http.post(sim.url, data=iter([body[:10].encode(), body[10:].encode()]), timeout=5)
    assert reply.json()["result"][0]["status"]["code"] == 0
    assert sim.requests[-1].json["params"] == [{"url": "sys/status"}]


def test_stop_closes_idle_keep_alive_connections() -> None:
    sim = FMGSimulator().start()
    body = json.dumps({"method": "get", "params": [{"url": "sys/status"}]}).encode()
    with socket.create_connection(("127.0.0.1", sim.port), timeout=5) as conn:
        conn.sendall(
            b"POST /jsonrpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        assert conn.recv(65536).startswith(b"HTTP/1.1 200")  # the connection stays open (keep-alive)
        sim.stop()
        assert conn.recv(65536) == b""  # closed by the server, not left to linger
