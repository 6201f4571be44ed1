#!/usr/bin/python
# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
from __future__ import annotations

DOCUMENTATION = r"""
module: fmg_install
short_description: Install a FortiManager policy package on devices and follow the task
description:
  - Starts C(securityconsole/install/package) for a package on a scope of devices or VDOMs,
    follows the task to its end and fails when the task ends in error.
  - An install always reports a change (a preview does not). To install only after a change,
    notify a handler that runs this module from the tasks that change objects.
version_added: "1.0.0"
author: pyfmg contributors (!UNKNOWN)
extends_documentation_fragment:
  - pyfmg.fortimanager.fmg
options:
  package:
    description: Policy package name (a path such as C(folder/pkg) for a package in a folder).
    type: str
    required: true
    aliases: [pkg]
  scope:
    description:
      - Where to install. Each item is C({name, vdom}); an item without C(vdom) names a device
        group or a whole device. A plain string C(dev) or C(dev/vdom) is accepted too.
      - Empty means the package's own installation targets.
    type: list
    elements: raw
    default: []
  preview:
    description: Only prepare an install preview (no change is made on the devices).
    type: bool
    default: false
  flags:
    description: Extra install flags (C(install_chg), C(copy_only)...). C(preview) is added by O(preview).
    type: list
    elements: str
    default: []
  task_timeout:
    description: Seconds to wait for the install task.
    type: int
    default: 600
  task_poll_interval:
    description:
      - The longest wait between two looks at the task. pyfmg's C(track_task) looks sooner at
        first, and again close to the end the task's progress predicts.
    type: float
    default: 3
attributes:
  check_mode:
    support: partial
    description: Can run in check mode.
    details: Nothing is sent to FortiManager; the module reports the install as a change (a preview as no change).
  diff_mode:
    support: none
    description: The devices' configuration change is not shown; use O(preview).
"""

EXAMPLES = r"""
- name: Install the branch package on two FortiGates
  pyfmg.fortimanager.fmg_install:
    host: "{{ fmg_host }}"
    username: "{{ fmg_user }}"
    password: "{{ fmg_password }}"
    adom: root
    package: branch
    scope:
      - {name: FGT-A, vdom: root}
      - FGT-B/root
  delegate_to: localhost
  register: install

- name: Show what each device did
  ansible.builtin.debug:
    msg: "{{ install.lines | map(attribute='detail') | list }}"
"""

RETURN = r"""
task_id:
  description: Id of the install task.
  returned: when the install was started
  type: int
  sample: 42
task:
  description: The task as it ended (state, percent, num_err...).
  returned: when the install was started
  type: dict
lines:
  description: The task's per-device lines (name, vdom, state, detail...).
  returned: when the install was started
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
    run_module("fmg_install")


if __name__ == "__main__":
    main()
