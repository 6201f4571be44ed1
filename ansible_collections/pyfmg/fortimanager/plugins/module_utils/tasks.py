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
    follow_task,
    mask_secret_attributes,
    reply_meta,
    task_id_of,
    write_lock,
    write_scope,
)
from ansible_collections.pyfmg.fortimanager.plugins.module_utils.specs import RPC_METHODS

try:
    from pyfmg import FMGValidationError, LockScope, converge
except ImportError:  # new_module() / the connection report the missing library
    LockScope = converge = FMGValidationError = None  # type: ignore[assignment,misc]

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


def validate_objects(fmg: Any, table_url: str, key: str, items: list[dict[str, Any]]) -> None:
    """Check every object to write against the table's schema before anything is locked or written."""
    problems = []
    for item in items:
        if item["state"] != "present":
            continue
        try:
            fmg.validate(table_url, {key: item["name"], **item["attributes"]})
        except FMGValidationError as exc:
            where = f"{item['name']}: " if len(items) > 1 else ""
            problems.extend(where + problem for problem in exc.problems)
    if problems:
        raise FMGModuleFailure(
            f"not sent: {'; '.join(problems)} (checked against get {table_url} option=syntax; "
            "bypass_validation: true sends it anyway)",
            url=table_url,
            problems=problems,
        )


def object_task(ctx: TaskContext) -> Outcome:
    params = ctx.params
    table_url = params["url"].replace("{adom}", params["adom"])
    items = object_items(params)

    def converge_all(fmg: Any) -> dict[str, Any]:
        fmg.verbose = True  # enum names, as a playbook spells them
        if not params["bypass_validation"]:
            validate_objects(fmg, table_url, params["key"], items)
        enum_cache: dict[str, Any] = {}  # the table's enum choices, read at most once

        def plan_for(item: dict[str, Any]) -> Any:
            return converge.plan_object(
                fmg,
                table_url,
                item["name"],
                item["attributes"],
                key=params["key"],
                state=item["state"],
                enum_cache=enum_cache,
            )

        plans = [plan_for(item) for item in items]
        pending = [index for index, change in enumerate(plans) if change.changed]
        if pending and not ctx.check_mode:
            scope = write_scope(ctx, "update", table_url)
            with write_lock(fmg, ctx, scope, commit=params["commit"]):
                for index in pending:
                    plans[index] = plan_for(items[index])
                    converge.apply_object_change(fmg, plans[index])
        outcomes = [
            {
                "name": plan.key_value,
                "action": plan.action,
                "changed_attributes": plan.changed_attributes,
                "object": mask_secret_attributes(plan.after if plan.action != "none" else plan.before),
            }
            for plan in plans
        ]
        result: dict[str, Any] = {"changed": any(plan.changed for plan in plans)}
        if params["objects"] is None:
            result.update(outcomes[0])
        else:
            result["objects"] = outcomes
        if ctx.diff:
            diffs = [
                {
                    "before": mask_secret_attributes(plan.before),
                    "after": mask_secret_attributes(plan.after),
                    "before_header": plan.object_url,
                    "after_header": plan.object_url,
                }
                for plan in plans
                if plan.changed
            ]
            result["diff"] = diffs[0] if len(diffs) == 1 else diffs
        return result

    return converge_all


# --- fmg_rpc ---------------------------------------------------------------------------------
#: JSON-RPC method -> name of the pyfmg client method that sends it.
CLIENT_METHODS = {method: "execute" if method == "exec" else method for method in RPC_METHODS}


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
            with write_lock(fmg, ctx, lock_for(ctx, method, url, block.get("data"))):
                code, data = client_method(url, request)
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
    values = {str(key): value for key, value in (facts.get("params") or {}).items()}
    values.setdefault("adom", default_adom)
    if facts.get("url"):
        template = str(facts["url"])
    else:
        selector = facts.get("selector")
        if selector not in SELECTORS:
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


#: Module name -> its task.
TASKS: dict[str, Callable[[TaskContext], Outcome]] = {
    "fmg_object": object_task,
    "fmg_rpc": rpc_task,
    "fmg_info": info_task,
    "fmg_install": install_task,
}
