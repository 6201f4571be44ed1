"""Run the real ansible-playbook against simulators living in the test process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
COLLECTION = REPO / "ansible_collections" / "pyfmg" / "fortimanager"
EXAMPLES = REPO / "docs" / "examples" / "ansible"
PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"
BIN = Path(sys.executable).parent

# Distinctive so that a leak into any output is found by a plain substring search.
PASSWORD = "pw-Zq81-never-print-me"
API_KEY = "apikey-6b1f0c9e2d4a7f3b8e5c1d0a9f7e6b2c"
OTHER_ADMIN = ("other-admin", "other-pw-4411")

RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
    r"\s+failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)",
    re.MULTILINE,
)
FAILED_RESULT = re.compile(r"fatal: \[(?P<host>[^\]]+)\]: FAILED! => ")


def _netcommon_root() -> str | None:
    """The directory holding ansible_collections/ansible/netcommon (the pip package ``ansible`` ships it)."""
    for entry in sys.path:
        if entry and (Path(entry) / "ansible_collections" / "ansible" / "netcommon").is_dir():
            return entry
    return None


#: Where ``connection: httpapi`` comes from (ansible.netcommon); None when it is not installed.
NETCOMMON_ROOT = _netcommon_root()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ansible: runs ansible-core tools (several seconds each)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/ansible/ starts Ansible tools; "-m 'not ansible'" skips them.
    here = Path(__file__).resolve().parent
    in_process = ("test_module_utils", "test_httpapi_plugin")
    for item in items:
        if Path(str(item.fspath)).resolve().parent == here and not any(name in item.nodeid for name in in_process):
            item.add_marker(pytest.mark.ansible)


def ansible_tool(name: str) -> Path:
    tool = BIN / name
    if not tool.exists():
        pytest.skip(f"{name} is not installed next to {sys.executable} (pip install 'pyfmg[ansible]')")
    return tool


def ansible_env(workdir: Path, forks: int = 3) -> dict[str, str]:
    """Environment that points Ansible at the repository's collection and skips what is slow."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "PYFMG_"))}
    config = workdir / "ansible.cfg"
    if not config.exists():
        config.write_text("[defaults]\n")
    # The httpapi connection's socket: a Unix socket path has at most 107 bytes, which a TMPDIR like
    # macOS's (/var/folders/.../T/pytest-of-.../test_name0/ansible-home/pc/...) passes. Sockets are
    # named by host, port, user and the playbook's pid, so one short folder per user serves every run
    # (/tmp, not TMPDIR: an Ansible controller is a POSIX system).
    sockets = Path("/tmp") / f"pyfmg-ansible-{os.getuid()}"
    sockets.mkdir(mode=0o700, exist_ok=True)
    env.update(
        {
            "ANSIBLE_PERSISTENT_CONTROL_PATH_DIR": str(sockets),
            # The repository's collection first, then ansible.netcommon for connection: httpapi.
            "ANSIBLE_COLLECTIONS_PATH": os.pathsep.join([str(REPO), *([NETCOMMON_ROOT] if NETCOMMON_ROOT else [])]),
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
            "ANSIBLE_HOME": str(workdir / "ansible-home"),
            "ANSIBLE_LOCAL_TEMP": str(workdir / "ansible-tmp"),
            "ANSIBLE_REMOTE_TEMP": str(workdir / "ansible-remote-tmp"),
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_FORKS": str(forks),
            "ANSIBLE_GATHERING": "explicit",
            "ANSIBLE_PIPELINING": "true",
            "ANSIBLE_HOST_KEY_CHECKING": "false",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_NOCOLOR": "true",
            "ANSIBLE_FORCE_COLOR": "false",
            "ANSIBLE_DEPRECATION_WARNINGS": "false",
            "ANSIBLE_SYSTEM_WARNINGS": "false",
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_STDOUT_CALLBACK": "default",
            "ANSIBLE_INVENTORY_ENABLED": "yaml",
            "ANSIBLE_CONFIG": str(config),
        }
    )
    return env


def write_inventory(path: Path, hosts: dict[str, dict[str, Any]]) -> Path:
    """YAML (written as JSON, which YAML reads) inventory with one group ``fortimanagers``."""
    path.write_text(json.dumps({"fortimanagers": {"hosts": hosts}}, indent=2))
    return path


@dataclass
class PlaybookRun:
    returncode: int
    output: str
    recap: dict[str, dict[str, int]] = field(default_factory=dict)

    def failures(self) -> dict[str, list[dict[str, Any]]]:
        """Every ``FAILED! => {...}`` result of the run, by host."""
        found: dict[str, list[dict[str, Any]]] = {}
        decoder = json.JSONDecoder()
        for match in FAILED_RESULT.finditer(self.output):
            result, _ = decoder.raw_decode(self.output, match.end())
            found.setdefault(match.group("host"), []).append(result)
        return found


def run_playbook(
    playbook: Path, inventory: Path, workdir: Path, *args: str, forks: int = 3, timeout: float = 120
) -> PlaybookRun:
    (run,) = run_playbooks([(playbook, inventory, workdir, *args)], forks=forks, timeout=timeout)
    return run


def run_playbooks(runs: list[tuple[Any, ...]], forks: int = 3, timeout: float = 120) -> list[PlaybookRun]:
    """Several ansible-playbook runs at once, each ``(playbook, inventory, workdir, *args)``.

    Runs that do not depend on each other share the cores this way instead of adding up.
    """
    processes = []
    for playbook, inventory, workdir, *args in runs:
        command = [str(ansible_tool("ansible-playbook")), "-i", str(inventory), str(playbook), *args]
        processes.append(
            subprocess.Popen(
                command,
                env=ansible_env(workdir, forks),
                cwd=workdir,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    results = []
    try:
        for process in processes:
            output, _ = process.communicate(timeout=timeout)
            recap = {
                match.group("host"): {name: int(value) for name, value in match.groupdict().items() if name != "host"}
                for match in RECAP.finditer(output)
            }
            results.append(PlaybookRun(process.returncode, output, recap))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    return results


@pytest.fixture
def simulators() -> Iterator[list[Any]]:
    """Three FortiManagers in workspace mode, each with an admin (password) and an API key."""
    simulator_module = pytest.importorskip("pyfmg.testing")
    sims = [
        simulator_module.FMGSimulator(
            users={"admin": PASSWORD, OTHER_ADMIN[0]: OTHER_ADMIN[1]},
            api_keys=(API_KEY,),
            workspace_mode="normal",
            adoms=("root", "branch"),
            task_duration=0.2,
        )
        for _ in range(3)
    ]
    started = []
    try:
        for sim in sims:
            sim.start()
            started.append(sim)
        yield sims
    finally:
        for sim in started:
            sim.stop()


def httpapi_hosts(sims: list[Any], network_os: str = "pyfmg.fortimanager.fortimanager") -> dict[str, dict[str, Any]]:
    """The inventory a fortinet.fortimanager user writes, with ``network_os``'s plugin: one login per host per play."""
    if NETCOMMON_ROOT is None:
        pytest.skip("connection: httpapi needs the ansible.netcommon collection (pip install ansible)")
    hosts: dict[str, dict[str, Any]] = {}
    for number, sim in enumerate(sims, start=1):
        address, port = sim.host.rsplit(":", 1)
        hosts[f"fmg{number}"] = {
            "ansible_host": address,
            "ansible_httpapi_port": int(port),
            # Ansible names the connection's socket after address, ansible_port and user: without
            # it, simulators sharing 127.0.0.1 would share one connection.
            "ansible_port": int(port),
            "ansible_connection": "httpapi",
            "ansible_network_os": network_os,
            "ansible_user": "admin",
            "ansible_password": PASSWORD,
            "ansible_httpapi_use_ssl": False,
            "ansible_python_interpreter": sys.executable,
        }
    return hosts


def login_count(sim: Any) -> int:
    """How many times someone logged in to ``sim`` (exec sys/login/user)."""
    count = 0
    for request in sim.requests:
        body = request.json
        if isinstance(body, dict) and body.get("method") == "exec":
            count += sum(
                1
                for param in body.get("params") or []
                if isinstance(param, dict) and str(param.get("url", "")).strip("/") == "sys/login/user"
            )
    return count


def session_ids(sim: Any) -> set[str]:
    """Every session id a client sent to ``sim``: none of them may appear in Ansible's output."""
    return {
        str(request.json["session"])
        for request in sim.requests
        if isinstance(request.json, dict) and request.json.get("session")
    }


def inventory_hosts(sims: list[Any]) -> dict[str, dict[str, Any]]:
    """fmg1/fmg2 log in with a password, fmg3 uses the API key."""
    hosts: dict[str, dict[str, Any]] = {}
    for number, sim in enumerate(sims, start=1):
        host: dict[str, Any] = {
            "fmg_host": sim.host,
            "fmg_use_ssl": False,
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
        }
        if number == 3:
            host["fmg_api_key"] = API_KEY
        else:
            host.update({"fmg_user": "admin", "fmg_password": PASSWORD})
        hosts[f"fmg{number}"] = host
    return hosts
