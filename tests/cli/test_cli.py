"""The ``pyfmg`` command line, run in-process against the simulator."""

from __future__ import annotations

import io
import json
import pathlib

import pytest

from pyfmg import cli
from pyfmg.progress import ProgressBar
from pyfmg.testing import FMGSimulator

ADDRESSES = "pm/config/adom/root/obj/firewall/address"


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, fmg_simulator: FMGSimulator) -> None:
    for name in ("PYFMG_HOST", "PYFMG_USER", "PYFMG_PASSWORD", "PYFMG_APIKEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYFMG_HOST", fmg_simulator.host)
    monkeypatch.setenv("PYFMG_USER", "admin")
    monkeypatch.setenv("PYFMG_PASSWORD", "password")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(["--http", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_add_then_get_with_fields_and_filter(capsys: pytest.CaptureFixture[str], fmg_simulator: FMGSimulator) -> None:
    status, out, _ = run(capsys, "add", ADDRESSES, "--data", '{"name": "h1", "subnet": "10.0.0.1/32"}')
    assert (status, json.loads(out)) == (0, {"name": "h1"})
    status, out, err = run(capsys, "get", ADDRESSES, "--fields", "name", "subnet", "--filter", '["name","==","h1"]')
    assert status == 0 and err == ""
    assert json.loads(out) == [
        {"name": "h1", "oid": json.loads(out)[0]["oid"], "subnet": ["10.0.0.1", "255.255.255.255"]}
    ]
    status, out, _ = run(capsys, "get", ADDRESSES, "--option", "count")
    assert json.loads(out) == 3
    assert fmg_simulator.sessions == {}  # every command logs out


def test_data_from_file_and_error_status(capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path) -> None:
    payload = tmp_path / "addr.json"
    payload.write_text(json.dumps([{"name": "f1"}]))
    assert run(capsys, "set", ADDRESSES, "--data", f"@{payload}")[0] == 0
    status, out, err = run(capsys, "add", ADDRESSES, "--data", f"@{payload}")
    assert status == 1 and out == ""
    assert "code -2" in err and "Object already exists" in err
    status, out, err = run(capsys, "delete", f"{ADDRESSES}/f1")
    assert status == 0
    assert run(capsys, "get", f"{ADDRESSES}/f1")[0] == 1


def test_bad_json_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["add", ADDRESSES, "--data", "{oops"])
    assert exit_info.value.code == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_free_form(capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path) -> None:
    params = tmp_path / "params.json"
    params.write_text(json.dumps([{"url": "sys/status"}, {"url": f"{ADDRESSES}/missing"}]))
    status, out, err = run(capsys, "free-form", "get", f"@{params}")
    results = json.loads(out)
    assert [r["status"]["code"] for r in results] == [0, -3]
    assert status == 1 and "missing" in err


@pytest.mark.fmg_simulator(workspace_mode="normal", api_keys=("CLI-KEY",))
def test_lock_commit_unlock_with_an_api_key_keep_state_between_commands(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmg_simulator: FMGSimulator
) -> None:
    monkeypatch.setenv("PYFMG_APIKEY", "CLI-KEY")
    assert run(capsys, "lock", "root")[0] == 0
    assert list(fmg_simulator.locks) == ["root"]  # still held after the command ended
    assert run(capsys, "add", ADDRESSES, "--data", '{"name": "locked-add"}')[0] == 0
    assert run(capsys, "commit", "root")[0] == 0
    status, out, _ = run(capsys, "unlock", "root")
    assert status == 0 and json.loads(out)["status"]["code"] == 0
    assert fmg_simulator.locks == {}
    assert fmg_simulator.objects(f"{ADDRESSES}/locked-add")["name"] == "locked-add"
    assert run(capsys, "lock", "root", "--package", "default")[0] == 0
    assert list(fmg_simulator.locks) == ["root/pkg/default"]


@pytest.mark.fmg_simulator(task_duration=0.3)
def test_track_task_draws_progress_and_prints_the_task(capsys: pytest.CaptureFixture[str]) -> None:
    data = '{"adom": "root", "pkg": "default", "scope": [{"name": "FGT-01", "vdom": "root"}]}'
    status, out, _ = run(capsys, "exec", "securityconsole/install/package", "--data", data)
    task_id = json.loads(out)["task"]
    status, out, err = run(capsys, "track-task", str(task_id), "--interval", "0.05")
    assert status == 0
    assert json.loads(out)["percent"] == 100
    assert f"task {task_id} [" in err and "100%" in err


@pytest.mark.fmg_simulator(task_duration=0)
def test_track_task_fails_when_the_task_has_errors(capsys: pytest.CaptureFixture[str]) -> None:
    data = '{"adom": "root", "pkg": "default", "scope": [{"name": "ghost"}]}'
    task_id = json.loads(run(capsys, "exec", "securityconsole/install/package", "--data", data)[1])["task"]
    status, out, err = run(capsys, "track-task", str(task_id))
    assert status == 1 and json.loads(out)["num_err"] == 1
    assert "1 error" in err


def test_password_is_prompted_when_not_in_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYFMG_PASSWORD")
    prompts: list[str] = []

    def fake_getpass(prompt: str) -> str:
        prompts.append(prompt)
        return "password"

    monkeypatch.setattr(cli.getpass, "getpass", fake_getpass)
    assert run(capsys, "get", "sys/status")[0] == 0
    assert prompts and "admin@" in prompts[0]


def test_wrong_password_and_missing_host(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYFMG_PASSWORD", "wrong-secret")
    status, out, err = run(capsys, "get", "sys/status")
    assert status == 3 and out == "" and err.startswith("error:")
    assert "wrong-secret" not in err
    monkeypatch.delenv("PYFMG_HOST")
    status, _, err = run(capsys, "get", "sys/status")
    assert status == 2 and "PYFMG_HOST" in err


def test_no_password_option_exists() -> None:
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["--password", "x", "get", "sys/status"])


def test_demo_runs_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--task-duration", "0.3"]) == 0
    captured = capsys.readouterr()
    assert "Demo finished: install succeeded." in captured.out
    assert "sessions left on the FortiManager: 0" in captured.out
    assert "100%" in captured.err


def test_sim_command_hands_over_to_the_simulator(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr("pyfmg.testing.__main__.run", lambda argv, prog: seen.append(argv) or 0)
    assert cli.main(["sim", "--workspace-mode", "normal"]) == 0
    assert seen == [["--workspace-mode", "normal"]]


def test_progress_bar_on_a_pipe_writes_one_line_per_ten_percent() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, "t")
    for percent in (0, 3, 9, 10, 55, 100, 100):
        bar.update(percent)
    bar.close()
    assert [line.split("]")[1].split("%")[0].strip() for line in stream.getvalue().splitlines()] == [
        "0",
        "10",
        "55",
        "100",
    ]


@pytest.mark.fmg_simulator(workspace_mode="normal")
def test_lock_with_a_password_session_says_it_will_not_last(
    capsys: pytest.CaptureFixture[str], fmg_simulator: FMGSimulator
) -> None:
    status, out, err = run(capsys, "lock", "root")
    assert status == 0 and json.loads(out)["status"]["code"] == 0
    assert "releases this lock" in err
    assert fmg_simulator.locks == {}  # the session ended, and its lock with it


@pytest.mark.fmg_simulator(task_duration=0)
def test_free_form_with_create_task(capsys: pytest.CaptureFixture[str], tmp_path: pathlib.Path) -> None:
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"params": [{"url": ADDRESSES, "data": {"name": "via-task"}}]}))
    status, out, _ = run(capsys, "free-form", "add", f"@{params}", "--create-task", '{"adom": "root"}')
    (result,) = json.loads(out)
    assert status == 0 and "task" in result["data"]
    status, out, _ = run(capsys, "get", f"{ADDRESSES}/via-task")
    assert json.loads(out)["name"] == "via-task"


def test_verbose_asks_for_enum_names(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--verbose", "get", "/cli/global/system/global", "--fields", "workspace-mode")
    assert (status, json.loads(out)) == (0, {"workspace-mode": "disabled"})
    status, out, _ = run(capsys, "get", "/cli/global/system/global", "--fields", "workspace-mode")
    assert (status, json.loads(out)) == (0, {"workspace-mode": 0})
