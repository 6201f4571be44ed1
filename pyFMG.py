"""The import name of pyFMG 0.8.6: ``import pyFMG.fortimgr`` gives pyfmg's objects.

This one file is the whole alias. Importing it imports :mod:`pyfmg.fortimgr`, registers that
very module object as ``pyFMG.fortimgr`` and gives this module a ``__path__``, which makes it a
package as far as the import system is concerned; ``import pyFMG.fortimgr`` then finds the
submodule already in ``sys.modules``. Nothing runs at interpreter start-up and no ``.pth`` file
is involved, so it works wherever ``pyfmg`` itself imports: a normal or ``--target``
install with ``PYTHONPATH``, an editable install, a zipped bundle.

``pyFMG.py`` and the ``pyfmg/`` package live side by side, also on case-insensitive file
systems: the import system compares module names with the directory listing in their exact case
(see docs/migration.rst), so neither name ever resolves to the other.

PYTEST_DONT_REWRITE
"""

import sys

from pyfmg import fortimgr

__path__: list = []  # a package with no directory of its own: submodules come from sys.modules only

sys.modules[__name__ + ".fortimgr"] = fortimgr
