"""A tiny FortiManager stand-in on top of ``responses`` for unit tests: scripted replies, recorded bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Callable

import responses

HOST = "fmg.test"
URL = f"https://{HOST}/jsonrpc"
SID = "S3ss10nTok3n+abc=="
PASSWORD = "Sup3r-S3cret!"


def ok(data: Any = None, url: str = "", code: int = 0, message: str = "OK") -> dict[str, Any]:
    result: dict[str, Any] = {"status": {"code": code, "message": message}, "url": url}
    if data is not None:
        result["data"] = data
    return result


class FakeFMG:
    """Answers JSON-RPC calls with ``handler(method, params, body)`` -> result dict (or full reply)."""

    def __init__(self, rsps: responses.RequestsMock) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.handlers: list[Callable[[str, list[Any], dict[str, Any]], Any]] = []
        self.workspace_mode: Any = 0
        self.adom_status: Any = 1
        rsps.add_callback(responses.POST, URL, callback=self._answer)

    def on(self, handler: Callable[[str, list[Any], dict[str, Any]], Any]) -> None:
        """Handlers are tried newest first; one returning None passes the call on."""
        self.handlers.insert(0, handler)

    def calls(self, url: str | None = None) -> list[dict[str, Any]]:
        return [b for b in self.bodies if url is None or (b.get("params") or [{}])[0].get("url") == url]

    def _answer(self, request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        self.bodies.append(body)
        self.headers.append(dict(request.headers))
        method, params = body.get("method"), body.get("params") or [{}]
        for handler in self.handlers:
            reply = handler(method, params, body)
            if reply is not None:
                break
        else:
            reply = self._default(method, params)
        if isinstance(reply, tuple):  # (status, raw text)
            return reply[0], {}, reply[1]
        if "result" not in reply and "status" in reply:
            reply = {"result": [reply]}
        if isinstance(reply, dict) and "result" in reply and "id" not in reply:
            reply = {"id": body.get("id"), **reply}
        return 200, {}, json.dumps(reply)

    def _default(self, method: str, params: list[Any]) -> dict[str, Any]:
        url = params[0].get("url", "")
        if method == "exec" and url == "sys/login/user":
            if params[0].get("data", {}).get("passwd") == PASSWORD:
                return {"result": [ok(url=url)], "session": SID}
            return {"result": [ok(url=url, code=-22, message="Login fail")]}
        if url == "/cli/global/system/global":
            return ok({"workspace-mode": self.workspace_mode, "adom-status": self.adom_status}, url)
        return ok(url=url)


def urls(fake: FakeFMG) -> Iterator[str]:
    for body in fake.bodies:
        yield (body.get("params") or [{}])[0].get("url", "")
