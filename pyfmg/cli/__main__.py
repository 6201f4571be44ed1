"""``python -m pyfmg.cli``: the same as the ``pyfmg`` command."""

from __future__ import annotations

import sys

from . import main

sys.exit(main())
