"""The collection under the real ansible-playbook, against three simulated FortiManagers (forks=3).

One test walks through the life of a playbook, because each ansible-playbook run costs about a
second of start-up: first run (changes, commit, install), second run (no change anywhere), then a
check-mode run after an edit (reports, writes nothing). Failing tasks have a test (and simulators)
of their own, so that test workers can run it beside the first. After every run no ADOM is left
locked and no session is left open on any host.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    API_KEY,
    EXAMPLES,
    OTHER_ADMIN,
    PASSWORD,
    PLAYBOOKS,
    PlaybookRun,
    inventory_hosts,
    run_playbook,
    session_ids,
    write_inventory,
)

HOSTS = ("fmg1", "fmg2", "fmg3")
ADDRESSES = "pm/config/adom/root/obj/firewall/address"
# exec is allowed in a read-only run only to log in and out.
SESSION_URLS = {"sys/login/user", "/sys/login/user", "sys/logout", "/sys/logout"}


def rpc_calls(sim: Any) -> list[tuple[str, str]]:
    """(method, url) of every JSON-RPC parameter the simulator received."""
    calls = []
    for request in sim.requests:
        body = request.json
        if not isinstance(body, dict):
            continue
        for param in body.get("params") or [{}]:
            calls.append((str(body.get("method")), str(param.get("url", ""))))
    return calls


def assert_no_leftovers(sims: list[Any]) -> None:
    for number, sim in enumerate(sims, start=1):
        assert sim.locks == {}, f"fmg{number} still locked: {sim.locks}"
        assert sim.sessions == {}, f"fmg{number} still has sessions: {sim.sessions}"


def assert_no_secret(run: PlaybookRun) -> None:
    assert PASSWORD not in run.output
    assert API_KEY not in run.output


def assert_recap(run: PlaybookRun, **expected: int) -> None:
    assert set(run.recap) == set(HOSTS), run.output[-3000:]
    for host in HOSTS:
        for name, value in expected.items():
            assert run.recap[host][name] == value, f"{host} {name}: {run.recap[host]}\n{run.output[-3000:]}"


@pytest.mark.duration(15)
def test_playbook_life_on_three_fortimanagers(simulators: list[Any], tmp_path: Path) -> None:
    inventory = write_inventory(tmp_path / "inventory.yml", inventory_hosts(simulators))
    site = EXAMPLES / "site.yml"
    fast = ["-e", '{"fmg_install_scope": [{"name": "FGT-01", "vdom": "root"}], "fmg_task_poll_interval": 0.1}']

    # First run: objects created and committed, package installed, all verbose for the leak check.
    first = run_playbook(site, inventory, tmp_path, *fast, "-vvv")
    assert first.returncode == 0, first.output[-4000:]
    assert_recap(first, failed=0, unreachable=0)
    for host in HOSTS:
        assert first.recap[host]["changed"] == 4, first.recap  # 3 tasks and the install handler
    assert_no_secret(first)
    assert_no_leftovers(simulators)
    for sim in simulators:
        for sid in session_ids(sim):  # one per task: none may reach -vvv output
            assert sid not in first.output
        calls = rpc_calls(sim)
        assert ("exec", "securityconsole/install/package") in calls
        assert any(method == "exec" and url.rstrip("/").endswith("workspace/commit") for method, url in calls)
        # The policy task locks only its package; the object tasks lock the ADOM.
        assert ("exec", "/dvmdb/adom/root/workspace/lock/pkg/default") in calls
        assert any(method == "exec" and url.rstrip("/") == "/dvmdb/adom/root/workspace/lock" for method, url in calls)
        web01 = sim.objects(f"{ADDRESSES}/web01")
        assert web01["subnet"] == ["10.0.1.11", "255.255.255.255"]
        sim.clear_requests()

    # Second run: nothing to do, nothing written, on every host.
    second = run_playbook(site, inventory, tmp_path, *fast)
    assert second.returncode == 0, second.output[-4000:]
    assert_recap(second, changed=0, failed=0)
    for sim in simulators:
        writes = [call for call in rpc_calls(sim) if call[0] != "get" and call[1] not in SESSION_URLS]
        assert writes == []
        sim.clear_requests()
    assert_no_leftovers(simulators)

    # Check mode after an edit: the change is reported (with a diff) and nothing is sent.
    check = run_playbook(
        site, inventory, tmp_path, *fast, "--check", "--diff", "-e", "web_comment=edited", "--tags", "addresses"
    )
    assert check.returncode == 0, check.output[-4000:]
    assert_recap(check, failed=0)
    for host in HOSTS:
        assert check.recap[host]["changed"] == 2  # the address task and the (check-mode) install handler
    assert '+    "comment": "edited"' in check.output or "+  comment: edited" in check.output, check.output
    for sim in simulators:
        writes = [call for call in rpc_calls(sim) if call[0] != "get" and call[1] not in SESSION_URLS]
        assert writes == []
        assert sim.objects(f"{ADDRESSES}/web01")["comment"] == "web servers, managed by ansible"
        sim.clear_requests()
    assert_no_leftovers(simulators)


def test_refused_requests_fail_with_code_message_and_url(simulators: list[Any], tmp_path: Path) -> None:
    """A bad URL, data FortiManager refuses (while holding the lock), and an ADOM that another
    administrator has locked: each fails with FortiManager's code, message and URL."""
    from pyfmg import FortiManager

    inventory = write_inventory(tmp_path / "inventory.yml", inventory_hosts(simulators))
    others = [FortiManager(sim.host, *OTHER_ADMIN, use_ssl=False) for sim in simulators]
    for other in others:
        other.login()
        code, _ = other.lock_adom("branch")
        assert code == 0
    try:
        failing = run_playbook(PLAYBOOKS / "failures.yml", inventory, tmp_path, "-vvv")
        assert_no_secret(failing)
        assert_recap(failing, failed=0, ignored=1)
        failures = failing.failures()
        assert {host: len(found) for host, found in failures.items()} == {"fmg1": 1, "fmg2": 1, "fmg3": 1}
        (bad_url,), (bad_data,), (locked,) = failures["fmg1"], failures["fmg2"], failures["fmg3"]
        assert bad_url["code"] == -6, bad_url
        assert bad_url["url"].endswith("no-such-table/x") and bad_url["message"], bad_url
        assert bad_data["code"] == -10 and bad_data["url"].endswith("firewall/address"), bad_data
        assert bad_data["message"], bad_data
        assert locked["code"] == -20055, locked
        assert "lock" in locked["message"].lower() and "branch" in locked["url"], locked
        for sim in simulators:
            # Only the other administrator is left: the playbook logged out and released its locks.
            assert set(sim.sessions.values()) == {OTHER_ADMIN[0]}
            assert list(sim.locks) == ["branch"]
        # The refused write was not half-applied: its lock was released without a commit.
        with pytest.raises(LookupError):
            simulators[1].objects(ADDRESSES + "/broken")
    finally:
        for other in others:
            other.unlock_adom("branch")
            other.logout()
    assert_no_leftovers(simulators)


@pytest.mark.duration(5)
def test_rpc_info_and_install_modules(simulators: list[Any], tmp_path: Path) -> None:
    sim = simulators[0]
    hosts = inventory_hosts(simulators[:1])
    inventory = write_inventory(tmp_path / "inventory.yml", hosts)
    run = run_playbook(PLAYBOOKS / "modules.yml", inventory, tmp_path)
    assert run.returncode == 0, run.output[-4000:]
    assert run.recap["fmg1"]["failed"] == 0 and run.recap["fmg1"]["ignored"] == 1, run.recap
    calls = rpc_calls(sim)
    assert ("exec", "dvm/cmd/add/device") in calls
    assert any(url.rstrip("/") == "/dvmdb/adom/root/workspace/lock" for _, url in calls)  # from data.adom
    assert ("add", "pm/config/adom/root/obj/firewall/address") not in calls
    assert any(row["name"] == "FGT-NEW" for row in sim.objects("dvmdb/adom/root/device"))
    assert_no_leftovers([sim])
