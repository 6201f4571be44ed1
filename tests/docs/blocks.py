"""Code blocks of README.md and docs/*.rst, as the docs test runs them.

A block is ``.. code-block:: LANG`` (or ``.. code:: LANG``) in reStructuredText and a fenced block
in Markdown. A plain literal block (a paragraph ending in ``::``) has no language: it counts as
Python when it parses as Python and imports something, as shell when it starts with a command
(``pip``, ``python``, ``ansible-playbook``...), and as text (program output) otherwise.

Python blocks (``python``, ``py``) and shell blocks (``console``, ``bash``, ``shell``, ``sh``) are
run; other languages (yaml, json, toml, text...) are data, not code. A block that cannot run says
so inside itself with a comment ``# not run: <reason>``, and is reported as skipped with that
reason.

What a block must achieve is stated right after it, in comments the rendered page does not show:
``.. expect: <expectation>`` lines in reStructuredText (at the indentation of the ``..
code-block::`` line, blank lines allowed in between) and ``<!-- expect: <expectation> -->`` lines
after the closing fence in Markdown. ``expectations.py`` reads them. Output a page shows is part of
the block: ``#>`` lines in Python (as pytest-examples writes them), the lines after ``$ command``
in a console block (as cram and doctest read them).
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = frozenset({"python", "py", "python3"})
SHELL = frozenset({"console", "bash", "shell", "sh", "shell-session"})
NOT_RUN = re.compile(r"#\s*not run:\s*(?P<reason>.+?)\s*$", re.MULTILINE)
RST_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\. (?:code-block|code|sourcecode):: *(?P<lang>[\w+-]*)\s*$")
LITERAL = re.compile(r"^(?P<indent>\s*)(?!\.\. )\S.*::\s*$")
COMMANDS = frozenset(
    {"pip", "pip3", "python", "python3", "pyfmg", "export", "cd", "unzip", "git", "curl", "bash"}
    | {"ansible-playbook", "ansible-galaxy", "ansible-vault", "ansible-doc", "ansible-test"}
)
MD_FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w+-]*)\s*$")
RST_EXPECT = re.compile(r"^(?P<indent>\s*)\.\. expect:\s*(?P<text>.*?)\s*$")
MD_EXPECT = re.compile(r"^\s*<!--\s*expect:\s*(?P<text>.*?)\s*-->\s*$")
OUTPUT_MARK = re.compile(r"^\s*#>(?: |$)")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the block's first line of code
    lang: str
    code: str
    #: ``(line, text)`` of each ``expect:`` comment that follows the block
    expectations: tuple[tuple[int, str], ...] = ()

    @property
    def kind(self) -> str:
        return "python" if self.lang in PYTHON else "shell" if self.lang in SHELL else "data"

    @property
    def not_run(self) -> str | None:
        found = NOT_RUN.search(self.code)
        return found.group("reason") if found else None

    @property
    def runs(self) -> bool:
        return self.kind != "data" and not self.not_run

    @property
    def name(self) -> str:
        path = self.path.relative_to(ROOT).as_posix() if self.path.is_relative_to(ROOT) else self.path.name
        return f"{path}:{self.line}"


def literal_language(code: str) -> str:
    first = next((line.split()[0] for line in code.splitlines() if line.strip() and line.lstrip()[0] != "#"), "")
    if first in COMMANDS or first == "$":
        return "bash"
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return "text"
    return "python" if any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in tree.body) else "text"


def rst_blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        directive = RST_DIRECTIVE.match(lines[index])
        literal = None if directive else LITERAL.match(lines[index])
        index += 1
        if literal:
            start = index
            index, body = _indented_body(lines, start, len(literal.group("indent")))
            if body:
                line = start + 1 + _leading_blank(lines[start:index])
                expected = _rst_expectations(lines, index)
                blocks.append(Block(path, line, literal_language(body), body + "\n", expected))
            continue
        if not directive:
            continue
        indent = len(directive.group("indent"))
        # Options (":caption: ...") and blank lines come before the content.
        while index < len(lines) and (not lines[index].strip() or lines[index].strip().startswith(":")):
            if lines[index].strip() and len(lines[index]) - len(lines[index].lstrip()) <= indent:
                break
            index += 1
        start = index
        index, body = _indented_body(lines, start, indent)
        if body:
            expected = _rst_expectations(lines, index)
            blocks.append(Block(path, start + 1, directive.group("lang") or "text", body + "\n", expected))
    return blocks


def _rst_expectations(lines: list[str], index: int) -> tuple[tuple[int, str], ...]:
    """The ``.. expect:`` comments from ``index`` on (blank lines between them allowed).

    A comment goes on over the lines indented past its ``..``, as any reStructuredText comment.
    """
    found: list[tuple[int, str]] = []
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        match = RST_EXPECT.match(lines[index])
        if not match:
            break
        line, text, index = index + 1, [match.group("text")], index + 1
        indent = len(match.group("indent"))
        while index < len(lines) and lines[index].strip() and len(lines[index]) - len(lines[index].lstrip()) > indent:
            text.append(lines[index].strip())
            index += 1
        found.append((line, " ".join(text)))
    return tuple(found)


def _indented_body(lines: list[str], start: int, indent: int) -> tuple[int, str]:
    """Where the block starting at ``start`` ends (blank lines or lines indented past ``indent``), and its text."""
    end = start
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    return end, textwrap.dedent("\n".join(lines[start:end])).strip("\n")


def _leading_blank(lines: list[str]) -> int:
    return next((number for number, line in enumerate(lines) if line.strip()), 0)


def markdown_blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        fence = MD_FENCE.match(lines[index])
        index += 1
        if not fence:
            continue
        start = index
        while index < len(lines) and not lines[index].strip().startswith("```"):
            index += 1
        body = textwrap.dedent("\n".join(lines[start:index]))
        index += 1
        expected = []
        while index < len(lines) and (not lines[index].strip() or MD_EXPECT.match(lines[index])):
            match = MD_EXPECT.match(lines[index])
            if match:
                expected.append((index + 1, match.group("text")))
            index += 1
        blocks.append(Block(path, start + 1, fence.group("lang") or "text", body + "\n", tuple(expected)))
    return blocks


def expect_comment_lines(path: Path) -> list[int]:
    """Every line of a page that holds an ``expect:`` comment, attached to a block or not."""
    pattern = MD_EXPECT if path.suffix == ".md" else RST_EXPECT
    return [
        number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.match(line)
    ]


def blocks_of(path: Path) -> list[Block]:
    return markdown_blocks(path) if path.suffix == ".md" else rst_blocks(path)


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.rst"))]


def all_blocks() -> list[Block]:
    found: list[Block] = []
    for path in documents():
        found += blocks_of(path)
    return found


def shell_commands(block: Block) -> str:
    """The commands of a shell block: with ``$`` prompts, only the prompted lines (the rest is output)."""
    lines = block.code.splitlines()
    if not any(line.startswith("$ ") for line in lines):
        return block.code
    commands, continued = [], False
    for line in lines:
        if line.startswith("$ ") or continued:
            text = line[2:] if line.startswith("$ ") and not continued else line
            commands.append(text)
            continued = text.rstrip().endswith("\\")
    return "\n".join(commands) + "\n"


def shell_output(block: Block) -> str | None:
    """The output a console block shows after its ``$`` commands; ``None`` without ``$`` prompts."""
    lines = block.code.splitlines()
    if not any(line.startswith("$ ") for line in lines):
        return None
    output, continued = [], False
    for line in lines:
        if line.startswith("$ ") or continued:
            continued = line.rstrip().endswith("\\")
        else:
            output.append(line)
    return "\n".join(output)


def python_output(block: Block) -> str | None:
    """The output a Python block shows in its ``#>`` lines, in order; ``None`` when it shows none."""
    shown = [OUTPUT_MARK.sub("", line, count=1) for line in block.code.splitlines() if OUTPUT_MARK.match(line)]
    return "\n".join(shown) if shown else None
