"""What a job's caller wants, checked before anything is sent: one :class:`Want` per object.

Bad input ends here in one :class:`FMGValueError` that names the object (``objects[3]``,
``absent[0]``) and its key, never half-way through a job.  Attribute values are never shown in a
message: they may be passwords.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .exceptions import FMGValueError, bounded_repr

STATES = ("present", "absent")
#: Largest integer key value taken: FortiManager's numeric keys (policyid...) are uint32.
MAX_KEY_NUMBER = 2**63 - 1


@dataclass(frozen=True)
class Want:
    """One object of a job: its key value, the attributes wanted, ``present`` or ``absent``.

    ``label`` says where the caller gave it (``objects[3]``, ``absent[0]``), for messages.
    """

    key_value: Any
    attributes: Mapping[str, Any]
    state: str = "present"
    label: str = "the object"


def check_url(url: Any) -> str:
    if not isinstance(url, str) or not url.strip().strip("/"):
        raise FMGValueError(
            f"a table URL is needed, e.g. 'pm/config/adom/root/obj/firewall/address', got {bounded_repr(url, 80)}"
        )
    return url


def _check_key_name(key: Any) -> str:
    if not isinstance(key, str) or not key:
        raise FMGValueError(
            f"key must name the table's key attribute, e.g. 'name' or 'policyid', got {bounded_repr(key, 80)}"
        )
    return key


def _checked_key(value: Any, label: str, key: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        raise FMGValueError(
            f"{label}: its {bounded_repr(key, 80)} must be a non-empty string or an integer, "
            f"got {bounded_repr(value, 80)}"
        )
    if isinstance(value, int) and not 0 <= value <= MAX_KEY_NUMBER:
        raise FMGValueError(
            f"{label}: its {bounded_repr(key, 80)} must be an integer from 0 to {MAX_KEY_NUMBER}, "
            f"got {bounded_repr(value, 80)}"
        )
    return value


def _check_attributes(attributes: Any, label: str, key: str, key_value: Any) -> dict[str, Any]:
    where = f"{label} ({key} {bounded_repr(key_value, 80)})"
    if not isinstance(attributes, Mapping):
        raise FMGValueError(f"{where}: the attributes must be a dict, got {type(attributes).__name__}")
    for name in attributes:
        if not isinstance(name, str) or not name:
            raise FMGValueError(f"{where}: attribute names must be non-empty strings, got {bounded_repr(name, 80)}")
    try:
        json.dumps(dict(attributes), allow_nan=False)  # what is sent: a dict of the items
    except (TypeError, ValueError, RecursionError) as whole:
        for name, value in attributes.items():
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError, RecursionError) as err:
                # The value itself is not shown: it may be a password.
                raise FMGValueError(
                    f"{where}: attribute {bounded_repr(name, 80)} cannot be sent as JSON ({type(err).__name__} for a "
                    f"{type(value).__name__}); use dict, list, str, int, float, bool and None, without cycles"
                ) from None
        # Each value is JSON on its own, yet not all of them together (nesting near the recursion limit).
        raise FMGValueError(
            f"{where}: the attributes cannot be sent as JSON; use dict, list, str, int, float, bool and None, "
            "without cycles or deep nesting"
        ) from whole
    return {name: value for name, value in attributes.items() if name != key}


def want_one(key_value: Any, wanted: Any, *, key: str = "name", state: Any = "present") -> Want:
    """Check the arguments of a one-object call and turn them into a :class:`Want`."""
    _check_key_name(key)
    if state not in STATES:
        raise FMGValueError(f"state must be 'present' or 'absent', not {bounded_repr(state, 80)}")
    value = _checked_key(key_value, "the object", key)
    attributes = _check_attributes({} if wanted is None else wanted, "the object", key, value)
    return Want(value, attributes, state)


def wants_from(objects: Any, absent: Any, key: Any) -> list[Want]:
    """Check a job's input and turn it into one :class:`Want` per object; raise before anything is sent."""
    _check_key_name(key)
    if isinstance(objects, Mapping):
        raise FMGValueError("objects must be a list of dicts, got one dict; pass [obj] for a single object")
    if isinstance(objects, (str, bytes)) or not isinstance(objects, Iterable):
        raise FMGValueError(
            f"objects must be a list of dicts, each with its {bounded_repr(key, 80)}, got {type(objects).__name__}"
        )
    if isinstance(absent, (str, bytes, Mapping)) or not isinstance(absent, Iterable):
        raise FMGValueError(
            f"absent must be a list of {key} values, e.g. absent=['old-host'], got {bounded_repr(absent, 80)}"
        )
    wants = []
    for index, item in enumerate(objects):
        label = f"objects[{index}]"
        if not isinstance(item, Mapping):
            raise FMGValueError(
                f"{label} must be a dict of attributes with its {bounded_repr(key, 80)}, got {type(item).__name__}"
            )
        if key not in item:
            raise FMGValueError(
                f"{label} has no {bounded_repr(key, 80)}: each object needs its key to be found and written"
            )
        value = _checked_key(item[key], label, key)
        wants.append(Want(value, _check_attributes(item, label, key, value), "present", label))
    for index, value in enumerate(absent):
        label = f"absent[{index}]"
        wants.append(Want(_checked_key(value, label, key), {}, "absent", label))
    seen: dict[str, str] = {}
    for want in wants:
        token = str(want.key_value)  # FortiManager compares keys as text: 3 and "3" are one policy
        if token in seen:
            raise FMGValueError(
                f"{seen[token]} and {want.label} both name {key} {bounded_repr(want.key_value, 80)}; "
                "each object may appear once in a job"
            )
        seen[token] = want.label
    return wants
