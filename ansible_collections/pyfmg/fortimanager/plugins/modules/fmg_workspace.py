#!/usr/bin/python
# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
from __future__ import annotations

DOCUMENTATION = r"""
module: fmg_workspace
short_description: Hold one workspace lock over several tasks of a play, and commit them once
description:
  - "In workspace mode every write task otherwise locks, commits and unlocks on its own (three
    requests each). Between C(state: locked) and C(state: unlocked) the writes of the play that the
    lock covers (an ADOM covers its objects and packages) use this lock instead, and one commit
    saves them all at C(state: unlocked)."
  - "C(state: locked) takes the lock now (waiting up to O(lock_wait) seconds for another
    administrator's) and the connection holds it for the following tasks."
  - "C(state: unlocked) commits what the play wrote under the lock (nothing is sent for the commit
    when nothing was written) and unlocks. With O(commit=false) it unlocks without committing:
    FortiManager drops those changes."
  - "If a task fails while the play holds the lock, its failure lists the changes still uncommitted
    (C(uncommitted)). The host runs no further task, the play ends, and the connection unlocks
    without committing, so FortiManager drops them; no lock is left behind. To keep them after all,
    commit in a C(rescue) or C(always) section with C(state: unlocked)."
  - "C(fmg_install) refuses to install a package of an ADOM in which the play holds uncommitted
    changes (the install would leave them out): unlock (commit) first."
  - "Needs C(connection: httpapi), where one connection process serves the whole play. With
    C(connection: local) each task logs in on its own, so nothing can be held across tasks: the
    module only warns, and each write task locks, commits and unlocks by itself."
  - "The connection ends when the play does, or after C(ansible_connect_timeout) seconds without a
    task for this host (30 by default); FortiManager then drops what was not committed. The next
    task of the host fails and says so rather than going on without the lock."
  - "C(fortinet.fortimanager) holds a lock from the first task that names C(workspace_locking_adom)
    to the end of the play, and commits at logout, also after a failed task; see the pyfmg
    documentation (Ansible, grouping a play's writes)."
version_added: "1.2.0"
author: pyfmg contributors (!UNKNOWN)
extends_documentation_fragment:
  - pyfmg.fortimanager.fmg
options:
  state:
    description: C(locked) to take and hold the lock, C(unlocked) to commit and release it.
    type: str
    choices: [locked, unlocked]
    required: true
  package:
    description: Lock only this policy package of O(adom) (its path inside folders) instead of the whole ADOM.
    type: str
    aliases: [pkg]
  commit:
    description: With C(state=unlocked), commit the play's changes before unlocking; false drops them.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: Nothing is locked, committed or unlocked (the write tasks send no write either).
  diff_mode:
    support: none
    description: Nothing to show.
"""

EXAMPLES = r"""
- name: One lock and one commit for the objects and the policy below
  pyfmg.fortimanager.fmg_workspace:
    adom: root
    state: locked

- name: Address web01
  pyfmg.fortimanager.fmg_object:
    url: pm/config/adom/{adom}/obj/firewall/address
    name: web01
    attributes: {subnet: 10.0.1.11/32}

- name: Web traffic is allowed
  pyfmg.fortimanager.fmg_object:
    url: pm/config/adom/{adom}/pkg/default/firewall/policy
    key: policyid
    name: 10
    attributes: {name: allow-web, srcintf: any, dstintf: any, srcaddr: all, dstaddr: web01,
                 service: HTTPS, schedule: always, action: accept}

- name: Commit both, unlock
  pyfmg.fortimanager.fmg_workspace:
    adom: root
    state: unlocked
"""

RETURN = r"""
lock:
  description: The scope, C(root) or C(root/pkg/default).
  returned: always
  type: str
held:
  description: Whether the play holds the lock after the task.
  returned: always
  type: bool
committed:
  description: The writes the commit saved (C(created <url>), C(update <url>)...).
  returned: with state=unlocked
  type: list
  elements: str
discarded:
  description: The writes dropped by unlocking without a commit (O(commit=false)).
  returned: with state=unlocked
  type: list
  elements: str
ansible_facts:
  description: C(pyfmg_workspace_locks), the locks the play holds and the connection holding them.
  returned: when the lock was taken or released
  type: dict
log:
  description: The task's pyfmg debug log, secrets masked.
  returned: when O(enable_log) is true
  type: list
  elements: str
"""

from ansible_collections.pyfmg.fortimanager.plugins.module_utils.fmg import run_module  # noqa: E402


def main() -> None:
    run_module("fmg_workspace")


if __name__ == "__main__":
    main()
