"""Fortinet's own fortinet.fortimanager collection, unchanged, against the simulator.

The play of docs/ansible.rst in Fortinet's dialect (tests/ansible/playbooks/realistic_fortinet.yml)
runs with Fortinet's httpapi plugin and modules, as the ``ansible`` package ships them: it creates
on one FortiManager while another runs it in check mode, then runs again on the first. At login
Fortinet's plugin reads the ADOM list and asks each ADOM it finds for its workspace lockinfo;
the simulator answers as a FortiManager does, so the plugin sees the ADOMs and the play passes.
The same play in pyfmg's dialect (realistic_pyfmg.yml) runs alongside, on a third FortiManager,
at the same time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import NETCOMMON_ROOT, PASSWORD, PLAYBOOKS, httpapi_hosts, login_count, run_playbooks, write_inventory
from .test_httpapi import ADDRESSES, assert_clean, writes

PLAY = PLAYBOOKS / "realistic_fortinet.yml"
OURS = PLAYBOOKS / "realistic_pyfmg.yml"


def fortinet_hosts(sims: list[Any]) -> dict[str, dict[str, Any]]:
    if (
        NETCOMMON_ROOT is None
        or not (Path(NETCOMMON_ROOT) / "ansible_collections" / "fortinet" / "fortimanager").is_dir()
    ):
        pytest.skip("needs the fortinet.fortimanager and ansible.netcommon collections (pip install ansible)")
    hosts = httpapi_hosts(sims, network_os="fortinet.fortimanager.fortimanager")
    return {name: dict(host, check=name == "fmg2") for name, host in hosts.items()}


def fortinet_supports_check_mode() -> bool:
    """Whether Fortinet's modules take part in check mode: those of collection 2.3 (ansible 8, the last
    release on Python 3.9) declare ``supports_check_mode=False``, so Ansible skips them in check mode."""
    modules = Path(str(NETCOMMON_ROOT), "ansible_collections", "fortinet", "fortimanager", "plugins", "modules")
    return "supports_check_mode=True" in (modules / "fmgr_firewall_address.py").read_text()


def request_counts(sim: Any) -> tuple[int, int]:
    """(requests besides task polls, task polls): polls depend on how long the simulator's tasks take."""
    polls = sum(
        1
        for request in sim.requests
        if isinstance(request.json, dict)
        and request.json.get("method") == "get"
        and str(request.json["params"][0].get("url", "")).strip("/").startswith("task/task/")
    )
    return len(sim.requests) - polls, polls


def lockinfo_urls(sim: Any) -> list[str]:
    return [
        str(request.json["params"][0]["url"])
        for request in sim.requests
        if isinstance(request.json, dict)
        and str(request.json["params"][0].get("url", "")).rstrip("/").endswith("lockinfo")
    ]


@pytest.mark.duration(45)
def test_fortinets_play_creates_reruns_and_checks_against_the_simulator(simulators: list[Any], tmp_path: Path) -> None:
    created, checked, ours = simulators
    hosts = fortinet_hosts([created, checked])
    hosts["fmg3"] = httpapi_hosts([ours])["fmg1"]
    inventory = write_inventory(tmp_path / "inventory.yml", hosts)
    for sim in simulators:
        with sim_client(sim) as fmg, fmg.workspace("root"):
            assert fmg.add(ADDRESSES, data={"name": "legacy-web", "subnet": "10.9.9.9/32"})[0] == 0
        sim.clear_requests()
    # The docs' plays as they are, but fmg2 runs Fortinet's in check mode (a play keyword read per
    # host, so the tasks that skip in check mode ask the host's variable, not ansible_check_mode),
    # and fmg3 runs pyfmg's.
    play = yaml.safe_load(PLAY.read_text())
    play[0].update(hosts="fmg1:fmg2", check_mode="{{ check }}")
    for step in play[0]["tasks"]:
        if step.get("when") == "not ansible_check_mode":
            step["when"] = "not check"
    mine = yaml.safe_load(OURS.read_text())
    mine[0]["hosts"] = "fmg3"
    # Two ansible-playbook runs at once share the work directory: each names its connections'
    # sockets after its own process, and a deeper directory would make them too long for AF_UNIX.
    (tmp_path / "fortinet.yml").write_text(json.dumps(play))
    (tmp_path / "pyfmg.yml").write_text(json.dumps(mine))
    plays = [(tmp_path / "fortinet.yml", inventory, tmp_path), (tmp_path / "pyfmg.yml", inventory, tmp_path)]

    first, first_ours = run_playbooks(plays, timeout=300)
    assert first.returncode == 0, first.output[-4000:]
    assert first.recap["fmg1"]["failed"] == 0 and first.recap["fmg1"]["changed"] == 10, first.recap
    assert first_ours.returncode == 0, first_ours.output[-4000:]
    assert first_ours.recap["fmg3"]["failed"] == 0 and first_ours.recap["fmg3"]["changed"] == 8, first_ours.recap
    # At login Fortinet's plugin read the ADOMs and asked every one for its lock (root, global, branch);
    # fmg2 logs in only where Fortinet's modules run in check mode rather than being skipped.
    fortinets = [created, checked] if fortinet_supports_check_mode() else [created]
    for sim in fortinets:
        assert {url.strip("/") for url in lockinfo_urls(sim)} == {
            "dvmdb/adom/root/workspace/lockinfo",
            "dvmdb/global/workspace/lockinfo",
            "dvmdb/adom/branch/workspace/lockinfo",
        }
    for sim in [*fortinets, ours]:
        assert login_count(sim) == 1
    # Requests per host (docs/ansible.rst): ours are login, mode check, facts, lock, one read per
    # object (the table's syntax in the same request as its first read), one write per object,
    # commit, unlock, the generic read, two installs, logout; Fortinet's add its ADOM inspection at
    # login, one lock and a commit at logout. Each install is then polled until it ends (ours by
    # pyfmg's track_task, Fortinet's by the play's until loop). Fortinet's count is that of collection
    # 2.11 (ansible 12); the 2.3 of ansible 8 (Python 3.9) sends more.
    assert request_counts(ours)[0] == 24 and request_counts(created)[0] >= 29, (
        request_counts(ours),
        request_counts(created),
    )
    assert len(ours.requests) <= len(created.requests) and request_counts(ours)[1] <= 6
    for sim in (created, ours):
        assert sim.objects(f"{ADDRESSES}/dhcp-pool")["end-ip"] == "10.0.9.50"
        assert sim.objects("pm/config/adom/root/obj/firewall/addrgrp/web")["member"] == ["web01", "web02"]
        assert sim.objects("pm/config/adom/root/pkg/default/firewall/policy/10")["dstaddr"] == ["web"]
        assert not any(row["name"] == "legacy-web" for row in sim.objects(ADDRESSES))
        assert ("exec", "securityconsole/install/package") in writes(sim)
    # Check mode: Fortinet's modules read and compare, and write nothing.
    assert first.recap["fmg2"]["failed"] == 0, first.output[-4000:]
    assert [w for w in writes(checked) if "workspace" not in w[1]] == [], writes(checked)
    assert not any(row["name"] == "web01" for row in checked.objects(ADDRESSES))
    assert_clean(simulators)

    for sim in simulators:
        sim.clear_requests()
    again, again_ours = run_playbooks([(*plays[0], "--limit", "fmg1"), plays[1]], timeout=300)
    assert again.returncode == 0, again.output[-4000:]
    assert again_ours.returncode == 0, again_ours.output[-4000:]
    # Fortinet's rerun reports the read and both installs; pyfmg's only the install.
    assert again.recap["fmg1"]["failed"] == 0 and again.recap["fmg1"]["changed"] == 3, again.recap
    assert again_ours.recap["fmg3"]["failed"] == 0 and again_ours.recap["fmg3"]["changed"] == 1, again_ours.recap
    assert [w for w in writes(ours) if w[0] != "exec"] == []
    assert login_count(created) == 1 and login_count(ours) == 1
    # Rerun: the same reads, a lock and an unlock with nothing to commit; Fortinet's is as before.
    assert request_counts(ours)[0] == 16 and request_counts(created)[0] >= 23, (
        request_counts(ours),
        request_counts(created),
    )
    assert len(ours.requests) <= len(created.requests)
    assert_clean(simulators)


def sim_client(sim: Any) -> Any:
    from pyfmg import FortiManager

    return FortiManager(sim.host, "admin", PASSWORD, use_ssl=False)
