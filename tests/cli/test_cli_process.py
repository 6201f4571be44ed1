"""The installed ``pyfmg`` command as a real process against the simulator: exit statuses and stderr."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys

import pytest

from pyfmg.testing import FMGSimulator

SCRIPT = shutil.which("pyfmg", path=str(pathlib.Path(sys.executable).parent))
COMMAND = [SCRIPT] if SCRIPT else [sys.executable, "-m", "pyfmg.cli"]


def environment(tmp_path: pathlib.Path, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYFMG_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), NETRC=str(tmp_path / "netrc"), **settings)
    return env


def pyfmg(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *argv], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60, check=False
    )


def test_get_prints_json_when_piped(fmg_simulator: FMGSimulator, tmp_path: pathlib.Path) -> None:
    env = environment(tmp_path, PYFMG_USER="admin", PYFMG_PASSWORD="password")
    done = pyfmg(env, "get", "sys/status", "--host", f"http://{fmg_simulator.host}")
    assert done.returncode == 0 and done.stderr == ""
    assert json.loads(done.stdout)["Hostname"]


def test_connection_refused_is_one_line_and_exit_3(tmp_path: pathlib.Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = environment(tmp_path, PYFMG_USER="admin", PYFMG_PASSWORD="password")
    done = pyfmg(env, "--host", f"http://127.0.0.1:{port}", "get", "sys/status")
    assert done.returncode == 3 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("error: ")


def test_no_password_without_a_terminal_is_a_usage_error(fmg_simulator: FMGSimulator, tmp_path: pathlib.Path) -> None:
    env = environment(tmp_path, PYFMG_HOST=f"http://{fmg_simulator.host}", PYFMG_USER="admin")
    done = pyfmg(env, "get", "sys/status")
    assert done.returncode == 2
    assert "EOFError" not in done.stderr and "no terminal" in done.stderr
    assert len(done.stderr.splitlines()) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
@pytest.mark.fmg_simulator(task_duration=60)
def test_ctrl_c_exits_130_and_logs_out(fmg_simulator: FMGSimulator, tmp_path: pathlib.Path) -> None:
    env = environment(
        tmp_path, PYFMG_HOST=f"http://{fmg_simulator.host}", PYFMG_USER="admin", PYFMG_PASSWORD="password"
    )
    env["PYTHONFAULTHANDLER"] = "1"  # SIGABRT prints where each thread is, should it ever hang
    data = '{"adom": "root", "pkg": "default", "scope": [{"name": "FGT-01", "vdom": "root"}]}'
    task_id = json.loads(pyfmg(env, "exec", "securityconsole/install/package", "--data", data).stdout)["task"]
    # Started from a shell's background job ("pytest &"), this process ignores SIGINT, and so would
    # the command: exec it with SIGINT's default disposition, as a terminal's Ctrl-C finds it.
    with_ctrl_c = (
        "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", with_ctrl_c, *COMMAND, "track-task", str(task_id), "--interval", "0.05"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert process.stderr is not None
        first_line = process.stderr.readline()  # the progress bar's first line: the task is being followed
        assert f"task {task_id}" in first_line
        process.send_signal(signal.SIGINT)
        try:
            _, rest = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)
            pytest.fail(f"still running 30 s after SIGINT; its threads:\n{process.communicate(timeout=10)[1]}")
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130 and rest.strip().endswith("interrupted")
    assert fmg_simulator.sessions == {}  # logged out on the way out


def test_python_m_pyfmg_is_the_command(fmg_simulator: FMGSimulator, tmp_path: pathlib.Path) -> None:
    env = environment(tmp_path, PYFMG_USER="admin", PYFMG_PASSWORD="password")
    argv = ("get", "sys/status", "--host", f"http://{fmg_simulator.host}")
    done = subprocess.run(
        [sys.executable, "-m", "pyfmg", *argv], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    status = json.loads(done.stdout)
    assert done.returncode == 0 and status["Hostname"] == json.loads(pyfmg(env, *argv).stdout)["Hostname"]
    done = subprocess.run(
        [sys.executable, "-m", "pyfmg", "get", "x", "--bogus"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and done.stderr.startswith("error: ")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_sim_stopped_with_sigterm_removes_its_ca_and_says_workspace_mode_is_off(tmp_path: pathlib.Path) -> None:
    process = subprocess.Popen(
        [*COMMAND, "sim", "--tls"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=environment(tmp_path),
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(5)]  # url, host, CA, workspace mode, Ctrl-C
        ca_line = next(line for line in banner if "CA certificate:" in line)
        ca_folder = pathlib.Path(ca_line.split("CA certificate:", 1)[1].strip()).parent
        assert ca_folder.is_dir()
        assert any("workspace mode: disabled" in line and "--workspace-mode normal" in line for line in banner)
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0 and not ca_folder.exists()


def test_sim_help_says_workspace_mode_is_off_by_default() -> None:
    done = subprocess.run([*COMMAND, "sim", "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "disabled by default" in text and "-9" in text and "normal" in text
