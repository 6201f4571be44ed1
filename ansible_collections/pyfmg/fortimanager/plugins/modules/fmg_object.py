#!/usr/bin/python
# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
from __future__ import annotations

DOCUMENTATION = r"""
module: fmg_object
short_description: Declare the state of objects in any FortiManager table
description:
  - Reads the object first and writes only what differs, so a second run reports no change.
  - Runs as one pyfmg C(fmg.converge) job, however many objects it is given - one read of
    the objects named (a row, or the table filtered to their names), no second read under the
    lock, writes in requests of 100 objects, one lock and one commit. An object changed by
    someone else between the read and the write is read back and settled, not overwritten
    blindly.
  - Works on any table URL (addresses, groups, services, policies, system settings rows...).
  - A create is an C(add) on the table, an update an C(update) of the row carrying only the
    attributes that differ, a delete a C(delete) of the row.
  - In workspace mode the workspace is locked only when something must be written, and only as
    much as needed (the policy package for a table inside a package, else the ADOM named in
    O(url)); what was written is committed and the lock is always released. Inside a play's
    C(pyfmg.fortimanager.fmg_workspace) block the task uses the block's lock and leaves the
    commit to it.
  - Values are compared the way FortiManager normalises them; see the pyfmg documentation
    (C(pyfmg.converge)) for the rules. Enum values may be given by name or by number.
  - Values of secret attributes (names containing C(passw), C(secret), C(psk), C(token),
    C(private-key), or C(key)) are masked in results and diffs. FortiManager returns such values
    encrypted, so a task that sets one reports a change on every run; give such a task C(no_log).
version_added: "1.0.0"
author: pyfmg contributors (!UNKNOWN)
extends_documentation_fragment:
  - pyfmg.fortimanager.fmg
options:
  url:
    description:
      - URL of the table that holds the object, for example
        C(pm/config/adom/{adom}/obj/firewall/address). C({adom}) is replaced by O(adom).
    type: str
    required: true
  key:
    description: Attribute that identifies a row of the table (C(name), C(policyid), ...).
    type: str
    default: name
  name:
    description:
      - Value of O(key) for the object. Required unless O(objects) is given.
    type: raw
    aliases: [key_value]
  attributes:
    description: Attributes the object must have; attributes not named are left as they are.
    type: dict
    default: {}
  state:
    description: Whether the object must exist.
    type: str
    choices: [present, absent]
    default: present
  objects:
    description:
      - Several objects of the same table in one module run (one read, one lock, one commit).
      - Each item has C(name) (the key's value), optional C(attributes) and optional C(state).
      - The same name twice is refused before anything is sent.
    type: list
    elements: dict
  commit:
    description:
      - Commit the workspace after the writes (workspace mode only).
      - False only inside a C(pyfmg.fortimanager.fmg_workspace) block (its unlock commits); on
        its own the task refuses it, since unlocking would drop the changes.
    type: bool
    default: true
  bypass_validation:
    description:
      - Send the attributes without checking them first.
      - By default, before anything is locked or written, the attributes of every object to
        create or update are checked against the table's schema as FortiManager describes it
        (C(get <url> option=syntax), read once per table per login). An attribute the table does
        not have, a value of the wrong type, an enum value it does not allow (the allowed ones
        are named), an integer out of range or a string too long fails the task, naming the
        object and the attribute. A table FortiManager cannot describe is not checked.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reports what would change and sends no write, lock or commit.
  diff_mode:
    support: full
    description: Shows the key and the named attributes before and after.
"""

EXAMPLES = r"""
- name: An address object exists with this subnet
  pyfmg.fortimanager.fmg_object:
    host: "{{ fmg_host }}"
    username: "{{ fmg_user }}"
    password: "{{ fmg_password }}"
    adom: root
    url: "pm/config/adom/{adom}/obj/firewall/address"
    name: web01
    attributes:
      subnet: 10.0.1.10/32
      comment: managed by ansible
  delegate_to: localhost

- name: A group lists both servers
  pyfmg.fortimanager.fmg_object:
    host: "{{ fmg_host }}"
    api_key: "{{ fmg_api_key }}"
    url: "pm/config/adom/root/obj/firewall/addrgrp"
    name: web
    attributes:
      member: [web01, web02]
  delegate_to: localhost

- name: Many objects in one run
  pyfmg.fortimanager.fmg_object:
    host: "{{ fmg_host }}"
    api_key: "{{ fmg_api_key }}"
    url: "pm/config/adom/root/obj/firewall/address"
    objects:
      - name: old-host
        state: absent
      - name: db01
        attributes: {subnet: 10.0.2.10/32}
  delegate_to: localhost
"""

RETURN = r"""
action:
  description: What was (or, in check mode, would be) done to the object.
  returned: when O(name) is given
  type: str
  sample: update
changed_attributes:
  description: Attributes that differed from the wanted value.
  returned: when O(name) is given
  type: list
  elements: str
  sample: [comment]
object:
  description: The key and the named attributes as they are after the run.
  returned: when O(name) is given
  type: dict
  sample: {name: web01, comment: managed by ansible}
status:
  description: C(failed) for an object FortiManager refused, with C(code) and C(message) (FortiManager's).
  returned: when the task failed on the object
  type: str
  sample: failed
objects:
  description:
    - One entry per item of O(objects), in order, with C(name), C(action), C(changed_attributes)
      and C(object); one that failed also has C(status) (C(failed)), C(code) and C(message).
    - Also returned when the task failed, so that what was written is known.
  returned: when O(objects) is given
  type: list
  elements: dict
diff:
  description: Before and after of each changed object (with C(--diff)).
  returned: when diff mode is on
  type: raw
problems:
  description: What did not fit the table's schema, one line per object and attribute (the task failed).
  returned: when the attributes were refused before sending
  type: list
  elements: str
log:
  description: The task's pyfmg debug log, secrets masked.
  returned: when O(enable_log) is true
  type: list
  elements: str
"""

from ansible_collections.pyfmg.fortimanager.plugins.module_utils.fmg import run_module  # noqa: E402


def main() -> None:
    run_module("fmg_object")


if __name__ == "__main__":
    main()
