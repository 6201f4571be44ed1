"""TLS against the simulator's HTTPS: verification with the CA, clear failures without it, and the warning switch."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3

from pyfmg import FMGBaseException, FMGConnectionError, FMGTLSError, FortiManager

from .conftest import API_KEY, PASSWORD, USERS, FMGSimulator

trustme = pytest.importorskip("trustme")


@pytest.fixture(scope="module")
def tls_sim() -> Iterator[Any]:
    with FMGSimulator(users=USERS, api_keys=(API_KEY,), tls=True) as sim:
        yield sim


def insecure_warnings(caught: list[warnings.WarningMessage]) -> list[warnings.WarningMessage]:
    return [w for w in caught if issubclass(w.category, urllib3.exceptions.InsecureRequestWarning)]


def test_verification_with_the_simulators_ca_succeeds_without_warnings(tls_sim: Any) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with FortiManager(tls_sim.host, "admin", PASSWORD, verify_ssl=tls_sim.ca_cert_path) as client:
            assert client.get("sys/status")[0] == 0
    assert insecure_warnings(caught) == []


def test_verification_without_the_ca_fails_clearly(tls_sim: Any) -> None:
    client = FortiManager(tls_sim.host, "admin", PASSWORD, verify_ssl=True)
    with pytest.raises(FMGTLSError) as info:
        client.login()
    assert isinstance(info.value, FMGConnectionError)  # what pyFMG code catches
    message = str(info.value)
    assert "TLS handshake failed" in message and "sys/login/user" in message
    assert "CERTIFICATE_VERIFY_FAILED" in message and PASSWORD not in message
    assert client.sid is None and tls_sim.sessions == {}


def test_a_bundle_from_another_ca_is_refused(tls_sim: Any, tmp_path: Path) -> None:
    stranger = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(stranger))
    with pytest.raises(FMGTLSError, match="CERTIFICATE_VERIFY_FAILED"):
        FortiManager(tls_sim.host, apikey=API_KEY, verify_ssl=str(stranger)).login()


def test_a_ca_path_that_does_not_exist_is_reported_as_such(tls_sim: Any) -> None:
    client = FortiManager(tls_sim.host, "admin", PASSWORD, verify_ssl="/nonexistent/ca.pem")
    with pytest.raises(FMGBaseException, match="CA certificate bundle") as info:
        client.login()
    assert "verify_ssl='/nonexistent/ca.pem'" in str(info.value) and PASSWORD not in str(info.value)


def test_verification_can_be_switched_on_after_construction(tls_sim: Any) -> None:
    client = FortiManager(tls_sim.host, apikey=API_KEY, verify_ssl=True, check_adom_workspace=False)
    client.login()
    with pytest.raises(FMGTLSError):
        client.get("sys/status")
    client.verify_ssl = tls_sim.ca_cert_path
    assert client.get("sys/status")[0] == 0


def test_unverified_https_warns_unless_warnings_are_disabled(tls_sim: Any) -> None:
    # catch_warnings restores the process-wide filters that disable_request_warnings changes;
    # "always" also undoes what earlier tests' clients with disable_request_warnings=True did.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with FortiManager(tls_sim.host, "admin", PASSWORD, verify_ssl=False) as client:
            assert client.get("sys/status")[0] == 0
        assert insecure_warnings(caught), "unverified HTTPS must warn by default"

        caught.clear()
        with FortiManager(tls_sim.host, "admin", PASSWORD, verify_ssl=False, disable_request_warnings=True) as client:
            assert client.get("sys/status")[0] == 0
        assert insecure_warnings(caught) == []
