"""A minimal HTTP/1.1 server on 127.0.0.1 that records the raw bytes of each request and answers
with whatever a test asks for: a JSON reply, a redirect, an endless or trickling body.

Each connection is served by its own daemon thread; every answer that streams stops by itself
(a byte budget or the server's stop event), so a failing test cannot leave a server running.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from typing import Any, Callable

Answer = Callable[["Exchange"], None]


class Exchange:
    """One request as received (``raw``: request line, headers and body, byte for byte) and its socket."""

    def __init__(self, server: LoopbackServer, conn: socket.socket, raw: bytes, body: bytes) -> None:
        self.server = server
        self.conn = conn
        self.raw = raw
        self.body = body

    @property
    def request_id(self) -> Any:
        try:
            return json.loads(self.body).get("id")
        except ValueError:
            return None

    def send(self, data: bytes) -> bool:
        """Write ``data``; False once the client has gone or the server is stopping."""
        if self.server.stopping.is_set():
            return False
        try:
            self.conn.sendall(data)
            return True
        except OSError:
            return False

    def pause(self, seconds: float) -> bool:
        """Wait between two writes of a trickle; False when the server is stopping."""
        return not self.server.stopping.wait(seconds)


def json_reply(exchange: Exchange, extra_headers: str = "") -> None:
    """A FortiManager-shaped success for whatever was asked, with a session for a login."""
    body = json.dumps(
        {
            "id": exchange.request_id,
            "result": [{"status": {"code": 0, "message": "OK"}, "url": "x", "data": {"name": "h1"}}],
            "session": "c2Vzc2lvbi1pZC1mb3ItdGVzdHM=",
        }
    ).encode()
    exchange.send(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + extra_headers.encode()
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


class LoopbackServer:
    def __init__(self, answer: Answer = json_reply) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        self.connections = 0
        self.stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._listener.getsockname()[1]}"

    def stop(self) -> None:
        self.stopping.set()
        with self._lock:
            for client in self._clients:
                with contextlib.suppress(OSError):
                    client.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread at once
        self._thread.join(5)
        self._listener.close()

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self._clients.append(conn)
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        buffered = b""
        try:
            while not self.stopping.is_set():
                while b"\r\n\r\n" not in buffered:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffered += data
                head, _, buffered = buffered.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(buffered) < length:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffered += data
                body, buffered = buffered[:length], buffered[length:]
                with self._lock:
                    self.requests.append(head + b"\r\n\r\n" + body)
                self.answer(Exchange(self, conn, head + b"\r\n\r\n" + body, body))
        except OSError:
            return
        finally:
            conn.close()
