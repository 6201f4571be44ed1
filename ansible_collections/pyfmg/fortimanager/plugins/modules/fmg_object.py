#!/usr/bin/python
# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
from __future__ import annotations

DOCUMENTATION = r"""
module: fmg_object
short_description: Declare the state of objects in any FortiManager table
description:
  - Reads the object first and writes only what differs, so a second run reports no change.
  - Works on any table URL (addresses, groups, services, policies, system settings rows...).
  - A create is an C(add) on the table, an update an C(update) of the row carrying only the
    attributes that differ, a delete a C(delete) of the row.
  - In workspace mode the workspace is locked only when something must be written, and only as
    much as needed (the policy package for a table inside a package, else the ADOM named in
    O(url)); the change is committed when every write succeeded and the lock is always released.
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
      - Several objects of the same table in one module run (one login, one lock, one commit).
      - Each item has C(name) (the key's value), optional C(attributes) and optional C(state).
    type: list
    elements: dict
  commit:
    description: Commit the workspace after the writes (workspace mode only).
    type: bool
    default: true
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
objects:
  description: One entry per item of O(objects), with C(name), C(action), C(changed_attributes), C(object).
  returned: when O(objects) is given
  type: list
  elements: dict
diff:
  description: Before and after of each changed object (with C(--diff)).
  returned: when diff mode is on
  type: raw
"""

from typing import Any  # noqa: E402

from ansible_collections.pyfmg.fortimanager.plugins.module_utils.fmg import (  # noqa: E402
    FMGModuleFailure,
    converge,
    fmg_argument_spec,
    mask_secret_attributes,
    new_module,
    run_module,
    write_lock,
    write_scope,
)


def _items(params: dict[str, Any]) -> list[dict[str, Any]]:
    if params["objects"] is not None:
        items = []
        for index, item in enumerate(params["objects"]):
            if not isinstance(item, dict) or item.get("name") in (None, ""):
                raise FMGModuleFailure(f"objects[{index}] needs a name")
            state = item.get("state", "present")
            if state not in ("present", "absent"):
                raise FMGModuleFailure(f"objects[{index}].state must be present or absent, not {state!r}")
            items.append({"name": item["name"], "attributes": item.get("attributes") or {}, "state": state})
        return items
    return [{"name": params["name"], "attributes": params["attributes"], "state": params["state"]}]


def main() -> None:
    module = new_module(
        fmg_argument_spec(
            url={"type": "str", "required": True},
            key={"type": "str", "default": "name", "no_log": False},
            name={"type": "raw", "aliases": ["key_value"]},
            attributes={"type": "dict", "default": {}},
            state={"type": "str", "choices": ["present", "absent"], "default": "present"},
            objects={"type": "list", "elements": "dict"},
            commit={"type": "bool", "default": True},
        ),
        supports_check_mode=True,
        required_one_of=[["name", "objects"]],
        mutually_exclusive=[["name", "objects"]],
    )
    params = module.params
    table_url = params["url"].replace("{adom}", params["adom"])

    def converge_all(fmg: Any) -> dict[str, Any]:
        items = _items(params)
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
        if pending and not module.check_mode:
            scope = write_scope(module, "update", table_url)
            with write_lock(fmg, module, scope, commit=params["commit"]):
                for index in pending:
                    # Plan again under the lock: another admin may have changed it meanwhile.
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
        if module._diff:
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

    run_module(module, converge_all, verbose=True)


if __name__ == "__main__":
    main()
