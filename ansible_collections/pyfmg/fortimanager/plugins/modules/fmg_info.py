#!/usr/bin/python
# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
from __future__ import annotations

DOCUMENTATION = r"""
module: fmg_info
short_description: Read objects and tables from FortiManager
description:
  - Sends a C(get) with optional fields, filter, range, sorting and option, and returns the data.
  - Never reports a change; runs in check mode as usual.
version_added: "1.0.0"
author: pyfmg contributors (!UNKNOWN)
extends_documentation_fragment:
  - pyfmg.fortimanager.fmg
  - pyfmg.fortimanager.fmg.result_codes
options:
  url:
    description:
      - URL to read. C({adom}) is replaced by O(adom). Required unless O(facts) is given.
    type: str
  facts:
    description:
      - fortinet.fortimanager's C(fmgr_fact) way of asking - C(selector) with its C(params),
        and optional C(fields), C(filter), C(sortings), C(option), C(range).
      - Known selectors are listed in the collection's C(docs/ansible.rst) (addresses, groups,
        services, VIPs, policies, packages, devices, ADOMs, scripts, system status, interfaces,
        admins, tasks); a C(url) key may be given instead of C(selector) for any other table.
      - An empty (or missing) last parameter reads the whole table, as in C(fmgr_fact).
    type: dict
  fact_name:
    description:
      - Also return the data as C(ansible_facts.<fact_name>), so later tasks of the play can use
        it without C(register). With O(facts), defaults to C(fmgr_<selector>).
    type: str
  fields:
    description: Attributes to return (rows still carry C(oid)).
    type: list
    elements: str
  filter:
    description:
      - FortiManager filter, for example C([name, like, "web%"]) or
        C([[name, "==", a], "||", [name, "==", b]]).
    type: list
    elements: raw
  range:
    description: C([offset, count]) of the rows to return.
    type: list
    elements: int
  sortings:
    description: "Sort order, for example C([{name: 1}]) (1 ascending, -1 descending)."
    type: list
    elements: dict
  option:
    description: Get options such as C(count), C(get used), C(scope member), C(object member).
    type: list
    elements: str
  loadsub:
    description: Include sub-tables (C(true)) or not (C(false)); FortiManager's default when unset.
    type: bool
  params:
    description: Any other keys of the request's parameter.
    type: dict
    default: {}
  verbose:
    description: Ask for enum values by name instead of number.
    type: bool
    default: false
  missing_ok:
    description: Return C(exists=false) instead of failing when the object does not exist (status -3).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reads as usual; a read changes nothing.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
"""

EXAMPLES = r"""
- name: Addresses whose name starts with web
  pyfmg.fortimanager.fmg_info:
    host: "{{ fmg_host }}"
    api_key: "{{ fmg_api_key }}"
    url: "pm/config/adom/{adom}/obj/firewall/address"
    fields: [name, subnet]
    filter: [name, like, "web%"]
    range: [0, 50]
  delegate_to: localhost
  register: addresses

- name: How many policies the package has
  pyfmg.fortimanager.fmg_info:
    host: "{{ fmg_host }}"
    api_key: "{{ fmg_api_key }}"
    url: pm/config/adom/root/pkg/default/firewall/policy
    option: [count]
  delegate_to: localhost

- name: fmgr_fact style, through connection httpapi; the rows become a fact
  pyfmg.fortimanager.fmg_info:
    facts:
      selector: firewall_address
      params:
        adom: root
        address: ""
      fields: [name, subnet]

- name: Use the fact
  ansible.builtin.debug:
    msg: "{{ ansible_facts.fmgr_firewall_address | map(attribute='name') | list }}"
"""

RETURN = r"""
data:
  description: What FortiManager returned (a list for a table, a dict for an object, a number for C(count)).
  returned: success
  type: raw
exists:
  description: False when O(missing_ok) is set and the object does not exist.
  returned: success
  type: bool
rc:
  description: FortiManager's status code (fortinet.fortimanager's name for it).
  returned: success
  type: int
meta:
  description: C(request_url), C(response_code), C(response_data), C(response_message), as C(fmgr_fact) returns them.
  returned: success
  type: dict
ansible_facts:
  description: "C({<fact_name>: data}) when O(fact_name) is set or O(facts) is used."
  returned: when O(fact_name) or O(facts) is given
  type: dict
"""

from typing import Any  # noqa: E402

from ansible_collections.pyfmg.fortimanager.plugins.module_utils.fmg import (  # noqa: E402
    RC_OPTIONS,
    FMGModuleFailure,
    check_rc,
    fmg_argument_spec,
    new_module,
    reply_meta,
    run_module,
)

OBJECT_DOES_NOT_EXIST = -3
ADOM_OBJECTS = "pm/config/adom/{adom}/obj/"

#: fmgr_fact selectors -> URL templates (the common ones; others take facts.url).
SELECTORS = {
    "firewall_address": ADOM_OBJECTS + "firewall/address/{address}",
    "firewall_address6": ADOM_OBJECTS + "firewall/address6/{address6}",
    "firewall_addrgrp": ADOM_OBJECTS + "firewall/addrgrp/{addrgrp}",
    "firewall_addrgrp6": ADOM_OBJECTS + "firewall/addrgrp6/{addrgrp6}",
    "firewall_service_custom": ADOM_OBJECTS + "firewall/service/custom/{custom}",
    "firewall_service_group": ADOM_OBJECTS + "firewall/service/group/{group}",
    "firewall_vip": ADOM_OBJECTS + "firewall/vip/{vip}",
    "firewall_ippool": ADOM_OBJECTS + "firewall/ippool/{ippool}",
    "pkg_firewall_policy": "pm/config/adom/{adom}/pkg/{pkg}/firewall/policy/{policy}",
    "pm_pkg_adom": "pm/pkg/adom/{adom}/{pkg_path}",
    "dvmdb_adom": "dvmdb/adom/{adom}",
    "dvmdb_device": "dvmdb/adom/{adom}/device/{device}",
    "dvmdb_group": "dvmdb/adom/{adom}/group/{group}",
    "dvmdb_script": "dvmdb/adom/{adom}/script/{script}",
    "sys_status": "sys/status",
    "system_status": "cli/global/system/status",
    "system_interface": "cli/global/system/interface/{interface}",
    "system_admin_user": "cli/global/system/admin/user/{user}",
    "task_task": "task/task/{task}",
}
QUERY_KEYS = ("fields", "filter", "range", "sortings", "option")


def facts_url(facts: dict[str, Any], default_adom: str) -> str:
    """The URL a fmgr_fact ``facts`` block reads: its selector's template filled from its params."""
    values = {str(key): value for key, value in (facts.get("params") or {}).items()}
    values.setdefault("adom", default_adom)
    if facts.get("url"):
        template = str(facts["url"])
    else:
        selector = facts.get("selector")
        if selector not in SELECTORS:
            raise FMGModuleFailure(
                f"facts.selector {selector!r} is not one pyfmg knows ({', '.join(sorted(SELECTORS))}); "
                "give facts.url with the table's URL instead"
            )
        template = SELECTORS[selector]
        if str(values["adom"]).lower() == "global":
            template = template.replace("pm/config/adom/{adom}/", "pm/config/global/")
    segments = template.strip("/").split("/")
    url = []
    for index, segment in enumerate(segments):
        if segment.startswith("{") and segment.endswith("}"):
            value = values.get(segment[1:-1])
            if value in (None, ""):
                if index == len(segments) - 1:
                    break  # fmgr_fact: an empty last parameter reads the whole table
                raise FMGModuleFailure(f"facts.params needs {segment[1:-1]!r} for {template}")
            segment = str(value)
        url.append(segment)
    return "/".join(url)


def main() -> None:
    module = new_module(
        fmg_argument_spec(
            url={"type": "str"},
            facts={"type": "dict"},
            fact_name={"type": "str"},
            fields={"type": "list", "elements": "str"},
            filter={"type": "list", "elements": "raw"},
            range={"type": "list", "elements": "int"},
            sortings={"type": "list", "elements": "dict"},
            option={"type": "list", "elements": "str"},
            loadsub={"type": "bool"},
            params={"type": "dict", "default": {}},
            verbose={"type": "bool", "default": False},
            missing_ok={"type": "bool", "default": False},
            **RC_OPTIONS,
        ),
        required_one_of=[["url", "facts"]],
        mutually_exclusive=[["url", "facts"]],
        supports_check_mode=True,
    )
    params = module.params
    facts = params["facts"]
    fact_name = params["fact_name"]
    request: dict[str, Any] = dict(params["params"])
    if facts is not None:
        try:
            url = facts_url(facts, params["adom"])
        except FMGModuleFailure as exc:
            module.fail_json(msg=exc.msg)
        request.update({key: facts[key] for key in QUERY_KEYS if facts.get(key) is not None})
        fact_name = fact_name or f"fmgr_{facts.get('selector') or 'fact'}"
    else:
        url = params["url"].replace("{adom}", params["adom"])
    for name in ("fields", "filter", "range", "sortings"):
        if params[name] is not None:
            request[name] = params[name]
    if params["option"] is not None:
        request["option"] = params["option"][0] if len(params["option"]) == 1 else params["option"]
    if params["loadsub"] is not None:
        request["loadsub"] = int(params["loadsub"])

    def read(fmg: Any) -> dict[str, Any]:
        code, data = fmg.get(url, request)
        if code == OBJECT_DOES_NOT_EXIST and params["missing_ok"]:
            result: dict[str, Any] = {"changed": False, "exists": False, "data": None}
        else:
            check_rc(module, code, data, "get", url)
            result = {"changed": False, "exists": True, "data": data}
        # failed=False: Ansible fails a result whose rc is not 0 unless it says otherwise (rc_succeeded).
        result.update(rc=code, failed=False, meta=reply_meta(code, data, url))
        if fact_name:
            result["ansible_facts"] = {fact_name: result["data"]}
        return result

    run_module(module, read, verbose=params["verbose"])


if __name__ == "__main__":
    main()
