"""Generic operations: one JSON-RPC verb on one URL, ``exec`` with task following, ``free_form``."""

from __future__ import annotations

from typing import Any, Callable

from pyfmg import FortiManager
from pyfmg.soar.calls import (
    Params,
    Result,
    find_task_id,
    follow_task,
    locked,
    require_ok,
    send,
    task_options,
)
from pyfmg.soar.config import SOARConfig, as_bool, as_json, as_text
from pyfmg.soar.errors import SOARError, fmg_failure


def _envelope(item: Result, lock: dict[str, Any]) -> Result:
    return {
        "code": item.get("code"),
        "message": item.get("message"),
        "url": item.get("url"),
        "data": item.get("data"),
        "lock_scope": lock["lock_scope"],
        "committed": lock["committed"],
    }


def _adom_hint(params: Params) -> str | None:
    return as_text(params.get("adom"), "adom", required=False)


def _request_fields(params: Params, name: str) -> dict[str, Any]:
    fields = as_json(params.get(name), name, {})
    if not isinstance(fields, dict):
        raise SOARError(f'\'{name}\' must be a JSON object of request fields, e.g. {{"fields": ["name"]}}')
    return {key: value for key, value in fields.items() if key != "url"}


def op_get(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Read an object or a table."""
    url = as_text(params.get("url"), "url")
    assert url is not None
    param = dict(_request_fields(params, "options"), url=url)
    item = require_ok(send(fmg, "get", [param])[0], "get")
    return _envelope(item, {"lock_scope": "", "committed": False})


def _write(method: str, data_required: bool) -> Callable[[FortiManager, SOARConfig, Params], Result]:
    def operation(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
        url = as_text(params.get("url"), "url")
        assert url is not None
        data = as_json(params.get("data"), "data")
        if data is None and data_required:
            raise SOARError(f"'data' is required for {method}: give the object's attributes as JSON")
        fields = _request_fields(params, "options")
        param: dict[str, Any] = dict(fields, url=url)
        if data is not None:
            param["data"] = data
        with locked(fmg, cfg, method, [param], _adom_hint(params)) as lock:
            item = require_ok(send(fmg, method, [param])[0], method)
        return _envelope(item, lock.as_dict())

    operation.__name__ = "op_" + method
    operation.__doc__ = f"JSON-RPC {method} on one URL, under the narrowest workspace lock."
    return operation


op_add = _write("add", data_required=True)
op_set = _write("set", data_required=True)
op_update = _write("update", data_required=True)
op_replace = _write("replace", data_required=True)
op_delete = _write("delete", data_required=False)
op_clone = _write("clone", data_required=True)


def op_move(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Move a policy before or after another one."""
    url = as_text(params.get("url"), "url")
    option = (as_text(params.get("option"), "option") or "").lower()
    target = as_text(params.get("target"), "target")
    if option not in ("before", "after"):
        raise SOARError("'option' must be 'before' or 'after', got {!r}".format(params.get("option")))
    param = {"url": url, "option": option, "target": target}
    with locked(fmg, cfg, "move", [param], _adom_hint(params)) as lock:
        item = require_ok(send(fmg, "move", [param])[0], "move")
    return _envelope(item, lock.as_dict())


def op_exec(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Run a command; optionally follow the task it starts until it ends."""
    url = as_text(params.get("url"), "url")
    assert url is not None
    data = as_json(params.get("data"), "data")
    track = as_bool(params.get("track_task"), "track_task", False)
    options = task_options(params) if track else {}
    param: dict[str, Any] = {"url": url}
    if data is not None:
        param["data"] = data
    with locked(fmg, cfg, "exec", [param], _adom_hint(params)) as lock:
        item = send(fmg, "exec", [param])[0]
        if item.get("code") != 0:
            raise fmg_failure("exec", item.get("code"), item.get("message"), url, task_started=False)
        task_id = find_task_id(item.get("data"))
        followed: dict[str, Any] = {"task_ok": None, "task": {}}
        note = ""
        if task_id is None:
            if track:
                note = (
                    "No task to follow: FortiManager answered code {} ({}) for exec {} without a task "
                    "id; the command ran synchronously or was a no-op"
                ).format(item.get("code"), item.get("message"), url)
        elif track:
            followed = follow_task(fmg, task_id, options)
    result = _envelope(item, lock.as_dict())
    result.update(task_id=task_id, task_ok=followed["task_ok"], task=followed["task"], note=note)
    return result


_FREE_FORM_METHODS = ("get", "add", "set", "update", "delete", "replace", "clone", "move", "unset", "exec")


def op_free_form(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Several URLs in one request, one method; every result keeps its own status."""
    method = (as_text(params.get("method"), "method") or "").lower()
    if method == "execute":
        method = "exec"
    if method not in _FREE_FORM_METHODS:
        raise SOARError("'method' must be one of {}, got {!r}".format(", ".join(_FREE_FORM_METHODS), method))
    request = as_json(params.get("params"), "params")
    if isinstance(request, dict):
        request = [request]
    if not isinstance(request, list) or not request:
        raise SOARError("'params' must be a JSON list of request params, each with a 'url'")
    for index, item in enumerate(request):
        if not isinstance(item, dict) or not isinstance(item.get("url"), str) or not item["url"]:
            raise SOARError(f"'params' item {index} needs a 'url' (got {item!r})")
    with locked(fmg, cfg, method, request, _adom_hint(params)) as lock:
        results = send(fmg, method, request)
        failed = [item for item in results if item.get("code") != 0]
        if failed and method != "get":
            first = failed[0]
            error = fmg_failure(method, first.get("code"), first.get("message"), first.get("url"), results=results)
            error.message += f"; {len(failed)} of {len(results)} URLs failed, nothing was committed"
            error.args = (error.message,)
            raise error
    first_failure: list[Result] = [item for item in results if item.get("code") != 0][:1]
    head = first_failure[0] if first_failure else (results[0] if results else {"code": 0, "message": "OK"})
    return {
        "code": head.get("code"),
        "message": head.get("message"),
        "results": results,
        **lock.as_dict(),
    }
