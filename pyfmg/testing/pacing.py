"""The time a FortiManager takes to answer, and the count of what it was asked.

``--latency`` (in the HTTP server) models the network: every request waits, concurrently with
every other.  :class:`ServerTime` models the FortiManager itself: each JSON-RPC request holds the
server for ``per_request`` seconds plus ``per_param`` seconds per param, and the requests that
share a queue are served one after the other.  Which requests share one is ``queue``:

- ``"global"`` (the default): one queue for everybody.  A FortiManager applies changes to one
  configuration database, and administrators report that each API call slows down as more API
  users are logged in (fortinet-ansible-dev/ansible-galaxy-fortimanager-collection issue 116),
  so requests sent in parallel are not assumed to be processed in parallel;
- ``"session"``: one queue per session (or API key); sessions are served side by side;
- ``"none"``: every request on its own.

How a real unit schedules concurrent JSON-RPC requests is not documented; ``"global"`` is the
choice that never flatters a client sending requests in parallel.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable

Handler = Callable[[Any, "str | None"], Any]  # (parsed JSON body, Bearer key) -> JSON reply

QUEUES = ("global", "session", "none")


def params_of(request: Any) -> tuple[str, int]:
    """``(method, number of params)`` of a JSON-RPC request body; ``("", 0)`` for anything else."""
    if not isinstance(request, dict):
        return "", 0
    method = request.get("method")
    params = request.get("params")
    count = len(params) if isinstance(params, list) else 1 if isinstance(params, dict) else 0
    return (method if isinstance(method, str) else ""), count


class ServerTime:
    """Wraps a JSON-RPC handler: holds each request for the configured time, in its queue, then answers it."""

    def __init__(self, handler: Handler, settings: Callable[[], tuple[float, float, str]]) -> None:
        self._handler = handler
        self._settings = settings  # () -> (per_request, per_param, queue), read on every request
        self._queues: dict[Any, threading.Lock] = {}
        self._queues_lock = threading.Lock()
        self.stopped = threading.Event()  # set when the server stops: held requests end at once
        self.wait: Callable[[float], Any] = self.stopped.wait  # how a request is held (tests record it)

    def __call__(self, request: Any, bearer: str | None) -> Any:
        per_request, per_param, queue = self._settings()
        hold = per_request + per_param * params_of(request)[1]
        if hold <= 0:
            return self._handler(request, bearer)
        if queue == "none":
            self.wait(hold)
            return self._handler(request, bearer)
        with self.queue(queue, request, bearer):
            self.wait(hold)
            return self._handler(request, bearer)

    def queue(self, queue: str, request: Any, bearer: str | None) -> threading.Lock:
        key: Any = None
        if queue == "session":
            # A login carries no session yet: logins share one queue.
            key = bearer if bearer is not None else request.get("session") if isinstance(request, dict) else None
            key = key if isinstance(key, (str, int)) else None
        with self._queues_lock:
            lock = self._queues.get(key)
            if lock is None:
                if len(self._queues) >= 10000:  # sessions come and go: forget idle queues
                    for stale in [k for k, held in self._queues.items() if not held.locked()]:
                        del self._queues[stale]
                lock = self._queues[key] = threading.Lock()
            return lock


@dataclass
class MethodCount:
    """Requests of one JSON-RPC method, and the params they carried."""

    requests: int = 0
    params: int = 0


@dataclass
class RequestCounts:
    """What the simulator was sent: HTTP requests, JSON-RPC params, and both by method.

    ``by_method`` keys are the JSON-RPC ``method`` (``"get"``, ``"add"``, ``"exec"``...);
    requests that were not JSON-RPC (not JSON, no method) count under ``""``.
    """

    requests: int = 0
    params: int = 0
    by_method: dict[str, MethodCount] = field(default_factory=dict)

    def add(self, request: Any) -> None:
        method, params = params_of(request)
        self.requests += 1
        self.params += params
        count = self.by_method.setdefault(method, MethodCount())
        count.requests += 1
        count.params += params

    def copy(self) -> RequestCounts:
        by_method = {m: MethodCount(c.requests, c.params) for m, c in self.by_method.items()}
        return RequestCounts(self.requests, self.params, by_method)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"requests": n, "params": n, "by_method": {method: {"requests", "params"}}}``."""
        return {
            "requests": self.requests,
            "params": self.params,
            "by_method": {m: {"requests": c.requests, "params": c.params} for m, c in sorted(self.by_method.items())},
        }

    def __str__(self) -> str:
        methods = ", ".join(
            f"{m or 'not JSON-RPC'} {c.requests} ({c.params})" for m, c in sorted(self.by_method.items())
        )
        return f"{self.requests} request(s), {self.params} param(s)" + (f": {methods}" if methods else "")
