"""The collection as Ansible tooling sees it: docs render, it builds and installs, modules start."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import COLLECTION, PASSWORD, ansible_env, ansible_tool

MODULES = ("fmg_object", "fmg_rpc", "fmg_install", "fmg_info", "fmg_workspace")
VERSION = "1.1.0"
#: ansible-test sanity checks that need no download (the others build a virtualenv with pip
#: from the network: validate-modules, import, pep8, pylint, yamllint, ansible-doc).
OFFLINE_SANITY = (
    "compile",
    "shebang",
    "line-endings",
    "no-assert",
    "symlinks",
    "action-plugin-docs",
    "changelog",
    "empty-init",
    "no-smart-quotes",
)


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
    httpapi = "pyfmg.fortimanager.fortimanager"
    plugin = run([str(ansible_tool("ansible-doc")), "-t", "httpapi", "--json", httpapi], tmp_path)
    assert plugin.returncode == 0, plugin.stderr
    assert json.loads(plugin.stdout)[httpapi]["doc"]["short_description"]

    # What validate-modules checks first: the documented options are the argument spec, exactly.
    for name in MODULES:
        spec = argument_spec_of(name)
        documented = docs[f"pyfmg.fortimanager.{name}"]["doc"]["options"]
        assert set(documented) == set(spec), name
        for option, rules in spec.items():
            doc = documented[option]
            assert doc.get("type", "str") == rules.get("type", "str"), (name, option)
            assert doc.get("required", False) == rules.get("required", False), (name, option)
            assert doc.get("default") == rules.get("default"), (name, option)
            assert sorted(doc.get("choices") or []) == sorted(rules.get("choices") or []), (name, option)
            assert sorted(doc.get("aliases") or []) == sorted(rules.get("aliases") or []), (name, option)
            assert doc.get("elements") == rules.get("elements"), (name, option)


class _SpecCaptured(Exception):
    pass


def argument_spec_of(module_name: str) -> dict[str, Any]:
    """The argument spec a module hands to AnsibleModule, captured without running it."""
    glue = importlib.import_module("ansible_collections.pyfmg.fortimanager.plugins.module_utils.fmg")
    module = importlib.import_module(f"ansible_collections.pyfmg.fortimanager.plugins.modules.{module_name}")

    def capture(argument_spec: dict[str, Any], **kwargs: Any) -> Any:
        raise _SpecCaptured(argument_spec)

    original = glue.AnsibleModule
    glue.AnsibleModule = capture
    try:
        module.main()
    except _SpecCaptured as captured:
        return captured.args[0]
    finally:
        glue.AnsibleModule = original
    raise AssertionError(f"{module_name}.main() never built an AnsibleModule")


def test_every_module_is_run_by_the_one_action_plugin() -> None:
    """Under httpapi a module's task runs in the connection only through the action plugin:
    fmg_object's own, to which meta/runtime.yml routes every other module."""
    routing = yaml.safe_load((COLLECTION / "meta" / "runtime.yml").read_text())["plugin_routing"]["action"]
    assert sorted(path.stem for path in (COLLECTION / "plugins" / "action").glob("*.py")) == ["fmg_object"]
    assert {name: route["redirect"] for name, route in routing.items()} == dict.fromkeys(
        set(MODULES) - {"fmg_object"}, "pyfmg.fortimanager.fmg_object"
    )
    assert sorted(path.stem for path in (COLLECTION / "plugins" / "modules").glob("*.py")) == sorted(MODULES)


def test_offline_sanity_checks_pass(tmp_path: Path) -> None:
    """The ansible-test sanity checks that run without a download (see the collection's README)."""
    tree = tmp_path / "ansible_collections" / "pyfmg" / "fortimanager"
    shutil.copytree(COLLECTION, tree, ignore=shutil.ignore_patterns("__pycache__", "output", "*.tar.gz"))
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    tests = [argument for name in OFFLINE_SANITY for argument in ("--test", name)]
    completed = run([str(ansible_tool("ansible-test")), "sanity", "--python", python, *tests], tree)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert f'Running sanity test "{OFFLINE_SANITY[0]}"' in completed.stdout + completed.stderr


@pytest.mark.parametrize("kind", ["modules", "module_utils", "httpapi", "doc_fragments"])
def test_every_plugin_imports_in_a_fresh_interpreter(kind: str, tmp_path: Path) -> None:
    """The import check: each file imports with only ansible-core and pyfmg available."""
    names = sorted(path.stem for path in (COLLECTION / "plugins" / kind).glob("*.py") if path.stem != "__init__")
    assert names
    code = "import importlib, sys\n" + "".join(
        f"importlib.import_module('ansible_collections.pyfmg.fortimanager.plugins.{kind}.{name}')\n" for name in names
    )
    repo = str(COLLECTION.parents[2])
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": repo}, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr


def test_collection_builds_and_installs(tmp_path: Path) -> None:
    built = run(
        [str(ansible_tool("ansible-galaxy")), "collection", "build", str(COLLECTION), "--output-path", str(tmp_path)],
        tmp_path,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    archive = tmp_path / f"pyfmg-fortimanager-{VERSION}.tar.gz"
    with tarfile.open(archive) as tar:
        members = set(tar.getnames())
    assert {f"plugins/modules/{name}.py" for name in MODULES} <= members
    assert {"plugins/module_utils/fmg.py", "meta/runtime.yml", "README.md", "MANIFEST.json"} <= members
    assert {"plugins/httpapi/fortimanager.py", "meta/execution-environment.yml", "CHANGELOG.md"} <= members
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))  # type: ignore[arg-type]
    info = manifest["collection_info"]
    assert info["version"] == VERSION
    assert info["repository"] and info["documentation"] and info["issues"]

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
