"""Blocking and unblocking IPv4 addresses through an address group a deny policy references.

Blocking adds an address object per address (named ``<prefix><ip>``, created when missing) to the
group; unblocking removes it. Each action reports per address what happened, so a playbook can tell
"blocked now" from "was already blocked" from "failed".

Each action costs a fixed number of requests, whatever the number of addresses: the group is read
once and the address objects once (one filtered read by :meth:`FortiManager.converge` in check mode),
and only when something must be written is the workspace locked, once. Address objects are written
by ``fmg.converge`` (multi-param requests), the group's members changed with one ``add`` or
``delete`` on its ``member`` list (which leaves members other sessions added meanwhile alone), and
the change committed once; the lock is always released.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from pyfmg import FortiManager, ObjectResult
from pyfmg.soar.calls import (
    LockReport,
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


def _failure(action: str, name: str, item: ObjectResult) -> str:
    """Why the action could not handle an address object, with FortiManager's code and message."""
    return f"{action} {name} failed: code {item.code} ({item.message})"


def _address(name: str, network: ipaddress.IPv4Network) -> dict[str, Any]:
    return {
        "name": name,
        "type": "ipmask",
        "subnet": [str(network.network_address), str(network.netmask)],
        "comment": "Blocked by SOAR",
    }


def _survey(
    fmg: FortiManager, address_url: str, networks: dict[str, ipaddress.IPv4Network]
) -> tuple[set[str], set[str]]:
    """Of the address objects ``networks`` names: those that do not exist, and those with another subnet.

    One read of the address table, by the planner in check mode (nothing written, nothing locked)."""
    wanted = [{"name": name, "subnet": _address(name, network)["subnet"]} for name, network in networks.items()]
    missing: set[str] = set()
    clashing: set[str] = set()
    for item in fmg.converge(address_url, wanted, check_mode=True):
        name = str(item.key_value)
        if item.action == "create":
            missing.add(name)
        elif _subnet_of(item.before) != networks[name]:  # as networks: "10.0.0.5 255.255.255.0" is 10.0.0.0/24
            clashing.add(name)
    return missing, clashing


def _member_url(group_url: str) -> str:
    return f"{group_url}/member"


def op_block_ip(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Add IPv4 addresses/networks to an address group, creating their address objects as needed."""
    adom = adom_param(params)
    group, group_url, address_url = _group_urls(adom, params)
    prefix = as_text(params.get("name_prefix"), "name_prefix", required=False) or DEFAULT_ADDRESS_PREFIX
    wanted, failed = _parse_ips(params)
    members = set(_members(_read_group(fmg, adom, group, group_url)))
    networks: dict[str, ipaddress.IPv4Network] = {}
    for _text, network in wanted:
        networks.setdefault(_address_name(prefix, network), network)
    missing, clashing = _survey(fmg, address_url, networks) if networks else (set(), set())
    joining = [name for name in networks if name not in members and name not in clashing]
    created: list[str] = []
    refused: dict[str, str] = {}  # name -> why its object could not be created
    lock = LockReport()  # what a call that writes nothing reports: no lock, no commit
    if joining:
        with locked(fmg, cfg, "update", [{"url": address_url}, {"url": group_url}], adom) as lock:
            new = [_address(name, networks[name]) for name in joining if name in missing]
            # Inside the lock the planner reads these objects again: one made meanwhile is not made twice.
            for item in fmg.converge(address_url, new, commit=False) if new else ():
                if item.status == "created":
                    created.append(str(item.key_value))
                elif not item.ok:
                    refused[str(item.key_value)] = _failure("creating", str(item.key_value), item)
            joined = [name for name in joining if name not in refused]
            if joined:
                require_ok(call(fmg, "add", _member_url(group_url), joined), "update")
    blocked: list[str] = []
    already: list[str] = []
    for text, network in wanted:
        name = _address_name(prefix, network)
        if name in clashing:
            failed.append({"ip": text, "reason": f"address object {name} exists with another subnet"})
        elif name in refused:
            failed.append({"ip": text, "reason": refused[name]})
        elif name in members:
            already.append(text)
        else:
            blocked.append(text)
            members.add(name)  # the same address twice: blocked once, then already blocked
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
    members = _members(_read_group(fmg, adom, group, group_url))
    unblocked: list[str] = []
    not_blocked: list[str] = []
    leaving: dict[str, list[str]] = {}  # name -> the addresses given for it
    for text, network in wanted:
        name = _address_name(prefix, network)
        if name in members:
            leaving.setdefault(name, []).append(text)
            unblocked.append(text)
        else:
            not_blocked.append(text)
    deleted: list[str] = []
    lock = LockReport()  # what a call that writes nothing reports: no lock, no commit
    if leaving:
        if not [member for member in members if member not in leaving]:
            raise SOARError(
                "Removing {} would leave address group {} empty, which FortiGate does not accept; keep a "
                "placeholder member in the group".format(", ".join(sorted(leaving)), group),
                url=group_url,
            )
        with locked(fmg, cfg, "update", [{"url": address_url}, {"url": group_url}], adom) as lock:
            require_ok(call(fmg, "delete", _member_url(group_url), list(leaving)), "update")
            for item in fmg.converge(address_url, absent=list(leaving), commit=False) if delete_objects else ():
                name = str(item.key_value)
                if item.status == "deleted":
                    deleted.append(name)
                elif not item.ok:
                    failed.extend({"ip": text, "reason": _failure("deleting", name, item)} for text in leaving[name])
    return {
        "adom": adom,
        "address_group": group,
        "unblocked": unblocked,
        "not_blocked": not_blocked,
        "deleted": deleted,
        "failed": failed,
        **lock.as_dict(),
    }
