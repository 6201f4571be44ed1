"""Injected faults: broken answers a real FortiManager (or what sits in front of it) can give."""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass, field
from typing import Any

FAULTS = ("http_502_html", "truncated_json", "empty_body", "no_result", "reset", "slow", "raw", "lost_reply")

BAD_GATEWAY_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


def normalize_url(url: object) -> str:
    return url.strip("/") if isinstance(url, str) else ""


@dataclass
class Fault:
    kind: str
    times: int
    method: str | None
    url: str | None
    options: dict[str, Any]

    def matches(self, method: str | None, url: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.url is None or fnmatch.fnmatchcase(url, normalize_url(self.url))


@dataclass
class FaultQueue:
    _faults: list[Fault] = field(default_factory=list)
    _mutex: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, times: int, method: str | None, url: str | None, options: dict[str, Any]) -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; choose one of {', '.join(FAULTS)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._mutex:
            self._faults.append(Fault(kind, times, method, url, dict(options)))

    def take(self, method: str | None, url: str) -> Fault | None:
        """The first fault matching this request, counted as used once."""
        with self._mutex:
            for fault in self._faults:
                if fault.matches(method, url):
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
            return None

    def clear(self) -> None:
        with self._mutex:
            self._faults.clear()

    def pending(self) -> int:
        with self._mutex:
            return sum(f.times for f in self._faults)
