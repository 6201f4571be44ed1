"""Limits on one exchange with a FortiManager: how large its reply may be and how long it may take.

A per-read ``timeout`` does not bound a call: a server that sends one byte a second resets it
forever, and a reply read whole can be as large as the server likes (a 1.5 MB gzip bomb inflates
to gigabytes).  Here the body is read in pieces and counted after decompression, so reading
stops at ``max_reply_bytes`` without ever allocating more; and one watchdog thread cuts the
connection of any call that outlives its ``deadline``, wherever it is blocked (headers or body).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
import zlib
from typing import Any

#: Default ``max_reply_bytes``: far above any real FortiManager reply, far below what hurts a host.
DEFAULT_MAX_REPLY_BYTES = 512 * 1024 * 1024
#: How much is read from the socket at a time when a reply is not read in one piece.
CHUNK = 256 * 1024
#: How often the watchdog looks again at an expired call that has no socket yet.
RECHECK = 0.05


class ReplyTooLarge(Exception):
    """Raised by :func:`read_body`; ``received`` is how many (decompressed) bytes were read."""

    def __init__(self, received: int, announced: bool = False) -> None:
        super().__init__(received)
        self.received = received
        self.announced = announced


class DeadlineGuard:
    """One call's deadline: the connection it uses is shut down when the deadline passes."""

    def __init__(self, deadline: float, seconds: float) -> None:
        self.deadline = deadline
        self.seconds = seconds
        self.connection: Any = None
        self.expired = False
        self.done = False
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 0.001)

    def passed(self) -> bool:
        """True once the deadline is reached (the watchdog may not have cut the connection yet)."""
        return self.expired or time.monotonic() >= self.deadline

    def expire(self) -> bool:
        """Cut the call's connection; False when it has no socket yet (connecting, TLS handshake)."""
        with self._lock:
            if self.done:
                return True
            self.expired = True
            sock = getattr(self.connection, "sock", None)
        if sock is None:
            return False
        # shutdown, not close: it wakes the thread blocked in recv() without freeing a descriptor
        # that the owning thread may still use; that thread then closes the connection itself.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        return True

    def attach(self, connection: Any) -> None:
        """The connection this call uses; cut at once when the deadline passed before it was known."""
        with self._lock:
            if self.done:
                return
            self.connection = connection
        if self.expired:
            self.expire()

    def finish(self) -> None:
        """Called before the connection goes back to the pool, so the watchdog cannot cut it after."""
        with self._lock:
            self.done = True


class Watchdog:
    """One daemon thread for all clients, waking at the earliest deadline of the calls in flight."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, DeadlineGuard]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._local = threading.local()
        self._active = 0

    def start_call(self, seconds: float) -> DeadlineGuard:
        guard = DeadlineGuard(time.monotonic() + seconds, seconds)
        with self._cond:
            self._active += 1
            if len(self._heap) > 64 and len(self._heap) > 2 * self._active:
                # finished calls leave entries behind until their deadline; drop them in bulk
                self._heap = [entry for entry in self._heap if not entry[2].done]
                heapq.heapify(self._heap)
            heapq.heappush(self._heap, (guard.deadline, next(self._order), guard))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pyfmg-deadline-watchdog", daemon=True)
                self._thread.start()
            elif self._heap[0][2] is guard:
                self._cond.notify()
        self._local.guard = guard
        return guard

    def end_call(self, guard: DeadlineGuard) -> None:
        guard.finish()
        self._local.guard = None
        with self._cond:
            self._active -= 1

    @property
    def watching(self) -> bool:
        """Whether any call in any thread has a deadline now."""
        return self._active > 0

    def note_connection(self, connection: Any) -> None:
        """Tell the calling thread's guard which connection its request took from the pool."""
        guard: DeadlineGuard | None = getattr(self._local, "guard", None)
        if guard is not None and connection is not None:
            guard.attach(connection)

    def _run(self) -> None:
        with self._cond:
            while True:
                if not self._heap:
                    self._cond.wait()
                    continue
                deadline, _, guard = self._heap[0]
                if guard.done:
                    heapq.heappop(self._heap)
                    continue
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
                if not guard.expire():
                    # no socket yet: look again shortly, until the call has one or ends
                    heapq.heappush(self._heap, (deadline + RECHECK, next(self._order), guard))


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
    """gzip or deflate, decompressed at most ``room`` bytes at a time (``zlib``'s ``max_length``)."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._first = True
        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes, out: bytearray, limit: int) -> None:
        while data:
            try:
                piece = self._obj.decompress(data, limit - len(out) + 1)
            except zlib.error:
                if self._gzip or not self._first:
                    raise
                # Some servers send raw deflate under "deflate"; urllib3 accepts both, so do we.
                self._first = False
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._first = False
            out += piece
            if len(out) > limit:
                raise ReplyTooLarge(len(out))
            data = self._obj.unconsumed_tail
            if not data and self._gzip and self._obj.eof and self._obj.unused_data:
                # several gzip members one after another
                data = self._obj.unused_data
                self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)


def read_body(raw: Any, limit: int) -> bytes:
    """The decoded body of the urllib3 response ``raw``; :class:`ReplyTooLarge` past ``limit`` bytes.

    An uncompressed reply of announced length within the limit is read in one piece (one buffer,
    no joining); anything else is read in :data:`CHUNK` pieces and counted as it comes.
    """
    encoding = (raw.headers.get("Content-Encoding") or "").strip().lower()
    identity = encoding in ("", "identity")
    if identity:
        announced = _announced_length(raw.headers.get("Content-Length"))
        if announced is not None:
            if announced > limit:
                raise ReplyTooLarge(announced, announced=True)
            return raw.read(decode_content=False)
    inflater = _Inflater(encoding) if encoding in ("gzip", "x-gzip", "deflate") else None
    # Encodings zlib does not cover (br, zstd) are left to urllib3, which decodes piece by piece.
    let_urllib3_decode = not identity and inflater is None
    body = bytearray()
    while True:
        piece = raw.read(CHUNK if inflater or identity else CHUNK // 16, decode_content=let_urllib3_decode)
        if not piece:
            break
        if inflater is not None:
            inflater.feed(piece, body, limit)
            continue
        body += piece
        if len(body) > limit:
            raise ReplyTooLarge(len(body))
    return bytes(body)


def _announced_length(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None  # urllib3 itself rejects a malformed length while reading
