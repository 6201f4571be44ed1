"""Methods on tables, objects and member lists (add/set/update/replace/delete/clone/move/unset/get)."""

from __future__ import annotations

import bisect
import copy
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from .codes import EXISTS, INVALID_COMMAND, INVALID_DATA, NOT_FOUND, RpcError
from .query import compile_filter, keys_named, options_of, pick_fields, select
from .schema import TableSpec, member_list, new_row, normalize, render, syntax

Row = dict[str, Any]


class NoData:
    """Marker: the reply carries no ``data`` key (lock, logout, delete...)."""


NO_DATA = NoData()


#: Tables at least this long are looked up through a key index: scanning made bulk adds quadratic.
INDEXED_ROWS = 64
#: How many tables keep an index (least recently used are dropped).
INDEX_CACHE_SIZE = 32


class KeyIndex:
    """Where each key of a table's row list is, kept in step with appends, deletes and renames.

    Positions are stored as they were when the index was built (appended rows continue that
    numbering); a delete only records the stored position it removed, and a lookup subtracts the
    number of removals before it.  So a delete costs a binary search, not a rebuild of the whole
    index: deleting a few thousand rows from a 20,000-row table one param at a time stays linear.
    """

    def __init__(self, rows: list[Row], key: str) -> None:
        self.rows = rows  # held, so that id(rows) stays unique while the index is cached
        self.key = key
        self.length = len(rows)
        self.stored: dict[str, int] = {}
        for position, row in enumerate(rows):
            self.stored.setdefault(str(row.get(key)), position)
        self.removed: list[int] = []  # stored positions deleted since the build, ascending
        self.highest: int | None = None  # the largest whole-number key, None until asked for

    def next_number(self) -> int:
        """One more than the largest whole-number key: what an auto-numbered table gives a new row."""
        if self.highest is None:
            numbers = (row[self.key] for row in self.rows if isinstance(row.get(self.key), int))
            self.highest = max(numbers, default=0)
        return self.highest + 1

    def _gained(self, key: Any) -> None:
        if self.highest is not None and isinstance(key, int) and key > self.highest:
            self.highest = key

    def _lost(self, key: Any) -> None:
        if self.highest is not None and isinstance(key, int) and key >= self.highest:
            self.highest = None  # found again when next asked for

    def current(self, stored: int) -> int:
        return stored - bisect.bisect_left(self.removed, stored)

    def position(self, target: str) -> int | None:
        stored = self.stored.get(target)
        return None if stored is None else self.current(stored)

    def appended(self, key: Any) -> None:
        self.stored.setdefault(str(key), self.length - 1 + len(self.removed))
        self._gained(key)

    def deleted(self, key: Any) -> None:
        stored = self.stored.pop(str(key), None)
        if stored is not None:
            bisect.insort(self.removed, stored)
        self._lost(key)

    def renamed(self, old_key: Any, new_key: Any) -> None:
        stored = self.stored.pop(str(old_key), None)
        if stored is not None:
            self.stored.setdefault(str(new_key), stored)
        self._lost(old_key)
        self._gained(new_key)


# id(rows) -> its KeyIndex, most recently used last.
_key_indexes: OrderedDict[int, KeyIndex] = OrderedDict()


class Table:
    """An ordered list of rows in the store, with its schema and the store's oid counter."""

    def __init__(self, rows: list[Row], spec: TableSpec, oids: Iterator[int], category: str = "") -> None:
        self.rows = rows
        self.spec = spec
        self.category = category  # FortiManager's name for the table: "firewall address"
        self._oids = oids

    def index(self, key: Any) -> int | None:
        """Position of the row whose key is ``key`` (compared as text), or None."""
        target = str(key)
        if len(self.rows) < INDEXED_ROWS:
            return self._scan(target)
        position = self._key_index().position(target)
        if position is None:
            # Rows are added, removed and renamed only in ways that change the length or go through
            # this class, so an index of the same length has every current key.
            return None
        if position < len(self.rows) and str(self.rows[position].get(self.spec.key)) == target:
            return position
        return self._key_index(rebuild=True).position(target)  # rows were moved

    def _scan(self, target: str) -> int | None:
        for position, row in enumerate(self.rows):
            if str(row.get(self.spec.key)) == target:
                return position
        return None

    def _key_index(self, rebuild: bool = False) -> KeyIndex:
        entry = _key_indexes.get(id(self.rows))
        if rebuild or entry is None or entry.rows is not self.rows or entry.length != len(self.rows):
            entry = KeyIndex(self.rows, self.spec.key)
            _key_indexes[id(self.rows)] = entry
            while len(_key_indexes) > INDEX_CACHE_SIZE:
                _key_indexes.popitem(last=False)
        _key_indexes.move_to_end(id(self.rows))
        return entry

    def _kept_index(self, length_before: int) -> KeyIndex | None:
        """This table's index if it was in step before the change that made the length what it is now."""
        entry = _key_indexes.get(id(self.rows))
        if entry is None or entry.rows is not self.rows or entry.length != length_before:
            return None
        entry.length = len(self.rows)
        return entry

    def remove(self, row: Row) -> None:
        """Take ``row`` (this very object) out of the table."""
        position = self.index(row.get(self.spec.key))
        if position is None or self.rows[position] is not row:
            position = next(n for n, candidate in enumerate(self.rows) if candidate is row)
        del self.rows[position]
        entry = self._kept_index(len(self.rows) + 1)
        if entry is not None:
            entry.deleted(row.get(self.spec.key))

    def remove_many(self, doomed: list[Row]) -> None:
        """Take several rows out at once (one pass; the index is rebuilt when next needed)."""
        gone = {id(row) for row in doomed}
        self.rows[:] = [row for row in self.rows if id(row) not in gone]

    def row(self, key: Any) -> Row:
        position = self.index(key)
        if position is None:
            raise RpcError(NOT_FOUND)
        return self.rows[position]

    def key_only(self, row: Row) -> dict[str, Any]:
        return {self.spec.key: row[self.spec.key]}

    def _next_key(self) -> int:
        if len(self.rows) >= INDEXED_ROWS:
            return self._key_index().next_number()
        numbers = [row[self.spec.key] for row in self.rows if isinstance(row.get(self.spec.key), int)]
        return max(numbers, default=0) + 1

    def _checked_key(self, value: Any) -> Any:
        if self.spec.auto_key:
            try:
                return int(value)
            except (TypeError, ValueError):
                raise RpcError(INVALID_DATA) from None
        if not isinstance(value, str) or not value:
            raise RpcError(INVALID_DATA)
        return value

    def _fill(self, row: Row, data: Row) -> None:
        """Merge normalised ``data`` into ``row``; child tables given in ``data`` are rebuilt."""
        data = dict(data)
        unset = data.pop("unset attrs", None)
        clean = normalize(self.spec, data)
        clean.pop(self.spec.key, None)
        for attr, child_spec in self.spec.child_tables.items():
            if attr in clean:
                child = Table([], child_spec, self._oids)
                for item in clean.pop(attr):
                    child.create(item)
                row[attr] = child.rows
        for attr in self.spec.sub_objects:
            if attr in clean:
                row[attr] = {**row.get(attr, {}), **clean.pop(attr)}
        row.update(clean)
        if unset is not None:
            self.unset_attrs(row, unset)

    def unset_attrs(self, row: Row, attrs: Any) -> None:
        if isinstance(attrs, str):
            attrs = [attrs]
        if not isinstance(attrs, list):
            raise RpcError(INVALID_DATA)
        defaults = new_row(self.spec)
        for attr in attrs:
            if attr == self.spec.key:
                raise RpcError(INVALID_DATA)
            if attr in self.spec.child_tables:
                row[attr] = []
            elif attr in defaults:
                row[attr] = defaults[attr]
            else:
                row.pop(attr, None)

    def create(self, data: Row, key: Any = None) -> Row:
        if not isinstance(data, dict):
            raise RpcError(INVALID_DATA)
        if key is None:
            key = data.get(self.spec.key)
        if key is None:
            if not self.spec.auto_key:
                raise RpcError(INVALID_DATA)
            key = self._next_key()
        key = self._checked_key(key)
        if self.index(key) is not None:
            raise RpcError(EXISTS)
        row: Row = {self.spec.key: key, "oid": next(self._oids)}
        row.update(new_row(self.spec))
        for attr in self.spec.child_tables:
            row.setdefault(attr, [])
        self._fill(row, data)
        self.rows.append(row)
        entry = self._kept_index(len(self.rows) - 1)
        if entry is not None:
            entry.appended(key)
        return row

    def overwrite(self, row: Row, data: Row, full: bool) -> None:
        """``update``/``set`` merge given attributes; ``replace`` (full) resets the rest."""
        if full:
            keep = {self.spec.key: row[self.spec.key], "oid": row["oid"]}
            row.clear()
            row.update(keep)
            row.update(new_row(self.spec))
            for attr in self.spec.child_tables:
                row[attr] = []
        self._fill(row, data)

    def rename(self, row: Row, data: Row) -> None:
        if self.spec.key not in data or str(data[self.spec.key]) == str(row[self.spec.key]):
            return
        new_key = self._checked_key(data[self.spec.key])
        if self.index(new_key) is not None:
            raise RpcError(EXISTS)
        old_key = row[self.spec.key]
        row[self.spec.key] = new_key
        entry = self._kept_index(len(self.rows))
        if entry is not None:
            entry.renamed(old_key, new_key)


def _items(param: Row) -> list[Row]:
    data = param.get("data")
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        raise RpcError(INVALID_DATA)
    return [item for item in items if isinstance(item, dict)]


def _render_rows(table: Table, rows: list[Row], param: Row, verbose: bool) -> list[Row]:
    loadsub = param.get("loadsub", 1) not in (0, "0", False) and "no loadsub" not in options_of(param)
    return [pick_fields(render(table.spec, row, verbose, loadsub), param.get("fields")) for row in rows]


def _selected(table: Table, param: Row) -> list[Row]:
    """``select`` over the table; a filter on the key looks its rows up in the key index instead of scanning."""
    rows = table.rows
    expr = param.get("filter")
    if expr and len(rows) >= INDEXED_ROWS and table.spec.key not in table.spec.enums:
        keys = keys_named(expr, table.spec.key)
        if keys is not None:
            compile_filter(expr, table.spec)  # a malformed filter is refused as a scan would refuse it
            found = (table.index(key) for key in keys)
            rows = [rows[position] for position in sorted({p for p in found if p is not None})]
    return select(rows, param, table.spec)


def get_table(table: Table, param: Row, verbose: bool) -> Any:
    options = options_of(param)
    if "syntax" in options:
        return {table.category: syntax(table.spec)}
    rows = _selected(table, param)
    if "count" in options:
        return len(rows)
    return _render_rows(table, rows, param, verbose)


def table_call(method: str, table: Table, param: Row, verbose: bool) -> Any:
    if method == "get":
        return get_table(table, param, verbose)
    if method == "delete":
        if "filter" in param:
            doomed = _selected(table, {"filter": param["filter"]})
        elif param.get("confirm") == 1:
            doomed = list(table.rows)
        elif isinstance(param.get("data"), list):
            doomed = [table.row(key) for key in param["data"]]
        else:
            raise RpcError(INVALID_DATA)
        table.remove_many(doomed)
        return NO_DATA
    if method not in ("add", "set", "update", "replace"):
        raise RpcError(INVALID_COMMAND)
    last: Row = {}
    for item in _items(param):
        position = table.index(item[table.spec.key]) if table.spec.key in item else None
        if method == "add" or (position is None and method in ("set", "replace")):
            row = table.create(item)
        elif position is None:
            raise RpcError(NOT_FOUND)
        else:
            row = table.rows[position]
            table.overwrite(row, item, full=method == "replace")
        last = table.key_only(row)
    return last


def object_call(method: str, table: Table, key: str, param: Row, verbose: bool) -> Any:
    if method == "get":
        row = table.row(key)
        return _render_rows(table, [row], param, verbose)[0]
    if method == "add":
        if table.index(key) is not None:
            raise RpcError(EXISTS)
        return table.key_only(table.create(_items(param)[0], key))
    if method == "delete":
        table.remove(table.row(key))
        return NO_DATA
    if method in ("set", "update", "replace"):
        position = table.index(key)
        if position is None:
            if method != "set":
                raise RpcError(NOT_FOUND)
            return table.key_only(table.create(_items(param)[0], key))
        data = _items(param)[0]
        row = table.rows[position]
        table.rename(row, data)
        table.overwrite(row, data, full=method == "replace")
        return table.key_only(row)
    if method == "clone":
        return _clone(table, table.row(key), param)
    if method == "move":
        return _move(table, table.row(key), param)
    if method == "unset":
        row = table.row(key)
        given = param.get("data")
        attrs = given.get("unset attrs") if isinstance(given, dict) else given
        table.unset_attrs(row, attrs if attrs is not None else param.get("unset attrs"))
        return table.key_only(row)
    raise RpcError(INVALID_COMMAND)


def _clone(table: Table, source: Row, param: Row) -> Any:
    data: Any = param.get("data") or {}
    if not isinstance(data, dict):
        raise RpcError(INVALID_DATA)
    new_key = data.get(table.spec.key)
    if new_key is None and not table.spec.auto_key:
        raise RpcError(INVALID_DATA)
    template = {k: copy.deepcopy(v) for k, v in source.items() if k not in (table.spec.key, "oid")}
    for attr in table.spec.child_tables:
        template[attr] = [{k: v for k, v in r.items() if k != "oid"} for r in template.get(attr, [])]
    template.update(data)
    template.pop(table.spec.key, None)
    return table.key_only(table.create(template, new_key))


def _move(table: Table, row: Row, param: Row) -> Any:
    # pyFMG 0.8.6 sends option/target inside data; Ansible and Terraform send them at param level.
    data: Row = param["data"] if isinstance(param.get("data"), dict) else {}
    option = param.get("option", data.get("option"))
    target = param.get("target", data.get("target"))
    if option not in ("before", "after") or target is None:
        raise RpcError(INVALID_DATA)
    anchor = table.row(target)
    if anchor is row:
        return table.key_only(row)
    table.rows.remove(row)
    position = table.rows.index(anchor)
    table.rows.insert(position if option == "before" else position + 1, row)
    return table.key_only(row)


def member_call(method: str, table: Table, key: str, attr: str, param: Row) -> Any:
    row = table.row(key)
    current: list[str] = row.setdefault(attr, [])
    if method == "get":
        return list(current)
    if method == "unset":
        row[attr] = []
        return NO_DATA
    if method not in ("add", "delete", "set", "update"):
        raise RpcError(INVALID_COMMAND)
    names = member_list(param.get("data"))
    if method == "add":
        row[attr] = current + [n for n in names if n not in current]
    elif method == "delete":
        if any(n not in current for n in names):
            raise RpcError(NOT_FOUND)
        row[attr] = [n for n in current if n not in names]
    else:
        row[attr] = list(dict.fromkeys(names))
    return NO_DATA
