"""Proxy variables, CA bundle variables and ~/.netrc still apply, though they are read once per URL."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from pyfmg import FortiManager
from pyfmg.transport import JSON_HEADERS

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


def test_templated_requests_match_what_requests_prepares(fake: FakeFMG, monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests built from the per-URL template carry the same method, URL, headers and body as
    requests' own preparation; session headers set later are picked up."""
    fmg = FortiManager(HOST, "admin", PASSWORD, check_adom_workspace=False)
    sent: list[Any] = []
    original = fmg.sess.send

    def send(request: Any, **kwargs: Any) -> Any:
        sent.append(request)
        return original(request, **kwargs)

    monkeypatch.setattr(fmg.sess, "send", send)
    fmg.login()
    fmg.get(ADDR)
    fmg.sess.headers["X-Trace"] = "on"
    fmg.get(ADDR)
    for request in sent:
        expected = fmg.sess.prepare_request(
            requests.Request("POST", request.url, data=request.body, headers=JSON_HEADERS)
        )
        if "X-Trace" not in request.headers:
            expected.headers.pop("X-Trace")
        assert (request.method, request.url, request.body) == (expected.method, expected.url, expected.body)
        assert dict(request.headers) == dict(expected.headers)
    assert sent[-1].headers["X-Trace"] == "on" and "X-Trace" not in sent[1].headers


def test_session_cookies_are_still_sent(fake: FakeFMG, monkeypatch: pytest.MonkeyPatch) -> None:
    fmg = FortiManager(HOST, "admin", PASSWORD, check_adom_workspace=False)
    seen = _spy(fmg, monkeypatch)
    fmg.login()
    fmg.sess.cookies.set("lb-sticky", "node-2", domain=HOST)
    fmg.get(ADDR)
    assert "Cookie" not in seen[0]["headers"]
    assert seen[1]["headers"]["Cookie"] == "lb-sticky=node-2"


def test_session_auth_wins_over_netrc(fake: FakeFMG, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine {HOST} login proxyuser password proxypass\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    fmg = FortiManager(HOST, "admin", PASSWORD, check_adom_workspace=False)
    fmg.sess.auth = ("sessionuser", "sessionpass")
    seen = _spy(fmg, monkeypatch)
    fmg.login()
    expected = requests.auth._basic_auth_str("sessionuser", "sessionpass")
    assert seen[0]["headers"]["Authorization"] == expected
