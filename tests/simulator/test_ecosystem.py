"""What other clients read from a FortiManager: Fortinet's httpapi plugin at login, FortiCloud logins,
API keys in the URL, the schema ``option: syntax`` describes. Plain HTTP; sources in docs/simulator.rst."""

from __future__ import annotations

import pytest
import requests

from pyfmg.testing import FMGSimulator

from .conftest import ADDRESSES, POLICIES, Rpc

#: The fields of a unit's dvmdb/adom rows (Fortinet's fmgr_dvmdb_adom schema, pyfortinet, Terraform).
ADOM_FIELDS = {
    "name",
    "oid",
    "desc",
    "os_ver",
    "mr",
    "state",
    "flags",
    "workspace_mode",
    "mode",
    "restricted_prds",
    "mig_os_ver",
    "mig_mr",
    "log_db_retention_hours",
    "log_disk_quota",
    "log_disk_quota_alert_thres",
    "log_disk_quota_split_ratio",
    "log_file_retention_hours",
    "lock_override",
    "tz",
    "uuid",
    "create_time",
    "tab_status",
}


@pytest.mark.sim(adoms=("root", "branch"), workspace_mode="normal")
def test_adom_rows_carry_what_fortinets_plugin_reads_at_login(rpc: Rpc) -> None:
    code, rows = rpc.one("get", "/dvmdb/adom", verbose=1)
    assert code == 0 and [row["name"] for row in rows] == ["root", "branch"]
    for row in rows:
        assert set(row) == ADOM_FIELDS
        # Fortinet's plugin keeps the ADOMs whose tab_status is not empty and asks each for its lock.
        assert isinstance(row["tab_status"], str) and row["tab_status"]
        assert row["mode"] == "gms" and row["restricted_prds"] == "fos" and row["os_ver"] == "7.0"
        assert len(row["uuid"]) == 36 and row["create_time"] > 0
    assert rows[0]["uuid"] != rows[1]["uuid"]
    # Without verbose, enums are numbers (os_ver); the strings stay strings.
    plain = rpc.one("get", "/dvmdb/adom/branch")[1]
    assert plain["os_ver"] == 7 and plain["tab_status"] == rows[1]["tab_status"]


@pytest.mark.sim(adoms=("root", "branch"), workspace_mode="normal")
def test_lockinfo_of_each_adom_at_the_urls_fortinets_plugin_uses(rpc: Rpc, other: Rpc) -> None:
    urls = (
        "/dvmdb/adom/root/workspace/lockinfo",
        "/dvmdb/global/workspace/lockinfo",
        "/dvmdb/adom/branch/workspace/lockinfo/",
    )
    for url in urls:
        reply = rpc.send("get", {"url": url})["result"][0]
        assert reply["status"]["code"] == 0 and "data" not in reply, (url, reply)  # free: no data
    assert other.one("exec", "/dvmdb/adom/branch/workspace/lock/")[0] == 0
    code, data = rpc.one("get", "/dvmdb/adom/branch/workspace/lockinfo/")
    assert code == 0 and data[0]["lock_user"] == "admin"


@pytest.mark.sim(forticloud_users={"iam-user": "iam-pass"})
def test_forticloud_token_then_session_then_revoke(sim: FMGSimulator) -> None:
    base = sim.url.removesuffix("/jsonrpc")
    refused = requests.post(
        f"{base}/api/v1/oauth/token/",
        json={"username": "iam-user", "password": "wrong", "client_id": "FortiManager", "grant_type": "password"},
        timeout=5,
    )
    assert refused.status_code == 401 and "access_token" not in refused.json()
    grant = {"username": "iam-user", "password": "iam-pass", "client_id": "FortiManager", "grant_type": "password"}
    token = requests.post(f"{base}/api/v1/oauth/token/", json=grant, timeout=5).json()["access_token"]
    login = requests.post(f"{base}/p/forticloud_jsonrpc_login/", json={"access_token": token}, timeout=5)
    assert login.status_code == 200 and set(login.json()) == {"session"}  # a bare {"session": ...}
    caller = Rpc(sim)
    caller.token = login.json()["session"]
    assert caller.one("get", "sys/status")[0] == 0
    assert list(sim.sessions.values()) == ["iam-user"]
    # Revoked, the token logs in no more; the session it opened lives on.
    assert requests.post(
        f"{base}/api/v1/oauth/revoke_token/", json={"client_id": "FortiManager", "token": token}, timeout=5
    ).ok
    again = requests.post(f"{base}/p/forticloud_jsonrpc_login/", json={"access_token": token}, timeout=5).json()
    assert "session" not in again and again["result"][0]["status"]["code"] == -22
    assert caller.one("get", "sys/status")[0] == 0


@pytest.mark.sim(api_keys=("KEY-1",))
def test_an_api_key_in_the_url_is_taken_as_before_7_4_7(sim: FMGSimulator) -> None:
    body = {"id": 1, "method": "get", "params": [{"url": "sys/status"}]}
    reply = requests.post(f"{sim.url}?access_token=KEY-1", json=body, timeout=5).json()
    assert reply["result"][0]["status"]["code"] == 0
    reply = requests.post(f"{sim.url}?access_token=WRONG", json=body, timeout=5).json()
    assert reply["result"][0]["status"]["code"] == -11


@pytest.mark.sim(api_keys=("KEY-1",), access_token_in_query=False)
def test_an_api_key_in_the_url_is_refused_from_7_4_7(sim: FMGSimulator) -> None:
    body = {"id": 1, "method": "get", "params": [{"url": "sys/status"}]}
    reply = requests.post(f"{sim.url}?access_token=KEY-1", json=body, timeout=5).json()
    assert reply["result"][0]["status"]["code"] == -11
    both = requests.post(
        f"{sim.url}?access_token=KEY-1", json=body, headers={"Authorization": "Bearer KEY-1"}, timeout=5
    )
    assert both.json()["result"][0]["status"]["code"] == 0  # what Fortinet's plugin sends: the header counts


def test_option_syntax_has_the_shape_of_a_units_answer(rpc: Rpc) -> None:
    code, data = rpc.one("get", ADDRESSES, option=["syntax"])
    assert code == 0 and list(data) == ["firewall address"]
    table = data["firewall address"]
    assert table["alimit"] == 400000
    attrs = table["attr"]
    assert attrs["type"] == {
        "type": "uint32",
        "opts": {"ipmask": 0, "iprange": 1, "fqdn": 2, "wildcard": 3, "geography": 4},
        "default": "ipmask",
        "sz": 4,
    }
    assert attrs["name"]["type"] == "string" and attrs["name"]["max"] == 79
    assert attrs["comment"]["max"] == 255
    assert attrs["start-ip"]["type"] == "ipv4-address-any"
    assert attrs["associated-interface"] == {"type": "datasrc", "max_argv": 1}
    policy = rpc.one("get", POLICIES, option="syntax")[1]["firewall policy"]["attr"]
    assert policy["srcaddr"] == {"type": "datasrc", "max_argv": -1}
    assert policy["policyid"]["type"] == "uint32" and policy["name"]["max"] == 35
