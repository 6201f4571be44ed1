"""Policy packages and package folders (``pm/pkg/adom/<adom>``) and the tables inside a package."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from .codes import EXISTS, INVALID_COMMAND, INVALID_DATA, INVALID_URL, NOT_FOUND, RpcError
from .objects import NO_DATA, Table
from .query import pick_fields, select
from .schema import PACKAGE_TABLES, TableSpec

Node = dict[str, Any]
PACKAGE_SPEC = TableSpec(key="name")


def new_node(name: Any, kind: Any, oids: Iterator[int]) -> Node:
    if not isinstance(name, str) or not name or "/" in name:
        raise RpcError(INVALID_DATA)
    if kind not in ("pkg", "folder"):
        raise RpcError(INVALID_DATA)
    node: Node = {"name": name, "oid": next(oids), "type": kind, "obj ver": 3}
    if kind == "pkg":
        node.update({"package settings": {"central-nat": "disable", "ngfw-mode": "profile-based"}})
        node["scope member"] = []
        node["_tables"] = {}
    else:
        node["subobj"] = []
    return node


def render_node(node: Node) -> Node:
    out = {k: copy.deepcopy(v) for k, v in node.items() if not k.startswith("_") and k != "subobj"}
    if node["type"] == "folder":
        out["subobj"] = [render_node(child) for child in node["subobj"]]
    return out


def find(container: list[Node], name: str) -> Node | None:
    return next((node for node in container if node["name"] == name), None)


def walk(root: list[Node], names: list[str]) -> tuple[list[Node], Node | None]:
    """Follow folder names; return (container of the last name, node or None if it is missing)."""
    container = root
    for depth, name in enumerate(names):
        node = find(container, name)
        last = depth == len(names) - 1
        if node is None:
            if last:
                return container, None
            raise RpcError(INVALID_URL)
        if last:
            return container, node
        if node["type"] != "folder":
            raise RpcError(INVALID_URL)
        container = node["subobj"]
    return container, None


def locate_package_table(root: list[Node], segments: list[str]) -> tuple[str, Node, str, list[str]]:
    """Split ``<folder>/.../<pkg>/<table path>/<rest>``; return (pkg path, pkg node, table, rest)."""
    container = root
    for depth, name in enumerate(segments):
        node = find(container, name)
        if node is None:
            break
        if node["type"] == "pkg":
            rest = segments[depth + 1 :]
            for size in range(len(rest), 0, -1):
                table_path = "/".join(rest[:size])
                if table_path in PACKAGE_TABLES:
                    return "/".join(segments[: depth + 1]), node, table_path, rest[size:]
            break
        container = node["subobj"]
    raise RpcError(INVALID_URL)


def package_table(node: Node, table_path: str, oids: Iterator[int]) -> Table:
    rows = node["_tables"].setdefault(table_path, [])
    return Table(rows, PACKAGE_TABLES[table_path], oids, table_path.replace("/", " "))


def _update_node(container: list[Node], node: Node, data: Any) -> None:
    if not isinstance(data, dict):
        raise RpcError(INVALID_DATA)
    name = data.get("name", node["name"])
    if name != node["name"]:
        if not isinstance(name, str) or not name or "/" in name:
            raise RpcError(INVALID_DATA)
        if find(container, name) is not None:
            raise RpcError(EXISTS)
        node["name"] = name
    for attr, value in data.items():
        if attr in ("name", "oid", "type", "subobj") or attr.startswith("_"):
            continue
        members_ok = isinstance(value, list) and all(isinstance(m, dict) and "name" in m for m in value)
        if attr == "scope member" and not members_ok:
            raise RpcError(INVALID_DATA)
        if attr == "package settings" and isinstance(value, dict):
            node.setdefault(attr, {}).update(value)
        else:
            node[attr] = copy.deepcopy(value)


def _create_in(container: list[Node], data: Any, oids: Iterator[int], name: str | None = None) -> Node:
    if not isinstance(data, dict):
        raise RpcError(INVALID_DATA)
    name = name if name is not None else data.get("name")
    if isinstance(name, str) and find(container, name) is not None:
        raise RpcError(EXISTS)
    node = new_node(name, data.get("type", "pkg"), oids)
    for child in data.get("subobj") or []:
        if node["type"] == "folder":
            _create_in(node["subobj"], child, oids)
    _update_node(container, node, {k: v for k, v in data.items() if k not in ("name", "type")})
    container.append(node)
    return node


def tree_call(method: str, root: list[Node], names: list[str], param: dict[str, Any], oids: Iterator[int]) -> Any:
    """A method on ``pm/pkg/adom/<adom>[/<folder>...][/<pkg>]``."""
    data = param.get("data")
    items = data if isinstance(data, list) else [data]
    if not names or (method in ("add", "set") and _is_folder(root, names)):
        container = root if not names else walk(root, names)[1]["subobj"]  # type: ignore[index]
        if method == "get":
            rows = select(container, param, PACKAGE_SPEC)
            return [pick_fields(render_node(n), param.get("fields")) for n in rows]
        if method not in ("add", "set", "update"):
            raise RpcError(INVALID_COMMAND)
        last: dict[str, Any] = {}
        for item in items:
            existing = find(container, str(item.get("name"))) if isinstance(item, dict) else None
            if existing is not None and method != "add":
                _update_node(container, existing, item)
                last = {"name": existing["name"]}
            elif method == "update":
                raise RpcError(NOT_FOUND)
            else:
                last = {"name": _create_in(container, item, oids)["name"]}
        return last
    container, node = walk(root, names)
    if node is None:
        if method in ("add", "set"):
            return {"name": _create_in(container, items[0], oids, name=names[-1])["name"]}
        raise RpcError(NOT_FOUND)
    if method == "get":
        return pick_fields(render_node(node), param.get("fields"))
    if method == "add":
        raise RpcError(EXISTS)
    if method in ("set", "update", "replace"):
        _update_node(container, node, items[0] if items[0] is not None else {})
        return {"name": node["name"]}
    if method == "delete":
        container.remove(node)
        return NO_DATA
    if method == "clone":
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise RpcError(INVALID_DATA)
        if find(container, data["name"]) is not None:
            raise RpcError(EXISTS)
        twin = copy.deepcopy(node)
        _renumber(twin, oids)
        twin["name"] = data["name"]
        container.append(twin)
        return {"name": twin["name"]}
    raise RpcError(INVALID_COMMAND)


def _is_folder(root: list[Node], names: list[str]) -> bool:
    try:
        node = walk(root, names)[1]
    except RpcError:
        return False
    return node is not None and node["type"] == "folder"


def _renumber(node: Node, oids: Iterator[int]) -> None:
    node["oid"] = next(oids)
    for child in node.get("subobj", []):
        _renumber(child, oids)
    for rows in node.get("_tables", {}).values():
        for row in rows:
            row["oid"] = next(oids)
