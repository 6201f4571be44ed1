"""The client's FortiCloud logins end to end against the simulator (HTTPS, its throw-away CA).

The simulator plays FortiCloud IAM (OAuth token and revoke) and the FortiCloud-hosted
FortiManager (token login, then JSON-RPC) on its one port.
"""

from __future__ import annotations

from typing import Any

import pytest

from pyfmg import FMGOAuthTokenError, FortiManager
from pyfmg.auth import FortiCloudLogin
from pyfmg.testing import FMGSimulator


def paths(sim: FMGSimulator) -> list[str]:
    return [request.path for request in sim.requests]


@pytest.mark.fmg_simulator(tls=True, forticloud_tokens={"given-token-42": "cloud-admin"})
def test_a_given_access_token_logs_in_and_is_left_alone(fmg_simulator: FMGSimulator) -> None:
    with FortiManager(
        fmg_simulator.host,
        forticloud_access_token="given-token-42",
        use_ssl=True,
        verify_ssl=fmg_simulator.ca_cert_path,
    ) as fmg:
        assert fmg.get("sys/status")[0] == 0
        assert list(fmg_simulator.sessions.values()) == ["cloud-admin"]
        assert "given-token-42" not in fmg.redact("token given-token-42")
    login, *calls = paths(fmg_simulator)
    assert login == "/p/forticloud_jsonrpc_login/" and set(calls) == {"/jsonrpc"}
    assert fmg_simulator.sessions == {}
    assert fmg_simulator.forticloud.revoked == 0  # the caller's token is the caller's to revoke


@pytest.mark.fmg_simulator(tls=True, forticloud_users={"iam-user": "iam-pass-77"})
def test_iam_user_and_password_get_a_token_trade_it_and_revoke_it(
    fmg_simulator: FMGSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = fmg_simulator.url.removesuffix("/jsonrpc")
    # FortiCloud IAM is this simulator, whose CA the token request (always verified) must trust.
    monkeypatch.setattr(FortiCloudLogin, "token_url", f"{base}/api/v1/oauth/token/")
    monkeypatch.setattr(FortiCloudLogin, "revoke_url", f"{base}/api/v1/oauth/revoke_token/")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fmg_simulator.ca_cert_path))
    fmg = FortiManager(
        fmg_simulator.host, "iam-user", "iam-pass-77", use_ssl=True, verify_ssl=fmg_simulator.ca_cert_path
    )
    fmg.forticloud_used = True  # what a *.fortimanager.forticloud.com host name turns on
    with fmg:
        assert fmg.get("sys/status")[0] == 0
        assert list(fmg_simulator.sessions.values()) == ["iam-user"]
    assert paths(fmg_simulator)[:3] == [
        "/api/v1/oauth/token/",
        "/p/forticloud_jsonrpc_login/",
        "/api/v1/oauth/revoke_token/",
    ]
    grant: Any = fmg_simulator.requests[0].json
    assert grant == {
        "username": "iam-user",
        "password": "iam-pass-77",
        "client_id": "FortiManager",
        "grant_type": "password",
    }
    assert fmg_simulator.forticloud.revoked == 1 and fmg_simulator.sessions == {}
    assert fmg_simulator.forticloud.issued == {}  # the revoked token is gone


@pytest.mark.fmg_simulator(tls=True, forticloud_users={"iam-user": "iam-pass-77"})
def test_a_refused_iam_login_says_so_without_the_password(
    fmg_simulator: FMGSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = fmg_simulator.url.removesuffix("/jsonrpc")
    monkeypatch.setattr(FortiCloudLogin, "token_url", f"{base}/api/v1/oauth/token/")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fmg_simulator.ca_cert_path))
    fmg = FortiManager(
        fmg_simulator.host, "iam-user", "wrong-pass-77", use_ssl=True, verify_ssl=fmg_simulator.ca_cert_path
    )
    fmg.forticloud_used = True
    with pytest.raises(FMGOAuthTokenError) as refused:
        fmg.login()
    assert "HTTP 401" in str(refused.value) and "wrong-pass-77" not in str(refused.value)
    assert fmg_simulator.sessions == {}
