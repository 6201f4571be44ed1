"""Setuptools hook: ship ``pyfmg-alias.pth`` at the top of site-packages.

Everything else is declared in setup.cfg; a .pth file cannot be declared there, and it is
what makes the legacy ``pyFMG`` import name work (see ``_pyfmg_alias.py``).
"""

import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

PTH = "pyfmg-alias.pth"


class BuildWithAliasPth(build_py):
    def run(self) -> None:
        super().run()
        shutil.copy(PTH, os.path.join(self.build_lib, PTH))

    def get_outputs(self, include_bytecode: bool = True) -> list:
        return [*super().get_outputs(include_bytecode), os.path.join(self.build_lib, PTH)]


setup(cmdclass={"build_py": BuildWithAliasPth})
