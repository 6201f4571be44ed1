"""How results are printed: JSON (indented), JSON lines, or a table for people."""

from __future__ import annotations

import json
from typing import Any, TextIO

MAX_CELL = 60


def default_format(stream: TextIO) -> str:
    """A table for a person at a terminal, JSON for a pipe or a file."""
    return "table" if getattr(stream, "isatty", lambda: False)() else "json"


def emit(data: Any, out: TextIO, fmt: str = "json") -> None:
    if fmt == "jsonl":
        rows = data if isinstance(data, list) else [data]
        out.writelines(json.dumps(row, separators=(",", ":"), default=str) + "\n" for row in rows)
    elif fmt == "table":
        out.write(table(data))
    else:
        out.write(json.dumps(data, indent=2, default=str) + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and all(not isinstance(item, (dict, list)) for item in value):
        text = " ".join(str(item) for item in value)
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, separators=(",", ":"), default=str)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _grid(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    lines = [header, ["-" * width for width in widths], *rows]
    return "".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() + "\n" for line in lines)


def table(data: Any) -> str:
    """A list of objects as rows and columns, one object as name/value lines, anything else as text."""
    if isinstance(data, list) and data and all(isinstance(row, dict) for row in data):
        columns: dict[str, None] = {}
        for row in data:
            columns.update(dict.fromkeys(row))
        header = list(columns)
        return _grid(header, [[_cell(row.get(key)) for key in header] for row in data])
    if isinstance(data, dict) and data:
        return _grid(["name", "value"], [[str(key), _cell(value)] for key, value in data.items()])
    if isinstance(data, list):
        return "".join(_cell(item) + "\n" for item in data) if data else "(none)\n"
    return ("(none)" if data is None else _cell(data) if not isinstance(data, str) else data) + "\n"
