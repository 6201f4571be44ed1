"""``exec`` commands that start work: installs and their preview, adding and deleting devices, CLI scripts.

Each one answers at once with a task id (or, for a device added without ``create_task``, the
device); what the work would change is decided when the command arrives, and the task reports
its progress over the simulator's task duration.
"""

from __future__ import annotations

import logging
from typing import Any

from .codes import EXISTS, INVALID_DATA, INVALID_URL, NOT_FOUND, RpcError
from .objects import NO_DATA
from .scripts import ScriptError, ScriptLog, log_time, run_on_database
from .sessions import Session
from .state import Store
from .tasks import TaskLine, TaskStore
from .workspace import ADOM, DEV, LockManager

logger = logging.getLogger(__name__)

#: Device attributes never stored or echoed back: they are credentials.
SECRET_DEVICE_ATTRS = ("adm_pass", "adm_usr", "psk")


def _flags(data: dict[str, Any]) -> list[Any]:
    flags = data.get("flags") or []
    return flags if isinstance(flags, list) else [flags]


def _one(data: Any) -> Any:
    return data[0] if isinstance(data, list) and len(data) == 1 else data


class Commands:
    def __init__(self, store: Store, tasks: TaskStore, locks: LockManager) -> None:
        self.store = store
        self.tasks = tasks
        self.locks = locks
        self.previews: dict[tuple[str, str], str] = {}  # (adom, device) -> preview text
        self.script_logs: list[ScriptLog] = []

    def run(self, session: Session, segments: list[str], param: dict[str, Any]) -> Any:
        command = "/".join(segments)
        data = _one(param.get("data"))
        if command in ("securityconsole/install/package", "securityconsole/install/device"):
            return {"task": self._install(session, command.rsplit("/", 1)[1], data)}
        if command == "securityconsole/install/preview":
            return {"task": self._preview(session, data)}
        if command == "securityconsole/preview/result":
            return self._preview_result(data)
        if command == "securityconsole/package/cancel/install":
            self._adom_of(data)
            return NO_DATA
        if command == "dvm/cmd/add/device":
            return self._add_device(session, data)
        if command == "dvm/cmd/add/dev-list":
            return self._add_device_list(session, data)
        if command == "dvm/cmd/del/device":
            return self._del_device(session, data)
        if len(segments) == 5 and segments[:2] == ["dvmdb", "adom"] and segments[3:] == ["script", "execute"]:
            return {"task": self._run_script(session, segments[2], data)}
        raise RpcError(INVALID_URL)

    # --- helpers ----------------------------------------------------------------------------
    def _adom_of(self, data: Any) -> str:
        if not isinstance(data, dict) or not isinstance(data.get("adom"), str):
            raise RpcError(INVALID_DATA)
        if data["adom"] not in self.store.devices:
            raise RpcError(NOT_FOUND)
        return str(data["adom"])

    def adom_oid(self, adom: str) -> int:
        return next((r["oid"] for r in self.store.adom_rows if r["name"] == adom), 0)

    def _device(self, adom: str, name: Any) -> dict[str, Any] | None:
        return next((d for d in self.store.devices[adom] if d["name"] == name), None)

    def _device_line(self, adom: str, member: Any, verb: str) -> TaskLine:
        name = member.get("name") if isinstance(member, dict) else member
        vdom = member.get("vdom", "") if isinstance(member, dict) else ""
        device = self._device(adom, name)
        if device is None:
            return TaskLine(str(name), vdom=vdom or "", error=f"{verb} failed: device {name} not found in ADOM")
        return TaskLine(str(name), ip=device.get("ip", ""), vdom=vdom or "root", detail=f"{verb} finished status=OK")

    def _scope(self, data: dict[str, Any]) -> list[Any]:
        scope = data.get("scope")
        if isinstance(scope, dict):
            scope = [scope]
        if scope is None and isinstance(data.get("device"), str):
            scope = [{"name": data["device"], "vdom": "root"}]
        return scope if isinstance(scope, list) else []

    # --- installs ---------------------------------------------------------------------------
    def _install(self, session: Session, what: str, data: Any) -> int:
        adom = self._adom_of(data)
        scope = self._scope(data)
        if what == "package":
            node = self.store.package(adom, str(data.get("pkg", "")))
            if node is None or node["type"] != "pkg":
                raise RpcError(NOT_FOUND)
            scope = scope or list(node.get("scope member") or [])
        if not scope:
            raise RpcError(INVALID_DATA)
        verb = "preview" if "preview" in _flags(data) else "install and save"
        lines = [self._device_line(adom, member, verb) for member in scope]
        if verb == "preview":
            self._remember_previews(adom, scope)
        title = f"Install policy package {data['pkg']}" if what == "package" else "Install device configuration"
        return self.tasks.create(title, session.user, lines, adom=self.adom_oid(adom))

    def _preview(self, session: Session, data: Any) -> int:
        adom = self._adom_of(data)
        scope = self._scope(data)
        if not scope:
            raise RpcError(INVALID_DATA)
        lines = [self._device_line(adom, member, "preview") for member in scope]
        self._remember_previews(adom, scope)
        return self.tasks.create("Install preview", session.user, lines, adom=self.adom_oid(adom))

    def _remember_previews(self, adom: str, scope: list[Any]) -> None:
        for member in scope:
            name = member.get("name") if isinstance(member, dict) else member
            if isinstance(name, str) and self._device(adom, name) is not None:
                self.previews[(adom, name)] = self._preview_text(adom, name)

    def _preview_text(self, adom: str, device: str) -> str:
        """The CLI an install would push: the ADOM's addresses and the policies of packages scoped to it."""
        out: list[str] = []
        addresses = self.store.config[adom]["tables"].get("firewall/address", [])
        if addresses:
            out.append("config firewall address")
            for row in addresses:
                out.append(f'    edit "{row["name"]}"')
                subnet = row.get("subnet")
                if isinstance(subnet, list) and len(subnet) == 2:
                    out.append(f"        set subnet {subnet[0]} {subnet[1]}")
                out.append("    next")
            out.append("end")
        for node in self._packages_for(self.store.config[adom]["packages"], device):
            policies = node["_tables"].get("firewall/policy", [])
            if not policies:
                continue
            out.append("config firewall policy")
            for row in policies:
                out.append(f"    edit {row['policyid']}")
                for attr in ("name", "srcaddr", "dstaddr", "service", "action"):
                    value = row.get(attr)
                    if value not in (None, "", []):
                        words = value if isinstance(value, list) else [value]
                        out.append(f"        set {attr} " + " ".join(f'"{w}"' for w in words))
                out.append("    next")
            out.append("end")
        return "\n".join(out) + "\n" if out else ""

    def _packages_for(self, nodes: list[dict[str, Any]], device: str) -> list[dict[str, Any]]:
        found = []
        for node in nodes:
            if node["type"] == "folder":
                found.extend(self._packages_for(node["subobj"], device))
            elif any(m.get("name") == device for m in node.get("scope member", [])):
                found.append(node)
        return found

    def _preview_result(self, data: Any) -> Any:
        adom = self._adom_of(data)
        text = self.previews.get((adom, str(data.get("device"))))
        if text is None:
            raise RpcError(NOT_FOUND)  # no preview was generated for that device
        return {"message": text}

    # --- devices ----------------------------------------------------------------------------
    def _add_device(self, session: Session, data: Any) -> Any:
        adom = self._adom_of(data)
        device = data.get("device")
        if not isinstance(device, dict):
            raise RpcError(INVALID_DATA)
        # A model device may be given by serial number only; it is then named after it.
        name = device.get("name") or device.get("sn")
        if not isinstance(name, str) or not name:
            raise RpcError(INVALID_DATA)
        if self.store.find_device(name) is not None:
            raise RpcError(EXISTS)
        fields = {k: v for k, v in device.items() if k not in SECRET_DEVICE_ATTRS and k != "device action"}
        fields.update(name=name, hostname=device.get("hostname", name))
        model = device.get("device action") == "add_model"
        if model:
            fields.setdefault("conn_status", "UNKNOWN")
        row = self.store.device_table(adom).create(fields)
        if "create_task" in _flags(data):
            verb = "Add model device" if model else "Add device"
            line = TaskLine(row["name"], ip=str(row.get("ip", "")), vdom="root", detail=f"{verb.lower()} succeeded")
            return {"taskid": self.tasks.create(verb, session.user, [line], adom=self.adom_oid(adom))}
        return {"device": {k: v for k, v in row.items() if not k.startswith("_")}}

    def _add_device_list(self, session: Session, data: Any) -> Any:
        adom = self._adom_of(data)
        devices = data.get("add-dev-list")
        if not isinstance(devices, list) or not devices:
            raise RpcError(INVALID_DATA)
        lines = []
        for device in devices:
            try:
                added = self._add_device(session, {"adom": adom, "device": device})["device"]
                lines.append(TaskLine(added["name"], vdom="root", detail="add model device succeeded"))
            except RpcError as error:
                name = device.get("name") or device.get("sn") if isinstance(device, dict) else None
                lines.append(TaskLine(str(name), error=f"add device failed: {error.message}"))
        return {"taskid": self.tasks.create("Add devices", session.user, lines, adom=self.adom_oid(adom))}

    def _del_device(self, session: Session, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("data"), dict) and "adom" not in data:
            data = data["data"]  # some callers wrap the payload once more
        adom = self._adom_of(data)
        table = self.store.device_table(adom)
        row = table.row(data.get("device"))
        table.remove(row)
        if "create_task" in _flags(data):
            line = TaskLine(row["name"], ip=str(row.get("ip", "")), vdom="root", detail="delete device succeeded")
            return {"taskid": self.tasks.create("Delete device", session.user, [line], adom=self.adom_oid(adom))}
        return NO_DATA

    # --- scripts ----------------------------------------------------------------------------
    def _holds(self, session: Session, adom: str, kind: str = ADOM, target: str = "") -> bool:
        if not self.store.workspace_active(adom):
            return True
        try:
            self.locks.check_write(session, adom, kind, target)
        except RpcError:
            return False
        return True

    def _run_script(self, session: Session, adom: str, data: Any) -> int:
        if adom not in self.store.devices:
            raise RpcError(INVALID_URL)
        if not isinstance(data, dict) or data.get("adom") != adom or not isinstance(data.get("script"), str):
            raise RpcError(INVALID_DATA)  # FortiManager wants the ADOM inside data too
        scripts = self.store.object_table(adom, "fmg/script")
        script = scripts.row(data["script"])
        name, target, content = script["name"], script.get("target"), str(script.get("content", ""))
        now = self.tasks.clock()
        task_id = self.tasks.next_id()  # logs are numbered after the task, made below
        if target == "adom_database":
            package = data.get("package")
            if not isinstance(package, (str, int)) or self.store.package(adom, str(package)) is None:
                raise RpcError(INVALID_DATA)
            line = TaskLine(f"{package}", detail=f"run script {name} on database succeeded")
            echo: list[str] = []
            if not self._holds(session, adom):
                line.error = "run script failed: the ADOM is not locked by this session"
            else:
                try:
                    echo = run_on_database(content, lambda path: self.store.object_table(adom, path))
                except ScriptError as error:
                    line.error = f"run script failed: {error}"
            outcome = "failed" if line.error else "success"
            text = (
                "\n\nStarting log (Run on database)\n\n"
                + "\n".join(echo)
                + f"\nRunning script({name}) on DB {outcome}\n"
            )
            self.script_logs.append(ScriptLog(int(f"{task_id}1"), task_id, name, "", text, log_time(now)))
            lines = [line]
        else:
            scope = self._scope(data)
            if not scope:
                raise RpcError(INVALID_DATA)
            lines = []
            for member in scope:
                line = self._device_line(adom, member, f"run script {name}")
                locked = self._holds(session, adom) or self._holds(session, adom, DEV, line.name)
                if target == "device_database" and not line.error and not locked:
                    line.error = "run script failed: the device is not locked by this session"
                where = "device database" if target == "device_database" else "remote device"
                text = f"\n\nStarting log (Run on {where})\n\n{content}\nRunning script({name}) on {line.name} "
                text += "failed\n" if line.error else "success\n"
                self.script_logs.append(ScriptLog(task_id * 10, task_id, name, line.name, text, log_time(now)))
                lines.append(line)
        created = self.tasks.create(f"Run script {name}", session.user, lines, adom=self.adom_oid(adom))
        assert created == task_id
        return created

    def script_log(self, adom: str, rest: list[str]) -> Any:
        """``dvmdb/adom/<adom>/script/log/{latest,summary,output}[/device/<d>][/logid/<n>]``."""
        kind, rest = rest[0], rest[1:]
        device = ""
        if rest[:1] == ["device"] and len(rest) >= 2:
            device, rest = rest[1], rest[2:]
        log_id = None
        if rest[:1] == ["logid"] and len(rest) == 2 and rest[1].isdigit():
            log_id, rest = int(rest[1]), []
        if rest or kind not in ("latest", "summary", "output") or (kind == "output") != (log_id is not None):
            raise RpcError(INVALID_URL)
        # A log is written when its task ends.
        logs = [log for log in self.script_logs if log.device == device and self.tasks.finished(log.task_id)]
        logs = [log for log in logs if self._adom_owns(adom, log)]
        if kind == "summary":
            return [{**log.render(False), "seq": seq} for seq, log in enumerate(reversed(logs), 1)]
        if kind == "output":
            logs = [log for log in logs if log.log_id == log_id]
        if not logs:
            raise RpcError(NOT_FOUND)
        return logs[-1].render()

    def _adom_owns(self, adom: str, log: ScriptLog) -> bool:
        task = self.tasks.raw(log.task_id)
        return task is None or task.adom == self.adom_oid(adom)
