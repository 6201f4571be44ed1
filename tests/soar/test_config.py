"""Connector configuration as SOAR forms send it (pyfmg.soar.config)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pyfmg import FMGBaseException
from pyfmg.soar import SOARError, parse_config
from pyfmg.soar.config import as_bool, as_int, as_json, as_list, as_number

BASE = {"username": "admin", "password": "pw-Secret1"}


@pytest.mark.parametrize(
    ("address", "port", "host", "use_ssl"),
    [
        ("fmg.example.com", None, "fmg.example.com", True),
        ("fmg.example.com", "8443", "fmg.example.com:8443", True),
        ("fmg.example.com:10443", "", "fmg.example.com:10443", True),
        ("https://fmg.example.com/", None, "fmg.example.com", True),
        ("https://fmg.example.com:8443/jsonrpc", None, "fmg.example.com:8443", True),
        ("http://10.0.0.5", 8080, "10.0.0.5:8080", False),
        ("HTTPS://10.0.0.5:443", "4443", "10.0.0.5:4443", True),
        ("[2001:db8::1]:8443", None, "[2001:db8::1]:8443", True),
        ("2001:db8::1", "443", "[2001:db8::1]:443", True),
        ("  fmg  ", " 443 ", "fmg:443", True),
    ],
)
def test_address_with_or_without_scheme_and_port(address: str, port: Any, host: str, use_ssl: bool) -> None:
    cfg = parse_config(dict(BASE, address=address, port=port))
    assert (cfg.host, cfg.use_ssl) == (host, use_ssl)


def test_form_strings_are_accepted() -> None:
    cfg = parse_config(
        dict(
            BASE,
            address="fmg",
            port="443",
            verify_ssl="False",
            timeout="30",
            debug="true",
            narrow_locks="0",
            lock_wait="12.5",
        )
    )
    assert cfg.verify_ssl is False and cfg.timeout == 30.0 and cfg.debug is True
    assert cfg.narrow_locks is False and cfg.lock_wait == 12.5 and cfg.host == "fmg:443"


def test_defaults() -> None:
    cfg = parse_config(dict(BASE, address="fmg"))
    assert cfg.verify_ssl is True and cfg.timeout == 300.0 and cfg.narrow_locks is True
    assert cfg.auth_method == "password" and cfg.api_key is None and cfg.read_retries == 2


def test_api_key_method_ignores_user_fields_and_infers_when_absent() -> None:
    cfg = parse_config({"address": "fmg", "auth_method": "API Key", "api_key": " KEY123 ", "username": "u"})
    assert (cfg.auth_method, cfg.api_key, cfg.username, cfg.password) == ("api_key", "KEY123", None, None)
    inferred = parse_config({"address": "fmg", "api_key": "KEY123"})
    assert inferred.auth_method == "api_key"


def test_verify_ssl_accepts_a_ca_bundle_path(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert parse_config(dict(BASE, address="fmg", verify_ssl=str(bundle))).verify_ssl == str(bundle)
    assert parse_config(dict(BASE, address="fmg", verify_ssl=True, ca_bundle=str(bundle))).verify_ssl == str(bundle)
    assert parse_config(dict(BASE, address="fmg", verify_ssl=False, ca_bundle=str(bundle))).verify_ssl is False


def test_secrets_stay_out_of_repr() -> None:
    cfg = parse_config(dict(BASE, address="fmg"))
    assert "pw-Secret1" not in repr(cfg)
    key_cfg = parse_config({"address": "fmg", "api_key": "KEY-abcdef"})
    assert "KEY-abcdef" not in repr(key_cfg)


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ({}, "'address' is required"),
        ({"address": "ftp://fmg"}, "http or https"),
        ({"address": "https://user:pw@fmg"}, "must not carry credentials"),
        ({"address": "fmg", "port": "http"}, "'port' must be a number"),
        ({"address": "fmg", "port": "70000"}, "between 1 and 65535"),
        ({"address": "fmg", "port": "0"}, "at least 1"),
        ({"address": "fmg", "port": "1e400"}, "'port' must be a number"),
        ({"address": "fmg", "timeout": float("nan"), **BASE}, "'timeout' must be a number"),
        ({"address": "[::1"}, "unclosed IPv6"),
        ({"address": "fmg", "username": "admin"}, "needs both 'username' and 'password'"),
        ({"address": "fmg", "auth_method": "API Key"}, "needs 'api_key'"),
        ({"address": "fmg", "auth_method": "kerberos", **BASE}, "'auth_method' must be"),
        ({"address": "fmg", "verify_ssl": "/no/such/ca.pem", **BASE}, "does not exist"),
        ({"address": "fmg", "timeout": "soon", **BASE}, "'timeout' must be a number"),
        ({"address": "fmg", "timeout": "0", **BASE}, "'timeout' must be at least 0.1"),
        ({"address": "fmg", "debug": "maybe", **BASE}, "'debug' must be true or false"),
        ({"address": "fmg", "lock_wait": "-1", **BASE}, "'lock_wait' must be at least 0"),
    ],
)
def test_bad_configuration_is_one_clear_error(config: dict[str, Any], needle: str) -> None:
    with pytest.raises(SOARError, match=needle.replace("(", r"\(")) as caught:
        parse_config(config)
    assert isinstance(caught.value, FMGBaseException)


def test_configuration_must_be_a_mapping() -> None:
    with pytest.raises(SOARError, match="mapping"):
        parse_config(["address", "fmg"])  # type: ignore[arg-type]


def test_value_helpers() -> None:
    assert as_bool("Yes", "x", False) is True and as_bool(0, "x", True) is False and as_bool("", "x", True) is True
    assert as_int("5", "x", None) == 5 and as_int(None, "x", 7) == 7
    with pytest.raises(SOARError, match="whole number"):
        as_int("2.5", "x", None)
    with pytest.raises(SOARError, match="must be a number"):
        as_number(True, "x", None)
    assert as_json('{"a": [1]}', "data") == {"a": [1]} and as_json([1], "data") == [1]
    with pytest.raises(SOARError, match="'data' is not valid JSON"):
        as_json('{"a": ', "data")
    assert as_list("a, b,,c", "names") == ["a", "b", "c"]
    assert as_list('["a", "b"]', "names") == ["a", "b"]
    assert as_list(["a", " ", 3], "names") == ["a", "3"]
    with pytest.raises(SOARError, match="'names' is required"):
        as_list(" , ", "names")
