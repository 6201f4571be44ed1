"""Make ``import pyFMG.fortimgr`` load ``pyfmg.fortimgr``.

pyFMG 0.8.6 installs a top-level package named ``pyFMG``; this project's package is
``pyfmg``.  Two top-level names that differ only by case cannot both be installed on a
case-insensitive file system (macOS, Windows), so the legacy name is provided by an import
hook instead of a directory.  ``pyfmg-alias.pth`` (installed next to this module) calls
:func:`install` at interpreter start-up; installing the hook imports nothing from pyfmg
until somebody imports ``pyFMG``.

PYTEST_DONT_REWRITE: the .pth imports this module before pytest starts, so pytest (which loads
pyfmg's plugin and marks the whole distribution for assertion rewriting) would otherwise warn
that it is already imported in every test run of every user.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys

# Runs in every interpreter start-up (via the .pth), so it imports only what is already loaded:
# no typing, no importlib.abc. Annotations are strings thanks to the __future__ import.

LEGACY = "pyFMG"
TARGET = "pyfmg"


class _AliasLoader:
    def __init__(self, target: str) -> None:
        self._target = target
        self._original_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> object:
        module = importlib.import_module(self._target)
        self._original_spec = module.__spec__
        return module

    def exec_module(self, module: object) -> None:
        # The import system stamped the alias spec on the real module; give it back its own.
        module.__spec__ = self._original_spec  # type: ignore[attr-defined]


class AliasFinder:
    """Resolve ``pyFMG`` and ``pyFMG.<sub>`` to the same module objects as ``pyfmg[.<sub>]``."""

    def find_spec(
        self,
        fullname: str,
        path: object = None,
        target: object = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != LEGACY and not fullname.startswith(LEGACY + "."):
            return None
        real_name = TARGET + fullname[len(LEGACY) :]
        is_package = fullname == LEGACY
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(real_name), is_package=is_package)


def install() -> None:
    if not any(isinstance(finder, AliasFinder) for finder in sys.meta_path):
        # Ahead of the path finder, which would otherwise load a second copy of pyfmg.fortimgr
        # through the parent package's __path__.
        sys.meta_path.insert(0, AliasFinder())
