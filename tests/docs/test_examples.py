"""Every code block of README.md and docs/*.rst runs, against the project's simulator.

The blocks of one page run in order, in one namespace (a page tells one story), against one
simulator that speaks HTTPS with its own CA, in workspace mode ``normal``, with tasks that take
0.2 s. Only the host and the credentials are substituted: ``fmg.example.com`` (or ``.net``) becomes the
simulator's address, ``/etc/ssl/fmg-ca.pem`` its CA file, and the simulator accepts the
accounts the docs use. A snippet may assume these names, as the prose around it does: ``host``,
``user``, ``password``/``passwd``, ``key`` (an API key), ``fmg`` (a logged-in client; given back
after a block whose own ``fmg`` logged out) and ``sim`` (the simulator). Shell blocks run with
bash in a temporary folder, with the ``pyfmg`` command on the PATH and ``PYFMG_HOST``,
``PYFMG_USER``, ``PYFMG_PASSWORD`` and ``PYFMG_CA_CERT`` set for the simulator. A Python block
that defines ``test_`` functions is a pytest file and is run by pytest.

A block that cannot run says why inside itself (``# not run: <reason>``); it is reported as
skipped with that reason, and nothing else is skipped.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyfmg import FortiManager
from pyfmg.testing import FMGSimulator

from .blocks import Block, all_blocks, shell_commands

BLOCKS = all_blocks()
#: What the docs' FortiManager has besides the simulator's defaults: three devices, the SOAR
#: guide's block list and a policy package inside a folder.
DEVICES = {"root": ("FGT-01", "FGT-02", "FGT-03")}
SEED = [
    ("pm/pkg/adom/root", {"name": "emea", "type": "folder"}),
    ("pm/pkg/adom/root/emea", {"name": "branch", "type": "pkg"}),
    ("pm/config/adom/root/obj/firewall/address", {"name": "placeholder", "subnet": "192.0.2.1/32"}),
    ("pm/config/adom/root/obj/firewall/addrgrp", {"name": "soar-blocklist", "member": ["placeholder"]}),
    ("pm/config/adom/root/pkg/default/firewall/policy", {"name": "deny-bad", "action": "deny"}),
]
DATA_LANGUAGES = {"yaml", "json", "toml", "ini", "text", "none", "jinja", "xml", "cfg"}
USERS = {"admin": "secret", "api-admin": "secret", "api-user": "secret"}
API_KEY = "docs-example-api-key"
# Never run from the test suite, even by mistake: these would change the environment the tests run in.
INSTALLS = re.compile(r"(^|[\s;&|(])(pip3?|python3? -m (pip|venv)|ansible-galaxy|sudo)\s", re.MULTILINE)
PAGES = sorted({block.path for block in BLOCKS if block.kind != "data" and not block.not_run})


@pytest.fixture
def page_simulator() -> Iterator[FMGSimulator]:
    with FMGSimulator(
        tls=True, workspace_mode="normal", task_duration=0.2, users=USERS, api_keys=(API_KEY,), devices=DEVICES
    ) as sim:
        yield sim


def substitute(code: str, sim: FMGSimulator) -> str:
    code = re.sub(r"\bfmg\.example\.(com|net|org)\b", sim.host, code)
    return code.replace("/etc/ssl/fmg-ca.pem", str(sim.ca_cert_path))


def run_python(block: Block, code: str, namespace: dict[str, Any], prelude_fmg: FortiManager, folder: Path) -> None:
    if "def test_" in code:
        path = folder / f"test_{block.path.stem}_{block.line}.py"
        path.write_text(code, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=folder,
            check=False,
        )
        assert done.returncode == 0, f"{block.name}: pytest failed\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
        return
    sim = namespace["sim"]
    exec(compile(code, block.name, "exec"), namespace)
    namespace["sim"] = sim  # a block's own simulator is stopped by now
    current = namespace.get("fmg")
    if current is not prelude_fmg and getattr(current, "sid", "none") is None:
        namespace["fmg"] = prelude_fmg


def run_shell(block: Block, code: str, sim: FMGSimulator, folder: Path) -> None:
    if INSTALLS.search(code):
        pytest.fail(f"{block.name} installs packages: say '# not run: <why>' in the block (or split it)")
    env = dict(os.environ)
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        PYFMG_HOST=f"https://{sim.host}",
        PYFMG_USER="api-admin",
        PYFMG_PASSWORD=USERS["api-admin"],
        PYFMG_CA_CERT=str(sim.ca_cert_path),
        REQUESTS_CA_BUNDLE=str(sim.ca_cert_path),
        XDG_CONFIG_HOME=str(folder / "config"),
        NETRC=str(folder / "netrc"),
    )
    key_file = folder / "fmg.key"  # the API key file the examples name
    key_file.write_text(API_KEY + "\n")
    key_file.chmod(0o600)
    for name in ("PYFMG_APIKEY", "PYFMG_PROFILE", "PYFMG_CONFIG", "PYFMG_USE_SSL", "PYFMG_VERIFY_SSL"):
        env.pop(name, None)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, (
        f"{block.name}: exit {done.returncode}\n{code}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    )


@pytest.mark.filterwarnings("ignore:Unverified HTTPS request")  # pyFMG's default verify_ssl=False, as documented
@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_page_examples_run(
    page: Path, page_simulator: FMGSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = page_simulator
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sim.ca_cert_path))
    prelude_fmg = FortiManager(sim.host, "api-admin", USERS["api-admin"], verify_ssl=str(sim.ca_cert_path))
    namespace: dict[str, Any] = {
        "__name__": "__docs__",
        "host": sim.host,
        "user": "api-admin",
        "password": USERS["api-admin"],
        "passwd": USERS["api-admin"],
        "key": API_KEY,
        "sim": sim,
    }
    with prelude_fmg:
        with prelude_fmg.workspace("root"):
            for url, data in SEED:
                assert prelude_fmg.add(url, data=data)[0] == 0, url
        namespace["fmg"] = prelude_fmg
        for block in BLOCKS:
            if block.path != page or block.kind == "data" or block.not_run:
                continue
            code = substitute(block.code, sim)
            if block.kind == "python":
                run_python(block, code, namespace, prelude_fmg, tmp_path)
            else:
                run_shell(block, substitute(shell_commands(block), sim), sim, tmp_path)
    assert sim.sessions == {}, "a docs example left a session open"


NOT_RUN = [block for block in BLOCKS if block.kind != "data" and block.not_run]


@pytest.mark.parametrize("block", NOT_RUN, ids=[block.name for block in NOT_RUN])
def test_block_that_cannot_run(block: Block) -> None:
    pytest.skip(f"{block.name}: {block.not_run}")


def test_every_block_is_code_or_data() -> None:
    unknown = [
        f"{block.name} ({block.lang})" for block in BLOCKS if block.kind == "data" and block.lang not in DATA_LANGUAGES
    ]
    assert not unknown, f"blocks in a language the docs test neither runs nor knows as data: {unknown}"
