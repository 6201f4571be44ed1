"""Cassettes: a session with a real FortiManager, written down so that tests can replay it offline.

A cassette is a JSON-lines file. The first line names the format; every other line is one
exchange, ``{"request": <JSON-RPC request>, "reply": <JSON-RPC reply>}``, in the order they
happened. Both go through the client's :class:`~pyfmg.logs.Redactor` first, the one its logs
use: passwords, API keys and session ids never reach the file. Logins are not written (the
simulator answers them itself when it replays).

Record from Python::

    fmg = FortiManager(host, user, password, record="session.jsonl")   # the whole life of the client
    with pyfmg.recording(fmg, "session.jsonl"):                         # or part of it
        ...

and replay or seed with ``FMGSimulator(replay="session.jsonl")`` / ``FMGSimulator(seed=...)``
(docs/simulator.rst, "Record and replay").
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from typing import Any, Union

from .exceptions import FMGValueError
from .logs import Redactor

PathLike = Union[str, "os.PathLike[str]"]
FORMAT = "pyfmg-cassette"
VERSION = 1


class CassetteWriter:
    """Appends redacted exchanges to a cassette file (created, or emptied, when the writer is made)."""

    def __init__(self, path: PathLike, redactor: Redactor) -> None:
        self.path = os.fspath(path)
        self._redactor = redactor
        self._lock = threading.Lock()
        try:
            with open(self.path, "w", encoding="utf-8") as handle:
                handle.write(json.dumps({"format": FORMAT, "version": VERSION}) + "\n")
        except OSError as err:
            raise FMGValueError(f"cannot write the cassette {self.path}: {err.strerror or err}") from None

    def exchange(self, request: Any, reply: Any) -> None:
        redact = self._redactor.data
        line = json.dumps({"request": redact(request), "reply": redact(reply)})
        with self._lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


@contextlib.contextmanager
def recording(fmg: Any, path: PathLike) -> Iterator[CassetteWriter]:
    """Record the calls a ``FortiManager`` makes inside the block into the cassette at ``path``."""
    writer = CassetteWriter(path, fmg._redactor)
    previous = fmg._cassette
    fmg._cassette = writer
    try:
        yield writer
    finally:
        fmg._cassette = previous


def read_cassette(path: PathLike) -> list[dict[str, Any]]:
    """The exchanges of a cassette, oldest first; a clear error for a file that is not one."""
    where = os.fspath(path)
    exchanges: list[dict[str, Any]] = []
    try:
        with open(where, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as err:
        raise FMGValueError(f"cannot read the cassette {where}: {err.strerror or err}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            raise FMGValueError(f"{where}, line {number}: not JSON") from None
        if number == 1 and isinstance(entry, dict) and entry.get("format") == FORMAT:
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("request"), dict) or "reply" not in entry:
            raise FMGValueError(f"{where}, line {number}: not an exchange ({{'request': ..., 'reply': ...}})")
        exchanges.append(entry)
    return exchanges
