"""The checks CI must not skip: lint, types, Python 3.9 compatibility, docstrings, documentation build."""

from __future__ import annotations

import importlib
import inspect
import pathlib
import re
import shutil
import subprocess
import sys
import zlib
from typing import Any

import pytest
from sphinx.pycode import ModuleAnalyzer

import pyfmg

ROOT = pathlib.Path(__file__).resolve().parents[1]
# Code that runs on a user's Python (3.9 on SOAR platforms): the package and the Ansible collection.
SOURCES = ["pyfmg", "pyFMG.py", "ansible_collections"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def tool(name: str) -> str:
    found = shutil.which(name, path=str(pathlib.Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_ruff() -> None:
    result = run(tool("ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = run(tool("ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy() -> None:
    result = run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_shipped_code_runs_on_python_39() -> None:
    result = run(tool("vermin"), "-t=3.9-", "--no-tips", "--violations", "--eval-annotations", *SOURCES)
    assert result.returncode == 0, result.stdout + result.stderr


def public_names() -> dict[str, Any]:
    """Every public name: the members of ``FortiManager`` and ``pyfmg.__all__``, each with its object."""
    names = {f"FortiManager.{name}": getattr(pyfmg.FortiManager, name) for name in dir(pyfmg.FortiManager)}
    names = {name: value for name, value in names.items() if not name.split(".")[-1].startswith("_")}
    names.update({name: getattr(pyfmg, name) for name in pyfmg.__all__})
    return names


def own_docstring(name: str) -> str | None:
    """The docstring ``name`` itself has: not one inherited from a base class or from ``str``."""
    if name == "__version__":
        lines = ModuleAnalyzer.for_module("pyfmg").find_attr_docs().get(("", name))
        return "\n".join(lines) if lines else None
    if name.startswith("FortiManager."):
        member = name.split(".")[1]
        value = next(vars(cls)[member] for cls in pyfmg.FortiManager.__mro__ if member in vars(cls))
        value = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
        doc = value.__doc__
    else:
        value = getattr(pyfmg, name)
        doc = vars(value).get("__doc__") if isinstance(value, type) else value.__doc__
    return doc if isinstance(doc, str) and doc.strip() else None


def test_fortimanager_has_the_public_members_the_api_page_promises() -> None:
    # 52 = pyFMG 0.8.6's 36 public members + 16 of pyfmg's; a new one needs its docstring (below).
    assert sum(name.startswith("FortiManager.") for name in public_names()) == 52


@pytest.mark.parametrize("name", sorted(public_names()))
def test_every_public_name_has_a_docstring(name: str) -> None:
    assert own_docstring(name), f"pyfmg.{name} has no docstring: autodoc leaves it out of the API page"


def public_class_members() -> list[str]:
    """``Class.member`` for the public methods and properties the classes of ``pyfmg.__all__`` define themselves."""
    members = []
    for name in pyfmg.__all__:
        value = getattr(pyfmg, name)
        if name == "FortiManager" or not isinstance(value, type):
            continue
        for member, attribute in vars(value).items():
            callable_or_property = isinstance(attribute, (property, staticmethod, classmethod))
            if not member.startswith("_") and (callable_or_property or inspect.isfunction(attribute)):
                members.append(f"{name}.{member}")
    return members


@pytest.mark.parametrize("name", public_class_members())
def test_every_public_member_of_an_exported_class_has_a_docstring(name: str) -> None:
    owner, member = name.split(".")
    attribute = vars(getattr(pyfmg, owner))[member]
    function = attribute.fget if isinstance(attribute, property) else getattr(attribute, "__func__", attribute)
    assert (function.__doc__ or "").strip(), f"pyfmg.{name} has no docstring: autodoc leaves it out of the API page"


def documented_on_api_page(html: pathlib.Path) -> list[Any]:
    """The Python objects the built API page (``api.html``) describes, read from Sphinx's ``objects.inv``."""
    raw = (html / "objects.inv").read_bytes()
    start = 0
    for _ in range(4):  # four header lines, then the zlib-compressed entries
        start = raw.index(b"\n", start) + 1
    found = []
    for line in zlib.decompress(raw[start:]).decode("utf-8").splitlines():
        entry = re.match(r"(\S+) py:\w+ -?\d+ api\.html", line)
        if entry:
            found.append(resolve(entry.group(1)))
    return found


def resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for part in parts[split:]:
            value = getattr(value, part)
        return value
    raise AssertionError(f"objects.inv names {dotted}, which does not import")


@pytest.mark.duration(6)
def test_docs_build_without_warnings(tmp_path: pathlib.Path) -> None:
    result = run(sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", "docs", str(tmp_path / "html"))
    assert result.returncode == 0, result.stdout + result.stderr
    # The same build shows the API page describes every public name (under any of its import paths).
    described = documented_on_api_page(tmp_path / "html")
    missing = [name for name, value in public_names().items() if not any(value is seen for seen in described)]
    assert not missing, f"docs/api.rst does not describe {missing}"
