"""Composite operations: install a policy package, block/unblock IP addresses and URLs.

Containment follows the usual FortiManager set-up: a deny policy references an address group (for IPs)
or a web-filter profile (for URLs), and blocking means adding members to that group or entries to the
profile's URL filter list. Each action runs under one workspace lock and reports per item what
happened, so a playbook can tell "blocked now" from "was already blocked" from "failed".
"""

from __future__ import annotations

import ipaddress
from typing import Any

from pyfmg import FortiManager
from pyfmg.lockscope import resolve_package_path
from pyfmg.soar.calls import Result, call, find_task_id, follow_task, locked, require_ok, task_options
from pyfmg.soar.config import SOARConfig, as_bool, as_json, as_list, as_text
from pyfmg.soar.errors import SOARError, fmg_failure

Params = dict[str, Any]

DEFAULT_ADDRESS_PREFIX = "soar-block-"
OBJECT_MISSING = -3


def _escape(name: str) -> str:
    """An object name as a URL segment (FortiManager escapes ``/`` inside names as ``\\/``)."""
    return name.replace("/", "\\/")


def _adom(params: Params) -> str:
    return as_text(params.get("adom"), "adom", required=False) or "root"


# --- install -------------------------------------------------------------------------------------------


def _install_scope(value: Any) -> list[dict[str, str]]:
    """Install targets: JSON ``[{"name": "fgt1", "vdom": "root"}]`` or text ``fgt1[root], fgt2``
    (a name without a VDOM is a device or a device group)."""
    parsed = as_json(value, "scope") if isinstance(value, str) and value.strip().startswith("[{") else value
    if isinstance(parsed, list) and parsed and all(isinstance(item, dict) for item in parsed):
        entries = []
        for item in parsed:
            name = as_text(item.get("name"), "scope name")
            entry = {"name": str(name)}
            vdom = as_text(item.get("vdom"), "scope vdom", required=False)
            if vdom:
                entry["vdom"] = vdom
            entries.append(entry)
        return entries
    entries = []
    for item in as_list(parsed, "scope"):
        if item.endswith("]") and "[" in item:
            name, vdom = item[:-1].split("[", 1)
            entries.append({"name": name.strip(), "vdom": vdom.strip()})
        else:
            entries.append({"name": item})
    return entries


def op_install_policy_package(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Install (or preview) a policy package on devices and follow the install task. Installs push
    committed configuration, so no workspace lock is taken."""
    adom = _adom(params)
    package = as_text(params.get("package"), "package")
    assert package is not None
    scope = _install_scope(params.get("scope"))
    preview = as_bool(params.get("preview"), "preview", False)
    comments = as_text(params.get("dev_rev_comments"), "dev_rev_comments", required=False)
    options = task_options(params)
    path = resolve_package_path(fmg, adom, package)
    data: dict[str, Any] = {"adom": adom, "pkg": path, "scope": scope, "flags": ["preview" if preview else "none"]}
    if comments:
        data["dev_rev_comments"] = comments
    started = call(fmg, "exec", "securityconsole/install/package", data)
    if started.get("code") != 0:
        error = fmg_failure(
            f"install of package {path} via",
            started.get("code"),
            started.get("message"),
            started.get("url"),
            task_started=False,
        )
        error.message += "; no install task was started"
        error.args = (error.message,)
        raise error
    result: Result = {
        "code": started.get("code"),
        "message": started.get("message"),
        "adom": adom,
        "package": path,
        "scope": scope,
        "preview": preview,
        "task_id": None,
        "task_ok": None,
        "task": {},
        "preview_result": None,
        "note": "",
    }
    task_id = find_task_id(started.get("data"))
    if task_id is None:
        result["note"] = (
            "FortiManager answered code {} ({}) but started no install task; nothing was "
            "installed. Check the package's installation targets"
        ).format(started.get("code"), started.get("message"))
        return result
    result["task_id"] = task_id
    result.update(follow_task(fmg, task_id, options))
    if preview and result["task_ok"]:
        devices = [entry["name"] for entry in scope]
        fetched = call(fmg, "exec", "securityconsole/preview/result", {"adom": adom, "device": devices})
        result["preview_result"] = (
            fetched.get("data")
            if fetched.get("code") == 0
            else {"code": fetched.get("code"), "message": fetched.get("message")}
        )
    return result


# --- IP addresses --------------------------------------------------------------------------------------


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
    return group, f"{base}/addrgrp/{_escape(group)}", f"{base}/address"


def _read_group(fmg: FortiManager, adom: str, group: str, group_url: str) -> Any:
    answer = call(fmg, "get", group_url)
    if answer.get("code") == OBJECT_MISSING:
        raise SOARError(
            f"Address group {group} does not exist in ADOM {adom}; create it and reference it from a deny policy first",
            code=OBJECT_MISSING,
            fmg_message=answer.get("message"),
            url=group_url,
        )
    return require_ok(answer, "get").get("data")


def op_block_ip(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Add IPv4 addresses/networks to an address group, creating their address objects as needed."""
    adom = _adom(params)
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
            existing = call(fmg, "get", f"{address_url}/{_escape(name)}")
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
                    failed.append(
                        {
                            "ip": text,
                            "reason": "creating {} failed: code {} ({})".format(
                                name, made.get("code"), made.get("message")
                            ),
                        }
                    )
                    continue
                created.append(name)
            else:
                failed.append(
                    {
                        "ip": text,
                        "reason": "reading {} failed: code {} ({})".format(
                            name, existing.get("code"), existing.get("message")
                        ),
                    }
                )
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
    adom = _adom(params)
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
                    gone = call(fmg, "delete", f"{address_url}/{_escape(name)}")
                    if gone.get("code") == 0:
                        deleted.append(name)
                    else:
                        failed.append(
                            {
                                "ip": text,
                                "reason": "deleting {} failed: code {} ({})".format(
                                    name, gone.get("code"), gone.get("message")
                                ),
                            }
                        )
    return {
        "adom": adom,
        "address_group": group,
        "unblocked": unblocked,
        "not_blocked": not_blocked,
        "deleted": deleted,
        "failed": failed,
        **lock.as_dict(),
    }


# --- URLs ----------------------------------------------------------------------------------------------


def _clean_url(text: str) -> str:
    lowered = text.lower()
    for scheme in ("http://", "https://"):
        if lowered.startswith(scheme):
            return text[len(scheme) :]
    return text


def _filter_ref(profile: Any) -> str | None:
    web = profile.get("web") if isinstance(profile, dict) else None
    ref = web.get("urlfilter-table") if isinstance(web, dict) else None
    if isinstance(ref, list):
        ref = ref[0] if ref else None
    if ref in (None, "", 0, "0"):
        return None
    return str(ref)


def _profile_urls(adom: str, params: Params) -> tuple[str, str, str]:
    profile = as_text(params.get("webfilter_profile"), "webfilter_profile")
    assert profile is not None
    base = f"pm/config/adom/{adom}/obj/webfilter"
    return profile, f"{base}/profile/{_escape(profile)}", f"{base}/urlfilter"


def _read_profile(fmg: FortiManager, adom: str, profile: str, profile_url: str) -> Any:
    answer = call(fmg, "get", profile_url)
    if answer.get("code") == OBJECT_MISSING:
        raise SOARError(
            f"Web filter profile {profile} does not exist in ADOM {adom}",
            code=OBJECT_MISSING,
            fmg_message=answer.get("message"),
            url=profile_url,
        )
    return require_ok(answer, "get").get("data")


def _entries(fmg: FortiManager, filter_url: str) -> list[dict[str, Any]]:
    table = require_ok(call(fmg, "get", filter_url), "get").get("data")
    entries = table.get("entries") if isinstance(table, dict) else None
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def op_block_url(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Add block entries for URLs to a web-filter profile's URL filter list (created if it has none)."""
    adom = _adom(params)
    profile, profile_url, urlfilter_url = _profile_urls(adom, params)
    urls = [_clean_url(url) for url in as_list(params.get("urls"), "urls")]
    list_name = as_text(params.get("url_filter_name"), "url_filter_name", required=False) or f"{profile}-soar"
    blocked: list[str] = []
    already: list[str] = []
    created: list[str] = []
    failed: list[dict[str, Any]] = []
    request = [{"url": profile_url}, {"url": urlfilter_url}]
    with locked(fmg, cfg, "update", request, adom) as lock:
        ref = _filter_ref(_read_profile(fmg, adom, profile, profile_url))
        if ref is None:
            made = require_ok(call(fmg, "add", urlfilter_url, {"name": list_name, "entries": []}), "add")
            key = made["data"] if isinstance(made.get("data"), dict) else {}
            ref = str(key.get("id")) if key.get("id") is not None else _lookup_filter_id(fmg, urlfilter_url, list_name)
            require_ok(
                call(fmg, "update", profile_url, {"web": {"urlfilter-table": int(ref) if ref.isdigit() else ref}}),
                "update",
            )
            created.append(list_name)
        filter_url = f"{urlfilter_url}/{_escape(ref)}"
        entries = _entries(fmg, filter_url)
        for url in urls:
            match = next((entry for entry in entries if entry.get("url") == url), None)
            if match is not None and str(match.get("action", "")).lower() == "block":
                already.append(url)
                continue
            if match is not None:
                answer = call(fmg, "update", "{}/entries/{}".format(filter_url, match.get("id")), {"action": "block"})
            else:
                answer = call(
                    fmg,
                    "add",
                    f"{filter_url}/entries",
                    {"url": url, "type": "simple", "action": "block", "status": "enable"},
                )
            if answer.get("code") == 0:
                blocked.append(url)
            else:
                failed.append({"url": url, "reason": "code {} ({})".format(answer.get("code"), answer.get("message"))})
    return {
        "adom": adom,
        "webfilter_profile": profile,
        "url_filter": ref,
        "blocked": blocked,
        "already_blocked": already,
        "created": created,
        "failed": failed,
        **lock.as_dict(),
    }


def _lookup_filter_id(fmg: FortiManager, urlfilter_url: str, name: str) -> str:
    rows = require_ok(call(fmg, "get", urlfilter_url, filter=["name", "==", name], fields=["id", "name"]), "get").get(
        "data"
    )
    if isinstance(rows, list) and rows and isinstance(rows[0], dict) and rows[0].get("id") is not None:
        return str(rows[0]["id"])
    raise SOARError(f"URL filter list {name} was created but FortiManager did not say its id", url=urlfilter_url)


def op_unblock_url(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Remove URL entries from a web-filter profile's URL filter list."""
    adom = _adom(params)
    profile, profile_url, urlfilter_url = _profile_urls(adom, params)
    urls = [_clean_url(url) for url in as_list(params.get("urls"), "urls")]
    unblocked: list[str] = []
    not_blocked: list[str] = []
    failed: list[dict[str, Any]] = []
    request = [{"url": profile_url}, {"url": urlfilter_url}]
    with locked(fmg, cfg, "delete", request, adom) as lock:
        ref = _filter_ref(_read_profile(fmg, adom, profile, profile_url))
        entries = _entries(fmg, f"{urlfilter_url}/{_escape(ref)}") if ref is not None else []
        for url in urls:
            matches = [entry for entry in entries if entry.get("url") == url]
            if not matches:
                not_blocked.append(url)
                continue
            errors = []
            for entry in matches:
                answer = call(
                    fmg, "delete", "{}/{}/entries/{}".format(urlfilter_url, _escape(str(ref)), entry.get("id"))
                )
                if answer.get("code") != 0:
                    errors.append("code {} ({})".format(answer.get("code"), answer.get("message")))
            if errors:
                failed.append({"url": url, "reason": "; ".join(errors)})
            else:
                unblocked.append(url)
    return {
        "adom": adom,
        "webfilter_profile": profile,
        "url_filter": ref,
        "unblocked": unblocked,
        "not_blocked": not_blocked,
        "failed": failed,
        **lock.as_dict(),
    }
