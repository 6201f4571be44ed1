# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
"""The run() of the one action plugin every module goes through: a task's work done where it is cheapest.

Under ``connection: httpapi`` the play's persistent connection process already holds a logged-in
pyfmg client (plugins/httpapi/fortimanager.py). Starting a module process for each task would
pay, per task, for building and starting a Python process and importing ansible's module code
and pyfmg in it, only for that process to hand every call back to the connection. So the
worker checks the task's arguments against the module's own spec (module_utils/specs.py, plain
data) and sends the whole task to the connection in one call (``pyfmg_task``); the connection
runs the same task bodies the module runs (module_utils/tasks.py). Nothing here imports pyfmg.

Everything else runs the module as usual: ``connection: local`` (or ``delegate_to: localhost``),
and any task that names its own ``host``, which logs in on its own.
"""

from __future__ import annotations

from typing import Any

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.connection import Connection, ConnectionError
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.pyfmg.fortimanager.plugins.module_utils.specs import (
    LOCKS_FACT,
    argument_spec,
    module_keywords,
)

#: More objects than this are not echoed in the result's invocation.
INVOCATION_OBJECTS = 100


def held_locks(task_vars: dict[str, Any] | None, socket_path: str) -> Any:
    """``{scope: connection id}`` the host's fact says this run's connection holds (None: nothing)."""
    fact = ((task_vars or {}).get("ansible_facts") or {}).get(LOCKS_FACT)
    if isinstance(fact, dict) and fact.get("socket") == socket_path:
        return fact.get("locks")
    return None  # a fact of another run (a fact cache) says nothing about this one


def mask(result: dict[str, Any], no_log_values: set[str]) -> dict[str, Any]:
    """``result`` with the task's no_log values masked (walking a large result only when there are some)."""
    return remove_values(result, no_log_values) if no_log_values else result


class FMGAction(ActionBase):
    """Runs a pyfmg.fortimanager module's task in the httpapi connection, or the module itself."""

    _supports_check_mode = True
    _supports_async = True  # the module does, with connection: local

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        module_name = self._task.action.rpartition(".")[2]
        socket_path = getattr(self._connection, "socket_path", None)
        if not socket_path or self._task.args.get("host"):
            return self._run_module(result, task_vars)
        if self._task.async_val:
            result.update(
                failed=True, msg="async is not supported under connection: httpapi; drop async or give the task a host"
            )
            return result

        keywords = module_keywords(module_name)
        validator = ArgumentSpecValidator(
            argument_spec(module_name),
            mutually_exclusive=keywords.get("mutually_exclusive"),
            required_one_of=keywords.get("required_one_of"),
        )
        args = dict(self._task.args)
        # A list of many objects is checked item by item where it is used (module_utils/tasks.py
        # object_items); the validator would copy and convert each of them once more.
        objects = args.get("objects")
        bulk = isinstance(objects, list) and all(isinstance(item, dict) for item in objects)
        if bulk:
            args["objects"] = []
        checked = validator.validate(args)
        no_log_values = checked._no_log_values
        if checked.error_messages:
            message = checked.errors.msg
            if type(checked.errors[0]).__name__ == "UnsupportedError":
                message = f"Unsupported parameters for ({self._task.action}) module: {message}"
            result.update(failed=True, msg=message)
            return mask(result, no_log_values)
        params = checked.validated_parameters
        if bulk:
            params["objects"] = objects
        if params.get("host"):  # from PYFMG_HOST: the module logs in on its own
            return self._run_module(result, task_vars)

        # As for a module run through the connection: the play's end closes the connection (and
        # with it the FortiManager session) only for the sockets its tasks' arguments name.
        self._task.args["_ansible_socket"] = socket_path
        try:
            answer = Connection(socket_path).pyfmg_task(
                module_name,
                params,
                bool(self._task.check_mode),
                bool(self._task.diff),
                held_locks(task_vars, socket_path),
            )
        except ConnectionError as exc:
            answer = {"failure": {"msg": f"the httpapi connection failed: {exc}", "code": getattr(exc, "code", None)}}
        warnings = list(answer.get("warnings") or [])
        if "failure" in answer:
            result.update(failed=True, changed=False)
            result.update(answer["failure"])  # "changed" when the task wrote before it failed
        else:
            result.update(answer.get("result") or {})
            locks = (result.get("ansible_facts") or {}).get(LOCKS_FACT)
            if locks is not None:
                # Facts may be cached across runs: stamp them with this run's connection socket.
                result["ansible_facts"][LOCKS_FACT] = {"socket": socket_path, "locks": locks}
        if "log" in answer:
            result["log"] = answer["log"]
        if warnings:
            result["warnings"] = [*result.get("warnings", []), *warnings]
        result.setdefault("changed", False)
        shown = params
        if bulk and len(objects) > INVOCATION_OBJECTS:
            # Echoing thousands of objects back (shown with -vvv only) would double what Ansible
            # copies and tags for the result; the result's own "objects" lists each of them.
            shown = {**params, "objects": f"({len(objects)} objects)"}
        result["invocation"] = {"module_args": shown}
        return mask(result, no_log_values)

    def _run_module(self, result: dict[str, Any], task_vars: dict[str, Any] | None) -> dict[str, Any]:
        """The module itself, as Ansible's own action for modules runs it (async included)."""
        wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
