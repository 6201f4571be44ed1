"""Code blocks of README.md and docs/*.rst, as the docs test runs them.

A block is ``.. code-block:: LANG`` (or ``.. code:: LANG``) in reStructuredText and a fenced block
in Markdown. A plain literal block (a paragraph ending in ``::``) has no language: it counts as
Python when it parses as Python and imports something, as shell when it starts with a command
(``pip``, ``python``, ``ansible-playbook``...), and as text (program output) otherwise.

Python blocks (``python``, ``py``) and shell blocks (``console``, ``bash``, ``shell``, ``sh``) are
run; other languages (yaml, json, toml, text...) are data, not code. A block that cannot run says
so inside itself with a comment ``# not run: <reason>``, and is reported as skipped with that
reason.
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


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the block's first line of code
    lang: str
    code: str

    @property
    def kind(self) -> str:
        return "python" if self.lang in PYTHON else "shell" if self.lang in SHELL else "data"

    @property
    def not_run(self) -> str | None:
        found = NOT_RUN.search(self.code)
        return found.group("reason") if found else None

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}"


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
                blocks.append(
                    Block(path, start + 1 + _leading_blank(lines[start:index]), literal_language(body), body + "\n")
                )
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
            blocks.append(Block(path, start + 1, directive.group("lang") or "text", body + "\n"))
    return blocks


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
        blocks.append(Block(path, start + 1, fence.group("lang") or "text", body + "\n"))
    return blocks


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.rst"))]


def all_blocks() -> list[Block]:
    found: list[Block] = []
    for path in documents():
        found += markdown_blocks(path) if path.suffix == ".md" else rst_blocks(path)
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
