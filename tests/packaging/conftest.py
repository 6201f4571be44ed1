from __future__ import annotations

from .artifacts import artifacts  # noqa: F401 -- the run's one sdist and wheel, a fixture
