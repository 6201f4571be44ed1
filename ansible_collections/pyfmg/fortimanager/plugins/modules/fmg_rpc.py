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
  - pyfmg.fortimanager.fmg.result_codes
options:
  method:
    description:
      - JSON-RPC method. Required unless O(json) gives it.
    type: str
    choices: [get, add, set, update, delete, replace, clone, exec, move, unset]
  url:
    description:
      - URL of the request. C({adom}) is replaced by O(adom).
      - Required unless O(params) is a list or O(json) is given.
    type: str
  params:
    description:
      - A dict, with O(url) - extra keys of the request's parameter (C(fields), C(filter),
        C(option), C(target)...).
      - Or, as in fortinet.fortimanager's C(fmgr_generic), a list of parameters, each with its
        own C(url) (and C(data), ...); each is sent as its own request, in order, and the task
        stops at the first that fails.
    type: raw
    default: {}
  json:
    description:
      - As in C(fmgr_generic) - a JSON text with C(method) and C(params) (a list), instead of
        O(method) and O(params).
    type: str
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

- name: fmgr_generic style, through connection httpapi (one login for the whole play)
  pyfmg.fortimanager.fmg_rpc:
    method: add
    params:
      - url: /pm/config/adom/root/obj/firewall/address
        data:
          - name: web01
            subnet: 10.0.1.10/32
    rc_succeeded: [-2]
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
rc:
  description: Same as RV(code), under fortinet.fortimanager's name.
  returned: when the request was sent
  type: int
meta:
  description:
    - What fortinet.fortimanager's modules return - C(request_url), C(response_code),
      C(response_data) and C(response_message).
  returned: when the request was sent
  type: dict
results:
  description: One C({url, code, data}) per parameter when O(params) is a list of several.
  returned: when several parameters were sent
  type: list
  elements: dict
log:
  description: The task's pyfmg debug log, secrets masked.
  returned: when O(enable_log) is true
  type: list
  elements: str
"""

from ansible_collections.pyfmg.fortimanager.plugins.module_utils.fmg import run_module  # noqa: E402


def main() -> None:
    run_module("fmg_rpc")


if __name__ == "__main__":
    main()
