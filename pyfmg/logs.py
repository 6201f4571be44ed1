"""Debug output and logging, with every secret masked.

pyFMG printed the login request, password included.  Here every request and reply goes through
:class:`Redactor` before it is printed or logged: values under secret-looking keys are masked, and
the secrets the client knows (password, API key, OAuth token, session id) are masked wherever
they appear in text.  The work is only done when somebody will read it (``debug=True``, a
pyFMG-style logger from ``getLog()``, or this module's logger enabled for DEBUG).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

logger = logging.getLogger(__name__)

MASK = "********"

#: Keys whose values are masked wherever they appear in a request or reply (compared lower-case).
SECRET_KEYS = frozenset(
    {
        "passwd",
        "password",
        "new-passwd",
        "session",
        "access_token",
        "refresh_token",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "authorization",
        "psksecret",
        "secret",
        "private-key",
        "passphrase",
    }
)

_KEY_ALTERNATIVES = "|".join(re.escape(key) for key in sorted(SECRET_KEYS, key=len, reverse=True))
_SECRET_FIELD = re.compile(
    r"""(?P<key>["']?(?:""" + _KEY_ALTERNATIVES + r""")["']?\s*[:=]\s*)(?P<quote>\\?["'])(?P<value>.*?)(?P=quote)""",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)


def mask_secret_fields(text: str) -> str:
    """Mask values that follow a secret-looking key in JSON-ish text, and Bearer tokens.

    Used on excerpts of replies quoted in messages, where secrets the client has not seen yet
    (a new session id, an object's password) may appear.
    """
    text = _SECRET_FIELD.sub(lambda m: f"{m.group('key')}{m.group('quote')}{MASK}{m.group('quote')}", text)
    return _BEARER.sub(lambda m: m.group(1) + MASK, text)


#: Secrets shorter than this are masked by key only: masking every "ab" in a text would garble it.
_MIN_TEXT_SECRET = 4


class Redactor:
    """Masks secrets in structures and text. Thread-safe; secrets can be added at any time."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: Any) -> None:
        if isinstance(secret, str) and len(secret) >= _MIN_TEXT_SECRET:
            with self._lock:
                self._secrets.add(secret)

    def text(self, text: str) -> str:
        """Return ``text`` with every known secret, and every value under a secret key, masked."""
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return mask_secret_fields(text)

    def data(self, obj: Any) -> Any:
        """Return a copy of a JSON-like structure with secrets masked; ``obj`` is left untouched."""
        if isinstance(obj, dict):
            return {
                key: (
                    MASK
                    if isinstance(key, str) and key.lower() in SECRET_KEYS and value not in (None, "")
                    else self.data(value)
                )
                for key, value in obj.items()
            }
        if isinstance(obj, list):
            return [self.data(item) for item in obj]
        if isinstance(obj, str):
            return self.text(obj)
        return obj


def jprint(json_obj: Any) -> str:
    """Pretty JSON text of ``json_obj`` (sorted keys), or a note when it cannot be serialised."""
    try:
        return json.dumps(json_obj, indent=2, sort_keys=True)
    except (TypeError, ValueError) as err:
        return json.dumps({"Type Information": str(err)})


class RequestResponse:
    """The last request/reply of the current thread, as pyFMG's ``req_resp_object`` exposed it.

    ``request_json`` and ``response_json`` are the objects sent and received (not copies, not
    redacted): they are only redacted when printed or logged.
    """

    request_string = "REQUEST:"
    response_string = "RESPONSE:"

    def __init__(self) -> None:
        self.request_json: Any = None
        self.response_json: Any = None
        self.error_msg: str | None = None

    def reset(self) -> None:
        self.request_string = "REQUEST:"
        self.request_json = None
        self.response_json = None
        self.error_msg = None


def format_exchange(record: RequestResponse, redactor: Redactor) -> str:
    """The human-readable, redacted text of one request/reply (or of its message)."""
    if record.error_msg is not None:
        return redactor.text(record.error_msg)
    parts = [record.request_string]
    if record.request_json is not None:
        parts.append(jprint(redactor.data(record.request_json)))
    parts.append(record.response_string)
    if record.response_json is not None:
        parts.append(jprint(redactor.data(record.response_json)))
    return "\n".join(parts)
