"""Fixtures for the SOAR adapter tests: a workspace-mode simulator seeded with policy packages, an
address group and a web-filter set-up, and connector configurations pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pyfmg import FortiManager

try:
    from pyfmg.testing import FMGSimulator
except ImportError:  # pragma: no cover - only before the simulator is part of the package
    collect_ignore_glob = ["test_adapter.py", "test_locking.py", "test_lockscope.py", "test_fortisoar*.py"]

PASSWORD = "s3cret-Pa55"
OTHER_PASSWORD = "other-Pa55"
API_KEY = "k3y0123456789abcdefghijklmnopqrs"


def admin_client(sim: FMGSimulator, user: str = "admin") -> FortiManager:
    return FortiManager(sim.host, user, PASSWORD if user == "admin" else OTHER_PASSWORD, use_ssl=False)


def seed(sim: FMGSimulator) -> None:
    """Packages default, p2 and folder f1/p1; address group soar-blocklist; one policy in each package."""
    with admin_client(sim) as fmg, fmg.workspace("root"):
        for url, data in [
            ("pm/pkg/adom/root", {"name": "p2", "type": "pkg"}),
            ("pm/pkg/adom/root", {"name": "f1", "type": "folder"}),
            ("pm/pkg/adom/root/f1", {"name": "p1", "type": "pkg"}),
            ("pm/config/adom/root/obj/firewall/address", {"name": "placeholder", "subnet": "192.0.2.1/32"}),
            ("pm/config/adom/root/obj/firewall/addrgrp", {"name": "soar-blocklist", "member": ["placeholder"]}),
            ("pm/config/adom/root/pkg/default/firewall/policy", {"name": "deny-bad", "action": "deny"}),
            ("pm/config/adom/root/pkg/p2/firewall/policy", {"name": "p2-rule", "action": "accept"}),
            ("pm/config/adom/root/pkg/f1/p1/firewall/policy", {"name": "p1-rule", "action": "accept"}),
        ]:
            code, answer = fmg.add(url, data=data)
            assert code == 0, (url, answer)


WEBFILTER = "pm/config/adom/root/obj/webfilter"


def seed_webfilter(sim: FMGSimulator, with_list: bool = True) -> str | None:
    """Web-filter profile ``web``; with a list, URL filter list ``existing`` (its id returned) where
    ``bad.example`` is blocked and ``allowed.example`` allowed."""
    with admin_client(sim) as fmg, fmg.workspace("root"):
        code, answer = fmg.add(f"{WEBFILTER}/profile", data={"name": "web"})
        assert code == 0, answer
        if not with_list:
            return None
        entries = [
            {"url": "bad.example", "type": "simple", "action": "block", "status": "enable"},
            {"url": "allowed.example", "type": "simple", "action": "allow", "status": "enable"},
        ]
        code, answer = fmg.add(f"{WEBFILTER}/urlfilter", data={"name": "existing", "entries": entries})
        assert code == 0, answer
        list_id = str(answer["id"])
        code, answer = fmg.update(f"{WEBFILTER}/profile/web", data={"web": {"urlfilter-table": int(list_id)}})
        assert code == 0, answer
    sim.clear_requests()
    return list_id


@pytest.fixture
def ws_sim() -> Iterator[FMGSimulator]:
    """A simulator in workspace mode (tasks take 0.1 s), seeded by :func:`seed`."""
    sim = FMGSimulator(
        users={"admin": PASSWORD, "other": OTHER_PASSWORD},
        api_keys=(API_KEY,),
        workspace_mode="normal",
        task_duration=0.1,
    )
    with sim:
        seed(sim)
        sim.clear_requests()
        yield sim


@pytest.fixture
def plain_sim() -> Iterator[FMGSimulator]:
    """A simulator with workspace mode off."""
    with FMGSimulator(users={"admin": PASSWORD}, api_keys=(API_KEY,), task_duration=0.1) as sim:
        yield sim


def config_for(sim: FMGSimulator, **overrides: Any) -> dict[str, Any]:
    """A FortiSOAR-style configuration for ``sim``: strings where forms send strings."""
    config: dict[str, Any] = {
        "address": "http://" + sim.host,
        "auth_method": "User/Password",
        "username": "admin",
        "password": PASSWORD,
        "verify_ssl": "false",
        "timeout": "10",
        "lock_wait": "0",
        "narrow_locks": "true",
    }
    config.update(overrides)
    return {key: value for key, value in config.items() if value is not None}


def rpc_calls(sim: FMGSimulator) -> list[tuple[str, str]]:
    """(method, first url) of every JSON-RPC request the simulator received, in order."""
    calls = []
    for request in sim.requests:
        body = request.json
        if isinstance(body, dict) and body.get("params"):
            calls.append((str(body.get("method")), str(body["params"][0].get("url", "")).strip("/")))
    return calls
