"""Large simulator tables are looked up through a key index; it must answer exactly as a scan would."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from pyfmg.testing.codes import RpcError
from pyfmg.testing.objects import INDEXED_ROWS, Table, object_call, table_call
from pyfmg.testing.schema import TableSpec

SPEC = TableSpec(key="name")
COUNT = INDEXED_ROWS * 2


def _table(rows: list[dict[str, Any]]) -> Table:
    return Table(rows, SPEC, itertools.count(1))


def _scan(rows: list[dict[str, Any]], key: str) -> int | None:
    return next((n for n, row in enumerate(rows) if str(row.get("name")) == key), None)


def _check(rows: list[dict[str, Any]]) -> None:
    for key in [row["name"] for row in rows] + ["absent", "h-1"]:
        assert _table(rows).index(key) == _scan(rows, key), key


def test_index_agrees_with_a_scan_through_adds_deletes_moves_and_renames() -> None:
    rows: list[dict[str, Any]] = []
    table_call("add", _table(rows), {"data": [{"name": f"h{i}"} for i in range(COUNT)]}, False)
    _check(rows)
    with pytest.raises(RpcError):
        table_call("add", _table(rows), {"data": [{"name": "h5"}]}, False)

    table_call("delete", _table(rows), {"data": ["h3"]}, False)
    table_call("add", _table(rows), {"data": [{"name": "new1"}]}, False)  # same length as before
    _check(rows)
    assert _table(rows).index("h3") is None

    object_call("move", _table(rows), "h0", {"option": "after", "target": f"h{COUNT - 1}"}, False)
    _check(rows)

    object_call("update", _table(rows), "h7", {"data": {"name": "renamed7"}}, False)
    _check(rows)
    assert _table(rows).index("h7") is None and rows[_table(rows).index("renamed7")]["name"] == "renamed7"
    table_call("add", _table(rows), {"data": [{"name": "h7"}]}, False)  # the old name is free again
    _check(rows)

    rows.append({"name": "outside"})  # the store's own edits change the length or only the order
    _check(rows)
    moved = rows.pop(10)
    rows.insert(0, moved)
    _check(rows)
