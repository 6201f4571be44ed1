"""``fmg._lock_ctx``: pyFMG's lock context, keeping its locks in pyfmg's workspace manager.

pyFMG kept a list of locked ADOMs in its lock context. Here the list is a view of the
:class:`~pyfmg.workspace.WorkspaceManager` that pyfmg's scoped locks, lock waiting, session
recovery and logout use too, so there is one record of what is locked and it cannot drift.
"""

from __future__ import annotations

from typing import Any

from ..workspace import LockScope, Reply, WorkspaceManager


class FMGLockContext:
    """pyFMG 0.8.6's ``FMGLockContext(fmg)``.

    ``fmg`` is anything with pyFMG's ``execute``, ``get`` and ``check_adom_workspace``: a
    :class:`~pyfmg.FortiManager`, or a test double. Those are looked up on ``fmg`` at each call,
    so replacing ``fmg.execute`` or ``fmg.get`` on an instance takes effect. ``manager`` is the
    :class:`~pyfmg.workspace.WorkspaceManager` that holds the locks.
    """

    def __init__(self, fmg: Any) -> None:
        self._fmg = fmg
        self.manager = WorkspaceManager(
            self._execute, self._get, faults=self._faults, user=self._user, session_ends=self._session_ends
        )

    def _execute(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        # pyFMG's lock calls send an empty dict as the first positional argument.
        result: Reply = self._fmg.execute(url, {}, *args, **kwargs)
        return result

    def _get(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        result: Reply = self._fmg.get(url, *args, **kwargs)
        return result

    def _faults(self) -> int:
        """Broken exchanges so far on the client's own wire (0 for a test double without one)."""
        faults = getattr(getattr(self._fmg, "_transport", None), "faults", 0)
        return faults if isinstance(faults, int) else 0

    def _user(self) -> str | None:
        """The administrator holding the session's locks; None with an API key or FortiCloud (FortiManager names it)."""
        if getattr(self._fmg, "_apikeyused", False) or getattr(self._fmg, "_forticloudused", False):
            return None
        user = getattr(self._fmg, "_user", None)
        return user if isinstance(user, str) else None

    def _session_ends(self) -> bool:
        """True for a login session (it expires, and its locks with it); False with an API key (it never ends)."""
        return not getattr(self._fmg, "_apikeyused", False)

    # --- pyFMG's properties, with setters ---------------------------------------------------------
    @property
    def uses_workspace(self) -> bool:
        return self.manager.uses_workspace

    @uses_workspace.setter
    def uses_workspace(self, val: bool) -> None:
        self.manager.uses_workspace = val

    @property
    def uses_adoms(self) -> bool:
        return self.manager.uses_adoms

    @uses_adoms.setter
    def uses_adoms(self, val: bool) -> None:
        self.manager.uses_adoms = val

    # pyFMG's attribute names for the same values; its tests read them.
    _uses_workspace = uses_workspace
    _uses_adoms = uses_adoms

    @property
    def _locked_adom_list(self) -> list[str | None]:
        """The ADOMs held locked (``None`` for pyFMG's default ADOM); a fresh list at each read."""
        return [scope.adom for scope in self.manager.held if not (scope.package or scope.device)]

    def add_adom_to_lock_list(self, adom: str | None) -> None:
        self.manager.record_lock(LockScope(adom))

    def remove_adom_from_lock_list(self, adom: str | None) -> None:
        self.manager.forget_lock(LockScope(adom))

    # --- pyFMG's operations --------------------------------------------------------------------
    def check_mode(self) -> None:
        """Read workspace mode and ADOM status, or set both off when ``check_adom_workspace`` is off."""
        if not self._fmg.check_adom_workspace:
            self.uses_workspace = self.uses_adoms = False
            return
        self.manager.check_mode()

    def run_unlock(self) -> None:
        """Release every lock held (scoped package and device locks too); the first error is raised last."""
        self.manager.unlock_all()

    def lock_adom(self, adom: str | None = None, *args: Any, wait: float | None = None, **kwargs: Any) -> Reply:
        """Lock an ADOM (``"global"`` for the global database); ``wait`` seconds for a busy lock."""
        return self.manager.lock(LockScope(adom), wait, *args, **kwargs)

    def unlock_adom(self, adom: str | None = None, *args: Any, **kwargs: Any) -> Reply:
        return self.manager.unlock(LockScope(adom), *args, **kwargs)

    def commit_changes(self, adom: str | None = None, aux: bool = False, *args: Any, **kwargs: Any) -> Reply:
        return self.manager.commit(LockScope(adom), aux, *args, **kwargs)
