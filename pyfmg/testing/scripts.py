"""CLI scripts: running a script's ``config``/``edit``/``set`` lines on the ADOM database, and its logs.

Only what a test of script automation needs: scripts that target the ADOM database change the
object tables the simulator knows (``config firewall address`` ...); scripts for a device
database or a remote device change nothing and only leave a log. Logs are numbered as
FortiManager numbers them: ``<task id>1`` for a run on the database, ``<task id>0`` per device.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass
from typing import Any, Callable

from .codes import RpcError
from .objects import Table
from .schema import OBJECT_TABLES

Tables = Callable[[str], Table]  # table path ("firewall/address") -> the ADOM's table


@dataclass
class ScriptLog:
    log_id: int
    task_id: int
    script_name: str
    device: str  # "" for a run on the ADOM database
    content: str
    exec_time: str

    def render(self, with_content: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"exec_time": self.exec_time, "log_id": self.log_id, "script_name": self.script_name}
        if with_content:
            out["content"] = self.content
        return out


def log_time(epoch: float) -> str:
    return time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(epoch))


class ScriptError(Exception):
    """A script line FortiManager would refuse; the run stops there and its task line fails."""


def _value(table: Table, attr: str, words: list[str]) -> Any:
    if attr in table.spec.subnet_attrs:
        return " ".join(words)
    if attr in table.spec.member_attrs or len(words) > 1:
        return words
    return words[0] if words else ""


def run_on_database(content: str, tables: Tables) -> list[str]:
    """Apply ``config``/``edit``/``set``/``unset``/``delete``/``next``/``end`` lines; return the echo."""
    echo: list[str] = []
    table: Table | None = None
    row: dict[str, Any] | None = None
    for number, raw in enumerate(content.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            words = shlex.split(line)
        except ValueError:
            raise ScriptError(f"line {number}: unbalanced quotes") from None
        verb, args = words[0], words[1:]
        echo.append(" " + line)
        try:
            if verb == "config":
                path = "/".join(args)
                if path not in OBJECT_TABLES:
                    raise ScriptError(f"line {number}: command parse error: config {' '.join(args)}")
                table, row = tables(path), None
            elif table is None:
                raise ScriptError(f"line {number}: '{verb}' outside 'config'")
            elif verb == "edit" and args:
                position = table.index(args[0])
                row = table.rows[position] if position is not None else table.create({table.spec.key: args[0]})
            elif verb == "set" and row is not None and args:
                table.overwrite(row, {args[0]: _value(table, args[0], args[1:])}, full=False)
            elif verb == "unset" and row is not None and args:
                table.unset_attrs(row, [args[0]])
            elif verb == "delete" and args:
                table.remove(table.row(args[0]))
            elif verb == "next":
                row = None
            elif verb == "end":
                table, row = None, None
            else:
                raise ScriptError(f"line {number}: command parse error: {line}")
        except RpcError as error:
            raise ScriptError(f"line {number}: {error.message} ({error.code})") from None
    return echo
