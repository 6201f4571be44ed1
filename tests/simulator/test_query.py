from __future__ import annotations

import pytest

from .conftest import ADDRESSES, Rpc


@pytest.fixture
def table(rpc: Rpc) -> Rpc:
    rows = [
        {"name": "web-1", "subnet": "10.0.0.1/32", "color": 1, "comment": "front end"},
        {"name": "web-2", "subnet": "10.0.0.2/32", "color": 2, "comment": "front end"},
        {"name": "db-1", "subnet": "10.0.1.1/32", "color": 3, "comment": "back end"},
        {"name": "lan", "subnet": "10.0.0.0/8", "color": 4, "type": "ipmask"},
        {"name": "site", "type": "fqdn", "fqdn": "example.com", "color": 5},
    ]
    assert rpc.one("add", ADDRESSES, data=rows)[0] == 0
    return rpc


def names(rpc: Rpc, **param: object) -> list:
    code, data = rpc.one("get", ADDRESSES, fields=["name"], **param)
    assert code == 0, data
    return [row["name"] for row in data]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (["name", "==", "db-1"], ["db-1"]),
        (["name", "like", "web-%"], ["web-1", "web-2"]),
        (["color", ">=", 4], ["lan", "site"]),
        (["color", "<", "2"], ["all", "none", "web-1"]),
        (["color", "in", 2, 3], ["web-2", "db-1"]),
        (["comment", "contain", "back"], ["db-1"]),
        (["type", "==", "fqdn"], ["site"]),
        (["type", "==", 2], ["site"]),
        (["subnet", "contain", "10.0.0.0"], ["lan"]),
        ([["name", "like", "web%"], "&&", ["color", "==", 2]], ["web-2"]),
        ([["name", "==", "lan"], "||", ["name", "==", "site"]], ["lan", "site"]),
        ([["color", "==", 1], "||", ["color", ">", 2], "&&", ["color", "<", 4]], ["web-1", "db-1"]),
        (["name", "!=", "all"], ["none", "web-1", "web-2", "db-1", "lan", "site"]),
    ],
)
def test_filter_operators(table: Rpc, flt: list, expected: list) -> None:
    assert names(table, filter=flt) == expected


def test_bad_filter_is_invalid_data(table: Rpc) -> None:
    assert table.one("get", ADDRESSES, filter=["name", "~~", "x"])[0] == -10
    assert table.one("get", ADDRESSES, filter=[["name", "==", "x"], "xor", ["name", "==", "y"]])[0] == -10


def test_fields_keep_oid(table: Rpc) -> None:
    _code, rows = table.one("get", ADDRESSES, fields=["name", "color"], filter=["name", "==", "lan"])
    assert rows == [{"name": "lan", "oid": rows[0]["oid"], "color": 4}]


def test_range_and_sortings(table: Rpc) -> None:
    assert names(table, sortings=[{"color": -1}], range=[0, 2]) == ["site", "lan"]
    assert names(table, sortings=[{"comment": 1}, {"name": -1}], range=[4, 3]) == ["db-1", "web-2", "web-1"]
    assert names(table, range=[5]) == ["lan", "site"]
    assert table.one("get", ADDRESSES, range=[-1, 2])[0] == -10


@pytest.mark.parametrize("option", ["count", ["count"]])
def test_option_count_string_or_list(table: Rpc, option: object) -> None:
    assert table.one("get", ADDRESSES, option=option) == (0, 7)
    assert table.one("get", ADDRESSES, option=option, filter=["name", "like", "web%"]) == (0, 2)


def test_verbose_enum_names(table: Rpc) -> None:
    _code, row = table.one("get", f"{ADDRESSES}/site")
    assert row["type"] == 2
    assert table.one("get", f"{ADDRESSES}/site", verbose=1)[1]["type"] == "fqdn"


def test_option_syntax_describes_the_table(rpc: Rpc) -> None:
    code, data = rpc.one("get", ADDRESSES, option=["syntax"])
    assert code == 0
    schema = data["firewall address"]
    assert schema["mkey"] == "name"
    assert schema["attr"]["type"]["opts"]["fqdn"] == 2
    code, data = rpc.one("get", "pm/config/adom/root/pkg/default/firewall/policy", option="syntax")
    assert data["firewall policy"]["attr"]["srcaddr"]["type"] == "datasrc"
