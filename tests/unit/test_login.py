"""Password, API-key and FortiCloud logins; the workspace check; logout."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import responses

from pyfmg import FMGConnectionError, FMGOAuthTokenError, FMGValidSessionException, FMGValueError, FortiManager
from pyfmg.auth import FORTICLOUD_REVOKE_URL, FORTICLOUD_TOKEN_URL

from .fakefmg import HOST, PASSWORD, SID, FakeFMG, ok

LOGIN_OK = (0, {"status": {"message": "OK", "code": 0}, "url": "sys/login/user"})


def test_password_login_body_and_crafted_return(fake: FakeFMG) -> None:
    fmg = FortiManager(HOST, "admin", PASSWORD)
    assert fmg.login() == LOGIN_OK
    assert fake.bodies[0] == {
        "method": "exec",
        "params": [{"url": "sys/login/user", "data": {"passwd": PASSWORD, "user": "admin"}}],
        "session": None,
        "id": 1,
    }
    assert fake.bodies[1]["method"] == "get" and fake.bodies[1]["params"] == [
        {"url": "/cli/global/system/global", "fields": ["workspace-mode", "adom-status"]}
    ]
    assert fmg.sid == SID and str(fmg) == f"FortiManager instance connected to {HOST}."
    fmg.logout()
    assert fake.bodies[-1]["method"] == "exec" and fake.bodies[-1]["params"] == [{"url": "sys/logout"}]
    assert fmg.sid is None


def test_failed_login_with_workspace_check_raises_valid_session(fake: FakeFMG) -> None:
    fmg = FortiManager(HOST, "admin", "wrong")
    with pytest.raises(FMGValidSessionException, match="Login fail") as info:
        fmg.login()
    assert "wrong" not in str(info.value)
    assert len(fake.bodies) == 1  # no workspace check without a session


def test_failed_login_without_workspace_check_returns_minus_one(fake: FakeFMG) -> None:
    fmg = FortiManager(HOST, "admin", "wrong", check_adom_workspace=False)
    code, detail = fmg.login()
    assert code == -1 and detail["status"]["code"] == -1 and detail["url"] == "sys/login/user"
    assert "-22" in detail["status"]["message"]
    assert fmg.sid is None and len(fake.bodies) == 1
    assert fmg.logout() is None  # nothing to log out of, and nothing sent
    assert len(fake.bodies) == 1


@pytest.mark.parametrize(
    ("mode", "adoms", "uses_workspace", "uses_adoms"),
    [
        (0, 0, False, False),
        ("disabled", "disable", False, False),
        (1, 1, True, True),
        ("normal", "enable", True, True),
        ("workflow", 1, True, True),
        ("per-adom", "enable", True, True),
    ],
)
def test_workspace_detection_accepts_numeric_and_verbose_values(
    fake: FakeFMG, mode: object, adoms: object, uses_workspace: bool, uses_adoms: bool
) -> None:
    fake.workspace_mode, fake.adom_status = mode, adoms
    with FortiManager(HOST, "admin", PASSWORD) as fmg:
        assert fmg.workspace_mode is uses_workspace
        assert fmg.adoms_enabled is uses_adoms


def test_workspace_check_can_be_skipped(fake: FakeFMG) -> None:
    fake.workspace_mode = "normal"
    with FortiManager(HOST, "admin", PASSWORD, check_adom_workspace=False) as fmg:
        assert not fmg.workspace_mode
    assert [b["params"][0]["url"] for b in fake.bodies] == ["sys/login/user", "sys/logout"]


def test_api_key_session(fake: FakeFMG) -> None:
    key = "reallylongfakeapikeyABCD"
    fmg = FortiManager(HOST, apikey=key)
    assert fmg.api_key_used
    assert fmg.login() == LOGIN_OK
    assert fmg.sid is not None and fmg.sid.endswith("-ABCD") and len(fmg.sid) == 36 + 5
    fmg.get("sys/status")
    assert all(b["params"][0]["url"] != "sys/login/user" for b in fake.bodies)
    assert all(h["Authorization"] == f"Bearer {key}" for h in fake.headers)
    assert fake.bodies[-1]["session"] == fmg.sid


def test_password_wins_over_api_key_like_pyfmg(fake: FakeFMG) -> None:
    fmg = FortiManager(HOST, "admin", PASSWORD, apikey="somekey1234")
    assert not fmg.api_key_used
    fmg.login()
    assert fake.bodies[0]["params"][0]["url"] == "sys/login/user"


CLOUD = "1234.eu.fortimanager.forticloud.com"


def _cloud(rsps: responses.RequestsMock, token_reply: tuple[int, str]) -> list[dict]:  # type: ignore[type-arg]
    seen: list[dict] = []  # type: ignore[type-arg]

    def record(reply: tuple[int, str]):  # type: ignore[no-untyped-def]
        def callback(request):  # type: ignore[no-untyped-def]
            seen.append({"url": request.url, "body": json.loads(request.body)})
            return reply[0], {}, reply[1]

        return callback

    rsps.add_callback(responses.POST, FORTICLOUD_TOKEN_URL, callback=record(token_reply))
    rsps.add_callback(responses.POST, FORTICLOUD_REVOKE_URL, callback=record((200, "{}")))
    rsps.add_callback(
        responses.POST,
        f"https://{CLOUD}/p/forticloud_jsonrpc_login/",
        callback=record((200, json.dumps({"session": "CLOUDSESSION1"}))),
    )
    rsps.add_callback(
        responses.POST, f"https://{CLOUD}/jsonrpc", callback=record((200, json.dumps({"result": [ok(url="x")]})))
    )
    return seen


def test_forticloud_login_exchanges_and_revokes_the_token(rsps: responses.RequestsMock) -> None:
    seen = _cloud(rsps, (200, json.dumps({"access_token": "OAUTHTOKEN123"})))
    fmg = FortiManager(CLOUD, "iamuser", PASSWORD, check_adom_workspace=False)
    assert fmg.forticloud_used
    code, detail = fmg.login()
    assert code == 0 and detail["url"] == f"https://{CLOUD}/p/forticloud_jsonrpc_login/"
    assert seen[0]["body"] == {
        "username": "iamuser",
        "password": PASSWORD,
        "client_id": "FortiManager",
        "grant_type": "password",
    }
    assert seen[1] == {"url": f"https://{CLOUD}/p/forticloud_jsonrpc_login/", "body": {"access_token": "OAUTHTOKEN123"}}
    assert seen[2] == {"url": FORTICLOUD_REVOKE_URL, "body": {"client_id": "FortiManager", "token": "OAUTHTOKEN123"}}
    assert fmg.sid == "CLOUDSESSION1"
    fmg.get("sys/status")
    assert seen[-1]["body"]["session"] == "CLOUDSESSION1"


def test_forticloud_access_token_given_is_used_as_it_is_and_not_revoked(
    rsps: responses.RequestsMock, capsys: pytest.CaptureFixture[str]
) -> None:
    seen = _cloud(rsps, (500, "never asked"))
    fmg = FortiManager(CLOUD, forticloud_access_token="GIVENTOKEN456", check_adom_workspace=False, debug=True)
    assert fmg.forticloud_used
    assert fmg.login()[0] == 0 and fmg.sid == "CLOUDSESSION1"
    assert [hit["url"] for hit in seen] == [f"https://{CLOUD}/p/forticloud_jsonrpc_login/"]
    assert seen[0]["body"] == {"access_token": "GIVENTOKEN456"}
    fmg.get("sys/status")
    assert "GIVENTOKEN456" not in capsys.readouterr().out


@pytest.mark.parametrize("token", ["", 12345, b"bytes"])
def test_forticloud_access_token_must_be_a_string(token: object) -> None:
    with pytest.raises(FMGValueError, match="forticloud_access_token"):
        FortiManager(CLOUD, forticloud_access_token=token)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "reply", [(200, "<html>maintenance</html>"), (401, '{"error": "invalid_grant"}'), (200, '{"no_token": 1}')]
)
def test_forticloud_token_failures_raise_oauth_error(rsps: responses.RequestsMock, reply: tuple[int, str]) -> None:
    _cloud(rsps, reply)
    fmg = FortiManager(CLOUD, "iamuser", PASSWORD)
    with pytest.raises(FMGOAuthTokenError) as info:
        fmg.login()
    assert PASSWORD not in str(info.value) and fmg.sid is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"host": None},
        {"host": ""},
        {"host": "h", "timeout": 0},
        {"host": "h", "timeout": -5},
        {"host": "h", "timeout": "10"},
    ],
)
def test_bad_construction_values_raise_value_error(kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(FMGValueError):
        FortiManager(**kwargs)


def test_timeout_setter_is_checked() -> None:
    fmg = FortiManager(HOST, "a", "b")
    with pytest.raises(FMGValueError):
        fmg.timeout = 0
    fmg.timeout = 12
    assert fmg.timeout == 12


def test_call_without_session_raises_valid_session_exception() -> None:
    fmg = FortiManager(HOST, "a", "b")
    with pytest.raises(FMGValidSessionException, match="login"):
        fmg.get("sys/status")


def test_context_manager_logs_out_when_the_block_raises(fake: FakeFMG) -> None:
    with pytest.raises(RuntimeError), FortiManager(HOST, "admin", PASSWORD) as fmg:
        raise RuntimeError("caller's bug")
    assert fake.bodies[-1]["params"][0]["url"] == "sys/logout" and fmg.sid is None


def test_login_twice_logs_the_first_session_out(fake: FakeFMG) -> None:
    fmg = FortiManager(HOST, "admin", PASSWORD, check_adom_workspace=False)
    fmg.login()
    fmg.login()
    assert [b["params"][0]["url"] for b in fake.bodies] == ["sys/login/user", "sys/logout", "sys/login/user"]
    fmg.logout()


def test_a_login_whose_workspace_check_fails_logs_the_new_session_out(fake: FakeFMG) -> None:
    """login() raising inside ``with`` means __exit__ never runs: the session must not be left to idle."""

    def drop_mode_check(method: str, params: list[Any], body: dict[str, Any]) -> Any:
        if params[0].get("url") == "/cli/global/system/global":
            raise requests.ConnectionError("connection reset by peer")
        return None

    fake.on(drop_mode_check)
    fmg = FortiManager(HOST, "admin", PASSWORD)
    with pytest.raises(FMGConnectionError), fmg:
        raise AssertionError("the block must not run")
    assert fake.bodies[-1]["params"][0]["url"] == "sys/logout" and fake.bodies[-1]["session"] == SID
    assert fmg.sid is None


@pytest.mark.parametrize("host", ["admin:s3cret-pw@127.0.0.1:9", "admin:s3cret-pw@fmg:bad", "s3cret-pw@fmg"])
def test_a_host_carrying_a_password_is_refused_without_repeating_it(host: str) -> None:
    with pytest.raises(FMGValueError, match="without a user or password") as caught:
        FortiManager(host, "admin", PASSWORD)
    assert "s3cret-pw" not in str(caught.value)
