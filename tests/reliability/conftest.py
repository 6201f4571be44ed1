"""Fixtures for the reliability suite: a simulator factory and clients logged in to it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from pyfmg import FortiManager

testing = pytest.importorskip("pyfmg.testing", reason="the reliability suite needs the simulator (pyfmg.testing)")
FMGSimulator = testing.FMGSimulator

PASSWORD = "Adm1n-Pa55w0rd!x"
OTHER_PASSWORD = "0ther-Pa55w0rd!y"
API_KEY = "qk8Zr3tY7mNpL2vB9xWc4dFh6jKs1aGe"
USERS = {"admin": PASSWORD, "other": OTHER_PASSWORD}
ADDRESSES = "/pm/config/adom/root/obj/firewall/address"


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)  # polling interval, not a wait for the feature


@pytest.fixture
def make_sim() -> Iterator[Callable[..., Any]]:
    """Start simulators with the given options; all are stopped after the test."""
    started: list[Any] = []

    def start(**options: Any) -> Any:
        options.setdefault("users", USERS)
        options.setdefault("api_keys", (API_KEY,))
        sim = FMGSimulator(**options).start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def sim(make_sim: Callable[..., Any]) -> Any:
    return make_sim()


@pytest.fixture
def make_client() -> Iterator[Callable[..., FortiManager]]:
    """Clients logged in to a simulator, logged out (quietly) after the test."""
    clients: list[FortiManager] = []

    def connect(sim: Any, user: str = "admin", password: str | None = None, **options: Any) -> FortiManager:
        options.setdefault("use_ssl", sim.tls)
        if "apikey" in options:
            client = FortiManager(sim.host, **options)
        else:
            client = FortiManager(sim.host, user, password or USERS[user], **options)
        clients.append(client)
        client.login()
        return client

    yield connect
    for client in clients:
        # A test that broke the wire on purpose may leave nothing to log out of.
        with contextlib.suppress(Exception):
            client.logout()


@pytest.fixture
def client(sim: Any, make_client: Callable[..., FortiManager]) -> FortiManager:
    return make_client(sim)
