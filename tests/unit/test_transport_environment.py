"""Proxy variables, CA bundle variables and ~/.netrc still apply, though they are read once per URL."""

from __future__ import annotations

from typing import Any

import pytest

from pyfmg import FortiManager

from .fakefmg import HOST, PASSWORD, FakeFMG

ADDR = "pm/config/adom/root/obj/firewall/address"


def _spy(fmg: FortiManager, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    original = fmg.sess.send

    def send(request: Any, **kwargs: Any) -> Any:
        seen.append({"headers": dict(request.headers), **kwargs})
        return original(request, **kwargs)

    monkeypatch.setattr(fmg.sess, "send", send)
    return seen


@pytest.mark.parametrize(("no_proxy", "expected"), [("", "http://proxy.example:3128"), (HOST, None)])
def test_proxy_variables_apply_as_requests_would(
    fake: FakeFMG, monkeypatch: pytest.MonkeyPatch, no_proxy: str, expected: str | None
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", no_proxy)
    fmg = FortiManager(HOST, "admin", PASSWORD, check_adom_workspace=False)
    seen = _spy(fmg, monkeypatch)
    fmg.login()
    fmg.get(ADDR)
    assert all(call["proxies"].get("https") == expected for call in seen)
    assert len(seen) == 2


def test_ca_bundle_variable_applies_when_verifying(fake: FakeFMG, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/corp-ca.pem")
    fmg = FortiManager(HOST, "admin", PASSWORD, verify_ssl=True, check_adom_workspace=False)
    seen = _spy(fmg, monkeypatch)
    fmg.login()
    fmg.verify_ssl = "/other/ca.pem"
    fmg.get(ADDR)
    fmg.verify_ssl = False
    fmg.get(ADDR)
    assert [call["verify"] for call in seen] == ["/etc/corp-ca.pem", "/other/ca.pem", False]


def test_netrc_credentials_apply_as_requests_would(
    fake: FakeFMG, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine {HOST} login proxyuser password proxypass\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    fmg = FortiManager(HOST, "admin", PASSWORD, check_adom_workspace=False)
    seen = _spy(fmg, monkeypatch)
    fmg.login()
    assert seen[0]["headers"]["Authorization"].startswith("Basic ")


def test_session_settings_made_by_the_caller_still_apply(fake: FakeFMG, monkeypatch: pytest.MonkeyPatch) -> None:
    fmg = FortiManager(HOST, "admin", PASSWORD, check_adom_workspace=False)
    fmg.sess.proxies["https"] = "http://session-proxy.example:8080"
    seen = _spy(fmg, monkeypatch)
    fmg.login()
    assert seen[0]["proxies"]["https"] == "http://session-proxy.example:8080"
