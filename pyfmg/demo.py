"""``pyfmg demo``: a realistic session against an embedded simulator, narrated as it happens."""

from __future__ import annotations

import json
from typing import Any, TextIO

from pyfmg import FortiManager
from pyfmg.cli.tasks import follow_task, task_failed
from pyfmg.testing import FMGSimulator

ADOM = "root"
ADDRESSES = f"pm/config/adom/{ADOM}/obj/firewall/address"
GROUPS = f"pm/config/adom/{ADOM}/obj/firewall/addrgrp"
POLICIES = f"pm/config/adom/{ADOM}/pkg/default/firewall/policy"


class Narrator:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.step = 0

    def say(self, text: str) -> None:
        self.step += 1
        self.out.write(f"\n[{self.step}] {text}\n")
        self.out.flush()

    def show(self, call: str, reply: Any) -> Any:
        code, data = reply
        self.out.write(f"    {call}\n    -> code {code}: {json.dumps(data)}\n")
        self.out.flush()
        if code != 0:
            raise RuntimeError(f"{call} answered code {code}")
        return data


def run_demo(out: TextIO, progress: TextIO, task_duration: float = 4.0) -> int:
    """Log in, lock, add two addresses, a group and a policy, commit, install, follow the task, log out."""
    narrator = Narrator(out)
    with FMGSimulator(workspace_mode="normal", task_duration=task_duration) as sim:
        out.write(f"FortiManager simulator running at {sim.url} (workspace mode: normal)\n")
        narrator.say("Log in as admin (the simulator's test account)")
        with FortiManager(sim.host, "admin", "password", use_ssl=False) as fmg:
            out.write(f"    logged in; workspace mode detected: {fmg.workspace_mode}\n")
            narrator.say(f"Lock ADOM {ADOM!r}; commit and unlock when the block ends")
            with fmg.workspace(ADOM):
                out.write(f"    locks held by this session: {fmg.locked_scopes}\n")
                narrator.say("Add two addresses and a group")
                narrator.show(
                    "add web-01 10.0.10.11/32",
                    fmg.add(ADDRESSES, name="web-01", subnet=["10.0.10.11", "255.255.255.255"]),
                )
                narrator.show(
                    "add web-02 10.0.10.12/32",
                    fmg.add(ADDRESSES, name="web-02", subnet=["10.0.10.12", "255.255.255.255"]),
                )
                narrator.show("add group web-servers", fmg.add(GROUPS, name="web-servers", member=["web-01", "web-02"]))
                narrator.say("Allow HTTPS to the group in policy package 'default'")
                narrator.show(
                    "add policy allow-web",
                    fmg.add(
                        POLICIES,
                        name="allow-web",
                        srcintf=["any"],
                        dstintf=["any"],
                        srcaddr=["all"],
                        dstaddr=["web-servers"],
                        service=["HTTPS"],
                        schedule=["always"],
                        action="accept",
                    ),
                )
                narrator.say("Commit (happens as the workspace block ends), then unlock")
            out.write(f"    locks held now: {fmg.locked_scopes or 'none'}\n")
            group = narrator.show("get the committed group", fmg.get(f"{GROUPS}/web-servers", fields=["member"]))
            if group.get("member") != ["web-01", "web-02"]:
                raise RuntimeError(f"the group was not committed as expected: {group}")
            narrator.say("Install package 'default' on FGT-01 and FGT-02")
            scope = [{"name": "FGT-01", "vdom": "root"}, {"name": "FGT-02", "vdom": "root"}]
            reply = narrator.show(
                "exec securityconsole/install/package",
                fmg.execute("securityconsole/install/package", adom=ADOM, pkg="default", scope=scope, flags=["none"]),
            )
            narrator.say(f"Follow task {reply['task']}")
            task = follow_task(fmg, int(reply["task"]), progress, interval=0.2, wait=task_duration + 30)
            for line in task["line"]:
                out.write(f"    {line['name']}: {line['detail']}\n")
            narrator.say("Log out (the client releases anything still locked first)")
        out.write(f"    sessions left on the FortiManager: {len(sim.sessions)}\n")
    ok = not task_failed(task)
    out.write("\nDemo finished: " + ("install succeeded.\n" if ok else "install reported errors.\n"))
    return 0 if ok else 1
