"""pyFMG's wire habits: the words its error messages start with, and what it raised for what.

pyFMG wrapped every failure of a call in one of its classes with a message that opens with a
fixed phrase ("Connection error:", "Key error in response:", ...), and code in the wild matches
those phrases. pyfmg's own messages say more; the phrase goes first, pyfmg's detail after it.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from ..exceptions import (
    FMGBaseException,
    FMGConnectionError,
    FMGConnectTimeout,
    FMGInvalidResponse,
    FMGOAuthTokenError,
    FMGReadTimeout,
    FMGResponseNotFormedCorrect,
    FMGTLSError,
    FMGValueError,
)

CONNECTION = "Connection error: "
VALUE = "Value error: "
KEY = "Key error in response: "
INDEX = "Index error in response: "
PARSER = "Response parser error: "
JSON_DECODE = "JSON Decode error in response: "

#: Where pyFMG asked FortiCloud for a token and revoked it (its ``_post_login_request``).
FORTICLOUD_TOKEN_URL = "https://customerapiauth.fortinet.com/api/v1/oauth/token/"
FORTICLOUD_REVOKE_URL = "https://customerapiauth.fortinet.com/api/v1/oauth/revoke_token/"

_FMG_ERRORS = (FMGBaseException, FMGValueError, FMGResponseNotFormedCorrect, FMGConnectionError)


def opening_words(err: BaseException) -> str | None:
    """The phrase pyFMG's message started with when it failed the way ``err`` says, or None."""
    if isinstance(err, FMGReadTimeout):
        return PARSER  # requests' ReadTimeout is no ConnectionError: pyFMG's catch-all wrapped it
    if isinstance(err, FMGConnectionError):
        return CONNECTION
    if isinstance(err, FMGInvalidResponse):
        text = str(err)
        if "'result' is empty" in text:
            return INDEX  # pyFMG indexed result[0]
        if "has no 'result'" in text or "no 'status'" in text or "'status.code' is None" in text:
            return KEY
        return PARSER  # wrong types: pyFMG hit a TypeError in its catch-all
    if isinstance(err, FMGValueError):
        return VALUE
    if type(err) is FMGBaseException:
        return PARSER
    return None


def with_opening_words(err: BaseException, text: str) -> str:
    """``text`` with pyFMG's opening phrase for ``err`` in front (once)."""
    words = opening_words(err)
    if words is None or text.startswith(words):
        return text
    return words + text


def as_pyfmg_error(err: Exception) -> Exception:
    """The exception pyFMG raised when its session or its reply handling raised ``err``."""
    if isinstance(err, _FMG_ERRORS):
        return err
    detail = f"{type(err)} {err}\n\n"
    if isinstance(err, requests.exceptions.SSLError):
        return FMGTLSError(CONNECTION + detail)
    if isinstance(err, requests.exceptions.ConnectTimeout):
        return FMGConnectTimeout(CONNECTION + detail)
    if isinstance(err, requests.exceptions.ConnectionError):
        return FMGConnectionError(CONNECTION + detail)
    if isinstance(err, json.JSONDecodeError):
        return FMGOAuthTokenError(JSON_DECODE + detail)
    if isinstance(err, ValueError):
        return FMGValueError(VALUE + detail)
    if isinstance(err, KeyError):
        return FMGResponseNotFormedCorrect(KEY + detail)
    if isinstance(err, IndexError):
        return FMGResponseNotFormedCorrect(INDEX + detail)
    if isinstance(err, requests.exceptions.ReadTimeout):
        return FMGReadTimeout(PARSER + detail.rstrip("\n"))
    return FMGBaseException(PARSER + detail.rstrip("\n"))


def reply_status(response: Any) -> int:
    """The HTTP status of what a session's ``post`` returned (a test double may have none)."""
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) and not isinstance(status, bool) else 200


def excerpt(body: Any) -> bytes:
    """The start of a decoded reply, as bytes, for messages."""
    try:
        return json.dumps(body, default=repr)[:200].encode("utf-8", "replace")
    except (TypeError, ValueError):
        return repr(body)[:200].encode("utf-8", "replace")
