"""The progress rule's arithmetic (pyfmg.wirelimits.CallGuard), on an injected clock: no sockets, no waiting."""

from __future__ import annotations

import zlib

import pytest
import urllib3

from pyfmg.wirelimits import EXPANSION_GRACE, MAX_EXPANSION, CallGuard, ReplyTooLarge, _Inflater, read_body


def guard(**options: float) -> CallGuard:
    return CallGuard(100.0, headers_within=14.0, bytes_per_second=1000.0, window=10.0, **options)


def test_headers_are_judged_once_at_their_budget() -> None:
    g = guard()
    assert g.due() == 114.0
    assert g.verdict(113.9) is None
    assert g.verdict(114.0) == "headers" and "not complete after 14.0 s" in g.detail


def test_a_body_is_judged_by_its_average_over_each_window() -> None:
    g = guard()
    g.body_started(101.0)
    assert g.due() == 111.0
    g.received = 10_000  # 1,000 bytes/s over the first window: enough
    assert g.verdict(111.0) is None and g.due() == 121.0
    g.received += 9_999  # one byte short over the second
    assert g.verdict(121.0) == "body" and "9999 bytes of body in the last 10.0 s" in g.detail


def test_a_late_look_judges_the_whole_time_since_the_last() -> None:
    g = guard()
    g.body_started(100.0)
    g.received = 15_000  # 1.5 windows' worth, seen 20 s later: 750 bytes/s
    assert g.verdict(120.0) == "body"


def test_the_deadline_comes_first_when_it_is_earlier() -> None:
    g = guard(deadline=3.0)
    assert g.due() == 103.0 and g.verdict(103.0) == "deadline"


def test_a_guard_without_a_speed_rule_only_has_its_deadline() -> None:
    g = CallGuard(0.0, deadline=5.0)
    assert g.due() == 5.0 and g.verdict(4.0) is None and g.one_window() == float("inf")


def _gzip(data: bytes, members: int = 1) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return (packer.compress(data) + packer.flush()) * members


def test_inflating_a_bomb_stops_soon_after_the_grace_not_at_the_limit() -> None:
    out = bytearray()
    with pytest.raises(ReplyTooLarge) as raised:
        _Inflater("gzip").feed(_gzip(b" " * (64 << 20)), out, 1 << 30)
    assert raised.value.expansion is not None and raised.value.expansion > MAX_EXPANSION
    assert len(out) <= EXPANSION_GRACE + (1 << 20)  # one step past the grace at most


def test_several_gzip_members_of_ordinary_json_are_inflated_whole() -> None:
    rows = b"".join(
        b'{"name": "h%06d", "subnet": ["10.0.%d.%d", "255.255.255.255"]},' % (i, i >> 8 & 255, i & 255)
        for i in range(200_000)
    )
    out = bytearray()
    inflater = _Inflater("gzip")
    packed = _gzip(rows, members=3)
    for start in range(0, len(packed), 65536):  # as the socket delivers it
        inflater.feed(packed[start : start + 65536], out, 1 << 30)
    assert bytes(out) == rows * 3


class _OldResponse:
    """An urllib3 1.26-style response: no ``read1``, ``read(n)`` blocks until ``n`` bytes or the end."""

    def __init__(self, body: bytes) -> None:
        self.headers = {"Transfer-Encoding": "chunked"}
        self._body = body
        self.sizes: list[int] = []

    def read(self, size: int, decode_content: bool = False) -> bytes:
        self.sizes.append(size)
        piece, self._body = self._body[:size], self._body[size:]
        return piece


def test_without_read1_pieces_stay_small_enough_to_arrive_within_a_window_at_the_minimum_speed() -> None:
    raw = _OldResponse(b"x" * 50_000)
    g = guard()  # 1,000 bytes/s over 10 s: a piece of at most 5,000 bytes arrives within half a window
    assert read_body(raw, 1 << 20, g) == b"x" * 50_000
    assert max(raw.sizes) == 5_000 and g.received == 50_000


def test_a_body_shorter_than_announced_is_an_incomplete_read_even_without_read1() -> None:
    raw = _OldResponse(b"x" * 20_000)
    raw.headers = {"Content-Length": "50000"}
    with pytest.raises(urllib3.exceptions.IncompleteRead):
        read_body(raw, 1 << 20, guard())
