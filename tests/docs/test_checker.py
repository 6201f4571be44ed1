"""The docs checker itself: a block that does not do what its page says fails, naming what it did instead."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyfmg import FortiManager
from pyfmg.testing import FMGSimulator

from . import expectations as expect
from .blocks import blocks_of, expect_comment_lines
from .runner import BlockFailed, PageRun

ADDRESSES = "pm/config/adom/root/obj/firewall/address"


@pytest.fixture(scope="module")
def sim() -> Iterator[FMGSimulator]:
    with FMGSimulator(task_duration=0.05, request_history=None) as simulator:
        yield simulator


@pytest.fixture
def run_page(sim: FMGSimulator, tmp_path: Path) -> Iterator[Any]:
    """Run a page's text (reStructuredText, or Markdown for a ``.md`` name) block by block."""
    with FortiManager(sim.host, "admin", "password", use_ssl=False) as fmg:

        def run(text: str, name: str = "page.rst") -> None:
            page = tmp_path / name
            page.write_text(textwrap.dedent(text), encoding="utf-8")
            runner = PageRun(sim, tmp_path, {"sim": sim, "fmg": fmg, "ADDRESSES": ADDRESSES})
            for block in blocks_of(page):
                if block.runs:
                    runner.run(block)

        yield run


def python_block(code: str, *expectations: str) -> str:
    body = textwrap.indent(textwrap.dedent(code).strip("\n"), "   ")
    return ".. code-block:: python\n\n" + body + "\n\n" + "".join(f".. expect: {e}\n" for e in expectations)


def test_a_block_passes_when_it_does_what_it_says(run_page: Any) -> None:
    run_page(
        python_block(
            """
            fmg.add(ADDRESSES, name="a1", subnet="10.9.0.1/32")
            print(fmg.get(ADDRESSES + "/a1", fields=["name"])[1]["name"])
            #> a1
            """,
            'exists pm/config/adom/root/obj/firewall/address/a1 {"subnet": ["10.9.0.1", "255.255.255.255"]}',
        )
    )


def test_an_undeclared_non_zero_code_fails_naming_the_call(run_page: Any) -> None:
    with pytest.raises(BlockFailed, match=r"get pm/config/adom/root/obj/firewall/address/nothing answered -3"):
        run_page(python_block('fmg.get(ADDRESSES + "/nothing")'))


def test_a_declared_code_passes_and_must_come(run_page: Any) -> None:
    declared = "code -3 get pm/config/adom/root/obj/firewall/address/*"
    run_page(python_block('fmg.get(ADDRESSES + "/nothing")', declared))
    with pytest.raises(BlockFailed, match=r"declared 'code -3 get .*' never came"):
        run_page(python_block('fmg.get("sys/status")', declared))


def test_printed_lines_other_than_the_page_shows_fail(run_page: Any) -> None:
    run_page(python_block('print("task 7 ended")\n#> task ... ended'))
    run_page(python_block('print("a\\nb\\nend")\n#> ...\n#> end'))
    run_page(python_block('print("end")\n#> ...\n#> end'))  # a "..." line may stand for no line at all
    with pytest.raises(BlockFailed, match="printed"):
        run_page(python_block('print("a\\nend")\n#> end'))
    with pytest.raises(BlockFailed, match=r"(?s)printed\nwrong.*where the page shows"):
        run_page(python_block('print("wrong")\n#> right'))


def test_a_console_block_is_checked_for_its_output_and_exit_status(run_page: Any) -> None:
    run_page(".. code-block:: console\n\n   $ echo one\n   one\n   $ echo two\n   two\n")
    with pytest.raises(BlockFailed, match=r"(?s)printed\none\n.*where the page shows\nuno"):
        run_page(".. code-block:: console\n\n   $ echo one\n   uno\n")
    with pytest.raises(BlockFailed, match="exit status 3, expected 0"):
        run_page(".. code-block:: bash\n\n   exit 3\n")
    run_page(".. code-block:: bash\n\n   exit 3\n\n.. expect: exit 3\n")


def test_promised_objects_are_checked(run_page: Any) -> None:
    with pytest.raises(BlockFailed, match="no such object"):
        run_page(python_block("pass", f"exists {ADDRESSES}/never-made"))
    run_page(python_block(f'fmg.add("{ADDRESSES}", name="a2", subnet="10.9.0.2/32")'))
    with pytest.raises(BlockFailed, match=r"it exists"):
        run_page(python_block("pass", f"absent {ADDRESSES}/a2"))
    with pytest.raises(BlockFailed, match=r"it has \{'comment': ''\}"):
        run_page(python_block("pass", f'exists {ADDRESSES}/a2 {{"comment": "promised"}}'))
    with pytest.raises(BlockFailed, match="it is false"):
        run_page(python_block("answer = 41", "assert answer == 42"))


def test_a_task_that_ends_with_errors_fails_the_block(run_page: Any) -> None:
    code = """
        code, reply = fmg.execute("securityconsole/install/package", adom="root", pkg="default",
                                  scope=[{"name": "no-such-device", "vdom": "root"}])
        fmg.track_task(reply["task"], sleep_time=0.05)
    """
    with pytest.raises(BlockFailed, match="ended with 1 error"):
        run_page(python_block(code))


def test_every_problem_of_a_block_is_reported_at_once(run_page: Any) -> None:
    with pytest.raises(BlockFailed) as failed:
        run_page(python_block('fmg.get(ADDRESSES + "/nothing")\nprint("x")\n#> y', "assert False"))
    assert str(failed.value).count("\n- ") == 3


def test_markdown_expectations_follow_the_fence(run_page: Any, tmp_path: Path) -> None:
    page = "```python\nfmg.get(ADDRESSES + '/nothing')\n```\n<!-- expect: code -3 -->\n"
    run_page(page, "page.md")
    (block,) = blocks_of(tmp_path / "page.md")
    assert block.expectations == ((4, "code -3"),)


@pytest.mark.parametrize(
    "text",
    ["exist pm/config/x", "code 0", "code abc", "exit one", "absent u {}", "exists", "assert (", 'exists u ["a"]'],
)
def test_a_malformed_expectation_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="line 9"):
        expect.parse(9, text)


def test_expectation_comments_are_found_after_blank_lines_and_continued(tmp_path: Path) -> None:
    page = tmp_path / "page.rst"
    page.write_text(
        ".. code-block:: python\n\n   x = 1\n\n.. expect: assert x\n\n.. expect: assert x ==\n     1\n\n"
        "Text.\n\n.. expect: assert x\n",
        encoding="utf-8",
    )
    (block,) = blocks_of(page)
    assert block.expectations == ((5, "assert x"), (7, "assert x == 1"))
    assert expect_comment_lines(page) == [5, 7, 12]  # line 12 follows no block: the docs test reports it


def test_faults_and_latency_a_block_sets_end_with_it(run_page: Any, sim: FMGSimulator) -> None:
    run_page(python_block('sim.inject("http_502_html", url="sys/status")\nsim.latency = 0.5'))
    assert sim.latency == 0.0
    run_page(python_block('assert fmg.get("sys/status")[0] == 0'))
