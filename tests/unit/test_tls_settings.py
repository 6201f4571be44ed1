"""verify_ssl: only False switches verification off, ambiguous values are refused, and off warns once per client."""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

import pytest

from pyfmg import FMGConnectionError, FMGInsecureTLSWarning, FMGValueError, FortiManager

from .fakefmg import HOST, PASSWORD, FakeFMG


@pytest.mark.parametrize("value", ["", " ", 0, 1, "false", "False", "true", "no", "0", "none", 0.0, [], {}])
def test_ambiguous_verify_values_are_refused_instead_of_switching_verification_off(value: Any) -> None:
    with pytest.raises(FMGValueError, match=r"verify_ssl=.* is ambiguous"):
        FortiManager(HOST, "admin", PASSWORD, verify_ssl=value)
    client = FortiManager(HOST, "admin", PASSWORD, verify_ssl=True)
    with pytest.raises(FMGValueError, match="is ambiguous"):
        client.verify_ssl = value
    assert client.verify_ssl is True


@pytest.mark.parametrize("value", [False, True, None, "/etc/ssl/fmg-ca.pem", "ca.pem"])
def test_booleans_none_and_paths_are_accepted(value: Any) -> None:
    assert FortiManager(HOST, "admin", PASSWORD, verify_ssl=value).verify_ssl == value


def insecure(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, FMGInsecureTLSWarning)]


def test_unverified_https_warns_once_per_client_naming_host_and_fix(fake: FakeFMG) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = FortiManager(HOST, "admin", PASSWORD, disable_request_warnings=False)
        for _ in range(3):
            first.login()
            first.get("sys/status")
        first.logout()
        FortiManager(HOST, "admin", PASSWORD).login()
    messages = insecure(caught)
    assert len(messages) == 2
    assert HOST in messages[0] and "verify_ssl='/path/to/ca.pem'" in messages[0] and PASSWORD not in messages[0]


@pytest.mark.parametrize("keywords", [{"verify_ssl": True}, {"use_ssl": False}])
def test_verified_or_plain_http_clients_do_not_warn(fake: FakeFMG, keywords: dict[str, Any]) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with contextlib.suppress(FMGConnectionError):  # the fake answers https only; the warning is what counts
            FortiManager(HOST, "admin", PASSWORD, **keywords).login()
    assert insecure(caught) == []
