# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
"""What each pyfmg.fortimanager module does, given its checked arguments and a client.

Each ``*_task(ctx)`` looks at the task first: it answers at once (a dict) when FortiManager is
not needed (check mode of a write, bad arguments), or gives back ``body(fmg) -> dict`` to run
with a logged-in client. The same bodies run in the module process (``connection: local``:
plugins/module_utils/fmg.py run_module) and in the httpapi connection process, where the
collection's action plugins send the task (plugins/httpapi/fortimanager.py ``pyfmg_task``).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Union

from ansible_collections.pyfmg.fortimanager.plugins.module_utils.fmg import (
    FMGModuleFailure,
    TaskContext,
    check_rc,
    check_status,
    failure_from_exception,
    follow_task,
    mask_secret_attributes,
    reply_meta,
    task_id_of,
    write_lock,
    write_scope,
)
from ansible_collections.pyfmg.fortimanager.plugins.module_utils.specs import CLIENT_METHODS

try:
    from pyfmg import FMGLockScopeError, FMGValidationError, LockScope, lock_scope
except ImportError:  # new_module() / the connection report the missing library
    LockScope = lock_scope = FMGValidationError = FMGLockScopeError = None  # type: ignore[assignment,misc]

Body = Callable[[Any], "dict[str, Any]"]
Outcome = Union[Body, "dict[str, Any]"]


# --- fmg_object ------------------------------------------------------------------------------
def object_items(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects of a task (``objects`` or ``name``), each with name, attributes and state."""
    if params["objects"] is not None:
        items = []
        for index, item in enumerate(params["objects"]):
            if not isinstance(item, dict) or item.get("name") in (None, ""):
                raise FMGModuleFailure(f"objects[{index}] needs a name")
            state = item.get("state", "present")
            if state not in ("present", "absent"):
                raise FMGModuleFailure(f"objects[{index}].state must be present or absent, not {state!r}")
            attributes = item.get("attributes") or {}
            if not isinstance(attributes, dict):
                raise FMGModuleFailure(f"objects[{index}].attributes must be a dict, not {type(attributes).__name__}")
            items.append({"name": item["name"], "attributes": attributes, "state": state})
        return items
    return [{"name": params["name"], "attributes": params["attributes"], "state": params["state"]}]


#: What an object's status says was written (and, under a play's lock, is still uncommitted).
WRITTEN = ("created", "updated", "deleted")


def object_task(ctx: TaskContext) -> Outcome:
    params = ctx.params
    table_url = params["url"].replace("{adom}", params["adom"])
    key = params["key"]
    items = object_items(params)
    # fmg.converge takes the objects to be present, then the keys to be absent; results come in that order.
    present = [index for index, item in enumerate(items) if item["state"] == "present"]
    absent = [index for index, item in enumerate(items) if item["state"] == "absent"]
    order = present + absent

    def converge_all(fmg: Any) -> dict[str, Any]:
        fmg.verbose = True  # enum names, as a playbook spells them
        forced = params["workspace_locking_adom"]
        held = ctx.held(LockScope(forced) if forced else natural_scope(table_url))  # the play's lock, if any
        # converge locks (workspace_locking_adom's whole ADOM, else the narrowest scope) only if
        # something must be written, commits once (only then) and always unlocks; a failed commit
        # fails the objects it would have saved, each result kept. Under the play's lock it writes
        # with that lock as is: nothing sent for it, nothing committed (the fmg_workspace task that
        # releases it commits).
        try:
            result = fmg.converge(
                table_url,
                [{**items[index]["attributes"], key: items[index]["name"]} for index in present],
                key=key,
                absent=[items[index]["name"] for index in absent],
                check_mode=ctx.check_mode,
                commit=params["commit"] and held is None,
                wait=params["lock_wait"] or None,
                validate=not params["bypass_validation"],
                lock_adom=forced,
            )
        except FMGValidationError as exc:
            raise FMGModuleFailure(
                f"not sent: {'; '.join(exc.problems)} (checked against get {table_url} option=syntax; "
                "bypass_validation: true sends it anyway)",
                url=table_url,
                problems=exc.problems,
            ) from None
        by_item = dict(zip(order, result))
        outcomes = [object_outcome(by_item[index]) for index in range(len(items))]
        if held is not None:
            ctx.workspace.note(held, [f"{item.status} {item.url}" for item in result if item.status in WRITTEN])
        answer: dict[str, Any] = {"changed": result.changed}
        if params["objects"] is None:
            answer.update(outcomes[0])
        else:
            answer["objects"] = outcomes
        if ctx.diff:
            diffs = [
                {
                    "before": mask_secret_attributes(item.before),
                    "after": mask_secret_attributes(item.after),
                    "before_header": item.url,
                    "after_header": item.url,
                }
                for item in (by_item[index] for index in range(len(items)))
                if item.changed
            ]
            answer["diff"] = diffs[0] if len(diffs) == 1 else diffs
        if not result.ok:
            raise job_failure(result, table_url, answer)
        return answer

    return converge_all


def natural_scope(table_url: str) -> Any:
    """The lock fmg.converge takes for ``table_url`` on its own (None when it needs none or cannot tell)."""
    try:
        return lock_scope("add", table_url)
    except FMGLockScopeError:
        return None  # fmg.converge says so itself, in workspace mode


def wrote(result: Any) -> bool:
    return any(item.status in WRITTEN for item in result)


def object_outcome(item: Any) -> dict[str, Any]:
    """One object's entry in the result: what fmg_object has always returned; a failed one says so."""
    shown = item.after if item.action != "none" else item.before
    outcome = {
        "name": item.key_value,
        "action": item.action,
        "changed_attributes": list(item.changed_attributes),
        "object": mask_secret_attributes(shown),
    }
    if item.status == "failed":  # (a result of 20,000 objects is large enough without it elsewhere)
        outcome.update(status="failed", code=item.code, message=item.message)
    return outcome


def job_failure(result: Any, table_url: str, answer: dict[str, Any]) -> Exception:
    """The task's failure for a job that did not reach the wanted state, with every object's outcome."""
    failed = result.failed
    error = result.error
    extra = {name: value for name, value in answer.items() if name not in ("msg", "failed", "code", "message", "url")}
    if error is not None and not wrote(result) and isinstance(error, Exception):
        # Nothing was kept (the lock or the session failed first, or the commit failed and the
        # unlock dropped the writes): the error's own report, with every object's outcome.
        failure = failure_from_exception(error)
        return FMGModuleFailure(
            failure.msg, code=failure.code, message=failure.message, url=failure.url, **{**failure.extra, **extra}
        )
    first = failed[0] if failed else None
    method = {"create": "add", "update": "update", "delete": "delete"}.get(first.action if first else "", "")
    url = table_url if first is None or first.action == "create" else first.url
    parts = []
    if first is not None:
        parts.append(f"{method} {url} failed: FortiManager status {first.code} ({first.message})")
        if len(result) > 1:
            parts[0] = f"{len(failed)} of {len(result)} objects failed, the first {first.key_value!r}: " + parts[0]
    if error is not None:
        parts.append(f"{type(error).__name__}: {error}")
    written = [item for item in result if item.status in WRITTEN]
    if written:
        parts.append(f"{len(written)} written: " + ", ".join(f"{item.key_value} ({item.status})" for item in written))
    code = first.code if first is not None else getattr(error, "code", None)
    message = first.message if first is not None else str(getattr(error, "message", "") or error)
    return FMGModuleFailure("; ".join(parts), code=code, message=message, url=url, **extra)


# --- fmg_rpc ---------------------------------------------------------------------------------
def lock_for(ctx: Any, method: str, url: str, data: Any) -> Any:
    """The workspace lock scope for this request, or None."""
    lock = ctx.params["lock"]
    if method == "get":
        return None
    if ctx.params["workspace_locking_adom"]:
        return LockScope(ctx.params["workspace_locking_adom"])
    if lock == "never":
        return None
    if lock == "always":
        return LockScope(ctx.params["adom"])
    return write_scope(ctx, method, url, data)


def requests_of(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The method and the parameters to send, from method/url/params/data or from json."""
    method = params["method"]
    if params["json"]:
        try:
            body = json.loads(params["json"])
        except ValueError as exc:
            raise FMGModuleFailure(f"json is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise FMGModuleFailure("json must be an object with method and params")
        method, blocks = body.get("method"), body.get("params")
    elif isinstance(params["params"], list):
        blocks = params["params"]
    elif isinstance(params["params"], dict):
        if not params["url"]:
            raise FMGModuleFailure("url is required, unless params is a list of parameters with a url each, or json")
        blocks = [{**params["params"], "url": params["url"]}]
        if params["data"] is not None:
            blocks[0]["data"] = params["data"]
    else:
        raise FMGModuleFailure(f"params must be a dict or a list, not {type(params['params']).__name__}")
    if method not in CLIENT_METHODS:
        raise FMGModuleFailure(f"method must be one of {', '.join(sorted(CLIENT_METHODS))}, not {method!r}")
    if not isinstance(blocks, list) or not blocks:
        raise FMGModuleFailure("params must be a non-empty list of parameters")
    for index, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("url"), str) or not block["url"]:
            raise FMGModuleFailure(f"params[{index}] needs a url")
    adom = params["adom"]
    return method, [{**block, "url": block["url"].replace("{adom}", adom)} for block in blocks]


def rpc_task(ctx: TaskContext) -> Outcome:
    params = ctx.params
    method, blocks = requests_of(params)
    is_write = method != "get"
    if is_write and ctx.check_mode:
        urls = ", ".join(block["url"] for block in blocks)
        return {"changed": True, "code": 0, "msg": f"check mode: {method} {urls} not sent"}

    def send(fmg: Any) -> dict[str, Any]:
        fmg.verbose = False
        client_method = getattr(fmg, CLIENT_METHODS[method])
        results = []
        for block in blocks:
            url = block["url"]
            request = {key: value for key, value in block.items() if key != "url"}
            with write_lock(fmg, ctx, lock_for(ctx, method, url, block.get("data"))) as held:
                code, data = client_method(url, request)
                if held is not None and code == 0:
                    ctx.workspace.note(held, [f"{method} {url}"])
                check_rc(ctx, code, data, method, url)
            results.append({"url": url, "code": code, "data": data})
        last = results[-1]
        result: dict[str, Any] = {
            "changed": is_write,
            "code": last["code"],
            # Ansible fails a result whose rc is not 0 unless it says otherwise (rc_succeeded).
            "failed": False,
            "rc": last["code"],
            "data": last["data"],
            "meta": reply_meta(last["code"], last["data"], last["url"]),
        }
        if len(results) > 1:
            result["results"] = results
        if params["track_task"]:
            result["task"] = follow_task(
                fmg, last["data"], last["url"], params["task_timeout"], params["task_poll_interval"]
            )
        return result

    return send


# --- fmg_info --------------------------------------------------------------------------------
OBJECT_DOES_NOT_EXIST = -3
ADOM_OBJECTS = "pm/config/adom/{adom}/obj/"

#: fmgr_fact selectors -> URL templates (the common ones; others take facts.url).
SELECTORS = {
    "firewall_address": ADOM_OBJECTS + "firewall/address/{address}",
    "firewall_address6": ADOM_OBJECTS + "firewall/address6/{address6}",
    "firewall_addrgrp": ADOM_OBJECTS + "firewall/addrgrp/{addrgrp}",
    "firewall_addrgrp6": ADOM_OBJECTS + "firewall/addrgrp6/{addrgrp6}",
    "firewall_service_custom": ADOM_OBJECTS + "firewall/service/custom/{custom}",
    "firewall_service_group": ADOM_OBJECTS + "firewall/service/group/{group}",
    "firewall_vip": ADOM_OBJECTS + "firewall/vip/{vip}",
    "firewall_ippool": ADOM_OBJECTS + "firewall/ippool/{ippool}",
    "pkg_firewall_policy": "pm/config/adom/{adom}/pkg/{pkg}/firewall/policy/{policy}",
    "pm_pkg_adom": "pm/pkg/adom/{adom}/{pkg_path}",
    "dvmdb_adom": "dvmdb/adom/{adom}",
    "dvmdb_device": "dvmdb/adom/{adom}/device/{device}",
    "dvmdb_group": "dvmdb/adom/{adom}/group/{group}",
    "dvmdb_script": "dvmdb/adom/{adom}/script/{script}",
    "sys_status": "sys/status",
    "system_status": "cli/global/system/status",
    "system_interface": "cli/global/system/interface/{interface}",
    "system_admin_user": "cli/global/system/admin/user/{user}",
    "task_task": "task/task/{task}",
}
QUERY_KEYS = ("fields", "filter", "range", "sortings", "option")


def facts_url(facts: dict[str, Any], default_adom: str) -> str:
    """The URL a fmgr_fact ``facts`` block reads: its selector's template filled from its params."""
    params = facts.get("params") or {}
    if not isinstance(params, dict):
        raise FMGModuleFailure(
            f"facts.params must be a dict of the selector's parameters (e.g. {{adom: root, address: web01}}), "
            f"not {type(params).__name__}"
        )
    values = {str(key): value for key, value in params.items()}
    values.setdefault("adom", default_adom)
    if facts.get("url"):
        template = str(facts["url"])
    else:
        selector = facts.get("selector")
        if not isinstance(selector, str) or selector not in SELECTORS:
            raise FMGModuleFailure(
                f"facts.selector {selector!r} is not one pyfmg knows ({', '.join(sorted(SELECTORS))}); "
                "give facts.url with the table's URL instead"
            )
        template = SELECTORS[selector]
        if str(values["adom"]).lower() == "global":
            template = template.replace("pm/config/adom/{adom}/", "pm/config/global/")
    segments = template.strip("/").split("/")
    url = []
    for index, segment in enumerate(segments):
        if segment.startswith("{") and segment.endswith("}"):
            value = values.get(segment[1:-1])
            if value in (None, ""):
                if index == len(segments) - 1:
                    break  # fmgr_fact: an empty last parameter reads the whole table
                raise FMGModuleFailure(f"facts.params needs {segment[1:-1]!r} for {template}")
            segment = str(value)
        url.append(segment)
    return "/".join(url)


def info_task(ctx: TaskContext) -> Outcome:
    params = ctx.params
    facts = params["facts"]
    fact_name = params["fact_name"]
    request: dict[str, Any] = dict(params["params"])
    if facts is not None:
        url = facts_url(facts, params["adom"])
        request.update({key: facts[key] for key in QUERY_KEYS if facts.get(key) is not None})
        fact_name = fact_name or f"fmgr_{facts.get('selector') or 'fact'}"
    else:
        url = params["url"].replace("{adom}", params["adom"])
    for name in ("fields", "filter", "range", "sortings"):
        if params[name] is not None:
            request[name] = params[name]
    if params["option"] is not None:
        request["option"] = params["option"][0] if len(params["option"]) == 1 else params["option"]
    if params["loadsub"] is not None:
        request["loadsub"] = int(params["loadsub"])

    def read(fmg: Any) -> dict[str, Any]:
        fmg.verbose = params["verbose"]
        code, data = fmg.get(url, request)
        if code == OBJECT_DOES_NOT_EXIST and params["missing_ok"]:
            result: dict[str, Any] = {"changed": False, "exists": False, "data": None}
        else:
            check_rc(ctx, code, data, "get", url)
            result = {"changed": False, "exists": True, "data": data}
        # failed=False: Ansible fails a result whose rc is not 0 unless it says otherwise (rc_succeeded).
        result.update(rc=code, failed=False, meta=reply_meta(code, data, url))
        if fact_name:
            result["ansible_facts"] = {fact_name: result["data"]}
        return result

    return read


# --- fmg_install -----------------------------------------------------------------------------
INSTALL_URL = "securityconsole/install/package"


def scope_items(scope: list[Any]) -> list[dict[str, str]]:
    """Install scope as FortiManager wants it: ``[{"name": ..., "vdom": ...}]``."""
    items = []
    for entry in scope:
        if isinstance(entry, dict) and entry.get("name"):
            item = {"name": str(entry["name"])}
            if entry.get("vdom"):
                item["vdom"] = str(entry["vdom"])
        elif isinstance(entry, str) and entry.strip("/"):
            name, _slash, vdom = entry.partition("/")
            item = {"name": name, **({"vdom": vdom} if vdom else {})}
        else:
            raise FMGModuleFailure(f"scope entry {entry!r} needs a device name")
        items.append(item)
    return items


def install_task(ctx: TaskContext) -> Outcome:
    params = ctx.params
    scope = scope_items(params["scope"])
    if ctx.check_mode:
        return {"changed": not params["preview"], "msg": "check mode: install not started"}

    def install(fmg: Any) -> dict[str, Any]:
        fmg.verbose = False
        pending = ctx.workspace.pending(params["adom"]) if ctx.workspace is not None else {}
        if pending:
            # FortiManager installs what is committed: these changes would not be in the install.
            raise FMGModuleFailure(
                f"not installed: this play holds {', '.join(pending)} with uncommitted changes "
                f"({uncommitted_text(pending)}); commit them first (pyfmg.fortimanager.fmg_workspace "
                "state: unlocked), or the install would leave them out",
                uncommitted=pending,
            )
        flags = list(params["flags"])
        if params["preview"] and "preview" not in flags:
            flags.append("preview")
        request: dict[str, Any] = {"adom": params["adom"], "pkg": params["package"], "flags": flags or ["none"]}
        if scope:
            request["scope"] = scope
        code, data = fmg.execute(INSTALL_URL, {"data": request})
        check_status(code, data, "exec", INSTALL_URL)
        task = follow_task(fmg, data, INSTALL_URL, params["task_timeout"], params["task_poll_interval"])
        return {
            "changed": not params["preview"],
            "task_id": task_id_of(data),
            "task": task,
            "lines": task.get("line", []),
        }

    return install


def uncommitted_text(pending: dict[str, list[str]]) -> str:
    """``root: created pm/.../web01, deleted pm/.../old``, for messages (at most five writes per lock)."""
    parts = []
    for name, writes in pending.items():
        shown = ", ".join(writes[:5]) + (f" and {len(writes) - 5} more" if len(writes) > 5 else "")
        parts.append(f"{name}: {shown}")
    return "; ".join(parts)


# --- fmg_workspace ---------------------------------------------------------------------------
def workspace_task(ctx: TaskContext) -> Outcome:
    """Lock a scope for the following tasks of the play, or commit what they wrote and unlock it."""
    params = ctx.params
    scope = LockScope(params["adom"], package=params["package"])
    if ctx.workspace is None:
        ctx.warn(
            "fmg_workspace holds a lock across tasks only under connection: httpapi; with connection: local "
            "every task locks, commits and unlocks on its own"
        )
        return {"changed": False, "lock": scope.name, "held": False}
    if ctx.check_mode:
        return {"changed": False, "lock": scope.name, "held": False, "msg": "check mode: nothing locked or committed"}
    play = ctx.workspace

    def lock(fmg: Any) -> dict[str, Any]:
        if not fmg.workspace_mode:
            return {"changed": False, "lock": scope.name, "held": False, "msg": "workspace mode is off: no lock needed"}
        if scope.name not in play.locks:
            fmg.lock(scope.adom, package=scope.package, wait=float(params["lock_wait"] or 0))
            play.locks[scope.name] = scope
            play.uncommitted[scope.name] = []
        return {"changed": False, "lock": scope.name, "held": True, "ansible_facts": play.facts()}

    def unlock(fmg: Any) -> dict[str, Any]:
        if scope.name not in play.locks:
            return {"changed": False, "lock": scope.name, "held": False, "committed": [], "discarded": []}
        writes = play.uncommitted.pop(scope.name, [])
        del play.locks[scope.name]
        keep = params["commit"] and bool(writes)
        if keep:
            try:
                code, data = fmg.commit(scope.adom, scope.package)
                check_status(code, data, "exec", scope.url("commit"))
            except Exception as exc:
                failure = failure_from_exception(exc)
                fmg.unlock(scope.adom, scope.package)  # drops what was not committed
                raise FMGModuleFailure(
                    f"{failure.msg}; unlocking {scope.name} dropped the play's uncommitted changes "
                    f"({uncommitted_text({scope.name: writes})})",
                    code=failure.code,
                    message=failure.message,
                    url=failure.url or scope.url("commit"),
                    discarded=writes,
                ) from exc
        code, data = fmg.unlock(scope.adom, scope.package)
        check_status(code, data, "exec", scope.url("unlock"))
        return {
            "changed": False,
            "lock": scope.name,
            "held": False,
            "committed": writes if keep else [],
            "discarded": [] if keep else writes,
            "ansible_facts": play.facts(),
        }

    return lock if params["state"] == "locked" else unlock


#: Module name -> its task.
TASKS: dict[str, Callable[[TaskContext], Outcome]] = {
    "fmg_object": object_task,
    "fmg_rpc": rpc_task,
    "fmg_info": info_task,
    "fmg_install": install_task,
    "fmg_workspace": workspace_task,
}
