"""pyfmg.soar end to end against the simulator: health check, generic verbs, exec, free_form,
install and IP containment, and every way they fail."""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

import pytest

from pyfmg.soar import OPERATIONS, SOARError, check_health, run
from pyfmg.testing import FMGSimulator

from .conftest import API_KEY, PASSWORD, config_for, rpc_calls

POLICY_P2 = "pm/config/adom/root/pkg/p2/firewall/policy"
ADDRESS = "pm/config/adom/root/obj/firewall/address"


def assert_clean(sim: FMGSimulator) -> None:
    """Nothing left behind: no session, no lock."""
    assert sim.locks == {}
    assert sim.sessions == {}


# --- health --------------------------------------------------------------------------------------------


def test_check_health_with_password_and_with_api_key(ws_sim: FMGSimulator) -> None:
    health = check_health(config_for(ws_sim))
    assert health == {
        "address": ws_sim.host,
        "version": "v7.4.5-build2588 240523 (GA)",
        "hostname": "FMG-SIM",
        "serial": "FMG-VMTM00000000",
        "workspace_mode": True,
    }
    keyed = check_health(config_for(ws_sim, auth_method="API Key", api_key=API_KEY, username=None, password=None))
    assert keyed["hostname"] == "FMG-SIM"
    assert json.loads(json.dumps(health)) == health
    assert_clean(ws_sim)


def test_check_health_bad_password_says_what_to_check(ws_sim: FMGSimulator) -> None:
    with pytest.raises(SOARError, match=r"refused the login.*username and password") as caught:
        check_health(config_for(ws_sim, password="wrong-Secret9"))
    assert "wrong-Secret9" not in str(caught.value)
    with pytest.raises(SOARError, match=r"refused the login.*API key") as caught:
        check_health(config_for(ws_sim, auth_method="API Key", api_key="bad-key-123456", username=None))
    assert "bad-key-123456" not in str(caught.value)
    assert_clean(ws_sim)


def test_check_health_unreachable_host() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = {"address": "http://127.0.0.1", "port": str(port), "username": "admin", "password": PASSWORD}
    with pytest.raises(SOARError, match=f"Cannot reach FortiManager at 127.0.0.1:{port}"):
        check_health(config)


def test_check_health_timeout(ws_sim: FMGSimulator) -> None:
    ws_sim.inject("slow", method="exec", url="sys/login/user", delay=0.6)
    with pytest.raises(SOARError, match=r"did not answer within 0.2 s"):
        check_health(config_for(ws_sim, timeout="0.2"))


def test_check_health_tls_failure_and_ca_bundle() -> None:
    pytest.importorskip("trustme")
    with FMGSimulator(users={"admin": PASSWORD}, tls=True) as sim:
        base = {"address": "https://" + sim.host, "username": "admin", "password": PASSWORD}
        with pytest.raises(SOARError, match=r"TLS handshake with FortiManager.*CA bundle"):
            check_health(dict(base, verify_ssl="true"))
        assert sim.ca_cert_path is not None
        assert check_health(dict(base, verify_ssl=sim.ca_cert_path))["hostname"] == "FMG-SIM"
        assert check_health(dict(base, verify_ssl=False))["hostname"] == "FMG-SIM"


def test_check_health_not_a_jsonrpc_answer(ws_sim: FMGSimulator) -> None:
    ws_sim.inject("http_502_html", method="exec", url="sys/login/user")
    with pytest.raises(SOARError, match=r"did not answer the login with JSON-RPC.*HTTP 502.*not at a proxy"):
        check_health(config_for(ws_sim))


@pytest.mark.parametrize(
    ("fault", "needle"),
    [
        ("truncated_json", "did not answer get .* with JSON-RPC.*not JSON"),
        ("http_502_html", "with HTTP 502"),
        ("no_result", "not a JSON-RPC reply.*no 'result'"),
        ("reset", "Cannot reach FortiManager"),
    ],
)
def test_broken_answers_mid_action(ws_sim: FMGSimulator, fault: str, needle: str) -> None:
    ws_sim.inject(fault, method="get", url=ADDRESS)
    with pytest.raises(SOARError, match=needle):
        run("get", config_for(ws_sim, read_retries="0"), {"url": ADDRESS})
    assert_clean(ws_sim)


@pytest.mark.parametrize("fault", ["http_502_html", "reset"])
def test_reads_are_repeated_after_a_transient_failure(
    ws_sim: FMGSimulator, fault: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pyfmg.soar.calls.RETRY_BACKOFF", 0.01)
    ws_sim.inject(fault, times=2, method="get", url=ADDRESS)
    result = run("get", config_for(ws_sim), {"url": ADDRESS})
    assert result["code"] == 0 and [row["name"] for row in result["data"]] == ["all", "none", "placeholder"]
    assert len([call for call in rpc_calls(ws_sim) if call == ("get", ADDRESS)]) == 3


def test_writes_are_never_repeated_after_a_connection_reset(ws_sim: FMGSimulator) -> None:
    ws_sim.inject("reset", method="add", url=ADDRESS)
    with pytest.raises(SOARError, match="Cannot reach FortiManager"):
        run("add", config_for(ws_sim), {"url": ADDRESS, "data": {"name": "once"}})
    assert [call for call in rpc_calls(ws_sim) if call == ("add", ADDRESS)] == [("add", ADDRESS)]
    assert_clean(ws_sim)


def test_failed_logout_does_not_hide_the_result(ws_sim: FMGSimulator, caplog: pytest.LogCaptureFixture) -> None:
    ws_sim.inject("reset", method="exec", url="sys/logout")
    result = run("get", config_for(ws_sim), {"url": "sys/status"})
    assert result["data"]["Hostname"] == "FMG-SIM"
    assert "logout from" in caplog.text


# --- generic verbs -------------------------------------------------------------------------------------


def test_get_keeps_code_and_message_next_to_the_data(ws_sim: FMGSimulator) -> None:
    result = run(
        "get",
        config_for(ws_sim),
        {"url": ADDRESS, "options": '{"fields": ["name"], "filter": ["name", "==", "placeholder"]}'},
    )
    assert result["code"] == 0 and result["message"] == "OK" and result["url"] == ADDRESS
    assert [row["name"] for row in result["data"]] == ["placeholder"]
    assert result["lock_scope"] == "" and result["committed"] is False
    assert ("exec", "dvmdb/adom/root/workspace/lock") not in rpc_calls(ws_sim)
    assert_clean(ws_sim)


def test_get_missing_object_is_an_error_with_code_message_and_url(ws_sim: FMGSimulator) -> None:
    with pytest.raises(SOARError) as caught:
        run("get", config_for(ws_sim), {"url": ADDRESS + "/nope"})
    error = caught.value
    assert (error.code, error.fmg_message, error.url) == (-3, "Object does not exist", ADDRESS + "/nope")
    assert "code -3 (Object does not exist)" in str(error) and "check the object name" in str(error)
    assert error.as_dict()["code"] == -3
    assert_clean(ws_sim)


def test_write_to_a_package_locks_only_that_package(ws_sim: FMGSimulator) -> None:
    result = run("add", config_for(ws_sim), {"url": POLICY_P2, "data": {"name": "soar", "action": "deny"}})
    assert result["code"] == 0 and result["lock_scope"] == "root/pkg/p2" and result["committed"] is True
    calls = rpc_calls(ws_sim)
    assert ("exec", "dvmdb/adom/root/workspace/lock/pkg/p2") in calls
    assert ("exec", "dvmdb/adom/root/workspace/commit/pkg/p2") in calls
    assert ("exec", "dvmdb/adom/root/workspace/lock") not in calls
    assert "soar" in [row["name"] for row in ws_sim.objects(POLICY_P2)]
    assert_clean(ws_sim)


def test_write_to_an_object_locks_the_adom(ws_sim: FMGSimulator) -> None:
    result = run("set", config_for(ws_sim), {"url": ADDRESS, "data": '{"name": "h1", "subnet": "10.1.1.1/32"}'})
    assert result["lock_scope"] == "root" and result["committed"] is True
    assert ("exec", "dvmdb/adom/root/workspace/lock") in rpc_calls(ws_sim)
    assert ws_sim.objects(ADDRESS + "/h1")["subnet"] == ["10.1.1.1", "255.255.255.255"]
    assert_clean(ws_sim)


def test_switch_off_narrow_locks_locks_the_adom_for_a_package_write(ws_sim: FMGSimulator) -> None:
    result = run(
        "update", config_for(ws_sim, narrow_locks="false"), {"url": POLICY_P2 + "/1", "data": {"comments": "seen"}}
    )
    assert result["lock_scope"] == "root" and result["committed"] is True
    assert ws_sim.objects(POLICY_P2 + "/1")["comments"] == "seen"


def test_folder_package_is_locked_by_its_full_path(ws_sim: FMGSimulator) -> None:
    url = "pm/config/adom/root/pkg/f1/p1/firewall/policy"
    result = run("add", config_for(ws_sim), {"url": url, "data": {"name": "in-folder"}})
    assert result["lock_scope"] == "root/pkg/f1/p1"
    assert ("exec", "dvmdb/adom/root/workspace/lock/pkg/f1/p1") in rpc_calls(ws_sim)
    assert_clean(ws_sim)


def test_write_to_a_device_locks_only_that_device(ws_sim: FMGSimulator) -> None:
    result = run("update", config_for(ws_sim), {"url": "dvmdb/adom/root/device/FGT-01", "data": {"desc": "edge"}})
    assert result["lock_scope"] == "root/dev/FGT-01" and result["committed"] is True
    calls = rpc_calls(ws_sim)
    assert ("exec", "dvmdb/adom/root/workspace/lock/dev/FGT-01") in calls
    assert ("exec", "dvmdb/adom/root/workspace/commit/dev/FGT-01") in calls
    assert_clean(ws_sim)


def test_without_workspace_mode_nothing_is_locked(plain_sim: FMGSimulator) -> None:
    result = run("add", config_for(plain_sim), {"url": ADDRESS, "data": {"name": "h2"}})
    assert result["lock_scope"] == "" and result["committed"] is False
    assert not [call for call in rpc_calls(plain_sim) if "workspace" in call[1]]
    assert plain_sim.objects(ADDRESS + "/h2")["name"] == "h2"


def test_delete_clone_replace_and_move(ws_sim: FMGSimulator) -> None:
    config = config_for(ws_sim)
    run("add", config, {"url": POLICY_P2, "data": {"name": "second"}})
    cloned = run("clone", config, {"url": ADDRESS + "/placeholder", "data": {"name": "copy"}})
    assert cloned["lock_scope"] == "root" and ws_sim.objects(ADDRESS + "/copy")["name"] == "copy"
    replaced = run("replace", config, {"url": ADDRESS + "/copy", "data": {"name": "copy", "comment": "r"}})
    assert replaced["committed"] and ws_sim.objects(ADDRESS + "/copy")["comment"] == "r"
    moved = run("move", config, {"url": POLICY_P2 + "/2", "option": "before", "target": "1"})
    assert moved["lock_scope"] == "root/pkg/p2"
    assert [row["policyid"] for row in ws_sim.objects(POLICY_P2)] == [2, 1]
    deleted = run("delete", config, {"url": ADDRESS + "/copy"})
    assert deleted["code"] == 0 and "copy" not in [row["name"] for row in ws_sim.objects(ADDRESS)]
    assert_clean(ws_sim)


def test_bad_json_in_data_fails_before_anything_is_locked(ws_sim: FMGSimulator) -> None:
    with pytest.raises(SOARError, match="'data' is not valid JSON"):
        run("add", config_for(ws_sim), {"url": ADDRESS, "data": '{"name": "h1",'})
    assert not [call for call in rpc_calls(ws_sim) if "workspace/lock" in call[1]]
    assert_clean(ws_sim)


@pytest.mark.parametrize(
    ("operation", "params", "needle"),
    [
        ("add", {"url": ADDRESS}, "'data' is required"),
        ("get", {}, "'url' is required"),
        ("get", {"url": ADDRESS, "options": "[1]"}, "JSON object of request fields"),
        ("move", {"url": POLICY_P2 + "/1", "option": "above", "target": "2"}, "'before' or 'after'"),
        ("exec", {"url": "sys/status", "track_task": "perhaps"}, "'track_task' must be true or false"),
        ("free_form", {"method": "patch", "params": [{"url": ADDRESS}]}, "'method' must be one of"),
        ("free_form", {"method": "get", "params": "[]"}, "JSON list of request params"),
        ("free_form", {"method": "get", "params": [{"data": 1}]}, "item 0 needs a 'url'"),
        ("add", {"url": "/fortiview/x", "data": {}}, "Cannot tell which workspace lock"),
        ("update", {"url": "pm/config/device/FGT-01/global/system/dns", "data": {}}, "pass the ADOM"),
        ("install_policy_package", {"package": "nope", "scope": "FGT-01[root]"}, "nope does not exist"),
        ("block_ip", {"ip_addresses": "10.0.0.1", "address_group": "no-such-group"}, "does not exist in ADOM root"),
        (
            "add",
            {"url": "pm/config/adom/ghost/obj/firewall/address", "data": {"name": "x"}},
            "Locking ghost failed: code -6.*Check that the ADOM",
        ),
    ],
)
def test_bad_parameters_are_one_clear_error(
    ws_sim: FMGSimulator, operation: str, params: dict[str, Any], needle: str
) -> None:
    with pytest.raises(SOARError, match=needle):
        run(operation, config_for(ws_sim), params)
    assert_clean(ws_sim)


def test_unknown_operation_and_bad_params_type(ws_sim: FMGSimulator) -> None:
    with pytest.raises(SOARError, match=r"Unknown operation 'frob'.*block_ip"):
        run("frob", config_for(ws_sim), {})
    with pytest.raises(SOARError, match="mapping"):
        run("get", config_for(ws_sim), ["url"])  # type: ignore[arg-type]
    assert ws_sim.requests == []


# --- failures inside the workspace ---------------------------------------------------------------------


def test_failing_write_releases_the_lock_and_commits_nothing(ws_sim: FMGSimulator) -> None:
    with pytest.raises(SOARError, match="code -2") as caught:
        run("add", config_for(ws_sim), {"url": ADDRESS, "data": {"name": "placeholder", "comment": "dup"}})
    assert caught.value.code == -2 and "use 'set' or 'update'" in str(caught.value)
    calls = rpc_calls(ws_sim)
    assert ("exec", "dvmdb/adom/root/workspace/unlock") in calls
    assert not [call for call in calls if "workspace/commit" in call[1]]
    assert ws_sim.objects(ADDRESS + "/placeholder").get("comment", "") == ""
    assert_clean(ws_sim)


def test_failing_commit_releases_the_lock_and_drops_the_change(ws_sim: FMGSimulator) -> None:
    body = json.dumps(
        {
            "id": 1,
            "result": [
                {"status": {"code": -9, "message": "commit refused"}, "url": "/dvmdb/adom/root/workspace/commit/pkg/p2"}
            ],
        }
    ).encode()
    ws_sim.inject("raw", method="exec", url="dvmdb/adom/root/workspace/commit/pkg/p2", status=200, body=body)
    with pytest.raises(SOARError, match=r"committing workspace root/pkg/p2 failed.*nothing was saved"):
        run("add", config_for(ws_sim), {"url": POLICY_P2, "data": {"name": "lost"}})
    assert ("exec", "dvmdb/adom/root/workspace/unlock/pkg/p2") in rpc_calls(ws_sim)
    assert "lost" not in [row["name"] for row in ws_sim.objects(POLICY_P2)]
    assert_clean(ws_sim)


# --- exec and tasks ------------------------------------------------------------------------------------


def test_exec_follows_the_task_it_starts(ws_sim: FMGSimulator) -> None:
    data = {"adom": "root", "pkg": "p2", "scope": [{"name": "FGT-01", "vdom": "root"}]}
    result = run(
        "exec",
        config_for(ws_sim),
        {
            "url": "securityconsole/install/package",
            "data": data,
            "track_task": "true",
            "poll_interval": "0.05",
            "task_timeout": "30",
        },
    )
    assert result["task_id"] == result["data"]["task"] and result["task_ok"] is True
    assert result["task"]["percent"] == 100 and result["note"] == ""
    assert result["lock_scope"] == ""  # installs push committed configuration: no lock
    assert not [call for call in rpc_calls(ws_sim) if "workspace/lock" in call[1]]
    json.dumps(result)
    assert_clean(ws_sim)


def test_exec_without_tracking_returns_the_task_id_only(ws_sim: FMGSimulator) -> None:
    data = {"adom": "root", "pkg": "p2", "scope": [{"name": "FGT-01", "vdom": "root"}]}
    result = run("exec", config_for(ws_sim), {"url": "securityconsole/install/package", "data": data})
    assert isinstance(result["task_id"], int) and result["task"] == {} and result["task_ok"] is None


def test_exec_that_starts_no_task_says_why(ws_sim: FMGSimulator) -> None:
    data = {"adom": "root", "device": {"name": "FGT-NEW", "ip": "10.9.9.9"}}
    result = run("exec", config_for(ws_sim), {"url": "dvm/cmd/add/device", "data": data, "track_task": True})
    assert result["task_id"] is None and result["task_ok"] is None
    assert "No task to follow: FortiManager answered code 0 (OK)" in result["note"]
    assert result["lock_scope"] == "root" and result["committed"] is True


def test_exec_refused_says_no_task_was_started(ws_sim: FMGSimulator) -> None:
    data = {"adom": "root", "pkg": "p2"}  # no scope, and p2 is assigned to nothing
    with pytest.raises(SOARError, match="refused exec securityconsole/install/package: code -10") as caught:
        run("exec", config_for(ws_sim), {"url": "securityconsole/install/package", "data": data, "track_task": "1"})
    assert caught.value.details == {"task_started": False}


def test_task_that_does_not_finish_in_time() -> None:
    with FMGSimulator(users={"admin": PASSWORD}, task_duration=600) as slow:
        # The task starts "100 s ago" on FortiManager's clock: already past the 5 s timeout.
        slow.advance_clock(-100)
        data = {"adom": "root", "pkg": "default", "scope": [{"name": "FGT-01", "vdom": "root"}]}
        with pytest.raises(SOARError, match=r"Task \d+ did not finish: .*timed out") as caught:
            run(
                "exec",
                config_for(slow),
                {
                    "url": "securityconsole/install/package",
                    "data": data,
                    "track_task": "true",
                    "task_timeout": "5",
                    "poll_interval": "0.05",
                },
            )
        assert caught.value.details["task_id"] >= 1
        assert slow.sessions == {}


# --- free_form -----------------------------------------------------------------------------------------


def test_free_form_read_reports_each_url(ws_sim: FMGSimulator) -> None:
    params = [{"url": ADDRESS + "/placeholder"}, {"url": ADDRESS + "/nope"}]
    result = run("free_form", config_for(ws_sim), {"method": "get", "params": json.dumps(params)})
    assert [item["code"] for item in result["results"]] == [0, -3]
    assert result["code"] == -3 and result["message"] == "Object does not exist"
    assert result["results"][0]["data"]["name"] == "placeholder"


def test_free_form_write_in_one_package_locks_it_and_a_failure_commits_nothing(ws_sim: FMGSimulator) -> None:
    ok = run(
        "free_form",
        config_for(ws_sim),
        {
            "method": "add",
            "params": [{"url": POLICY_P2, "data": {"name": "ff1"}}, {"url": POLICY_P2, "data": {"name": "ff2"}}],
        },
    )
    assert ok["lock_scope"] == "root/pkg/p2" and ok["committed"] is True and ok["code"] == 0
    with pytest.raises(SOARError, match="1 of 2 URLs failed, nothing was committed") as caught:
        run(
            "free_form",
            config_for(ws_sim),
            {
                "method": "add",
                "params": [
                    {"url": ADDRESS, "data": {"name": "ff-new"}},
                    {"url": ADDRESS, "data": {"name": "placeholder"}},
                ],
            },
        )
    assert [item["code"] for item in caught.value.details["results"]] == [0, -2]
    assert "ff-new" not in [row["name"] for row in ws_sim.objects(ADDRESS)]
    assert_clean(ws_sim)


# --- install -------------------------------------------------------------------------------------------


def test_install_policy_package_in_a_folder_by_name(ws_sim: FMGSimulator) -> None:
    result = run(
        "install_policy_package",
        config_for(ws_sim),
        {"adom": "root", "package": "p1", "scope": "FGT-01[root], FGT-02", "poll_interval": "0.05"},
    )
    assert result["package"] == "f1/p1" and result["task_ok"] is True
    assert result["scope"] == [{"name": "FGT-01", "vdom": "root"}, {"name": "FGT-02"}]
    assert result["preview_result"] is None and result["note"] == ""
    assert not [call for call in rpc_calls(ws_sim) if "workspace" in call[1]]
    assert_clean(ws_sim)


def test_install_that_fails_on_a_device_reports_task_not_ok(ws_sim: FMGSimulator) -> None:
    result = run(
        "install_policy_package",
        config_for(ws_sim),
        {"package": "default", "scope": '[{"name": "FGT-99", "vdom": "root"}]', "poll_interval": "0.05"},
    )
    assert result["task_ok"] is False and result["task"]["num_err"] == 1


def test_install_preview_fetches_the_preview_when_the_task_ends(ws_sim: FMGSimulator) -> None:
    result = run(
        "install_policy_package",
        config_for(ws_sim),
        {"package": "default", "scope": "FGT-01[root]", "preview": "true", "poll_interval": "0.05"},
    )
    assert result["preview"] is True and result["task_ok"] is True
    calls = rpc_calls(ws_sim)
    order = [
        calls.index(("exec", url))
        for url in (
            "securityconsole/install/package",
            "securityconsole/install/preview",
            "securityconsole/preview/result",
        )
    ]
    assert order == sorted(order)
    install = next(r.json for r in ws_sim.requests if r.json and r.json["params"][0]["url"].endswith("package"))
    assert install["params"][0]["data"]["flags"] == ["preview"]
    # The preview text is what an install would push: here the ADOM's address objects.
    assert 'edit "all"' in result["preview_result"]["FGT-01"]["message"]


# --- IP containment ------------------------------------------------------------------------------------

GROUP = "pm/config/adom/root/obj/firewall/addrgrp/soar-blocklist"


def test_block_ip_reports_blocked_already_created_and_failed(ws_sim: FMGSimulator) -> None:
    config = config_for(ws_sim)
    first = run("block_ip", config, {"ip_addresses": "203.0.113.5, 198.51.100.0/24", "address_group": "soar-blocklist"})
    assert first["blocked"] == ["203.0.113.5", "198.51.100.0/24"]
    assert first["created"] == ["soar-block-203.0.113.5", "soar-block-198.51.100.0_24"]
    assert first["already_blocked"] == [] and first["failed"] == []
    assert first["lock_scope"] == "root" and first["committed"] is True
    again = run(
        "block_ip",
        config,
        {"ip_addresses": '["203.0.113.5", "not-an-ip", "2001:db8::1"]', "address_group": "soar-blocklist"},
    )
    assert again["blocked"] == [] and again["already_blocked"] == ["203.0.113.5"] and again["created"] == []
    assert [item["ip"] for item in again["failed"]] == ["not-an-ip", "2001:db8::1"]
    members = ws_sim.objects(GROUP)["member"]
    assert members == ["placeholder", "soar-block-203.0.113.5", "soar-block-198.51.100.0_24"]
    assert_clean(ws_sim)


def test_block_ip_flags_a_name_clash_with_another_subnet(ws_sim: FMGSimulator) -> None:
    run(
        "add", config_for(ws_sim), {"url": ADDRESS, "data": {"name": "soar-block-203.0.113.7", "subnet": "10.0.0.1/32"}}
    )
    result = run("block_ip", config_for(ws_sim), {"ip_addresses": "203.0.113.7", "address_group": "soar-blocklist"})
    assert result["blocked"] == [] and "exists with another subnet" in result["failed"][0]["reason"]


def test_unblock_ip_removes_members_and_optionally_the_objects(ws_sim: FMGSimulator) -> None:
    config = config_for(ws_sim)
    run("block_ip", config, {"ip_addresses": "203.0.113.5,203.0.113.6", "address_group": "soar-blocklist"})
    result = run(
        "unblock_ip",
        config,
        {"ip_addresses": "203.0.113.5, 203.0.113.9", "address_group": "soar-blocklist", "delete_address": "true"},
    )
    assert result["unblocked"] == ["203.0.113.5"] and result["not_blocked"] == ["203.0.113.9"]
    assert result["deleted"] == ["soar-block-203.0.113.5"] and result["failed"] == []
    assert ws_sim.objects(GROUP)["member"] == ["placeholder", "soar-block-203.0.113.6"]
    with pytest.raises(LookupError):
        ws_sim.objects(ADDRESS + "/soar-block-203.0.113.5")
    run(
        "add",
        config,
        {
            "url": "pm/config/adom/root/obj/firewall/addrgrp",
            "data": {"name": "solo", "member": ["soar-block-203.0.113.6"]},
        },
    )
    with pytest.raises(SOARError, match="would leave address group solo empty"):
        run("unblock_ip", config, {"ip_addresses": "203.0.113.6", "address_group": "solo"})
    assert ws_sim.objects(GROUP.replace("soar-blocklist", "solo"))["member"] == ["soar-block-203.0.113.6"]
    assert_clean(ws_sim)


def test_unblock_ip_reports_an_object_it_could_not_delete(ws_sim: FMGSimulator) -> None:
    config = config_for(ws_sim)
    run("block_ip", config, {"ip_addresses": "203.0.113.5,203.0.113.6", "address_group": "soar-blocklist"})
    refusal = {"status": {"code": -10, "message": "Object is in use"}, "url": ADDRESS + "/soar-block-203.0.113.5"}
    ws_sim.inject("raw", method="delete", url=ADDRESS + "/*", body=json.dumps({"result": [refusal]}))
    result = run(
        "unblock_ip",
        config,
        {"ip_addresses": "203.0.113.5", "address_group": "soar-blocklist", "delete_address": "true"},
    )
    assert result["unblocked"] == ["203.0.113.5"] and result["deleted"] == []
    assert result["failed"] == [
        {"ip": "203.0.113.5", "reason": "deleting soar-block-203.0.113.5 failed: code -10 (Object is in use)"}
    ]
    assert result["committed"] is True  # the group change is kept: the address is no longer blocked
    assert ws_sim.objects(GROUP)["member"] == ["placeholder", "soar-block-203.0.113.6"]
    assert ws_sim.objects(ADDRESS + "/soar-block-203.0.113.5")["name"] == "soar-block-203.0.113.5"
    assert_clean(ws_sim)


def test_unblock_ip_of_an_object_already_deleted_is_no_failure(ws_sim: FMGSimulator) -> None:
    config = config_for(ws_sim)
    run("block_ip", config, {"ip_addresses": "203.0.113.5,203.0.113.6", "address_group": "soar-blocklist"})
    run("delete", config, {"url": ADDRESS + "/soar-block-203.0.113.5"})  # gone behind the adapter's back
    result = run(
        "unblock_ip",
        config,
        {"ip_addresses": "203.0.113.5", "address_group": "soar-blocklist", "delete_address": "true"},
    )
    # The planner reads before it deletes: what is gone already is neither deleted again nor a failure.
    assert result["unblocked"] == ["203.0.113.5"] and result["deleted"] == [] and result["failed"] == []
    assert_clean(ws_sim)


# --- secrets -------------------------------------------------------------------------------------------


def test_secrets_never_reach_logs_or_errors(ws_sim: FMGSimulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    run("get", config_for(ws_sim, debug="true"), {"url": ADDRESS})
    with pytest.raises(SOARError) as caught:
        run("get", config_for(ws_sim, password="Zz-" + PASSWORD), {"url": ADDRESS})
    assert PASSWORD not in caplog.text and PASSWORD not in str(caught.value)
    exchanges = [r for r in caplog.records if r.name == "pyfmg.soar.exchanges"]
    assert any("sys/login/user" in r.getMessage() for r in exchanges)
    assert any(ADDRESS in r.getMessage() for r in exchanges)
    assert set(OPERATIONS) >= {"get", "block_ip"}
