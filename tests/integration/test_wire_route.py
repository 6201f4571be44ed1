"""The direct route to requests' urllib3 pool puts the same bytes on the wire as requests' own path, and as pyFMG.

Requests are captured byte for byte (request line, headers in order, body) by a loopback server,
and as the simulator records them.  The direct route is taken only for an untouched session;
every customisation a caller can make sends the request through requests' ``Session.send``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any, Callable

import pytest
import requests
import responses

from pyfmg import FMGConnectionError, FortiManager
from tests.compat import reference
from tests.loopback import LoopbackServer, json_reply

PASSWORD = "Wire-Route-Pa55!"
API_KEY = "wireroutekey0123456789abcdefghij"
ADDRESSES = "pm/config/adom/root/obj/firewall/address"


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as started:
        yield started


def force_requests_route(fmg: Any) -> None:
    """A response hook that changes nothing: the request goes through Session.send."""
    fmg.sess.hooks["response"].append(lambda response, *args, **kwargs: None)


def conversation(fmg: Any) -> None:
    """Calls covering each request shape: login, get with options, add, exec, free form, logout."""
    fmg.login()
    fmg.get(ADDRESSES, fields=["name", "subnet"], filter=["name", "like", "h%"], loadsub=0)
    fmg.add(ADDRESSES, name="h1", subnet=["10.0.0.1", "255.255.255.255"], allow__routing="enable")
    fmg.execute("securityconsole/install/package", adom="root", pkg="default", scope=[{"name": "fgt"}])
    fmg.free_form("get", data=[{"url": "/dvmdb/device"}, {"url": "/dvmdb/adom"}])
    fmg.logout()


def captured(
    server: LoopbackServer, make: Callable[[str], Any], prepare: Callable[[Any], None] = lambda f: None
) -> list[bytes]:
    start = len(server.requests)
    fmg = make(server.host)
    prepare(fmg)
    conversation(fmg)
    return server.requests[start:]


def ours(host: str) -> FortiManager:
    return FortiManager(host, "admin", PASSWORD, use_ssl=False, check_adom_workspace=False)


def test_direct_route_sends_the_bytes_requests_sends(server: LoopbackServer) -> None:
    clients: list[FortiManager] = []
    direct = captured(server, ours, clients.append)
    through_requests = captured(server, ours, lambda fmg: (clients.append(fmg), force_requests_route(fmg)))
    assert [fmg._transport.last_route for fmg in clients] == ["direct", "requests"]
    assert len(direct) == 6
    assert direct == through_requests
    assert direct[0].startswith(b"POST /jsonrpc HTTP/1.1\r\nHost: 127.0.0.1:")


def test_session_headers_set_by_the_caller_are_sent_on_both_routes(server: LoopbackServer) -> None:
    def with_headers(fmg: Any) -> None:
        fmg.sess.headers.update({"X-Trace": "abc", "User-Agent": "fmg-script/1.0"})
        del fmg.sess.headers["Accept"]

    direct = captured(server, ours, with_headers)
    through_requests = captured(server, ours, lambda fmg: (with_headers(fmg), force_requests_route(fmg)))
    assert direct == through_requests
    assert b"X-Trace: abc\r\n" in direct[0] and b"User-Agent: fmg-script/1.0\r\n" in direct[0]
    assert b"Accept: */*" not in direct[0]
    fmg = ours(server.host)
    with_headers(fmg)
    fmg.login()
    assert fmg._transport.last_route == "direct"


def test_a_plain_session_swapped_in_keeps_the_direct_route(server: LoopbackServer) -> None:
    clients: list[FortiManager] = []

    def swap(fmg: FortiManager) -> None:
        fmg._transport.session = requests.Session()
        clients.append(fmg)

    assert captured(server, ours, swap) == captured(server, ours)
    assert clients[0]._transport.last_route == "direct"


def test_direct_route_reuses_one_connection(server: LoopbackServer) -> None:
    fmg = FortiManager(server.host, apikey=API_KEY, use_ssl=False, check_adom_workspace=False)
    fmg.login()
    for _ in range(20):
        assert fmg.get(ADDRESSES)[0] == 0
    assert fmg._transport.last_route == "direct"
    assert server.connections == 1


def test_a_cookie_set_by_the_server_is_sent_back_as_requests_would(server: LoopbackServer) -> None:
    server.answer = lambda exchange: json_reply(exchange, "Set-Cookie: ccsrftoken=0123abcd; path=/\r\n")
    direct = captured(server, ours)
    through_requests = captured(server, ours, force_requests_route)
    assert direct == through_requests
    assert b"Cookie: ccsrftoken=0123abcd" in direct[1] and b"Cookie" not in direct[0]


def load_pyfmg_0863() -> ModuleType:
    """pyFMG 0.8.6.3, the hash-pinned copy the differential suite fetches (tests/compat/reference.py)."""
    try:
        return reference.load()
    except reference.ReferenceUnavailable as err:  # a missing reference must never pass unnoticed
        if os.environ.get("PYFMG_COMPAT_SKIP") == "1" and not os.environ.get("CI"):
            pytest.skip(str(err))
        pytest.fail(f"pyFMG {reference.VERSION}, the reference of this test, is unavailable: {err}", pytrace=False)


@pytest.mark.parametrize("cookie", [False, True])
def test_direct_route_sends_the_bytes_pyfmg_sends(server: LoopbackServer, cookie: bool) -> None:
    legacy = load_pyfmg_0863()
    if cookie:
        server.answer = lambda exchange: json_reply(exchange, "Set-Cookie: ccsrftoken=0123abcd; path=/\r\n")

    def theirs(host: str) -> Any:
        return legacy.FortiManager(host, "admin", PASSWORD, use_ssl=False, check_adom_workspace=False)

    assert captured(server, ours) == captured(server, theirs)


def test_direct_route_matches_requests_in_the_simulators_records(fmg_simulator: Any) -> None:
    sim = fmg_simulator

    def records(prepare: Callable[[Any], None]) -> list[tuple[str, str, list[tuple[str, str]], bytes]]:
        sim.clear_requests()
        fmg = FortiManager(sim.host, "admin", "password", use_ssl=False, check_adom_workspace=False)
        prepare(fmg)
        fmg.login()
        sid = str(fmg.sid).encode()
        fmg.get(ADDRESSES, fields=["name"])
        fmg.add(ADDRESSES, name="wire-route", subnet="10.9.9.9/32")
        fmg.delete(f"{ADDRESSES}/wire-route")
        fmg.logout()
        # each login gets its own session id; with it masked, every byte must be the same
        return [(r.http_method, r.path, list(r.headers.items()), r.body.replace(sid, b"SID")) for r in sim.requests]

    direct = records(lambda fmg: None)
    through_requests = records(force_requests_route)
    assert len(direct) == 5 and direct == through_requests
    assert [name for name, _ in direct[0][2]] == [
        "Host",
        "User-Agent",
        "Accept-Encoding",
        "Accept",
        "Connection",
        "content-type",
        "Content-Length",
    ]


CUSTOMISATIONS: dict[str, Callable[[requests.Session], Any]] = {
    "proxies": lambda s: s.proxies.update({"http": "http://127.0.0.1:9"}),
    "auth": lambda s: setattr(s, "auth", ("proxyuser", "proxypass")),
    "cookies": lambda s: s.cookies.set("name", "value"),
    "hooks": lambda s: s.hooks["response"].append(lambda r, *a, **k: None),
    "client certificate": lambda s: setattr(s, "cert", "/nonexistent/client.pem"),
    "params": lambda s: setattr(s, "params", {"a": "b"}),
    "adapter mounted": lambda s: s.mount("http://127.0.0.1", requests.adapters.HTTPAdapter()),
    "send replaced": lambda s: setattr(s, "send", s.send),
}


@pytest.mark.parametrize("change", sorted(CUSTOMISATIONS))
def test_a_customised_session_goes_through_requests(server: LoopbackServer, change: str) -> None:
    fmg = FortiManager(server.host, apikey=API_KEY, use_ssl=False, check_adom_workspace=False)
    fmg.login()
    CUSTOMISATIONS[change](fmg.sess)
    with contextlib.suppress(Exception):  # the proxy and the certificate do not exist; only the route matters
        fmg.get(ADDRESSES)
    assert fmg._transport.last_route == "requests"


def test_proxy_variables_send_the_request_to_the_proxy(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://{server.host}")
    monkeypatch.setenv("NO_PROXY", "")
    fmg = FortiManager("fmg.invalid", apikey=API_KEY, use_ssl=False, check_adom_workspace=False)
    fmg.login()
    assert fmg.get(ADDRESSES)[0] == 0
    assert server.requests[0].startswith(b"POST http://fmg.invalid/jsonrpc HTTP/1.1\r\n")


def test_a_test_double_sees_every_request() -> None:
    with responses.RequestsMock() as mock:
        mock.post("https://fmg.test/jsonrpc", json={"id": 1, "result": [{"status": {"code": 0}, "data": []}]})
        fmg = FortiManager("fmg.test", apikey=API_KEY, check_adom_workspace=False)
        fmg.login()
        fmg.req_id = 0
        assert fmg.get(ADDRESSES) == (0, [])
        assert len(mock.calls) == 1


@pytest.mark.parametrize("route", ["direct", "requests"])
def test_both_routes_raise_the_same_error_when_nothing_listens(route: str) -> None:
    with LoopbackServer() as gone:
        host = gone.host
    fmg = FortiManager(host, apikey=API_KEY, use_ssl=False, check_adom_workspace=False, timeout=5)
    fmg.login()
    if route == "requests":
        force_requests_route(fmg)
    with pytest.raises(FMGConnectionError, match=r"connection failed: get .* -> POST http://127\.0\.0\.1:\d+/jsonrpc"):
        fmg.get(ADDRESSES)
