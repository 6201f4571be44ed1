from __future__ import annotations

import os
from types import ModuleType

import pyFMG.fortimgr
import pytest

from tests.packaging.artifacts import artifacts  # noqa: F401 -- the run's one sdist and wheel, a fixture

from . import reference


@pytest.fixture(scope="session")
def pyfmg_ref() -> ModuleType:
    """pyFMG 0.8.6.3's ``fortimgr`` module (fetched once, hash-pinned)."""
    try:
        return reference.load()
    except Exception as err:  # a missing reference must never pass unnoticed
        message = f"pyFMG {reference.VERSION}, the reference of the differential tests, is unavailable: {err}"
        if os.environ.get("PYFMG_COMPAT_SKIP") == "1" and not os.environ.get("CI"):
            pytest.skip(message)
        pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def ours() -> ModuleType:
    """pyfmg, imported the way pyFMG code imports it."""
    return pyFMG.fortimgr


@pytest.fixture(params=["pyFMG", "pyfmg"])
def lib(request: pytest.FixtureRequest, pyfmg_ref: ModuleType, ours: ModuleType) -> ModuleType:
    """Each library in turn, for tests whose assertions must hold for both."""
    return pyfmg_ref if request.param == "pyFMG" else ours
