"""The in-memory FortiManager: ADOMs, devices, system settings and the pm/config object model."""

from __future__ import annotations

import contextlib
import itertools
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Callable

from . import packages
from .codes import INVALID_COMMAND, INVALID_DATA, INVALID_URL, NOT_FOUND, RpcError
from .objects import NO_DATA, Table, member_call, object_call, table_call
from .query import pick_fields
from .schema import DEFAULT_OBJECTS, OBJECT_TABLES, TableSpec, copy_json, normalize, render
from .workspace import ADOM, DEV, PKG

WRITE_METHODS = frozenset({"add", "set", "update", "delete", "replace", "clone", "move", "unset"})
WORKSPACE_MODES = {"disabled": 0, "normal": 1, "workflow": 2, "per-adom": 3}
OS_VERSIONS = {"5.0": 5, "6.0": 6, "7.0": 7, "8.0": 8}

SYSTEM_GLOBAL_SPEC = TableSpec(
    enums={
        "workspace-mode": WORKSPACE_MODES,
        "adom-status": {"disable": 0, "enable": 1},
        "adom-mode": {"normal": 0, "advanced": 1},
    }
)
ADOM_SPEC = TableSpec(
    enums={"os_ver": OS_VERSIONS},
    # The fields a unit's dvmdb/adom rows carry (sources in docs/simulator.rst). tab_status is a
    # string Fortinet's httpapi plugin reads at login: it asks for the workspace lockinfo of
    # every ADOM whose tab_status is not empty, besides root and global.
    defaults={
        "desc": "",
        "os_ver": "7.0",
        "mr": 4,
        "state": 1,
        "flags": 0,
        "workspace_mode": 0,
        "mode": "gms",
        "restricted_prds": "fos",
        "mig_os_ver": "7.0",
        "mig_mr": 4,
        "log_db_retention_hours": 1440,
        "log_disk_quota": 0,
        "log_disk_quota_alert_thres": 90,
        "log_disk_quota_split_ratio": 70,
        "log_file_retention_hours": 8760,
        "lock_override": 0,
        "tz": 0,
        "uuid": "",
        "create_time": 0,
        "tab_status": "",
    },
)
DEVICE_SPEC = TableSpec(
    enums={
        "os_ver": OS_VERSIONS,
        "conn_status": {"UNKNOWN": 0, "up": 1, "down": 2},
        "mgmt_mode": {"unreg": 0, "fmg": 1, "faz": 2, "fmgfaz": 3},
        "os_type": {"unknown": -1, "fos": 0, "fsw": 1, "foc": 2, "fml": 3, "faz": 4, "fwb": 5, "fch": 6, "fct": 7},
    },
    defaults={
        "os_ver": "7.0",
        "os_type": "fos",
        "mr": 4,
        "patch": 5,
        "platform_str": "FortiGate-VM64",
        "conn_status": "up",
        "mgmt_mode": "fmgfaz",
        "desc": "",
        "vdom": [{"name": "root"}],
    },
)


def new_adom(name: str) -> dict[str, Any]:
    """The row of an ADOM the administrator made (shown in the GUI, so tab_status is not empty)."""
    return {"name": name, "uuid": str(uuid.uuid4()), "create_time": int(time.time()), "tab_status": "enable"}


Scope = tuple[str, str, str]  # (adom, kind, target) as in workspace.LockManager
WriteCheck = Callable[[Scope], None]


def split_url(url: str) -> list[str]:
    """Split on "/" except "\\/", which FortiManager uses inside names."""
    if "\\/" not in url:
        return [segment for segment in url.split("/") if segment]
    segments, current, index = [], "", 0
    while index < len(url):
        char = url[index]
        if char == "\\" and url[index + 1 : index + 2] == "/":
            current += "/"
            index += 2
            continue
        if char == "/":
            segments.append(current)
            current = ""
        else:
            current += char
        index += 1
    segments.append(current)
    return [s for s in segments if s]


def _table_call(method: str, table: Table, rest: list[str], param: dict[str, Any], verbose: bool) -> Any:
    """Route to the table itself, one of its objects, a member list or a child table."""
    if not rest:
        return table_call(method, table, param, verbose)
    key, more = rest[0], rest[1:]
    if not more:
        return object_call(method, table, key, param, verbose)
    attr = more[0]
    if attr in table.spec.member_attrs and len(more) == 1:
        return member_call(method, table, key, attr, param)
    if attr in table.spec.child_tables:
        child_spec = table.spec.child_tables[attr]
        child = Table(table.row(key)[attr], child_spec, table._oids, f"{table.category} {attr}")
        return _table_call(method, child, more[1:], param, verbose)
    raise RpcError(INVALID_URL)


class Store:
    def __init__(
        self,
        adoms: Sequence[str],
        devices: Mapping[str, Iterable[str]],
        workspace_mode: str,
        adom_status: str,
    ) -> None:
        self.oids = itertools.count(3000)
        self.system_global: dict[str, Any] = {
            "hostname": "FMG-SIM",
            "adom-mode": "normal",
            "timezone": "04",
            **normalize(SYSTEM_GLOBAL_SPEC, {"workspace-mode": workspace_mode, "adom-status": adom_status}),
        }
        self.adom_rows: list[dict[str, Any]] = []
        self.config: dict[str, dict[str, Any]] = {}
        self.devices: dict[str, list[dict[str, Any]]] = {}
        for name in adoms:
            Table(self.adom_rows, ADOM_SPEC, self.oids).create(new_adom(name))
        self._sync_adoms()
        serial = itertools.count(1)
        for adom, names in devices.items():
            if adom not in self.devices:
                raise ValueError(f"devices given for unknown ADOM {adom!r}")
            for name in names:
                number = next(serial)
                self.device_table(adom).create(
                    {
                        "name": name,
                        "hostname": name,
                        "sn": f"FGVM01TM2300{number:04d}",
                        "ip": f"10.0.0.{number}",
                    }
                )
        self.status: dict[str, Any] = {
            "Version": "v7.4.5-build2588 240523 (GA)",
            "Major": 7,
            "Minor": 4,
            "Patch": 5,
            "Build": 2588,
            "Branch Point": 2588,
            "Release Version Information": " (GA)",
            "Hostname": "FMG-SIM",
            "Serial Number": "FMG-VMTM00000000",
            "Platform Type": "FMG-VM64",
            "Platform Full Name": "FortiManager-VM64",
            "HA Mode": "Stand Alone",
            "License Status": "Valid",
            "Time Zone": "(GMT) Greenwich Mean Time",
        }

    # --- containers -------------------------------------------------------------------------
    def _new_config(self) -> dict[str, Any]:
        tables: dict[str, list[dict[str, Any]]] = {}
        for path, rows in DEFAULT_OBJECTS.items():
            table = Table(tables.setdefault(path, []), OBJECT_TABLES[path], self.oids)
            for row in rows:
                table.create(row)
        config: dict[str, Any] = {"tables": tables, "packages": []}
        config["packages"].append(packages.new_node("default", "pkg", self.oids))
        return config

    def _sync_adoms(self) -> None:
        ordered = [row["name"] for row in self.adom_rows]
        names = set(ordered)
        for name in [*ordered, "global"]:
            if name not in self.config:
                self.config[name] = self._new_config()
            if name != "global":
                self.devices.setdefault(name, [])
        for name in set(self.config) - names - {"global"}:
            del self.config[name]
            self.devices.pop(name, None)

    def ensure_adom(self, name: str) -> None:
        """Create ADOM ``name`` unless it exists (seeding from a cassette names ADOMs in URLs)."""
        if name != "global" and name not in self.config:
            Table(self.adom_rows, ADOM_SPEC, self.oids).create(new_adom(name))
            self._sync_adoms()

    def adom_names(self) -> list[str]:
        return [row["name"] for row in self.adom_rows]

    def object_table(self, adom: str, path: str) -> Table:
        rows = self.config[adom]["tables"].setdefault(path, [])
        return Table(rows, OBJECT_TABLES[path], self.oids, path.replace("/", " "))

    def device_table(self, adom: str) -> Table:
        return Table(self.devices[adom], DEVICE_SPEC, self.oids, "device")

    def find_device(self, name: str) -> tuple[str, dict[str, Any]] | None:
        for adom, rows in self.devices.items():
            for row in rows:
                if row["name"] == name:
                    return adom, row
        return None

    def workspace_active(self, adom: str) -> bool:
        mode = self.system_global["workspace-mode"]
        if mode == "per-adom" and adom != "global":
            record = next((r for r in self.adom_rows if r["name"] == adom), None)
            return record is not None and bool(record.get("workspace_mode"))
        return mode != "disabled"

    def package(self, adom: str, path: str) -> packages.Node | None:
        try:
            return packages.walk(self.config[adom]["packages"], split_url(path))[1]
        except (RpcError, KeyError):
            return None

    # --- workspace snapshots -------------------------------------------------------------------
    def take_snapshot(self, adom: str, kind: str, target: str) -> Any:
        if kind == ADOM and adom in self.config:
            return copy_json(self.config[adom])
        if kind == PKG:
            return copy_json(self.package(adom, target))
        return None

    def absorb_snapshot(self, snapshot: Any, adom: str, kind: str, target: str) -> None:
        current = self.package(adom, target) if kind == PKG else None
        if snapshot is None or current is None:
            return
        try:
            old = packages.walk(snapshot["packages"], split_url(target))[1]
        except RpcError:
            return
        if old is not None:
            old.clear()
            old.update(copy_json(current))

    @contextlib.contextmanager
    def committed_view(self, snapshots: list[tuple[str, str, str, Any]]) -> Iterator[None]:
        """Serve reads from the given snapshots (other sessions' uncommitted edits hidden), then swap back."""
        swapped: list[tuple[str, str, str, Any]] = []
        try:
            for adom, kind, target, snapshot in snapshots:
                if snapshot is None:
                    continue
                live = self.take_snapshot(adom, kind, target)
                self.restore_snapshot(adom, kind, target, copy_json(snapshot))
                swapped.append((adom, kind, target, live))
            yield
        finally:
            for adom, kind, target, live in reversed(swapped):
                self.restore_snapshot(adom, kind, target, live)

    def restore_snapshot(self, adom: str, kind: str, target: str, snapshot: Any) -> None:
        if snapshot is None:
            return
        if kind == ADOM and adom in self.config:
            self.config[adom] = snapshot
        elif kind == PKG:
            node = self.package(adom, target)
            if node is not None:
                node.clear()
                node.update(snapshot)

    # --- URL routing ------------------------------------------------------------------------
    def call(self, method: str, segments: list[str], param: dict[str, Any], verbose: bool, check: WriteCheck) -> Any:
        """Serve a pm/config, pm/pkg, dvmdb or cli URL; ``check`` vets writes under workspace mode."""
        head = segments[:2]
        if head == ["pm", "config"]:
            return self._config_call(method, segments[2:], param, verbose, check)
        if head == ["pm", "pkg"]:
            adom, rest = self._adom_prefix(segments[2:])
            write = method in WRITE_METHODS
            if write:
                _container, node = packages.walk(self.config[adom]["packages"], rest) if rest else ([], None)
                if node is not None and node["type"] == "pkg" and method != "delete":
                    check((adom, PKG, "/".join(rest)))
                else:
                    check((adom, ADOM, ""))
            return packages.tree_call(method, self.config[adom]["packages"], rest, param, self.oids)
        if head == ["dvmdb", "adom"]:
            return self._dvmdb_adom_call(method, segments[2:], param, verbose, check)
        if head == ["dvmdb", "device"]:
            if method != "get":
                raise RpcError(INVALID_COMMAND)
            everything = Table([r for rows in self.devices.values() for r in rows], DEVICE_SPEC, self.oids)
            return _table_call(method, everything, segments[2:], param, verbose)
        if segments in (["cli", "global", "system", "status"], ["sys", "status"]):
            if method != "get":
                raise RpcError(INVALID_COMMAND)
            status = dict(self.status)
            status["Admin Domain Configuration"] = (
                "Enabled" if self.system_global["adom-status"] == "enable" else "Disabled"
            )
            status["Current Time"] = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime())
            return pick_fields(status, param.get("fields"))
        if segments == ["cli", "global", "system", "global"]:
            return self._system_global_call(method, param, verbose)
        if segments[:1] == ["dvmdb"] and len(segments) > 1:
            # An unknown table under a known prefix (``/dvmdb/devices``): a live unit says -3, not -6.
            raise RpcError(NOT_FOUND)
        raise RpcError(INVALID_URL)

    def _adom_prefix(self, segments: list[str]) -> tuple[str, list[str]]:
        """``adom/<name>/...`` or ``global/...`` -> (adom, rest); unknown ADOM -> invalid url."""
        if segments[:1] == ["global"]:
            return "global", segments[1:]
        if len(segments) >= 2 and segments[0] == "adom" and segments[1] in self.config:
            return segments[1], segments[2:]
        raise RpcError(INVALID_URL)

    def _config_call(
        self, method: str, segments: list[str], param: dict[str, Any], verbose: bool, check: WriteCheck
    ) -> Any:
        adom, rest = self._adom_prefix(segments)
        if rest[:1] == ["obj"]:
            for size in range(len(rest) - 1, 0, -1):
                path = "/".join(rest[1 : 1 + size])
                if path in OBJECT_TABLES:
                    if method in WRITE_METHODS:
                        check((adom, ADOM, ""))
                    return _table_call(method, self.object_table(adom, path), rest[1 + size :], param, verbose)
            raise RpcError(INVALID_URL)
        if rest[:1] == ["pkg"]:
            pkg_path, node, table_path, tail = packages.locate_package_table(self.config[adom]["packages"], rest[1:])
            if method in WRITE_METHODS:
                check((adom, PKG, pkg_path))
            return _table_call(method, packages.package_table(node, table_path, self.oids), tail, param, verbose)
        raise RpcError(INVALID_URL)

    def _dvmdb_adom_call(
        self, method: str, segments: list[str], param: dict[str, Any], verbose: bool, check: WriteCheck
    ) -> Any:
        if len(segments) >= 2 and segments[1] == "device":
            adom = segments[0]
            if adom not in self.devices:
                raise RpcError(INVALID_URL)
            if method in WRITE_METHODS:
                check((adom, DEV, segments[2]) if len(segments) > 2 else (adom, ADOM, ""))
            return _table_call(method, self.device_table(adom), segments[2:], param, verbose)
        if len(segments) >= 2 and segments[1] == "script" and segments[0] in self.devices:
            if method in WRITE_METHODS:
                check((segments[0], ADOM, ""))
            # The same table as pm/config/adom/<adom>/obj/fmg/script, where 7.6.5 moved scripts.
            return _table_call(method, self.object_table(segments[0], "fmg/script"), segments[2:], param, verbose)
        if len(segments) > 1:
            raise RpcError(NOT_FOUND if segments[0] in self.devices else INVALID_URL)
        if method in WRITE_METHODS - {"add", "set", "update", "delete"}:
            raise RpcError(INVALID_COMMAND)
        if method == "delete" and segments[:1] == ["root"]:
            raise RpcError(INVALID_DATA)
        result = _table_call(method, Table(self.adom_rows, ADOM_SPEC, self.oids), segments, param, verbose)
        if method in WRITE_METHODS:
            self._sync_adoms()
        return result

    def _system_global_call(self, method: str, param: dict[str, Any], verbose: bool) -> Any:
        if method == "get":
            return pick_fields(render(SYSTEM_GLOBAL_SPEC, self.system_global, verbose), param.get("fields"))
        if method in ("set", "update"):
            data = param.get("data")
            if not isinstance(data, dict):
                raise RpcError(INVALID_DATA)
            self.system_global.update(normalize(SYSTEM_GLOBAL_SPEC, data))
            return NO_DATA
        raise RpcError(INVALID_COMMAND)
