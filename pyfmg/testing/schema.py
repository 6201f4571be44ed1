"""The slice of FortiManager's object schema the simulator knows: tables, keys, enums, defaults."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .codes import INVALID_DATA, RpcError


@dataclass(frozen=True)
class TableSpec:
    key: str = "name"
    auto_key: bool = False  # integer keys FortiManager assigns when the caller leaves them out
    member_attrs: tuple[str, ...] = ()  # list-of-names attributes addressable as URL sub-tables
    child_tables: Mapping[str, TableSpec] = field(default_factory=dict)
    enums: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    subnet_attrs: tuple[str, ...] = ()
    # Attributes holding one nested object (a profile's ``web``): a write merges into it.
    sub_objects: tuple[str, ...] = ()
    # What ``option: syntax`` says of attributes that have no default here ({name: entry}), and
    # the longest string each string attribute takes (FortiOS CLI reference sizes).
    syntax_extra: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    lengths: Mapping[str, int] = field(default_factory=lambda: {"name": 79, "comment": 255})


ENABLE = {"disable": 0, "enable": 1}

IPV4_ADDRESS = {"type": "ipv4-address-any"}
ADDRESS = TableSpec(
    enums={"type": {"ipmask": 0, "iprange": 1, "fqdn": 2, "wildcard": 3, "geography": 4}},
    defaults={"type": "ipmask", "subnet": ["0.0.0.0", "0.0.0.0"], "comment": "", "color": 0},
    subnet_attrs=("subnet",),
    syntax_extra={
        "start-ip": IPV4_ADDRESS,
        "end-ip": IPV4_ADDRESS,
        "fqdn": {"type": "string", "max": 255},
        "country": {"type": "string", "max": 2},
        "wildcard": {"type": "ipv4-classnet-any"},
        "associated-interface": {"type": "datasrc", "max_argv": 1},
        "allow-routing": {"type": "uint32", "opts": {"disable": 0, "enable": 1}, "default": "disable", "sz": 4},
        "uuid": {"type": "uuid"},
    },
)
ADDRESS6 = TableSpec(defaults={"ip6": "::/0", "comment": "", "color": 0})
ADDRGRP = TableSpec(
    member_attrs=("member", "exclude-member"),
    defaults={"member": [], "exclude-member": [], "comment": "", "color": 0, "exclude": "disable"},
    enums={"exclude": ENABLE},
)
SERVICE = TableSpec(defaults={"protocol": "TCP/UDP/SCTP", "tcp-portrange": [], "udp-portrange": [], "comment": ""})
SERVICE_GROUP = TableSpec(member_attrs=("member",), defaults={"member": [], "comment": ""})
URLFILTER_ENTRY = TableSpec(
    key="id",
    auto_key=True,
    enums={
        "type": {"simple": 0, "regex": 1, "wildcard": 2},
        "action": {"exempt": 0, "block": 1, "allow": 2, "monitor": 3},
        "status": ENABLE,
    },
    defaults={"url": "", "type": "simple", "action": "exempt", "status": "enable"},
)
URLFILTER = TableSpec(
    key="id", auto_key=True, child_tables={"entries": URLFILTER_ENTRY}, defaults={"name": "", "comment": ""}
)
WEBFILTER_PROFILE = TableSpec(
    sub_objects=("web",),
    enums={"feature-set": {"flow": 0, "proxy": 1}},
    defaults={"comment": "", "feature-set": "flow", "web": {}},
)
SCRIPT = TableSpec(
    # cli = 1 and the three targets are read from a unit's syntax (see docs/simulator.rst); the
    # other type numbers follow the order of the choices FortiManager's schema lists.
    enums={
        "type": {"cli": 1, "tcl": 2, "cligrp": 3, "tclgrp": 4, "jinja": 5},
        "target": {"device_database": 0, "remote_device": 1, "adom_database": 2},
    },
    defaults={"type": "cli", "target": "device_database", "content": "", "desc": ""},
)
POLICY = TableSpec(
    key="policyid",
    auto_key=True,
    member_attrs=("srcintf", "dstintf", "srcaddr", "dstaddr", "service", "schedule"),
    enums={
        "action": {"deny": 0, "accept": 1, "ipsec": 2},
        "status": ENABLE,
        "nat": ENABLE,
        "logtraffic": {"disable": 0, "all": 1, "utm": 2},
    },
    defaults={
        "name": "",
        "srcintf": [],
        "dstintf": [],
        "srcaddr": [],
        "dstaddr": [],
        "service": [],
        "schedule": ["always"],
        "action": "deny",
        "status": "enable",
        "nat": "disable",
        "logtraffic": "utm",
        "comments": "",
    },
    lengths={"name": 35, "comments": 1023},
    syntax_extra={"uuid": {"type": "uuid"}, "poolname": {"type": "datasrc", "max_argv": -1}},
)

# Tables under pm/config/adom/<adom>/obj/ (and pm/config/global/obj/).
OBJECT_TABLES: dict[str, TableSpec] = {
    "firewall/address": ADDRESS,
    "firewall/address6": ADDRESS6,
    "firewall/addrgrp": ADDRGRP,
    "firewall/service/custom": SERVICE,
    "firewall/service/group": SERVICE_GROUP,
    "webfilter/urlfilter": URLFILTER,
    "webfilter/profile": WEBFILTER_PROFILE,
    "fmg/script": SCRIPT,  # where FortiManager 7.6.5 and later keep CLI scripts
}
# Tables under pm/config/adom/<adom>/pkg/<package path>/.
PACKAGE_TABLES: dict[str, TableSpec] = {"firewall/policy": POLICY}

DEFAULT_OBJECTS: dict[str, tuple[dict[str, Any], ...]] = {
    "firewall/address": (
        {"name": "all", "subnet": ["0.0.0.0", "0.0.0.0"]},
        {"name": "none", "subnet": ["0.0.0.0", "255.255.255.255"]},
    ),
    "firewall/service/custom": (
        {"name": "ALL", "protocol": "IP"},
        {"name": "HTTP", "tcp-portrange": ["80"]},
        {"name": "HTTPS", "tcp-portrange": ["443"]},
        {"name": "SSH", "tcp-portrange": ["22"]},
        {"name": "DNS", "tcp-portrange": ["53"], "udp-portrange": ["53"]},
    ),
    "webfilter/profile": ({"name": "default", "comment": "Default web filtering."},),
}


#: The 33 contiguous IPv4 netmasks, by prefix length and by their dotted text.
NETMASKS = [str(ipaddress.IPv4Network(f"0.0.0.0/{bits}").netmask) for bits in range(33)]
_NETMASK_TEXTS = frozenset(NETMASKS)


def _plain_ipv4(text: str) -> bool:
    """A canonical dotted quad ("10.0.0.1"; no leading zeros, no spaces), checked without ipaddress."""
    parts = text.split(".")
    return len(parts) == 4 and all(
        part.isdigit() and len(part) <= 3 and (part == "0" or part[0] != "0") and int(part) <= 255 for part in parts
    )


def _fast_subnet(address: str, mask: str) -> list[str] | None:
    """``[ip, mask]`` for the plain forms bulk feeds use; None sends the value through ipaddress."""
    if not address.isascii() or not _plain_ipv4(address):
        return None
    if mask.isdigit() and len(mask) <= 2 and int(mask) <= 32:
        return [address, NETMASKS[int(mask)]]
    if mask in _NETMASK_TEXTS:
        return [address, mask]
    return None


def normalize_subnet(value: Any) -> Any:
    """Accept "ip/len", "ip mask" or [ip, mask]; store [ip, mask] as FortiManager answers it."""
    try:
        if isinstance(value, str):
            address, _, mask = value.replace(" ", "/").partition("/")
            fast = _fast_subnet(address, mask or "32")
            if fast is not None:
                return fast
            network = ipaddress.IPv4Interface(value.replace(" ", "/"))
            return [str(network.ip), str(network.netmask)]
        if isinstance(value, list) and len(value) == 2:
            if isinstance(value[0], str) and isinstance(value[1], str):
                fast = _fast_subnet(value[0], value[1])
                if fast is not None:
                    return fast
            network = ipaddress.IPv4Interface(f"{value[0]}/{value[1]}")
            return [str(network.ip), str(network.netmask)]
    except ValueError:
        pass
    raise RpcError(INVALID_DATA)


def normalize(spec: TableSpec, data: dict[str, Any]) -> dict[str, Any]:
    """Validate and convert incoming attributes to the stored (symbolic) form."""
    out: dict[str, Any] = {}
    for attr, value in data.items():
        if attr in spec.enums:
            value = enum_name(spec.enums[attr], value)
        elif attr in spec.subnet_attrs:
            value = normalize_subnet(value)
        elif attr in spec.member_attrs:
            value = member_list(value)
        elif (attr in spec.sub_objects and not isinstance(value, dict)) or (
            attr in spec.child_tables and not (isinstance(value, list) and all(isinstance(r, dict) for r in value))
        ):
            raise RpcError(INVALID_DATA)
        out[attr] = value
    return out


def enum_name(choices: Mapping[str, int], value: Any) -> Any:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        for name, number in choices.items():
            if number == value:
                return name
    elif isinstance(value, str) and value in choices:
        return value
    raise RpcError(INVALID_DATA)


def member_list(value: Any) -> list:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return [str(v) for v in value]
    if isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value):
        return [str(v["name"]) for v in value]
    raise RpcError(INVALID_DATA)


def copy_json(value: Any) -> Any:
    """A copy of a JSON value (dicts, lists, scalars): what copy.deepcopy gives, several times faster."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


def new_row(spec: TableSpec) -> dict[str, Any]:
    return copy_json(dict(spec.defaults))


def render(spec: TableSpec, row: dict[str, Any], verbose: bool, loadsub: bool = True) -> dict[str, Any]:
    """A stored row as FortiManager answers it: enums as numbers unless ``verbose``."""
    # Runs once per row of every get (20,000 times for a large table): names are bound locally.
    children, enums = spec.child_tables, spec.enums
    out: dict[str, Any] = {}
    for attr, value in row.items():
        if attr[:1] == "_":
            continue
        if attr in children:
            if loadsub:
                child = children[attr]
                out[attr] = [render(child, r, verbose) for r in value]
            continue
        if not verbose and attr in enums:
            value = enums[attr].get(value, value)
        kind = type(value)
        out[attr] = copy_json(value) if kind is list or kind is dict else value
    return out


def enum_value(spec: TableSpec | None, attr: str, value: Any) -> Any:
    """Stored symbolic value of ``attr`` in numeric form when the table knows the enum."""
    if spec is not None and attr in spec.enums:
        return spec.enums[attr].get(value, value)
    return value


#: The table size limit ``option: syntax`` reports as ``alimit`` (the How-to's firewall address example).
TABLE_LIMIT = 400000


def syntax(spec: TableSpec) -> dict[str, Any]:
    """The table's schema in the shape of FortiManager's ``option: "syntax"`` answer (abridged).

    Like a unit's answer: enums as ``uint32`` with their ``opts`` and ``sz`` 4, references to
    other objects as ``datasrc`` (``max_argv`` -1 for lists), strings with their ``max`` length;
    no ``help`` texts (see docs/simulator.rst for the sources).
    """
    attrs: dict[str, Any] = {spec.key: _plain(spec, spec.key, 0 if spec.auto_key else "")}
    for attr, default in spec.defaults.items():
        if attr in spec.enums:
            attrs[attr] = {"type": "uint32", "opts": dict(spec.enums[attr]), "default": default, "sz": 4}
        elif attr in spec.member_attrs:
            attrs[attr] = {"type": "datasrc", "max_argv": -1}
        elif attr in spec.subnet_attrs:
            attrs[attr] = {"type": "ipv4-classnet-any"}
        elif isinstance(default, dict):
            attrs[attr] = {"type": "table"}
        else:
            attrs[attr] = {**_plain(spec, attr, default), "default": default}
    for attr in spec.child_tables:
        attrs[attr] = {"type": "table"}
    for attr, entry in spec.syntax_extra.items():
        attrs.setdefault(attr, dict(entry))
    return {"alimit": TABLE_LIMIT, "attr": attrs, "mkey": spec.key}


def _plain(spec: TableSpec, attr: str, sample: Any) -> dict[str, Any]:
    if isinstance(sample, int) and not isinstance(sample, bool):
        return {"type": "uint32", "sz": 4}
    if isinstance(sample, list):
        return {"type": "string", "max_argv": -1}
    entry: dict[str, Any] = {"type": "string"}
    if attr in spec.lengths:
        entry["max"] = entry["sz"] = spec.lengths[attr]
    return entry
