"""Checking a write's attributes against the table's own schema, before anything is sent.

FortiManager describes any table with ``get <table> option=syntax``::

    {"firewall address": {"alimit": 400000, "attr": {
        "comment": {"type": "string", "max": 255, ...},
        "type": {"type": "uint32", "opts": {"ipmask": 0, "iprange": 1, ...}, "default": "ipmask"},
        "associated-interface": {"type": "datasrc", "max_argv": 1, "ref": [...]},
        ...}}}

(the How-to FortiManager API, "The option attribute", ``syntax``). :class:`TableSchema` reads that
answer and lists what in a write does not fit: an attribute the table does not have, a value of
the wrong type, an enum value that is not one of the table's (naming the allowed ones), an
integer out of its type's range, a string longer than the table allows. :class:`SchemaCache`
reads each table's syntax once and keeps it for the client's life, for ``FortiManager.validate``
and for the enum choices :mod:`pyfmg.planning` compares with. Nothing is rejected that the
schema does not rule out: an attribute type it does not know, a child table, or a table
FortiManager cannot describe passes unchecked.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Mapping
from typing import Any, Callable

from .compare import as_int, enums_from_syntax
from .exceptions import FMGValidationError, bounded_repr

logger = logging.getLogger(__name__)

#: Integer attribute types and the values they hold.
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "uint8": (0, 2**8 - 1),
    "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "integer": (-(2**31), 2**31 - 1),
}
STRING_TYPES = frozenset({"string", "var-string", "password", "passwd"})
SCALARS = (str, int, float, bool)

Reader = Callable[[str, Mapping[str, Any]], "tuple[int, Any]"]


class AttributeSpec:
    """One attribute of a table's syntax answer."""

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        self.name = name
        self.type = str(spec.get("type") or "")
        opts = spec.get("opts")
        self.choices: dict[str, Any] = dict(opts) if isinstance(opts, Mapping) and opts else {}
        self.max_argv = spec.get("max_argv") if isinstance(spec.get("max_argv"), int) else None
        self.max = spec.get("max") if isinstance(spec.get("max"), int) else None
        self.min = spec.get("min") if isinstance(spec.get("min"), int) else None

    def problems(self, value: Any) -> list[str]:
        """What is wrong with ``value`` for this attribute (an empty list when it fits)."""
        items = value if isinstance(value, list) else [value]
        if any(not isinstance(item, SCALARS) and item is not None for item in items) or isinstance(value, Mapping):
            # An object (or a list of them) where the schema wants plain values; other types
            # (a nested object, a child table) are described elsewhere and pass unchecked.
            if self.choices or self.type in INTEGER_RANGES or self.type in STRING_TYPES or self.type == "datasrc":
                # Only the type is named: the value may be a password.
                return [f"attribute {self.name!r} takes {self._kind()}, not {type(value).__name__}"]
            return []
        if isinstance(value, list) and self.max_argv is not None and 0 < self.max_argv < len(value):
            return [f"attribute {self.name!r} takes at most {self.max_argv} value(s), not {len(value)}"]
        found: list[str] = []
        for item in items:
            found.extend(self._item_problems(item))
        return found

    def _kind(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.type in INTEGER_RANGES:
            return "an integer"
        if self.type == "datasrc":
            return "names of other objects"
        return "a string"

    def _item_problems(self, item: Any) -> list[str]:
        if self.choices:
            return self._enum_problems(item)
        if self.type in INTEGER_RANGES:
            return self._integer_problems(item)
        if self.type in STRING_TYPES and isinstance(item, str) and self.max is not None and len(item) > self.max:
            return [f"attribute {self.name!r} is {len(item)} characters long; the table allows at most {self.max}"]
        return []

    def _enum_problems(self, item: Any) -> list[str]:
        numbers = {number for number in self.choices.values() if isinstance(number, int)}
        if isinstance(item, str) and (item in self.choices or as_int(item) in numbers):
            return []
        if isinstance(item, (int, bool)) and int(item) in numbers:
            return []
        allowed = ", ".join(
            f"{name} ({number})" if isinstance(number, int) else name for name, number in self.choices.items()
        )
        return [f"attribute {self.name!r}: {bounded_repr(item, 80)} is not allowed; allowed: {allowed}"]

    def _integer_problems(self, item: Any) -> list[str]:
        number = int(item) if isinstance(item, int) else as_int(item)  # bool is an int: True is 1
        if number is None:
            return [f"attribute {self.name!r} takes an integer ({self.type}), not {type(item).__name__}"]
        low, high = INTEGER_RANGES[self.type]
        if self.min is not None:
            low = max(low, self.min)
        if self.max is not None:
            high = min(high, self.max)
        if not low <= number <= high:
            return [f"attribute {self.name!r}: {bounded_repr(number, 80)} is out of range {low}..{high}"]
        return []


class TableSchema:
    """The attributes of one table, from its ``option=syntax`` answer."""

    def __init__(self, category: str, attributes: Mapping[str, Mapping[str, Any]]) -> None:
        self.category = category
        self.attributes = {
            name: AttributeSpec(name, spec) for name, spec in attributes.items() if isinstance(spec, Mapping)
        }

    @classmethod
    def from_syntax(cls, data: Any) -> TableSchema | None:
        """The schema in a syntax answer's ``data``, or None when it does not describe one table."""
        if not isinstance(data, Mapping) or len(data) != 1:
            return None
        ((category, body),) = data.items()
        attributes = body.get("attr") if isinstance(body, Mapping) else None
        if not isinstance(attributes, Mapping) or not attributes:
            return None
        return cls(str(category), attributes)

    def problems(self, data: Mapping[str, Any]) -> list[str]:
        """Everything in one object's attributes that does not fit the table, in the object's order."""
        found: list[str] = []
        for name, value in data.items():
            text = name if isinstance(name, str) else bounded_repr(name, 80)  # str() of a huge int raises
            spec = self.attributes.get(text)
            if spec is not None:
                found.extend(spec.problems(value))
            elif not isinstance(value, Mapping) and not (
                isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value)
            ):
                # A child table may not be listed among the attributes; anything else is a typo.
                close = difflib.get_close_matches(text, list(self.attributes), n=3)
                hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
                found.append(f"{self.category} has no attribute {bounded_repr(text, 80)}{hint}")
        return found


class SchemaCache:
    """Each table's syntax, read once (``get <url> option=syntax``) and kept for every use of it.

    Two things need a table's syntax: checking a write (:meth:`validate`) and comparing an enum
    given by number with the name FortiManager hands back (:meth:`enums`, used by
    :meth:`pyfmg.FortiManager.converge` and :func:`pyfmg.converge.table_enums`).  One cache per
    client serves both, so a table costs one ``syntax`` request per client whichever asks first.
    A job that reads rows anyway may fetch the syntax in the same request and hand the answer
    over with :meth:`remember`.

    :param read: the client's ``get``: called as ``read(url, {"option": "syntax"})``, answering
        ``(code, data)``.
    """

    def __init__(self, read: Reader) -> None:
        self._read = read
        # Table URL (without slashes at the ends) -> (schema or None, enum choices).
        self._tables: dict[str, tuple[TableSchema | None, dict[str, dict[str, int]]]] = {}

    def known(self, url: str) -> bool:
        """True when the syntax of the table at ``url`` is in the cache (asking costs no request)."""
        return url.strip("/") in self._tables

    def remember(self, url: str, code: int, data: Any) -> None:
        """Keep the answer ``(code, data)`` to ``get <url> option=syntax`` that the caller sent itself."""
        schema = TableSchema.from_syntax(data) if code == 0 else None
        if schema is None:
            logger.debug("no usable syntax for %s (status %s): its writes are not validated", url, code)
        self._tables[url.strip("/")] = (schema, enums_from_syntax(code, data))

    def _entry(self, url: str) -> tuple[TableSchema | None, dict[str, dict[str, int]]]:
        key = url.strip("/")
        if key not in self._tables:
            code, data = self._read(url, {"option": "syntax"})
            self.remember(url, code, data)
        return self._tables[key]

    def schema(self, url: str) -> TableSchema | None:
        """The schema of the table at ``url``; None (cached too) when FortiManager cannot describe it."""
        return self._entry(url)[0]

    def enums(self, url: str) -> dict[str, dict[str, int]]:
        """``{attribute: {name: number}}`` for the table's enum attributes (empty when it cannot be described)."""
        return self._entry(url)[1]

    def validate(self, url: str, data: Any) -> None:
        """Raise :class:`~pyfmg.exceptions.FMGValidationError` listing what in ``data`` does not fit.

        ``data`` is one object's attributes or a list of them (a multi-object ``add``/``set``).
        """
        items = data if isinstance(data, list) else [data]
        if not all(isinstance(item, Mapping) for item in items):
            raise FMGValidationError(
                url, [f"the data must be an object or a list of objects, not {type(data).__name__}"]
            )
        schema = self.schema(url)
        if schema is None:
            return
        problems: list[str] = []
        for index, item in enumerate(items):
            prefix = f"item {index}: " if len(items) > 1 else ""
            problems.extend(prefix + problem for problem in schema.problems(item))
        if problems:
            raise FMGValidationError(url, problems)
