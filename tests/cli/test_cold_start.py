"""Cold start: ``import pyfmg``, ``pyfmg --help`` and ``pyfmg --version`` load no HTTP stack.

Behaviour, not timing (the timings are in benchmarks/bench_cold_start.py): each check runs in a
new interpreter and looks at ``sys.modules`` at exit.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("requests", "urllib3", "ssl", "http.client", "pyfmg.client", "pyfmg.transport")

PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.__stderr__.write("MODULES=" + json.dumps(sorted(sys.modules)) + "\\n"))
{code}
"""


def modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code)], capture_output=True, text=True, timeout=60, check=False
    )
    line = next(line for line in done.stderr.splitlines() if line.startswith("MODULES="))
    return set(json.loads(line[len("MODULES=") :]))


@pytest.mark.parametrize(
    "code",
    [
        "import pyfmg",
        "import pyfmg; pyfmg.__version__; pyfmg.__all__",
        "from pyfmg.cli import main; main(['--help'])",
        "from pyfmg.cli import main; main(['--version'])",
        "from pyfmg.cli import main; main(['completion', 'bash'])",
    ],
)
def test_nothing_heavy_is_imported(code: str) -> None:
    loaded = modules_after(code)
    assert "pyfmg" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_names_load_on_first_use() -> None:
    loaded = modules_after("from pyfmg import FortiManager, FMGTLSError; import pyfmg; assert pyfmg.LockScope")
    assert {"requests", "pyfmg.client", "pyfmg.workspace"} <= loaded


def test_every_public_name_resolves_and_dir_lists_it() -> None:
    import pyfmg

    for name in pyfmg.__all__:
        assert getattr(pyfmg, name) is not None
    assert set(pyfmg.__all__) <= set(dir(pyfmg))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pyfmg.nope  # noqa: B018
