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

from .exceptions import (
    FMGConnectTimeout,
    FMGLockError,
    FMGReadTimeout,
    FMGTLSError,
    FMGValidSessionException,
    FMGValueError,
    FMGWorkspaceError,
    bounded_repr,
)

logger = logging.getLogger(__name__)

Reply = tuple[int, Any]

#: FortiManager's answer when another session holds the lock.
LOCKED_BY_OTHER = -20055
#: Its answer to a session it does not know (expired, FortiManager restarted) -- and to a real denial.
SESSION_REFUSED = -11
#: Its answer to a write that no lock of the session covers ("no write permission").
NO_WRITE_PERMISSION = -10147
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
        for part in ("adom", "package", "device"):
            value = getattr(self, part)
            if value is None:
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                # pyFMG formatted whatever it was given into the URL; a number still names something.
                value = str(value)
                object.__setattr__(self, part, value)
            if not _is_name(value, path=part == "package"):
                raise FMGValueError(
                    f"{part} must be a non-empty name without control characters"
                    + (" or empty path segments" if part == "package" else " or '/'")
                    + f", got {bounded_repr(value)}"
                )
        if self.package and self.device:
            raise FMGValueError("a lock covers a package or a device, not both")

    @property
    def is_global(self) -> bool:
        """True for the global database (``adom="global"``, any case)."""
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

    def covers(self, other: LockScope) -> bool:
        """True when holding this lock lets a session write what ``other`` covers (new in pyfmg).

        A scope covers itself, and a whole ADOM covers its packages and devices.  No request is sent.
        """
        if self.name == other.name:
            return True
        same_adom = (self.adom or "root").lower() == (other.adom or "root").lower()
        return same_adom and not self.package and not self.device

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


@dataclass
class _Hold:
    """This client's claim on one locked scope, shared by every thread that uses it.

    ``blocks`` counts the ``workspace()`` blocks inside the scope now, ``manual`` says that
    ``lock()`` took it explicitly.  The FortiManager lock is released when neither is left.
    ``faults`` is the client's count of broken exchanges when FortiManager last confirmed the
    lock, and ``unsure`` is set when a request about it failed: either way the lock may be gone
    (FortiManager restarted, the unlock went through after all), and it is checked again before a
    block relies on it.
    """

    scope: LockScope
    blocks: int = 0
    manual: bool = False
    faults: int = 0
    unsure: bool = False

    @property
    def in_use(self) -> bool:
        return self.blocks > 0 or self.manual


#: Errors raised before the request could reach FortiManager: a lock request that failed so was not granted.
_NOT_SENT = (FMGTLSError, FMGValidSessionException, FMGValueError)


class WorkspaceManager:
    """Tracks workspace mode and the locks held through one client, for every thread sharing it.

    FortiManager locks belong to the session, and threads sharing a client share its session, so
    a lock is shared too: the first thread entering a scope locks it, the last one leaving
    unlocks it, and a block that succeeds commits when it leaves.  Lock, commit and unlock
    requests for one ADOM (and its packages and devices) are sent one at a time.

    ``execute(url, *dicts, **params)`` and ``get(url, **params)`` are the client's calls; the manager never sees
    HTTP.  ``faults()`` counts the exchanges that broke (connection lost, reply cut off) and
    ``user()`` names the administrator logged in (None with an API key): a lock known before a
    fault is checked with ``lockinfo`` before a block relies on it.  ``session_ends()`` is False
    with an API key, whose session (and so whose locks) never ends: its ``-11`` is a denial, and
    a lock it may hold is unlocked at logout.  ``sleep`` and ``clock`` are injectable so waiting
    can be tested without waiting.
    """

    def __init__(
        self,
        execute: Callable[..., Reply],
        get: Callable[..., Reply],
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        faults: Callable[[], int] = lambda: 0,
        user: Callable[[], str | None] = lambda: None,
        session_ends: Callable[[], bool] = lambda: True,
    ) -> None:
        self._execute = execute
        self._get = get
        self._faults = faults
        self._user = user
        self._session_ends = session_ends
        # Held while one thread asks whether a refused session is gone; the others need not ask too.
        self._asking = threading.Lock()
        self._sleep = sleep
        self._clock = clock
        # Scope name -> hold, in locking order (logout unlocks in that order).
        self._holds: dict[str, _Hold] = {}
        # Scopes whose lock request failed in a way that may still have been granted (reply lost,
        # interrupted): unlocked defensively on logout, since an API-key session never ends.
        self._maybe_locked: dict[str, LockScope] = {}
        # Scopes written to since their last commit: FortiManager discards those changes with the session.
        self._unsaved: set[LockScope] = set()
        self._guard = threading.Lock()
        self._adom_mutexes: dict[str, threading.RLock] = {}
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
            return [hold.scope for hold in self._holds.values()]

    @property
    def maybe_locked(self) -> list[LockScope]:
        """Scopes whose lock request failed after it may have reached FortiManager."""
        with self._guard:
            return list(self._maybe_locked.values())

    def record_lock(self, scope: LockScope) -> None:
        """Note ``scope`` as locked by hand (pyFMG's ``add_adom_to_lock_list``): released on logout."""
        with self._guard:
            self._holds.setdefault(scope.name, _Hold(scope)).manual = True

    def forget_lock(self, scope: LockScope) -> None:
        """Stop tracking a lock taken by hand (pyFMG's ``remove_adom_from_lock_list``); blocks using it keep it."""
        with self._guard:
            hold = self._holds.get(scope.name)
            if hold is not None:
                hold.manual = False
                if not hold.blocks:
                    del self._holds[scope.name]

    def forget_all(self) -> None:
        """The session is gone, and FortiManager released its locks with it."""
        with self._guard:
            self._holds.clear()
            self._maybe_locked.clear()
            self._unsaved.clear()

    def session_refused(self) -> None:
        """A call was refused with -11: the session may be gone, and its locks with it.

        -11 also answers a real denial (a URL outside the administrator's rights), which leaves the
        session and its locks as they are, so one ``lockinfo`` on a held scope settles it: -11
        again, and the book is emptied (nothing is unlocked at logout, the next block locks
        afresh); any other answer, and it stays.  Nothing is asked with an API key, when nothing
        is held, or while another thread is asking.
        """
        if not self._session_ends():
            return
        with self._guard:
            scopes = [hold.scope for hold in self._holds.values()] + list(self._maybe_locked.values())
        if not scopes or not self._asking.acquire(blocking=False):
            return
        try:
            try:
                code, _data = self._get(scopes[0].url("lockinfo"))
            except Exception as err:  # a broken exchange already puts the locks in doubt (faults)
                logger.warning("Could not ask whether the session refused with -11 still holds its locks: %s", err)
                return
            if code == SESSION_REFUSED:
                logger.warning(
                    "The session is gone (code -11), and its locks with it: %s", ", ".join(s.name for s in scopes)
                )
                self.forget_all()
        finally:
            self._asking.release()

    def write_refused(self, needed: LockScope) -> None:
        """FortiManager refused a write needing ``needed`` with -10147: a lock in the book covering it is gone.

        (FortiManager restarted, which only an API key survives; an administrator released the
        lock.)  The lock leaves the book, so :attr:`held` and the next block, which locks again,
        are right; uncommitted changes under it are gone with it.  With an API key the scope is
        still unlocked at logout in case the refusal meant something else: such a lock never ends.
        """
        session_ends = self._session_ends()
        with self._guard:
            gone = [hold for hold in self._holds.values() if hold.scope.covers(needed)]
            for hold in gone:
                del self._holds[hold.scope.name]
                self._unsaved.discard(hold.scope)
                if not session_ends:
                    self._maybe_locked.setdefault(hold.scope.name, hold.scope)
        if gone:
            logger.warning(
                "FortiManager refused a write under %s (code -10147): the lock is gone (FortiManager restarted, or "
                "an administrator released it); the next workspace() block locks again",
                ", ".join(hold.scope.name for hold in gone),
            )

    def note_write(self) -> None:
        """A write succeeded; until committed it lives only in this session's workspace."""
        with self._guard:
            self._unsaved.update(hold.scope for hold in self._holds.values())

    def _mutex(self, scope: LockScope) -> threading.RLock:
        """One mutex per ADOM: its lock, commit and unlock requests must not overtake each other."""
        key = (scope.adom or "root").lower()
        with self._guard:
            mutex = self._adom_mutexes.get(key)
            if mutex is None:
                mutex = self._adom_mutexes[key] = threading.RLock()
            return mutex

    def reacquire(self) -> None:
        """After a new login, lock again what the old session held (its locks died with it).

        Raises :class:`FMGLockError` naming the first scope that could not be locked again (the
        others stay locked and listed), and :class:`FMGWorkspaceError` when uncommitted changes were
        lost with the old session: repeating the call would build on a workspace that is not there.
        """
        # No ADOM mutex here: a thread holding one may be waiting for this re-login to finish.
        with self._guard:
            holds = list(self._holds.values())
            lost_changes = sorted(scope.name for scope in self._unsaved)
            self._unsaved.clear()
        failure: FMGLockError | None = None
        for hold in holds:
            try:
                code, data = self._send_lock(hold.scope)
            except Exception as err:
                code, data = -1, {"status": {"code": -1, "message": str(err)}}
            if code == 0:
                self._confirmed(hold)
            else:
                with self._guard:
                    if self._holds.get(hold.scope.name) is hold:
                        del self._holds[hold.scope.name]
                if failure is None:
                    failure = self._lock_error(hold.scope, code, data, 0.0)
                    failure.args = (
                        f"The session expired while {hold.scope.name} was locked, and locking it again after "
                        f"logging in failed: {failure.args[0]}",
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
        arguments go into the request, as pyFMG forwarded them.  The request is always sent, as
        pyFMG sent it; the lock then stays until :meth:`unlock` and every ``workspace()`` block
        of the scope are done with it.
        """
        with self._mutex(scope):
            code, data = self._lock_waiting(scope, wait, *args, **kwargs)
            if code == 0:
                self._confirmed(self._hold(scope)).manual = True
            return code, data

    def _lock_waiting(self, scope: LockScope, wait: float | None, *args: Any, **kwargs: Any) -> Reply:
        if wait is not None and (isinstance(wait, bool) or not isinstance(wait, (int, float)) or wait != wait):
            raise FMGValueError(f"wait must be a number of seconds or None, got {bounded_repr(wait)}")
        deadline = None if wait is None else self._clock() + max(wait, 0.0)
        delay = 0.1
        while True:
            code, data = self._send_lock(scope, *args, **kwargs)
            if code == 0 or deadline is None:
                return code, data
            if code != LOCKED_BY_OTHER or self._clock() >= deadline:
                raise self._lock_error(scope, code, data, wait or 0.0)
            # Full jitter keeps several waiting workers from retrying in lockstep.
            self._sleep(min(random.uniform(delay / 2, delay), max(deadline - self._clock(), 0.0)))
            delay = min(delay * 2, 5.0)

    def _send_lock(self, scope: LockScope, *args: Any, **kwargs: Any) -> Reply:
        """One lock request; a failure after it may have reached FortiManager marks the scope "maybe locked"."""
        try:
            code, data = self._execute(scope.url("lock"), *args, **kwargs)
        except _NOT_SENT:
            raise
        except FMGConnectTimeout as err:
            if isinstance(err, FMGReadTimeout):
                self._note_maybe_locked(scope, err)
            raise
        except BaseException as err:  # reply lost or garbled, Ctrl-C: the lock may be granted all the same
            self._note_maybe_locked(scope, err)
            raise
        if code == 0:
            with self._guard:
                self._maybe_locked.pop(scope.name, None)
        return code, data

    def _note_maybe_locked(self, scope: LockScope, err: BaseException) -> None:
        logger.warning(
            "Locking %s failed after the request may have reached FortiManager (%s); it will be unlocked on logout",
            scope.name,
            type(err).__name__,
        )
        with self._guard:
            self._maybe_locked.setdefault(scope.name, scope)

    def _hold(self, scope: LockScope) -> _Hold:
        with self._guard:
            hold = self._holds.get(scope.name)
            if hold is None:
                hold = self._holds[scope.name] = _Hold(scope)
            return hold

    def _confirmed(self, hold: _Hold) -> _Hold:
        """FortiManager just granted or confirmed ``hold``'s lock."""
        faults = self._faults()
        with self._guard:
            hold.faults, hold.unsure = faults, False
        return hold

    def _doubtful(self, hold: _Hold) -> bool:
        """Whether ``hold``'s lock may be gone: a request about it failed, or an exchange broke since."""
        return hold.unsure or hold.faults != self._faults()

    def unlock(self, scope: LockScope, *args: Any, **kwargs: Any) -> Reply:
        """Unlock ``scope``; while ``workspace()`` blocks of other threads still use it, only give up the claim.

        In that case no request is sent and ``(0, {...})`` says so; the last block unlocks.
        """
        with self._mutex(scope):
            with self._guard:
                hold = self._holds.get(scope.name)
                if hold is not None and hold.blocks > 0:
                    hold.manual = False
                    message = f"still in use by {hold.blocks} workspace() block(s); unlocked when the last one ends"
                    return 0, {"status": {"code": 0, "message": message}, "url": scope.url("unlock")}
            return self._send_unlock(scope, *args, **kwargs)

    def _send_unlock(self, scope: LockScope, *args: Any, **kwargs: Any) -> Reply:
        try:
            code, data = self._execute(scope.url("unlock"), *args, **kwargs)
        except BaseException:
            self._mark_unsure(scope)  # the unlock may have gone through before the reply was lost
            raise
        if code == 0:
            with self._guard:
                self._holds.pop(scope.name, None)
                self._maybe_locked.pop(scope.name, None)
                self._unsaved.discard(scope)
        else:
            self._mark_unsure(scope)  # refused: -11 after a restart says the session, and its locks, are gone
        return code, data

    def _mark_unsure(self, scope: LockScope) -> None:
        with self._guard:
            hold = self._holds.get(scope.name)
            if hold is not None:
                hold.unsure = True

    def commit(self, scope: LockScope, aux: bool = False, *args: Any, **kwargs: Any) -> Reply:
        """Commit; ``aux`` uses pyFMG's alternative URL under pm/config (only with a named ADOM)."""
        with self._mutex(scope):
            if aux and scope.adom:
                code, data = self._execute(f"/pm/config/adom/{scope.adom}/workspace/commit", *args, **kwargs)
            else:
                code, data = self._execute(scope.url("commit"), *args, **kwargs)
        if code == 0:
            with self._guard:
                self._unsaved.discard(scope)
        return code, data

    def unlock_all(self) -> None:
        """Try to release every held lock, then every "maybe locked" scope; raise the first error after trying all."""
        first_error: BaseException | None = None
        for scope in self.held:
            try:
                code, data = self._send_unlock(scope)
            except Exception as err:
                logger.error("Unlocking %s failed: %s", scope.name, err)
                first_error = first_error or err
                continue
            if code == SESSION_REFUSED and self._session_ends():
                # The session is gone, and its locks with it: the other unlocks would be refused too.
                logger.warning("Unlocking %s was refused (code -11): the session and its locks are gone", scope.name)
                self.forget_all()
                break
            if code != 0:
                logger.warning("Unlocking %s failed: code %s, %s", scope.name, code, _message(data))
        for scope in self.maybe_locked:
            try:
                code, data = self._send_unlock(scope)
                logger.info("Unlocked %s defensively (its lock request had failed): code %s", scope.name, code)
            except Exception as err:
                logger.warning("Unlocking %s defensively failed: %s", scope.name, err)
            with self._guard:
                self._maybe_locked.pop(scope.name, None)
        if first_error is not None:
            raise first_error

    @contextlib.contextmanager
    def session(self, scope: LockScope, commit: bool = True, wait: float | None = None) -> Iterator[None]:
        """Lock (in workspace mode), run the block, commit if it succeeded, unlock when the last block leaves.

        Threads sharing the client share the lock: a block entering a scope another block holds
        does not lock again, a block that fails does not unlock (and so roll back) the scope
        under blocks still running, and a block that succeeds commits what the session changed
        so far, which never undoes another thread's work.
        """
        if not self.uses_workspace:
            yield
            return
        hold = self._enter(scope, wait)
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
            self._leave(hold)

    def _enter(self, scope: LockScope, wait: float | None) -> _Hold:
        with self._mutex(scope):
            with self._guard:
                hold = self._holds.get(scope.name)
            if hold is not None and self._doubtful(hold):
                hold = self._recheck(hold, wait)
            if hold is None:
                code, data = self._lock_waiting(scope, wait)
                if code != 0:
                    raise self._lock_error(scope, code, data, wait or 0.0)
                hold = self._confirmed(self._hold(scope))
            with self._guard:
                hold.blocks += 1
            return hold

    def _recheck(self, hold: _Hold, wait: float | None) -> _Hold:
        """Ask FortiManager (``lockinfo``) whether ``hold``'s lock is still there, after a fault.

        Held by this administrator (or, with an API key, by anyone): still ours.  Free: gone (a
        restart, an unlock that went through after all), so it is taken again for everyone using
        ``hold``.  Held by another administrator: dropped from the book, and :class:`FMGLockError`
        names the holder.  A check that fails raises, and the lock stays in doubt.
        """
        scope = hold.scope
        code, data = self._get(scope.url("lockinfo"))
        if code not in (0, -9):  # -9: no lockinfo where workspace mode is off, so no lock either
            raise FMGLockError(
                f"{scope.name} was locked before a request about it failed, and FortiManager cannot say "
                f"whether it still is: lockinfo answered code {code}, {_message(data)}",
                scope=scope.name,
                code=code,
                message=_message(data),
            )
        users = sorted(set(_lock_users(data)))
        me = self._user()
        if code == 0 and users and (me is None or me in users):
            logger.info("%s is still locked by this session after a fault", scope.name)
            return self._confirmed(hold)
        with self._guard:
            self._unsaved.discard(scope)  # what was not committed went with the lock
        if code == 0 and users:
            with self._guard:
                if self._holds.get(scope.name) is hold:
                    del self._holds[scope.name]
            raise FMGLockError(
                f"{scope.name} was locked by this client before a request about it failed; it is now locked "
                f"by {', '.join(users)}",
                scope=scope.name,
                code=LOCKED_BY_OTHER,
                message="lost the lock after a fault",
                holder=users[0],
            )
        logger.warning("%s was no longer locked after a fault (FortiManager restarted?); locking it again", scope.name)
        code, data = self._lock_waiting(scope, wait)
        if code != 0:
            with self._guard:
                if self._holds.get(scope.name) is hold:
                    del self._holds[scope.name]
            raise self._lock_error(scope, code, data, wait or 0.0)
        return self._confirmed(hold)

    def _leave(self, hold: _Hold) -> None:
        """One block is done with ``hold``; unlock what no block of this ADOM needs any more."""
        with self._mutex(hold.scope):
            with self._guard:
                hold.blocks -= 1
                if self._holds.get(hold.scope.name) is not hold:
                    return  # logged out (or the session was lost) meanwhile: nothing of ours to unlock
                releasable = self._releasable(hold.scope)
            for scope in releasable:
                self._release_quietly_if_failing(scope)

    def _releasable(self, scope: LockScope) -> list[LockScope]:
        """Idle scopes of ``scope``'s ADOM that no busy scope overlaps (call with ``_guard`` held).

        Unlocking a scope discards its uncommitted changes, which may include writes another
        thread made through an overlapping scope (the ADOM over its packages): such a scope stays
        locked until the overlapping blocks are done.
        """
        adom = (scope.adom or "root").lower()
        same_adom = [h for h in self._holds.values() if (h.scope.adom or "root").lower() == adom]
        busy = [h.scope for h in same_adom if h.in_use]
        return [h.scope for h in same_adom if not h.in_use and not any(_overlap(h.scope, other) for other in busy)]

    def _release_quietly_if_failing(self, scope: LockScope) -> None:
        failing = sys.exc_info()[0] is not None
        try:
            code, data = self._send_unlock(scope)
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
            users = _lock_users(data)
            if users:
                return users[0]
        return None


def _lock_users(data: Any) -> list[str]:
    """The ``lock_user`` of each entry of a lockinfo answer (one entry or a list), in its order."""
    entries = data if isinstance(data, list) else [data]
    return [str(entry["lock_user"]) for entry in entries if isinstance(entry, dict) and entry.get("lock_user")]


def _is_name(value: Any, path: bool) -> bool:
    """An ADOM, device or package name FortiManager can have in a URL; a package may be ``folder/name``."""
    if not isinstance(value, str) or not value.strip() or any(ord(char) < 32 or ord(char) == 127 for char in value):
        return False
    parts = value.split("/")
    return all(part.strip() for part in parts) if path else len(parts) == 1


def _overlap(one: LockScope, other: LockScope) -> bool:
    """Two scopes of one ADOM overlap when either is ADOM-wide or both are the same scope."""
    wide = not (one.package or one.device) or not (other.package or other.device)
    return wide or one.name == other.name


def _message(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("status"), dict):
        return str(data["status"].get("message", ""))
    return ""
