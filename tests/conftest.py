"""Suite-wide ordering for pytest-xdist's ``worksteal`` scheduler (pyproject.toml).

worksteal hands each worker one contiguous part of the collection, then lets an idle worker take
the tail of a busy one's queue. The real Ansible runs are busy on the CPU (each task costs Ansible
about half a second of a core) while the short tests wait on sockets and timers for much of their
time, so the Ansible tests fill the first half of the parts and the other long tests (marked
``duration(seconds)``, about how long they take on an idle 2-core machine) start the others: the
short tests run beside the Ansible runs instead of beside each other. In each part the long tests
come first, longest first, so that what is left to steal at the end is short.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "duration(seconds): about how long the test takes on an idle 2-core machine (it is started early)"
    )


def expected_seconds(item: pytest.Item) -> float:
    marker = item.get_closest_marker("duration")
    return float(marker.args[0]) if marker else 0.0


def deal(tests: list[pytest.Item], parts: list[list[pytest.Item]], sizes: list[int], preferred: range) -> None:
    """Longest first, each to the preferred part with the least expected time so far that has room
    (any part with room once the preferred ones are full, as when ``-m ansible`` selects only them)."""
    loads = [sum(map(expected_seconds, part)) for part in parts]
    for item in sorted(tests, key=expected_seconds, reverse=True):
        open_parts = [index for index in range(len(parts)) if len(parts[index]) < sizes[index]]
        index = min([i for i in open_parts if i in preferred] or open_parts, key=lambda i: loads[i])
        parts[index].append(item)
        loads[index] += expected_seconds(item)


@pytest.hookimpl(trylast=True)  # after -m/-k have deselected and tests/ansible/conftest.py has marked
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    workers = max(1, int(getattr(config, "workerinput", {}).get("workercount", 1)))
    sizes = []  # the parts worksteal deals out: each worker in turn an equal share of what is left
    left = len(items)
    for remaining in range(workers, 0, -1):
        sizes.append(left // remaining)
        left -= sizes[-1]
    parts: list[list[pytest.Item]] = [[] for _ in range(workers)]
    ansible_parts = max(1, workers // 2)
    ansible = [item for item in items if item.get_closest_marker("ansible")]
    deal(ansible, parts, sizes, range(ansible_parts))
    long_tests = [item for item in items if expected_seconds(item) and not item.get_closest_marker("ansible")]
    deal(long_tests, parts, sizes, range(ansible_parts, workers) if workers > ansible_parts else range(workers))
    placed = {id(item) for part in parts for item in part}
    short_tests = [item for item in items if id(item) not in placed]  # in file order
    for part, size in zip(parts, sizes):
        take = size - len(part)
        part.extend(short_tests[:take])
        del short_tests[:take]
    items[:] = [item for part in parts for item in part]
