"""Connector configuration and parameter values as SOAR forms send them.

SOAR forms deliver checkboxes and numbers as strings as often as not (``"true"``, ``"443"``) and JSON
fields either parsed or as text; the helpers here accept both and reject anything else with a message
naming the field.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pyfmg.soar.errors import SOARError

AUTH_PASSWORD = "password"
AUTH_API_KEY = "api_key"

_AUTH_ALIASES = {
    "user/password": AUTH_PASSWORD,
    "username/password": AUTH_PASSWORD,
    "password": AUTH_PASSWORD,
    "user": AUTH_PASSWORD,
    "userpass": AUTH_PASSWORD,
    "api key": AUTH_API_KEY,
    "api_key": AUTH_API_KEY,
    "apikey": AUTH_API_KEY,
    "token": AUTH_API_KEY,
}

_TRUE = frozenset({"true", "yes", "y", "on", "1", "enable", "enabled"})
_FALSE = frozenset({"false", "no", "n", "off", "0", "disable", "disabled", "none", ""})


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_bool(value: Any, name: str, default: bool) -> bool:
    """A checkbox value: bool, 0/1 or one of the usual words."""
    if _blank(value):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise SOARError(f"'{name}' must be true or false, got {value!r}")


def as_number(value: Any, name: str, default: float | None, minimum: float = 0.0) -> float | None:
    """A number of seconds (or any non-negative number) given as a number or a string."""
    if _blank(value):
        return default
    if isinstance(value, bool):
        raise SOARError(f"'{name}' must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SOARError(f"'{name}' must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise SOARError(f"'{name}' must be a number, got {value!r}")
    if number < minimum:
        raise SOARError(f"'{name}' must be at least {minimum:g}, got {value!r}")
    return number


def as_int(value: Any, name: str, default: int | None, minimum: int = 0) -> int | None:
    """A whole number given as an int or a string."""
    number = as_number(value, name, None if default is None else float(default), float(minimum))
    if number is None:
        return None
    if number != int(number):
        raise SOARError(f"'{name}' must be a whole number, got {value!r}")
    return int(number)


def as_json(value: Any, name: str, default: Any = None) -> Any:
    """A JSON field: already parsed (dict/list) or JSON text."""
    if _blank(value):
        return default
    if isinstance(value, (dict, list)):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as error:
            raise SOARError(
                f'\'{name}\' is not valid JSON ({error}); give an object like {{"name": "x"}} or a list'
            ) from None
    if isinstance(value, (int, float, bool)):
        return value
    raise SOARError(f"'{name}' must be JSON, got a {type(value).__name__}")


def as_text(value: Any, name: str, required: bool = True) -> str | None:
    """A non-empty string (numbers are accepted and turned into text)."""
    if _blank(value):
        if required:
            raise SOARError(f"'{name}' is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SOARError(f"'{name}' must be text, got {value!r}")
    return str(value).strip()


def as_list(value: Any, name: str, required: bool = True) -> list[str]:
    """A list of names or addresses: a JSON list, JSON text of a list, or comma/newline separated."""
    if _blank(value):
        if required:
            raise SOARError(f"'{name}' is required")
        return []
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            value = as_json(stripped, name)
        else:
            value = [part for part in stripped.replace("\n", ",").split(",")]
    if not isinstance(value, (list, tuple)):
        raise SOARError(f"'{name}' must be a list or comma-separated text, got {value!r}")
    items = [str(item).strip() for item in value if not _blank(item)]
    if required and not items:
        raise SOARError(f"'{name}' is required")
    return items


@dataclass(frozen=True)
class SOARConfig:
    """A parsed connector configuration."""

    host: str
    use_ssl: bool
    verify_ssl: bool | str
    auth_method: str
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 300.0
    debug: bool = False
    narrow_locks: bool = True
    lock_wait: float = 60.0
    read_retries: int = 2

    @property
    def secrets(self) -> list[str | None]:
        """Values that must never appear in text leaving the adapter."""
        return [self.password, self.api_key]


def parse_address(address: Any, port: Any) -> dict[str, Any]:
    """Split ``address`` (``fmg``, ``fmg:8443``, ``https://fmg/``, ``[::1]:443``) and an optional
    separate ``port`` into ``host`` (``name[:port]``) and ``use_ssl``."""
    text = as_text(address, "address")
    assert text is not None
    use_ssl = True
    if "://" in text:
        scheme, text = text.split("://", 1)
        if scheme.lower() not in ("http", "https"):
            raise SOARError(f"'address' must use http or https, got {scheme!r}")
        use_ssl = scheme.lower() == "https"
    text = text.split("/", 1)[0].strip()
    if "@" in text:
        raise SOARError("'address' must not carry credentials; use the username/password fields")
    hostname, embedded_port = _split_host_port(text)
    if not hostname:
        raise SOARError(f"'address' has no host name: {address!r}")
    port_number = as_int(port, "port", None, minimum=1)
    if port_number is None and embedded_port is not None:
        port_number = embedded_port
    if port_number is not None and port_number > 65535:
        raise SOARError(f"'port' must be between 1 and 65535, got {port!r}")
    host = hostname if port_number is None else f"{hostname}:{port_number}"
    return {"host": host, "use_ssl": use_ssl}


def _split_host_port(text: str) -> tuple[str, int | None]:
    if text.startswith("["):
        closing = text.find("]")
        if closing < 0:
            raise SOARError(f"'address' has an unclosed IPv6 bracket: {text!r}")
        hostname = text[: closing + 1]
        rest = text[closing + 1 :]
        if rest.startswith(":"):
            return hostname, as_int(rest[1:], "port", None, minimum=1)
        return hostname, None
    if text.count(":") == 1:
        hostname, port_text = text.split(":")
        return hostname, as_int(port_text, "port", None, minimum=1)
    if text.count(":") > 1:
        return f"[{text}]", None
    return text, None


def parse_verify(value: Any) -> bool | str:
    """``verify_ssl``: a bool (or its text), or the path of a CA bundle file."""
    if isinstance(value, str) and not _blank(value) and value.strip().lower() not in _TRUE | _FALSE:
        path = value.strip()
        if not os.path.isfile(path):
            raise SOARError(f"'verify_ssl' names a CA bundle that does not exist: {path}")
        return path
    return as_bool(value, "verify_ssl", True)


def _verification(config: Mapping[str, Any]) -> bool | str:
    verify = parse_verify(config.get("verify_ssl"))
    bundle = as_text(config.get("ca_bundle"), "ca_bundle", required=False)
    if verify is True and bundle:
        return parse_verify(bundle)
    return verify


def parse_config(config: Mapping[str, Any]) -> SOARConfig:
    """Validate a connector configuration (see the SOAR guide for the fields)."""
    if not isinstance(config, Mapping):
        raise SOARError("The connector configuration must be a mapping of field names to values")
    location = parse_address(config.get("address", config.get("host")), config.get("port"))
    username = as_text(config.get("username", config.get("user")), "username", required=False)
    password = config.get("password")
    api_key = config.get("api_key", config.get("apikey"))
    password = None if _blank(password) else str(password)
    api_key = None if _blank(api_key) else str(api_key).strip()
    method_text = config.get("auth_method")
    if _blank(method_text):
        auth_method = AUTH_API_KEY if api_key and not username else AUTH_PASSWORD
    else:
        auth_method = _AUTH_ALIASES.get(str(method_text).strip().lower(), "")
        if not auth_method:
            raise SOARError(f"'auth_method' must be 'User/Password' or 'API Key', got {method_text!r}")
    if auth_method == AUTH_PASSWORD:
        if not username or password is None:
            raise SOARError("Authentication by user and password needs both 'username' and 'password'")
        api_key = None
    elif not api_key:
        raise SOARError("Authentication by API key needs 'api_key'")
    else:
        username = password = None
    timeout = as_number(config.get("timeout"), "timeout", 300.0, minimum=0.1)
    lock_wait = as_number(config.get("lock_wait"), "lock_wait", 60.0)
    read_retries = as_int(config.get("read_retries"), "read_retries", 2)
    assert timeout is not None and lock_wait is not None and read_retries is not None
    return SOARConfig(
        host=location["host"],
        use_ssl=location["use_ssl"],
        verify_ssl=_verification(config),
        auth_method=auth_method,
        username=username,
        password=password,
        api_key=api_key,
        timeout=timeout,
        debug=as_bool(config.get("debug"), "debug", False),
        narrow_locks=as_bool(config.get("narrow_locks"), "narrow_locks", True),
        lock_wait=lock_wait,
        read_retries=read_retries,
    )
