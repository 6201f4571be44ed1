"""The adapter's single error class, and the translation of client exceptions into it.

A SOAR platform shows an action's error text to the analyst who ran it, so every message says what
went wrong in FortiManager's terms (code, message, URL) and what to check next; secrets given in the
configuration are scrubbed from any text that leaves the adapter.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from typing import Any, Callable

from pyfmg import (
    FMGBaseException,
    FMGConnectionError,
    FMGConnectTimeout,
    FMGLockError,
    FMGRequestNotFormedCorrect,
    FMGResponseNotFormedCorrect,
    FMGTLSError,
    FMGValidSessionException,
    FMGValueError,
)

logger = logging.getLogger(__name__)

REDACTED = "***"
LOCKED_BY_OTHER = -20055


class SOARError(FMGBaseException):
    """An adapter operation failed; ``str(error)`` is meant for the analyst.

    ``code``/``fmg_message``/``url`` hold FortiManager's own status when it gave one, ``details`` any
    JSON-serialisable context (per-URL results, the task that failed).
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        fmg_message: str | None = None,
        url: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.fmg_message = fmg_message
        self.url = url
        self.details = details or {}

    def as_dict(self) -> dict[str, Any]:
        """The error as a JSON-serialisable dict (for platforms that return errors as data)."""
        return {
            "error": self.message,
            "code": self.code,
            "message": self.fmg_message,
            "url": self.url,
            "details": self.details,
        }


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every non-empty secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


NOT_JSON = 100  # pyFMG's code for an answer that is not JSON (a proxy's error page, an empty body)
NOT_JSON_HINT = (
    "Check that the address points at FortiManager's HTTPS port and not at a proxy, load balancer or another service"
)


def fmg_failure(action: str, code: Any, message: Any, url: str | None, **details: Any) -> SOARError:
    """The error for a call FortiManager answered with a non-zero status."""
    known = code if isinstance(code, int) and not isinstance(code, bool) else None
    if known == NOT_JSON:
        text = f"FortiManager did not answer {action} {url or ''} with JSON-RPC: {message}. {NOT_JSON_HINT}"
    else:
        hint = _CODE_HINTS.get(known, "") if known is not None else ""
        text = "FortiManager refused {} {}: code {} ({}){}".format(
            action, url or "", code, message or "no message", hint
        )
    return SOARError(text, code=known, fmg_message=str(message or ""), url=url, details=dict(details))


_CODE_HINTS: dict[int, str] = {
    -2: "; the object already exists, use 'set' or 'update' to change it",
    -3: "; check the object name and the ADOM in the URL",
    -6: "; check the URL and that the ADOM exists",
    -10: "; check the data against the FortiManager API reference for this URL",
    -11: "; the API user lacks permission (admin profile, rpc-permit) for this URL, or its session or API "
    "key is not valid",
    -10147: "; the workspace is not locked by this session (is workspace mode on and the lock switch off?)",
    -20055: "; another administrator holds the workspace lock, retry later or raise 'Lock Wait'",
}


@contextlib.contextmanager
def translated_errors(
    address: str,
    timeout: float,
    secrets: Iterable[str | None],
    scrubbers: list[Callable[[str], str]] | None = None,
) -> Iterator[None]:
    """Turn client exceptions raised inside the block into :class:`SOARError` with an actionable
    message; secrets are scrubbed from whatever text the client produced.

    ``scrubbers`` (filled in while the block runs, e.g. with the client's ``redact``) also mask what
    only the client knows: the session id FortiManager may echo, in any of its encodings.
    """
    plain = [secret for secret in secrets if secret]

    def scrub(text: str) -> str:
        for scrubber in scrubbers or ():
            text = scrubber(text)
        return redact(text, plain)

    try:
        yield
    except SOARError as error:
        error.message = scrub(error.message)
        error.args = (error.message,)
        if error.fmg_message:
            error.fmg_message = scrub(error.fmg_message)
        error.details = _scrubbed(error.details, scrub)
        raise
    except FMGLockError as error:
        advice = (
            "Another session is editing it; retry later or raise 'Lock Wait'"
            if error.code == LOCKED_BY_OTHER
            else "Check that the ADOM, policy package or device exists and that this user may lock it"
        )
        text = "Workspace lock on {} could not be taken: {}. {}".format(
            error.scope or "the ADOM", scrub(str(error)), advice
        )
        raise SOARError(
            text,
            code=error.code,
            fmg_message=error.message,
            details={"lock_scope": error.scope, "holder": error.holder},
        ) from None
    except FMGTLSError as error:
        raise SOARError(_connection_text(address, "TLS: " + scrub(str(error)))) from None
    except FMGConnectTimeout as error:
        detail = scrub(str(error))
        raise SOARError(
            f"FortiManager at {address} did not answer within {timeout:g} s: {detail}. Check the address and "
            "port, that this host can reach it, or raise 'Timeout'"
        ) from None
    except FMGConnectionError as error:
        raise SOARError(_connection_text(address, scrub(str(error)))) from None
    except FMGValidSessionException as error:
        detail = scrub(str(error))
        raise SOARError(
            f"FortiManager at {address} has no valid session for this request (login refused or session "
            f"expired): {detail}. Check the credentials and that the API user has JSON-RPC access"
        ) from None
    except (FMGResponseNotFormedCorrect, FMGRequestNotFormedCorrect) as error:
        detail = scrub(str(error))
        raise SOARError(
            f"FortiManager at {address} sent an answer that is not a JSON-RPC reply ({detail}). {NOT_JSON_HINT}"
        ) from None
    except FMGValueError as error:
        raise SOARError(scrub(str(error))) from None
    except FMGBaseException as error:
        raise SOARError(f"FortiManager call failed: {scrub(str(error))}") from None


def _scrubbed(details: dict[str, Any], scrub: Callable[[str], str]) -> dict[str, Any]:
    """A copy of ``details`` with ``scrub`` applied to every string in it (per-URL messages echo sessions too)."""
    copy: dict[str, Any] = {}
    stack: list[tuple[Any, Any, Any]] = [(value, copy, key) for key, value in details.items()]
    while stack:
        value, parent, slot = stack.pop()
        if isinstance(value, dict):
            parent[slot] = {}
            stack.extend((item, parent[slot], key) for key, item in value.items())
        elif isinstance(value, (list, tuple)):
            parent[slot] = [None] * len(value)
            stack.extend((item, parent[slot], index) for index, item in enumerate(value))
        else:
            parent[slot] = scrub(value) if isinstance(value, str) else value
    return copy


def _connection_text(address: str, detail: str) -> str:
    lowered = detail.lower()
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return (
            f"TLS handshake with FortiManager at {address} failed: {detail}. Either give the CA bundle that signed its "
            "certificate in 'Verify SSL', or switch verification off for a self-signed certificate"
        )
    return (
        f"Cannot reach FortiManager at {address}: {detail}. Check the address, the port and the network path "
        "from this host"
    )
