"""Helpers for simulator tests: plain ``requests`` over 127.0.0.1, no pyfmg client involved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from pyfmg.testing import FMGSimulator

ADDRESSES = "pm/config/adom/root/obj/firewall/address"
GROUPS = "pm/config/adom/root/obj/firewall/addrgrp"
POLICIES = "pm/config/adom/root/pkg/default/firewall/policy"


class Rpc:
    """A bare JSON-RPC caller with its own HTTP session and FortiManager session token."""

    def __init__(self, sim: FMGSimulator, verify: Any = False) -> None:
        self.sim = sim
        self.http = requests.Session()
        self.verify = verify
        self.token: Any = None
        self.headers: dict[str, str] = {}

    def raw(self, body: Any) -> requests.Response:
        # verify per request: a session-level value loses against REQUESTS_CA_BUNDLE.
        return self.http.post(self.sim.url, json=body, headers=self.headers, timeout=10, verify=self.verify)

    def send(self, method: str, *params: dict[str, Any], **top: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"id": 7, "method": method, "params": list(params), **top}
        if self.token is not None and "session" not in top:
            body["session"] = self.token
        reply = self.raw(body)
        assert reply.status_code == 200
        return reply.json()

    def one(self, method: str, url: str, **param: Any) -> tuple[int, Any]:
        """(code, data) of a one-param request; ``verbose`` goes to the envelope."""
        verbose = param.pop("verbose", None)
        top = {"verbose": verbose} if verbose is not None else {}
        result = self.send(method, {"url": url, **param}, **top)["result"][0]
        return result["status"]["code"], result.get("data")

    def login(self, user: str = "admin", passwd: str = "password") -> dict[str, Any]:
        reply = self.send("exec", {"url": "sys/login/user", "data": {"user": user, "passwd": passwd}})
        self.token = reply.get("session")
        return reply

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def sim(request: pytest.FixtureRequest) -> Iterator[FMGSimulator]:
    marker = request.node.get_closest_marker("sim")
    options: dict[str, Any] = {"task_duration": 1.0}
    if marker is not None:
        options.update(marker.kwargs)
    with FMGSimulator(**options) as simulator:
        yield simulator


@pytest.fixture
def rpc(sim: FMGSimulator) -> Iterator[Rpc]:
    caller = Rpc(sim)
    caller.login()
    yield caller
    caller.close()


@pytest.fixture
def other(sim: FMGSimulator) -> Iterator[Rpc]:
    """A second administrator session."""
    caller = Rpc(sim)
    caller.login()
    yield caller
    caller.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sim(**options): FMGSimulator keyword arguments for the sim fixture")
