# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
"""The argument specs of the pyfmg.fortimanager modules, as plain data.

Both sides read them: the module (``connection: local``, through AnsibleModule) and the
collection's action plugins, which check a task's arguments in the controller's worker process
under ``connection: httpapi`` without starting a module. Nothing here imports pyfmg.
"""

from __future__ import annotations

from typing import Any

from ansible.module_utils.common.parameters import env_fallback

#: The connection options every module takes (doc fragment pyfmg.fortimanager.fmg).
FMG_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    # Not needed under connection: httpapi, where the connection knows the FortiManager.
    "host": {"type": "str", "fallback": (env_fallback, ["PYFMG_HOST"])},
    "username": {"type": "str", "aliases": ["user"], "fallback": (env_fallback, ["PYFMG_USER"])},
    "password": {"type": "str", "no_log": True, "fallback": (env_fallback, ["PYFMG_PASSWORD"])},
    # access_token is what fortinet.fortimanager calls a FortiManager API key.
    "api_key": {
        "type": "str",
        "no_log": True,
        "aliases": ["access_token"],
        "fallback": (env_fallback, ["PYFMG_APIKEY"]),
    },
    "forticloud_access_token": {"type": "str", "no_log": True},
    "use_ssl": {"type": "bool", "default": True, "fallback": (env_fallback, ["PYFMG_USE_SSL"])},
    # A bool or the path of a CA bundle, hence raw; checked by verify_setting().
    "verify_ssl": {"type": "raw", "default": True, "fallback": (env_fallback, ["PYFMG_VERIFY_SSL"])},
    "timeout": {"type": "int", "default": 300},
    "adom": {"type": "str", "default": "root", "fallback": (env_fallback, ["PYFMG_ADOM"])},
    "workspace_locking_adom": {"type": "str"},
    "lock_wait": {"type": "float", "default": 0, "aliases": ["workspace_locking_timeout"]},
    # The client's redacted debug log of the task, returned as the result's "log".
    "enable_log": {"type": "bool", "default": False},
}

#: fortinet.fortimanager's way of deciding which FortiManager codes fail a task (fmg_rpc, fmg_info).
RC_OPTIONS: dict[str, dict[str, Any]] = {
    "rc_succeeded": {"type": "list", "elements": "int"},
    "rc_failed": {"type": "list", "elements": "int"},
}

#: Skips the check of attributes against the table's schema (fmg_object); accepted elsewhere.
BYPASS_VALIDATION: dict[str, dict[str, Any]] = {"bypass_validation": {"type": "bool", "default": False}}

_FMG_OBJECT = {
    "url": {"type": "str", "required": True},
    "key": {"type": "str", "default": "name", "no_log": False},
    "name": {"type": "raw", "aliases": ["key_value"]},
    "attributes": {"type": "dict", "default": {}},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "objects": {"type": "list", "elements": "dict"},
    "commit": {"type": "bool", "default": True},
    **BYPASS_VALIDATION,
}

#: JSON-RPC methods fmg_rpc sends.
RPC_METHODS = ("add", "clone", "delete", "exec", "get", "move", "replace", "set", "unset", "update")

#: JSON-RPC method -> name of the pyfmg client method that sends it (fmg_rpc; the httpapi
#: plugin's send_request, which reaches nothing else).
CLIENT_METHODS = {method: "execute" if method == "exec" else method for method in RPC_METHODS}

#: The host fact fmg_workspace sets: the locks the play holds, and the connection that holds them.
LOCKS_FACT = "pyfmg_workspace_locks"

_FMG_RPC = {
    "method": {"type": "str", "choices": list(RPC_METHODS)},
    "url": {"type": "str"},
    "params": {"type": "raw", "default": {}},
    "data": {"type": "raw"},
    "json": {"type": "str"},
    "lock": {"type": "str", "choices": ["auto", "always", "never"], "default": "auto"},
    "track_task": {"type": "bool", "default": False},
    "task_timeout": {"type": "int", "default": 300},
    "task_poll_interval": {"type": "float", "default": 3},
    **RC_OPTIONS,
    **BYPASS_VALIDATION,
}

_FMG_INFO = {
    "url": {"type": "str"},
    "facts": {"type": "dict"},
    "fact_name": {"type": "str"},
    "fields": {"type": "list", "elements": "str"},
    "filter": {"type": "list", "elements": "raw"},
    "range": {"type": "list", "elements": "int"},
    "sortings": {"type": "list", "elements": "dict"},
    "option": {"type": "list", "elements": "str"},
    "loadsub": {"type": "bool"},
    "params": {"type": "dict", "default": {}},
    "verbose": {"type": "bool", "default": False},
    "missing_ok": {"type": "bool", "default": False},
    **RC_OPTIONS,
    **BYPASS_VALIDATION,
}

_FMG_INSTALL = {
    "package": {"type": "str", "required": True, "aliases": ["pkg"]},
    "scope": {"type": "list", "elements": "raw", "default": []},
    "preview": {"type": "bool", "default": False},
    "flags": {"type": "list", "elements": "str", "default": []},
    "task_timeout": {"type": "int", "default": 600},
    "task_poll_interval": {"type": "float", "default": 3},
}

_FMG_WORKSPACE = {
    "state": {"type": "str", "choices": ["locked", "unlocked"], "required": True},
    "package": {"type": "str", "aliases": ["pkg"]},
    "commit": {"type": "bool", "default": True},
}

#: Per module: its own options and AnsibleModule's other keywords.
MODULES: dict[str, dict[str, Any]] = {
    "fmg_object": {
        "options": _FMG_OBJECT,
        "required_one_of": [["name", "objects"]],
        "mutually_exclusive": [["name", "objects"]],
    },
    "fmg_rpc": {"options": _FMG_RPC},
    "fmg_info": {"options": _FMG_INFO, "required_one_of": [["url", "facts"]], "mutually_exclusive": [["url", "facts"]]},
    "fmg_install": {"options": _FMG_INSTALL},
    "fmg_workspace": {"options": _FMG_WORKSPACE},
}


def argument_spec(module_name: str) -> dict[str, dict[str, Any]]:
    """The full argument spec of ``module_name``: the shared connection options plus its own."""
    spec = {name: dict(option) for name, option in FMG_ARGUMENT_SPEC.items()}
    spec.update({name: dict(option) for name, option in MODULES[module_name]["options"].items()})
    return spec


def module_keywords(module_name: str) -> dict[str, Any]:
    """AnsibleModule's keywords besides the spec (required_one_of, mutually_exclusive...)."""
    return {key: value for key, value in MODULES[module_name].items() if key != "options"}
