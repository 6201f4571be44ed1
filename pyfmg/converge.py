"""Read, compare, write: bring one FortiManager object to a wanted state.

Declarative tools (the Ansible collection, scripts that run again and again) need to know
whether an object already looks the way they want before they write it; otherwise every run
writes, takes the workspace lock and reports a change. This module does the reading and the
comparison and tells the caller what to write; :func:`apply_object_change` then performs it.

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
  (``get <table> option=syntax``), read once per table and only when a number meets a name.

Nothing here takes the workspace lock: the caller plans outside the lock (so an unchanged
object costs one ``get``), then locks, plans again and applies inside the lock.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pyfmg.exceptions import FMGObjectStatusError, FMGValueError

logger = logging.getLogger(__name__)

#: Status code FortiManager returns for a ``get`` on an object that is not there.
OBJECT_DOES_NOT_EXIST = -3

ACTIONS = ("create", "update", "delete", "none")


class ObjectClient(Protocol):
    """What this module needs from a client: :class:`pyfmg.FortiManager` has it."""

    def get(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, Any]: ...

    def add(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, Any]: ...

    def update(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, Any]: ...

    def delete(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, Any]: ...


@dataclass
class ObjectChange:
    """What to write to bring one object to its wanted state.

    ``before`` and ``after`` hold only the key and the compared attributes (what a diff should
    show); ``current`` is the object as FortiManager returned it (``None`` when absent).
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


def _ipv4_subnet(value: Any) -> tuple[str, str] | None:
    """``(address, netmask)`` for any IPv4 subnet spelling, else ``None``."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, str) for v in value):
        text = f"{value[0]}/{value[1]}"
    elif isinstance(value, str) and ("/" in value or " " in value.strip()):
        text = "/".join(value.split())
    else:
        return None
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
        unmatched = list(current)
        for item in wanted:
            hit = next((i for i, candidate in enumerate(unmatched) if values_match(item, candidate)), None)
            if hit is None:
                return False
            unmatched.pop(hit)
        return True
    return all(values_match(w, c) for w, c in zip(wanted, current))


def _enum_name(value: Any, choices: Mapping[str, int]) -> Any:
    """The symbolic form of an enum value given as a number, a numeric string or a one-item list."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
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
    return isinstance(value, int) or (isinstance(value, str) and value.strip().lstrip("-").isdigit())


def _is_name(value: Any) -> bool:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return isinstance(value, str) and not _is_number(value)


def number_meets_name(wanted: Any, current: Any) -> bool:
    """True when one side looks like an enum number and the other like an enum name."""
    return (_is_number(wanted) and _is_name(current)) or (_is_name(wanted) and _is_number(current))


def table_enums(fmg: ObjectClient, table_url: str) -> dict[str, dict[str, int]]:
    """``{attribute: {name: number}}`` for the enum attributes of a table, from its ``syntax``.

    FortiManager answers ``{"<category>": {"attr": {"action": {"opts": {"accept": 1, ...}}}}}``;
    a table it cannot describe gives an empty mapping (values are then compared as they are).
    """
    code, data = fmg.get(table_url, {"option": "syntax"})
    if code != 0 or not isinstance(data, dict):
        logger.debug("no syntax for %s (status %s)", table_url, code)
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

    ``enums`` maps enum attributes to their ``{name: number}`` choices (see :func:`table_enums`).
    """
    if state not in ("present", "absent"):
        raise FMGValueError(f"state must be 'present' or 'absent', not {state!r}")
    if not isinstance(wanted, dict):
        raise FMGValueError(f"wanted attributes must be a dict, not {type(wanted).__name__}")
    if key_value is None or key_value == "":
        raise FMGValueError(f"the object's key {key!r} needs a value")
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


def _status_message(data: Any) -> str:
    if isinstance(data, dict):
        status = data.get("status")
        if isinstance(status, dict):
            return str(status.get("message", ""))
    return ""


def read_object(fmg: ObjectClient, url: str) -> dict[str, Any] | None:
    """The object at ``url``, or ``None`` when FortiManager says it does not exist."""
    code, data = fmg.get(url)
    if code == OBJECT_DOES_NOT_EXIST:
        return None
    if code != 0:
        raise FMGObjectStatusError("get", url, code, _status_message(data))
    if isinstance(data, list):
        # Some tables answer a row URL with a one-row list.
        data = data[0] if len(data) == 1 else None
    if data is None or data == {}:
        return None
    if not isinstance(data, dict):
        raise FMGObjectStatusError("get", url, code, f"expected an object, got {type(data).__name__}")
    return data


def plan_object(
    fmg: ObjectClient,
    table_url: str,
    key_value: Any,
    wanted: dict[str, Any] | None = None,
    *,
    key: str = "name",
    state: str = "present",
    enum_cache: dict[str, dict[str, dict[str, int]]] | None = None,
) -> ObjectChange:
    """Read the object ``key_value`` of ``table_url`` and plan what to write. Writes nothing.

    When a wanted enum number meets a name read back (or the other way round), the table's
    enum choices are read once (:func:`table_enums`) and the plan is made again with them;
    pass the same ``enum_cache`` dict to many calls to read each table's choices only once.
    """
    current = read_object(fmg, object_url(table_url, key_value))
    change = plan_change(table_url, key_value, wanted or {}, current, key=key, state=state)
    if change.action != "update" or not any(
        number_meets_name(change.wanted[name], current[name])
        for name in change.changed_attributes
        if current is not None and name in current
    ):
        return change
    cache = enum_cache if enum_cache is not None else {}
    if table_url not in cache:
        cache[table_url] = table_enums(fmg, table_url)
    return plan_change(table_url, key_value, wanted or {}, current, key=key, state=state, enums=cache[table_url])


def apply_object_change(fmg: ObjectClient, change: ObjectChange) -> Any:
    """Send the write ``change`` asks for (nothing for ``"none"``); returns FortiManager's data.

    Creates go to the table with ``add``, updates to the row with ``update`` carrying only the
    attributes that differ (so other attributes and child tables stay as they are), deletes to
    the row with ``delete``. Inside workspace mode the caller holds the lock.
    """
    if change.action == "none":
        return None
    if change.action == "create":
        method, url = "add", change.table_url
        code, data = fmg.add(url, {"data": change.write_payload()})
    elif change.action == "update":
        method, url = "update", change.object_url
        code, data = fmg.update(url, {"data": change.write_payload()})
    elif change.action == "delete":
        method, url = "delete", change.object_url
        code, data = fmg.delete(url)
    else:
        raise FMGValueError(f"unknown action {change.action!r}; expected one of {ACTIONS}")
    if code != 0:
        raise FMGObjectStatusError(method, url, code, _status_message(data))
    logger.info("%s %s (%s)", method, url, ", ".join(change.changed_attributes) or "no attributes")
    return data


def converge_object(
    fmg: ObjectClient,
    table_url: str,
    key_value: Any,
    wanted: dict[str, Any] | None = None,
    *,
    key: str = "name",
    state: str = "present",
    check_mode: bool = False,
    enum_cache: dict[str, dict[str, dict[str, int]]] | None = None,
) -> ObjectChange:
    """Plan and, unless ``check_mode``, apply in one call (no lock handling: see the module doc)."""
    change = plan_object(fmg, table_url, key_value, wanted, key=key, state=state, enum_cache=enum_cache)
    if change.changed and not check_mode:
        apply_object_change(fmg, change)
    return change
