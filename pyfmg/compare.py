"""How a wanted object compares with what FortiManager holds, and what to write about it.

FortiManager hands values back in a normalised form, so a naive ``==`` would see changes
that are not there. :func:`values_match` applies these rules (wanted value first):

* Only the attributes the caller names are compared; everything else on the object is left alone.
* A scalar matches a one-item list holding it: ``"port1"`` matches ``["port1"]`` (member and
  interface fields come back as lists).
* Lists of scalars are compared as sets: FortiManager member tables have no order that matters.
  Lists of dicts are compared item by item, in order.
* An IPv4 subnet matches in any of its spellings: ``"10.0.0.0/24"``, ``"10.0.0.0 255.255.255.0"``
  and ``["10.0.0.0", "255.255.255.0"]`` are the same value. IPv6 prefixes compare as networks.
* Numbers match their decimal strings (``1`` matches ``"1"``); strings compare case-sensitively.
* Nested dicts compare only the keys the wanted dict names.
* An enum given by number matches the same enum read back by name, and the other way round
  (``action: 1`` matches ``"accept"``). The mapping comes from the table's schema
  (``get <table> option=syntax``, parsed by :func:`enums_from_syntax`), read once per table and
  only when a number meets a name.

:func:`plan_change` turns one wanted object and the row read back into an :class:`ObjectChange`.
Nothing here talks to FortiManager: :mod:`pyfmg.planning` reads and writes.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pyfmg.exceptions import FMGValueError, bounded_repr

logger = logging.getLogger(__name__)

ACTIONS = ("create", "update", "delete", "none")


@dataclass
class ObjectChange:
    """What to write to bring one object to its wanted state.

    ``before`` and ``after`` hold only the key and the compared attributes (what a diff should
    show); ``current`` is the object as FortiManager returned it (``None`` when absent; read
    from a table with ``fields``, only the key and the compared attributes).
    """

    action: str
    table_url: str
    object_url: str
    key: str
    key_value: Any
    wanted: dict[str, Any]
    current: dict[str, Any] | None
    changed_attributes: list[str] = field(default_factory=list)
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """True when the plan writes something (create, update or delete)."""
        return self.action != "none"

    def write_payload(self) -> dict[str, Any]:
        """The attributes to send: the full wanted object on create, only what differs on update."""
        if self.action == "create":
            return {self.key: self.key_value, **self.wanted}
        if self.action == "update":
            return {name: self.wanted[name] for name in self.changed_attributes}
        return {}


def object_url(table_url: str, key_value: Any) -> str:
    """URL of one row of a table; a ``/`` inside a name is escaped the way FortiManager wants."""
    return f"{table_url.rstrip('/')}/{str(key_value).replace('/', chr(92) + '/')}"


#: The 33 IPv4 netmasks, by prefix length: ``_NETMASKS[24] == "255.255.255.0"``.
_NETMASKS = tuple(str(ipaddress.IPv4Network(f"0.0.0.0/{length}").netmask) for length in range(33))
_NETMASK_SET = frozenset(_NETMASKS)
#: A dotted quad as ``ipaddress`` prints it: four decimal octets, no leading zeros.
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")


def _ipv4_subnet(value: Any) -> tuple[str, str] | None:
    """``(address, netmask)`` for any IPv4 subnet spelling, else ``None``."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, str) for v in value):
        text = f"{value[0]}/{value[1]}"
    elif isinstance(value, str) and ("/" in value or " " in value.strip()):
        text = "/".join(value.split())
    else:
        return None
    # The usual spellings ("10.0.0.1/32", ["10.0.0.1", "255.255.255.255"]) without ipaddress,
    # which costs about 30 us a value (most of a 20,000-object rerun's CPU); it takes the rest.
    address, _, mask = text.partition("/")
    if _CANONICAL_IPV4.fullmatch(address):
        if mask in _NETMASK_SET:
            return address, mask
        if mask.isascii() and mask.isdigit() and int(mask) <= 32:
            return address, _NETMASKS[int(mask)]
    try:
        interface = ipaddress.IPv4Interface(text)
    except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, ValueError):
        return None
    return str(interface.ip), str(interface.netmask)


def _ipv6_network(value: Any) -> ipaddress.IPv6Interface | None:
    if not isinstance(value, str) or ":" not in value:
        return None
    try:
        return ipaddress.IPv6Interface(value)
    except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, ValueError):
        return None


def _scalar_match(wanted: Any, current: Any) -> bool:
    if wanted == current and type(wanted) is type(current):
        return True
    if isinstance(wanted, bool) or isinstance(current, bool):
        return False
    numeric = (int, float)
    if isinstance(wanted, numeric) and isinstance(current, str):
        return str(wanted) == current.strip()
    if isinstance(current, numeric) and isinstance(wanted, str):
        return str(current) == wanted.strip()
    return bool(wanted == current)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def values_match(wanted: Any, current: Any) -> bool:
    """True when ``current`` (as read from FortiManager) already satisfies ``wanted``."""
    wanted_subnet = _ipv4_subnet(wanted)
    if wanted_subnet is not None:
        return wanted_subnet == _ipv4_subnet(current)
    wanted_v6 = _ipv6_network(wanted)
    if wanted_v6 is not None:
        current_v6 = _ipv6_network(current[0] if isinstance(current, list) and len(current) == 1 else current)
        return current_v6 is not None and wanted_v6 == current_v6

    if isinstance(wanted, dict):
        return isinstance(current, dict) and all(
            key in current and values_match(value, current[key]) for key, value in wanted.items()
        )
    if _is_scalar(wanted) and isinstance(current, list):
        return len(current) == 1 and values_match(wanted, current[0])
    if isinstance(wanted, list) and _is_scalar(current):
        return len(wanted) == 1 and values_match(wanted[0], current)
    if isinstance(wanted, list) and isinstance(current, list):
        return _lists_match(wanted, current)
    return _scalar_match(wanted, current)


def _lists_match(wanted: list[Any], current: list[Any]) -> bool:
    if len(wanted) != len(current):
        return False
    if all(_is_scalar(item) for item in wanted) and all(_is_scalar(item) for item in current):
        # Between strings values_match is an equivalence, so the same strings in another order
        # match, as the pairing below would find after n*n/2 comparisons (3,000 members: seconds).
        strings = all(isinstance(item, str) for item in wanted) and all(isinstance(item, str) for item in current)
        if strings and sorted(wanted) == sorted(current):
            return True
        unmatched = list(current)
        for item in wanted:
            hit = next((i for i, candidate in enumerate(unmatched) if values_match(item, candidate)), None)
            if hit is None:
                return False
            unmatched.pop(hit)
        return True
    return all(values_match(w, c) for w, c in zip(wanted, current))


_DECIMAL = re.compile(r"\s*-?[0-9]+\s*")


def as_int(value: Any) -> int | None:
    """The integer a decimal string spells (``"42"``, ``" -1 "``), else ``None``.

    Only ASCII digits with at most one ``-`` count: ``"--1"`` and ``"²"`` are names, not numbers
    (``str.isdigit`` takes both, and ``int()`` then raises), and so is a string of more digits
    than ``int()`` converts.
    """
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
        return None
    try:
        return int(value)
    except ValueError:  # more than sys.get_int_max_str_digits() digits
        return None


def _enum_name(value: Any, choices: Mapping[str, int]) -> Any:
    """The symbolic form of an enum value given as a number, a numeric string or a one-item list."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    number = as_int(value)
    if number is not None:
        value = number
    if isinstance(value, int) and not isinstance(value, bool):
        return next((name for name, number in choices.items() if number == value), value)
    return value


def _attribute_matches(wanted: Any, current: Any, choices: Mapping[str, int] | None) -> bool:
    if values_match(wanted, current):
        return True
    return bool(choices) and _enum_name(wanted, choices or {}) == _enum_name(current, choices or {})


def _is_number(value: Any) -> bool:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or as_int(value) is not None


def _is_name(value: Any) -> bool:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return isinstance(value, str) and not _is_number(value)


def number_meets_name(wanted: Any, current: Any) -> bool:
    """True when one side looks like an enum number and the other like an enum name."""
    return (_is_number(wanted) and _is_name(current)) or (_is_name(wanted) and _is_number(current))


def enums_from_syntax(code: int, data: Any) -> dict[str, dict[str, int]]:
    """``{attribute: {name: number}}`` for the enum attributes of a table, from its ``syntax`` reply.

    FortiManager answers ``{"<category>": {"attr": {"action": {"opts": {"accept": 1, ...}}}}}``;
    a table it cannot describe gives an empty mapping (values are then compared as they are).
    """
    if code != 0 or not isinstance(data, dict):
        logger.debug("no syntax (status %s)", code)
        return {}
    enums: dict[str, dict[str, int]] = {}
    for category in data.values():
        attributes = category.get("attr") if isinstance(category, dict) else None
        if not isinstance(attributes, dict):
            continue
        for name, spec in attributes.items():
            opts = spec.get("opts") if isinstance(spec, dict) else None
            if isinstance(opts, dict):
                enums[name] = {str(k): v for k, v in opts.items() if isinstance(v, int)}
    return enums


def plan_change(
    table_url: str,
    key_value: Any,
    wanted: dict[str, Any],
    current: dict[str, Any] | None,
    *,
    key: str = "name",
    state: str = "present",
    enums: Mapping[str, Mapping[str, int]] | None = None,
) -> ObjectChange:
    """Decide, without talking to FortiManager, what turns ``current`` into the wanted state.

    ``enums`` maps enum attributes to their ``{name: number}`` choices (:func:`pyfmg.converge.table_enums` reads them).
    """
    if state not in ("present", "absent"):
        raise FMGValueError(f"state must be 'present' or 'absent', not {bounded_repr(state, 80)}")
    if not isinstance(wanted, dict):
        raise FMGValueError(f"wanted attributes must be a dict, not {type(wanted).__name__}")
    if key_value is None or key_value == "":
        raise FMGValueError(f"the object's key {bounded_repr(key, 80)} needs a value")
    wanted = {name: value for name, value in wanted.items() if name != key}
    change = ObjectChange(
        action="none",
        table_url=table_url,
        object_url=object_url(table_url, key_value),
        key=key,
        key_value=key_value,
        wanted=wanted,
        current=current,
    )
    shown = [key, *wanted]
    if current is not None:
        change.before = {name: current[name] for name in shown if name in current}

    if state == "absent":
        if current is not None:
            change.action = "delete"
            change.changed_attributes = list(change.before)
        return change

    if current is None:
        change.action = "create"
        change.changed_attributes = list(wanted)
        change.after = {key: key_value, **wanted}
        return change

    enums = enums or {}
    change.changed_attributes = [
        name
        for name, value in wanted.items()
        if name not in current or not _attribute_matches(value, current[name], enums.get(name))
    ]
    change.after = dict(change.before)
    change.after[key] = current.get(key, key_value)
    for name in change.changed_attributes:
        change.after[name] = wanted[name]
    change.action = "update" if change.changed_attributes else "none"
    return change


def needs_enums(change: ObjectChange) -> bool:
    """True when an update may be only an enum's number meeting its name: the table's choices decide."""
    current = change.current
    return (
        change.action == "update"
        and current is not None
        and any(
            number_meets_name(change.wanted[name], current[name])
            for name in change.changed_attributes
            if name in current
        )
    )
