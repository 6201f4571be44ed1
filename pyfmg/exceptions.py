"""Every exception pyfmg raises.

The eight pyFMG 0.8.6 classes keep their names and base classes so that ``except`` clauses
written for pyFMG still catch what we raise.  Where pyFMG raised a plain
:class:`FMGBaseException` for a specific failure, we raise a subclass that *also* derives from
the class a reader would expect (a malformed reply is both an :class:`FMGBaseException` and an
:class:`FMGResponseNotFormedCorrect`; a read timeout is both an :class:`FMGBaseException` and an
:class:`FMGConnectTimeout`).
"""

from __future__ import annotations

import reprlib
from typing import Any

from requests.exceptions import ConnectionError as _RequestsConnectionError
from requests.exceptions import ConnectTimeout as _RequestsConnectTimeout

__all__ = [
    "FMGBaseException",
    "FMGConnectTimeout",
    "FMGConnectionError",
    "FMGConvergeError",
    "FMGDeadlineExceeded",
    "FMGInsecureTLSWarning",
    "FMGInvalidResponse",
    "FMGLockError",
    "FMGLockScopeError",
    "FMGOAuthTokenError",
    "FMGObjectStatusError",
    "FMGReadTimeout",
    "FMGRedirectRefused",
    "FMGReplyTooLarge",
    "FMGReplyTooSlow",
    "FMGRequestNotFormedCorrect",
    "FMGResponseNotFormedCorrect",
    "FMGTLSError",
    "FMGValidSessionException",
    "FMGValidationError",
    "FMGValueError",
    "FMGWorkspaceError",
]


#: Longest text :func:`bounded_repr` returns.
REPR_LIMIT = 200

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = REPR_LIMIT
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxfrozenset = _REPR.maxdict = 8


def bounded_repr(value: Any, limit: int = REPR_LIMIT) -> str:
    """``repr(value)`` for an error message: at most ``limit`` characters, whatever ``value`` is.

    ``repr`` of a list nested thousands deep raises ``RecursionError``, of a huge integer
    ``ValueError``, and of a large table fills a screen; here nesting, items and length are cut
    (:mod:`reprlib`), and a value whose own ``__repr__`` fails is named by its type.  Every
    message that quotes a value a caller passed formats it with this.
    """
    try:
        text = _REPR.repr(value)
    except Exception:  # a __repr__ that raises, or an int too long to print
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class FMGBaseException(Exception):
    """Base of the pyfmg exceptions (pyFMG's catch-all)."""

    def __init__(self, msg: str | None = None, *args: Any) -> None:
        super().__init__(msg if msg is not None else "An exception occurred within pyfmg", *args)


class FMGValidSessionException(FMGBaseException):
    """A call was attempted without a valid session (never logged in, login failed, logged out)."""

    def __init__(self, method: str | None = None, params: Any = None, msg: str | None = None) -> None:
        if msg is None:
            url = "?"
            if isinstance(params, list) and params and isinstance(params[0], dict):
                url = params[0].get("url", "?")
            msg = (
                f"A {bounded_repr(method)} call to {bounded_repr(url)} was requested with no valid session: "
                "this FortiManager client is not logged in. Call login() first (or use 'with FortiManager(...)'), "
                "and check that it returned code 0."
            )
        super().__init__(msg)
        self.method = method
        self.url = params[0].get("url") if isinstance(params, list) and params and isinstance(params[0], dict) else None


class FMGValueError(ValueError):
    """An argument has a value the client cannot use (timeout <= 0, no host, bad URL...)."""


class FMGResponseNotFormedCorrect(KeyError):
    """A FortiManager reply lacks the keys a JSON-RPC reply must have (``str()`` quotes, as KeyError's does)."""


class FMGConnectionError(_RequestsConnectionError):
    """The FortiManager could not be reached, or the connection broke."""


class FMGConnectTimeout(FMGConnectionError, _RequestsConnectTimeout):
    """Connecting to the FortiManager timed out."""


class FMGRequestNotFormedCorrect(FMGBaseException):
    """The caller's request is not formed correctly (e.g. ``free_form`` without ``data``)."""


class FMGOAuthTokenError(FMGBaseException):
    """The FortiCloud OAuth token could not be obtained."""


# --- Additions: each is also an instance of what pyFMG raised in the same situation. ---


class FMGInvalidResponse(FMGResponseNotFormedCorrect, FMGBaseException):
    """A reply that is JSON but not a valid JSON-RPC answer (wrong type, missing keys, wrong id).

    Attributes ``url``, ``http_status`` and ``body_start`` (the first bytes received) say what came back.
    """

    def __init__(
        self,
        msg: str,
        url: str | None = None,
        http_status: int | None = None,
        body_start: bytes | None = None,
    ) -> None:
        super().__init__(msg)
        self.url = url
        self.http_status = http_status
        self.body_start = body_start

    def __str__(self) -> str:
        # KeyError quotes its argument; this argument is a sentence, not a key.
        return str(self.args[0]) if self.args else ""


class FMGReadTimeout(FMGConnectTimeout, FMGBaseException):
    """The FortiManager accepted the connection but did not answer within ``timeout`` seconds."""


class FMGTLSError(FMGConnectionError):
    """The TLS handshake failed (certificate not trusted, wrong host name, protocol mismatch)."""


class FMGWorkspaceError(FMGBaseException):
    """A workspace operation (lock, commit, unlock) failed.

    ``scope`` names what was to be locked (``"root"``, ``"global"``, ``"root/pkg/default"``...),
    ``code`` and ``message`` are FortiManager's answer.
    """

    def __init__(
        self,
        msg: str,
        scope: str | None = None,
        code: int | None = None,
        message: str | None = None,
    ) -> None:
        super().__init__(msg)
        self.scope = scope
        self.code = code
        self.message = message


class FMGLockError(FMGWorkspaceError):
    """A workspace lock was refused, typically because another session holds it.

    ``holder`` is the administrator FortiManager reports as holding the lock, when it does.
    """

    def __init__(
        self,
        msg: str,
        scope: str | None = None,
        code: int | None = None,
        message: str | None = None,
        holder: str | None = None,
    ) -> None:
        super().__init__(msg, scope=scope, code=code, message=message)
        self.holder = holder

    @property
    def adom(self) -> str | None:
        """The ADOM part of the scope (``"root"`` for ``"root/pkg/default"``)."""
        return self.scope.split("/", 1)[0] if self.scope else None


class FMGLockScopeError(FMGValueError):
    """The lock a request needs cannot be told from its method, URL(s) and data."""


class FMGValidationError(FMGValueError):
    """A write's data does not fit the table's schema (``get <url> option=syntax``); nothing was written.

    ``problems`` lists each finding: an unknown attribute, a value of the wrong type, an enum value
    the table does not allow (with the allowed ones), an integer out of range, a string too long.
    """

    def __init__(self, url: str, problems: list[str]) -> None:
        self.url = url
        self.problems = list(problems)
        super().__init__(f"the data for {url} does not fit the table's schema: " + "; ".join(self.problems))


class FMGObjectStatusError(FMGBaseException):
    """FortiManager answered a read or write of an object with a non-zero status."""

    def __init__(self, method: str, url: str, code: int, status_message: str) -> None:
        self.method = method
        self.url = url
        self.code = code
        self.status_message = status_message
        super().__init__(f"{method} {url} failed: FortiManager status {code} ({status_message})")


class FMGConvergeError(FMGBaseException):
    """A converge job did not reach the wanted state: objects failed, or the lock, commit or session did.

    Raised by :meth:`pyfmg.ConvergeResult.raise_for_status`; ``result`` is that
    :class:`pyfmg.ConvergeResult`, with every object's outcome (the failed ones and the others).
    """

    def __init__(self, msg: str, result: Any = None) -> None:
        super().__init__(msg)
        self.result = result


class FMGRedirectRefused(FMGBaseException):
    """The server answered with a redirect; it is never followed (the request would carry credentials).

    ``status`` is the HTTP status (301, 302, 303, 307 or 308), ``location`` the target refused.
    """

    def __init__(self, msg: str, status: int | None = None, location: str | None = None) -> None:
        super().__init__(msg)
        self.status = status
        self.location = location


class FMGReplyTooLarge(FMGInvalidResponse):
    """The reply grew past ``max_reply_bytes`` (counted after decompression); reading stopped there."""

    def __init__(self, msg: str, limit: int | None = None, **kwargs: Any) -> None:
        super().__init__(msg, **kwargs)
        self.limit = limit


class FMGDeadlineExceeded(FMGReadTimeout):
    """The whole exchange (connect, headers and body) took longer than ``deadline`` seconds."""


class FMGReplyTooSlow(FMGReadTimeout):
    """The call stopped making progress (:class:`pyfmg.MinSpeed`): a server or proxy trickled its reply.

    ``phase`` is ``"headers"`` (not complete in time) or ``"body"`` (slower than the minimum
    speed over a window).  An ``FMGReadTimeout``, so an ``FMGConnectionError`` as pyFMG raised for
    a stalled reply, and an ``FMGBaseException``.
    """

    def __init__(self, msg: str, phase: str | None = None) -> None:
        super().__init__(msg)
        self.phase = phase


class FMGInsecureTLSWarning(UserWarning):
    """A client talks HTTPS without verifying the certificate (``verify_ssl=False``); warned once per client.

    Not an urllib3 warning: ``disable_request_warnings`` does not silence it. Silence it with
    ``warnings.filterwarnings("ignore", category=FMGInsecureTLSWarning)`` or, better, verify.
    """
