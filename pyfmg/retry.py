"""When a call may be sent again: the retry policy, an immutable value in the spirit of urllib3's ``Retry``.

Two situations are recoverable without guessing:

* FortiManager answered ``-11`` (no permission / invalid session) -- the request was refused, so
  nothing was applied.  With ``relogin=True`` the client logs in again (password, API key or
  FortiCloud), takes back the workspace locks it held, and sends the call once more.
* A read (``get``) failed on the way: connection refused or reset, read timeout, or a proxy's
  502/503/504 page while FortiManager restarts.  Reading twice changes nothing, so with
  ``reads=N`` a ``get`` is sent up to N more times, after a bounded exponential backoff.

Writes are never sent again after a connection error: whether FortiManager applied them is unknown.
The default policy retries nothing, which is pyFMG's behaviour.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass

from .exceptions import FMGConnectionError, FMGTLSError, FMGValueError, bounded_repr

__all__ = ["INVALID_SESSION", "READ_METHODS", "Retry"]

#: FortiManager's code for a session it does not know (expired, restarted box) -- and for a real denial.
INVALID_SESSION = -11
#: JSON-RPC methods that change nothing, and may therefore be repeated after a connection error.
READ_METHODS = frozenset({"get"})


@dataclass(frozen=True)
class Retry:
    """What the client may repeat, and how long it waits in between.

    :param relogin: on ``-11``, log in again and repeat the call once (reads and writes alike: a
        refused call was not applied).  Workspace locks held before are re-acquired first.
    :param reads: how many times a ``get`` may be repeated after a connection error, a read
        timeout or an HTTP status in ``status_forcelist``.
    :param backoff_factor: the n-th repeat waits ``backoff_factor * 2 ** (n - 1)`` seconds ...
    :param backoff_max: ... but never more than this.
    :param backoff_jitter: ... plus a random 0 to ``backoff_jitter`` seconds, so that many clients
        restarting together do not hammer FortiManager in lockstep.
    :param status_forcelist: HTTP statuses (a proxy's error page) that make a read worth repeating.
    """

    relogin: bool = False
    reads: int = 0
    backoff_factor: float = 0.5
    backoff_max: float = 10.0
    backoff_jitter: float = 0.0
    status_forcelist: frozenset[int] = frozenset({502, 503, 504})

    def __post_init__(self) -> None:
        if isinstance(self.reads, bool) or not isinstance(self.reads, int) or self.reads < 0:
            raise FMGValueError(f"Retry(reads=...) must be an integer >= 0, got {bounded_repr(self.reads)}")
        for name in ("backoff_factor", "backoff_max", "backoff_jitter"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise FMGValueError(f"Retry({name}=...) must be a number >= 0, got {bounded_repr(value)}")
        object.__setattr__(self, "status_forcelist", frozenset(self.status_forcelist))

    @classmethod
    def disabled(cls) -> Retry:
        """No re-login and no repeats: pyFMG's behaviour, and the default."""
        return cls()

    def replace(self, **changes: object) -> Retry:
        """A copy with some settings changed (the policy itself never changes)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def may_repeat_read(self, method: str, repeats_done: int) -> bool:
        """True when ``method`` reads (``get``) and fewer than ``reads`` repeats were made."""
        return method in READ_METHODS and repeats_done < self.reads

    @staticmethod
    def is_transient(error: BaseException) -> bool:
        """A connection problem that may go away; a TLS failure is a configuration problem and will not."""
        return isinstance(error, FMGConnectionError) and not isinstance(error, FMGTLSError)

    def backoff(self, repeat: int) -> float:
        """Seconds to wait before the ``repeat``-th repeat (1-based)."""
        if repeat < 1 or self.backoff_factor == 0:
            base = 0.0
        else:
            base = min(self.backoff_max, self.backoff_factor * (2 ** (repeat - 1)))
        if self.backoff_jitter:
            base += random.uniform(0, self.backoff_jitter)
        return base
