"""Where the command's connection settings come from: flags > environment > profile > ~/.netrc.

Each setting is taken from the first source that has it. The environment variables are the
Ansible collection's (``PYFMG_HOST``, ``PYFMG_USER``, ``PYFMG_PASSWORD``, ``PYFMG_APIKEY``,
``PYFMG_USE_SSL``, ``PYFMG_VERIFY_SSL``, ``PYFMG_ADOM``) plus ``PYFMG_CA_CERT``,
``PYFMG_TIMEOUT``, ``PYFMG_PROFILE`` and ``PYFMG_CONFIG``. The profile file is TOML
(``$XDG_CONFIG_HOME/pyfmg/config.toml``, ``[profiles.NAME]`` tables); a password or API key in
it, in an API key file or in ``~/.netrc``, is used only when the file is the user's (or root's) and no
other user can read it.
"""

from __future__ import annotations

import math
import os
import re
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


def refuse_unless_private(path: Path, what: str, elsewhere: str = "") -> None:
    """Refuse a secret (``what``) kept in a file that another user owns or can read or write.

    The rule of ssh and of Python's netrc module: the file belongs to the user running the command
    (or to root) and its mode is 0600 or stricter. ``elsewhere`` adds where else the secret may live.
    """
    if os.name != "posix":
        return
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):  # a pipe, e.g. --apikey-file <(pass show fmg), is the caller's own
        return
    if info.st_uid not in (os.geteuid(), 0):
        problem, fix = "another user owns the file", f"copy it to a file of your own and chmod 600 that{elsewhere}"
    elif stat.S_IMODE(info.st_mode) & 0o077:
        problem, fix = "other users can read the file", f"chmod 600 {path}{elsewhere}"
    else:
        return
    raise CliError(f"refusing the {what} in {path}: {problem} ({fix})", EXIT_USAGE)


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
    if secrets:
        refuse_unless_private(path, " and ".join(secrets), ", or keep the secret in the environment or a key file")
    return dict(profile), label


def shown_host(host: str) -> str:
    """``host`` for a message: anything before an ``@`` (a user and perhaps a password) is masked."""
    if "@" not in host:
        return repr(host)
    scheme, slashes, _ = host.partition("://")
    start = f"{scheme}{slashes}" if slashes and "@" not in scheme else ""
    return repr(f"{start}***@{host.rpartition('@')[2]}")


def split_host(host: str, name: str = "--host") -> tuple[str, bool | None]:
    """``address[:port]`` and the scheme's choice of HTTPS (None without a scheme).

    ``name`` says where the value came from (``--host``, ``PYFMG_HOST``, a profile), for messages.
    """
    from urllib.parse import urlsplit

    text = host.strip()
    label = f"{name} {shown_host(host)}"
    if "@" in text:
        raise CliError(f"{label}: give the user with --user, and no user or password in the address", EXIT_USAGE)
    if "://" not in text:
        return _address(text.rstrip("/"), label), None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number from 0 to 65535
    except ValueError as error:
        raise CliError(f"{label} is not a valid URL ({error}); write https://ADDRESS[:PORT]", EXIT_USAGE) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise CliError(f"{label}: the scheme must be http or https", EXIT_USAGE)
    if parts.path not in ("", "/", "/jsonrpc") or parts.query or parts.fragment:
        raise CliError(f"{label}: only scheme, address and port are used; drop {parts.path}", EXIT_USAGE)
    if not parts.hostname:
        raise CliError(f"{label} has no address", EXIT_USAGE)
    return parts.netloc, scheme == "https"


def _address(text: str, label: str) -> str:
    """``text`` when it is ``address[:port]``, ``[IPv6]:port`` or a bare IPv6 address; else a usage error."""
    from urllib.parse import urlsplit

    if text.count(":") > 1 and not text.startswith("["):
        if re.fullmatch(r"[0-9A-Fa-f:.]+(%\w+)?", text):
            return f"[{text}]"  # a bare IPv6 address, bracketed as the URL needs it
    elif re.fullmatch(r"[^\s/\\?#]+", text):
        try:
            parts = urlsplit(f"//{text}")
            if parts.hostname and (parts.port is not None or not text.endswith(":")):
                return text
        except ValueError:
            pass
    hint = "give ADDRESS[:PORT], or a URL such as https://ADDRESS[:PORT]"
    if re.match(r"(?i)https?[:/]", text):  # http//host, http:/host, https:host...
        hint = "a URL needs '://' after its scheme, as in http://ADDRESS[:PORT]"
    raise CliError(f"{label} is not a valid address or URL: {hint}", EXIT_USAGE)


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
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror}", EXIT_USAGE) from None
    except netrc.NetrcParseError as error:
        # Not the parser's message: it quotes the offending token, which can be part of a password.
        raise CliError(f"{path}: not valid netrc syntax at line {error.lineno}", EXIT_USAGE) from None
    if not entry or not entry[2]:
        return None
    refuse_unless_private(path, "password")
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
    address, scheme_https = split_host(str(merged["host"]), _name("host", origin))
    use_ssl = bool(merged.get("use_ssl", True))
    if scheme_https is not None:
        if origin.get("use_ssl") == "command line" and use_ssl != scheme_https:
            raise CliError(f"--http contradicts {_name('host', origin)} {shown_host(merged['host'])}", EXIT_USAGE)
        use_ssl = scheme_https
    verify: bool | str = bool(merged.get("verify_ssl", True))
    if "ca_cert" in merged:
        if origin.get("verify_ssl") == "command line" == origin["ca_cert"] and not verify:
            raise CliError("--insecure and --ca-cert contradict each other", EXIT_USAGE)
        if rank["ca_cert"] <= rank.get("verify_ssl", len(layers)):
            verify = os.path.expanduser(str(merged["ca_cert"]))
            if use_ssl:
                _check_readable(verify, _name("ca_cert", origin))
    settings = Settings(
        host=address,
        use_ssl=use_ssl,
        verify=verify,
        timeout=positive_seconds(merged.get("timeout", DEFAULT_TIMEOUT), _name("timeout", origin)),
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


def _name(key: str, origin: Mapping[str, str]) -> str:
    """How a message names a setting: ``--timeout``, ``PYFMG_TIMEOUT`` or ``timeout in profile 'lab' in PATH``."""
    source = origin.get(key, "command line")
    if source == "command line":
        return f"--{key.replace('_', '-')}"
    if source == "environment":
        return ENVIRONMENT[key]
    return f"{key} in {source}"


def _check_readable(path: str, name: str) -> None:
    """A CA file (or folder) that cannot be read is a usage error now, not a TLS failure later."""
    try:
        if not os.path.isdir(path):
            with open(path, "rb"):
                pass
    except OSError as error:
        raise CliError(f"cannot read the CA certificate {path} ({name}): {error.strerror}", EXIT_USAGE) from None


def _apikey(merged: dict[str, Any], rank: dict[str, int]) -> str | None:
    """The API key itself, or read from ``apikey_file`` when that comes from a source at least as strong."""
    key_file = merged.get("apikey_file")
    if key_file and rank["apikey_file"] <= rank.get("apikey", len(rank) + 3):
        path = Path(os.path.expanduser(str(key_file)))
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError as error:
            if any(mark in str(key_file) for mark in "/\\.~"):
                raise CliError(f"cannot read the API key file {path}: {error.strerror}", EXIT_USAGE) from None
            # A bare word may be the key itself, typed where its file belongs: not echoed.
            raise CliError(
                f"cannot read the API key file: {error.strerror} (its name is not shown in case it is the key; "
                "--apikey-file takes the path of a file that holds the key)",
                EXIT_USAGE,
            ) from None
        refuse_unless_private(path, "API key", ", or give the key in PYFMG_APIKEY")
        if not text:
            raise CliError(f"the API key file {path} is empty", EXIT_USAGE)
        return text
    direct = merged.get("apikey")
    return str(direct) if direct else None
