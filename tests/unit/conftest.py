from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
import responses

from pyfmg import FortiManager

from .fakefmg import HOST, PASSWORD, FakeFMG


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def fake(rsps: responses.RequestsMock) -> FakeFMG:
    return FakeFMG(rsps)


@pytest.fixture
def fmg(fake: FakeFMG) -> Iterator[FortiManager]:
    client = FortiManager(HOST, "admin", PASSWORD)
    assert client.login()[0] == 0
    fake.bodies.clear()
    yield client
    fake.handlers.clear()
    with contextlib.suppress(Exception):  # a test may have broken the wire on purpose
        client.logout()
