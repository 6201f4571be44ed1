"""Hostile HTTP answers: redirects are refused, replies are bounded in size and, with a deadline, in time.

Each case runs on both routes a request can take: the direct route to requests' urllib3 pool (an
untouched session) and requests' own ``Session.send`` (a session with a hook).  The servers are
loopback servers of tests/loopback.py; every streaming answer stops by itself.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from pyfmg import (
    FMGBaseException,
    FMGConnectionError,
    FMGDeadlineExceeded,
    FMGRedirectRefused,
    FMGReplyTooLarge,
    FMGReplyTooSlow,
    FMGValueError,
    FortiManager,
    MinSpeed,
)
from pyfmg.auth import FortiCloudLogin
from pyfmg.wirelimits import DEFAULT_MAX_REPLY_BYTES, WATCHDOG, Watchdog
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
        # Head and body sent apart: joining them would copy the body, in the process the tests measure.
        exchange.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n"
            % (encoding.encode(), len(body))
        )
        exchange.send(body)

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


# --- the default progress rule (min_speed) -------------------------------------------------------


def trickle(head: bytes, each: float, budget: int = 60) -> Callable[[Exchange], None]:
    """Send ``head``, then one more byte every ``each`` seconds (``budget`` of them at most)."""

    def answer(exchange: Exchange) -> None:
        exchange.send(head)
        for _ in range(budget):
            if not (exchange.pause(each) and exchange.send(b" ")):
                return

    return answer


TRICKLED_HEADERS = b"HTTP/1.1 200 OK\r\nX-Slow: "
TRICKLED_BODY = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"


@pytest.mark.duration(14)
def test_with_pyfmgs_keywords_only_trickled_headers_and_body_end_within_20_seconds(
    servers: Callable[..., LoopbackServer],
) -> None:
    """The issue's case, with the default figures: ``FortiManager(host, user, pw, timeout=2)``, 1 byte/s."""
    outcomes: dict[str, Any] = {}

    def log_in(name: str, head: bytes) -> None:
        fmg = FortiManager(servers(trickle(head, 1.0, budget=40)).host, "admin", PASSWORD, timeout=2, use_ssl=False)
        started = time.monotonic()
        try:
            fmg.login()
        except BaseException as err:  # the assertion below names what came out
            outcomes[name] = (err, time.monotonic() - started)

    threads = [
        threading.Thread(target=log_in, args=("headers", TRICKLED_HEADERS)),
        threading.Thread(target=log_in, args=("body", TRICKLED_BODY)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for phase in ("headers", "body"):
        err, took = outcomes[phase]
        assert isinstance(err, FMGReplyTooSlow) and err.phase == phase, (phase, err)
        assert isinstance(err, FMGConnectionError) and isinstance(err, FMGBaseException)  # what pyFMG code catches
        assert took < 20, (phase, took)
        assert PASSWORD not in str(err) and "min_speed" in str(err)


def test_the_default_rule_figures_follow_timeout() -> None:
    for timeout, window in ((2, 10.0), (300, 300.0)):
        fmg = FortiManager("127.0.0.1:9", "admin", PASSWORD, timeout=timeout)
        guard = fmg._transport._guard(1000)
        try:
            assert guard is not None and guard.window == window and guard.bytes_per_second == 1000
            assert guard.headers_within == pytest.approx(2 * timeout + window + 1.0)
        finally:
            WATCHDOG.end_call(guard)
    assert FortiManager("127.0.0.1:9", "admin", PASSWORD, min_speed=None)._transport._guard(1000) is None


QUICK = MinSpeed(bytes_per_second=1000, seconds=0.3)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("phase", ["headers", "body"])
def test_a_trickled_reply_is_cut_off_by_the_speed_rule(
    servers: Callable[..., LoopbackServer], route: str, phase: str
) -> None:
    server = servers(trickle(TRICKLED_HEADERS if phase == "headers" else TRICKLED_BODY, 0.02, budget=2000))
    fmg = client(server.host, route, timeout=0.5, min_speed=QUICK)
    started = time.monotonic()
    with pytest.raises(
        FMGReplyTooSlow, match=f"too slow.*{'headers' if phase == 'headers' else 'bytes of body'}"
    ) as raised:
        fmg.get("/cli/global/system/status")
    assert raised.value.phase == phase
    # Every byte comes within timeout=0.5 s: only the rule (headers by 1.3 s, body by 0.3 s) ends it.
    assert time.monotonic() - started < 10
    assert took_route(fmg, route)
    server.answer = json_reply
    assert fmg.get("/cli/global/system/status")[0] == 0  # the cut connection was not reused


@pytest.mark.parametrize("route", ROUTES)
def test_a_server_that_takes_most_of_timeout_to_answer_is_not_cut_off(
    servers: Callable[..., LoopbackServer], route: str
) -> None:
    def late(exchange: Exchange) -> None:
        if exchange.pause(0.7):
            json_reply(exchange)

    # The window (0.1 s) is far shorter than the wait: waiting for the first byte is timeout's, not the rule's.
    fmg = client(servers(late).host, route, timeout=1, min_speed=MinSpeed(1000, 0.1))
    assert fmg.get("/cli/global/system/status")[0] == 0


def test_a_body_that_pauses_within_timeout_between_bursts_is_not_cut_off(
    servers: Callable[..., LoopbackServer],
) -> None:
    rows = [{"name": f"h{i:05d}"} for i in range(4000)]  # about 70 kB
    data = json.dumps({"id": 1, "result": [{"status": {"code": 0}, "url": "x", "data": rows}]}).encode()

    def bursts(exchange: Exchange) -> None:
        exchange.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(data))
        half = len(data) // 2
        if exchange.send(data[:half]) and exchange.pause(0.4):
            exchange.send(data[half:])

    # 35 kB per burst is far more than the 1 kB/s the rule asks over its 0.5 s window.
    fmg = client(servers(bursts).host, "direct", timeout=1, min_speed=MinSpeed(1000, 0.5))
    assert fmg.get("/pm/config/adom/root/obj/firewall/address") == (0, rows)


def endless_at_full_speed(size: int) -> Callable[[Exchange], None]:
    def answer(exchange: Exchange) -> None:
        exchange.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % size)
        piece = b" " * (1 << 20)
        sent = 0
        while sent < size:
            block = piece[: min(len(piece), size - sent)]
            if not exchange.send(block):
                return
            sent += len(block)

    return answer


def test_a_500_mb_reply_at_full_speed_is_read_whole_with_the_defaults(servers: Callable[..., LoopbackServer]) -> None:
    size = 500_000_000
    fmg = FortiManager(servers(endless_at_full_speed(size)).host, apikey=API_KEY, use_ssl=False, timeout=2)
    reply = fmg._transport.post({"method": "get", "params": [{"url": "/big"}]}, label="get /big")
    assert reply.status == 200 and len(reply.content) == size and reply.content[:1] == b" "


def test_min_speed_is_checked_when_the_client_is_made() -> None:
    for value in (5, "fast", MinSpeed):
        with pytest.raises(FMGValueError, match=r"min_speed must be a pyfmg\.MinSpeed"):
            FortiManager("127.0.0.1", apikey=API_KEY, min_speed=value)
    for keywords in ({"bytes_per_second": 0}, {"seconds": float("inf")}, {"bytes_per_second": True}):
        with pytest.raises(FMGValueError, match="MinSpeed"):
            MinSpeed(**keywords)


# --- memory -----------------------------------------------------------------------------------------


def test_a_gzip_bomb_is_refused_early_with_the_defaults(servers: Callable[..., LoopbackServer]) -> None:
    # 1 GiB of whitespace in about 1 MB: 16 gzip members of 64 MiB each, one after another.
    bomb = compress((b" " * 1_048_576 for _ in range(64)), "gzip") * 16
    fmg = FortiManager(servers(compressed(bomb, "gzip")).host, "admin", PASSWORD, timeout=2, use_ssl=False)
    tracemalloc.start()
    try:
        with pytest.raises(FMGReplyTooLarge, match=r"expanded \d+ times") as raised:
            fmg.login()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert raised.value.limit == DEFAULT_MAX_REPLY_BYTES and "compression bomb" in str(raised.value)
    assert peak < 32 * 1_048_576


def test_an_endless_body_stops_at_the_default_limit_holding_it_once(servers: Callable[..., LoopbackServer]) -> None:
    server = servers(endless_chunks_of(DEFAULT_MAX_REPLY_BYTES + (4 << 20)))
    fmg = FortiManager(server.host, apikey=API_KEY, use_ssl=False, timeout=2, check_adom_workspace=False)
    fmg.login()
    tracemalloc.start()
    try:
        with pytest.raises(FMGReplyTooLarge, match=f"exceeded max_reply_bytes={DEFAULT_MAX_REPLY_BYTES}"):
            fmg.get("/cli/global/system/status")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # One buffer as large as the limit, plus one piece read from the socket: never a copy of it.
    assert peak < DEFAULT_MAX_REPLY_BYTES * 1.13 + 8 * 1_048_576


def endless_chunks_of(size: int) -> Callable[[Exchange], None]:
    def answer(exchange: Exchange) -> None:
        exchange.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece = b"%x\r\n%s\r\n" % (1 << 20, b" " * (1 << 20))
        for _ in range(size >> 20):
            if not exchange.send(piece):
                return

    return answer


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_a_large_reply_is_held_once(servers: Callable[..., LoopbackServer], encoding: str) -> None:
    rows = [
        {"name": f"addr-{i:06d}", "subnet": [f"10.{i >> 8 & 255}.{i & 255}.1", "255.255.255.255"]}
        for i in range(150_000)
    ]
    data = json.dumps({"id": 1, "result": [{"status": {"code": 0}, "url": "x", "data": rows}]}).encode()
    del rows
    body = compress(iter([data]), "gzip") if encoding == "gzip" else data
    fmg = client(servers(compressed(body, encoding)).host, "direct", max_reply_bytes=DEFAULT_MAX_REPLY_BYTES)
    tracemalloc.start()
    try:
        reply = fmg._transport.post({"method": "get", "params": [{"url": "x"}]}, label="get x")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert reply.content == data
    assert peak < len(data) * 1.13 + 4 * 1_048_576, (peak, len(data))
