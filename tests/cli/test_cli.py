"""The ``pyfmg`` command line, run in-process against the simulator: commands, exit statuses, output."""

from __future__ import annotations

import io
import json
import pathlib
import shutil
import socket
import subprocess
import warnings

import pytest

from pyfmg import cli
from pyfmg.cli import commands
from pyfmg.cli.arguments import build_parser
from pyfmg.progress import ProgressBar
from pyfmg.testing import FMGSimulator

from .helpers import one_error_line, run

ADDRESSES = "pm/config/adom/root/obj/firewall/address"
INSTALL = '{"adom": "root", "pkg": "default", "scope": [{"name": "FGT-01", "vdom": "root"}]}'
FAILING_INSTALL = '{"adom": "root", "pkg": "default", "scope": [{"name": "ghost"}]}'


# --- exit 0 and the commands -------------------------------------------------------------------------


def test_add_then_get_with_fields_and_filter(env: dict[str, str], fmg_simulator: FMGSimulator) -> None:
    status, out, _ = run(env, "add", ADDRESSES, "--data", '{"name": "h1", "subnet": "10.0.0.1/32"}')
    assert (status, json.loads(out)) == (0, {"name": "h1"})
    status, out, err = run(env, "get", ADDRESSES, "--fields", "name", "subnet", "--filter", '["name","==","h1"]')
    assert status == 0 and err == ""
    assert [(row["name"], row["subnet"]) for row in json.loads(out)] == [("h1", ["10.0.0.1", "255.255.255.255"])]
    assert json.loads(run(env, "get", ADDRESSES, "--option", "count")[1]) == 3
    assert fmg_simulator.sessions == {}  # every command logs out


def test_global_options_after_the_command(env: dict[str, str], fmg_simulator: FMGSimulator) -> None:
    del env["PYFMG_HOST"]
    status, out, _ = run(env, "get", "sys/status", "--host", fmg_simulator.host, "--http", "-o", "jsonl")
    assert status == 0 and json.loads(out)["Hostname"]
    status, out, _ = run(env, "--host", fmg_simulator.host, "get", "sys/status", "--http")
    assert status == 0


def test_output_formats(env: dict[str, str]) -> None:
    for name in ("t1", "t2"):
        run(env, "add", ADDRESSES, "--data", json.dumps({"name": name, "subnet": "10.0.0.1/32"}))
    query = ("get", ADDRESSES, "--fields", "name", "subnet", "--filter", '["name","like","t%"]')
    lines = run(env, *query, "--output", "jsonl")[1].splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["t1", "t2"]
    table = run(env, *query, "--output", "table")[1].splitlines()
    assert table[0].split() == ["name", "oid", "subnet"] or table[0].split()[0] == "name"
    assert table[2].startswith("t1") and "10.0.0.1 255.255.255.255" in table[2]
    single = run(env, "get", "sys/status", "-o", "table")[1]
    assert single.splitlines()[0].split() == ["name", "value"] and "Hostname" in single


def test_data_from_file_and_delete(env: dict[str, str], tmp_path: pathlib.Path) -> None:
    payload = tmp_path / "addr.json"
    payload.write_text(json.dumps([{"name": "f1"}]))
    assert run(env, "set", ADDRESSES, "--data", f"@{payload}")[0] == 0
    assert run(env, "delete", f"{ADDRESSES}/f1")[0] == 0


def test_free_form(env: dict[str, str], tmp_path: pathlib.Path) -> None:
    params = tmp_path / "params.json"
    params.write_text(json.dumps([{"url": "sys/status"}, {"url": f"{ADDRESSES}/missing"}]))
    status, out, err = run(env, "free-form", "get", f"@{params}")
    assert [r["status"]["code"] for r in json.loads(out)] == [0, -3]
    assert status == 1 and "missing" in one_error_line(err)


@pytest.mark.fmg_simulator(task_duration=0)
def test_free_form_with_create_task(env: dict[str, str], tmp_path: pathlib.Path) -> None:
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"params": [{"url": ADDRESSES, "data": {"name": "via-task"}}]}))
    status, out, _ = run(env, "free-form", "add", f"@{params}", "--create-task", '{"adom": "root"}')
    (result,) = json.loads(out)
    assert status == 0 and "task" in result["data"]
    assert json.loads(run(env, "get", f"{ADDRESSES}/via-task")[1])["name"] == "via-task"


@pytest.mark.fmg_simulator(workspace_mode="normal", api_keys=("CLI-KEY",))
def test_lock_commit_unlock_with_an_api_key_keep_state_between_commands(
    env: dict[str, str], fmg_simulator: FMGSimulator
) -> None:
    env["PYFMG_APIKEY"] = "CLI-KEY"
    assert run(env, "lock", "root")[0] == 0
    assert list(fmg_simulator.locks) == ["root"]  # still held after the command ended
    assert run(env, "add", ADDRESSES, "--data", '{"name": "locked-add"}')[0] == 0
    assert run(env, "commit")[0] == 0  # the ADOM defaults to --adom / PYFMG_ADOM / root
    status, out, _ = run(env, "unlock", "root")
    assert status == 0 and json.loads(out)["status"]["code"] == 0
    assert fmg_simulator.locks == {}
    assert fmg_simulator.objects(f"{ADDRESSES}/locked-add")["name"] == "locked-add"
    assert run(env, "lock", "root", "--package", "default")[0] == 0
    assert list(fmg_simulator.locks) == ["root/pkg/default"]


@pytest.mark.fmg_simulator(workspace_mode="normal")
def test_lock_with_a_password_is_refused_and_workspace_does_it_in_one_command(
    env: dict[str, str], fmg_simulator: FMGSimulator
) -> None:
    status, out, err = run(env, "lock", "root")
    assert status == 2 and out == "" and "API key" in one_error_line(err) and "--workspace" in err
    assert fmg_simulator.requests == []  # refused before connecting
    status, _, _ = run(env, "add", ADDRESSES, "--data", '{"name": "ws1"}', "--workspace")
    assert status == 0 and fmg_simulator.objects(f"{ADDRESSES}/ws1")["name"] == "ws1"
    assert fmg_simulator.locks == {} and fmg_simulator.sessions == {}


def test_enum_names(env: dict[str, str]) -> None:
    status, out, _ = run(env, "--enum-names", "get", "/cli/global/system/global", "--fields", "workspace-mode")
    assert (status, json.loads(out)) == (0, {"workspace-mode": "disabled"})
    status, out, _ = run(env, "get", "/cli/global/system/global", "--fields", "workspace-mode")
    assert (status, json.loads(out)) == (0, {"workspace-mode": 0})


# --- tasks: exit 0, 4 and 5 --------------------------------------------------------------------------


@pytest.mark.fmg_simulator(task_duration=0.3)
def test_track_task_draws_progress_and_prints_the_task(env: dict[str, str]) -> None:
    task_id = json.loads(run(env, "exec", "securityconsole/install/package", "--data", INSTALL)[1])["task"]
    status, out, err = run(env, "track-task", str(task_id), "--interval", "0.05")
    assert status == 0 and json.loads(out)["percent"] == 100
    assert f"task {task_id} [" in err and "100% done" in err
    assert len(err.splitlines()) <= 3  # not a line per poll: one per change of state


@pytest.mark.fmg_simulator(task_duration=0)
def test_track_task_exits_4_when_the_task_failed(env: dict[str, str]) -> None:
    task_id = json.loads(run(env, "exec", "securityconsole/install/package", "--data", FAILING_INSTALL)[1])["task"]
    status, out, err = run(env, "track-task", str(task_id))
    assert status == 4 and json.loads(out)["num_err"] == 1
    assert err.splitlines()[-1] == f"error: task {task_id} failed: it ended in state 'error' with 1 error"


@pytest.mark.fmg_simulator(task_duration=60)
def test_track_task_exits_5_while_the_task_still_runs(env: dict[str, str]) -> None:
    task_id = json.loads(run(env, "exec", "securityconsole/install/package", "--data", INSTALL)[1])["task"]
    status, out, err = run(env, "track-task", str(task_id), "--wait", "0.01", "--interval", "0.01")
    assert status == 5 and json.loads(out)["percent"] < 100
    assert "still" in err.splitlines()[-1]


@pytest.mark.fmg_simulator(task_duration=0.2)
def test_exec_wait_follows_the_task(env: dict[str, str]) -> None:
    status, out, _ = run(env, "exec", "securityconsole/install/package", "--data", INSTALL, "--wait")
    assert status == 0 and json.loads(out)["percent"] == 100
    status, out, _ = run(env, "exec", "securityconsole/install/package", "--data", FAILING_INSTALL, "--wait")
    assert status == 4


# --- exit 1, 2, 3 and 130 ----------------------------------------------------------------------------


def test_fortimanager_error_exits_1(env: dict[str, str]) -> None:
    assert run(env, "add", ADDRESSES, "--data", '{"name": "dup"}')[0] == 0
    status, out, err = run(env, "add", ADDRESSES, "--data", '{"name": "dup"}')
    assert status == 1 and out == ""
    assert "code -2" in one_error_line(err) and "Object already exists" in err


def test_refused_login_exits_1_without_the_password(env: dict[str, str]) -> None:
    env["PYFMG_PASSWORD"] = "wrong-secret"
    status, out, err = run(env, "get", "sys/status")
    assert status == 1 and out == ""
    assert "login" in one_error_line(err) and "wrong-secret" not in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["add", ADDRESSES, "--data", "{oops"], "not valid JSON"),
        (["get"], "required: url"),
        (["get", "x", "--bogus"], "unrecognized arguments: --bogus"),
        (["--timeout", "inf", "get", "x"], "finite"),
        (["--timeout", "0", "get", "x"], "greater than 0"),
        (["--host", "ftp://h", "get", "x"], "scheme"),
        (["--host", "https://h", "--http", "get", "x"], "contradicts"),
        (["--insecure", "--ca-cert", "ca.pem", "get", "x"], "contradict"),
    ],
)
def test_usage_errors_exit_2_with_one_line(env: dict[str, str], argv: list[str], expected: str) -> None:
    status, out, err = run(env, *argv)
    assert status == 2 and out == ""
    assert expected in one_error_line(err)


def test_no_password_and_no_terminal_is_a_usage_error(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    del env["PYFMG_PASSWORD"]
    monkeypatch.setattr(cli, "_interactive", lambda: False)
    status, _, err = run(env, "get", "sys/status")
    assert status == 2 and "no terminal" in one_error_line(err) and "PYFMG_PASSWORD" in err


def test_password_is_asked_for_on_a_terminal(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    del env["PYFMG_PASSWORD"]
    prompts: list[str] = []
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or "password")
    assert run(env, "get", "sys/status")[0] == 0
    assert prompts and "admin@127.0.0.1" in prompts[0]


def test_missing_host_and_user(env: dict[str, str]) -> None:
    host = env.pop("PYFMG_HOST")
    status, _, err = run(env, "get", "sys/status")
    assert status == 2 and "PYFMG_HOST" in one_error_line(err)
    env["PYFMG_HOST"] = host
    del env["PYFMG_USER"], env["PYFMG_PASSWORD"]
    status, _, err = run(env, "get", "sys/status")
    assert status == 2 and "--user" in one_error_line(err)


def test_no_password_option_exists(env: dict[str, str]) -> None:
    """A password on the command line would show in the process list and the shell history."""
    assert not [flag for action in build_parser()._actions for flag in action.option_strings if "pass" in flag]
    assert run(env, "get", "sys/status", "--password", "x")[0] == 2


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_connection_refused_exits_3(env: dict[str, str]) -> None:
    env["PYFMG_HOST"] = f"http://127.0.0.1:{closed_port()}"
    status, out, err = run(env, "get", "sys/status")
    assert status == 3 and out == "" and "127.0.0.1" in one_error_line(err)


def test_https_to_a_plain_http_server_exits_3_with_a_hint(env: dict[str, str], fmg_simulator: FMGSimulator) -> None:
    env["PYFMG_HOST"] = fmg_simulator.host  # no scheme: HTTPS, the default
    status, _, err = run(env, "get", "sys/status")
    assert status == 3 and "http://" in one_error_line(err)


@pytest.mark.fmg_simulator(tls=True)
def test_untrusted_certificate_exits_3_and_ca_cert_or_insecure_fix_it(
    env: dict[str, str], fmg_simulator: FMGSimulator
) -> None:
    env["PYFMG_HOST"] = f"https://{fmg_simulator.host}"
    status, _, err = run(env, "get", "sys/status")
    assert status == 3 and "--ca-cert" in one_error_line(err)
    assert run(env, "get", "sys/status", "--ca-cert", str(fmg_simulator.ca_cert_path))[0] == 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        status, _, err = run(env, "get", "sys/status", "--insecure")
    assert status == 0 and "not checked" in err
    assert not [w for w in caught if "not verified" in str(w.message)]  # said once, in the command's words


@pytest.mark.fmg_simulator(latency=0.5)
def test_timeout_exits_3(env: dict[str, str]) -> None:
    status, _, err = run(env, "--timeout", "0.1", "get", "sys/status")
    assert status == 3 and "0.1" in one_error_line(err)


def test_interrupt_exits_130(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setitem(commands.COMMANDS, "get", interrupted)
    status, _, err = run(env, "get", "sys/status")
    assert status == 130 and err == "interrupted\n"


def test_a_refused_redirect_exits_3_naming_the_target(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from pyfmg import FMGRedirectRefused

    def redirected(*_: object) -> int:
        raise FMGRedirectRefused("get sys/status: HTTP 301", status=301, location="https://fmg.example.com/jsonrpc")

    monkeypatch.setitem(commands.COMMANDS, "get", redirected)
    status, _, err = run(env, "get", "sys/status")
    assert status == 3 and "redirects to https://fmg.example.com/jsonrpc" in one_error_line(err)


def test_debug_adds_the_traceback(env: dict[str, str]) -> None:
    env["PYFMG_HOST"] = f"http://127.0.0.1:{closed_port()}"
    status, _, err = run(env, "--debug", "get", "sys/status")
    assert status == 3 and "Traceback" in err and err.splitlines()[-1].startswith("error: ")


# --- odds and ends -----------------------------------------------------------------------------------


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("pyfmg ")
    assert cli.main(["track-task", "--help"]) == 0
    assert "the task number" in capsys.readouterr().out  # positional arguments have help texts


def test_demo_runs_end_to_end() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["demo", "--task-duration", "0.3"], out=out, err=err) == 0
    assert "Demo finished: install succeeded." in out.getvalue()
    assert "sessions left on the FortiManager: 0" in out.getvalue()
    assert "100%" in err.getvalue()


def test_sim_command_hands_over_to_the_simulator(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr("pyfmg.testing.__main__.run", lambda argv, prog, parser_class: seen.append(argv) or 0)
    assert cli.main(["sim", "--workspace-mode", "normal"]) == 0
    assert seen == [["--workspace-mode", "normal"]]


def test_progress_bar_on_a_pipe_writes_one_line_per_change_of_state() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, "t")
    for percent, state in [(0, "pending"), (3, "running"), (9, "running"), (55, "running"), (100, "done")]:
        bar.update(percent, state=state)
    bar.close()
    assert [line.split("%")[1].split()[0] for line in stream.getvalue().splitlines()] == ["pending", "running", "done"]


def test_progress_bar_on_a_terminal_redraws_one_line() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = ProgressBar(stream, "t")
    for percent in (0, 50, 100):
        bar.update(percent)
    bar.close()
    assert stream.getvalue().count("\r\x1b[2K") == 3 and stream.getvalue().count("\n") == 1


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_completes_commands_and_options(tmp_path: pathlib.Path) -> None:
    script = tmp_path / "pyfmg.bash"
    out = io.StringIO()
    assert cli.main(["completion", "bash"], out=out) == 0
    script.write_text(out.getvalue())

    def complete(*words: str) -> list[str]:
        line = " ".join(f"'{w}'" for w in words)
        probe = f"source {script}; COMP_WORDS=(pyfmg {line}); COMP_CWORD={len(words)}; _pyfmg; echo ${{COMPREPLY[@]}}"
        done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=10, check=True)
        return done.stdout.split()

    assert "track-task" in complete("tr")
    assert complete("--host", "h", "get", "--fi") == ["--fields", "--filter"]
    assert complete("exec", "--w") == ["--wait", "--wait-timeout"]
    assert "zsh" in complete("completion", "")
    zsh = io.StringIO()
    cli.main(["completion", "zsh"], out=zsh)
    assert "bashcompinit" in zsh.getvalue()


def test_every_positional_argument_has_a_help_text() -> None:
    import argparse

    def walk(parser: argparse.ArgumentParser) -> list[str]:
        missing = [f"{parser.prog} {a.dest}" for a in parser._actions if not a.option_strings and not a.help]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    missing += walk(sub)
        return missing

    assert walk(build_parser()) == []


def test_verbose_logs_where_settings_came_from_without_secrets(env: dict[str, str]) -> None:
    env["PYFMG_PASSWORD"] = "s3cret-in-env"
    status, _, err = run(env, "-vv", "get", "sys/status")
    assert status == 1  # wrong password for the simulator, which is fine here
    assert "'password': 'environment'" in err and "'host': 'environment'" in err
    assert "s3cret-in-env" not in err
