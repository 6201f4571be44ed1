"""Imports point one way: facade (client, session) -> (auth, workspace, tasks, planning) -> transport -> exceptions."""

from __future__ import annotations

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "pyfmg"

#: What each lower-layer module may import from pyfmg; anything else there points the wrong way.
ALLOWED = {
    "exceptions": set(),
    "logs": set(),
    "arguments": {"exceptions"},
    "request": {"exceptions"},
    "response": {"exceptions", "logs"},
    "transport": {"exceptions", "logs", "wirelimits", "directroute"},
    "directroute": set(),
    "wirelimits": {"exceptions"},
    "auth": {"exceptions", "logs", "request", "response", "transport"},
    "workspace": {"exceptions"},
    "tasks": {"exceptions"},
    "bulk": {"exceptions"},
    "retry": {"exceptions"},
    "lockscope": {"exceptions", "workspace"},
    "compare": {"exceptions"},
    "jobresult": {"exceptions"},
    "wanted": {"exceptions"},
    "tableread": {"exceptions", "bulk", "compare"},
    # The planner: reads through tableread, compares by compare's rules, writes through bulk, locks through workspace.
    "planning": {
        "exceptions",
        "bulk",
        "compare",
        "jobresult",
        "lockscope",
        "tableread",
        "validation",
        "wanted",
        "workspace",
    },
    # One-object jobs: the planner's single-object face.
    "converge": {"exceptions", "compare", "planning", "validation"},
    # Table schemas (option=syntax), read once for validation and the planner's enum comparison.
    "validation": {"exceptions", "compare"},
    "cassette": {"exceptions", "logs"},
    # The facade's lower half (login, calls, retry, recovery): everything below it, nothing of client.py.
    "session": {"arguments", "exceptions", "legacy", "lockscope", "request", "response", "retry", "workspace"},
    "verbdocs": set(),
}

#: Front ends (command line, demo, SOAR adapter) use the public API: ``from pyfmg import ...``.
FRONT_ENDS = ["cli", "__main__.py", "progress.py", "demo.py", "soar_bundle.py", "soar"]
CORE = {
    "client",
    "session",
    "legacy",
    "verbdocs",
    "arguments",
    "auth",
    "transport",
    "wirelimits",
    "directroute",
    "request",
    "response",
    "workspace",
    "tasks",
    "logs",
    "exceptions",
    "retry",
    "lockscope",
    "bulk",
    "compare",
    "converge",
    "jobresult",
    "planning",
    "tableread",
    "wanted",
    "validation",
    "cassette",
}


def internal_imports(path: pathlib.Path) -> set[str]:
    """pyfmg modules imported by ``path``, as names relative to the package ("transport", "testing.state")."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package_parts = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package_parts[: len(package_parts) - node.level + 1])
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names = [module] if node.module else [f"{module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found.update(
            name[len("pyfmg.") :] if name.startswith("pyfmg.") else ""
            for name in names
            if name == "pyfmg" or name.startswith("pyfmg.")
        )
    return found


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_lower_layers_import_only_what_is_below_them(module: str) -> None:
    imported = {name.split(".")[0] for name in internal_imports(PACKAGE / f"{module}.py")}
    assert imported <= ALLOWED[module], f"pyfmg/{module}.py imports {sorted(imported - ALLOWED[module])}"


def test_simulator_imports_nothing_from_the_client() -> None:
    for path in sorted((PACKAGE / "testing").rglob("*.py")):
        outside = {name for name in internal_imports(path) if not name.startswith("testing")}
        assert not outside, f"{path.relative_to(PACKAGE.parent)} imports {sorted(outside)} from the client"


def test_front_ends_use_only_the_public_api() -> None:
    for entry in FRONT_ENDS:
        paths = sorted((PACKAGE / entry).rglob("*.py")) if (PACKAGE / entry).is_dir() else [PACKAGE / entry]
        for path in paths:
            internal = {name.split(".")[0] for name in internal_imports(path)}
            assert not internal & CORE, f"{path.name} reaches past the public API into {sorted(internal & CORE)}"


def test_ansible_collection_uses_only_the_public_api() -> None:
    collection = PACKAGE.parent / "ansible_collections"
    for path in sorted(collection.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and not node.level:
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            deep = [name for name in modules if name.startswith("pyfmg.")]
            assert not deep, f"{path.relative_to(collection)} imports {deep}: use 'from pyfmg import ...'"
