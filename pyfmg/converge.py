"""Read, compare, write: bring one FortiManager object to a wanted state.

Declarative tools (the Ansible collection, scripts that run again and again) need to know
whether an object already looks the way they want before they write it; otherwise every run
writes, takes the workspace lock and reports a change.  These functions are the one-object face
of :mod:`pyfmg.planning` (whose jobs :meth:`pyfmg.FortiManager.converge` runs for many objects):
:func:`plan_object` reads the row and compares it by the rules of :mod:`pyfmg.compare`, and
:func:`apply_object_change` sends the one write it asks for.

Nothing here takes the workspace lock: plan outside the lock (an unchanged object costs one
``get``), lock only when something must be written, and apply inside the lock.  The rules
(:func:`values_match`, :func:`plan_change`, :class:`ObjectChange`...) are importable from here too.
"""

from __future__ import annotations

from typing import Any, Protocol

from . import planning

# The comparison rules live in pyfmg.compare; they were defined here first and stay importable from here.
from .compare import ACTIONS as ACTIONS
from .compare import ObjectChange as ObjectChange
from .compare import number_meets_name as number_meets_name
from .compare import object_url as object_url
from .compare import plan_change as plan_change
from .compare import values_match as values_match
from .exceptions import FMGObjectStatusError as FMGObjectStatusError
from .exceptions import FMGValueError, bounded_repr

#: Status code FortiManager returns for a ``get`` on an object that is not there.
OBJECT_DOES_NOT_EXIST = planning.OBJECT_DOES_NOT_EXIST

EnumCache = planning.EnumCache


class ObjectClient(Protocol):
    """What this module needs from a client: :class:`pyfmg.FortiManager` has it."""

    def get(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, Any]: ...

    def add(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, Any]: ...

    def update(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, Any]: ...

    def delete(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, Any]: ...


def table_enums(fmg: ObjectClient, table_url: str) -> dict[str, dict[str, int]]:
    """``{attribute: {name: number}}`` for the enum attributes of a table, from ``get <table> option=syntax``.

    A table FortiManager cannot describe gives an empty mapping (values are then compared as they are).
    With a :class:`pyfmg.FortiManager` the answer comes from its :attr:`~pyfmg.FortiManager.schemas`,
    which :meth:`~pyfmg.FortiManager.validate` and :meth:`~pyfmg.FortiManager.converge` share: one
    request per table and client.
    """
    return planning.enum_choices(planning.object_channel(fmg), table_url)


def read_object(fmg: ObjectClient, url: str) -> dict[str, Any] | None:
    """The object at ``url``, or ``None`` when FortiManager says it does not exist.

    Raises :class:`FMGObjectStatusError` for any other refusal (``-6`` for an unknown table).
    """
    return planning.read_row(planning.object_channel(fmg).send, url)


def plan_object(
    fmg: ObjectClient,
    table_url: str,
    key_value: Any,
    wanted: dict[str, Any] | None = None,
    *,
    key: str = "name",
    state: str = "present",
    enum_cache: EnumCache | None = None,
) -> ObjectChange:
    """Read the object ``key_value`` of ``table_url`` (one ``get`` of its row) and plan what to write.

    Writes nothing.  When a wanted enum number meets a name read back (or the other way round),
    the table's enum choices are read once and the plan made with them; pass the same
    ``enum_cache`` dict to many calls to read each table's choices only once.  Raises
    :class:`FMGValueError` for bad arguments (before any request) and
    :class:`FMGObjectStatusError` when the read is refused.
    """
    want = planning.want_one(key_value, wanted, key=key, state=state)
    return planning.plan(planning.object_channel(fmg), table_url, [want], key, enum_cache=enum_cache)[0]


def apply_object_change(fmg: ObjectClient, change: ObjectChange) -> Any:
    """Send the write ``change`` asks for (nothing for ``"none"``); returns FortiManager's data.

    Creates go to the table with ``add``, updates to the row with ``update`` carrying only the
    attributes that differ (so other attributes and child tables stay as they are), deletes to
    the row with ``delete``.  Inside workspace mode the caller holds the lock.  Raises
    :class:`FMGObjectStatusError` when FortiManager refuses the write; nothing is retried.
    """
    if change.action not in ACTIONS:
        raise FMGValueError(f"unknown action {bounded_repr(change.action, 80)}; expected one of {ACTIONS}")
    return planning.apply_change(planning.object_channel(fmg), change)


def converge_object(
    fmg: ObjectClient,
    table_url: str,
    key_value: Any,
    wanted: dict[str, Any] | None = None,
    *,
    key: str = "name",
    state: str = "present",
    check_mode: bool = False,
    enum_cache: EnumCache | None = None,
) -> ObjectChange:
    """Plan and, unless ``check_mode``, apply in one call: a one-object job without lock handling.

    For many objects of one table, :meth:`pyfmg.FortiManager.converge` does the same in a few requests.
    """
    want = planning.want_one(key_value, wanted, key=key, state=state)
    channel = planning.object_channel(fmg)
    change = planning.plan(channel, table_url, [want], key, enum_cache=enum_cache)[0]
    if change.changed and not check_mode:
        planning.apply_change(channel, change)
    return change
