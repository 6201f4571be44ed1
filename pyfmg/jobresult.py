"""What a converge job did: one :class:`ObjectResult` per object, in input order, and a summary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from .exceptions import FMGConvergeError, bounded_repr

#: Every ``ObjectResult.status``; ``created``, ``updated``, ``deleted`` and ``planned`` count as changes.
STATUSES = ("created", "updated", "deleted", "unchanged", "planned", "failed")
_CHANGES = frozenset({"created", "updated", "deleted", "planned"})


@dataclass(frozen=True)
class ObjectResult:
    """The outcome for one object of a :meth:`pyfmg.FortiManager.converge` job.

    ``status`` is one of:

    ``created``, ``updated``, ``deleted``
        Written (and, in workspace mode, committed); ``changed_attributes`` names what an
        update sent.  An object whose reply was lost counts here once reading it back showed
        the write applied.
    ``unchanged``
        Already as wanted; nothing was sent for it.
    ``planned``
        Check mode: ``action`` says what would be written.
    ``failed``
        Not applied: ``code`` and ``message`` are FortiManager's (``-10``, ``-20055``...), or
        ``code`` is ``None`` and ``error`` holds the exception when it is unknown whether the
        write arrived (the connection failed and reading it back failed too).

    ``action`` is what the object needed (``create``, ``update``, ``delete`` or ``none``),
    ``index`` its position in the job's input (``objects`` first, then ``absent``), ``url`` its
    row URL.  ``before`` and ``after`` hold the key and the compared attributes, for a diff;
    ``data`` is FortiManager's answer to the write (``{"name": ...}``; a new ``policyid``).
    """

    index: int
    key_value: Any
    status: str
    action: str
    url: str
    changed_attributes: tuple[str, ...] = ()
    code: int | None = 0
    message: str = ""
    before: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    after: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    data: Any = field(default=None, repr=False, compare=False)
    error: BaseException | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """False only when the object failed."""
        return self.status != "failed"

    @property
    def changed(self) -> bool:
        """True when the object was (or, in check mode, would be) written."""
        return self.status in _CHANGES


@dataclass(frozen=True)
class ConvergeSummary:
    """How many objects of a job ended in each status."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    planned: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        """How many objects the job was given (every status counted)."""
        return self.created + self.updated + self.deleted + self.unchanged + self.planned + self.failed

    @property
    def changed(self) -> bool:
        """True when any object was (or, in check mode, would be) written."""
        return bool(self.created or self.updated or self.deleted or self.planned)

    @property
    def ok(self) -> bool:
        """True when no object failed."""
        return self.failed == 0

    def __str__(self) -> str:
        counts = [f"{getattr(self, name)} {name}" for name in STATUSES if getattr(self, name)]
        return ", ".join(counts) or "nothing to do"


@dataclass(frozen=True, repr=False)
class ConvergeResult(Sequence[ObjectResult]):
    """Every object's outcome, in input order, and what happened to the job as a whole.

    A sequence of :class:`ObjectResult`.  ``error`` is the exception that ended the job early or
    spoilt its end, when there was one: the lock could not be had (:class:`FMGLockError`), the
    commit failed (:class:`FMGWorkspaceError`), the session expired, or unlocking failed
    after a successful commit.  Objects it kept from being written are ``failed`` with its code.
    Failures never raise on their own; :meth:`raise_for_status` does.
    """

    url: str
    items: tuple[ObjectResult, ...] = ()
    check_mode: bool = False
    error: BaseException | None = None

    @overload
    def __getitem__(self, index: int) -> ObjectResult: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[ObjectResult]: ...

    def __getitem__(self, index: int | slice) -> ObjectResult | Sequence[ObjectResult]:
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[ObjectResult]:
        return iter(self.items)

    @property
    def summary(self) -> ConvergeSummary:
        """How many objects ended in each status (created, updated, ..., failed), counted now."""
        counts = dict.fromkeys(STATUSES, 0)
        for item in self.items:
            counts[item.status] += 1
        return ConvergeSummary(**counts)

    @property
    def failed(self) -> list[ObjectResult]:
        """The objects that failed, in input order."""
        return [item for item in self.items if not item.ok]

    @property
    def changed(self) -> bool:
        """True when any object was (or, in check mode, would be) written."""
        return any(item.changed for item in self.items)

    @property
    def ok(self) -> bool:
        """True when no object failed and nothing went wrong around the writes."""
        return self.error is None and all(item.ok for item in self.items)

    def raise_for_status(self) -> None:
        """Raise :class:`FMGConvergeError` (carrying this result) unless :attr:`ok`; like requests' method."""
        if self.ok:
            return
        parts = []
        if self.error is not None:
            parts.append(f"{type(self.error).__name__}: {self.error}")
        failed = self.failed
        if failed:
            first = failed[0]
            parts.append(
                f"{len(failed)} of {len(self.items)} objects failed, the first {bounded_repr(first.key_value, 80)} "
                f"({first.action}: {first.code}, {first.message})"
            )
        raise FMGConvergeError(f"converge {self.url}: " + "; ".join(parts), result=self)

    def __repr__(self) -> str:
        mode = ", check mode" if self.check_mode else ""
        error = f", error: {type(self.error).__name__}" if self.error is not None else ""
        return f"<ConvergeResult {self.url}: {len(self.items)} objects, {self.summary}{mode}{error}>"
