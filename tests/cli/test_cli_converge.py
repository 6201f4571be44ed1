"""``pyfmg converge``: many objects of one table in a few requests; per-object rows, progress, exit statuses."""

from __future__ import annotations

import json
import pathlib

import pytest

from pyfmg import FortiManager
from pyfmg.testing import FMGSimulator

from .helpers import one_error_line, run

ADDRESSES = "pm/config/adom/root/obj/firewall/address"
POLICIES = "pm/config/adom/root/pkg/default/firewall/policy"
pytestmark = pytest.mark.fmg_simulator(workspace_mode="normal")


def hosts(count: int, comment: str = "feed") -> list[dict[str, str]]:
    return [{"name": f"feed-{n}", "subnet": f"198.51.100.{n}/32", "comment": comment} for n in range(1, count + 1)]


def methods(sim: FMGSimulator) -> list[str]:
    """Method and first URL of each request, the session's own exchanges named briefly."""
    return [f"{r.json['method']} {r.json['params'][0]['url'].strip('/')}" for r in sim.requests if r.json]


def test_converge_creates_then_changes_nothing_at_the_round_trip_floor(
    env: dict[str, str], fmg_simulator: FMGSimulator, tmp_path: pathlib.Path
) -> None:
    (tmp_path / "feed.json").write_text(json.dumps(hosts(150)))
    fmg_simulator.clear_requests()
    status, out, err = run(env, "converge", ADDRESSES, "--data", f"@{tmp_path / 'feed.json'}")
    rows = json.loads(out)
    assert status == 0 and len(rows) == 150 and {row["status"] for row in rows} == {"created"}
    assert rows[0] == {
        "name": "feed-1",
        "status": "created",
        "action": "create",
        "attributes": ["subnet", "comment"],
        "before": {},
        "after": {"name": "feed-1", "subnet": "198.51.100.1/32", "comment": "feed"},
    }
    assert err.splitlines()[-1] == f"{ADDRESSES}: 150 created"
    # The floor: login, workspace-mode read, 1 read, lock, 2 adds of 100 and 50, commit, unlock, logout.
    assert methods(fmg_simulator) == [
        "exec sys/login/user",
        "get cli/global/system/global",
        f"get {ADDRESSES}",
        "exec dvmdb/adom/root/workspace/lock",
        f"add {ADDRESSES}",
        f"add {ADDRESSES}",
        "exec dvmdb/adom/root/workspace/commit",
        "exec dvmdb/adom/root/workspace/unlock",
        "exec sys/logout",
    ]
    assert fmg_simulator.objects(f"{ADDRESSES}/feed-150")["subnet"] == ["198.51.100.150", "255.255.255.255"]

    fmg_simulator.clear_requests()
    status, out, err = run(env, "converge", ADDRESSES, "--data", f"@{tmp_path / 'feed.json'}", "-o", "jsonl")
    assert status == 0 and err.splitlines()[-1] == f"{ADDRESSES}: 150 unchanged"
    assert json.loads(out.splitlines()[0]) == {
        "name": "feed-1",
        "status": "unchanged",
        "action": "none",
        "attributes": [],
    }
    # Nothing to do: login, workspace-mode read, 1 read, logout; no lock, no commit.
    assert len(fmg_simulator.requests) == 4 and fmg_simulator.locks == {} and fmg_simulator.sessions == {}


def test_check_shows_what_would_change_and_writes_nothing(env: dict[str, str], fmg_simulator: FMGSimulator) -> None:
    run(env, "converge", ADDRESSES, "--data", json.dumps(hosts(3)))
    wanted = hosts(2, comment="feed (confirmed)")[:1] + hosts(2)[1:]
    fmg_simulator.clear_requests()
    status, out, err = run(
        env, "converge", ADDRESSES, "--data", json.dumps(wanted), "--absent", "feed-3", "missing", "--check"
    )
    rows = json.loads(out)
    assert status == 0
    assert [(row["name"], row["status"], row["action"]) for row in rows] == [
        ("feed-1", "planned", "update"),
        ("feed-2", "unchanged", "none"),
        ("feed-3", "planned", "delete"),
        ("missing", "unchanged", "none"),
    ]
    assert rows[0]["before"]["comment"] == "feed" and rows[0]["after"]["comment"] == "feed (confirmed)"
    assert err.splitlines()[-1] == f"{ADDRESSES}: 2 unchanged, 2 planned (check: nothing written)"
    assert [m.split()[0] for m in methods(fmg_simulator)] == ["exec", "get", "get", "exec"]  # login, mode, read, logout
    assert fmg_simulator.objects(f"{ADDRESSES}/feed-1")["comment"] == "feed"
    assert fmg_simulator.objects(f"{ADDRESSES}/feed-3")["name"] == "feed-3"


def test_a_refused_object_exits_1_and_every_object_has_its_row(
    env: dict[str, str], fmg_simulator: FMGSimulator
) -> None:
    wanted = hosts(3)
    wanted[1]["subnet"] = "not-a-subnet"
    status, out, err = run(env, "converge", ADDRESSES, "--data", json.dumps(wanted), "-o", "table")
    assert status == 1
    lines = out.splitlines()
    assert lines[0].split() == ["name", "status", "action", "attributes", "code", "message"]
    assert lines[2].split()[:2] == ["feed-1", "created"] and lines[4].split()[:2] == ["feed-3", "created"]
    assert lines[3].split()[:5] == ["feed-2", "failed", "create", "subnet", "comment"] and " -10 " in lines[3]
    assert one_error_line(err.splitlines()[-1]) == (
        f"error: converge {ADDRESSES}: 1 of 3 objects failed, the first 'feed-2' "
        "(create: -10, The data is invalid for selected url) (2 created, 1 failed)"
    )
    assert fmg_simulator.objects(f"{ADDRESSES}/feed-3")["name"] == "feed-3"  # the others were committed
    assert fmg_simulator.locks == {}


def test_a_lock_another_session_holds_exits_1_and_writes_nothing(
    env: dict[str, str], fmg_simulator: FMGSimulator
) -> None:
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False) as other, other.workspace("root"):
        status, out, err = run(env, "converge", ADDRESSES, "--data", json.dumps(hosts(2)))
        assert status == 1 and [row["status"] for row in json.loads(out)] == ["failed", "failed"]
        assert "FMGLockError" in err.splitlines()[-1]
    with pytest.raises(LookupError):
        fmg_simulator.objects(f"{ADDRESSES}/feed-1")


def test_by_names_the_key_and_the_progress_bar_shows_on_stderr(env: dict[str, str]) -> None:
    policy = {"policyid": 7, "name": "deny-feed", "action": "deny"}
    status, out, err = run(env, "converge", POLICIES, "--by", "policyid", "--data", json.dumps(policy))
    assert status == 0 and json.loads(out)[0]["policyid"] == 7
    # In a pipe the bar writes a line when its state changes: writing, then done.
    assert err.splitlines()[:2] == [
        "converge [..............................]   0% writing  0/1 objects",
        "converge [##############################] 100% done  1/1 objects",
    ]
    status, out, _ = run(env, "converge", POLICIES, "--by", "policyid", "--absent", "7")
    assert status == 0 and json.loads(out)[0]["status"] == "deleted"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "converge needs the wanted objects (--data JSON|@FILE), --absent NAME ..., or both"),
        (["--data", '"feed-1"'], "converge --data takes a JSON list of objects"),
        (["--data", "[1, 2]"], "converge --data takes a JSON list of objects"),
        (["--data", "[]", "--chunk-size", "0"], "argument --chunk-size: expected a whole number of at least 1"),
        (["--data", "[]", "--workers", "x"], "argument --workers: expected a whole number of at least 1"),
    ],
)
def test_usage_errors_exit_2_before_anything_is_sent(
    env: dict[str, str], fmg_simulator: FMGSimulator, argv: list[str], expected: str
) -> None:
    fmg_simulator.clear_requests()
    status, out, err = run(env, "converge", ADDRESSES, *argv)
    assert status == 2 and out == "" and expected in one_error_line(err)
    assert fmg_simulator.requests == []


def test_bad_objects_exit_2_and_write_nothing(env: dict[str, str], fmg_simulator: FMGSimulator) -> None:
    twice = json.dumps([{"name": "h1"}, {"name": "h1"}])
    status, _, err = run(env, "converge", ADDRESSES, "--data", twice)
    assert status == 2 and "objects[0] and objects[1] both name name 'h1'" in one_error_line(err)
    status, _, err = run(env, "converge", ADDRESSES, "--data", json.dumps([{"subnet": "10.0.0.1/32"}]))
    assert status == 2 and "name" in one_error_line(err)
    assert [m.split()[0] for m in methods(fmg_simulator)].count("add") == 0 and fmg_simulator.sessions == {}
