"""The collection as Ansible tooling sees it: docs render, it builds and installs, modules start."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

from .conftest import COLLECTION, PASSWORD, ansible_env, ansible_tool

MODULES = ("fmg_object", "fmg_rpc", "fmg_install", "fmg_info")


def run(command: list[str], workdir: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, env=env or ansible_env(workdir), cwd=workdir, capture_output=True, text=True, timeout=120, check=False
    )


def test_ansible_doc_renders_every_module(tmp_path: Path) -> None:
    names = [f"pyfmg.fortimanager.{name}" for name in MODULES]
    completed = run([str(ansible_tool("ansible-doc")), "--json", *names], tmp_path)
    assert completed.returncode == 0, completed.stderr
    docs = json.loads(completed.stdout)
    assert set(docs) == set(names)
    for name, doc in docs.items():
        documentation = doc["doc"]
        assert documentation["short_description"], name
        # The shared connection options come from the doc fragment, secrets included.
        assert {"host", "password", "api_key", "adom"} <= set(documentation["options"]), name
        assert doc["examples"].strip() and doc["return"], name
    # Plain-text rendering (what a user reads) works too.
    text = run([str(ansible_tool("ansible-doc")), *names], tmp_path)
    assert text.returncode == 0, text.stderr
    assert "check_mode" in text.stdout


def test_collection_builds_and_installs(tmp_path: Path) -> None:
    built = run(
        [str(ansible_tool("ansible-galaxy")), "collection", "build", str(COLLECTION), "--output-path", str(tmp_path)],
        tmp_path,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    archive = tmp_path / "pyfmg-fortimanager-1.0.0.tar.gz"
    with tarfile.open(archive) as tar:
        members = set(tar.getnames())
    assert {f"plugins/modules/{name}.py" for name in MODULES} <= members
    assert {"plugins/module_utils/fmg.py", "meta/runtime.yml", "README.md", "MANIFEST.json"} <= members

    # A fresh collections path: the one pointing at the repository already "has" the collection.
    env = ansible_env(tmp_path)
    env["ANSIBLE_COLLECTIONS_PATH"] = str(tmp_path / "collections")
    installed = run(
        [
            str(ansible_tool("ansible-galaxy")),
            "collection",
            "install",
            str(archive),
            "-p",
            str(tmp_path / "collections"),
        ],
        tmp_path,
        env,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (tmp_path / "collections/ansible_collections/pyfmg/fortimanager/plugins/modules/fmg_rpc.py").is_file()


def test_missing_pyfmg_gives_ansibles_standard_message(tmp_path: Path) -> None:
    # "python -S" has no site-packages, so pyfmg cannot be imported by the module.
    interpreter = tmp_path / "python-without-site-packages"
    interpreter.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n')
    interpreter.chmod(0o755)
    completed = run(
        [
            str(ansible_tool("ansible")),
            "localhost",
            "-c",
            "local",
            "-m",
            "pyfmg.fortimanager.fmg_info",
            "-a",
            f"host=127.0.0.1:9 username=admin password={PASSWORD} url=sys/status",
            "-e",
            f"ansible_python_interpreter={interpreter}",
        ],
        tmp_path,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert "Failed to import the required Python library (pyfmg)" in output, output
    assert PASSWORD not in output


def test_connection_options_come_from_the_environment(simulators: list[Any], tmp_path: Path) -> None:
    sim = simulators[0]
    env = ansible_env(tmp_path)
    env.update({"PYFMG_HOST": sim.host, "PYFMG_USER": "admin", "PYFMG_PASSWORD": PASSWORD, "PYFMG_USE_SSL": "false"})
    completed = run(
        [
            str(ansible_tool("ansible")),
            "localhost",
            "-c",
            "local",
            "-m",
            "pyfmg.fortimanager.fmg_info",
            "-a",
            "url=pm/config/adom/root/obj/firewall/address fields=name",
            "-v",
        ],
        tmp_path,
        env,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert '"name": "all"' in completed.stdout
    assert '"changed": false' in completed.stdout
    assert PASSWORD not in completed.stdout + completed.stderr
    assert sim.sessions == {}
