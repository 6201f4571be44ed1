"""fmg.converge against the simulator: request counts at the floor, and every object's reported
outcome checked against the simulator's store after faults injected mid-job."""

from __future__ import annotations

import collections
from collections.abc import Iterator, Sequence
from typing import Any, Callable

import pytest

from pyfmg import (
    ConvergeResult,
    FMGLockError,
    FMGObjectStatusError,
    FMGValidationError,
    FMGValueError,
    FortiManager,
    Retry,
)
from pyfmg.compare import values_match
from pyfmg.testing import FMGSimulator

ADDR = "pm/config/adom/root/obj/firewall/address"
POLICY = "pm/config/adom/root/pkg/default/firewall/policy"
RULE = {"srcintf": "any", "dstintf": "any", "srcaddr": "all", "dstaddr": "all", "service": "ALL"}
WORKSPACE = pytest.mark.fmg_simulator(workspace_mode="normal", request_history=None)


def hosts(count: int, start: int = 0, comment: str = "feed") -> list[dict[str, Any]]:
    return [
        {"name": f"h{i}", "subnet": f"10.{i // 62500}.{i // 250 % 250}.{i % 250 + 1}/32", "comment": comment}
        for i in range(start, start + count)
    ]


def store(sim: FMGSimulator) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in sim.objects(ADDR)}


def rpc(sim: FMGSimulator) -> list[dict[str, Any]]:
    return [r.json for r in sim.requests if isinstance(r.json, dict) and "method" in r.json]


def sent_names(sim: FMGSimulator, method: str) -> collections.Counter[str]:
    """How many times each object was sent with ``method``."""
    names: collections.Counter[str] = collections.Counter()
    for body in rpc(sim):
        if body["method"] == method:
            for param in body["params"]:
                names[param["data"]["name"] if method == "add" else param["url"].rsplit("/", 1)[-1]] += 1
    return names


def assert_outcomes_match_store(
    result: ConvergeResult,
    objects: Sequence[dict[str, Any]],
    absent: Sequence[str],
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
) -> None:
    """Each object's reported status must be what the store shows: written ones are there as wanted,
    failed ones are exactly as they were before the job."""
    wanted = [*objects, *({"name": name} for name in absent)]
    assert [item.key_value for item in result] == [w["name"] for w in wanted]
    for item, want in zip(result, wanted):
        name = want["name"]
        if item.status == "failed":
            assert after.get(name) == before.get(name), (item, after.get(name))
        elif item.status == "deleted" or (item.status == "unchanged" and name in absent):
            assert name not in after, item
        else:
            assert item.status in ("created", "updated", "unchanged"), item
            assert name in after, item
            assert all(values_match(value, after[name].get(attr)) for attr, value in want.items()), item
        if item.status == "created":
            assert name not in before, item


def after_requests(count: int, action: Callable[[], None]) -> Callable[[int, int], None]:
    """A progress callback that runs ``action`` once ``count`` objects are done (writes are counted)."""
    fired: list[int] = []

    def progress(done: int, _total: int) -> None:
        if done >= count and not fired:
            fired.append(done)
            action()

    return progress


@pytest.fixture
def client(fmg_simulator: FMGSimulator) -> Iterator[FortiManager]:
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False) as fmg:
        yield fmg


# --- request counts ----------------------------------------------------------------------------------
@WORKSPACE
def test_a_thousand_objects_converge_at_the_round_trip_floor(fmg_simulator: FMGSimulator) -> None:
    objects = hosts(1000)
    fmg_simulator.clear_requests()
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False) as fmg:
        created = fmg.converge(ADDR, objects)
    # login, workspace check at login, 1 table read, lock, 10 writes of 100, commit, unlock, logout
    floor = 1 + 1 + 1 + 1 + 10 + 1 + 1 + 1
    assert created.summary.created == 1000 and created.ok
    assert len(rpc(fmg_simulator)) == floor
    assert [(b["method"], len(b["params"])) for b in rpc(fmg_simulator)].count(("add", 100)) == 10

    fmg_simulator.clear_requests()
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False) as fmg:
        again = fmg.converge(ADDR, objects)
    # login, workspace check at login, 1 table read, logout: nothing locked, nothing written
    assert again.summary.unchanged == 1000 and not again.changed
    assert len(rpc(fmg_simulator)) == 1 + 1 + 1 + 1
    assert fmg_simulator.locks == {}


# --- faults mid-job ---------------------------------------------------------------------------------
def test_a_refused_object_fails_alone(client: FortiManager, fmg_simulator: FMGSimulator) -> None:
    objects = hosts(250)
    objects[130]["subnet"] = "not-a-subnet"
    before = store(fmg_simulator)
    result = client.converge(ADDR, objects, chunk_size=100)
    assert [i for i, item in enumerate(result) if not item.ok] == [130]
    assert result[130].code == -10 and result.summary.created == 249
    assert_outcomes_match_store(result, objects, [], before, store(fmg_simulator))


@pytest.mark.parametrize("fault", ["lost_reply", "reset"])
def test_a_lost_or_dropped_write_is_read_back_and_only_what_is_missing_is_resent(
    client: FortiManager, fmg_simulator: FMGSimulator, fault: str
) -> None:
    objects = hosts(300)
    before = store(fmg_simulator)
    progress = after_requests(100, lambda: fmg_simulator.inject(fault, method="add"))
    result = client.converge(ADDR, objects, chunk_size=100, workers=1, progress=progress)

    assert result.ok and result.summary.created == 300
    assert_outcomes_match_store(result, objects, [], before, store(fmg_simulator))
    counts = sent_names(fmg_simulator, "add")
    second_chunk = {f"h{i}" for i in range(100, 200)}
    # lost_reply: the chunk was applied, reading back shows it, nothing is sent twice.
    # reset: the chunk never arrived, reading back shows it missing, it alone is sent again.
    expected = 1 if fault == "lost_reply" else 2
    assert {counts[name] for name in second_chunk} == {expected}
    assert {count for name, count in counts.items() if name not in second_chunk} == {1}


def test_lost_updates_and_deletes_are_settled_by_reading_back(
    client: FortiManager, fmg_simulator: FMGSimulator
) -> None:
    client.converge(ADDR, hosts(40))
    objects = hosts(30, comment="changed")
    absent = [f"h{i}" for i in range(30, 40)]
    before = store(fmg_simulator)
    fmg_simulator.inject("lost_reply", method="update")
    fmg_simulator.inject("reset", method="delete")
    result = client.converge(ADDR, objects, absent=absent, chunk_size=10, workers=2)
    assert result.ok, result.failed
    assert (result.summary.updated, result.summary.deleted) == (30, 10)
    assert_outcomes_match_store(result, objects, absent, before, store(fmg_simulator))
    assert max(sent_names(fmg_simulator, "update").values()) == 1


@WORKSPACE
def test_a_busy_lock_fails_every_write_and_leaves_the_other_lock_alone(
    client: FortiManager, fmg_simulator: FMGSimulator
) -> None:
    objects = hosts(5)
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False) as other:
        other.lock_adom("root")
        before = store(fmg_simulator)
        result = client.converge(ADDR, objects)
        assert [item.code for item in result] == [-20055] * 5
        assert isinstance(result.error, FMGLockError) and not result.ok
        assert_outcomes_match_store(result, objects, [], before, store(fmg_simulator))
        assert list(fmg_simulator.locks) == ["root"] and client.locked_scopes == []
        assert not any(b["method"] == "add" for b in rpc(fmg_simulator))


@WORKSPACE
def test_an_expired_session_in_workspace_mode_reports_the_dropped_writes(
    client: FortiManager, fmg_simulator: FMGSimulator
) -> None:
    objects = hosts(300)
    before = store(fmg_simulator)
    progress = after_requests(100, lambda: fmg_simulator.advance_clock(1000))  # idles the session out
    result = client.converge(ADDR, objects, chunk_size=100, workers=1, progress=progress)

    # FortiManager dropped the first chunk with the session; the rest was refused or not sent.
    assert [item.status for item in result] == ["failed"] * 300
    assert {item.code for item in result} == {-11}
    assert_outcomes_match_store(result, objects, [], before, store(fmg_simulator))
    assert sum(b["method"] == "add" for b in rpc(fmg_simulator)) == 2  # the third chunk was not sent
    assert fmg_simulator.locks == {}


@WORKSPACE
def test_an_expired_session_with_relogin_rewrites_what_the_old_session_lost(fmg_simulator: FMGSimulator) -> None:
    objects = hosts(300)
    before = store(fmg_simulator)
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False, retry=Retry(relogin=True)) as fmg:
        progress = after_requests(100, lambda: fmg_simulator.advance_clock(1000))
        result = fmg.converge(ADDR, objects, chunk_size=100, workers=1, progress=progress)
        assert result.ok and result.summary.created == 300, result.failed[:3]
        assert_outcomes_match_store(result, objects, [], before, store(fmg_simulator))
        assert fmg_simulator.locks == {} and fmg.locked_scopes == []
    commits = [b for b in rpc(fmg_simulator) if b["params"][0]["url"].endswith("/workspace/commit")]
    assert len(commits) == 1


def test_an_expired_session_without_workspace_keeps_what_was_written(
    client: FortiManager, fmg_simulator: FMGSimulator
) -> None:
    objects = hosts(300)
    before = store(fmg_simulator)
    progress = after_requests(100, lambda: fmg_simulator.advance_clock(1000))
    result = client.converge(ADDR, objects, chunk_size=100, workers=1, progress=progress)
    assert [item.status for item in result] == ["created"] * 100 + ["failed"] * 200
    assert {item.code for item in result[100:]} == {-11}
    assert_outcomes_match_store(result, objects, [], before, store(fmg_simulator))


@WORKSPACE
def test_an_interrupted_job_unlocks_and_leaves_nothing_half_written(
    client: FortiManager, fmg_simulator: FMGSimulator
) -> None:
    before = store(fmg_simulator)

    def interrupt() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        client.converge(ADDR, hosts(300), chunk_size=100, workers=1, progress=after_requests(100, interrupt))
    assert fmg_simulator.locks == {} and client.locked_scopes == []
    assert store(fmg_simulator) == before  # unlocking without a commit dropped the first chunk


def test_objects_changed_by_someone_else_meanwhile_are_read_back_and_settled(
    client: FortiManager, fmg_simulator: FMGSimulator
) -> None:
    client.converge(ADDR, hosts(3))
    objects = [*hosts(2, comment="mine"), *hosts(3, start=10)]  # h0, h1 updated; h10..h12 created
    before = store(fmg_simulator)

    def someone_else() -> None:
        with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False) as other:
            other.delete(f"{ADDR}/h0")  # our update of h0 meets -3: it must be created again
            other.add(ADDR, data={"name": "h10", "subnet": "10.0.0.11/32", "comment": "theirs"})  # our add meets -2
            other.add(ADDR, data=hosts(1, start=11)[0])  # already exactly as we want it

    result = client.converge(ADDR, objects, progress=after_requests(0, someone_else))
    assert [(item.key_value, item.status) for item in result] == [
        ("h0", "created"),
        ("h1", "updated"),
        ("h10", "updated"),
        ("h11", "unchanged"),
        ("h12", "created"),
    ]
    before.pop("h0")
    assert_outcomes_match_store(result, objects, [], before, store(fmg_simulator))


@WORKSPACE
@pytest.mark.parametrize(("fault", "applied"), [("lost_reply", True), ("reset", False)])
def test_a_commit_whose_answer_is_lost_is_settled_by_reading_back(
    client: FortiManager, fmg_simulator: FMGSimulator, fault: str, applied: bool
) -> None:
    objects = hosts(5)
    before = store(fmg_simulator)
    fmg_simulator.inject(fault, method="exec", url="dvmdb/adom/root/workspace/commit")
    result = client.converge(ADDR, objects)
    assert [item.status for item in result] == ["created" if applied else "failed"] * 5
    # Reading back settles it: a commit that went through is no error; one that did not is the job's.
    assert (result.error is None, result.ok) == (applied, applied)
    assert_outcomes_match_store(result, objects, [], before, store(fmg_simulator))
    assert fmg_simulator.locks == {} and client.locked_scopes == []


@WORKSPACE
def test_an_unknown_table_raises_before_any_lock_or_write(client: FortiManager, fmg_simulator: FMGSimulator) -> None:
    fmg_simulator.clear_requests()
    url = "pm/config/adom/root/obj/firewall/adress"
    with pytest.raises(FMGObjectStatusError) as caught:
        client.converge(url, hosts(3))
    assert caught.value.code == -6 and url in str(caught.value)
    assert [b["method"] for b in rpc(fmg_simulator)] == ["get"]


@WORKSPACE
def test_inside_your_own_workspace_block_the_job_uses_its_lock(
    client: FortiManager, fmg_simulator: FMGSimulator
) -> None:
    fmg_simulator.clear_requests()
    with client.workspace("root"):
        result = client.converge(ADDR, hosts(3), commit=False)
        assert result.summary.created == 3
        assert client.locked_scopes == ["root"]
    workspace_calls = [
        b["params"][0]["url"].split("/workspace/")[1]
        for b in rpc(fmg_simulator)
        if "/workspace/" in b["params"][0]["url"]
    ]
    assert workspace_calls == ["lock/", "commit", "unlock/"]  # the block's, none of the job's own
    assert set(store(fmg_simulator)) >= {"h0", "h1", "h2"}


@WORKSPACE
def test_a_policy_job_locks_only_its_package(client: FortiManager, fmg_simulator: FMGSimulator) -> None:
    wanted = [{"policyid": n, "name": f"p{n}", "schedule": "always", "action": "accept", **RULE} for n in (11, 12)]
    fmg_simulator.clear_requests()
    result = client.converge(POLICY, wanted, key="policyid")
    assert result.summary.created == 2, result.failed
    locks = [b["params"][0]["url"] for b in rpc(fmg_simulator) if "/workspace/lock" in b["params"][0]["url"]]
    assert locks == ["/dvmdb/adom/root/workspace/lock/pkg/default"]
    assert client.converge(POLICY, wanted, key="policyid").summary.unchanged == 2


@WORKSPACE
def test_lock_adom_locks_the_whole_adom_only_when_something_must_be_written(
    client: FortiManager, fmg_simulator: FMGSimulator
) -> None:
    wanted = [{"policyid": 21, "name": "p21", "schedule": "always", "action": "accept", **RULE}]

    def workspace_urls() -> list[str]:
        urls = [b["params"][0]["url"].strip("/") for b in rpc(fmg_simulator)]
        return [url.split("/workspace/")[1] for url in urls if "/workspace/" in url]

    fmg_simulator.clear_requests()
    assert client.converge(POLICY, wanted, key="policyid", lock_adom="root").summary.created == 1
    # The whole ADOM (as fortinet.fortimanager's workspace_locking_adom), not the package.
    assert workspace_urls() == ["lock", "commit", "unlock"]  # dvmdb/adom/root/workspace/...
    fmg_simulator.clear_requests()
    again = client.converge(POLICY, wanted, key="policyid", lock_adom="root")
    assert again.summary.unchanged == 1 and {b["method"] for b in rpc(fmg_simulator)} == {"get"}  # reads only
    # An ADOM that does not hold the table is refused before anything is sent.
    fmg_simulator.clear_requests()
    with pytest.raises(FMGValueError, match=r"lock_adom=.branch. does not cover .*root/pkg/default"):
        client.converge(POLICY, wanted, key="policyid", lock_adom="branch")
    with pytest.raises(FMGValueError, match=r"^lock_adom: adom must be a non-empty name"):
        client.converge(POLICY, wanted, key="policyid", lock_adom=["root"])  # type: ignore[arg-type]
    assert rpc(fmg_simulator) == [] and fmg_simulator.locks == {}


# --- validation and the shared schema cache ---------------------------------------------------------
@WORKSPACE
def test_validate_asks_the_syntax_with_the_first_read_and_refuses_before_any_lock(
    client: FortiManager, fmg_simulator: FMGSimulator
) -> None:
    wanted = [*hosts(2), {"name": "bad", "type": "range"}, {"name": "typo", "commnet": "x"}]
    fmg_simulator.clear_requests()
    with pytest.raises(FMGValidationError) as caught:
        client.converge(ADDR, wanted, absent=["gone"], validate=True)
    assert caught.value.problems == [
        "bad: attribute 'type': 'range' is not allowed; allowed: ipmask (0), iprange (1), fqdn (2), wildcard (3), "
        "geography (4)",
        "typo: firewall address has no attribute 'commnet' (did you mean 'comment'?)",
    ]
    # One request: the table's syntax and the filtered read together; no lock, no write.
    (body,) = rpc(fmg_simulator)
    assert body["method"] == "get" and [p.get("option") for p in body["params"]] == ["syntax", None]
    assert "bad" not in store(fmg_simulator) and fmg_simulator.locks == {}

    fmg_simulator.clear_requests()
    result = client.converge(ADDR, wanted[:2], validate=True)  # the syntax is known now
    assert result.summary.created == 2
    assert not any(p.get("option") == "syntax" for b in rpc(fmg_simulator) for p in b["params"])


@WORKSPACE
def test_validation_and_enum_comparison_read_a_tables_syntax_once(
    client: FortiManager, fmg_simulator: FMGSimulator
) -> None:
    from pyfmg.converge import table_enums

    client.converge(POLICY, [{"policyid": 21, "schedule": "always", "action": "accept", **RULE}], key="policyid")
    fmg_simulator.clear_requests()
    client.verbose = True  # names come back ("accept"); the wanted number 1 meets them
    client.validate(POLICY, {"policyid": 21, "action": 1})
    again = client.converge(POLICY, [{"policyid": 21, "action": 1}], key="policyid", validate=True)
    assert again.summary.unchanged == 1, again[0]
    assert table_enums(client, POLICY)["action"]["accept"] == 1
    syntax = [p for b in rpc(fmg_simulator) for p in b["params"] if p.get("option") == "syntax"]
    assert len(syntax) == 1
