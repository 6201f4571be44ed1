"""Running the blocks of one page against a simulator, and checking each for what it says it achieves.

The blocks of one page run in order, in one namespace (a page tells one story). Python blocks run
in this process with their output captured; a Python block that defines ``test_`` functions is a
pytest file and is run by pytest (its exit status is checked). Shell blocks run with
``bash -euo pipefail`` in the page's folder. After each block, ``expectations`` checks its codes,
exit status, output and promised state; all problems of a block are reported together. Faults
a block injected and the latency it set end with it.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyfmg import FortiManager
from pyfmg.testing import FMGSimulator

from . import expectations as expect
from .blocks import Block, python_output, shell_commands, shell_output

# Never run from the test suite, even by mistake: these would change the environment the tests run in.
INSTALLS = re.compile(r"(^|[\s;&|(])(pip3?|python3? -m (pip|venv)|ansible-galaxy|sudo)\s", re.MULTILINE)


class BlockFailed(AssertionError):
    """A block did not do what its page says."""


@dataclass
class PageRun:
    sim: FMGSimulator
    folder: Path
    namespace: dict[str, Any]
    env: dict[str, str] = field(default_factory=dict)
    #: the client given back to the next block when a block's own ``fmg`` logged out
    prelude_fmg: FortiManager | None = None

    def substitute(self, code: str) -> str:
        """The docs' host and CA file become the simulator's."""
        code = re.sub(r"\bfmg\.example\.(com|net|org)\b", self.sim.host, code)
        return code.replace("/etc/ssl/fmg-ca.pem", str(self.sim.ca_cert_path))

    def run(self, block: Block) -> None:
        """Run one block; ``BlockFailed`` listing everything it did not do as its page says."""
        expectations = [expect.parse(line, text) for line, text in block.expectations]
        self.sim.clear_requests()
        tasks_before = {task["id"] for task in self.sim.tasks()}
        latency = self.sim.latency
        try:
            problems = self._run_python(block) if block.kind == "python" else self._run_shell(block, expectations)
        finally:
            # Faults and latency a block sets are its own: unfired ones would hit the next blocks' calls.
            self.sim.clear_faults()
            self.sim.latency = latency
        problems += expect.check_codes(self.sim.calls, expectations)
        problems += expect.check_tasks(task for task in self.sim.tasks() if task["id"] not in tasks_before)
        problems += expect.check_state(expectations, self.sim, self.namespace)
        if problems:
            raise BlockFailed(f"{block.name} does not do what its page says:\n- " + "\n- ".join(problems))

    def _run_python(self, block: Block) -> list[str]:
        code = self.substitute(block.code)
        if "def test_" in code:
            path = self.folder / f"test_{block.path.stem}_{block.line}.py"
            path.write_text(code, encoding="utf-8")
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", str(path)],
                capture_output=True,
                text=True,
                timeout=120,
                cwd=self.folder,
                check=False,
            )
            return [] if done.returncode == 0 else [f"pytest failed\n{done.stdout[-4000:]}{done.stderr[-2000:]}"]
        sim = self.namespace["sim"]
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, block.name, "exec"), self.namespace)
        self.namespace["sim"] = sim  # a block's own simulator is stopped by now
        current = self.namespace.get("fmg")
        if self.prelude_fmg is not None and current is not self.prelude_fmg and getattr(current, "sid", "") is None:
            self.namespace["fmg"] = self.prelude_fmg
        shown = python_output(block)
        if shown is not None and not expect.output_matches(shown, printed.getvalue()):
            return [f"printed\n{printed.getvalue()}\nwhere the page shows (#> lines)\n{shown}"]
        return []

    def _run_shell(self, block: Block, expectations: list[expect.Expectation]) -> list[str]:
        code = self.substitute(shell_commands(block))
        if INSTALLS.search(code):
            return ["it installs packages: say '# not run: <why>' in the block (or split it)"]
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", code],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.folder,
            env=self.env or None,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        problems = []
        wanted = expect.expected_exit(expectations)
        if done.returncode != wanted:
            problems.append(
                f"exit status {done.returncode}, expected {wanted}\n{code}{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
        shown = shell_output(block)
        if shown is not None and not expect.output_matches(self.substitute(shown), done.stdout):
            problems.append(f"printed\n{done.stdout}\nwhere the page shows\n{shown}")
        return problems
