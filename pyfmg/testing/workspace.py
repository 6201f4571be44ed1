"""Workspace locks: ADOM-wide, per policy package and per device, owned by one session each.

An ADOM lock conflicts with any package or device lock of that ADOM held by another session
and vice versa; two sessions may hold two different packages of one ADOM at the same time.
Edits made under a lock are rolled back when the lock is released without a commit.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from .codes import LOCKED_BY_OTHER, NO_WRITE_PERMISSION, RpcError
from .sessions import Session

ADOM = "adom"
PKG = "pkg"
DEV = "dev"


def scope_name(adom: str, kind: str, target: str = "") -> str:
    """The string used as key in ``FMGSimulator.locks``: "root", "global", "root/pkg/default"."""
    return adom if kind == ADOM else f"{adom}/{kind}/{target}"


@dataclass
class Lock:
    adom: str
    kind: str
    target: str
    session: Session
    lock_time: int
    snapshot: Any
    dirty: bool = False

    @property
    def scope(self) -> str:
        return scope_name(self.adom, self.kind, self.target)


@dataclass
class Snapshotter:
    """How the object store saves and restores what a lock covers."""

    take: Callable[[str, str, str], Any]
    restore: Callable[[str, str, str, Any], None]
    # Copy the committed state of a package or device into an ADOM-wide snapshot.
    absorb: Callable[[Any, str, str, str], None]


@dataclass
class LockManager:
    snapshots: Snapshotter
    clock: Callable[[], float]
    _locks: dict[str, Lock] = field(default_factory=dict)
    _mutex: threading.RLock = field(default_factory=threading.RLock)

    def _conflicts(self, session: Session, adom: str, kind: str, target: str) -> list[Lock]:
        """Locks held by other sessions that would overlap with (adom, kind, target)."""
        found = []
        for lock in self._locks.values():
            if lock.adom != adom or lock.session.token == session.token:
                continue
            if kind == ADOM or lock.kind == ADOM or (lock.kind == kind and lock.target == target):
                found.append(lock)
        return found

    def lock(self, session: Session, adom: str, kind: str = ADOM, target: str = "") -> None:
        with self._mutex:
            if self._conflicts(session, adom, kind, target):
                raise RpcError(LOCKED_BY_OTHER)
            scope = scope_name(adom, kind, target)
            if scope not in self._locks:
                snapshot = self.snapshots.take(adom, kind, target)
                self._locks[scope] = Lock(adom, kind, target, session, int(self.clock()), snapshot)

    def _mine_or_raise(self, session: Session, adom: str, kind: str, target: str) -> list[Lock]:
        scope = scope_name(adom, kind, target)
        held = self._locks.get(scope)
        if held is not None and held.session.token != session.token:
            raise RpcError(LOCKED_BY_OTHER)
        if held is not None:
            return [held]
        if kind == ADOM:
            # An ADOM-level commit/unlock also acts on this session's package and device locks.
            return [lk for lk in self._locks.values() if lk.adom == adom and lk.session.token == session.token]
        return []

    def unlock(self, session: Session, adom: str, kind: str = ADOM, target: str = "") -> None:
        with self._mutex:
            for lock in self._mine_or_raise(session, adom, kind, target):
                self._release(lock)

    def commit(self, session: Session, adom: str, kind: str = ADOM, target: str = "") -> None:
        with self._mutex:
            mine = self._mine_or_raise(session, adom, kind, target)
            if not mine:
                raise RpcError(NO_WRITE_PERMISSION)
            if kind == ADOM:
                # Committing the ADOM saves everything this session changed in it.
                mine = [lk for lk in self._locks.values() if lk.adom == adom and lk.session.token == session.token]
            for lock in mine:
                lock.snapshot = self.snapshots.take(lock.adom, lock.kind, lock.target)
                lock.dirty = False
            adom_lock = self._locks.get(scope_name(adom, ADOM))
            if kind != ADOM and adom_lock is not None and adom_lock.session.token == session.token:
                self.snapshots.absorb(adom_lock.snapshot, adom, kind, target)

    def _release(self, lock: Lock) -> None:
        if lock.dirty:
            self.snapshots.restore(lock.adom, lock.kind, lock.target, lock.snapshot)
        del self._locks[lock.scope]

    def release_session(self, session: Session) -> None:
        """A session that ends (logout or idle expiry) loses its locks and uncommitted edits."""
        with self._mutex:
            for lock in [lk for lk in self._locks.values() if lk.session.token == session.token]:
                self._release(lock)

    def check_write(self, session: Session, adom: str, kind: str = ADOM, target: str = "") -> None:
        """Refuse a write that no lock of this session covers; mark the covering lock dirty."""
        with self._mutex:
            if self._conflicts(session, adom, kind, target):
                raise RpcError(LOCKED_BY_OTHER)
            covering = [
                lock
                for lock in self._locks.values()
                if lock.adom == adom
                and lock.session.token == session.token
                and (lock.kind == ADOM or (lock.kind == kind and lock.target == target))
            ]
            if not covering:
                raise RpcError(NO_WRITE_PERMISSION)
            for lock in covering:
                lock.dirty = True

    def info(self, adom: str, kind: str | None = None, target: str = "") -> list[dict[str, Any]]:
        with self._mutex:
            rows = []
            adom_dirty = int(any(lk.dirty for lk in self._locks.values() if lk.adom == adom))
            for lock in self._locks.values():
                if lock.adom != adom or (kind is not None and (lock.kind, lock.target) != (kind, target)):
                    continue
                rows.append(
                    {
                        "adom_dirty": adom_dirty,
                        "dirty": int(lock.dirty),
                        "lock_sid": lock.session.sid,
                        "lock_time": lock.lock_time,
                        "lock_user": lock.session.user,
                        "obj_url": "" if lock.kind == ADOM else f"{lock.kind}/{lock.target}",
                    }
                )
            return rows

    def uncommitted_elsewhere(self, session: Session) -> list[Lock]:
        """Dirty locks of other sessions: what ``session`` must not see yet."""
        with self._mutex:
            return [lk for lk in self._locks.values() if lk.dirty and lk.session.token != session.token]

    def held(self) -> dict[str, str]:
        with self._mutex:
            return {scope: lock.session.token for scope, lock in self._locks.items()}

    def drop_all(self) -> None:
        with self._mutex:
            self._locks.clear()
