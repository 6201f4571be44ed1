"""The environment the in-process command tests give the command: the simulator's address and credentials."""

from __future__ import annotations

import pathlib

import pytest

from pyfmg.testing import FMGSimulator


@pytest.fixture
def env(fmg_simulator: FMGSimulator, tmp_path: pathlib.Path) -> dict[str, str]:
    """The environment the command sees: the simulator's address and credentials, no real home files."""
    return {
        "PYFMG_HOST": f"http://{fmg_simulator.host}",
        "PYFMG_USER": "admin",
        "PYFMG_PASSWORD": "password",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "NETRC": str(tmp_path / "no-netrc"),
    }
