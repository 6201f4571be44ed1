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
log:
  description: The task's pyfmg debug log, secrets masked.
  returned: when O(enable_log) is true
  type: list
  elements: str
"""

from ansible_collections.pyfmg.fortimanager.plugins.module_utils.fmg import run_module  # noqa: E402


def main() -> None:
    run_module("fmg_info")


if __name__ == "__main__":
    main()
