"""The collection under ``connection: httpapi`` (ansible.netcommon) with pyfmg's httpapi plugin.

A thirty-task play logs in once, converges and never prints a secret with ``-vvv``; in check mode,
on two hosts, it reports no change where it converged and what it would create elsewhere, without
writing. A task that fails in the middle leaves no lock and no session,
and the host that did not fail goes on to install its package through the same session. A play
written for fortinet.fortimanager (fmgr_generic / fmgr_fact) runs with only its module names changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    API_KEY,
    PASSWORD,
    PLAYBOOKS,
    PlaybookRun,
    httpapi_hosts,
    login_count,
    run_playbook,
    session_ids,
    write_inventory,
)

HOSTS = ("fmg1", "fmg2", "fmg3")
ADDRESSES = "pm/config/adom/root/obj/firewall/address"
SESSION_URLS = {"sys/login/user", "sys/logout"}
THIRTY = PLAYBOOKS / "httpapi_thirty.yml"


def writes(sim: Any) -> list[tuple[str, str]]:
    found = []
    for request in sim.requests:
        body = request.json
        if not isinstance(body, dict) or body.get("method") == "get":
            continue
        for param in body.get("params") or [{}]:
            url = str(param.get("url", "")).strip("/")
            if url not in SESSION_URLS:
                found.append((str(body.get("method")), url))
    return found


def assert_clean(sims: list[Any]) -> None:
    for number, sim in enumerate(sims, start=1):
        assert sim.locks == {}, f"fmg{number} still locked: {sim.locks}"
        assert sim.sessions == {}, f"fmg{number} still has sessions: {sim.sessions}"


def assert_no_secret(run: PlaybookRun, sims: list[Any]) -> None:
    assert PASSWORD not in run.output
    assert API_KEY not in run.output
    for sim in sims:
        for sid in session_ids(sim):
            assert sid not in run.output, "a session id reached the output"


@pytest.mark.duration(30)
def test_thirty_task_play_logs_in_once_then_check_mode_changes_nothing(simulators: list[Any], tmp_path: Path) -> None:
    converged, fresh = simulators[:2]
    inventory = write_inventory(tmp_path / "inventory.yml", httpapi_hosts([converged, fresh]))
    run = run_playbook(THIRTY, inventory, tmp_path, "-vvv", "--limit", "fmg1", timeout=300)
    assert run.returncode == 0, run.output[-4000:]
    assert_no_secret(run, [converged])
    assert run.recap["fmg1"]["failed"] == 0 and run.recap["fmg1"]["changed"] == 24, run.recap
    assert login_count(converged) == 1
    assert converged.objects(f"{ADDRESSES}/host20")["comment"] == "managed over httpapi"
    # Every write was locked and committed inside the one session.
    assert sum(1 for _, url in writes(converged) if "workspace/commit" in url) == 24
    converged.clear_requests()
    assert fresh.requests == []
    assert_clean([converged, fresh])

    # Again, in check mode with --diff, the six "quick" tasks (addresses, a group, the policy,
    # reads), on both hosts at once, each through its own connection: on the converged host
    # nothing would change, on the empty one two addresses, a group and a policy would be
    # created; neither gets a write.
    again = run_playbook(THIRTY, inventory, tmp_path, "--check", "--diff", "--tags", "quick", timeout=300)
    assert again.returncode == 0, again.output[-4000:]
    assert again.recap["fmg1"]["changed"] == 0 and again.recap["fmg1"]["ok"] == 6, again.recap
    assert again.recap["fmg2"]["changed"] == 4 and again.recap["fmg2"]["failed"] == 0, again.recap
    assert '"comment": "managed over httpapi"' in again.output, again.output[-3000:]
    for sim in (converged, fresh):
        assert writes(sim) == [] and login_count(sim) == 1
    assert not any(row["name"] == "host01" for row in fresh.objects(ADDRESSES))
    assert_clean([converged, fresh])


@pytest.mark.duration(12)
def test_failing_task_releases_locks_and_closes_the_session(simulators: list[Any], tmp_path: Path) -> None:
    """Attributes that do not fit the schema and an unknown option are refused before anything is
    sent; then fmg1 fails inside a workspace block (fmg_workspace), fmg2 on a missing table while
    holding a lock of its own, fmg3 goes through its block, commits and installs."""
    sims = simulators
    inventory = write_inventory(tmp_path / "inventory.yml", httpapi_hosts(sims))
    run = run_playbook(PLAYBOOKS / "httpapi_failure.yml", inventory, tmp_path, "-vvv")
    assert_no_secret(run, sims)
    assert run.returncode != 0
    assert run.recap["fmg1"]["failed"] == 1 and run.recap["fmg2"]["failed"] == 1, run.recap
    assert run.recap["fmg3"]["failed"] == 0 and run.recap["fmg3"]["ok"] == 11, run.recap
    assert {host: counts["ignored"] for host, counts in run.recap.items()} == dict.fromkeys(HOSTS, 2), run.recap
    failures = run.failures()
    # Each host's first two failures are the refusals it ignored; the third stopped the play.
    assert {host: len(found) for host, found in failures.items()} == {"fmg1": 3, "fmg2": 3, "fmg3": 2}
    refused = failures["fmg1"][-1]
    assert refused["code"] == -10 and refused["url"].endswith("firewall/address"), refused
    # fmg1's failure says what its block wrote and had not committed; the play's end dropped it.
    assert refused["uncommitted"] == {"root": [f"created {ADDRESSES}/before-failure"]}, refused
    assert not any(row["name"] == "before-failure" for row in sims[0].objects(ADDRESSES))
    missing = failures["fmg2"][-1]
    assert missing["code"] == -6 and "uncommitted" not in missing, missing
    # The task after the failure never ran on the failed hosts; the one before it did (fmg2 locks
    # and commits per task, so its address stays).
    assert sims[1].objects(f"{ADDRESSES}/before-failure")["subnet"] == ["10.9.0.1", "255.255.255.255"]
    for sim in sims[:2]:
        assert not any(row["name"] == "after-failure" for row in sim.objects(ADDRESSES))
    assert {"before-failure", "after-failure"} <= {row["name"] for row in sims[2].objects(ADDRESSES)}
    # fmg3: one lock, one commit for its three addresses.
    assert [url.rsplit("/", 1)[-1] for _, url in writes(sims[2]) if "/workspace/" in url] == [
        "lock",
        "commit",
        "unlock",
    ]
    # fmg_install through the connection: the install ran and its task was followed.
    assert ("exec", "securityconsole/install/package") in writes(sims[2])
    assert all(("exec", "securityconsole/install/package") not in writes(sim) for sim in sims[:2])
    # The password a task gave is masked in its -vvv result (the task's invocation), as a module's is.
    assert '"password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"' in run.output
    # The attributes that did not fit the schema were never sent: the object was read (with the
    # table's syntax, in one request), then nothing locked or written.
    for sim in sims:
        assert not any(row["name"] in ("bad-enum", "no-such-option") for row in sim.objects(ADDRESSES))
        assert not any("bad-enum" in str(request.json) for request in sim.requests if request.json["method"] != "get")
    # The refused write was rolled back, not committed, and its lock released.
    assert not any(row["name"] == "broken" for row in sims[0].objects(ADDRESSES))
    for sim in sims:
        assert login_count(sim) == 1
    assert_clean(sims)


#: The only edit a fortinet.fortimanager play needs (besides ansible_network_os in the inventory).
MODULE_NAMES = {
    "fortinet.fortimanager.fmgr_generic": "pyfmg.fortimanager.fmg_rpc",
    "fortinet.fortimanager.fmgr_fact": "pyfmg.fortimanager.fmg_info",
}


@pytest.mark.duration(6)
def test_fortinet_style_play_runs_with_only_module_names_changed(simulators: list[Any], tmp_path: Path) -> None:
    sim = simulators[0]
    inventory = write_inventory(tmp_path / "inventory.yml", httpapi_hosts([sim]))
    play = (PLAYBOOKS / "fortinet_original.yml").read_text()
    for theirs, ours in MODULE_NAMES.items():
        play = play.replace(f"      {theirs}:", f"      {ours}:")
    assert "      fortinet.fortimanager." not in play
    (tmp_path / "play.yml").write_text(play)
    run = run_playbook(tmp_path / "play.yml", inventory, tmp_path, "-vvv")
    assert run.returncode == 0, run.output[-4000:]
    assert run.recap["fmg1"]["failed"] == 0 and run.recap["fmg1"]["ok"] == 8, run.recap
    assert_no_secret(run, [sim])
    assert sim.objects(f"{ADDRESSES}/fortinet-style-1")["comment"] == "added the fmgr_generic way"
    group = sim.objects("pm/config/adom/root/obj/firewall/addrgrp/fortinet-style")
    assert group["member"] == ["fortinet-style-1", "fortinet-style-2"]
    # workspace_locking_adom: the whole ADOM was locked and committed around each write.
    assert sum(1 for _, url in writes(sim) if url == "dvmdb/adom/root/workspace/commit") == 3
    assert login_count(sim) == 1
    assert_clean([sim])
