"""Running the command in this process, for the in-process command tests."""

from __future__ import annotations

import io

from pyfmg import cli


def run(env: dict[str, str], *argv: str) -> tuple[int, str, str]:
    """``pyfmg ARGV`` in this process: its exit status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(argv), environ=env, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def one_error_line(err: str) -> str:
    """The only line of ``err``, an ``error: ...`` line without a traceback."""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]
