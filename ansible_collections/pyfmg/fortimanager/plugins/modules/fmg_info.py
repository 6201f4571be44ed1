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
options:
  url:
    description: URL to read. C({adom}) is replaced by O(adom).
    type: str
    required: true
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
"""

from typing import Any  # noqa: E402

from ansible_collections.pyfmg.fortimanager.plugins.module_utils.fmg import (  # noqa: E402
    check_status,
    fmg_argument_spec,
    new_module,
    run_module,
)

OBJECT_DOES_NOT_EXIST = -3


def main() -> None:
    module = new_module(
        fmg_argument_spec(
            url={"type": "str", "required": True},
            fields={"type": "list", "elements": "str"},
            filter={"type": "list", "elements": "raw"},
            range={"type": "list", "elements": "int"},
            sortings={"type": "list", "elements": "dict"},
            option={"type": "list", "elements": "str"},
            loadsub={"type": "bool"},
            params={"type": "dict", "default": {}},
            verbose={"type": "bool", "default": False},
            missing_ok={"type": "bool", "default": False},
        ),
        supports_check_mode=True,
    )
    params = module.params
    url = params["url"].replace("{adom}", params["adom"])
    request: dict[str, Any] = dict(params["params"])
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
            return {"changed": False, "exists": False, "data": None}
        check_status(code, data, "get", url)
        return {"changed": False, "exists": True, "data": data}

    run_module(module, read, verbose=params["verbose"])


if __name__ == "__main__":
    main()
