"""The ``get`` options: filter, fields, range, sortings, option."""

from __future__ import annotations

import re
from typing import Any, Callable

from .codes import INVALID_DATA, RpcError
from .schema import TableSpec, enum_value

Row = dict[str, Any]
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=", "like", "in", "contain")


def options_of(param: dict[str, Any]) -> list[str]:
    """``option`` may be a string or a list of strings."""
    option = param.get("option")
    if option is None:
        return []
    if isinstance(option, str):
        return [option]
    if isinstance(option, list) and all(isinstance(o, str) for o in option):
        return list(option)
    raise RpcError(INVALID_DATA)


def _same(left: Any, right: Any) -> bool:
    return bool(left == right or str(left) == str(right))


def _ordered(left: Any, right: Any, op: str) -> bool:
    try:
        a, b = float(left), float(right)
    except (TypeError, ValueError):
        a, b = str(left), str(right)  # type: ignore[assignment]
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _like(pattern: Any) -> re.Pattern[str]:
    """SQL ``like`` (``%`` any run, ``_`` one character, case-insensitive) as a compiled regular expression."""
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in str(pattern))
    return re.compile(regex, flags=re.IGNORECASE | re.DOTALL)


class _Operands:
    """The operands of ``==``/``!=``/``in``, matched as :func:`_same` would, by hashing rather than one by one.

    A filter ``["name", "in", <thousands of names>]`` is tested against every row of the table:
    comparing each row with each operand made such a read cost rows x operands.
    """

    def __init__(self, operands: list[Any]) -> None:
        self.texts = {str(o) for o in operands}
        self.values: set[Any] = set()
        self.unhashable: list[Any] = []
        for operand in operands:
            try:
                self.values.add(operand)
            except TypeError:
                self.unhashable.append(operand)

    def match(self, value: Any) -> bool:
        if str(value) in self.texts:
            return True
        try:
            if value in self.values:
                return True
        except TypeError:  # an unhashable value (a list or dict) equals no hashable operand
            pass
        return any(value == o for o in self.unhashable)


def _condition(spec: TableSpec | None, field: str, op: str, operands: list[Any]) -> Callable[[Row], bool]:
    if op not in COMPARISONS or not operands:
        raise RpcError(INVALID_DATA)
    operand = operands[0]
    wanted = _Operands(operands if op == "in" else [operand])
    like = _like(operand) if op == "like" else None

    def candidates(row: Row) -> list[Any]:
        value = row.get(field)
        values = value if isinstance(value, list) else [value]
        out = []
        for v in values:
            out.append(v)
            numeric = enum_value(spec, field, v)
            if numeric is not v:
                out.append(numeric)
        return out

    def check(row: Row) -> bool:
        if field not in row:
            return op == "!="
        values = candidates(row)
        if op in ("==", "in"):
            return any(wanted.match(v) for v in values)
        if op == "!=":
            return not any(wanted.match(v) for v in values)
        if like is not None:
            return any(like.fullmatch(str(v)) is not None for v in values)
        if op == "contain":
            if isinstance(row[field], list):
                return any(_same(v, operand) for v in values)
            return str(operand) in str(row[field])
        return any(_ordered(v, operand, op) for v in values if v is not None)

    return check


def keys_named(expr: Any, key: str) -> list[Any] | None:
    """The keys a filter limits its rows to (``[key, "==", x]``, ``[key, "in", ...]``, alone or and-ed), or None.

    Only text and whole-number keys: for those, matching a row's key as :func:`_same` does is
    matching its text, which is what a table's key index holds.
    """
    if not isinstance(expr, list) or not expr:
        return None
    if isinstance(expr[0], list):
        if any(joiner != "&&" for joiner in expr[1::2]):
            return None
        for operand in expr[0::2]:
            found = keys_named(operand, key)
            if found is not None:
                return found
        return None
    if len(expr) < 3 or expr[0] != key or expr[1] not in ("==", "in"):
        return None
    operands = list(expr[2:3] if expr[1] == "==" else expr[2:])
    if all(isinstance(o, str) or (isinstance(o, int) and not isinstance(o, bool)) for o in operands):
        return operands
    return None


def compile_filter(expr: Any, spec: TableSpec | None) -> Callable[[Row], bool]:
    """``["name","==","x"]``, ``["id","in",1,2]``, ``[[...],"&&",[...],"||",[...]]`` (&& binds tighter)."""
    if not isinstance(expr, list) or not expr:
        raise RpcError(INVALID_DATA)
    if isinstance(expr[0], list):
        if len(expr) % 2 == 0:
            raise RpcError(INVALID_DATA)
        groups: list[list[Callable[[Row], bool]]] = [[compile_filter(expr[0], spec)]]
        for joiner, operand in zip(expr[1::2], expr[2::2]):
            if joiner == "||":
                groups.append([])
            elif joiner != "&&":
                raise RpcError(INVALID_DATA)
            groups[-1].append(compile_filter(operand, spec))
        return lambda row: any(all(test(row) for test in group) for group in groups)
    if len(expr) == 2 and expr[0] == "!" and isinstance(expr[1], list):
        inner = compile_filter(expr[1], spec)
        return lambda row: not inner(row)
    if len(expr) < 3 or not isinstance(expr[0], str) or not isinstance(expr[1], str):
        raise RpcError(INVALID_DATA)
    return _condition(spec, expr[0], expr[1], list(expr[2:]))


def _sort_key(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value))


def _by(attr: str) -> Callable[[Row], Any]:
    return lambda row: _sort_key(row.get(attr))


def select(rows: list[Row], param: dict[str, Any], spec: TableSpec | None) -> list[Row]:
    """Apply filter, sortings and range to stored rows (before rendering)."""
    if "filter" in param and param["filter"] not in (None, []):
        test = compile_filter(param["filter"], spec)
        rows = [row for row in rows if test(row)]
    sortings = param.get("sortings")
    if sortings:
        if not isinstance(sortings, list) or not all(isinstance(s, dict) for s in sortings):
            raise RpcError(INVALID_DATA)
        rows = list(rows)
        for sorting in reversed(sortings):
            for attr, direction in sorting.items():
                rows.sort(key=_by(attr), reverse=direction == -1)
    window = param.get("range")
    if window is not None:
        if (
            not isinstance(window, list)
            or not 1 <= len(window) <= 2
            or not all(isinstance(n, int) and n >= 0 for n in window)
        ):
            raise RpcError(INVALID_DATA)
        start = window[0]
        rows = rows[start:] if len(window) == 1 else rows[start : start + window[1]]
    return rows


def pick_fields(row: Row, fields: Any) -> Row:
    """Keep only ``fields`` (plus ``oid``, which FortiManager always returns)."""
    if fields is None:
        return row
    if isinstance(fields, str):
        fields = [fields]
    if not isinstance(fields, list):
        raise RpcError(INVALID_DATA)
    flat = [f for item in fields for f in (item if isinstance(item, list) else [item])]
    wanted = {f for f in flat if isinstance(f, str)} | {"oid"}
    return {attr: value for attr, value in row.items() if attr in wanted}
