from __future__ import annotations

from pyfmg.testing import FMGSimulator

from .conftest import ADDRESSES, GROUPS, POLICIES, Rpc

URLFILTERS = "pm/config/adom/root/obj/webfilter/urlfilter"


def test_add_returns_key_only_and_refuses_duplicates(rpc: Rpc, sim: FMGSimulator) -> None:
    assert rpc.one("add", ADDRESSES, data={"name": "h1", "subnet": "10.0.0.1/32"}) == (0, {"name": "h1"})
    assert rpc.send("add", {"url": ADDRESSES, "data": {"name": "h1"}})["result"][0]["status"] == {
        "code": -2,
        "message": "Object already exists",
    }
    assert rpc.one("add", ADDRESSES, data=[{"name": "h2", "subnet": ["10.0.0.2", "255.255.255.255"]}]) == (
        0,
        {"name": "h2"},
    )
    stored = sim.objects(f"{ADDRESSES}/h1")
    assert stored["subnet"] == ["10.0.0.1", "255.255.255.255"]
    assert isinstance(stored["oid"], int)


def test_missing_object_and_bad_data(rpc: Rpc) -> None:
    assert rpc.send("get", {"url": f"{ADDRESSES}/nope"})["result"][0]["status"] == {
        "code": -3,
        "message": "Object does not exist",
    }
    assert rpc.one("delete", f"{ADDRESSES}/nope")[0] == -3
    assert rpc.one("update", f"{ADDRESSES}/nope", data={"comment": "x"})[0] == -3
    assert rpc.one("add", ADDRESSES, data={"subnet": "10.0.0.1/32"})[0] == -10  # no name
    assert rpc.one("add", ADDRESSES, data={"name": "bad", "subnet": "not-an-ip"})[0] == -10
    assert rpc.one("add", ADDRESSES, data={"name": "bad", "type": "nonsense"})[0] == -10
    assert rpc.one("add", ADDRESSES, data="h1")[0] == -10
    assert rpc.one("add", ADDRESSES)[0] == -10


def test_set_creates_or_merges_update_renames_replace_resets(rpc: Rpc, sim: FMGSimulator) -> None:
    assert rpc.one("set", ADDRESSES, data={"name": "h1", "comment": "first", "color": 3}) == (0, {"name": "h1"})
    assert rpc.one("set", f"{ADDRESSES}/h1", data={"comment": "second"}) == (0, {"name": "h1"})
    assert sim.objects(f"{ADDRESSES}/h1")["color"] == 3
    assert rpc.one("update", f"{ADDRESSES}/h1", data={"name": "h1-renamed"}) == (0, {"name": "h1-renamed"})
    assert rpc.one("get", f"{ADDRESSES}/h1")[0] == -3
    assert rpc.one("update", f"{ADDRESSES}/h1-renamed", data={"name": "all"})[0] == -2
    assert rpc.one("replace", f"{ADDRESSES}/h1-renamed", data={"comment": "only this"})[0] == 0
    replaced = sim.objects(f"{ADDRESSES}/h1-renamed")
    assert (replaced["comment"], replaced["color"]) == ("only this", 0)


def test_delete_object_and_table_with_filter(rpc: Rpc, sim: FMGSimulator) -> None:
    rpc.one("add", ADDRESSES, data=[{"name": "t1"}, {"name": "t2"}, {"name": "keep"}])
    reply = rpc.send("delete", {"url": f"{ADDRESSES}/keep"})["result"][0]
    assert reply == {"status": {"code": 0, "message": "OK"}, "url": f"{ADDRESSES}/keep"}  # no data
    assert rpc.one("delete", ADDRESSES, filter=["name", "like", "t%"])[0] == 0
    assert [a["name"] for a in sim.objects(ADDRESSES)] == ["all", "none"]
    assert rpc.one("delete", ADDRESSES)[0] == -10  # a whole table needs a filter or confirm


def test_clone(rpc: Rpc, sim: FMGSimulator) -> None:
    rpc.one("add", ADDRESSES, data={"name": "src", "subnet": "10.9.9.0/24", "comment": "c"})
    assert rpc.one("clone", f"{ADDRESSES}/src", data={"name": "copy"}) == (0, {"name": "copy"})
    copy = sim.objects(f"{ADDRESSES}/copy")
    assert (copy["subnet"], copy["comment"]) == (["10.9.9.0", "255.255.255.0"], "c")
    assert copy["oid"] != sim.objects(f"{ADDRESSES}/src")["oid"]
    assert rpc.one("clone", f"{ADDRESSES}/src", data={"name": "copy"})[0] == -2
    assert rpc.one("clone", f"{ADDRESSES}/nope", data={"name": "x"})[0] == -3
    assert rpc.one("clone", ADDRESSES, data={"name": "x"})[0] == -9


def test_group_members_as_sub_table(rpc: Rpc, sim: FMGSimulator) -> None:
    rpc.one("add", ADDRESSES, data=[{"name": "h1"}, {"name": "h2"}, {"name": "h3"}])
    assert rpc.one("add", GROUPS, data={"name": "g", "member": "h1"}) == (0, {"name": "g"})
    assert rpc.send("add", {"url": f"{GROUPS}/g/member", "data": ["h2", "h3"]})["result"][0] == {
        "status": {"code": 0, "message": "OK"},
        "url": f"{GROUPS}/g/member",
    }
    assert rpc.one("get", f"{GROUPS}/g/member") == (0, ["h1", "h2", "h3"])
    assert rpc.one("delete", f"{GROUPS}/g/member", data=["h2"])[0] == 0
    assert rpc.one("delete", f"{GROUPS}/g/member", data=["h2"])[0] == -3
    assert sim.objects(f"{GROUPS}/g")["member"] == ["h1", "h3"]
    assert rpc.one("unset", f"{GROUPS}/g/member")[0] == 0
    assert sim.objects(f"{GROUPS}/g")["member"] == []
    rpc.one("set", f"{GROUPS}/g", data={"member": [{"name": "h1"}]})
    assert rpc.one("set", f"{GROUPS}/g", data={"unset attrs": ["member"], "comment": "emptied"})[0] == 0
    assert (sim.objects(f"{GROUPS}/g")["member"], sim.objects(f"{GROUPS}/g")["comment"]) == ([], "emptied")


def test_policies_move_with_param_level_and_pyfmg_data_level_options(rpc: Rpc, sim: FMGSimulator) -> None:
    for name in ("a", "b", "c"):
        code, data = rpc.one("add", POLICIES, data={"name": name, "action": "accept", "srcaddr": "all"})
        assert code == 0 and set(data) == {"policyid"}
    ids = [p["policyid"] for p in sim.objects(POLICIES)]
    assert ids == [1, 2, 3]
    assert rpc.one("move", f"{POLICIES}/3", option="before", target="1") == (0, {"policyid": 3})
    assert [p["name"] for p in sim.objects(POLICIES)] == ["c", "a", "b"]
    assert rpc.one("move", f"{POLICIES}/3", data={"option": "after", "target": "2"})[0] == 0
    assert [p["name"] for p in sim.objects(POLICIES)] == ["a", "b", "c"]
    assert rpc.one("move", f"{POLICIES}/3", option="sideways", target="1")[0] == -10
    assert rpc.one("move", f"{POLICIES}/3", option="before", target="99")[0] == -3
    assert rpc.one("clone", f"{POLICIES}/1") == (0, {"policyid": 4})
    assert rpc.one("get", f"{POLICIES}/1")[1]["action"] == 1
    assert rpc.one("get", f"{POLICIES}/1", verbose=1)[1]["action"] == "accept"
    assert rpc.one("add", POLICIES, data={"policyid": 10, "action": 1})[1] == {"policyid": 10}
    assert sim.objects(f"{POLICIES}/10")["action"] == "accept"


def test_urlfilter_entries_child_table(rpc: Rpc, sim: FMGSimulator) -> None:
    code, data = rpc.one(
        "add", URLFILTERS, data={"name": "block-list", "entries": [{"url": "bad.example", "action": "block"}]}
    )
    assert (code, data) == (0, {"id": 1})
    assert rpc.one("add", f"{URLFILTERS}/1/entries", data={"url": "*.worse.example", "type": "wildcard"}) == (
        0,
        {"id": 2},
    )
    entries = rpc.one("get", f"{URLFILTERS}/1/entries")[1]
    assert [(e["id"], e["url"], e["type"]) for e in entries] == [(1, "bad.example", 0), (2, "*.worse.example", 2)]
    assert rpc.one("delete", f"{URLFILTERS}/1/entries/1")[0] == 0
    assert [e["id"] for e in sim.objects(URLFILTERS)[0]["entries"]] == [2]
    assert "entries" not in rpc.one("get", URLFILTERS, loadsub=0)[1][0]


def test_escaped_slash_in_names(rpc: Rpc, sim: FMGSimulator) -> None:
    assert rpc.one("add", ADDRESSES, data={"name": "net/24", "subnet": "10.2.0.0/24"}) == (0, {"name": "net/24"})
    assert rpc.one("get", ADDRESSES + "/net\\/24")[1]["name"] == "net/24"
