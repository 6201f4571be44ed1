"""The HTTP side: a threading HTTP(S) server on 127.0.0.1 that feeds ``/jsonrpc`` to the RPC handler."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from .faults import BAD_GATEWAY_PAGE, Fault, FaultQueue, normalize_url
from .rpc import RpcHandler

logger = logging.getLogger(__name__)


@dataclass
class RecordedRequest:
    """One HTTP request as the simulator received it."""

    http_method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any


class SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 resets connections when dozens of client threads connect at once.
    request_queue_size = 128

    def __init__(
        self,
        port: int,
        rpc: RpcHandler,
        faults: FaultQueue,
        record: Callable[[RecordedRequest], None],
        latency: Callable[[], float],
        tls_context: ssl.SSLContext | None,
    ) -> None:
        self.rpc = rpc
        self.faults = faults
        self.record = record
        self.latency = latency
        self.tls_context = tls_context
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        raw = request
        with self._connections_lock:
            self._connections.add(raw)
        try:
            # The TLS handshake runs here, in the connection's own thread, so a client that never
            # finishes its handshake cannot stall the accept loop.
            if self.tls_context is not None:
                try:
                    request = self.tls_context.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError) as exc:
                    logger.debug("TLS handshake with %s failed: %s", client_address, exc)
                    return
            super().finish_request(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(raw)

    def close_connections(self) -> None:
        """End the keep-alive connections still open, so their threads finish with the server."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Send each reply in one segment: headers and body written apart meet delayed ACKs (~40 ms).
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024
    server: SimulatorHTTPServer
    server_version = "Apache"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    def do_POST(self) -> None:
        self._serve("POST")

    def do_GET(self) -> None:
        self._serve("GET")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, code: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, payload: Any, code: int = 200) -> None:
        self._send(code, json.dumps(payload).encode("utf-8"), "application/json")

    def _serve(self, http_method: str) -> None:
        body = self._read_body()
        try:
            parsed: Any = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            parsed = None
        self.server.record(RecordedRequest(http_method, self.path, dict(self.headers.items()), body, parsed))
        delay = self.server.latency()
        if delay > 0:
            time.sleep(delay)
        if self.path.split("?", 1)[0].rstrip("/") != "/jsonrpc":
            self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")
            return
        if http_method != "POST":
            self._send(405, b"<html><body><h1>405 Method Not Allowed</h1></body></html>", "text/html")
            return
        method, url = _method_and_url(parsed)
        fault = self.server.faults.take(method, url)
        if fault is not None and self._apply_fault(fault, parsed, url):
            return
        if parsed is None:
            self._send_json({"result": [{"status": {"code": -1, "message": "Invalid request"}}]})
            return
        self._send_json(self.server.rpc.handle(parsed, self._bearer()))

    def _bearer(self) -> str | None:
        authorization = self.headers.get("Authorization", "")
        return authorization[7:].strip() if authorization.lower().startswith("bearer ") else None

    def _apply_fault(self, fault: Fault, parsed: Any, url: str) -> bool:
        """Answer with the fault; False when the request should still be served (``slow``)."""
        logger.debug("injecting fault %s", fault.kind)
        if fault.kind == "slow":
            self.server.stopping.wait(float(fault.options.get("delay", 5.0)))
            return False
        if fault.kind == "lost_reply":
            # The request is carried out, then the connection breaks before the reply: the client
            # cannot tell whether a lock was granted.
            self.server.rpc.handle(parsed, self._bearer())
        if fault.kind in ("reset", "lost_reply"):
            # Linger 0 makes close() send a TCP RST instead of an orderly FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
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


def _method_and_url(parsed: Any) -> tuple[str | None, str]:
    if not isinstance(parsed, dict):
        return None, ""
    method = parsed.get("method") if isinstance(parsed.get("method"), str) else None
    params = parsed.get("params")
    first = params[0] if isinstance(params, list) and params else params
    return method, normalize_url(first.get("url")) if isinstance(first, dict) else ""
