"""pyfmg's httpapi plugin in-process, against the simulator: what the persistent connection process does.

No ansible-playbook here (these run in milliseconds): the connection is a stand-in with the options
ansible.netcommon's httpapi connection gives the plugin, and a module's calls are made directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("ansible")

from ansible_collections.pyfmg.fortimanager.plugins.httpapi.fortimanager import HttpApi
from ansible_collections.pyfmg.fortimanager.plugins.module_utils.fmg import (
    ConnectionClient,
    FMGModuleFailure,
)
from pyfmg.testing import FMGSimulator

from .conftest import API_KEY, PASSWORD, login_count, session_ids

ADDRESSES = "pm/config/adom/root/obj/firewall/address"


class StandInConnection:
    """What the plugin uses of ansible.netcommon's httpapi Connection."""

    def __init__(self, sim: FMGSimulator, **options: Any) -> None:
        address, port = sim.host.rsplit(":", 1)
        self.options = {
            "host": address,
            "port": int(port),
            "remote_user": "admin",
            "password": PASSWORD,
            "use_ssl": False,
            "validate_certs": True,
            "ca_path": None,
            "persistent_command_timeout": 30,
            **options,
        }
        self.connected = False
        self.messages: list[tuple[str, str]] = []
        self.plugin: HttpApi | None = None

    def get_option(self, name: str) -> Any:
        return self.options[name]

    def _connect(self) -> None:
        self.connected = True
        assert self.plugin is not None
        self.plugin.login(self.options["remote_user"], self.options["password"])

    def queue_message(self, level: str, message: str) -> None:
        self.messages.append((level, message))


class RpcStandIn:
    """ansible.module_utils.connection.Connection as a module sees it: methods of the plugin, by name."""

    def __init__(self, plugin: HttpApi) -> None:
        self._plugin = plugin

    def __getattr__(self, name: str) -> Any:
        return getattr(self._plugin, name)


@pytest.fixture
def sim() -> Iterator[FMGSimulator]:
    simulator = FMGSimulator(
        users={"admin": PASSWORD}, api_keys=(API_KEY,), workspace_mode="normal", session_idle_timeout=60
    )
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()


def plugin_for(sim: FMGSimulator, **options: Any) -> tuple[HttpApi, StandInConnection]:
    connection = StandInConnection(sim, **options)
    plugin = HttpApi(connection)
    connection.plugin = plugin
    return plugin, connection


def test_one_login_for_many_calls_and_logout_releases_every_lock(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    client = ConnectionClient(RpcStandIn(plugin))
    assert client.open() == {"use_ssl": False, "verify_ssl": True}
    for number in range(5):
        assert client.get("sys/status")[0] == 0
        with client.workspace("root"):
            code, _ = client.add(ADDRESSES, {"data": {"name": f"a{number}", "subnet": f"10.0.0.{number}/32"}})
            assert code == 0
    assert login_count(sim) == 1
    # A task dies while holding a lock (its module never said goodbye): the play's end releases it.
    token = plugin.pyfmg_workspace_enter("root", None, None, True, None)["result"]
    assert token and sim.locks
    plugin.logout()
    assert sim.locks == {} and sim.sessions == {}
    assert plugin.pyfmg_workspace_exit(token, True) == {"result": None}  # late exit: nothing left to do


def test_failed_block_rolls_back_and_unlocks_in_the_same_session(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    client = ConnectionClient(RpcStandIn(plugin))
    with pytest.raises(FMGModuleFailure, match="boom"), client.workspace("root"):
        client.add(ADDRESSES, {"data": {"name": "rolled-back", "subnet": "10.0.9.9/32"}})
        raise FMGModuleFailure("boom")
    assert sim.locks == {}
    assert not any(row["name"] == "rolled-back" for row in sim.objects(ADDRESSES))
    assert len(sim.sessions) == 1  # still logged in for the next task
    plugin.logout()
    assert sim.sessions == {}


def test_expired_session_is_logged_in_again(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    client = ConnectionClient(RpcStandIn(plugin))
    assert client.get("sys/status")[0] == 0
    sim.advance_clock(120)  # past the simulator's 60 s idle timeout: FortiManager forgot the session
    assert sim.sessions == {}
    assert client.get("sys/status")[0] == 0
    assert login_count(sim) == 2
    plugin.logout()
    assert sim.sessions == {}


def test_session_id_and_password_never_leave_the_connection(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    client = ConnectionClient(RpcStandIn(plugin))
    client.get("sys/status")
    (sid,) = session_ids(sim)
    # FortiManager echoing the session (and the password) back in data: both are masked.
    with client.workspace("root"):
        client.add(ADDRESSES, {"data": {"name": "echo", "subnet": "10.0.0.1/32", "comment": f"{sid} {PASSWORD}"}})
    code, data = client.get(f"{ADDRESSES}/echo")
    assert code == 0 and sid not in str(data) and PASSWORD not in str(data)
    refused = plugin.pyfmg_call("get", [f"pm/config/adom/{sid}/obj/firewall/address"], {})
    assert refused["result"][0] == -6 and sid not in str(refused)
    plugin.logout()


def test_a_module_api_key_replaces_the_password_session(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim)
    client = ConnectionClient(RpcStandIn(plugin))
    client.get("sys/status")
    assert list(sim.sessions.values()) == ["admin"]
    client.open(api_key=API_KEY)  # access_token given to a module
    assert sim.sessions == {}  # the password session was logged out
    assert client.get("sys/status")[0] == 0
    assert login_count(sim) == 1
    _code, data = plugin.pyfmg_call("get", ["sys/status"], {})["result"]
    assert API_KEY not in str(data)
    plugin.logout()


def test_no_credentials_and_unknown_methods_fail_clearly(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim, remote_user=None, password=None)
    with pytest.raises(FMGModuleFailure, match="ansible_user and ansible_password"):
        ConnectionClient(RpcStandIn(plugin)).open()
    assert "failure" in plugin.pyfmg_call("logout", [], {})
    assert "failure" in plugin.send_request("get", [])
    assert sim.sessions == {}


def test_refused_login_names_fortimanagers_code(sim: FMGSimulator) -> None:
    plugin, _ = plugin_for(sim, password="wrong-password")
    with pytest.raises(FMGModuleFailure) as raised:
        ConnectionClient(RpcStandIn(plugin)).open()
    assert raised.value.code == -22 or "login" in str(raised.value).lower()
    assert "wrong-password" not in str(raised.value)


def test_a_module_forticloud_token_logs_the_connection_in_with_it(sim: FMGSimulator) -> None:
    responses = pytest.importorskip("responses")
    import json

    plugin, connection = plugin_for(sim, remote_user=None, password=None, use_ssl=True)
    connection.options.update(host="1234.eu.fortimanager.forticloud.com", port=None)
    seen: list[dict[str, Any]] = []

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        seen.append(body)
        if "access_token" in body:
            return 200, {}, json.dumps({"session": "CLOUD-SESSION-2"})
        url = body["params"][0]["url"]
        return 200, {}, json.dumps({"id": body["id"], "result": [{"status": {"code": 0, "message": "OK"}, "url": url}]})

    with responses.RequestsMock() as rsps:
        for path in ("p/forticloud_jsonrpc_login/", "jsonrpc"):
            rsps.add_callback("POST", f"https://1234.eu.fortimanager.forticloud.com/{path}", callback=answer)
        client = ConnectionClient(RpcStandIn(plugin))
        client.open(forticloud_access_token="CLOUD-TOKEN-ABC")
        assert client.get("sys/status")[0] == 0
        assert seen[0] == {"access_token": "CLOUD-TOKEN-ABC"}
        assert seen[-1]["session"] == "CLOUD-SESSION-2"
        assert "CLOUD-TOKEN-ABC" not in plugin._redactor.text("CLOUD-TOKEN-ABC")
        plugin.logout()
    assert seen[-1]["params"] == [{"url": "sys/logout"}]
