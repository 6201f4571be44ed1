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
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from pyfmg.exceptions import FMGValueError

logger = logging.getLogger(__name__)

GLOBAL = "global"

_READ_METHODS = frozenset({"get"})
_WRITE_METHODS = frozenset({"add", "set", "update", "delete", "replace", "clone", "move", "unset"})
_EXEC_METHODS = frozenset({"exec", "execute"})

# exec URLs that push or preview configuration that is already committed: FortiManager runs them
# without a workspace lock, and taking one would only block other writers for the whole install.
_NO_LOCK_EXEC_PREFIXES: Tuple[str, ...] = (
    "securityconsole/install/",
    "securityconsole/reinstall/",
    "securityconsole/preview/",
    "securityconsole/package/cancel/install",
    "securityconsole/abort",
)

# Trees outside any ADOM database: system settings, sessions, tasks, the device manager's global
# view and the workspace lock URLs themselves.
_NO_LOCK_PREFIXES: Tuple[str, ...] = (
    "sys/",
    "cli/",
    "task/",
    "um/",
    "dvmdb/device",
    "dvmdb/script/log",
)


class FMGLockScopeError(FMGValueError):
    """The lock a request needs cannot be told from its method, URL(s) and data."""


@dataclass(frozen=True)
class LockScope:
    """One workspace lock: an ADOM (``"global"`` for global objects), optionally narrowed to a
    policy package or a device inside it."""

    adom: str
    package: Optional[str] = None
    device: Optional[str] = None

    @property
    def kind(self) -> str:
        """``"package"``, ``"device"`` or ``"adom"``."""
        if self.package is not None:
            return "package"
        if self.device is not None:
            return "device"
        return "adom"

    def widened(self) -> LockScope:
        """The ADOM-wide lock that contains this one."""
        return LockScope(self.adom)

    def as_kwargs(self) -> Dict[str, Optional[str]]:
        """Keyword arguments for ``FortiManager.lock`` / ``FortiManager.workspace``."""
        return {"adom": self.adom, "package": self.package, "device": self.device}

    def __str__(self) -> str:
        if self.package is not None:
            return "{}/pkg/{}".format(self.adom, self.package)
        if self.device is not None:
            return "{}/dev/{}".format(self.adom, self.device)
        return self.adom


def split_url(url: str) -> List[str]:
    """Split a FortiManager URL into its segments, keeping ``\\/`` (an escaped slash inside an object
    name) within its segment."""
    if not isinstance(url, str):
        raise FMGLockScopeError("A request URL must be a string, got {}".format(type(url).__name__))
    segments: List[str] = []
    current: List[str] = []
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


def _scope_from_data(url: str, data: Any, adom_hint: Optional[str]) -> LockScope:
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
        "Cannot tell which ADOM exec {} changes: its data has no 'adom' field and no ADOM was given".format(url)
    )


def _scope_from_url(url: str, adom_hint: Optional[str]) -> Optional[LockScope]:
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
        return _scope_from_dvmdb_url(url, segments)
    raise FMGLockScopeError(
        "Cannot tell which workspace lock a write to {} needs; lock it yourself or use a "
        "/pm/... or /dvmdb/... URL".format(url)
    )


def _scope_from_pm_url(url: str, segments: List[str], adom_hint: Optional[str]) -> LockScope:
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
            raise FMGLockScopeError(
                "Cannot tell which ADOM device {} of {} belongs to; pass the ADOM".format(device, url)
            )
        return LockScope(adom_hint, device=device)
    else:
        raise FMGLockScopeError("Cannot tell which ADOM {} belongs to".format(url))
    if segments[1] == "config" and len(rest) >= 2 and rest[0] == "pkg":
        return LockScope(adom, package=rest[1])
    return LockScope(adom)


def _scope_from_dvmdb_url(url: str, segments: List[str]) -> Optional[LockScope]:
    if segments[1] == GLOBAL:
        if len(segments) >= 3 and segments[2] == "workspace":
            return None
        return LockScope(GLOBAL)
    if segments[1] != "adom":
        raise FMGLockScopeError("Cannot tell which workspace lock a write to {} needs".format(url))
    if len(segments) == 2:
        return None  # creating or listing ADOMs is system-level
    adom = segments[2]
    rest = segments[3:]
    if rest and rest[0] == "workspace":
        return None  # lock/commit/unlock calls themselves
    if len(rest) >= 2 and rest[0] == "device":
        return LockScope(adom, device=rest[1])
    return LockScope(adom)


def _one_scope(method: str, url: str, data: Any, adom_hint: Optional[str]) -> Optional[LockScope]:
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


RequestParam = Dict[str, Any]


def lock_scope(
    method: str,
    urls: Union[str, Sequence[str], Sequence[RequestParam]],
    data: Any = None,
    *,
    adom: Optional[str] = None,
    narrow: bool = True,
) -> Optional[LockScope]:
    """Name the narrowest workspace lock that covers a request, or ``None`` if it needs none.

    ``urls`` is one URL, a list of URLs (all sent with the same ``data``), or a list of JSON-RPC
    params (dicts with ``url`` and optional ``data``) as in a multi-URL request. ``adom`` is used only
    when the request itself does not name an ADOM (device-level URLs, commands without ``adom``).
    With ``narrow=False`` every write locks its whole ADOM.

    Raises :class:`FMGLockScopeError` when the method is unknown, a URL is outside the trees it knows,
    or the request spans ADOMs (one lock cannot cover that).
    """
    if not isinstance(method, str) or not method:
        raise FMGLockScopeError("A request method must be a non-empty string, got {!r}".format(method))
    verb = method.strip().lower()
    if verb not in _READ_METHODS | _WRITE_METHODS | _EXEC_METHODS:
        raise FMGLockScopeError(
            "Unknown JSON-RPC method {!r}; expected one of get, add, set, update, delete, replace, "
            "clone, move, unset, exec".format(method)
        )
    pairs = _url_data_pairs(urls, data)
    if not pairs:
        raise FMGLockScopeError("A request needs at least one URL")
    scopes = [scope for url, item_data in pairs if (scope := _one_scope(verb, url, item_data, adom)) is not None]
    if not scopes:
        return None
    merged = _merge(scopes, [url for url, _ in pairs])
    if not narrow:
        merged = merged.widened()
    logger.debug("lock scope for %s %s: %s", verb, [url for url, _ in pairs], merged)
    return merged


def _url_data_pairs(
    urls: Union[str, Sequence[str], Sequence[RequestParam]], data: Any
) -> List[Tuple[str, Any]]:
    if isinstance(urls, str):
        return [(urls, data)]
    if not isinstance(urls, (list, tuple)):
        raise FMGLockScopeError("URLs must be a string or a list, got {}".format(type(urls).__name__))
    pairs: List[Tuple[str, Any]] = []
    for item in urls:
        if isinstance(item, str):
            pairs.append((item, data))
        elif isinstance(item, dict) and isinstance(item.get("url"), str):
            pairs.append((item["url"], item.get("data", data)))
        else:
            raise FMGLockScopeError("Each request param needs a string 'url', got {!r}".format(item))
    return pairs


def _merge(scopes: List[LockScope], urls: List[str]) -> LockScope:
    adoms = sorted({scope.adom for scope in scopes})
    if len(adoms) > 1:
        raise FMGLockScopeError(
            "The request spans ADOMs {} ({}); one lock cannot cover them, send one request per "
            "ADOM".format(", ".join(adoms), ", ".join(urls))
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
        raise FMGValueError("A policy package name must be a non-empty string, got {!r}".format(name))
    if not isinstance(adom, str) or not adom:
        raise FMGValueError("An ADOM name must be a non-empty string, got {!r}".format(adom))
    url = "pm/pkg/global" if adom == GLOBAL else "pm/pkg/adom/{}".format(adom)
    code, tree = fmg.get(url)
    if code != 0:
        message = tree.get("status", {}).get("message", "") if isinstance(tree, dict) else ""
        raise FMGValueError(
            "Cannot read the policy packages of ADOM {} ({} answered {} {})".format(adom, url, code, message)
        )
    paths = list(_package_paths(tree if isinstance(tree, list) else [tree], ""))
    wanted = name.strip("/")
    if wanted in paths:
        return wanted
    matches = [path for path in paths if path.rsplit("/", 1)[-1] == wanted]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise FMGValueError("Policy package {} does not exist in ADOM {}".format(name, adom))
    raise FMGValueError(
        "Policy package name {} is ambiguous in ADOM {}: {}; give its full path".format(
            name, adom, ", ".join(sorted(matches))
        )
    )


def _package_paths(nodes: List[Any], prefix: str) -> Iterable[str]:
    for node in nodes:
        if not isinstance(node, dict) or not node.get("name"):
            continue
        path = "{}{}".format(prefix, node["name"])
        children = node.get("subobj")
        if node.get("type") == "folder" or isinstance(children, list):
            yield from _package_paths(children if isinstance(children, list) else [], path + "/")
        else:
            yield path
