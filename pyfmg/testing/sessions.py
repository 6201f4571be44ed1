"""Login sessions and API keys: who is calling, and whether their session is still alive."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Callable, Union

from .codes import LOGIN_FAIL, LOGIN_LIMIT, NO_PERMISSION, RpcError


@dataclass
class Session:
    token: str
    sid: int  # the small number FortiManager shows as lock_sid
    user: str
    last_seen: float
    api_key: bool = False
    read_only: bool = False


ApiKeys = Union[Iterable[str], Mapping[str, str]]


#: FortiManager's default ``login-max``: sessions one administrator may have open at once
#: (``config system admin user``; Fortinet community article 343307).
LOGIN_MAX = 32


class SessionStore:
    """Sessions expire after ``idle_timeout`` seconds without a request, as on FortiManager.

    A login past ``login_max`` sessions of one administrator, or past ``max_sessions`` in all, is
    refused with ``-23 Reach login limit`` and leaves nothing behind, so scripts that never log
    out meet the limit they would meet on a real unit, and the simulator's memory stays flat.
    """

    def __init__(
        self,
        users: Mapping[str, str],
        api_keys: ApiKeys,
        idle_timeout: float,
        clock: Callable[[], float],
        on_end: Callable[[Session], None],
        max_sessions: int | None = None,
        rpc_permit: Mapping[str, str] | None = None,
        login_max: int | None = LOGIN_MAX,
    ) -> None:
        self.users = users  # shared with FMGSimulator.users, so tests may add accounts later
        # JSON API access per administrator: "read-write" (default), "read" or "none".
        self.rpc_permit: dict[str, str] = dict(rpc_permit or {})
        if isinstance(api_keys, Mapping):
            self.api_keys: dict[str, str] = dict(api_keys)
        else:
            self.api_keys = {key: "api-user" for key in api_keys}
        self.idle_timeout = idle_timeout
        self.max_sessions = max_sessions
        self.login_max = login_max
        self._per_user: dict[str, int] = {}
        self._clock = clock
        self._on_end = on_end
        self._sessions: dict[str, Session] = {}
        self._key_sessions: dict[str, Session] = {}
        self._sid_counter = itertools.count(13800)
        self._lock = threading.RLock()

    def login(self, user: object, passwd: object) -> Session:
        with self._lock:
            # A missing user must not match a missing password (None == None).
            if not isinstance(user, str) or not isinstance(passwd, str) or user not in self.users:
                raise RpcError(LOGIN_FAIL)
            if not hmac.compare_digest(self.users[user].encode("utf-8"), passwd.encode("utf-8")):
                raise RpcError(LOGIN_FAIL)
            return self.open(user)

    def open(self, user: str) -> Session:
        """A new session for ``user``, who proved who they are (a password, a FortiCloud token)."""
        with self._lock:
            if self.rpc_permit.get(user) == "none":
                raise RpcError(NO_PERMISSION)  # right password, no JSON API access
            self.expire_idle()
            if (self.max_sessions is not None and len(self._sessions) >= self.max_sessions) or (
                self.login_max is not None and self._per_user.get(user, 0) >= self.login_max
            ):
                # Scripts that never log out pile sessions up until FortiManager refuses logins.
                raise RpcError(LOGIN_LIMIT)
            token = base64.b64encode(os.urandom(48)).decode("ascii")
            read_only = self.rpc_permit.get(user) == "read"
            session = Session(token, next(self._sid_counter), user, self._clock(), read_only=read_only)
            self._sessions[token] = session
            self._per_user[user] = self._per_user.get(user, 0) + 1
            return session

    def _forget(self, session: Session) -> None:
        """Drop ``session`` (call with the lock held) and tell the owner of its locks."""
        del self._sessions[session.token]
        left = self._per_user.get(session.user, 1) - 1
        if left > 0:
            self._per_user[session.user] = left
        else:
            self._per_user.pop(session.user, None)
        self._on_end(session)

    def logout(self, session: Session) -> None:
        with self._lock:
            if session.token in self._sessions:
                self._forget(session)

    def resolve(self, token: object) -> Session | None:
        """The live session for ``token`` (touching it), or None if unknown or idle too long."""
        if not isinstance(token, str):
            return None
        with self._lock:
            self.expire_idle()
            session = self._sessions.get(token)
            if session is not None:
                session.last_seen = self._clock()
            return session

    def resolve_api_key(self, key: str) -> Session | None:
        """API keys never expire; each key gets one stable pseudo-session that can own locks."""
        with self._lock:
            user = self.api_keys.get(key) if key else None
            if user is None or self.rpc_permit.get(user) == "none":
                return None
            session = self._key_sessions.get(key)
            if session is None:
                token = "apikey-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
                read_only = self.rpc_permit.get(user) == "read"
                session = Session(token, next(self._sid_counter), user, self._clock(), True, read_only)
                self._key_sessions[key] = session
            session.last_seen = self._clock()
            return session

    def expire_idle(self) -> list[Session]:
        with self._lock:
            now = self._clock()
            dead = [s for s in self._sessions.values() if now - s.last_seen > self.idle_timeout]
            for session in dead:
                self._forget(session)
            return dead

    def live(self) -> dict[str, str]:
        with self._lock:
            self.expire_idle()
            return {token: s.user for token, s in self._sessions.items()}
