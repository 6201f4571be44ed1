"""The client end to end over real sockets on 127.0.0.1, against the project's simulator."""

from __future__ import annotations

import warnings

import pytest

from pyfmg import FMGLockError, FMGTLSError, FMGValidationError, FMGValidSessionException, FortiManager
from pyfmg.testing import FMGSimulator

ADDR = "pm/config/adom/root/obj/firewall/address"
GROUP = "pm/config/adom/root/obj/firewall/addrgrp"


def write_methods(sim: FMGSimulator) -> list[str]:
    return [r.json["method"] for r in sim.requests if isinstance(r.json, dict) and r.json.get("method") != "get"]


def test_password_session_every_verb_and_logout(fmg_simulator: FMGSimulator) -> None:
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False) as fmg:
        assert len(fmg_simulator.sessions) == 1
        assert fmg.add(ADDR, name="h1", subnet=["10.0.0.1", "255.255.255.255"]) == (0, {"name": "h1"})
        code, reply = fmg.add(ADDR, name="h1", subnet="10.0.0.1/32")
        assert code == -2 and reply["status"]["message"] == "Object already exists"
        assert fmg.update(f"{ADDR}/h1", comment="web") == (0, {"name": "h1"})
        assert fmg.set(ADDR, name="h2", subnet="10.0.0.2/32")[0] == 0
        # clone merges keywords into the param (pyFMG), so the new name goes in data=
        assert fmg.clone(f"{ADDR}/h1", data={"name": "h3"})[0] == 0
        code, rows = fmg.get(ADDR, fields=["name", "comment"], filter=["name", "like", "h%"], sortings=[{"name": 1}])
        assert code == 0 and [r["name"] for r in rows] == ["h1", "h2", "h3"]
        assert rows[0]["comment"] == "web"
        assert fmg.add(GROUP, name="g1", member=["h1"])[0] == 0
        assert fmg.add(f"{GROUP}/g1/member", data=["h2", "h3"])[0] == 0
        assert sorted(fmg.get(f"{GROUP}/g1")[1]["member"]) == ["h1", "h2", "h3"]
        assert fmg.delete(f"{GROUP}/g1")[0] == 0
        assert fmg.delete(f"{ADDR}/h3")[0] == 0
        assert fmg.delete(f"{ADDR}/h3")[0] == -3
        assert fmg.get("pm/config/adom/nowhere/obj/firewall/address")[0] != 0
        code, results = fmg.free_form("get", data=[{"url": f"{ADDR}/h1"}, {"url": f"{ADDR}/zz"}])
        assert code == 200 and [r["status"]["code"] for r in results] == [0, -3]
        assert fmg.get("sys/status")[1]["Hostname"]
    assert fmg_simulator.sessions == {} and fmg.sid is None


def test_failed_login_raises_and_leaves_no_session(fmg_simulator: FMGSimulator) -> None:
    with pytest.raises(FMGValidSessionException, match="login"):
        FortiManager(fmg_simulator.host, "admin", "wrong", use_ssl=False).login()
    code, _ = FortiManager(fmg_simulator.host, "admin", "wrong", use_ssl=False, check_adom_workspace=False).login()
    assert code == -1 and fmg_simulator.sessions == {}


@pytest.mark.fmg_simulator(api_keys=["k3y-0123456789abcdefWXYZ"], users={})
def test_api_key_session(fmg_simulator: FMGSimulator) -> None:
    with FortiManager(fmg_simulator.host, apikey="k3y-0123456789abcdefWXYZ", use_ssl=False) as fmg:
        assert fmg.sid.endswith("-WXYZ")
        assert fmg.add(ADDR, name="k1", subnet="10.9.9.9/32")[0] == 0
    headers = [r.headers.get("Authorization") for r in fmg_simulator.requests]
    assert headers and all(h == "Bearer k3y-0123456789abcdefWXYZ" for h in headers)
    assert not any("sys/login/user" in (r.body or b"").decode() for r in fmg_simulator.requests)


@pytest.mark.fmg_simulator(api_keys=["k3y-0123456789abcdefWXYZ"], users={})
def test_wrong_api_key_is_refused_by_fortimanager(fmg_simulator: FMGSimulator) -> None:
    with FortiManager(fmg_simulator.host, apikey="wrong-key-0000", use_ssl=False) as fmg:
        assert fmg.get(ADDR)[0] == -11


@pytest.mark.fmg_simulator(workspace_mode="normal")
def test_workspace_lock_commit_and_release_on_exit(fmg_simulator: FMGSimulator) -> None:
    with pytest.raises(RuntimeError), FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False) as fmg:
        assert fmg.workspace_mode
        assert fmg.add(ADDR, name="w0", subnet="10.1.0.0/32")[0] == -10147  # no lock, no write
        assert fmg.lock_adom("root")[0] == 0
        assert fmg_simulator.locks == {"root": fmg.sid}
        assert fmg.add(ADDR, name="w1", subnet="10.1.0.1/32")[0] == 0
        assert fmg.commit_changes("root")[0] == 0
        raise RuntimeError("the caller's code failed after the commit")
    assert fmg_simulator.locks == {} and fmg_simulator.sessions == {}
    assert fmg_simulator.objects(f"{ADDR}/w1")["name"] == "w1"


@pytest.mark.fmg_simulator(workspace_mode="normal")
def test_workspace_block_and_busy_lock_held_by_another_admin(fmg_simulator: FMGSimulator) -> None:
    other = FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False)
    other.login()
    try:
        assert other.lock("root", package="default")[0] == 0
        with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False) as fmg:
            with pytest.raises(FMGLockError) as info, fmg.workspace("root", wait=0.3):
                pytest.fail("must not run without the lock")
            assert info.value.scope == "root" and info.value.holder == "admin"
            assert fmg.locked_scopes == []
            assert fmg.add("pm/pkg/adom/root", name="pp2", type="pkg")[0] != 0  # no lock of ours covers it
            other.unlock("root", package="default")
            with fmg.workspace("root"):
                assert fmg.add("pm/pkg/adom/root", name="pp2", type="pkg")[0] == 0
            with fmg.workspace("root", package="pp2", commit=False):
                assert fmg.locked_scopes == ["root/pkg/pp2"]
            assert fmg.locked_scopes == []
            other.lock("root", package="default")
        assert list(fmg_simulator.locks) == ["root/pkg/default"]
    finally:
        other.logout()
    assert fmg_simulator.locks == {}


@pytest.mark.fmg_simulator(task_duration=0.3)
def test_install_task_is_followed_to_the_end(fmg_simulator: FMGSimulator) -> None:
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False) as fmg:
        code, reply = fmg.execute(
            "securityconsole/install/package", adom="root", pkg="default", scope=[{"name": "FGT-01", "vdom": "root"}]
        )
        assert code == 0 and "task" in reply
        code, task = fmg.track_task(reply["task"], sleep_time=0.05, timeout=30)
        assert code == 0 and task["percent"] == 100 and task["num_err"] == 0 and "total_task_time" in task


@pytest.mark.fmg_simulator(tls=True)
def test_https_with_and_without_verification(fmg_simulator: FMGSimulator) -> None:
    assert fmg_simulator.ca_cert_path
    with FortiManager(fmg_simulator.host, "admin", "password", verify_ssl=fmg_simulator.ca_cert_path) as fmg:
        assert fmg.get("sys/status")[0] == 0
    # disable_request_warnings changes a process-wide filter: restore it after
    with (
        warnings.catch_warnings(),
        FortiManager(fmg_simulator.host, "admin", "password", disable_request_warnings=True) as fmg,
    ):
        assert fmg.get("sys/status")[0] == 0
    with pytest.raises(FMGTLSError, match="TLS"):
        FortiManager(fmg_simulator.host, "admin", "password", verify_ssl=True).login()
    assert fmg_simulator.sessions == {}


def test_verbose_get_returns_symbolic_values(fmg_simulator: FMGSimulator) -> None:
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False, verbose=True) as fmg:
        fmg.add(ADDR, name="v1", subnet="10.2.0.1/32")
        assert isinstance(fmg.get(f"{ADDR}/v1")[1]["type"], str)
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False) as fmg:
        assert isinstance(fmg.get(f"{ADDR}/v1")[1]["type"], int)


@pytest.mark.fmg_simulator(workspace_mode="normal")
def test_package_lock_refused_by_an_adom_lock_names_the_holder(fmg_simulator: FMGSimulator) -> None:
    with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False) as other:
        other.lock_adom("root")
        with FortiManager(fmg_simulator.host, "admin", "password", use_ssl=False) as fmg:
            with pytest.raises(FMGLockError) as info:
                fmg.lock("root", package="default", wait=0.05)
            assert info.value.scope == "root/pkg/default" and info.value.holder == "admin"


def test_validate_reads_the_syntax_once_and_names_what_does_not_fit(fmg_simulator: FMGSimulator) -> None:
    sim = fmg_simulator
    with FortiManager(sim.host, "admin", "password", use_ssl=False) as fmg:
        fmg.validate(ADDR, {"name": "web01", "subnet": "10.0.0.1/32", "type": "iprange", "comment": "x"})
        with pytest.raises(FMGValidationError) as raised:
            fmg.validate(ADDR, {"name": "web02", "type": "range", "comment": "c" * 300})
        assert raised.value.problems == [
            "attribute 'type': 'range' is not allowed; allowed: ipmask (0), iprange (1), fqdn (2), wildcard (3), "
            "geography (4)",
            "attribute 'comment' is 300 characters long; the table allows at most 255",
        ]
        syntax_reads = [r for r in sim.requests if r.json.get("params", [{}])[0].get("option") == "syntax"]
        assert len(syntax_reads) == 1
        assert not any(r.json.get("method") in ("add", "set", "update") for r in sim.requests)
