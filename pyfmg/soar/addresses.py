"""Blocking and unblocking IPv4 addresses through an address group a deny policy references.

Blocking adds an address object per address (named ``<prefix><ip>``, created when missing) to the
group; unblocking removes it. Each action runs under one workspace lock and reports per address what
happened, so a playbook can tell "blocked now" from "was already blocked" from "failed".
"""

from __future__ import annotations

import ipaddress
from typing import Any

from pyfmg import FortiManager
from pyfmg.soar.calls import (
    OBJECT_MISSING,
    Params,
    Result,
    adom_param,
    call,
    escape_name,
    get_existing,
    locked,
    require_ok,
)
from pyfmg.soar.config import SOARConfig, as_bool, as_list, as_text
from pyfmg.soar.errors import SOARError

DEFAULT_ADDRESS_PREFIX = "soar-block-"


def _address_name(prefix: str, network: ipaddress.IPv4Network) -> str:
    if network.prefixlen == 32:
        return f"{prefix}{network.network_address}"
    return f"{prefix}{network.network_address}_{network.prefixlen}"


def _parse_ips(params: Params) -> tuple[list[tuple[str, ipaddress.IPv4Network]], list[dict[str, Any]]]:
    good: list[tuple[str, ipaddress.IPv4Network]] = []
    failed: list[dict[str, Any]] = []
    for text in as_list(params.get("ip_addresses"), "ip_addresses"):
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            failed.append({"ip": text, "reason": "not an IPv4 address or network"})
            continue
        if not isinstance(network, ipaddress.IPv4Network):
            failed.append({"ip": text, "reason": "IPv6 is not supported by this action (firewall/address6)"})
            continue
        good.append((text, network))
    return good, failed


def _subnet_of(data: Any) -> ipaddress.IPv4Network | None:
    subnet = data.get("subnet") if isinstance(data, dict) else None
    try:
        if isinstance(subnet, list) and len(subnet) == 2:
            return ipaddress.IPv4Network(f"{subnet[0]}/{subnet[1]}", strict=False)
        if isinstance(subnet, str):
            return ipaddress.IPv4Network(subnet.replace(" ", "/"), strict=False)
    except ValueError:
        return None
    return None


def _members(group: Any) -> list[str]:
    member = group.get("member") if isinstance(group, dict) else None
    if isinstance(member, str):
        return [member]
    if isinstance(member, list):
        return [str(item.get("name")) if isinstance(item, dict) else str(item) for item in member]
    return []


def _group_urls(adom: str, params: Params) -> tuple[str, str, str]:
    group = as_text(params.get("address_group"), "address_group")
    assert group is not None
    base = f"pm/config/adom/{adom}/obj/firewall"
    return group, f"{base}/addrgrp/{escape_name(group)}", f"{base}/address"


def _read_group(fmg: FortiManager, adom: str, group: str, group_url: str) -> Any:
    return get_existing(
        fmg,
        group_url,
        f"Address group {group} does not exist in ADOM {adom}; create it and reference it from a deny policy first",
    )


def _failure(ip: str, action: str, name: str, result: Result) -> dict[str, Any]:
    """One address the action could not handle, with FortiManager's code and message."""
    return {"ip": ip, "reason": f"{action} {name} failed: code {result.get('code')} ({result.get('message')})"}


def op_block_ip(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Add IPv4 addresses/networks to an address group, creating their address objects as needed."""
    adom = adom_param(params)
    group, group_url, address_url = _group_urls(adom, params)
    prefix = as_text(params.get("name_prefix"), "name_prefix", required=False) or DEFAULT_ADDRESS_PREFIX
    wanted, failed = _parse_ips(params)
    blocked: list[str] = []
    already: list[str] = []
    created: list[str] = []
    request = [{"url": address_url}, {"url": group_url}]
    with locked(fmg, cfg, "update", request, adom) as lock:
        members = _members(_read_group(fmg, adom, group, group_url))
        to_add: list[tuple[str, str]] = []
        for text, network in wanted:
            name = _address_name(prefix, network)
            existing = call(fmg, "get", f"{address_url}/{escape_name(name)}")
            if existing.get("code") == 0:
                if _subnet_of(existing.get("data")) != network:
                    failed.append({"ip": text, "reason": f"address object {name} exists with another subnet"})
                    continue
            elif existing.get("code") == OBJECT_MISSING:
                made = call(
                    fmg,
                    "add",
                    address_url,
                    {
                        "name": name,
                        "type": "ipmask",
                        "subnet": [str(network.network_address), str(network.netmask)],
                        "comment": "Blocked by SOAR",
                    },
                )
                if made.get("code") != 0:
                    failed.append(_failure(text, "creating", name, made))
                    continue
                created.append(name)
            else:
                failed.append(_failure(text, "reading", name, existing))
                continue
            if name in members or name in [pending for _, pending in to_add]:
                already.append(text)
            else:
                to_add.append((text, name))
        if to_add:
            require_ok(call(fmg, "update", group_url, {"member": members + [name for _, name in to_add]}), "update")
            blocked.extend(text for text, _ in to_add)
    return {
        "adom": adom,
        "address_group": group,
        "blocked": blocked,
        "already_blocked": already,
        "created": created,
        "failed": failed,
        **lock.as_dict(),
    }


def op_unblock_ip(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Remove IPv4 addresses/networks from an address group, optionally deleting their objects."""
    adom = adom_param(params)
    group, group_url, address_url = _group_urls(adom, params)
    prefix = as_text(params.get("name_prefix"), "name_prefix", required=False) or DEFAULT_ADDRESS_PREFIX
    delete_objects = as_bool(params.get("delete_address"), "delete_address", False)
    wanted, failed = _parse_ips(params)
    unblocked: list[str] = []
    not_blocked: list[str] = []
    deleted: list[str] = []
    request = [{"url": address_url}, {"url": group_url}]
    with locked(fmg, cfg, "update", request, adom) as lock:
        members = _members(_read_group(fmg, adom, group, group_url))
        removing: list[tuple[str, str]] = []
        for text, network in wanted:
            name = _address_name(prefix, network)
            if name in members:
                removing.append((text, name))
            else:
                not_blocked.append(text)
        if removing:
            names = {name for _, name in removing}
            remaining = [member for member in members if member not in names]
            if not remaining:
                raise SOARError(
                    "Removing {} would leave address group {} empty, which FortiGate does not accept; keep a "
                    "placeholder member in the group".format(", ".join(sorted(names)), group),
                    url=group_url,
                )
            require_ok(call(fmg, "update", group_url, {"member": remaining}), "update")
            unblocked.extend(text for text, _ in removing)
            if delete_objects:
                for text, name in removing:
                    gone = call(fmg, "delete", f"{address_url}/{escape_name(name)}")
                    if gone.get("code") == 0:
                        deleted.append(name)
                    else:
                        failed.append(_failure(text, "deleting", name, gone))
    return {
        "adom": adom,
        "address_group": group,
        "unblocked": unblocked,
        "not_blocked": not_blocked,
        "deleted": deleted,
        "failed": failed,
        **lock.as_dict(),
    }
