"""Checking what callers pass in, before it reaches the wire.

pyFMG handed its arguments to requests and ``json.dumps`` inside a catch-all, so most mistakes
surfaced as an ``FMGBaseException`` or ``FMGValueError`` on the first call -- or as a raw
``OverflowError``, ``ValueError`` or ``TypeError`` where they escaped it.  These checks refuse
them at once with a message that says what to pass instead, in pyFMG's classes.
"""

from __future__ import annotations

import contextlib
import urllib.parse
from collections.abc import Iterator
from typing import Any

from .exceptions import FMGBaseException, FMGValueError, bounded_repr

#: The longest timeout the socket layer takes (larger values overflow its clock, inf included).
MAX_TIMEOUT = 1e9


def check_timeout(timeout: Any) -> None:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT:
        raise FMGValueError(
            f"timeout must be a number of seconds greater than 0 and at most {MAX_TIMEOUT:g}, "
            f"got {bounded_repr(timeout)}"
        )


#: Strings that look like a switch, not a CA bundle path: requests would take them for a file name.
_SWITCH_WORDS = frozenset({"", "0", "1", "false", "true", "no", "yes", "off", "on", "none"})


def check_verify(verify: Any) -> None:
    """Only ``False`` switches verification off; ``True``/``None`` verify; other text is a CA bundle path.

    pyFMG handed the value to requests, which treats any false value (``""``, ``0``) as "off":
    an empty setting from a configuration file silently disabled verification.
    """
    if verify is None or isinstance(verify, bool):
        return
    if not isinstance(verify, str) or verify.strip().lower() in _SWITCH_WORDS:
        raise FMGValueError(
            f"verify_ssl={bounded_repr(verify)} is ambiguous: pass False to switch certificate verification off, "
            "True to verify with the system's CAs, or the path of a CA bundle (recommended), "
            "e.g. verify_ssl='/etc/ssl/fmg-ca.pem'"
        )


def checked_host(host: Any) -> str:
    """``host`` without surrounding blanks; refused when missing, when it carries a user or password
    (``admin:pw@fmg``), or when it cannot be part of a URL (``[::1``, ``fmg:port``), as requests
    would refuse it on the first call."""
    if not isinstance(host, str) or not host.strip():
        raise FMGValueError(
            "Host is required: the FortiManager's name or address, e.g. '10.1.1.1' or 'fmg.example.com:8443'"
        )
    host = host.strip()
    if "@" in host:  # user:password@host: the password would ride in every URL that messages and logs quote
        raise FMGValueError(
            "host must be the FortiManager's address[:port] without a user or password (it contains '@'); "
            "pass them as FortiManager(host, user, passwd), e.g. FortiManager('10.1.1.1', 'admin', password)"
        )
    try:
        urllib.parse.urlsplit(f"https://{host}/").port  # noqa: B018 -- parsing the port is the check
    except ValueError as err:
        raise FMGValueError(
            f"host {bounded_repr(host)} is not a valid address[:port] ({err}); "
            "e.g. '10.1.1.1', 'fmg.example.com:8443', '[::1]:443'"
        ) from None
    return host


def check_forticloud_token(token: Any) -> None:
    if token is not None and (not isinstance(token, str) or not token):
        raise FMGValueError("forticloud_access_token must be a non-empty string (a FortiCloud OAuth token)")


@contextlib.contextmanager
def serialisable(label: str) -> Iterator[None]:
    """Turn what ``json.dumps`` raises for request data inside the block into pyFMG's classes.

    pyFMG serialised inside its ``try``: a ``TypeError`` (a set, a datetime...) came out as
    ``FMGBaseException``, a ``ValueError`` (a circular structure) as ``FMGValueError``.
    """
    try:
        yield
    except (TypeError, ValueError, RecursionError) as err:
        if isinstance(err, FMGValueError):
            raise
        text = (
            f"{label}: the request cannot be sent as JSON ({type(err).__name__}: {err}); data must be made of "
            "dict, list, str, int, float, bool and None, without cycles"
        )
        raise (FMGValueError(text) if isinstance(err, ValueError) else FMGBaseException(text)) from None


def check_pool_size(pool_size: Any) -> None:
    if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 1:
        raise FMGValueError(f"pool_size must be a whole number of connections >= 1, got {bounded_repr(pool_size)}")
