"""Cassettes on the simulator's side: strict replay, and seeding the store from recorded ``get`` replies.

The simulator reads the JSON-lines file itself (it imports nothing from the client). Values the
recorder masked (``"********"``) match anything, since the live request carries the real secret.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from .codes import RpcError
from .state import split_url

logger = logging.getLogger(__name__)

MASK = "********"
IGNORED_KEYS = ("id", "session")  # differ from one run to the next


def read_exchanges(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    where = os.fspath(path)
    with open(where, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    exchanges = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            raise ValueError(f"{where}, line {number}: not JSON") from None
        if isinstance(entry, dict) and "format" in entry and "request" not in entry:
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("request"), dict) or "reply" not in entry:
            raise ValueError(f"{where}, line {number}: not a cassette exchange")
        exchanges.append(entry)
    return exchanges


def _matches(recorded: Any, live: Any) -> bool:
    if recorded == MASK:
        return True
    if isinstance(recorded, dict) and isinstance(live, dict):
        return recorded.keys() == live.keys() and all(_matches(recorded[k], live[k]) for k in recorded)
    if isinstance(recorded, list) and isinstance(live, list):
        return len(recorded) == len(live) and all(_matches(a, b) for a, b in zip(recorded, live))
    return bool(recorded == live)


def _shape(request: Any) -> dict[str, Any]:
    return {k: v for k, v in request.items() if k not in IGNORED_KEYS} if isinstance(request, dict) else {}


def _describe(request: Any) -> str:
    if not isinstance(request, dict):
        return repr(request)[:80]
    params = request.get("params")
    first = params[0] if isinstance(params, list) and params else params
    url = first.get("url") if isinstance(first, dict) else None
    return f"{request.get('method')} {url}"


def _is_login(request: Any) -> bool:
    params = request.get("params") if isinstance(request, dict) else None
    first = params[0] if isinstance(params, list) and params else params
    url = first.get("url") if isinstance(first, dict) else None
    return isinstance(url, str) and split_url(url) == ["sys", "login", "user"] and request.get("method") == "exec"


@dataclass
class Replayer:
    """Answers each request with the next recorded reply, or with an error naming the difference."""

    exchanges: list[dict[str, Any]]
    position: int = 0
    mismatches: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, request: Any, bearer: str | None) -> Any:
        with self._lock:
            request_id = request.get("id") if isinstance(request, dict) else None
            if _is_login(request):
                # Logins are not recorded (they carry the password): any login succeeds.
                token = base64.b64encode(os.urandom(24)).decode("ascii")
                ok = [{"status": {"code": 0, "message": "OK"}, "url": "sys/login/user"}]
                return {"id": request_id, "result": ok, "session": token}
            if self.position >= len(self.exchanges):
                problem = f"request {self.position + 1} ({_describe(request)}) is beyond the end of the cassette"
                return self._refuse(request_id, problem)
            expected = self.exchanges[self.position]["request"]
            if not _matches(_shape(expected), _shape(request)):
                problem = (
                    f"request {self.position + 1} differs from the cassette: expected {_describe(expected)}, "
                    f"got {_describe(request)}"
                )
                return self._refuse(request_id, problem)
            reply = json.loads(json.dumps(self.exchanges[self.position]["reply"]))
            self.position += 1
            if isinstance(reply, dict) and "id" in reply:
                reply["id"] = request_id
            return reply

    def _refuse(self, request_id: Any, problem: str) -> dict[str, Any]:
        self.mismatches.append(problem)
        logger.warning("replay: %s", problem)
        status = {"code": -1, "message": f"replay mismatch: {problem}"}
        return {"id": request_id, "result": [{"status": status}]}

    def check(self) -> None:
        with self._lock:
            problems = list(self.mismatches)
            left = len(self.exchanges) - self.position
        if left:
            problems.append(
                f"{left} recorded request(s) never came, the first: "
                f"{_describe(self.exchanges[self.position]['request'])}"
            )
        if problems:
            raise AssertionError("the session did not follow the cassette:\n- " + "\n- ".join(problems))


Call = Callable[[str, list[str], dict[str, Any]], Any]  # (method, url segments, param) -> data


@dataclass
class SeedReport:
    seeded: list[str] = field(default_factory=list)  # urls whose recorded rows are now in the store
    skipped: list[str] = field(default_factory=list)  # urls the simulator does not model (or refused)


def seed(exchanges: list[dict[str, Any]], write: Call, ensure_adom: Callable[[str], None]) -> SeedReport:
    """Write the data of every successful recorded ``get`` back with ``set``, oldest first."""
    report = SeedReport()
    for exchange in exchanges:
        request, reply = exchange["request"], exchange["reply"]
        if request.get("method") != "get":
            continue
        params = request.get("params") if isinstance(request.get("params"), list) else []
        results = reply.get("result") if isinstance(reply, dict) else None
        results = results if isinstance(results, list) else [results]
        for param, result in zip(params, results):
            if not isinstance(param, dict) or not isinstance(result, dict) or "data" not in result:
                continue
            if result.get("status", {}).get("code") != 0 or not isinstance(param.get("url"), str):
                continue
            url = param["url"]
            segments = split_url(url)
            for index, segment in enumerate(segments[:-1]):
                if segment == "adom" and segments[:1] != ["task"]:
                    ensure_adom(segments[index + 1])
            if _seed_one(write, segments, result["data"]):
                report.seeded.append(url)
            else:
                report.skipped.append(url)
    return report


def _seed_one(write: Call, segments: list[str], data: Any) -> bool:
    if segments[:1] in (["task"], ["sys"]) or segments[-1:] in (["lockinfo"], ["dirty"]):
        return False
    rows = data if isinstance(data, list) else [data]
    rows = [_without_meta(row) for row in rows if isinstance(row, dict)]
    if not rows:
        return False
    try:
        write("set", segments, {"data": rows if isinstance(data, list) else rows[0]})
        return True
    except RpcError:
        # One row the simulator cannot store must not lose the others.
        stored = 0
        for row in rows if isinstance(data, list) else []:
            try:
                write("set", segments, {"data": [row]})
                stored += 1
            except RpcError:
                continue
        return stored > 0


def _without_meta(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("obj seq", "_last-modified")}
