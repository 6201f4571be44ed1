"""Every code block of README.md and docs/*.rst runs against the project's simulator and does what its page says.

The blocks of one page run in order, in one namespace (a page tells one story), against one
simulator that speaks HTTPS with its own CA, in workspace mode ``normal``, with tasks that take 0.2
s, devices ``FGT-01`` to ``FGT-03`` and the objects of ``SEED``. Only the host and the credentials
are substituted: ``fmg.example.com`` (or ``.net``) becomes the simulator's address,
``/etc/ssl/fmg-ca.pem`` its CA file, and the simulator accepts the accounts the docs use. A snippet
may assume these names, as the prose around it does: ``host``, ``user``, ``password``/``passwd``,
``key`` (an API key), ``fmg`` (a logged-in client; given back after a block whose own ``fmg``
logged out) and ``sim`` (the simulator). Shell blocks run with bash in a temporary folder, with the
``pyfmg`` command on the PATH and ``PYFMG_HOST``, ``PYFMG_USER``, ``PYFMG_PASSWORD`` and
``PYFMG_CA_CERT`` set for the simulator.

Each block is checked for what it says it achieves (``expectations.py``; DEVELOPERS.md tells how
to state it): every FortiManager call it made answered 0 unless it declares otherwise, its exit
status, the output its page shows, the objects it promises.

A block that cannot run says why inside itself (``# not run: <reason>``); it is reported as
skipped with that reason, and nothing else is skipped.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyfmg import FortiManager
from pyfmg.testing import FMGSimulator

from . import expectations as expect
from .blocks import Block, all_blocks, documents, expect_comment_lines
from .runner import PageRun

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
PAGES = sorted({block.path for block in BLOCKS if block.runs})


@pytest.fixture
def page_simulator() -> Iterator[FMGSimulator]:
    with FMGSimulator(
        tls=True,
        workspace_mode="normal",
        task_duration=0.2,
        users=USERS,
        api_keys=(API_KEY,),
        devices=DEVICES,
        request_history=None,
    ) as sim:
        yield sim


def shell_environment(sim: FMGSimulator, folder: Path) -> dict[str, str]:
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
    for name in ("PYFMG_APIKEY", "PYFMG_PROFILE", "PYFMG_CONFIG", "PYFMG_USE_SSL", "PYFMG_VERIFY_SSL"):
        env.pop(name, None)
    return env


@pytest.mark.filterwarnings("ignore:Unverified HTTPS request")  # pyFMG's default verify_ssl=False, as documented
@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_page_examples_do_what_they_say(
    page: Path, page_simulator: FMGSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = page_simulator
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sim.ca_cert_path))
    key_file = tmp_path / "fmg.key"  # the API key file the examples name
    key_file.write_text(API_KEY + "\n")
    key_file.chmod(0o600)
    prelude_fmg = FortiManager(sim.host, "api-admin", USERS["api-admin"], verify_ssl=str(sim.ca_cert_path))
    namespace: dict[str, Any] = {
        "__name__": "__docs__",
        "host": sim.host,
        "user": "api-admin",
        "password": USERS["api-admin"],
        "passwd": USERS["api-admin"],
        "key": API_KEY,
        "sim": sim,
        "fmg": prelude_fmg,
    }
    run = PageRun(sim, tmp_path, namespace, shell_environment(sim, tmp_path), prelude_fmg)
    with prelude_fmg:
        with prelude_fmg.workspace("root"):
            for url, data in SEED:
                assert prelude_fmg.add(url, data=data)[0] == 0, url
        for block in BLOCKS:
            if block.path == page and block.runs:
                run.run(block)
    assert sim.sessions == {}, "a docs example left a session open"


NOT_RUN = [block for block in BLOCKS if block.kind != "data" and block.not_run]


@pytest.mark.parametrize("block", NOT_RUN, ids=[block.name for block in NOT_RUN])
def test_block_that_cannot_run(block: Block) -> None:
    pytest.skip(f"{block.name}: {block.not_run}")


def test_a_reason_not_to_run_is_true() -> None:
    """A block said to install from PyPI installs a distribution by name, not this checkout (``pip install .``)."""
    wrong = []
    for block in NOT_RUN:
        local = re.search(r"pip3? install\s[^\n]*?[\s\"'](\.|\./|/)[^\s\"']*[\s\"'\[]", block.code + " ")
        if "PyPI" in block.not_run and local:
            wrong.append(f"{block.name}: installs from {local.group(0).strip()!r}, not from PyPI")
    assert not wrong, wrong


def test_every_block_is_code_or_data() -> None:
    unknown = [
        f"{block.name} ({block.lang})" for block in BLOCKS if block.kind == "data" and block.lang not in DATA_LANGUAGES
    ]
    assert not unknown, f"blocks in a language the docs test neither runs nor knows as data: {unknown}"


def test_every_expectation_is_well_formed_and_follows_a_run_block() -> None:
    problems = []
    for block in BLOCKS:
        for line, text in block.expectations:
            try:
                expect.parse(line, text)
            except ValueError as error:
                problems.append(f"{block.path.name}: {error}")
    for page in documents():
        attached = {line for block in BLOCKS if block.path == page and block.runs for line, _ in block.expectations}
        problems += [
            f"{page.name}:{line}: 'expect:' comment not right after a block that runs"
            for line in expect_comment_lines(page)
            if line not in attached
        ]
    assert not problems, "\n".join(problems)
