"""Large simulator tables are looked up through a key index; it must answer exactly as a scan would."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from pyfmg.testing import objects
from pyfmg.testing.codes import RpcError
from pyfmg.testing.objects import INDEXED_ROWS, Table, get_table, object_call, table_call
from pyfmg.testing.query import pick_fields, select
from pyfmg.testing.schema import TableSpec, render

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


def test_deletes_and_renames_keep_the_index_in_step_without_rebuilding_it() -> None:
    rows: list[dict[str, Any]] = []
    table_call("add", _table(rows), {"data": [{"name": f"h{i}"} for i in range(COUNT * 4)]}, False)
    _table(rows).index("h0")
    built = objects._key_indexes[id(rows)]
    for i in [*range(7, COUNT * 4, 3), 0, 1]:  # one param at a time, as a multi-param delete sends them
        object_call("delete", _table(rows), f"h{i}", {}, False)
    table_call("add", _table(rows), {"data": [{"name": "late1"}, {"name": "h7"}]}, False)
    object_call("update", _table(rows), "h2", {"data": {"name": "renamed2"}}, False)
    object_call("delete", _table(rows), "late1", {}, False)
    assert objects._key_indexes[id(rows)] is built  # no rebuild: a delete used to rescan the table
    _check(rows)
    assert [row["name"] for row in rows][:3] == ["renamed2", "h3", "h4"]


def test_a_delete_by_filter_removes_exactly_the_matching_rows() -> None:
    rows: list[dict[str, Any]] = []
    table_call("add", _table(rows), {"data": [{"name": f"h{i}", "color": i % 3} for i in range(COUNT)]}, False)
    table_call("delete", _table(rows), {"filter": ["color", "==", 1]}, False)
    assert [row["name"] for row in rows] == [f"h{i}" for i in range(COUNT) if i % 3 != 1]
    _check(rows)


POLICY = TableSpec(key="policyid", auto_key=True, enums={"action": {"deny": 0, "accept": 1}})
KEY_FILTERS = [
    ["name", "in", "h5", "h1", "h5", "absent", "h120"],
    ["name", "==", "h9"],
    ["name", "in", "absent"],
    [["name", "in", "h1", "h2", "h3"], "&&", ["color", "==", 2]],
    [["color", "==", 2], "&&", ["name", "in", "h1", "h2", "h3"]],
    [["name", "in", "h1", "h2"], "||", ["color", "==", 2]],
    ["!", ["name", "in", "h1", "h2"]],
    ["name", "in", 5, "h6"],
]
POLICY_FILTERS = [
    ["policyid", "in", 3, "4", 500, 3],
    ["policyid", "==", "7"],
    ["policyid", "in", 2.0, True],  # not text or whole numbers: matched by a scan, as 2 == 2.0 == True
    [["policyid", "in", 1, 2, 3], "&&", ["action", "==", "accept"]],
]


@pytest.mark.parametrize("flt", KEY_FILTERS)
def test_a_filter_on_the_key_answers_as_a_scan_would(flt: list[Any]) -> None:
    rows: list[dict[str, Any]] = []
    table_call("add", _table(rows), {"data": [{"name": f"h{i}", "color": i % 3} for i in range(COUNT)]}, False)
    object_call("move", _table(rows), "h2", {"option": "before", "target": "h1"}, False)  # order is the table's
    got = get_table(_table(rows), {"filter": flt}, False)
    assert got == [render(SPEC, row, False) for row in select(rows, {"filter": flt}, SPEC)]


@pytest.mark.parametrize("flt", POLICY_FILTERS)
def test_a_filter_on_a_numeric_key_answers_as_a_scan_would(flt: list[Any]) -> None:
    rows: list[dict[str, Any]] = []
    table = Table(rows, POLICY, itertools.count(1))
    table_call("add", table, {"data": [{"action": ("deny", "accept")[i % 2]} for i in range(COUNT)]}, False)
    got = get_table(table, {"filter": flt, "fields": ["policyid"]}, False)
    assert got == [
        pick_fields(render(POLICY, row, False), ["policyid"]) for row in select(rows, {"filter": flt}, POLICY)
    ]
    assert got, flt  # every case names rows that exist


def test_a_malformed_filter_on_the_key_is_refused_as_before() -> None:
    rows: list[dict[str, Any]] = []
    table_call("add", _table(rows), {"data": [{"name": f"h{i}"} for i in range(COUNT)]}, False)
    with pytest.raises(RpcError):
        get_table(_table(rows), {"filter": [["name", "in", "h1"], "&&", ["name", "~~", "x"]]}, False)


def test_auto_numbered_keys_follow_the_largest_key_through_deletes_and_renames() -> None:
    rows: list[dict[str, Any]] = []
    table = Table(rows, POLICY, itertools.count(1))
    table_call("add", table, {"data": [{"action": "accept"} for _ in range(COUNT)]}, False)
    assert [row["policyid"] for row in rows] == list(range(1, COUNT + 1))
    object_call("delete", table, str(COUNT), {}, False)  # the largest: its number is given again
    assert table_call("add", table, {"data": [{"action": "deny"}]}, False) == {"policyid": COUNT}
    object_call("update", table, "5", {"data": {"policyid": 1000}}, False)  # renumbered above the rest
    assert table_call("add", table, {"data": [{"action": "deny"}]}, False) == {"policyid": 1001}
    object_call("delete", table, "1001", {}, False)
    object_call("delete", table, "1000", {}, False)
    assert table_call("add", table, {"data": [{"action": "deny"}]}, False) == {"policyid": COUNT + 1}
    rows.append({"policyid": 5000})  # the store's own edits change the length
    assert table_call("add", table, {"data": [{"action": "deny"}]}, False) == {"policyid": 5001}
