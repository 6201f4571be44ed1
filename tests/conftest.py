"""Suite-wide ordering: the long real-Ansible runs start first.

The many short tests then fill the other workers around them.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)  # after tests/ansible/conftest.py has marked its tests
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("ansible") is None)  # stable: otherwise in file order
