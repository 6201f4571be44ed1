"""Logins and API keys fail as a FortiManager fails them: -22 for a refused login, -11 for a request
without a valid session or key (and never a session token in a failed reply)."""

from __future__ import annotations

from typing import Any

import pytest

from pyfmg.testing import FMGSimulator

from .conftest import Rpc

LOGIN = "sys/login/user"
LOGIN_FAIL = {"code": -22, "message": "Login fail"}
NO_PERMISSION = {"code": -11, "message": "No permission for the resource"}


def login_with(sim: FMGSimulator, data: Any) -> dict[str, Any]:
    return Rpc(sim).send("exec", {"url": LOGIN, "data": data})


@pytest.mark.parametrize(
    "data",
    [
        {"user": "nobody"},  # unknown user, no password: None must not equal None
        {"user": "nobody", "passwd": None},
        {"user": "nobody", "passwd": ""},
        {"user": "nobody", "passwd": "password"},
        {"user": "admin"},  # known user, password missing
        {"user": "admin", "passwd": None},
        {"user": "admin", "passwd": 0},
        {"user": "admin", "passwd": ["password"]},
        {"user": "admin", "passwd": "Password"},
        {"user": "Admin", "passwd": "password"},
        {"passwd": "password"},
        {"user": None, "passwd": None},
        {},
    ],
)
def test_refused_logins_answer_login_fail_without_a_session(sim: FMGSimulator, data: dict[str, Any]) -> None:
    reply = login_with(sim, data)
    assert reply["result"][0]["status"] == LOGIN_FAIL
    assert "session" not in reply
    assert sim.sessions == {}


@pytest.mark.sim(users={"ops": ""})
def test_an_account_with_an_empty_password_still_needs_a_string(sim: FMGSimulator) -> None:
    assert login_with(sim, {"user": "ops"})["result"][0]["status"] == LOGIN_FAIL
    assert login_with(sim, {"user": "ops", "passwd": None})["result"][0]["status"] == LOGIN_FAIL
    assert login_with(sim, {"user": "ops", "passwd": ""})["result"][0]["status"]["code"] == 0


@pytest.mark.sim(api_keys=("KEY-1",))
@pytest.mark.parametrize("header", ["Bearer WRONG", "Bearer ", "Bearer KEY-1x", "Basic KEY-1", "KEY-1"])
def test_wrong_api_keys_get_no_permission_on_every_param(sim: FMGSimulator, header: str) -> None:
    caller = Rpc(sim)
    caller.headers = {"Authorization": header}
    reply = caller.send("get", {"url": "sys/status"}, {"url": "dvmdb/adom"})
    assert [r["status"] for r in reply["result"]] == [NO_PERMISSION, NO_PERMISSION]
    assert all("data" not in r for r in reply["result"])


@pytest.mark.sim(api_keys=("KEY-1",))
def test_a_wrong_api_key_is_not_rescued_by_a_valid_session(sim: FMGSimulator) -> None:
    caller = Rpc(sim)
    caller.login()
    assert caller.one("get", "sys/status")[0] == 0
    caller.headers = {"Authorization": "Bearer WRONG"}
    assert caller.one("get", "sys/status")[0] == -11


def test_pyfmg_reports_a_refused_login_with_fortimanagers_code(sim: FMGSimulator) -> None:
    from pyfmg import FMGValidSessionException, FortiManager

    client = FortiManager(sim.host, "nobody", None, use_ssl=False)
    with pytest.raises(FMGValidSessionException, match="code -22, Login fail"):
        client.login()
    assert client.sid is None


@pytest.mark.sim(
    users={"admin": "password", "viewer": "pw-view", "nojson": "pw-none"},
    rpc_permit={"viewer": "read", "nojson": "none"},
)
def test_json_api_access_none_refuses_login_with_no_permission(sim: FMGSimulator) -> None:
    reply = login_with(sim, {"user": "nojson", "passwd": "pw-none"})
    assert reply["result"][0]["status"] == NO_PERMISSION and "session" not in reply
    assert login_with(sim, {"user": "nojson", "passwd": "wrong"})["result"][0]["status"] == LOGIN_FAIL


@pytest.mark.sim(users={"viewer": "pw-view"}, rpc_permit={"viewer": "read"})
def test_read_only_json_api_access_reads_but_cannot_write(sim: FMGSimulator) -> None:
    caller = Rpc(sim)
    caller.login("viewer", "pw-view")
    assert caller.one("get", "pm/config/adom/root/obj/firewall/address")[0] == 0
    assert caller.one("add", "pm/config/adom/root/obj/firewall/address", data={"name": "h1"})[0] == -11
    assert caller.one("exec", "/securityconsole/install/device", data={"adom": "root", "scope": []})[0] == -11
    assert caller.one("exec", "sys/logout")[0] == 0


@pytest.mark.sim(
    users={}, api_keys={"KEY-R": "reader", "KEY-N": "blocked"}, rpc_permit={"reader": "read", "blocked": "none"}
)
def test_api_key_users_follow_their_json_api_access(sim: FMGSimulator) -> None:
    caller = Rpc(sim)
    caller.headers = {"Authorization": "Bearer KEY-R"}
    assert caller.one("get", "sys/status")[0] == 0
    assert caller.one("set", "pm/config/adom/root/obj/firewall/address", data={"name": "h1"})[0] == -11
    caller.headers = {"Authorization": "Bearer KEY-N"}
    assert caller.one("get", "sys/status")[0] == -11


def test_unknown_json_api_access_levels_are_refused() -> None:
    with pytest.raises(ValueError, match="rpc_permit"):
        FMGSimulator(rpc_permit={"admin": "write"})
