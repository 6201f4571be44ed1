#!/usr/bin/python
# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
from __future__ import annotations

DOCUMENTATION = r"""
module: fmg_rpc
short_description: Send any FortiManager JSON-RPC request
description:
  - Sends one JSON-RPC method to one URL with optional parameters and data, for whatever the
    other modules do not cover (device management, scripts, system settings...).
  - C(get) never reports a change. Every other method reports C(changed) and is not sent in
    check mode.
  - In workspace mode a write takes the narrowest workspace lock that covers it (a policy
    package, a device or an ADOM; see O(lock)); the change is committed on success and the lock
    always released.
  - With O(track_task) the module follows the task the request started to its end and fails
    when the task ends in error.
version_added: "1.0.0"
author: pyfmg contributors (!UNKNOWN)
extends_documentation_fragment:
  - pyfmg.fortimanager.fmg
options:
  method:
    description: JSON-RPC method.
    type: str
    choices: [get, add, set, update, delete, replace, clone, exec, move, unset]
    required: true
  url:
    description: URL of the request. C({adom}) is replaced by O(adom).
    type: str
    required: true
  params:
    description:
      - Extra keys of the request's parameter (C(fields), C(filter), C(option), C(target)...).
    type: dict
    default: {}
  data:
    description: Sent as the parameter's C(data) (a dict or a list).
    type: raw
  lock:
    description:
      - Workspace lock around a write. V(auto) takes the narrowest lock the request needs (none
        for installs, system and task URLs); V(always) locks the whole ADOM O(adom); V(never) does
        not lock. Reads never lock.
    type: str
    choices: [auto, always, never]
    default: auto
  track_task:
    description: Follow the task whose id the reply carries (C(task) or C(taskid)) to its end.
    type: bool
    default: false
  task_timeout:
    description: Seconds to wait for the task.
    type: int
    default: 300
  task_poll_interval:
    description: Seconds between two looks at the task.
    type: float
    default: 3
attributes:
  check_mode:
    support: partial
    description: Can run in check mode.
    details: C(get) runs; any other method is not sent and reports C(changed).
  diff_mode:
    support: none
    description: The module cannot know what a raw request changes.
"""

EXAMPLES = r"""
- name: Read the system status
  pyfmg.fortimanager.fmg_rpc:
    host: "{{ fmg_host }}"
    api_key: "{{ fmg_api_key }}"
    method: get
    url: sys/status
  delegate_to: localhost
  register: status

- name: Add a device model and wait for the task
  pyfmg.fortimanager.fmg_rpc:
    host: "{{ fmg_host }}"
    username: admin
    password: "{{ fmg_password }}"
    method: exec
    url: dvm/cmd/add/device
    data:
      adom: root
      device: {name: branch1, sn: FGVM010000000001, mgmt_mode: fmg, device action: add_model}
      flags: [create_task, nonblocking]
    track_task: true
  delegate_to: localhost
"""

RETURN = r"""
code:
  description: FortiManager's status code for the request (0 on success).
  returned: always
  type: int
  sample: 0
data:
  description: The reply's data (for a write, usually the key of what was written).
  returned: when the request was sent
  type: raw
task:
  description: The task as it ended, with its lines.
  returned: when O(track_task) is set and a task was started
  type: dict
"""

from typing import Any  # noqa: E402

from ansible_collections.pyfmg.fortimanager.plugins.module_utils.fmg import (  # noqa: E402
    check_status,
    fmg_argument_spec,
    follow_task,
    new_module,
    run_module,
    write_lock,
    write_scope,
)

try:
    from pyfmg import LockScope
except ImportError:
    LockScope = None  # new_module() reports the missing library

# JSON-RPC method -> name of the pyfmg client method that sends it.
CLIENT_METHODS = {
    "get": "get",
    "add": "add",
    "set": "set",
    "update": "update",
    "delete": "delete",
    "replace": "replace",
    "clone": "clone",
    "exec": "execute",
    "move": "move",
    "unset": "unset",
}


def lock_for(module: Any, method: str, url: str, data: Any) -> Any:
    """The workspace lock scope for this request, or None."""
    lock = module.params["lock"]
    if method == "get" or lock == "never":
        return None
    if lock == "always":
        return LockScope(module.params["adom"])
    return write_scope(module, method, url, data)


def main() -> None:
    module = new_module(
        fmg_argument_spec(
            method={"type": "str", "required": True, "choices": sorted(CLIENT_METHODS)},
            url={"type": "str", "required": True},
            params={"type": "dict", "default": {}},
            data={"type": "raw"},
            lock={"type": "str", "choices": ["auto", "always", "never"], "default": "auto"},
            track_task={"type": "bool", "default": False},
            task_timeout={"type": "int", "default": 300},
            task_poll_interval={"type": "float", "default": 3},
        ),
        supports_check_mode=True,
    )
    params = module.params
    method = params["method"]
    url = params["url"].replace("{adom}", params["adom"])
    is_write = method != "get"
    if is_write and module.check_mode:
        module.exit_json(changed=True, code=0, msg=f"check mode: {method} {url} not sent")

    request: dict[str, Any] = dict(params["params"])
    if params["data"] is not None:
        request["data"] = params["data"]

    def send(fmg: Any) -> dict[str, Any]:
        client_method = getattr(fmg, CLIENT_METHODS[method])
        with write_lock(fmg, module, lock_for(module, method, url, params["data"])):
            code, data = client_method(url, request)
            check_status(code, data, method, url)
        result: dict[str, Any] = {"changed": is_write, "code": code, "data": data}
        if params["track_task"]:
            result["task"] = follow_task(fmg, data, url, params["task_timeout"], params["task_poll_interval"])
        return result

    run_module(module, send)


if __name__ == "__main__":
    main()
