"""The simulator next to other things in CI: a login cap, strict JSON and framing, an answer to all, fairness.

Each case was found by probing the simulator: unlimited sessions, NaN echoed back, two
Content-Length headers (the last won), a reset instead of 431 for a 200 KB header, a closed
connection for a 100,000-deep body, and a call kept waiting 6.5 s behind 250 idle connections.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import tracemalloc
from collections.abc import Iterator

import pytest
import requests

from pyfmg.testing import FMGSimulator
from pyfmg.testing.sessions import LOGIN_MAX

from .conftest import ADDRESSES, Rpc
from .test_limits import answer, connect, post, status_line

LOGIN = {"url": "sys/login/user", "data": {"user": "admin", "passwd": "password"}}


def strict(text: str) -> object:
    """``json.loads`` refusing NaN and Infinity, as standard JSON parsers do."""

    def refuse(name: str) -> object:
        raise ValueError(name)

    return json.loads(text, parse_constant=refuse)


# --- the admin session cap ---------------------------------------------------------------------------


def test_one_administrator_gets_fortimanagers_default_login_max_then_reach_login_limit(sim: FMGSimulator) -> None:
    callers = [Rpc(sim) for _ in range(LOGIN_MAX + 1)]
    try:
        replies = [caller.login() for caller in callers]
        assert all("session" in reply for reply in replies[:LOGIN_MAX])
        refused = replies[LOGIN_MAX]
        assert refused["result"][0]["status"] == {"code": -23, "message": "Reach login limit"}
        assert "session" not in refused
        assert len(sim.sessions) == LOGIN_MAX == 32
        assert Rpc(sim).login(user="admin", passwd="password")["result"][0]["status"]["code"] == -23
        callers[0].send("exec", {"url": "sys/logout"})  # one logs out: one may log in
        assert "session" in callers[LOGIN_MAX].login()
    finally:
        for caller in callers:
            caller.close()


@pytest.mark.sim(login_max=2, users={"admin": "password", "ops": "password"})
def test_the_cap_is_per_administrator_and_configurable(sim: FMGSimulator) -> None:
    admins = [Rpc(sim) for _ in range(3)]
    assert [a.login()["result"][0]["status"]["code"] for a in admins] == [0, 0, -23]
    assert "session" in Rpc(sim).login(user="ops")
    sim.advance_clock(10_000)  # sessions that idle out free their places
    assert "session" in admins[2].login()


@pytest.mark.sim(login_max=None)
def test_login_max_none_lifts_the_cap(sim: FMGSimulator) -> None:
    for _ in range(LOGIN_MAX + 5):
        assert "session" in Rpc(sim).login()


def _pipelined(sim: FMGSimulator, bodies: Iterator[bytes], count: int) -> int:
    """Send ``count`` requests back to back on one connection; the number of -23 answers."""
    refused = 0
    with socket.create_connection(("127.0.0.1", sim.port), timeout=30) as conn:
        writer = threading.Thread(target=lambda: conn.sendall(b"".join(post(body) for body in bodies)), daemon=True)
        writer.start()
        buffered = b""
        for _ in range(count):
            while b"\r\n\r\n" not in buffered:
                buffered += conn.recv(1 << 20)
            head, _, buffered = buffered.partition(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            while len(buffered) < length:
                buffered += conn.recv(1 << 20)
            refused += b'"code": -23' in buffered[:length]
            buffered = buffered[length:]
        writer.join(30)
    return refused


def test_ten_thousand_logins_without_logout_stay_at_the_cap_with_flat_memory(sim: FMGSimulator) -> None:
    body = json.dumps({"id": 1, "method": "exec", "params": [LOGIN]}).encode()
    assert _pipelined(sim, iter([body] * 1_000), 1_000) == 1_000 - LOGIN_MAX
    tracemalloc.start()
    try:
        # The first thousand traced replace the (bounded) request history; from then on nothing may grow.
        assert _pipelined(sim, iter([body] * 1_000), 1_000) == 1_000
        settled = tracemalloc.get_traced_memory()[0]
        assert _pipelined(sim, iter([body] * 8_000), 8_000) == 8_000
        grown = tracemalloc.get_traced_memory()[0] - settled
    finally:
        tracemalloc.stop()
    assert len(sim.sessions) == LOGIN_MAX
    assert grown < 256 * 1024, grown  # about 30 bytes per refused login would already fail this


def test_forticloud_tokens_never_revoked_stay_at_the_cap_and_the_oldest_expires() -> None:
    """A client asking FortiCloud IAM for tokens in a loop, never revoking them, grows nothing past
    MAX_ISSUED_TOKENS: the oldest token goes first, and its login then fails like an expired one's."""
    from pyfmg.testing.forticloud import MAX_ISSUED_TOKENS

    sim = FMGSimulator(forticloud_users={"iam-user": "iam-pass"})
    cloud = sim.forticloud
    grant = {"username": "iam-user", "password": "iam-pass", "client_id": "FortiManager", "grant_type": "password"}
    tokens = [cloud.token(grant)[1]["access_token"] for _ in range(MAX_ISSUED_TOKENS + 1)]
    assert len(cloud.issued) == MAX_ISSUED_TOKENS and tokens[0] not in cloud.issued
    assert "session" not in cloud.login({"access_token": tokens[0]})[1]  # a -22 result, as for any unknown token
    assert "session" in cloud.login({"access_token": tokens[-1]})[1]
    assert cloud.revoke({"client_id": "FortiManager", "token": tokens[-1]})[0] == 200 and cloud.revoked == 1
    assert len(cloud.issued) == MAX_ISSUED_TOKENS - 1


# --- strict JSON ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_a_request_are_refused_not_stored(rpc: Rpc, sim: FMGSimulator, constant: str) -> None:
    rpc.login()
    session = json.dumps(rpc.token)
    body = f'{{"id": 3, "method": "add", "session": {session}, "params": [{{"url": "{ADDRESSES}", '
    body += f'"data": {{"name": "n1", "color": {constant}}}}}]}}'

    reply = rpc.http.post(sim.url, data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert reply.status_code == 200 and strict(reply.text) == {
        "result": [{"status": {"code": -1, "message": "Invalid request"}}]
    }
    assert all(row["name"] != "n1" for row in sim.objects(ADDRESSES))
    assert (
        constant
        not in rpc.http.post(
            sim.url, json={"id": 4, "method": "get", "session": rpc.token, "params": [{"url": ADDRESSES}]}, timeout=10
        ).text
    )


def test_a_reply_that_is_not_standard_json_becomes_an_error_reply(sim: FMGSimulator) -> None:
    from pyfmg.testing import server

    sent: list[bytes] = []
    connection = server._Connection.__new__(server._Connection)
    connection.keep_alive = True
    connection._send = lambda status, body, content_type, headers=None: sent.append(body)  # type: ignore[method-assign]
    connection._send_json({"id": 9, "result": [{"status": {"code": 0}, "data": {"x": float("nan")}}]})
    assert strict(sent[0].decode()) == {
        "id": 9,
        "result": [{"status": {"code": -1, "message": "the reply cannot be sent as standard JSON"}}],
    }


# --- framing ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        b"Content-Length: 5\r\n",  # a second, different length before the one post() adds
        b"Content-Length: 34\r\n",  # a second, equal one: still two framings
        b"Transfer-Encoding: chunked\r\n",  # both framings
    ],
    ids=["two-lengths", "two-equal-lengths", "length-and-chunked"],
)
def test_a_request_framed_twice_is_refused_with_400(sim: FMGSimulator, extra: bytes) -> None:
    body = json.dumps({"id": 1, "method": "get", "params": [{"url": "sys/status"}]}).encode()
    with connect(sim) as conn:
        conn.sendall(post(body, extra))
        raw = answer(conn)
    assert status_line(raw) == b"HTTP/1.1 400 Bad Request" and b"Connection: close" in raw


def test_a_200_kb_header_is_answered_431_not_reset(sim: FMGSimulator) -> None:
    reply = requests.post(sim.url, json={"id": 1}, headers={"X-Padding": "a" * 200_000}, timeout=10)
    assert reply.status_code == 431 and "too long" in reply.text


def test_a_body_100000_deep_gets_a_json_rpc_error_and_the_connection_stays_usable(rpc: Rpc, sim: FMGSimulator) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    reply = rpc.http.post(sim.url, data=deep, headers={"Content-Type": "application/json"}, timeout=10)
    assert reply.status_code == 200 and reply.json()["result"][0]["status"]["code"] == -1
    assert "session" in rpc.login()  # same kept-alive connection


def test_data_nested_too_deep_for_the_handler_still_gets_an_answer(rpc: Rpc, sim: FMGSimulator) -> None:
    rpc.login()
    depth = 900  # parses, but deeper than the store's own copying can follow
    member = "[" * depth + "]" * depth
    session = json.dumps(rpc.token)
    body = f'{{"id": 5, "method": "add", "session": {session}, "params": [{{"url": "{ADDRESSES}", '
    body += f'"data": {{"name": "d", "member": {member}}}}}]}}'
    reply = rpc.http.post(sim.url, data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert reply.status_code == 200 and reply.json()["id"] == 5 and "result" in reply.json()


# --- fairness ---------------------------------------------------------------------------------------------


def test_a_call_behind_250_idle_and_250_half_sent_connections_answers_within_a_second(sim: FMGSimulator) -> None:
    crowd = [socket.create_connection(("127.0.0.1", sim.port), timeout=10) for _ in range(500)]
    try:
        for conn in crowd[250:]:
            conn.sendall(b"POST /jsonrpc HTTP/1.1\r\nHost: x\r\nContent-Le")  # half a request, never finished
        started = time.monotonic()
        reply = requests.post(sim.url, json={"id": 1, "method": "exec", "params": [LOGIN]}, timeout=5)
        took = time.monotonic() - started
        assert reply.json()["result"][0]["status"]["code"] == 0
        assert took < 1.0, took  # the issue's bound; it was 6.5 s
    finally:
        for conn in crowd:
            conn.close()
