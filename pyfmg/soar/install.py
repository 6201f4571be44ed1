"""Installing a policy package (or previewing the install) and following the install task.

Installs push configuration that is already committed, so no workspace lock is taken.
"""

from __future__ import annotations

from typing import Any

from pyfmg import FortiManager, resolve_package_path
from pyfmg.soar.calls import Params, Result, adom_param, call, find_task_id, follow_task, task_options
from pyfmg.soar.config import SOARConfig, as_bool, as_json, as_list, as_text
from pyfmg.soar.errors import fmg_failure


def _install_scope(value: Any) -> list[dict[str, str]]:
    """Install targets: JSON ``[{"name": "fgt1", "vdom": "root"}]`` or text ``fgt1[root], fgt2``
    (a name without a VDOM is a device or a device group)."""
    parsed = as_json(value, "scope") if isinstance(value, str) and value.strip().startswith("[{") else value
    if isinstance(parsed, list) and parsed and all(isinstance(item, dict) for item in parsed):
        entries = []
        for item in parsed:
            name = as_text(item.get("name"), "scope name")
            entry = {"name": str(name)}
            vdom = as_text(item.get("vdom"), "scope vdom", required=False)
            if vdom:
                entry["vdom"] = vdom
            entries.append(entry)
        return entries
    entries = []
    for item in as_list(parsed, "scope"):
        if item.endswith("]") and "[" in item:
            name, vdom = item[:-1].split("[", 1)
            entries.append({"name": name.strip(), "vdom": vdom.strip()})
        else:
            entries.append({"name": item})
    return entries


def op_install_policy_package(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Install (or preview) a policy package on devices and follow the install task. Installs push
    committed configuration, so no workspace lock is taken."""
    adom = adom_param(params)
    package = as_text(params.get("package"), "package")
    assert package is not None
    scope = _install_scope(params.get("scope"))
    preview = as_bool(params.get("preview"), "preview", False)
    comments = as_text(params.get("dev_rev_comments"), "dev_rev_comments", required=False)
    options = task_options(params)
    path = resolve_package_path(fmg, adom, package)
    data: dict[str, Any] = {"adom": adom, "pkg": path, "scope": scope, "flags": ["preview" if preview else "none"]}
    if comments:
        data["dev_rev_comments"] = comments
    started = call(fmg, "exec", "securityconsole/install/package", data)
    if started.get("code") != 0:
        error = fmg_failure(
            f"install of package {path} via",
            started.get("code"),
            started.get("message"),
            started.get("url"),
            task_started=False,
        )
        error.message += "; no install task was started"
        error.args = (error.message,)
        raise error
    result: Result = {
        "code": started.get("code"),
        "message": started.get("message"),
        "adom": adom,
        "package": path,
        "scope": scope,
        "preview": preview,
        "task_id": None,
        "task_ok": None,
        "task": {},
        "preview_result": None,
        "note": "",
    }
    task_id = find_task_id(started.get("data"))
    if task_id is None:
        result["note"] = (
            "FortiManager answered code {} ({}) but started no install task; nothing was "
            "installed. Check the package's installation targets"
        ).format(started.get("code"), started.get("message"))
        return result
    result["task_id"] = task_id
    result.update(follow_task(fmg, task_id, options))
    if preview and result["task_ok"]:
        result["preview_result"] = {entry["name"]: _preview_of(fmg, adom, entry, options) for entry in scope}
    return result


def _preview_of(fmg: FortiManager, adom: str, entry: dict[str, str], options: dict[str, Any]) -> Any:
    """Generate one device's preview (a task of its own) and fetch the text FortiManager prepared;
    a step FortiManager refuses is reported with its code and message instead of the text."""
    request: dict[str, Any] = {"adom": adom, "device": entry["name"], "flags": ["json"]}
    if entry.get("vdom"):
        request["vdoms"] = [entry["vdom"]]
    generated = call(fmg, "exec", "securityconsole/install/preview", request)
    if generated.get("code") != 0:
        return {"code": generated.get("code"), "message": generated.get("message")}
    task_id = find_task_id(generated.get("data"))
    if task_id is not None:
        follow_task(fmg, task_id, options)
    fetched = call(fmg, "exec", "securityconsole/preview/result", {"adom": adom, "device": entry["name"]})
    if fetched.get("code") != 0:
        return {"code": fetched.get("code"), "message": fetched.get("message")}
    return fetched.get("data")
