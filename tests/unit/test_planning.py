"""The planner: bad input refused before any request, reads sized by counts, writes in ordered phases."""

from __future__ import annotations

import math
import types
from typing import Any

import pytest

from pyfmg import (
    ConvergeResult,
    FMGConvergeError,
    FMGInvalidResponse,
    FMGLockScopeError,
    FMGObjectStatusError,
    FMGValidationError,
    FMGValueError,
    FortiManager,
    ObjectResult,
    planning,
    tableread,
    wanted,
)
from pyfmg.planning import Channel, Want

from .fakefmg import FakeFMG

ADDR = "pm/config/adom/root/obj/firewall/address"
POLICY = "pm/config/adom/root/pkg/default/firewall/policy"


class TableChannel:
    """One table in memory behind a planning Channel: answers get (row, filter ``in``, fields, range,
    count, syntax), add, update and delete, and records every request as ``(method, params)``."""

    def __init__(self, rows: list[dict[str, Any]] | None = None, key: str = "name") -> None:
        self.rows = {str(row[key]): dict(row) for row in rows or []}
        self.key = key
        self.requests: list[tuple[str, list[dict[str, Any]]]] = []

    def channel(self, max_workers: int = 10) -> Channel:
        return Channel(self.send, None, max_workers)

    def send(self, method: str, params: list[dict[str, Any]]) -> tuple[int, Any]:
        self.requests.append((method, params))
        return 200, [self._one(method, param) for param in params]

    def _one(self, method: str, param: dict[str, Any]) -> dict[str, Any]:
        url = param["url"]
        table = url in (ADDR, POLICY)
        name = None if table else url.rsplit("/", 1)[-1]
        if method == "get" and table:
            if param.get("option") == "count":
                return _ok(len(self.rows))
            if param.get("option") == "syntax":
                attributes = {"policyid": {"type": "uint32"}, "action": {"opts": {"deny": 0, "accept": 1}}}
                return _ok({"firewall policy": {"attr": attributes}})
            rows = list(self.rows.values())
            if "filter" in param:
                names = {str(v) for v in param["filter"][2:]}
                rows = [row for row in rows if str(row[self.key]) in names]
            if "range" in param:
                start, count = param["range"]
                rows = rows[start : start + count]
            if "fields" in param:
                rows = [{k: v for k, v in row.items() if k in param["fields"]} for row in rows]
            return _ok(rows)
        if method == "get":
            return _ok(self.rows[name]) if name in self.rows else _status(-3)
        if method == "add":
            data = param["data"]
            if str(data[self.key]) in self.rows:
                return _status(-2)
            self.rows[str(data[self.key])] = dict(data)
            return _ok({self.key: data[self.key]})
        if name not in self.rows:
            return _status(-3)
        if method == "update":
            self.rows[name].update(param["data"])
            return _ok({self.key: name})
        del self.rows[name]
        return _status(0)

    def methods(self) -> list[tuple[str, int]]:
        return [(method, len(params)) for method, params in self.requests]


def _ok(data: Any) -> dict[str, Any]:
    return {"status": {"code": 0, "message": "OK"}, "data": data}


def _status(code: int) -> dict[str, Any]:
    return {
        "status": {"code": code, "message": {-2: "Object already exists", -3: "Object does not exist"}.get(code, "")}
    }


def _deep(depth: int = 5000) -> list[Any]:
    """A list nested ``depth`` deep: its repr() raises RecursionError."""
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _hosts(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"name": f"h{i}", "subnet": f"10.0.{i // 250}.{i % 250}/32"} for i in range(start, start + count)]


# --- bad input: one FMGValueError naming the object, before any request ---------------------------
@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"objects": [{"name": "a"}, {"subnet": "10.0.0.1/32"}]}, ["objects[1]", "'name'"]),
        ({"objects": [{"name": "a"}, {"name": "a"}]}, ["objects[0]", "objects[1]", "'a'"]),
        ({"objects": [{"policyid": 3}], "absent": ["3"], "key": "policyid"}, ["objects[0]", "absent[0]"]),
        ({"objects": [{"name": "a"}, ["name", "b"]]}, ["objects[1]", "dict", "list"]),
        ({"objects": [{"name": "a", "member": {"x", "y"}}]}, ["objects[0]", "'a'", "'member'", "set"]),
        ({"objects": [{"name": "a", "weight": float("nan")}]}, ["objects[0]", "'weight'"]),
        ({"objects": [{"name": ["a"]}]}, ["objects[0]", "non-empty string or an integer"]),
        ({"objects": [{"name": True}]}, ["objects[0]"]),
        ({"objects": {"name": "a"}}, ["[obj]"]),
        ({"objects": "a"}, ["list of dicts"]),
        ({"absent": "old-host"}, ["absent must be a list"]),
        ({"absent": [None]}, ["absent[0]"]),
        ({"objects": [{"name": "a"}], "key": ""}, ["key must name"]),
        ({"url": 42}, ["table URL", "42"]),
        ({"url": " / "}, ["table URL"]),
        ({"objects": [{"name": "a"}], "chunk_size": 0}, ["chunk_size"]),
        ({"objects": [{"name": "a"}], "workers": 11}, ["workers=11", "pool_size"]),
        ({"objects": [{"name": "a"}], "progress": "yes"}, ["progress"]),
        ({"objects": [{"name": "a"}], "wait": "5"}, ["wait"]),
        # Values whose repr() or str() raises are quoted cut short, never re-raised as they are.
        ({"url": _deep()}, ["table URL", "[[[["]),
        ({"objects": [{"name": "a"}], "key": _deep()}, ["key must name"]),
        ({"absent": [_deep()]}, ["absent[0]", "non-empty string or an integer"]),
        ({"absent": _deep()}, ["absent[0]"]),
        ({"objects": [{"name": _deep()}]}, ["objects[0]", "[[[["]),
        ({"objects": [{"name": "a"}], "wait": _deep()}, ["wait"]),
        ({"objects": [{"name": "a"}], "progress": _deep()}, ["progress"]),
        # An integer key FortiManager cannot hold (its numeric keys are uint32), however long.
        ({"objects": [{"policyid": 10**5000}], "key": "policyid"}, ["objects[0]", "integer from 0 to"]),
        ({"absent": [2**63]}, ["absent[0]", "integer from 0 to"]),
        ({"absent": [-1]}, ["absent[0]", "integer from 0 to", "-1"]),
    ],
)
def test_bad_input_is_refused_before_any_request(
    fmg: FortiManager, fake: FakeFMG, kwargs: dict[str, Any], words: list[str]
) -> None:
    url = kwargs.pop("url", ADDR)
    with pytest.raises(FMGValueError) as caught:
        fmg.converge(url, **kwargs)
    for word in words:
        assert word in str(caught.value)
    assert fake.bodies == []


def test_attributes_that_are_json_one_by_one_but_not_together_raise_fmg_value_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def dumps(value: Any, **_kwargs: Any) -> str:
        if isinstance(value, dict) and len(value) > 1:
            raise RecursionError("maximum recursion depth exceeded")
        return "{}"

    monkeypatch.setattr(wanted, "json", types.SimpleNamespace(dumps=dumps))
    with pytest.raises(FMGValueError, match=r"objects\[0\] \(name 'a'\): the attributes cannot be sent as JSON"):
        planning.wants_from([{"name": "a", "comment": "x"}], (), "name")


def test_an_object_given_as_a_read_only_mapping_is_written_as_a_dict() -> None:
    table = TableChannel()
    result = planning.converge(table.channel(), ADDR, [types.MappingProxyType({"name": "h1", "comment": "x"})])
    assert result[0].status == "created"
    assert table.requests[-1] == ("add", [{"url": ADDR, "data": {"name": "h1", "comment": "x"}}])


def test_secrets_in_attributes_never_reach_the_message(fmg: FortiManager, fake: FakeFMG) -> None:
    with pytest.raises(FMGValueError) as caught:
        fmg.converge("pm/config/adom/root/obj/user/local", [{"name": "u", "passwd": b"hunter2-secret"}])
    assert "'passwd'" in str(caught.value) and "hunter2" not in str(caught.value)
    assert fake.bodies == []


def test_workspace_mode_refuses_a_url_without_a_lock_and_commit_false_without_a_held_lock(
    fmg: FortiManager, fake: FakeFMG
) -> None:
    fmg._workspace.uses_workspace = True
    with pytest.raises(FMGLockScopeError):
        fmg.converge("nowhere/table", [{"name": "a"}])
    with pytest.raises(FMGValueError, match="commit=False"):
        fmg.converge(ADDR, [{"name": "a"}], commit=False)
    assert fake.bodies == []


def test_an_empty_job_sends_nothing(fmg: FortiManager, fake: FakeFMG) -> None:
    result = fmg.converge(ADDR, [], absent=[])
    assert (len(result), result.ok, result.changed) == (0, True, False)
    assert fake.bodies == []


# --- reading: the fewest requests the counts allow -------------------------------------------------
def test_one_key_reads_its_row() -> None:
    table = TableChannel(_hosts(3))
    planning.converge(table.channel(), ADDR, [{"name": "h1", "subnet": "10.0.0.1/32"}])
    assert table.requests == [("get", [{"url": f"{ADDR}/h1"}])]


def test_keys_that_fit_one_filter_are_read_in_one_request_with_fields() -> None:
    table = TableChannel(_hosts(5))
    wanted = [{"name": "h1", "subnet": "10.0.0.1/32"}, {"name": "new", "comment": "c"}]
    result = planning.converge(table.channel(), ADDR, wanted, absent=["h3", "gone"])
    (method, params), *_writes = table.requests
    assert (method, params) == (
        "get",
        [{"url": ADDR, "filter": ["name", "in", "h1", "new", "h3", "gone"], "fields": ["name", "subnet", "comment"]}],
    )
    assert [item.status for item in result] == ["unchanged", "created", "deleted", "unchanged"]


def test_many_keys_in_a_small_table_take_one_read_of_count_and_first_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tableread, "FILTER_BYTES", 40)  # a handful of keys per filter
    table = TableChannel(_hosts(30))
    planning.converge(table.channel(), ADDR, _hosts(20, start=10), check_mode=True)
    assert table.requests == [
        ("get", [{"url": ADDR, "option": "count"}, {"url": ADDR, "fields": ["name", "subnet"], "range": [0, 10_000]}])
    ]


def test_a_large_table_is_paged_when_that_takes_fewer_requests_than_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tableread, "FILTER_BYTES", 40)
    monkeypatch.setattr(tableread, "PAGE_ROWS", 10)
    table = TableChannel(_hosts(35))
    result = planning.converge(table.channel(), ADDR, _hosts(30), check_mode=True)
    assert [item.status for item in result] == ["unchanged"] * 30
    ranges = [param.get("range") for _, params in table.requests for param in params if "range" in param]
    assert ranges == [[0, 10], [10, 10], [20, 10], [30, 10]]
    assert len(table.requests) == 1  # the count and as many pages as 30 keys could fill, plus one


def test_a_result_without_a_status_is_quoted_cut_short() -> None:
    with pytest.raises(FMGInvalidResponse, match="a result without a status code: \\[\\[\\[") as caught:
        tableread.exchange(lambda method, params: (200, [_deep()]), "get", [{"url": ADDR}])
    assert len(str(caught.value)) < 400


def test_a_table_larger_than_the_first_read_is_paged_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tableread, "FILTER_BYTES", 24)  # four keys a filter: four filters for fifteen keys
    monkeypatch.setattr(tableread, "PAGE_ROWS", 10)
    table = TableChannel(_hosts(45))
    result = planning.converge(table.channel(), ADDR, _hosts(15, start=30), check_mode=True)
    assert [item.status for item in result] == ["unchanged"] * 15
    first, *rest = [[param.get("range") for param in params] for _, params in table.requests]
    assert first == [None, [0, 10], [10, 10]]  # the count, then two pages
    assert sorted(page for pages in rest for page in pages) == [[20, 10], [30, 10], [40, 10]]
    assert not any("filter" in param for _, params in table.requests for param in params)


def test_a_huge_table_is_filtered_for_the_keys_not_yet_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tableread, "FILTER_BYTES", 40)
    monkeypatch.setattr(tableread, "PAGE_ROWS", 10)
    table = TableChannel(_hosts(500))
    wanted = _hosts(5) + _hosts(10, start=400)  # five on the first page, ten far down the table
    result = planning.converge(table.channel(), ADDR, wanted, check_mode=True)
    assert [item.status for item in result] == ["unchanged"] * 15
    filtered = [param["filter"][2:] for _, params in table.requests for param in params if "filter" in param]
    assert sorted(name for chunk in filtered for name in chunk) == sorted(f"h{i}" for i in range(400, 410))
    assert len(table.requests) == 1 + math.ceil(10 * len('"h400",') / 40)


def test_an_unknown_table_raises_naming_it_before_any_write(fmg: FortiManager, fake: FakeFMG) -> None:
    def refuse(method: str, params: list[Any], body: dict[str, Any]) -> Any:
        if method == "get":
            return {"result": [{"status": {"code": -6, "message": "Invalid url"}, "url": p["url"]} for p in params]}
        return None

    fake.on(refuse)
    url = "pm/config/adom/root/obj/firewall/adress"
    with pytest.raises(FMGObjectStatusError) as caught:
        fmg.converge(url, [{"name": "a"}, {"name": "b"}])
    assert caught.value.code == -6 and caught.value.url == url and "knows no table" in str(caught.value)
    assert [body["method"] for body in fake.bodies] == ["get"]


# --- comparing and writing -------------------------------------------------------------------------
def test_enum_choices_are_read_once_for_all_objects() -> None:
    rows = [{"policyid": n, "action": "accept", "name": f"p{n}"} for n in range(1, 6)]
    table = TableChannel(rows, key="policyid")
    wanted = [{"policyid": n, "action": 1, "name": f"p{n}"} for n in range(1, 6)]
    result = planning.converge(table.channel(), POLICY, wanted, key="policyid")
    assert [item.status for item in result] == ["unchanged"] * 5
    assert [params[0].get("option") for _, params in table.requests] == [None, "syntax"]


def test_validate_without_a_clients_cache_asks_the_syntax_with_the_row_and_checks_before_writing() -> None:
    table = TableChannel([{"policyid": 1, "action": "accept"}], key="policyid")
    with pytest.raises(FMGValidationError) as caught:
        planning.converge(table.channel(), POLICY, [{"policyid": 1, "action": "allow"}], key="policyid", validate=True)
    assert caught.value.problems == ["1: attribute 'action': 'allow' is not allowed; allowed: deny (0), accept (1)"]
    assert table.requests == [("get", [{"url": POLICY, "option": "syntax"}, {"url": f"{POLICY}/1"}])]
    # A number meeting the name read back is compared with the choices the same request brought.
    table.requests.clear()
    result = planning.converge(table.channel(), POLICY, [{"policyid": 1, "action": 1}], key="policyid", validate=True)
    assert result[0].status == "unchanged" and len(table.requests) == 1


def test_writes_go_in_chunks_creates_then_updates_then_deletes_with_only_what_differs() -> None:
    table = TableChannel(_hosts(6))
    wanted = [{"name": "h0", "subnet": "10.0.0.0/32", "comment": "new"}, *_hosts(5, start=100)]
    result = planning.converge(table.channel(), ADDR, wanted, absent=["h4", "h5"], chunk_size=2, workers=1)
    assert table.methods() == [("get", 1), ("add", 2), ("add", 2), ("add", 1), ("update", 1), ("delete", 2)]
    updates = [params for method, params in table.requests if method == "update"]
    assert updates == [[{"url": f"{ADDR}/h0", "data": {"comment": "new"}}]]
    deletes = [param["url"] for method, params in table.requests if method == "delete" for param in params]
    assert deletes == [f"{ADDR}/h4", f"{ADDR}/h5"]
    assert result.summary.created == 5 and result.summary.updated == 1 and result.summary.deleted == 2
    assert result[0].changed_attributes == ("comment",)
    assert "comment" not in result[0].before and result[0].after["comment"] == "new"


def test_check_mode_reads_and_reports_what_would_change() -> None:
    table = TableChannel(_hosts(3))
    result = planning.converge(table.channel(), ADDR, [{"name": "h1", "comment": "x"}, *_hosts(1, 50)], check_mode=True)
    assert [method for method, _ in table.requests] == ["get"]
    assert [(item.status, item.action) for item in result] == [("planned", "update"), ("planned", "create")]
    assert result.check_mode and result.changed and result.ok
    assert "check mode" in repr(result)


def test_progress_counts_planned_then_written_objects() -> None:
    table = TableChannel(_hosts(3))
    seen: list[tuple[int, int]] = []
    planning.converge(
        table.channel(), ADDR, _hosts(10), chunk_size=3, workers=1, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(3, 10), (6, 10), (9, 10), (10, 10)]


def test_a_refused_object_fails_alone_and_raise_for_status_says_which() -> None:
    table = TableChannel()
    send = table.send

    def refuse_bad(method: str, params: list[dict[str, Any]]) -> tuple[int, Any]:
        code, results = send(method, params)
        for param, result in zip(params, results):
            if method == "add" and param["data"]["name"] == "bad":
                result["status"] = {"code": -10, "message": "The data is invalid for selected url"}
        return code, results

    result = planning.converge(Channel(refuse_bad, None, 4), ADDR, [{"name": "a"}, {"name": "bad"}, {"name": "c"}])
    assert [item.status for item in result] == ["created", "failed", "created"]
    assert (result[1].code, result[1].message) == (-10, "The data is invalid for selected url")
    with pytest.raises(FMGConvergeError) as caught:
        result.raise_for_status()
    assert (
        caught.value.result is result and "1 of 3 objects failed" in str(caught.value) and "'bad'" in str(caught.value)
    )


def test_results_read_like_a_sequence_with_a_summary() -> None:
    item = ObjectResult(0, "h1", "created", "create", f"{ADDR}/h1", ("subnet",), before={}, after={"passwd": "x"})
    result = ConvergeResult(ADDR, (item,))
    assert list(result) == [item] and result[0] is item and len(result) == 1
    assert str(result.summary) == "1 created" and result.summary.total == 1 and result.summary.changed
    assert repr(result) == f"<ConvergeResult {ADDR}: 1 objects, 1 created>"
    assert "passwd" not in repr(item)  # before/after may hold secrets; reprs never show attribute values
    result.raise_for_status()


def test_want_one_checks_state_and_attributes() -> None:
    with pytest.raises(FMGValueError, match="state"):
        planning.want_one("h1", {}, state="gone")
    with pytest.raises(FMGValueError, match="must be a dict"):
        planning.want_one("h1", ["subnet"])
    assert planning.want_one(3, {"policyid": 3, "name": "x"}, key="policyid") == Want(3, {"name": "x"})
