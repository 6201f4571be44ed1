"""The HTTP side: a small HTTP/1.1 server that feeds ``POST /jsonrpc`` bodies to a JSON-RPC handler.

Written on sockets rather than ``http.server``: parsing headers through ``email`` was close to half
of the simulator's time per request. It keeps connections alive, reads ``Content-Length`` and
chunked bodies, and sets limits so that a broken client cannot hang a test suite: a cap on the
body size, a deadline for a body that was announced but does not arrive, a bounded number of
connections served at once, and a clean HTTP error (never a traceback) for anything malformed.
The accept loop blocks in ``accept()``; stopping shuts the listening socket down, so nothing polls.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import ssl
import struct
import threading
import time
import urllib.parse
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any, Callable

from .faults import BAD_GATEWAY_PAGE, Fault, FaultQueue, normalize_url

logger = logging.getLogger(__name__)

Handler = Callable[[Any, "str | None"], Any]  # (parsed JSON body, Bearer key) -> JSON reply

MAX_LINE = 8190
#: How long, and for how many bytes, a connection answered with an error is drained before closing.
LINGER_SECONDS = 2.0
LINGER_BYTES = 1024 * 1024
_METHOD_START = re.compile(rb"[A-Z]{1,20}(?: |$)")
MAX_HEADERS = 100


@dataclass
class RecordedRequest:
    """One HTTP request as the simulator received it."""

    http_method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any


@dataclass(frozen=True)
class Limits:
    max_body: int = 32 * 1024 * 1024  #: bytes; a larger body is refused with 413
    body_timeout: float = 10.0  #: seconds to receive headers and body once a request has begun
    idle_timeout: float = 120.0  #: seconds a kept-alive connection may wait for its next request
    max_connections: int = 512  #: connections served at once (a thread each); further ones wait to be accepted


class HttpError(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    413: "Payload Too Large",
    431: "Request Header Fields Too Large",
    501: "Not Implemented",
    502: "Bad Gateway",
}


class SimulatorServer:
    def __init__(
        self,
        bind: str,
        port: int,
        handler: Handler,
        faults: FaultQueue,
        record: Callable[[RecordedRequest], None],
        latency: Callable[[], float],
        tls_context: ssl.SSLContext | None,
        limits: Limits,
    ) -> None:
        self.handler = handler
        #: Other POST paths (FortiCloud's token and login endpoints): path -> handler(body) -> (status, reply).
        self.routes: dict[str, Callable[[Any], tuple[int, Any]]] = {}
        self.query_access_token = True
        self.faults = faults
        self.record = record
        self.latency = latency
        self.tls_context = tls_context
        self.limits = limits
        self.stopping = threading.Event()
        self._slots = threading.BoundedSemaphore(limits.max_connections)
        self._connections: set[socket.socket] = set()
        self._idle: dict[socket.socket, float] = {}  # kept-alive connections between requests -> since
        self._evicted: set[socket.socket] = set()  # shut down to free a slot, thread not yet ended
        self._lock = threading.Lock()
        self._socket = socket.create_server((bind, port), backlog=128)
        self.server_address: tuple[str, int] = self._socket.getsockname()[:2]
        self._thread = threading.Thread(target=self._accept_loop, name="fmg-simulator", daemon=True)

    # --- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)  # wakes the accept() below
        self._socket.close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, address = self._socket.accept()
            except OSError:
                return
            # Every slot busy: a connection kept alive between requests gives its slot up (the
            # client reconnects), one that is in the middle of a request is waited for.
            while not self._slots.acquire(timeout=0.01):
                if self.stopping.is_set():
                    connection.close()
                    return
                self._evict_idle()
            with self._lock:
                self._connections.add(connection)
            name = f"fmg-simulator-{self.server_address[1]}-connection"
            threading.Thread(target=self._serve, args=(connection, address), name=name, daemon=True).start()

    def set_idle(self, connection: socket.socket, idle: bool) -> None:
        with self._lock:
            if idle:
                self._idle[connection] = time.monotonic()
            else:
                self._idle.pop(connection, None)

    def _evict_idle(self) -> None:
        with self._lock:
            if not self._idle or self._evicted:  # one at a time: its slot is on the way
                return
            connection = min(self._idle, key=self._idle.__getitem__)
            del self._idle[connection]
            self._evicted.add(connection)
        logger.debug("closing an idle kept-alive connection to free a slot")
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)

    def _serve(self, connection: socket.socket, address: Any) -> None:
        try:
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            stream: socket.socket = connection
            if self.tls_context is not None:
                connection.settimeout(self.limits.body_timeout)
                stream = self.tls_context.wrap_socket(connection, server_side=True)
            _Connection(self, stream, connection).serve()
        except (OSError, ssl.SSLError, ValueError) as exc:
            logger.debug("connection from %s ended: %s", address, exc)
        except Exception:  # a simulator bug: logged without a traceback on stderr, the connection closed
            logger.debug("simulator failed serving %s", address, exc_info=True)
        finally:
            with contextlib.suppress(OSError):
                connection.close()
            with self._lock:
                self._connections.discard(connection)
                self._idle.pop(connection, None)
                self._evicted.discard(connection)
            self._slots.release()


_date_cache: list[Any] = [0, ""]


def _http_date() -> str:
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[:] = [now, formatdate(now, usegmt=True)]
    return str(_date_cache[1])


class _Connection:
    """One client connection: requests read from a byte buffer filled by ``recv``, answers sent whole."""

    def __init__(self, server: SimulatorServer, sock: socket.socket, raw: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.raw = raw  # the TCP socket under a TLS one: what the server tracks and may shut down
        self.buffer = b""
        self.keep_alive = True

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise HttpError(400, "connection closed inside a request")
        self.buffer += data

    def serve(self) -> None:
        limits = self.server.limits
        # One timeout for the life of the connection: a body that stalls fails after it, and an
        # idle keep-alive connection is checked that often against the (longer) idle limit.
        self.sock.settimeout(min(limits.body_timeout, limits.idle_timeout))
        idle_since = time.monotonic()
        while self.keep_alive and not self.server.stopping.is_set():
            if not self.buffer.lstrip(b"\r\n"):
                self.server.set_idle(self.raw, True)
                try:
                    data = self.sock.recv(65536)
                except socket.timeout:
                    if time.monotonic() - idle_since > limits.idle_timeout:
                        return
                    continue
                finally:
                    self.server.set_idle(self.raw, False)
                if not data:
                    return
                self.buffer = self.buffer.lstrip(b"\r\n") + data  # stray blank lines between requests
                if not self.buffer.lstrip(b"\r\n"):
                    continue
            try:
                self._request()
            except HttpError as error:
                self.keep_alive = False
                self._send(error.status, f"{error.status} {error.reason}\n".encode(), "text/plain")
                self._linger()
            except socket.timeout:
                self.keep_alive = False
                self._send(408, b"408 request body not received in time\n", "text/plain")
                self._linger()
            idle_since = time.monotonic()

    def _linger(self) -> None:
        """After an error answer, read and drop what the client is still sending, then let it close.

        Closing with unread bytes makes the kernel send a reset, and a client still sending (a
        200 KB header, a refused body) would see that instead of the answer. As web servers do,
        the write side is shut first and the rest drained, for at most ``LINGER`` seconds and bytes.
        """
        with contextlib.suppress(OSError):
            self.raw.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + LINGER_SECONDS
            drained = 0
            while drained < LINGER_BYTES:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self.raw.settimeout(left)
                data = self.raw.recv(65536)
                if not data:
                    return
                drained += len(data)

    # --- reading ----------------------------------------------------------------------------
    def _head(self) -> list[bytes]:
        """The request line and header lines, up to the blank line."""
        self.buffer = self.buffer.lstrip(b"\r\n")
        while True:
            if not _METHOD_START.match(self.buffer):
                # Not HTTP at all (a TLS handshake, say): answered now, not after a timeout.
                raise HttpError(400, "not an HTTP request")
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
                return head.split(b"\r\n")
            end = self.buffer.find(b"\n\n")
            if end >= 0:
                head, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
                return head.replace(b"\r\n", b"\n").split(b"\n")
            if len(self.buffer) > MAX_LINE * 2:
                first = self.buffer.split(b"\n", 1)[0]
                raise HttpError(400 if len(first) > MAX_LINE else 431, "request head too long")
            self._fill()

    def _request(self) -> None:
        lines = self._head()
        if len(lines[0]) > MAX_LINE:
            raise HttpError(400, "request line too long")
        parts = lines[0].split()
        if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
            raise HttpError(400, "malformed request line")
        method, target, version = (p.decode("latin-1") for p in parts)
        headers, lowered = self._headers(lines[1:])
        connection = lowered.get("connection", "").lower()
        self.keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
        body = self._body(lowered)
        parsed = _strict_json(body)
        self.server.record(RecordedRequest(method, target, headers, body, parsed))
        delay = self.server.latency()
        if delay > 0:
            time.sleep(delay)
        self._dispatch(method, target, parsed, lowered)

    @staticmethod
    def _headers(lines: list[bytes]) -> tuple[dict[str, str], dict[str, str]]:
        if len(lines) > MAX_HEADERS:
            raise HttpError(431, "too many header lines")
        headers: dict[str, str] = {}
        lowered: dict[str, str] = {}
        for line in lines:
            if len(line) > MAX_LINE:
                raise HttpError(431, "header line too long")
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon or not name or name != name.strip():
                raise HttpError(400, "malformed header line")
            key = name.lower()
            if key in _SINGLE_HEADERS and key in lowered:
                # Two framings of one body (request smuggling): which one a proxy used is unknowable.
                raise HttpError(400, f"more than one {name} header")
            headers[name] = lowered[key] = value.strip()
        if "content-length" in lowered and "transfer-encoding" in lowered:
            raise HttpError(400, "both Content-Length and Transfer-Encoding")
        return headers, lowered

    def _read(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _line(self) -> bytes:
        while b"\n" not in self.buffer:
            if len(self.buffer) > MAX_LINE:
                raise HttpError(400, "line too long")
            self._fill()
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.rstrip(b"\r")

    def _body(self, lowered: dict[str, str]) -> bytes:
        limit = self.server.limits.max_body
        encoding = lowered.get("transfer-encoding", "").lower()
        if encoding:
            if encoding != "chunked":
                raise HttpError(501, f"transfer-encoding {encoding} not supported")
            return self._chunked(limit)
        length_text = lowered.get("content-length", "0") or "0"
        if not length_text.isdigit():
            raise HttpError(400, "malformed Content-Length")
        length = int(length_text)
        if length > limit:
            raise HttpError(413, f"body of {length} bytes is larger than the simulator's {limit}-byte limit")
        return self._read(length) if length else b""

    def _chunked(self, limit: int) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            try:
                size = int(self._line().split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise HttpError(400, "malformed chunk size") from None
            if size == 0:
                while self._line():
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > limit:
                raise HttpError(413, f"body larger than the simulator's {limit}-byte limit")
            chunks.append(self._read(size))
            self._line()

    # --- answering --------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        lines = [
            f"HTTP/1.1 {status} {REASONS.get(status, 'Unknown')}",
            "Server: Apache",
            f"Date: {_http_date()}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(body)}",
        ]
        lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
        if not self.keep_alive:
            lines.append("Connection: close")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def _send_json(self, payload: Any) -> None:
        """Standard JSON only (no NaN or Infinity: strict parsers refuse them); a reply that is not becomes an error."""
        try:
            text = json.dumps(payload, allow_nan=False)
        except (ValueError, RecursionError) as error:
            logger.debug("reply cannot be sent as standard JSON: %s", type(error).__name__)
            request_id = payload.get("id") if isinstance(payload, dict) else None
            text = json.dumps(_internal_error(request_id, "the reply cannot be sent as standard JSON"))
        self._send(200, text.encode("utf-8"), "application/json")

    def _dispatch(self, method: str, target: str, parsed: Any, lowered: dict[str, str]) -> None:
        path, _, query = target.partition("?")
        route = self.server.routes.get(path)
        if route is not None and method == "POST":
            code, payload = route(parsed)
            self._send(code, json.dumps(payload).encode("utf-8"), "application/json")
            return
        if path.rstrip("/") != "/jsonrpc":
            self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")
            return
        if method != "POST":
            self._send(405, b"<html><body><h1>405 Method Not Allowed</h1></body></html>", "text/html")
            return
        rpc_method, url = _method_and_url(parsed)
        authorization = lowered.get("authorization", "")
        bearer = authorization[7:].strip() if authorization[:7].lower() == "bearer " else None
        if bearer is None and self.server.query_access_token:
            # An API key in the URL (?access_token=), as FortiManager took it before 7.4.7 / 7.6.2.
            bearer = urllib.parse.parse_qs(query).get("access_token", [None])[0]
        fault = self.server.faults.take(rpc_method, url)
        if fault is not None and self._apply_fault(fault, parsed, url, bearer):
            return
        if parsed is None:
            self._send_json({"result": [{"status": {"code": -1, "message": "Invalid request"}}]})
            return
        try:
            reply = self.server.handler(parsed, bearer)
        except Exception as error:  # a simulator bug (or data nested too deep for it): still an answer
            logger.debug("simulator failed on a request: %s", type(error).__name__)
            reply = _internal_error(parsed.get("id") if isinstance(parsed, dict) else None, "Internal error")
        self._send_json(reply)

    def _apply_fault(self, fault: Fault, parsed: Any, url: str, bearer: str | None) -> bool:
        """Answer with the fault; False when the request should still be served (``slow``)."""
        logger.debug("injecting fault %s", fault.kind)
        if fault.kind == "slow":
            self.server.stopping.wait(float(fault.options.get("delay", 5.0)))
            return False
        if fault.kind == "lost_reply" and parsed is not None:
            # The request is carried out, then the connection breaks before the reply: the client
            # cannot tell whether, say, a lock was granted.
            self.server.handler(parsed, bearer)
        if fault.kind in ("reset", "lost_reply"):
            # Linger 0 makes close() send a TCP RST instead of an orderly FIN.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.keep_alive = False
            self.sock.close()
            return True
        request_id = parsed.get("id") if isinstance(parsed, dict) else None
        if fault.kind == "http_502_html":
            self._send(502, BAD_GATEWAY_PAGE, "text/html")
        elif fault.kind == "empty_body":
            self._send(200, b"", "application/json")
        elif fault.kind == "no_result":
            self._send_json({"id": request_id})
        elif fault.kind == "truncated_json":
            whole = json.dumps({"id": request_id, "result": [{"status": {"code": 0, "message": "OK"}, "url": url}]})
            self._send(200, whole[: len(whole) // 2].encode("utf-8"), "application/json")
        else:  # raw
            raw_body = fault.options.get("body", b"")
            if isinstance(raw_body, str):
                raw_body = raw_body.encode("utf-8")
            headers = dict(fault.options.get("headers") or {})
            content_type = headers.pop("Content-Type", "application/octet-stream")
            self._send(int(fault.options.get("status", 200)), raw_body, content_type, headers)
        return True


#: Headers a request may carry once: a second one, even equal, is refused.
_SINGLE_HEADERS = frozenset({"content-length", "transfer-encoding", "host"})


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: One decoder for every request, as ``json.loads`` shares its default one: a decoder made per call
#: is a reference cycle that only the cyclic garbage collector frees.
_STRICT_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _strict_json(body: bytes) -> Any:
    """The JSON value of a request body, or None when it is not standard JSON (NaN, Infinity, not UTF-8...).

    A body nested too deeply to parse is treated as not JSON, so it gets a JSON-RPC error reply
    like any other malformed body instead of a closed connection.
    """
    if not body:
        return None
    try:
        return _STRICT_DECODER.decode(body.decode(json.detect_encoding(body), "surrogatepass"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None


def _internal_error(request_id: Any, message: str) -> dict[str, Any]:
    reply: dict[str, Any] = {"result": [{"status": {"code": -1, "message": message}}]}
    if request_id is not None and isinstance(request_id, (int, str)):
        reply = {"id": request_id, **reply}
    return reply


def _method_and_url(parsed: Any) -> tuple[str | None, str]:
    if not isinstance(parsed, dict):
        return None, ""
    method = parsed.get("method") if isinstance(parsed.get("method"), str) else None
    params = parsed.get("params")
    first = params[0] if isinstance(params, list) and params else params
    return method, normalize_url(first.get("url")) if isinstance(first, dict) else ""
