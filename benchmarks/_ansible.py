"""Shared Ansible plumbing of the benchmarks that run ``ansible-playbook`` against simulators.

ansible_task_cpu.py, ansible_fanout.py and bench_ansible_jobs.py start ansible-playbook as a user
would, against simulators on 127.0.0.1. Each must find the collections the ``ansible`` pip package
installed, keep the user's own Ansible and pyfmg settings out of the run, describe a simulator as an
inventory host (``connection: httpapi`` or ``connection: local``) and read the play recap. That lives
once here, so that their figures come from plays run the same way and a fix reaches all of them.
"""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
PYFMG_NETWORK_OS = "pyfmg.fortimanager.fortimanager"
PR_SET_CHILD_SUBREAPER = 36
RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
    r"\s+failed=(?P<failed>\d+)",
    re.MULTILINE,
)


def collection_root(name: str) -> str | None:
    """The sys.path entry that holds ansible_collections/<name> (``"ansible.netcommon"``), or None.

    The pip package "ansible" installs them; ansible-playbook is told where (COLLECTIONS_PATH) instead
    of scanning sys.path, so that this repository's pyfmg.fortimanager is the one that runs.
    """
    for entry in sys.path:
        if entry and (Path(entry) / "ansible_collections" / Path(*name.split("."))).is_dir():
            return entry
    return None


def required_collection_root(name: str) -> str:
    """:func:`collection_root`, or the benchmark ends with a message when the collection is not installed."""
    root = collection_root(name)
    if root is None:
        sys.exit(f"the {name} collection is not installed: pip install ansible")
    return root


def playbook_environment(workdir: Path, forks: int, collections: Iterable[str] = ()) -> dict[str, str]:
    """The environment of an ansible-playbook run whose files live in ``workdir``.

    None of the caller's ``ANSIBLE_*`` or ``PYFMG_*`` variables; an empty ansible.cfg; this
    repository's collection (pyfmg.fortimanager) first, then the installed ``collections`` (names,
    each required); ``forks`` hosts at once, modules piped to this interpreter, no fact gathering.
    """
    config = workdir / "ansible.cfg"
    config.write_text("[defaults]\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "PYFMG_"))}
    paths = [str(REPO), *(required_collection_root(name) for name in collections)]
    env.update(
        {
            "ANSIBLE_CONFIG": str(config),
            "ANSIBLE_COLLECTIONS_PATH": os.pathsep.join(dict.fromkeys(paths)),
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
            "ANSIBLE_HOME": str(workdir / "home"),
            "ANSIBLE_LOCAL_TEMP": str(workdir / "tmp"),
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_FORKS": str(forks),
            "ANSIBLE_PIPELINING": "true",
            "ANSIBLE_GATHERING": "explicit",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_NOCOLOR": "true",
            "ANSIBLE_DEPRECATION_WARNINGS": "false",
        }
    )
    return env


def httpapi_host(
    sim_host: str, password: str, network_os: str = PYFMG_NETWORK_OS, user: str = "admin"
) -> dict[str, Any]:
    """Inventory variables for the simulator at ``sim_host`` (address:port) over ``connection: httpapi``.

    ``network_os``'s plugin (pyfmg's by default, or ``"fortinet.fortimanager.fortimanager"``) logs
    in once per host per play and the tasks share its session.
    """
    address, port = sim_host.rsplit(":", 1)
    return {
        "ansible_connection": "httpapi",
        "ansible_network_os": network_os,
        "ansible_host": address,
        "ansible_port": int(port),  # the connection's socket is named after it
        "ansible_httpapi_port": int(port),
        "ansible_httpapi_use_ssl": False,
        "ansible_user": user,
        "ansible_password": password,
        "ansible_python_interpreter": sys.executable,
    }


def local_host(sim_host: str) -> dict[str, Any]:
    """Inventory variables for the simulator at ``sim_host`` over ``connection: local``.

    Each module logs in itself, to the host's ``fmg_host`` (see :func:`local_module_defaults`).
    """
    return {"ansible_connection": "local", "fmg_host": sim_host, "ansible_python_interpreter": sys.executable}


def local_module_defaults(password: str, user: str = "admin") -> dict[str, Any]:
    """A play's ``module_defaults`` that point every pyfmg.fortimanager module at its host's ``fmg_host``."""
    return {
        "group/pyfmg.fortimanager.fortimanager": {
            "host": "{{ fmg_host }}",
            "username": user,
            "password": password,
            "use_ssl": False,
        }
    }


def inventory(hosts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """An inventory (YAML, which reads it written as JSON) of one group ``fortimanagers``: fmg01, fmg02, ..."""
    return {"fortimanagers": {"hosts": {f"fmg{number:02d}": host for number, host in enumerate(hosts, start=1)}}}


def run_playbook(
    inventory: Path, book: Path, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ansible-playbook (the one next to this interpreter) to its end; its output captured, not checked."""
    command = [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), str(book)]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)


def play_recap(stdout: str) -> dict[str, dict[str, int]]:
    """The PLAY RECAP of ansible-playbook's output: ``{host: {"ok", "changed", "unreachable", "failed"}}``."""
    return {
        match.group("host"): {name: int(value) for name, value in match.groupdict().items() if name != "host"}
        for match in RECAP.finditer(stdout)
    }


def become_subreaper() -> None:
    """Adopt the ansible-connection processes, which double-fork away from ansible-playbook (Linux)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed: the ansible-connection processes could not be adopted")
