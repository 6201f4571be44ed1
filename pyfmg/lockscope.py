"""Work out which workspace lock a JSON-RPC request needs, and where a policy package lives.

In workspace mode FortiManager refuses writes to an ADOM's database unless the session holds a lock
that covers them. Locking the whole ADOM serialises every writer; locking only the policy package or
device a request touches lets independent workers run side by side. :func:`lock_scope` reads a
request (method, URL(s), data) and names the narrowest lock that covers it, or ``None`` when nothing
needs locking (reads, installs and previews, system-level URLs). When the request does not say enough
to decide it raises :class:`FMGLockScopeError` instead of guessing: a wrong guess means either a
refused write or a lock that blocks other workers for nothing.

:func:`resolve_package_path` turns a policy package name into its path inside package folders, which is
what the package lock URL expects.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from pyfmg.exceptions import FMGLockScopeError, FMGValueError, bounded_repr
from pyfmg.workspace import LockScope

logger = logging.getLogger(__name__)

GLOBAL = "global"

_READ_METHODS = frozenset({"get"})
_WRITE_METHODS = frozenset({"add", "set", "update", "delete", "replace", "clone", "move", "unset"})
_EXEC_METHODS = frozenset({"exec", "execute"})

# exec URLs that push or preview configuration that is already committed: FortiManager runs them
# without a workspace lock, and taking one would only block other writers for the whole install.
_NO_LOCK_EXEC_PREFIXES: tuple[str, ...] = (
    "securityconsole/install/",
    "securityconsole/reinstall/",
    "securityconsole/preview/",
    "securityconsole/package/cancel/install",
    "securityconsole/abort",
)

# Trees outside any ADOM database: system settings, sessions, tasks, user management.
_NO_LOCK_PREFIXES: tuple[str, ...] = (
    "sys/",
    "cli/",
    "task/",
    "um/",
)


# First segment of the tables that live inside a policy package (firewall/policy, global/header/policy,
# authentication/rule, central/dnat...): where the package path in a pm/config URL ends.
_PACKAGE_TABLE_ROOTS = frozenset(
    {"firewall", "global", "authentication", "central", "_consolidated", "consolidated", "user", "dynamic"}
)


def split_url(url: str) -> list[str]:
    """Split a FortiManager URL into its segments, keeping ``\\/`` (an escaped slash inside an object
    name) within its segment."""
    if not isinstance(url, str):
        raise FMGLockScopeError(f"A request URL must be a string, got {type(url).__name__}")
    segments: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(url):
        char = url[index]
        if char == "\\" and index + 1 < len(url) and url[index + 1] == "/":
            current.append("\\/")
            index += 2
            continue
        if char == "/":
            if current:
                segments.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    if current:
        segments.append("".join(current))
    return segments


def _scope_from_data(url: str, data: Any, adom_hint: str | None) -> LockScope:
    """ADOM named by the ``adom`` field of an exec's data (securityconsole, dvm commands)."""
    items: Iterable[Any] = data if isinstance(data, list) else [data]
    adoms = {str(item["adom"]) for item in items if isinstance(item, dict) and item.get("adom")}
    if len(adoms) == 1:
        return LockScope(adoms.pop())
    if len(adoms) > 1:
        raise FMGLockScopeError(
            "exec {} names several ADOMs in its data ({}); one lock cannot cover them, "
            "send one request per ADOM".format(url, ", ".join(sorted(adoms)))
        )
    if adom_hint:
        return LockScope(adom_hint)
    raise FMGLockScopeError(
        f"Cannot tell which ADOM exec {url} changes: its data has no 'adom' field and no ADOM was given"
    )


def _scope_from_url(url: str, adom_hint: str | None) -> LockScope | None:
    """Lock needed by a write to ``url`` (None when the URL is outside every ADOM database)."""
    segments = split_url(url)
    path = "/".join(segments)
    if not segments:
        raise FMGLockScopeError("Cannot tell what an empty URL changes")
    if any(path == prefix.rstrip("/") or path.startswith(prefix) for prefix in _NO_LOCK_PREFIXES):
        return None
    head = segments[0]
    if head == "pm" and len(segments) >= 3:
        return _scope_from_pm_url(url, segments, adom_hint)
    if head == "dvmdb" and len(segments) >= 2:
        return _scope_from_dvmdb_url(url, segments, adom_hint)
    raise FMGLockScopeError(
        f"Cannot tell which workspace lock a write to {url} needs; lock it yourself or use a /pm/... or /dvmdb/... URL"
    )


def _scope_from_pm_url(url: str, segments: list[str], adom_hint: str | None) -> LockScope:
    # pm/<tree>/adom/<adom>/...  or  pm/<tree>/global/...  or  pm/config/device/<dev>/...
    tree_rest = segments[2:]
    if tree_rest[0] == "adom" and len(tree_rest) >= 2:
        adom = tree_rest[1]
        rest = tree_rest[2:]
    elif tree_rest[0] == GLOBAL:
        adom = GLOBAL
        rest = tree_rest[1:]
    elif segments[1] == "config" and tree_rest[0] == "device" and len(tree_rest) >= 2:
        device = tree_rest[1]
        if not adom_hint:
            raise FMGLockScopeError(f"Cannot tell which ADOM device {device} of {url} belongs to; pass the ADOM")
        return LockScope(adom_hint, device=device)
    else:
        raise FMGLockScopeError(f"Cannot tell which ADOM {url} belongs to")
    if segments[1] == "config" and len(rest) >= 2 and rest[0] == "pkg":
        return LockScope(adom, package=_package_part(rest[1:]))
    return LockScope(adom)


def _package_part(segments: list[str]) -> str:
    """The package path at the start of what follows ``pkg/``: everything up to the first segment
    that starts a table inside a package (``firewall/policy``...). Folder packages appear as
    ``folder/name``; :func:`resolve_package_path` checks the result against the package tree."""
    for index, segment in enumerate(segments):
        if index > 0 and segment in _PACKAGE_TABLE_ROOTS:
            return "/".join(segments[:index])
    return "/".join(segments)


def _scope_from_dvmdb_url(url: str, segments: list[str], adom_hint: str | None) -> LockScope | None:
    if segments[1] == "device" and len(segments) >= 3:
        # The device list outside ADOMs: the URL does not say which ADOM's workspace holds the device.
        if not adom_hint:
            raise FMGLockScopeError(
                f"Cannot tell which ADOM device {segments[2]} of {url} belongs to; pass the ADOM or use "
                f"/dvmdb/adom/<adom>/device/{segments[2]}"
            )
        return LockScope(adom_hint, device=segments[2])
    if segments[1] == GLOBAL:
        if len(segments) >= 3 and segments[2] == "workspace":
            return None
        return LockScope(GLOBAL)
    if segments[1] != "adom":
        raise FMGLockScopeError(f"Cannot tell which workspace lock a write to {url} needs")
    if len(segments) == 2:
        return None  # creating or listing ADOMs is system-level
    adom = segments[2]
    rest = segments[3:]
    if rest and rest[0] == "workspace":
        return None  # lock/commit/unlock calls themselves
    if len(rest) >= 2 and rest[0] == "device":
        return LockScope(adom, device=rest[1])
    return LockScope(adom)


def _one_scope(method: str, url: str, data: Any, adom_hint: str | None) -> LockScope | None:
    if method in _READ_METHODS:
        return None
    path = "/".join(split_url(url))
    if method in _EXEC_METHODS:
        if any(path.startswith(prefix.rstrip("/")) for prefix in _NO_LOCK_EXEC_PREFIXES):
            return None
        if path.startswith("securityconsole/") or path.startswith("dvm/cmd/"):
            return _scope_from_data(url, data, adom_hint)
        return _scope_from_url(url, adom_hint)
    return _scope_from_url(url, adom_hint)


RequestParam = dict[str, Any]


def lock_scope(
    method: str,
    urls: str | Sequence[str] | Sequence[RequestParam],
    data: Any = None,
    *,
    adom: str | None = None,
    narrow: bool = True,
) -> LockScope | None:
    """Name the narrowest workspace lock that covers a request, or ``None`` if it needs none.

    ``urls`` is one URL, a list of URLs (all sent with the same ``data``), or a list of JSON-RPC
    params (dicts with ``url`` and optional ``data``) as in a multi-URL request. ``adom`` is used only
    when the request itself does not name an ADOM (device-level URLs, commands without ``adom``).
    With ``narrow=False`` every write locks its whole ADOM.

    Raises :class:`FMGLockScopeError` when the method is unknown, a URL is outside the trees it knows,
    or the request spans ADOMs (one lock cannot cover that).
    """
    if not isinstance(method, str) or not method:
        raise FMGLockScopeError(f"A request method must be a non-empty string, got {bounded_repr(method)}")
    verb = method.strip().lower()
    if verb not in _READ_METHODS | _WRITE_METHODS | _EXEC_METHODS:
        raise FMGLockScopeError(
            f"Unknown JSON-RPC method {bounded_repr(method)}; expected one of get, add, set, update, delete, replace, "
            "clone, move, unset, exec"
        )
    pairs = _url_data_pairs(urls, data)
    if not pairs:
        raise FMGLockScopeError("A request needs at least one URL")
    scopes = [scope for url, item_data in pairs if (scope := _one_scope(verb, url, item_data, adom)) is not None]
    if not scopes:
        return None
    merged = _merge(scopes, [url for url, _ in pairs])
    if not narrow:
        merged = LockScope(merged.adom)
    logger.debug("lock scope for %s %s: %s", verb, [url for url, _ in pairs], merged.name)
    return merged


def _url_data_pairs(urls: str | Sequence[str] | Sequence[RequestParam], data: Any) -> list[tuple[str, Any]]:
    if isinstance(urls, str):
        return [(urls, data)]
    if not isinstance(urls, (list, tuple)):
        raise FMGLockScopeError(f"URLs must be a string or a list, got {type(urls).__name__}")
    pairs: list[tuple[str, Any]] = []
    for item in urls:
        if isinstance(item, str):
            pairs.append((item, data))
        elif isinstance(item, dict) and isinstance(item.get("url"), str):
            pairs.append((item["url"], item.get("data", data)))
        else:
            raise FMGLockScopeError(f"Each request param needs a string 'url', got {bounded_repr(item)}")
    return pairs


def _merge(scopes: list[LockScope], urls: list[str]) -> LockScope:
    adoms = sorted({scope.adom or "root" for scope in scopes})
    if len(adoms) > 1:
        raise FMGLockScopeError(
            "The request spans ADOMs {} ({}); one lock cannot cover them, send one request per ADOM".format(
                ", ".join(adoms), ", ".join(urls)
            )
        )
    distinct = set(scopes)
    if len(distinct) == 1:
        return scopes[0]
    return LockScope(adoms[0])


def resolve_package_path(fmg: Any, adom: str, name: str) -> str:
    """Return the path of policy package ``name`` inside the package folders of ``adom``
    (``"folder/sub/name"``, or just ``"name"`` at the top level).

    ``fmg`` is a logged-in :class:`pyfmg.FortiManager`. ``name`` may already be a path, which is then
    checked. Raises :class:`FMGValueError` when the package is not there or the tree cannot be read.
    """
    if not isinstance(name, str) or not name.strip("/"):
        raise FMGValueError(f"A policy package name must be a non-empty string, got {bounded_repr(name)}")
    if not isinstance(adom, str) or not adom:
        raise FMGValueError(f"An ADOM name must be a non-empty string, got {bounded_repr(adom)}")
    url = "pm/pkg/global" if adom == GLOBAL else f"pm/pkg/adom/{adom}"
    code, tree = fmg.get(url)
    if code != 0:
        message = tree.get("status", {}).get("message", "") if isinstance(tree, dict) else ""
        raise FMGValueError(f"Cannot read the policy packages of ADOM {adom} ({url} answered {code} {message})")
    paths = list(_package_paths(tree if isinstance(tree, list) else [tree], ""))
    wanted = name.strip("/")
    if wanted in paths:
        return wanted
    matches = [path for path in paths if path.rsplit("/", 1)[-1] == wanted]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise FMGValueError(f"Policy package {name} does not exist in ADOM {adom}")
    raise FMGValueError(
        "Policy package name {} is ambiguous in ADOM {}: {}; give its full path".format(
            name, adom, ", ".join(sorted(matches))
        )
    )


def _package_paths(nodes: list[Any], prefix: str) -> Iterable[str]:
    for node in nodes:
        if not isinstance(node, dict) or not node.get("name"):
            continue
        path = "{}{}".format(prefix, node["name"])
        children = node.get("subobj")
        if node.get("type") == "folder" or isinstance(children, list):
            yield from _package_paths(children if isinstance(children, list) else [], path + "/")
        else:
            yield path
