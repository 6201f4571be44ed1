"""What a docs block says it achieves, and the checks of it.

A run block is checked for:

* **FortiManager's codes**: every call the block made to the simulator (JSON-RPC method, URL,
  status code) answered ``0``, unless the block declares the non-zero code its text says it gets,
  with ``expect: code N [METHOD [URL]]`` (URL may hold shell wildcards). A declared code must come.
* **the tasks it started**: those that ended while it ran ended without errors (an install on a
  device FortiManager does not have answers 0, and its task fails).
* **its exit status** (shell blocks): ``0``, or ``expect: exit N``.
* **its output**, when the page shows it: ``#>`` lines of a Python block, the lines after the
  ``$`` commands of a console block. ``...`` stands for any text (doctest's ELLIPSIS), a line of
  only ``...`` for any number of lines; trailing spaces and blank lines at the end do not count.
* **the state it promises**: ``expect: exists URL [JSON object]`` (the object exists, and has at
  least these attributes, as ``sim.objects(URL)`` shows them), ``expect: absent URL``, and for
  anything else ``expect: assert EXPRESSION``, evaluated after the block in the page's namespace
  (with ``sim``, the page's simulator, and ``Path``; the page's folder is the current one).
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyfmg.testing import FMGSimulator, RecordedCall

FORMS = ("code", "exit", "exists", "absent", "assert")


@dataclass(frozen=True)
class Expectation:
    line: int
    form: str
    argument: str

    def __str__(self) -> str:
        return f"line {self.line}: expect: {self.form} {self.argument}"


@dataclass(frozen=True)
class CodeExpectation:
    code: int
    method: str | None
    url: str | None

    def matches(self, call: RecordedCall) -> bool:
        return (
            call.code == self.code
            and (self.method is None or call.method == self.method)
            and (self.url is None or fnmatch.fnmatchcase(call.url.strip("/"), self.url.strip("/")))
        )


def parse(line: int, text: str) -> Expectation:
    """One ``expect:`` comment; ``ValueError`` naming the line for an unknown form or bad argument."""
    form, _, argument = text.partition(" ")
    argument = argument.strip()
    if form not in FORMS:
        raise ValueError(f"line {line}: 'expect: {text}': the form is one of {', '.join(FORMS)}")
    expectation = Expectation(line, form, argument)
    try:
        if form == "code":
            code_expectation(expectation)
        elif form == "exit":
            int(argument)
        elif form in ("exists", "absent"):
            object_expectation(expectation)
            if form == "absent" and " " in argument:
                raise ValueError("absent takes a URL only")
        elif not argument:
            raise ValueError("an expression is needed")
        else:
            compile(argument, f"line {line}", "eval")
    except (ValueError, SyntaxError) as error:
        raise ValueError(f"line {line}: 'expect: {text}': {error}") from None
    return expectation


def code_expectation(expectation: Expectation) -> CodeExpectation:
    words = expectation.argument.split()
    if not 1 <= len(words) <= 3:
        raise ValueError("expected 'code N [METHOD [URL]]'")
    code = int(words[0])
    if code == 0:
        raise ValueError("code 0 is the default; declare only non-zero codes")
    return CodeExpectation(code, words[1] if len(words) > 1 else None, words[2] if len(words) > 2 else None)


def object_expectation(expectation: Expectation) -> tuple[str, dict[str, Any]]:
    url, _, attributes = expectation.argument.partition(" ")
    if not url:
        raise ValueError("a URL is needed")
    if not attributes.strip():
        return url, {}
    loaded = json.loads(attributes)
    if not isinstance(loaded, dict):
        raise ValueError("the attributes are a JSON object")
    return url, loaded


def check_codes(calls: Iterable[RecordedCall], expectations: Iterable[Expectation]) -> list[str]:
    """Problems: non-zero codes the block did not declare, and declared codes that did not come."""
    declared = [code_expectation(e) for e in expectations if e.form == "code"]
    made = list(calls)
    problems = [
        f"{call.method} {call.url} answered {call.code} ({call.message}); if the text says so, declare it "
        f"with 'expect: code {call.code} {call.method} {call.url}'"
        for call in made
        if call.code not in (0, None) and not any(wanted.matches(call) for wanted in declared)
    ]
    problems += [
        f"declared 'code {wanted.code}{' ' + wanted.method if wanted.method else ''}"
        f"{' ' + wanted.url if wanted.url else ''}' never came"
        for wanted in declared
        if not any(wanted.matches(call) for call in made)
    ]
    return problems


def check_tasks(tasks: Iterable[dict[str, Any]]) -> list[str]:
    """Problems: tasks that ended with errors."""
    return [
        f"task {task['id']} ({task.get('title')}) ended with {task['num_err']} error(s): "
        + "; ".join(str(line.get("detail")) for line in task.get("line", []) if line.get("err"))
        for task in tasks
        if task.get("percent") == 100 and task.get("num_err")
    ]


def check_state(expectations: Iterable[Expectation], sim: FMGSimulator, namespace: dict[str, Any]) -> list[str]:
    """Problems with the objects and expressions the block's expectations name."""
    problems = []
    for expectation in expectations:
        if expectation.form in ("exists", "absent"):
            url, attributes = object_expectation(expectation)
            try:
                found = sim.objects(url)
            except LookupError:
                found = None
            if expectation.form == "absent":
                if found is not None:
                    problems.append(f"{expectation}: it exists: {found!r}")
            elif found is None:
                problems.append(f"{expectation}: no such object")
            else:
                differ = {key: found.get(key) for key, value in attributes.items() if found.get(key) != value}
                if differ:
                    problems.append(f"{expectation}: it has {differ!r}")
        elif expectation.form == "assert":
            try:
                held = eval(expectation.argument, {"Path": Path, **namespace})
            except Exception as error:  # the expectation failed; say how
                problems.append(f"{expectation}: raised {error!r}")
                continue
            if not held:
                problems.append(f"{expectation}: it is false")
    return problems


def expected_exit(expectations: Iterable[Expectation]) -> int:
    return next((int(e.argument) for e in expectations if e.form == "exit"), 0)


def output_matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` is ``expected`` with each ``...`` standing for any text (lines' ends trimmed).

    A line that is only ``...`` stands for any number of lines, none included.
    """
    pattern = ""
    for line in _trim(expected).split("\n"):
        if line.strip() == "...":
            pattern += r"(?:[^\n]*\n)*?"
        else:
            pattern += ".*?".join(re.escape(part) for part in line.split("...")) + "\n"
    return re.fullmatch(pattern, _trim(actual) + "\n", re.DOTALL) is not None


def _trim(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")
