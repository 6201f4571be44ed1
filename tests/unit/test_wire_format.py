"""The JSON bodies each verb sends are pyFMG 0.8.6.3's, key order included."""

from __future__ import annotations

import json

import pytest

from pyfmg import FMGRequestNotFormedCorrect, FMGValueError, FortiManager

from .fakefmg import SID, FakeFMG, ok

ADDR = "pm/config/adom/root/obj/firewall/address"


@pytest.mark.parametrize(
    ("verb", "method"),
    [
        ("add", "add"),
        ("set", "set"),
        ("update", "update"),
        ("delete", "delete"),
        ("replace", "replace"),
        ("execute", "exec"),
        ("move", "move"),
        ("unset", "unset"),
    ],
)
def test_data_verbs_put_keywords_in_data(fmg: FortiManager, fake: FakeFMG, verb: str, method: str) -> None:
    getattr(fmg, verb)(ADDR, allow__routing=0, fake___attribute="any", name="h1")
    assert fake.bodies[-1] == {
        "method": method,
        "params": [{"url": ADDR, "data": {"allow-routing": 0, "fake attribute": "any", "name": "h1"}}],
        "session": SID,
        "id": fake.bodies[-1]["id"],
    }
    assert list(fake.bodies[-1]) == ["method", "params", "session", "id"]


@pytest.mark.parametrize("verb", ["get", "clone"])
def test_get_and_clone_merge_keywords_into_the_param(fmg: FortiManager, fake: FakeFMG, verb: str) -> None:
    getattr(fmg, verb)(ADDR, fields=["name"], loadsub=0, scope__member=1)
    assert fake.bodies[-1]["params"] == [{"url": ADDR, "fields": ["name"], "loadsub": 0, "scope-member": 1}]
    assert fake.bodies[-1]["method"] == verb


def test_positional_dict_is_merged_and_url_may_be_a_keyword(fmg: FortiManager, fake: FakeFMG) -> None:
    fmg.execute("/dvmdb/adom/root/workspace/lock/", {})
    assert fake.bodies[-1]["params"] == [{"url": "/dvmdb/adom/root/workspace/lock/"}]
    fmg.get(url=ADDR)
    assert fake.bodies[-1]["params"] == [{"url": ADDR}]
    fmg.add(ADDR, {"name": "h2", "subnet": ["10.0.0.0", "255.255.255.0"]})
    assert fake.bodies[-1]["params"] == [{"url": ADDR, "name": "h2", "subnet": ["10.0.0.0", "255.255.255.0"]}]


def test_data_keyword_sends_an_array(fmg: FortiManager, fake: FakeFMG) -> None:
    url = "pm/config/adom/root/obj/firewall/addrgrp/g1/member"
    fmg.add(url, data=["m1", "m2"], ignored=1)
    assert fake.bodies[-1]["params"] == [{"url": url, "data": ["m1", "m2"]}]


def test_verbose_adds_verbose_to_get_only(fake: FakeFMG) -> None:
    with FortiManager("fmg.test", "admin", "Sup3r-S3cret!", verbose=True, check_adom_workspace=False) as fmg:
        fmg.get(ADDR)
        get_body = fake.bodies[-1]
        fmg.add(ADDR, name="x")
        add_body = fake.bodies[-1]
    assert list(get_body) == ["method", "params", "verbose", "session", "id"] and get_body["verbose"] == 1
    assert "verbose" not in add_body


def test_request_ids_increase(fmg: FortiManager, fake: FakeFMG) -> None:
    fmg.get(ADDR)
    fmg.get(ADDR)
    first, second = (b["id"] for b in fake.bodies[-2:])
    assert second == first + 1 and fmg.req_id == second


def test_wire_bytes_use_default_json_separators(fmg: FortiManager, fake: FakeFMG, rsps) -> None:  # type: ignore[no-untyped-def]
    fmg.get(ADDR, fields=["name"])
    raw = rsps.calls[-1].request.body
    assert raw == json.dumps(fake.bodies[-1])


def test_return_shapes(fmg: FortiManager, fake: FakeFMG) -> None:
    fake.on(lambda m, p, b: ok([{"name": "h1"}], p[0]["url"]) if m == "get" else None)
    assert fmg.get(ADDR) == (0, [{"name": "h1"}])
    fake.on(lambda m, p, b: ok(url=p[0]["url"], code=-3, message="Object does not exist") if m == "delete" else None)
    assert fmg.delete(ADDR + "/nope") == (
        -3,
        {"status": {"code": -3, "message": "Object does not exist"}, "url": ADDR + "/nope"},
    )


def test_free_form_sends_params_as_given_and_returns_200_and_all_results(fmg: FortiManager, fake: FakeFMG) -> None:
    data = [{"url": f"{ADDR}/h{i}", "fields": ["name"]} for i in range(3)]
    fake.on(lambda m, p, b: {"id": b["id"], "result": [ok({"name": q["url"][-2:]}, q["url"]) for q in p]})
    code, results = fmg.free_form("get", data=data)
    assert code == 200 and [r["data"]["name"] for r in results] == ["h0", "h1", "h2"]
    assert fake.bodies[-1]["params"] == data and "verbose" not in fake.bodies[-1]


def test_free_form_create_task_comes_first(fmg: FortiManager, fake: FakeFMG) -> None:
    fmg.free_form("exec", create_task={"adom": "root"}, data=[{"url": "securityconsole/install/package"}])
    assert list(fake.bodies[-1]) == ["create task", "method", "params", "session", "id"]
    assert fake.bodies[-1]["create task"] == {"adom": "root"}


@pytest.mark.parametrize("kwargs", [{}, {"other": 1}, {"data": []}])
def test_free_form_without_data_is_refused(fmg: FortiManager, kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(FMGRequestNotFormedCorrect, match="data"):
        fmg.free_form("get", **kwargs)


@pytest.mark.parametrize("bad", [None, 5, ""])
def test_bad_url_is_a_value_error(fmg: FortiManager, bad: object) -> None:
    with pytest.raises(FMGValueError, match="url"):
        fmg.get(bad)  # type: ignore[arg-type]


def test_positional_non_dict_is_a_value_error(fmg: FortiManager) -> None:
    with pytest.raises(FMGValueError, match="dict"):
        fmg.add(ADDR, ["not", "a", "dict"])


def test_common_datagram_params_is_pyfmgs_static_builder() -> None:
    assert FortiManager.common_datagram_params("execute", "sys/x", a__b=1) == [{"url": "sys/x", "data": {"a-b": 1}}]
