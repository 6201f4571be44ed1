"""Secrets sweep: every login mode, debug on, DEBUG logging everywhere, failing calls and hostile replies.

The password, API key, OAuth tokens and session ids must not appear in stdout, stderr, any log
record (message, arguments or traceback) or any exception's text.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any, Callable

import pytest
import responses

from pyfmg import FMGOAuthTokenError, FortiManager
from pyfmg.auth import FORTICLOUD_REVOKE_URL, FORTICLOUD_TOKEN_URL
from pyfmg.retry import Retry

from .conftest import ADDRESSES, API_KEY, PASSWORD

EXPIRED = json.dumps({"result": [{"status": {"code": -11, "message": "No permission for the resource"}}]}).encode()


class Exposure:
    """Everything a user or an operator could read: output, logs, exception text."""

    def __init__(self, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
        self.capsys = capsys
        self.caplog = caplog
        self.root_stream = io.StringIO()
        self.pyfmg_log_stream = io.StringIO()
        self.errors: list[str] = []
        self.secrets: set[str] = set()
        self.cleanups: list[Callable[[], None]] = []

    def note_error(self, error: BaseException) -> None:
        self.errors += [str(error), repr(error), "".join(traceback.format_exception_only(type(error), error))]
        self.errors += [str(arg) for arg in error.args]

    def attempt(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Exception as error:
            self.note_error(error)
            return None

    def texts(self) -> list[str]:
        captured = self.capsys.readouterr()
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        records = [formatter.format(record) for record in self.caplog.records]
        records += [repr(record.args) for record in self.caplog.records]
        streams = [captured.out, captured.err, self.root_stream.getvalue(), self.pyfmg_log_stream.getvalue()]
        return streams + records + self.errors

    def assert_clean(self, debug_output: bool = True) -> None:
        texts = self.texts()
        out, root_log, pyfmg_log = texts[0], texts[2], texts[3]
        if debug_output:  # the sweep must have something to search
            assert "REQUEST:" in out and "********" in out
            assert "REQUEST:" in pyfmg_log and "pyfmg" in root_log and self.errors
        for secret in self.secrets:
            assert secret and len(secret) >= 8
            for text in texts:
                assert secret not in text, f"secret leaked in: {text[:300]}"


@pytest.fixture
def exposure(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> Iterator[Exposure]:
    seen = Exposure(capsys, caplog)
    caplog.set_level(logging.DEBUG)
    root_handler = logging.StreamHandler(seen.root_stream)
    root_handler.setLevel(logging.DEBUG)
    root_handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(root_handler)
    try:
        yield seen
    finally:
        logging.getLogger().removeHandler(root_handler)
        for cleanup in seen.cleanups:
            cleanup()


def instrument(client: FortiManager, seen: Exposure) -> None:
    """pyFMG-style logging through getLog() with a handler, on top of debug printing."""
    log = client.getLog("pyfmg-sweep", lvl=logging.DEBUG)
    handler = logging.StreamHandler(seen.pyfmg_log_stream)
    handler.setLevel(logging.DEBUG)
    client.addHandler(handler)
    seen.cleanups.append(lambda: log.removeHandler(handler))
    assert client.debug


def exercise_against_simulator(client: FortiManager, sim: Any, seen: Exposure) -> None:
    """Good calls, then every kind of failure, each one's text recorded."""
    seen.secrets.add(str(client.sid))
    assert client.get(ADDRESSES)[0] == 0
    assert client.add(ADDRESSES, name="h1", subnet="10.0.0.1/32")[0] == 0
    client.dlog()
    proxy_echo = f"<html>{json.dumps({'session': client.sid, 'passwd': PASSWORD, 'key': API_KEY})}</html>"
    sim.inject("raw", method="get", url=ADDRESSES, status=502, body=proxy_echo.encode())
    seen.attempt(lambda: client.get(ADDRESSES))
    json_echo = json.dumps({"session": client.sid, "result": f"bad {client.sid} {PASSWORD} {API_KEY}"})
    sim.inject("raw", method="get", url=ADDRESSES, status=200, body=json_echo.encode())
    seen.attempt(lambda: client.get(ADDRESSES))
    sim.inject("truncated_json", method="get", url=ADDRESSES)
    seen.attempt(lambda: client.get(ADDRESSES))
    sim.inject("reset", method="add", url=ADDRESSES)
    seen.attempt(lambda: client.add(ADDRESSES, name="h2", subnet="10.0.0.2/32"))
    seen.attempt(lambda: client.get("/no/such/url", passwd=PASSWORD))  # a secret in the caller's own request
    seen.attempt(lambda: client.free_form("get", data=[{"url": ADDRESSES, "session": client.sid}]))
    # An expired session: re-login (a new secret) and one repeat.
    sim.inject("raw", method="get", url=ADDRESSES, status=200, body=EXPIRED)
    assert client.get(ADDRESSES)[0] == 0
    seen.secrets.add(str(client.sid))
    seen.errors += [str(client), repr(client)]
    client.logout()


def test_password_login_leaks_nothing(sim: Any, exposure: Exposure) -> None:
    client = FortiManager(sim.host, "admin", PASSWORD, debug=True, use_ssl=False, retry=Retry(relogin=True))
    instrument(client, exposure)
    exposure.secrets.add(PASSWORD)
    client.login()
    exercise_against_simulator(client, sim, exposure)
    # A failed login, with the password echoed back by a proxy.
    sim.inject("raw", url="sys/login/user", status=500, body=f"login failed for passwd={PASSWORD}".encode())
    exposure.attempt(client.login)
    exposure.attempt(lambda: FortiManager(sim.host, "admin", PASSWORD + "-wrong", debug=True, use_ssl=False).login())
    exposure.secrets.add(PASSWORD + "-wrong")
    exposure.assert_clean()


def test_api_key_login_leaks_nothing(sim: Any, exposure: Exposure) -> None:
    client = FortiManager(sim.host, apikey=API_KEY, debug=True, use_ssl=False, retry=Retry(relogin=True))
    instrument(client, exposure)
    exposure.secrets.add(API_KEY)
    client.login()
    exercise_against_simulator(client, sim, exposure)
    wrong_key = "WrongKey-" + API_KEY[::-1]
    exposure.secrets.add(wrong_key)
    bad = FortiManager(sim.host, apikey=wrong_key, debug=True, use_ssl=False)
    exposure.attempt(bad.login)
    exposure.attempt(lambda: bad.get(ADDRESSES))
    exposure.assert_clean()


# --- FortiCloud: its public host names cannot be simulated on loopback, so `responses` stands in ---------

CLOUD_HOST = "acme.fortimanager.forticloud.com"
CLOUD_JSONRPC = f"https://{CLOUD_HOST}/jsonrpc"
CLOUD_LOGIN = f"https://{CLOUD_HOST}/p/forticloud_jsonrpc_login/"
TOKENS = ["OAuthTok3n-first-aaaaaaaaaaaa", "OAuthTok3n-second-bbbbbbbbbbb"]
CLOUD_SESSIONS = ["CloudSess10n-first-cccccccccc", "CloudSess10n-second-dddddddddd"]


class FortiCloud:
    """FortiCloud IAM and one FortiCloud-hosted FortiManager, scripted."""

    def __init__(self, rsps: responses.RequestsMock) -> None:
        self.logins = 0
        self.replies: list[tuple[int, bytes]] = []
        rsps.add_callback(responses.POST, FORTICLOUD_TOKEN_URL, callback=self.token)
        rsps.add(responses.POST, FORTICLOUD_REVOKE_URL, json={})
        rsps.add_callback(responses.POST, CLOUD_LOGIN, callback=self.login)
        rsps.add_callback(responses.POST, CLOUD_JSONRPC, callback=self.jsonrpc)

    def token(self, request: Any) -> tuple[int, dict[str, str], str]:
        return 200, {}, json.dumps({"access_token": TOKENS[min(self.logins, 1)], "expires_in": 3600})

    def login(self, request: Any) -> tuple[int, dict[str, str], str]:
        session = CLOUD_SESSIONS[min(self.logins, 1)]
        self.logins += 1
        return 200, {}, json.dumps({"session": session})

    def jsonrpc(self, request: Any) -> tuple[int, dict[str, str], bytes]:
        body = json.loads(request.body)
        if self.replies:
            status, content = self.replies.pop(0)
            return status, {}, content
        url = body["params"][0]["url"]
        reply = {"id": body["id"], "result": [{"status": {"code": 0, "message": "OK"}, "url": url, "data": []}]}
        return 200, {}, json.dumps(reply).encode()


def test_forticloud_login_leaks_nothing(exposure: Exposure) -> None:
    exposure.secrets.update([PASSWORD, *TOKENS, *CLOUD_SESSIONS])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        cloud = FortiCloud(rsps)
        client = FortiManager(CLOUD_HOST, "iam-user", PASSWORD, debug=True, retry=Retry(relogin=True))
        instrument(client, exposure)
        assert client.forticloud_used and client.login()[0] == 0 and client.sid == CLOUD_SESSIONS[0]
        echo = f"<html>{CLOUD_SESSIONS[0]} {TOKENS[0]} {PASSWORD}</html>".encode()
        cloud.replies += [(502, echo), (200, json.dumps({"result": echo.decode()}).encode())]
        exposure.attempt(lambda: client.get(ADDRESSES))
        exposure.attempt(lambda: client.get(ADDRESSES))
        # The session expires: a new token, a new session, one repeat.
        cloud.replies.append((200, EXPIRED))
        assert client.get(ADDRESSES)[0] == 0
        assert cloud.logins == 2 and client.sid == CLOUD_SESSIONS[1]
        exposure.errors += [str(client), repr(client)]
        client.logout()

    # IAM refuses the password and quotes it back.
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.POST, FORTICLOUD_TOKEN_URL, status=401, body=f'{{"error": "bad password {PASSWORD}"}}')
        with pytest.raises(FMGOAuthTokenError) as info:
            FortiManager(CLOUD_HOST, "iam-user", PASSWORD, debug=True).login()
        exposure.note_error(info.value)
    exposure.assert_clean()


def test_the_sweep_would_notice_a_leak(exposure: Exposure) -> None:
    exposure.secrets.add(PASSWORD)
    print("x" * 1000)
    with contextlib.suppress(AssertionError):
        logging.getLogger("pyfmg").error("leaked %s", PASSWORD)
        exposure.assert_clean(debug_output=False)
        raise RuntimeError("a leaked password went unnoticed")
