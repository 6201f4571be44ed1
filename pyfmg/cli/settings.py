"""Where the command's connection settings come from: flags > environment > profile > ~/.netrc.

Each setting is taken from the first source that has it. The environment variables are the
Ansible collection's (``PYFMG_HOST``, ``PYFMG_USER``, ``PYFMG_PASSWORD``, ``PYFMG_APIKEY``,
``PYFMG_USE_SSL``, ``PYFMG_VERIFY_SSL``, ``PYFMG_ADOM``) plus ``PYFMG_CA_CERT``,
``PYFMG_TIMEOUT``, ``PYFMG_PROFILE`` and ``PYFMG_CONFIG``. The profile file is TOML
(``$XDG_CONFIG_HOME/pyfmg/config.toml``, ``[profiles.NAME]`` tables); a password or API key in
it, or in ``~/.netrc``, is used only when no other user can read the file.
"""

from __future__ import annotations

import math
import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import EXIT_USAGE, CliError

#: Settings a profile may hold, with the type each must have.
PROFILE_KEYS: dict[str, tuple[type, ...]] = {
    "host": (str,),
    "user": (str,),
    "password": (str,),
    "apikey": (str,),
    "apikey_file": (str,),
    "use_ssl": (bool,),
    "verify_ssl": (bool,),
    "ca_cert": (str,),
    "timeout": (int, float),
    "adom": (str,),
}
SECRETS = ("password", "apikey")
ENVIRONMENT = {
    "host": "PYFMG_HOST",
    "user": "PYFMG_USER",
    "password": "PYFMG_PASSWORD",
    "apikey": "PYFMG_APIKEY",
    "use_ssl": "PYFMG_USE_SSL",
    "verify_ssl": "PYFMG_VERIFY_SSL",
    "ca_cert": "PYFMG_CA_CERT",
    "timeout": "PYFMG_TIMEOUT",
    "adom": "PYFMG_ADOM",
}
TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "n", "f"})
DEFAULT_TIMEOUT = 60.0


@dataclass
class Settings:
    """What the command connects with; ``origin`` names the source of each setting."""

    host: str
    use_ssl: bool = True
    verify: bool | str = True
    timeout: float = DEFAULT_TIMEOUT
    user: str | None = None
    password: str | None = None
    apikey: str | None = None
    adom: str = "root"
    origin: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # never shows the secrets
        shown = {key: getattr(self, key) for key in ("host", "use_ssl", "verify", "timeout", "user", "adom")}
        hidden = {key: "***" if getattr(self, key) else None for key in ("password", "apikey")}
        return f"Settings({shown}, {hidden})"


def positive_seconds(text: Any, what: str = "--timeout") -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise CliError(f"{what} must be a number of seconds, got {text!r}", EXIT_USAGE) from None
    if not math.isfinite(value) or value <= 0:
        raise CliError(f"{what} must be a finite number of seconds greater than 0, got {text!r}", EXIT_USAGE)
    return value


def _boolean(text: str, name: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise CliError(f"{name} must be true or false, got {text!r}", EXIT_USAGE)


def flag_settings(args: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key in ("host", "user", "apikey_file", "ca_cert", "timeout", "adom"):
        if getattr(args, key, None) is not None:
            found[key] = getattr(args, key)
    if getattr(args, "http", None) is not None:
        found["use_ssl"] = not args.http
    if getattr(args, "verify", None) is not None:
        found["verify_ssl"] = args.verify
    return found


def environment_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, name in ENVIRONMENT.items():
        value = environ.get(name)
        if value is None or value == "":
            continue
        found[key] = _boolean(value, name) if key in ("use_ssl", "verify_ssl") else value
    return found


def config_path(environ: Mapping[str, str]) -> Path:
    if environ.get("PYFMG_CONFIG"):
        return Path(environ["PYFMG_CONFIG"]).expanduser()
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "pyfmg" / "config.toml"


def _private(path: Path) -> bool:
    """True when no one but the owner can read or write the file (mode 0600 or stricter)."""
    if os.name != "posix":
        return True
    return not stat.S_IMODE(path.stat().st_mode) & 0o077


def _load_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib  # novermin
    else:  # the same parser, published as tomli for older Pythons (a dependency there)
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror}", EXIT_USAGE) from None
    except ValueError as error:
        raise CliError(f"{path} is not valid TOML: {error}", EXIT_USAGE) from None


def profile_settings(name: str | None, environ: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """The chosen profile's settings and a label for messages ("" when no profile applies).

    Without ``--profile``/``PYFMG_PROFILE`` the file's ``default_profile``, else a profile named
    ``default``, is used when there is one; naming a profile that does not exist is an error.
    """
    name = name or environ.get("PYFMG_PROFILE") or None
    path = config_path(environ)
    if not path.is_file():
        if name:
            raise CliError(f"profile {name!r} asked for, but there is no {path}", EXIT_USAGE)
        return {}, ""
    document = _load_toml(path)
    profiles = document.get("profiles", {})
    if not isinstance(profiles, dict):
        raise CliError(f"{path}: 'profiles' must be a table of [profiles.NAME] tables", EXIT_USAGE)
    explicit = name is not None
    name = name or document.get("default_profile") or "default"
    if name not in profiles:
        if explicit or "default_profile" in document:
            known = ", ".join(sorted(profiles)) or "none"
            raise CliError(f"{path} has no profile {name!r} (profiles: {known})", EXIT_USAGE)
        return {}, ""
    profile = profiles[name]
    label = f"profile {name!r} in {path}"
    if not isinstance(profile, dict):
        raise CliError(f"{label} must be a table", EXIT_USAGE)
    for key, value in profile.items():
        if key not in PROFILE_KEYS:
            raise CliError(f"{label}: unknown setting {key!r} (known: {', '.join(PROFILE_KEYS)})", EXIT_USAGE)
        if not isinstance(value, PROFILE_KEYS[key]) or (isinstance(value, bool) and bool not in PROFILE_KEYS[key]):
            raise CliError(f"{label}: {key} has the wrong type ({type(value).__name__})", EXIT_USAGE)
    secrets = [key for key in SECRETS if key in profile]
    if secrets and not _private(path):
        raise CliError(
            f"refusing the {' and '.join(secrets)} in {path}: other users can read the file "
            f"(chmod 600 {path}, or keep the secret in the environment or a key file)",
            EXIT_USAGE,
        )
    return dict(profile), label


def split_host(host: str) -> tuple[str, bool | None]:
    """``address[:port]`` and the scheme's choice of HTTPS (None without a scheme)."""
    text = host.strip()
    if "://" not in text:
        return text.rstrip("/"), None
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise CliError(f"--host {host!r}: the scheme must be http or https", EXIT_USAGE)
    if parts.username or parts.password:
        raise CliError(f"--host {host!r}: give the user with --user, and no password in the URL", EXIT_USAGE)
    if parts.path not in ("", "/", "/jsonrpc") or parts.query or parts.fragment:
        raise CliError(f"--host {host!r}: only scheme, address and port are used; drop {parts.path}", EXIT_USAGE)
    if not parts.netloc:
        raise CliError(f"--host {host!r} has no address", EXIT_USAGE)
    return parts.netloc, scheme == "https"


def _hostname(address: str) -> str:
    if address.startswith("["):  # [IPv6]:port
        return address[1:].split("]", 1)[0]
    return address.rsplit(":", 1)[0] if address.count(":") == 1 else address


def netrc_credentials(address: str, environ: Mapping[str, str]) -> tuple[str, str, str] | None:
    """``(login, password, path)`` for the host from ``$NETRC`` or ``~/.netrc``, if it has an entry."""
    path = Path(environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc"))
    if not path.is_file():
        return None
    import netrc

    try:
        entry = netrc.netrc(str(path)).authenticators(_hostname(address))
    except (OSError, netrc.NetrcParseError) as error:
        raise CliError(f"cannot use {path}: {error}", EXIT_USAGE) from None
    if not entry or not entry[2]:
        return None
    if not _private(path):
        raise CliError(f"refusing the password in {path}: other users can read the file (chmod 600 {path})", EXIT_USAGE)
    return entry[0], entry[2], str(path)


def resolve(
    args: Any,
    environ: Mapping[str, str],
    ask_password: Callable[[str], str] | None = None,
    interactive: bool = False,
) -> Settings:
    """Merge the sources, read key files, and ask for a password as the last resort."""
    layers = [
        ("command line", flag_settings(args)),
        ("environment", environment_settings(environ)),
    ]
    profile, label = profile_settings(getattr(args, "profile", None), environ)
    layers.append((label or "profile", profile))
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    rank: dict[str, int] = {}
    for position, (source, values) in enumerate(layers):
        for key, value in values.items():
            if key not in merged:
                merged[key], origin[key], rank[key] = value, source, position
    if not merged.get("host"):
        raise CliError("no FortiManager given: use --host, PYFMG_HOST or a profile", EXIT_USAGE)
    address, scheme_https = split_host(str(merged["host"]))
    use_ssl = bool(merged.get("use_ssl", True))
    if scheme_https is not None:
        if origin.get("use_ssl") == "command line" and use_ssl != scheme_https:
            raise CliError(f"--http contradicts --host {merged['host']}", EXIT_USAGE)
        use_ssl = scheme_https
    verify: bool | str = bool(merged.get("verify_ssl", True))
    if "ca_cert" in merged:
        if origin.get("verify_ssl") == "command line" == origin["ca_cert"] and not verify:
            raise CliError("--insecure and --ca-cert contradict each other", EXIT_USAGE)
        if rank["ca_cert"] <= rank.get("verify_ssl", len(layers)):
            verify = os.path.expanduser(str(merged["ca_cert"]))
    settings = Settings(
        host=address,
        use_ssl=use_ssl,
        verify=verify,
        timeout=positive_seconds(merged.get("timeout", DEFAULT_TIMEOUT)),
        user=merged.get("user"),
        adom=str(merged.get("adom") or "root"),
        origin=origin,
    )
    settings.apikey = _apikey(merged, rank)
    settings.password = merged.get("password")
    if settings.apikey or settings.password is not None:
        return settings
    from_netrc = netrc_credentials(address, environ)
    if from_netrc and settings.user in (None, from_netrc[0]):
        settings.user, settings.password = from_netrc[0], from_netrc[1]
        origin.setdefault("user", from_netrc[2])
        origin["password"] = from_netrc[2]
        return settings
    if not settings.user:
        raise CliError(
            "no credentials: give --user (or PYFMG_USER) with a password, or an API key "
            "(PYFMG_APIKEY or --apikey-file)",
            EXIT_USAGE,
        )
    if not interactive or ask_password is None:
        raise CliError(
            f"no password for {settings.user}@{address} and no terminal to ask for one: set PYFMG_PASSWORD, "
            "put it in a private profile or ~/.netrc, or use an API key (PYFMG_APIKEY or --apikey-file)",
            EXIT_USAGE,
        )
    try:
        settings.password = ask_password(f"Password for {settings.user}@{address}: ")
    except EOFError:
        raise CliError(f"no password for {settings.user}@{address} was typed", EXIT_USAGE) from None
    origin["password"] = "prompt"
    return settings


def _apikey(merged: dict[str, Any], rank: dict[str, int]) -> str | None:
    """The API key itself, or read from ``apikey_file`` when that comes from a source at least as strong."""
    key_file = merged.get("apikey_file")
    if key_file and rank["apikey_file"] <= rank.get("apikey", len(rank) + 3):
        path = Path(os.path.expanduser(str(key_file)))
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise CliError(f"cannot read the API key file {path}: {error.strerror}", EXIT_USAGE) from None
        if not text:
            raise CliError(f"the API key file {path} is empty", EXIT_USAGE)
        return text
    direct = merged.get("apikey")
    return str(direct) if direct else None
