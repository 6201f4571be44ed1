"""Hostile HTTP answers: redirects are refused, replies are bounded in size and, with a deadline, in time.

Each case runs on both routes a request can take: the direct route to requests' urllib3 pool (an
untouched session) and requests' own ``Session.send`` (a session with a hook).  The servers are
loopback servers of tests/loopback.py; every streaming answer stops by itself.
"""

from __future__ import annotations

import gzip
import json
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from pyfmg import FMGDeadlineExceeded, FMGRedirectRefused, FMGReplyTooLarge, FMGValueError, FortiManager
from pyfmg.auth import FortiCloudLogin
from pyfmg.wirelimits import Watchdog
from tests.loopback import Exchange, LoopbackServer, json_reply

PASSWORD = "Wire-Limits-Pa55!"
API_KEY = "wirelimitsapikey0123456789abcdef"
LIMIT = 1_000_000
ROUTES = ("direct", "requests")


@pytest.fixture
def servers() -> Iterator[Callable[..., LoopbackServer]]:
    started: list[LoopbackServer] = []

    def start(answer: Callable[[Exchange], None] = json_reply) -> LoopbackServer:
        server = LoopbackServer(answer)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def client(host: str, route: str, **options: Any) -> FortiManager:
    """An API-key client (no login call) taking ``route``: requests' own path when the session has a hook."""
    options.setdefault("max_reply_bytes", LIMIT)
    fmg = FortiManager(host, apikey=API_KEY, use_ssl=False, check_adom_workspace=False, **options)
    fmg.login()
    if route == "requests":
        fmg.sess.hooks["response"].append(lambda response, *args, **kwargs: None)
    return fmg


def took_route(fmg: FortiManager, route: str) -> bool:
    return bool(fmg._transport.last_route == route)


# --- redirects ------------------------------------------------------------------------------------


def redirect_to(location: str, status: int) -> Callable[[Exchange], None]:
    def answer(exchange: Exchange) -> None:
        exchange.send(f"HTTP/1.1 {status} Moved\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode())

    return answer


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirected_login_is_refused_and_the_target_receives_nothing(
    servers: Callable[..., LoopbackServer], status: int, scheme: str, route: str
) -> None:
    target = servers()
    location = f"{scheme}://{target.host}/jsonrpc"
    fmg = FortiManager(servers(redirect_to(location, status)).host, "admin", PASSWORD, use_ssl=False)
    if route == "requests":
        fmg.sess.hooks["response"].append(lambda response, *args, **kwargs: None)
    with pytest.raises(FMGRedirectRefused) as raised:
        fmg.login()
    assert raised.value.status == status and raised.value.location == location
    assert str(status) in str(raised.value) and location in str(raised.value)
    assert PASSWORD not in str(raised.value)
    assert target.connections == 0 and target.requests == []
    assert took_route(fmg, route)


@pytest.mark.parametrize("route", ROUTES)
def test_a_redirected_api_key_call_is_refused_and_the_key_goes_nowhere(
    servers: Callable[..., LoopbackServer], route: str
) -> None:
    target = servers()
    fmg = client(servers(redirect_to(f"http://{target.host}/jsonrpc", 307)).host, route)
    with pytest.raises(FMGRedirectRefused, match="HTTP 307"):
        fmg.get("/cli/global/system/status")
    assert target.connections == 0


def test_a_redirected_forticloud_token_request_is_refused(
    servers: Callable[..., LoopbackServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = servers()
    token_server = servers(redirect_to(f"http://{target.host}/api/v1/oauth/token/", 302))
    monkeypatch.setattr(FortiCloudLogin, "token_url", f"http://{token_server.host}/api/v1/oauth/token/")
    fmg = FortiManager("acme.fortimanager.forticloud.com", "iam-user", PASSWORD, check_adom_workspace=False)
    with pytest.raises(FMGRedirectRefused, match="FortiCloud OAuth token"):
        fmg.login()
    assert len(token_server.requests) == 1 and target.connections == 0


# --- reply size -----------------------------------------------------------------------------------


def announce_large(exchange: Exchange) -> None:
    exchange.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000000000\r\n\r\n[")


def endless_chunks(exchange: Exchange) -> None:
    exchange.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    piece = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    for _ in range(8192):  # 512 MB at most: the client hangs up long before
        if not exchange.send(piece):
            return


def compressed(body: bytes, encoding: str) -> Callable[[Exchange], None]:
    def answer(exchange: Exchange) -> None:
        exchange.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n"
            % (encoding.encode(), len(body))
            + body
        )

    return answer


def compress(data_pieces: Iterator[bytes], encoding: str) -> bytes:
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS)
    return b"".join(packer.compress(piece) for piece in data_pieces) + packer.flush()


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    """64 MB of JSON whitespace, compressed to about 300 kB."""
    return {encoding: compress((b" " * 1_048_576 for _ in range(64)), encoding) for encoding in ("gzip", "deflate")}


@pytest.mark.parametrize("route", ROUTES)
def test_a_reply_announcing_more_than_the_limit_is_refused_unread(
    servers: Callable[..., LoopbackServer], route: str
) -> None:
    fmg = client(servers(announce_large).host, route)
    with pytest.raises(FMGReplyTooLarge, match=f"max_reply_bytes={LIMIT}") as raised:
        fmg.get("/cli/global/system/status")
    assert raised.value.limit == LIMIT and "5000000000 bytes" in str(raised.value)


@pytest.mark.parametrize("route", ROUTES)
def test_an_endless_chunked_reply_stops_at_the_limit(servers: Callable[..., LoopbackServer], route: str) -> None:
    fmg = client(servers(endless_chunks).host, route)
    with pytest.raises(FMGReplyTooLarge, match=f"exceeded max_reply_bytes={LIMIT}"):
        fmg.get("/cli/global/system/status")
    assert took_route(fmg, route)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compression_bomb_stops_at_the_limit_without_inflating_it_all(
    servers: Callable[..., LoopbackServer], bombs: dict[str, bytes], encoding: str, route: str
) -> None:
    fmg = client(servers(compressed(bombs[encoding], encoding)).host, route)
    tracemalloc.start()
    try:
        with pytest.raises(FMGReplyTooLarge, match="decompressed"):
            fmg.get("/cli/global/system/status")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1_048_576  # the bomb inflates to 64 MB


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_a_compressed_reply_within_the_limit_is_decoded(
    servers: Callable[..., LoopbackServer], encoding: str, route: str
) -> None:
    rows = [{"name": f"h{i}", "subnet": ["10.0.0.1", "255.255.255.255"]} for i in range(2000)]
    body = json.dumps({"id": 1, "result": [{"status": {"code": 0, "message": "OK"}, "url": "x", "data": rows}]})
    if encoding == "gzip":
        packed = gzip.compress(body.encode())
    elif encoding == "deflate":
        packed = zlib.compress(body.encode())
    else:
        packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        packed = packer.compress(body.encode()) + packer.flush()
    fmg = client(servers(compressed(packed, "deflate" if encoding == "raw-deflate" else encoding)).host, route)
    assert fmg.get("/pm/config/adom/root/obj/firewall/address") == (0, rows)


@pytest.mark.parametrize("route", ROUTES)
def test_a_chunked_reply_within_the_limit_is_read_whole(servers: Callable[..., LoopbackServer], route: str) -> None:
    rows = [{"name": f"h{i}"} for i in range(30_000)]  # about 500 kB, in chunks of 7 kB

    def answer(exchange: Exchange) -> None:
        reply = {"id": exchange.request_id, "result": [{"status": {"code": 0}, "url": "x", "data": rows}]}
        data = json.dumps(reply).encode()
        pieces = [data[i : i + 7000] for i in range(0, len(data), 7000)]
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces)
        exchange.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")

    fmg = client(servers(answer).host, route)
    assert fmg.get("/pm/config/adom/root/obj/firewall/address") == (0, rows)
    assert fmg.get("/pm/config/adom/root/obj/firewall/address") == (0, rows)  # the connection was reusable


def test_limits_are_checked_when_the_client_is_made() -> None:
    for options in ({"max_reply_bytes": 0}, {"max_reply_bytes": "1"}, {"deadline": 0}, {"deadline": float("inf")}):
        with pytest.raises(FMGValueError):
            FortiManager("127.0.0.1", apikey=API_KEY, **options)


# --- deadline -------------------------------------------------------------------------------------


def trickle_body(exchange: Exchange) -> None:
    exchange.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n")
    for _ in range(2000):
        if not (exchange.pause(0.02) and exchange.send(b" ")):
            return


def trickle_headers(exchange: Exchange) -> None:
    exchange.send(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    for _ in range(2000):
        if not (exchange.pause(0.02) and exchange.send(b"a")):
            return


def silence(exchange: Exchange) -> None:
    exchange.pause(30)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("answer", [trickle_body, trickle_headers, silence], ids=lambda a: a.__name__)
def test_a_call_past_its_deadline_is_cut_off(
    servers: Callable[..., LoopbackServer], answer: Callable[[Exchange], None], route: str
) -> None:
    server = servers(answer)
    fmg = client(server.host, route, timeout=30, deadline=0.3)
    started = time.monotonic()
    with pytest.raises(FMGDeadlineExceeded, match=r"deadline=0\.3 s"):
        fmg.get("/cli/global/system/status")
    # Each byte comes well within timeout=30: only the deadline can have ended the call this soon.
    assert time.monotonic() - started < 10
    server.answer = json_reply
    assert fmg.get("/cli/global/system/status")[0] == 0  # the cut connection was not reused


@pytest.mark.parametrize("route", ROUTES)
def test_a_tls_handshake_past_its_deadline_is_cut_off(servers: Callable[..., LoopbackServer], route: str) -> None:
    server = servers(silence)  # accepts the connection, never answers the ClientHello
    fmg = client(server.host, route, timeout=30, deadline=0.3)
    fmg._transport.use_ssl = True
    started = time.monotonic()
    with pytest.raises(FMGDeadlineExceeded, match=r"deadline=0\.3 s"):
        fmg.get("/cli/global/system/status")
    assert time.monotonic() - started < 10


# --- debug output ---------------------------------------------------------------------------------


def test_debug_output_of_a_large_reply_is_a_summary(
    servers: Callable[..., LoopbackServer], capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [{"name": f"h{i:06d}", "comment": "x" * 200} for i in range(25_000)]  # about 6 MB
    body = json.dumps({"id": 1, "result": [{"status": {"code": 0, "message": "OK"}, "url": "x", "data": rows}]})

    def answer(exchange: Exchange) -> None:
        exchange.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body.encode())

    fmg = client(servers(answer).host, "direct", debug=True, max_reply_bytes=100_000_000)
    assert fmg.get("/pm/config/adom/root/obj/firewall/address") == (0, rows)
    printed = capsys.readouterr().out
    assert len(printed) < 10_000 and "not shown" in printed and str(len(body)) in printed
    assert fmg.req_resp_object.response_json["result"][0]["data"] == rows  # parsed again when read


def test_finished_calls_do_not_pile_up_in_the_watchdog() -> None:
    watchdog = Watchdog()
    for _ in range(5000):
        watchdog.end_call(watchdog.start_call(3600))
    assert len(watchdog._heap) <= 130 and not watchdog.watching
