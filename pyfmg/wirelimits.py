"""Limits on one exchange with a FortiManager: how large its reply may be and how long it may take.

A per-read ``timeout`` does not bound a call: a server that sends one byte a second resets it
forever, and a reply read whole can be as large as the server likes (a 1.5 MB gzip bomb inflates
to gigabytes).  Here the body is read in pieces and counted after decompression, so reading
stops at ``max_reply_bytes`` without ever allocating more, and a compressed reply that expands
implausibly is refused early.  One watchdog thread ends any call that stops making progress
(:class:`MinSpeed`, curl's ``--speed-limit``/``--speed-time``, on by default) or outlives its
``deadline`` (urllib3's ``Timeout(total=)``), wherever it is blocked: connecting, headers or body.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Union

import urllib3

from .exceptions import FMGValueError, bounded_repr

#: Default ``max_reply_bytes``: far above any real FortiManager reply, far below what hurts a host.
DEFAULT_MAX_REPLY_BYTES = 512 * 1024 * 1024
#: How much is read from the socket at a time when a reply is not read in one piece.
CHUNK = 256 * 1024
#: The most one decompression step writes: the only buffer besides the reply itself.
INFLATE_STEP = 1024 * 1024
#: A compressed reply whose output passes this many times the compressed bytes it came from...
MAX_EXPANSION = 200
#: ...once the output is past this size, is refused: JSON from FortiManager compresses 5-50 times.
EXPANSION_GRACE = 8 * 1024 * 1024
#: How often the watchdog looks again at an expired call that has no socket yet.
RECHECK = 0.05
#: The shortest window of the default :class:`MinSpeed` (its window is ``max(timeout, this)``).
MIN_WINDOW = 10.0

Body = Union[bytes, bytearray]


@dataclass(frozen=True)
class MinSpeed:
    """The progress every call must make, or be ended (curl's ``--speed-limit``/``--speed-time``).

    A call may wait ``timeout`` for its connection and again for the first byte of the reply, as
    in pyFMG; beyond that it must keep moving:

    * the reply's headers must be complete within ``2 x timeout + window`` seconds of the call's
      start, plus the time the request takes to send at ``bytes_per_second``;
    * the body must bring at least ``bytes_per_second`` on average over every ``window`` seconds
      (a body that is complete within its first window is never judged).

    ``window`` is ``seconds``, or ``max(timeout, 10)`` when ``seconds`` is None, so a server may
    still pause up to ``timeout`` between two bursts.  A call that fails the rule raises
    :class:`pyfmg.FMGReplyTooSlow`.  Pass ``FortiManager(..., min_speed=MinSpeed(...))`` to change
    it and ``min_speed=None`` for pyFMG's behaviour (only the per-read ``timeout``).
    """

    bytes_per_second: float = 1000.0
    seconds: float | None = None

    def __post_init__(self) -> None:
        for name in ("bytes_per_second", "seconds"):
            value = getattr(self, name)
            if name == "seconds" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e9:
                raise FMGValueError(f"MinSpeed({name}=...) must be a number greater than 0, got {bounded_repr(value)}")

    def window(self, timeout: float) -> float:
        """The window, in seconds, for a client whose per-read timeout is ``timeout``."""
        return float(self.seconds) if self.seconds is not None else max(float(timeout), MIN_WINDOW)


#: The rule every client applies unless told otherwise.
DEFAULT_MIN_SPEED = MinSpeed()


class ReplyTooLarge(Exception):
    """Raised by :func:`read_body`; ``received`` is how many (decompressed) bytes were read.

    ``expansion`` is set when a compressed reply was refused for expanding more than
    :data:`MAX_EXPANSION` times, before reaching the limit.
    """

    def __init__(self, received: int, announced: bool = False, expansion: float | None = None) -> None:
        super().__init__(received)
        self.received = received
        self.announced = announced
        self.expansion = expansion


class CallGuard:
    """One call's limits: the connection it uses is shut down when it breaks one.

    ``reason`` says which, once the watchdog has cut the call: ``"deadline"``, ``"headers"``
    (not complete in time) or ``"body"`` (too slow); ``detail`` adds the figures for a message.
    The reading thread adds body bytes to ``received``; the watchdog only reads it.
    """

    def __init__(
        self,
        now: float,
        deadline: float | None = None,
        headers_within: float | None = None,
        bytes_per_second: float | None = None,
        window: float = math.inf,
    ) -> None:
        self.started = now
        self.deadline = now + deadline if deadline is not None else math.inf
        self.headers_within = headers_within
        self.headers_by = now + headers_within if headers_within is not None else math.inf
        self.bytes_per_second = bytes_per_second
        self.window = window
        self.received = 0
        self.window_start = math.inf  # no body yet
        self.window_mark = 0
        self.reason: str | None = None
        self.detail = ""
        self.scheduled = math.inf
        self.connection: Any = None
        self.done = False
        self._lock = threading.Lock()

    @property
    def expired(self) -> bool:
        return self.reason is not None

    def remaining(self) -> float:
        """Seconds to the deadline (at least a millisecond): the most a socket operation may wait."""
        return max(self.deadline - time.monotonic(), 0.001)

    def passed(self) -> bool:
        """True once the deadline is reached (the watchdog may not have cut the connection yet)."""
        return self.reason == "deadline" or time.monotonic() >= self.deadline

    def one_window(self) -> float:
        """Bytes the body must bring per window; a body no larger can only pass by ending in its first."""
        return self.bytes_per_second * self.window if self.bytes_per_second is not None else math.inf

    def body_started(self, now: float) -> None:
        """The headers are in: from now on the body is judged window by window."""
        self.window_mark = self.received
        self.window_start = now

    def due(self) -> float:
        """When the watchdog must look at this call next."""
        if self.window_start == math.inf:
            return min(self.deadline, self.headers_by)
        return min(self.deadline, self.window_start + self.window)

    def verdict(self, now: float) -> str | None:
        """Why the call must end at ``now``, or None (moving the body window on when it passed)."""
        if now >= self.deadline:
            return "deadline"
        if self.window_start == math.inf:
            if now >= self.headers_by:
                self.detail = f"its headers were not complete after {now - self.started:.1f} s"
                return "headers"
            return None
        elapsed = now - self.window_start
        if self.bytes_per_second is None or elapsed < self.window:
            return None
        brought = self.received - self.window_mark
        if brought < self.bytes_per_second * elapsed:
            self.detail = f"{brought} bytes of body in the last {elapsed:.1f} s"
            return "body"
        self.window_mark, self.window_start = self.received, now
        return None

    def expire(self, reason: str) -> bool:
        """Cut the call's connection; False when it has no socket yet (connecting, TLS handshake)."""
        with self._lock:
            if self.done:
                return True
            if self.reason is None:
                self.reason = reason
            sock = getattr(self.connection, "sock", None)
        if sock is None:
            return False
        # shutdown, not close: it wakes the thread blocked in recv() without freeing a descriptor
        # that the owning thread may still use; that thread then closes the connection itself.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        return True

    def attach(self, connection: Any) -> None:
        """The connection this call uses; cut at once when the call expired before it was known."""
        with self._lock:
            if self.done:
                return
            self.connection = connection
        if self.reason is not None:
            self.expire(self.reason)

    def finish(self) -> None:
        """Called before the connection goes back to the pool, so the watchdog cannot cut it after."""
        with self._lock:
            self.done = True


class Watchdog:
    """One daemon thread for all clients, waking when the earliest call in flight is due a look."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, CallGuard]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._local = threading.local()
        self._active = 0

    def start_call(
        self,
        deadline: float | None = None,
        headers_within: float | None = None,
        bytes_per_second: float | None = None,
        window: float = math.inf,
    ) -> CallGuard:
        guard = CallGuard(self._clock(), deadline, headers_within, bytes_per_second, window)
        with self._cond:
            self._active += 1
            if len(self._heap) > 64 and len(self._heap) > 2 * self._active:
                # finished calls leave entries behind until they are due; drop them in bulk
                self._heap = [entry for entry in self._heap if not entry[2].done]
                heapq.heapify(self._heap)
            self._schedule(guard)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pyfmg-call-watchdog", daemon=True)
                self._thread.start()
        self._local.guard = guard
        return guard

    def body_started(self, guard: CallGuard) -> None:
        """The call's headers are in; its next look moves to the end of the first body window."""
        guard.body_started(self._clock())
        with self._cond:
            self._schedule(guard)

    def _schedule(self, guard: CallGuard) -> None:
        """Put ``guard`` in the heap at its next look (call with the condition held); older entries go stale."""
        due = guard.due()
        if due == guard.scheduled or due == math.inf:
            return
        guard.scheduled = due
        heapq.heappush(self._heap, (due, next(self._order), guard))
        if self._heap[0][2] is guard:
            self._cond.notify()

    def end_call(self, guard: CallGuard) -> None:
        guard.finish()
        self._local.guard = None
        with self._cond:
            self._active -= 1

    @property
    def watching(self) -> bool:
        """Whether any call in any thread is watched now."""
        return self._active > 0

    def note_connection(self, connection: Any) -> None:
        """Tell the calling thread's guard which connection its request took from the pool."""
        guard: CallGuard | None = getattr(self._local, "guard", None)
        if guard is not None and connection is not None:
            guard.attach(connection)

    def _run(self) -> None:
        with self._cond:
            while True:
                if not self._heap:
                    self._cond.wait()
                    continue
                due, _, guard = self._heap[0]
                if guard.done or due != guard.scheduled:
                    heapq.heappop(self._heap)
                    continue
                wait = due - self._clock()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
                guard.scheduled = math.inf
                reason = guard.reason or guard.verdict(self._clock())
                if reason is None:
                    self._schedule(guard)
                elif not guard.expire(reason):
                    # no socket yet: look again shortly, until the call has one or ends
                    guard.scheduled = self._clock() + RECHECK
                    heapq.heappush(self._heap, (guard.scheduled, next(self._order), guard))


WATCHDOG = Watchdog()


def watch_pool(pool: Any) -> None:
    """Let the watchdog learn which connection of ``pool`` a call uses (urllib3 1.26 and 2.x alike).

    urllib3 picks the connection inside ``urlopen``; wrapping the pool's ``_get_conn`` is the one
    place where a call's connection becomes known before its headers are read.
    """
    if pool is None or getattr(pool, "_pyfmg_watched", False):
        return
    original = pool._get_conn

    def get_conn(*args: Any, **kwargs: Any) -> Any:
        connection = original(*args, **kwargs)
        if WATCHDOG.watching:
            WATCHDOG.note_connection(connection)
        return connection

    pool._get_conn = get_conn
    pool._pyfmg_watched = True


def watch_pools_of(manager: Any) -> None:
    """:func:`watch_pool` on every pool the urllib3 ``PoolManager`` creates from now on."""
    original = manager._new_pool

    def new_pool(*args: Any, **kwargs: Any) -> Any:
        pool = original(*args, **kwargs)
        watch_pool(pool)
        return pool

    manager._new_pool = new_pool


class _Inflater:
    """gzip or deflate, decompressed in steps of at most :data:`INFLATE_STEP` bytes into one buffer.

    Each step's output is appended to the reply as it comes, so nothing else as large as the reply
    exists at any time; output past ``limit``, or past :data:`MAX_EXPANSION` times the compressed
    bytes consumed (once past :data:`EXPANSION_GRACE`), ends the read.
    """

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._first = True
        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)
        self._consumed = 0  # compressed bytes fed to finished decompressors and to this one

    def feed(self, data: bytes, out: bytearray, limit: int) -> None:
        while data:
            try:
                piece = self._obj.decompress(data, min(INFLATE_STEP, limit - len(out) + 1))
            except zlib.error:
                if self._gzip or not self._first:
                    raise
                # Some servers send raw deflate under "deflate"; urllib3 accepts both, so do we.
                self._first = False
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._first = False
            tail = self._obj.unconsumed_tail
            self._consumed += len(data) - len(tail)
            out += piece
            del piece
            if len(out) > limit:
                raise ReplyTooLarge(len(out))
            if len(out) > EXPANSION_GRACE and len(out) > MAX_EXPANSION * self._consumed:
                raise ReplyTooLarge(len(out), expansion=len(out) / max(self._consumed, 1))
            data = tail
            if not data and self._gzip and self._obj.eof and self._obj.unused_data:
                # several gzip members one after another (the rest was counted as consumed above)
                data = self._obj.unused_data
                self._consumed -= len(data)
                self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)


def read_body(raw: Any, limit: int, guard: CallGuard | None = None) -> Body:
    """The decoded body of the urllib3 response ``raw``; :class:`ReplyTooLarge` past ``limit`` bytes.

    An uncompressed reply of announced length that can only pass ``guard``'s speed rule by ending
    within its first window (or any such reply without a rule) is read in one piece, as ``bytes``.
    Anything else is read piece by piece (at most one ``recv`` each, so ``guard`` sees every byte
    arrive) into one ``bytearray`` (of exactly the announced size when there is one), returned as
    it is: a copy would double the peak.
    """
    encoding = (raw.headers.get("Content-Encoding") or "").strip().lower()
    identity = encoding in ("", "identity")
    announced = _announced_length(raw.headers.get("Content-Length")) if identity else None
    if announced is not None:
        if announced > limit:
            raise ReplyTooLarge(announced, announced=True)
        if guard is None or announced <= guard.one_window():
            return raw.read(decode_content=False)
    inflater = _Inflater(encoding) if encoding in ("gzip", "x-gzip", "deflate") else None
    # Encodings zlib does not cover (br, zstd) are left to urllib3, which decodes piece by piece.
    let_urllib3_decode = not identity and inflater is None
    read = _piece_reader(raw, guard)
    if announced is not None:
        return _read_announced(read, announced, guard)
    body = bytearray()
    while True:
        piece = read(CHUNK if not let_urllib3_decode else CHUNK // 16, let_urllib3_decode)
        if not piece:
            break
        if guard is not None:
            guard.received = raw.tell() if let_urllib3_decode else guard.received + len(piece)
        if inflater is not None:
            inflater.feed(piece, body, limit)
            continue
        body += piece
        if len(body) > limit:
            raise ReplyTooLarge(len(body))
    return body


def _read_announced(read: Callable[[int, bool], bytes], announced: int, guard: CallGuard | None) -> bytearray:
    """An uncompressed body of ``announced`` bytes, piece by piece into a buffer of exactly that size."""
    body = bytearray(announced)
    with memoryview(body) as view:
        filled = 0
        while filled < announced:
            piece = read(min(CHUNK, announced - filled), False)
            if not piece:  # urllib3 2 raises IncompleteRead itself; 1.26 may not
                raise urllib3.exceptions.IncompleteRead(filled, announced - filled)
            view[filled : filled + len(piece)] = piece
            filled += len(piece)
            if guard is not None:
                guard.received += len(piece)
    return body


def _piece_reader(raw: Any, guard: CallGuard | None) -> Callable[[int, bool], bytes]:
    """``read(size, decode)``: at most one ``recv`` per call where urllib3 has ``read1`` (2.3+).

    Older urllib3 reads whole pieces; then a piece is kept small enough that one arriving at the
    guard's minimum speed still completes within a window.
    """
    read1 = getattr(raw, "read1", None)
    if read1 is not None:
        return lambda size, decode: read1(size, decode_content=decode)
    most = CHUNK if guard is None else int(max(1024, min(CHUNK, guard.one_window() / 2)))
    return lambda size, decode: raw.read(min(size, most), decode_content=decode)


def _announced_length(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None  # urllib3 itself rejects a malformed length while reading
