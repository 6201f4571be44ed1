"""Workspace mode: which locks this client holds, taking them (waiting if busy), committing, releasing.

FortiManager locks belong to a session: the ADOM (or one policy package or device in it) stays
locked until the session unlocks it, logs out, or idles out.  A script that dies between lock and
unlock blocks every other administrator, so the manager remembers every lock it took and the
facade releases them all on logout, whatever happened before.
"""

from __future__ import annotations

import contextlib
import logging
import random
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Callable

from .exceptions import FMGLockError, FMGValueError, FMGWorkspaceError

logger = logging.getLogger(__name__)

Reply = tuple[int, Any]

#: FortiManager's answer when another session holds the lock.
LOCKED_BY_OTHER = -20055
#: Answer values that mean "workspace mode is off" / "ADOMs are on" (numeric and verbose forms).
WORKSPACE_OFF = (0, "0", "disabled", "disable")
ADOMS_ON = (1, "1", "enable", "enabled")


@dataclass(frozen=True)
class LockScope:
    """What a lock covers: an ADOM (``None`` means pyFMG's default, root), or one package or device in it."""

    adom: str | None = None
    package: str | None = None
    device: str | None = None

    def __post_init__(self) -> None:
        if self.package and self.device:
            raise FMGValueError("a lock covers a package or a device, not both")

    @property
    def is_global(self) -> bool:
        return (self.adom or "").lower() == "global"

    @property
    def name(self) -> str:
        """``root``, ``global``, ``root/pkg/folder/default``, ``root/dev/FGT1``."""
        base = self.adom or "root"
        if self.package:
            return f"{base}/pkg/{self.package}"
        if self.device:
            return f"{base}/dev/{self.device}"
        return base

    def url(self, action: str) -> str:
        """The URL for ``lock``, ``unlock``, ``commit`` or ``lockinfo``, as pyFMG 0.8.6 spells it."""
        if self.is_global:
            base = f"/dvmdb/global/workspace/{action}"
        else:
            base = f"/dvmdb/adom/{self.adom or 'root'}/workspace/{action}"
        if self.package:
            return f"{base}/pkg/{self.package}"
        if self.device:
            return f"{base}/dev/{self.device}"
        # pyFMG's quirks: no trailing slash for the default ADOM and for an ADOM commit.
        if not self.adom or (action == "commit" and not self.is_global):
            return base
        return base + "/"


class WorkspaceManager:
    """Tracks workspace mode and the locks held through one client.

    ``execute(url, *dicts, **params)`` and ``get(url, **params)`` are the client's calls; the manager never sees
    HTTP.  ``sleep`` and ``clock`` are injectable so waiting can be tested without waiting.
    """

    def __init__(
        self,
        execute: Callable[..., Reply],
        get: Callable[..., Reply],
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._execute = execute
        self._get = get
        self._sleep = sleep
        self._clock = clock
        self._held: list[LockScope] = []
        # Scopes written to since their last commit: FortiManager discards those changes with the session.
        self._unsaved: set[LockScope] = set()
        self._guard = threading.Lock()
        self.uses_workspace = False
        self.uses_adoms = False

    # --- mode ---------------------------------------------------------------------------------------
    def check_mode(self) -> None:
        """Read workspace-mode and adom-status (numeric or verbose values are both understood)."""
        code, data = self._get("/cli/global/system/global", fields=["workspace-mode", "adom-status"])
        if code != 0 or not isinstance(data, dict):
            logger.warning("Could not read workspace mode (code %s); assuming workspace mode is off", code)
            self.uses_workspace = self.uses_adoms = False
            return
        mode = data.get("workspace-mode", 0)
        self.uses_workspace = (mode.lower() if isinstance(mode, str) else mode) not in WORKSPACE_OFF
        adoms = data.get("adom-status", 0)
        self.uses_adoms = (adoms.lower() if isinstance(adoms, str) else adoms) in ADOMS_ON

    # --- bookkeeping --------------------------------------------------------------------------------
    @property
    def held(self) -> list[LockScope]:
        with self._guard:
            return list(self._held)

    def forget_all(self) -> None:
        """The session is gone, and FortiManager released its locks with it."""
        with self._guard:
            self._held.clear()
            self._unsaved.clear()

    def remember(self, scope: LockScope) -> None:
        """Record ``scope`` as held without a call (pyFMG's ``add_adom_to_lock_list``)."""
        with self._guard:
            if scope not in self._held:
                self._held.append(scope)

    def forget(self, scope: LockScope) -> None:
        """Stop recording ``scope`` as held without a call (pyFMG's ``remove_adom_from_lock_list``)."""
        with self._guard:
            if scope in self._held:
                self._held.remove(scope)
            self._unsaved.discard(scope)

    def note_write(self) -> None:
        """A write succeeded; until committed it lives only in this session's workspace."""
        with self._guard:
            self._unsaved.update(self._held)

    def reacquire(self) -> None:
        """After a new login, lock again what the old session held (its locks died with it).

        Raises :class:`FMGLockError` naming the first scope that could not be locked again (the
        others stay locked and listed), and :class:`FMGWorkspaceError` when uncommitted changes were
        lost with the old session: repeating the call would build on a workspace that is not there.
        """
        with self._guard:
            scopes = list(self._held)
            lost_changes = sorted(scope.name for scope in self._unsaved)
            self._held.clear()
            self._unsaved.clear()
        failure: FMGLockError | None = None
        for scope in scopes:
            try:
                code, data = self.lock(scope)
            except Exception as err:
                code, data = -1, {"status": {"code": -1, "message": str(err)}}
            if code != 0 and failure is None:
                failure = self._lock_error(scope, code, data, 0.0)
                failure.args = (
                    f"The session expired while {scope.name} was locked, and locking it again after logging in "
                    f"failed: {failure.args[0]}",
                )
        if failure is not None:
            raise failure
        if lost_changes:
            names = ", ".join(lost_changes)
            raise FMGWorkspaceError(
                f"The session expired while {names} had uncommitted changes; FortiManager discards them with the "
                f"session. Logged in again and locked {names} again, but did not repeat the call: redo the "
                "changes made since the last commit",
                scope=lost_changes[0],
                code=-11,
                message="session expired",
            )

    # --- operations ---------------------------------------------------------------------------------
    def lock(self, scope: LockScope, wait: float | None = None, *args: Any, **kwargs: Any) -> Reply:
        """Lock ``scope``; with ``wait`` seconds, retry while another session holds it, then raise.

        Without ``wait`` the reply is returned whatever it is (pyFMG's behaviour).  Extra
        arguments go into the request, as pyFMG forwarded them.
        """
        deadline = None if wait is None else self._clock() + max(wait, 0.0)
        delay = 0.1
        while True:
            code, data = self._execute(scope.url("lock"), *args, **kwargs)
            if code == 0:
                with self._guard:
                    if scope not in self._held:
                        self._held.append(scope)
                return code, data
            if deadline is None:
                return code, data
            if code != LOCKED_BY_OTHER or self._clock() >= deadline:
                raise self._lock_error(scope, code, data, wait or 0.0)
            # Full jitter keeps several waiting workers from retrying in lockstep.
            self._sleep(min(random.uniform(delay / 2, delay), max(deadline - self._clock(), 0.0)))
            delay = min(delay * 2, 5.0)

    def unlock(self, scope: LockScope, *args: Any, **kwargs: Any) -> Reply:
        code, data = self._execute(scope.url("unlock"), *args, **kwargs)
        if code == 0:
            with self._guard:
                if scope in self._held:
                    self._held.remove(scope)
                self._unsaved.discard(scope)
        return code, data

    def commit(self, scope: LockScope, aux: bool = False, *args: Any, **kwargs: Any) -> Reply:
        """Commit; ``aux`` uses pyFMG's alternative URL under pm/config (only with a named ADOM)."""
        if aux and scope.adom:
            code, data = self._execute(f"/pm/config/adom/{scope.adom}/workspace/commit", *args, **kwargs)
        else:
            code, data = self._execute(scope.url("commit"), *args, **kwargs)
        if code == 0:
            with self._guard:
                self._unsaved.discard(scope)
        return code, data

    def unlock_all(self) -> None:
        """Try to release every held lock; raise the first error only after trying them all."""
        first_error: BaseException | None = None
        for scope in self.held:
            try:
                code, data = self.unlock(scope)
                if code != 0:
                    logger.warning("Unlocking %s failed: code %s, %s", scope.name, code, _message(data))
            except Exception as err:
                logger.error("Unlocking %s failed: %s", scope.name, err)
                first_error = first_error or err
        if first_error is not None:
            raise first_error

    @contextlib.contextmanager
    def session(self, scope: LockScope, commit: bool = True, wait: float | None = None) -> Iterator[None]:
        """Lock (in workspace mode), run the block, commit if it succeeded, always unlock."""
        if not self.uses_workspace:
            yield
            return
        code, data = self.lock(scope, wait=wait)
        if code != 0:
            raise self._lock_error(scope, code, data, wait or 0.0)
        try:
            yield
            if commit:
                code, data = self.commit(scope)
                if code != 0:
                    raise FMGWorkspaceError(
                        f"Commit of {scope.name} failed: code {code}, {_message(data)}; the changes were not "
                        "saved and the lock is released",
                        scope=scope.name,
                        code=code,
                        message=_message(data),
                    )
        finally:
            self._release_quietly_if_failing(scope)

    def _release_quietly_if_failing(self, scope: LockScope) -> None:
        failing = sys.exc_info()[0] is not None
        try:
            code, data = self.unlock(scope)
            if code != 0:
                logger.warning("Unlocking %s failed: code %s, %s", scope.name, code, _message(data))
        except Exception:
            if not failing:
                raise
            logger.exception("Unlocking %s failed while handling another error", scope.name)

    def _lock_error(self, scope: LockScope, code: int, data: Any, waited: float) -> FMGLockError:
        holder = self._holder(scope) if code == LOCKED_BY_OTHER else None
        who = f" by {holder}" if holder else " by another session"
        if code == LOCKED_BY_OTHER:
            text = f"{scope.name} is locked{who}"
            if waited:
                text += f"; still locked after waiting {waited:g} s"
        else:
            text = f"Locking {scope.name} failed: code {code}, {_message(data)}"
        return FMGLockError(text, scope=scope.name, code=code, message=_message(data), holder=holder)

    def _holder(self, scope: LockScope) -> str | None:
        """Who holds ``scope``: its own lockinfo, then (for a package or device) the whole ADOM's."""
        candidates = [scope]
        if scope.package or scope.device:
            candidates.append(LockScope(scope.adom))
        for candidate in candidates:
            try:
                _code, data = self._get(candidate.url("lockinfo"))
            except Exception:  # the holder is a courtesy; never hide the lock error behind another
                return None
            entries = data if isinstance(data, list) else [data]
            for entry in entries:
                if isinstance(entry, dict) and entry.get("lock_user"):
                    return str(entry["lock_user"])
        return None


def _message(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("status"), dict):
        return str(data["status"].get("message", ""))
    return ""
