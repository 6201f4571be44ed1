"""pytest fixtures for code that talks to FortiManager: a simulator and a client logged in to it.

Installed with pyfmg (entry point ``pytest11``), so any test suite can ask for them::

    def test_creates_address(fmg, fmg_simulator):
        fmg.add("pm/config/adom/root/obj/firewall/address", name="h1", subnet="10.0.0.1/32")
        assert fmg_simulator.objects("pm/config/adom/root/obj/firewall/address/h1")["subnet"]

Simulator options come from the ``fmg_simulator`` marker, e.g.
``@pytest.mark.fmg_simulator(workspace_mode="normal", task_duration=0.2)``. With
``replay="session.jsonl"`` the test fails at teardown unless its calls followed the cassette.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pyfmg import FortiManager
    from pyfmg.testing import FMGSimulator


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fmg_simulator(**options): keyword arguments for the FMGSimulator of the fmg_simulator fixture"
    )


@pytest.fixture
def fmg_simulator(request: pytest.FixtureRequest) -> Iterator[FMGSimulator]:
    """A running FortiManager simulator on 127.0.0.1, stopped after the test."""
    from pyfmg.testing import FMGSimulator

    marker = request.node.get_closest_marker("fmg_simulator")
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    with FMGSimulator(**options) as simulator:
        yield simulator
        if options.get("replay") is not None:
            simulator.check_replay()  # after the fmg fixture logged out: its logout is in the cassette


@pytest.fixture
def fmg(fmg_simulator: FMGSimulator) -> Iterator[FortiManager]:
    """A ``FortiManager`` logged in to ``fmg_simulator`` (first user, or first API key), logged out after."""
    from pyfmg import FortiManager

    verify: Any = fmg_simulator.ca_cert_path if fmg_simulator.tls else False
    if fmg_simulator.users:
        user, password = next(iter(fmg_simulator.users.items()))
        client = FortiManager(fmg_simulator.host, user, password, use_ssl=fmg_simulator.tls, verify_ssl=verify)
    elif fmg_simulator.api_keys:
        client = FortiManager(
            fmg_simulator.host, apikey=fmg_simulator.api_keys[0], use_ssl=fmg_simulator.tls, verify_ssl=verify
        )
    else:
        raise pytest.UsageError("the fmg fixture needs a simulator with at least one user or API key")
    client.login()
    try:
        yield client
    finally:
        if client.sid is not None:
            client.logout()
