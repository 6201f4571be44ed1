"""Record a session into a cassette, replay it strictly, seed a simulator from it."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

import pyfmg
from pyfmg import FMGValueError, FortiManager
from pyfmg.cassette import read_cassette
from pyfmg.testing import FMGSimulator

ADDRESSES = "pm/config/adom/root/obj/firewall/address"
PASSWORD = "S3cret-pw-4711"
USERS = {"admin": PASSWORD}


def session(fmg: FortiManager) -> list[Any]:
    """What a user's automation might do; returns what it saw."""
    seen: list[Any] = [
        fmg.add(ADDRESSES, name="web01", subnet="10.0.0.10/32", comment="from the recording"),
        fmg.add(ADDRESSES, name="web02", subnet=["10.0.0.11", "255.255.255.255"]),
        fmg.get(ADDRESSES, fields=["name", "subnet"]),
        fmg.update(f"{ADDRESSES}/web02", comment="changed"),
        fmg.get(f"{ADDRESSES}/web02"),
        fmg.get("pm/pkg/adom/root"),
        fmg.get("/dvmdb/adom/root/device"),
        fmg.execute("dvm/cmd/add/device", adom="root", device={"name": "m1", "sn": "FGVM1", "adm_pass": "dev-Secret"}),
        fmg.get("/dvmdb/devices"),
    ]
    return seen


def record_session(path: Path) -> list[Any]:
    with (
        FMGSimulator(users=USERS) as live,
        FortiManager(live.host, "admin", PASSWORD, use_ssl=False, record=path) as fmg,
    ):
        token = fmg.sid
        seen = session(fmg)
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text and str(token) not in text and "dev-Secret" not in text
    return seen


def test_a_recorded_cassette_holds_redacted_exchanges_in_order(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    record_session(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"format": "pyfmg-cassette", "version": 1}
    exchanges = read_cassette(path)
    methods = [(e["request"]["method"], e["request"]["params"][0]["url"]) for e in exchanges]
    assert methods[0] == ("get", "/cli/global/system/global")  # logins themselves are not written
    assert ("add", ADDRESSES) in methods and methods[-1] == ("exec", "sys/logout")
    assert all(e["request"]["session"] == "********" for e in exchanges)
    device_add = next(e for e in exchanges if e["request"]["params"][0]["url"] == "dvm/cmd/add/device")
    assert device_add["request"]["params"][0]["data"]["device"]["adm_pass"] == "********"


def test_replay_answers_the_recorded_replies_in_order(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    recorded = record_session(path)
    with FMGSimulator(replay=path) as replaying:
        with FortiManager(replaying.host, "anyone", "any-password", use_ssl=False) as fmg:
            assert session(fmg) == recorded
        replaying.check_replay()
        assert replaying.replay_mismatches == []


def test_replay_fails_clearly_on_a_request_that_differs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "session.jsonl"
    record_session(path)
    caplog.set_level(logging.WARNING, logger="pyfmg.testing")
    with FMGSimulator(replay=path) as replaying:
        with FortiManager(replaying.host, "admin", "x", use_ssl=False) as fmg:
            code, answer = fmg.add(ADDRESSES, name="web99", subnet="10.9.9.9/32")
        assert code == -1
        assert answer["status"]["message"].startswith("replay mismatch: request 2 differs from the cassette")
        with pytest.raises(AssertionError, match="recorded request\\(s\\) never came") as raised:
            replaying.check_replay()
        assert "request 2 differs" in str(raised.value)
    assert any("replay mismatch" not in r.getMessage() and "differs" in r.getMessage() for r in caplog.records)


def test_replay_beyond_the_end_of_the_cassette_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "short.jsonl"
    with FMGSimulator(users=USERS) as live, FortiManager(live.host, "admin", PASSWORD, use_ssl=False) as fmg:
        with pyfmg.recording(fmg, path):
            fmg.get("sys/status")
        fmg.get("dvmdb/adom")  # after the block: not recorded
    assert [e["request"]["params"][0]["url"] for e in read_cassette(path)] == ["sys/status"]
    with FMGSimulator(replay=path) as replaying:
        fmg = FortiManager(replaying.host, "admin", "x", use_ssl=False, check_adom_workspace=False)
        fmg.login()
        assert fmg.get("sys/status")[0] == 0
        code, answer = fmg.get("sys/status")
        assert code == -1 and "beyond the end of the cassette" in answer["status"]["message"]


def test_seeding_copies_the_recorded_tables_into_the_simulator(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    record_session(path)
    seeded = FMGSimulator(seed=path, devices={})
    rows = seeded.objects(ADDRESSES)
    assert {r["name"]: r["subnet"] for r in rows if r["name"].startswith("web")} == {
        "web01": ["10.0.0.10", "255.255.255.255"],
        "web02": ["10.0.0.11", "255.255.255.255"],
    }
    assert seeded.objects(f"{ADDRESSES}/web02")["comment"] == "changed"
    with seeded, FortiManager(seeded.host, "admin", "password", use_ssl=False) as fmg:
        # Only what was read is known: web01 was read with fields=["name", "subnet"] only.
        assert fmg.get(f"{ADDRESSES}/web01")[1]["subnet"] == ["10.0.0.10", "255.255.255.255"]
        assert fmg.get(f"{ADDRESSES}/web02")[1]["comment"] == "changed"
        assert [d["name"] for d in fmg.get("/dvmdb/adom/root/device")[1]] == ["FGT-01", "FGT-02"]


def test_seed_reports_what_it_could_not_model(tmp_path: Path) -> None:
    path = tmp_path / "real.jsonl"
    ok = {"code": 0, "message": "OK"}
    adoms = [{"name": "lab", "oid": 3101, "os_ver": 7, "mr": 4}]
    reply = {"id": 3, "result": [{"data": adoms, "status": ok, "url": "/dvmdb/adom"}]}
    odd = {"id": 4, "result": [{"data": [{"name": "x"}], "status": ok, "url": "/pm/config/adom/lab/obj/system/sdwan"}]}
    lines = [
        {
            "request": {"id": 3, "method": "get", "params": [{"url": "/dvmdb/adom"}], "session": "********"},
            "reply": reply,
        },
        {
            "request": {"id": 4, "method": "get", "params": [{"url": "/pm/config/adom/lab/obj/system/sdwan"}]},
            "reply": odd,
        },
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    sim = FMGSimulator()
    report = sim.seed(path)
    assert report.seeded == ["/dvmdb/adom"] and report.skipped == ["/pm/config/adom/lab/obj/system/sdwan"]
    assert [a["name"] for a in sim.objects("dvmdb/adom")] == ["root", "lab"]


def test_a_file_that_is_not_a_cassette_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n", encoding="utf-8")
    with pytest.raises(FMGValueError, match=r"notes\.txt, line 1: not JSON"):
        read_cassette(path)
    with pytest.raises(ValueError, match=r"notes\.txt, line 1: not JSON"):
        FMGSimulator(replay=path)
    with pytest.raises(FMGValueError, match="cannot write the cassette"):
        FortiManager("127.0.0.1:1", "admin", "x", record=tmp_path / "no" / "such" / "dir.jsonl")


def test_main_replays_and_seeds_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import threading

    from pyfmg.testing.__main__ import build_parser, run

    path = tmp_path / "session.jsonl"
    record_session(path)
    args = build_parser().parse_args(["--replay", str(path), "--seed", str(path)])
    assert (args.replay, args.seed) == (str(path), str(path))
    stop = threading.Event()
    stop.set()
    assert run(["--seed", str(path)], stop=stop) == 0
    assert "FortiManager simulator on http://127.0.0.1:" in capsys.readouterr().out


def test_the_command_line_records_with_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pyfmg import cli

    path = tmp_path / "cli.jsonl"
    with FMGSimulator(users=USERS) as sim:
        monkeypatch.setenv("PYFMG_HOST", sim.host)
        monkeypatch.setenv("PYFMG_USER", "admin")
        monkeypatch.setenv("PYFMG_PASSWORD", PASSWORD)
        assert cli.main(["--http", "--record", str(path), "get", "sys/status"]) == 0
    capsys.readouterr()
    urls = [e["request"]["params"][0]["url"] for e in read_cassette(path)]
    assert "sys/status" in urls and PASSWORD not in path.read_text(encoding="utf-8")
