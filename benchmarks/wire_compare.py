"""Compare the bytes pyfmg and pyFMG 0.8.6.3 send for the same calls (run by hand, not in CI).

    pip download --no-deps pyfmg==0.8.6.3 -d /tmp/ref && unzip -o /tmp/ref/*.whl -d /tmp/ref/whl
    python benchmarks/wire_compare.py /tmp/ref/whl/pyFMG/fortimgr.py

pyFMG is loaded by path under another module name, so both can live in one process. Prints
IDENTICAL or each differing body, for a password, a verbose and an API-key session.
"""

import importlib.util
import json
import sys

import responses

import pyfmg

spec = importlib.util.spec_from_file_location("legacy_fortimgr", sys.argv[1])
legacy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(legacy)


def run(cls, **kw):
    bodies = []

    def cb(req):
        b = json.loads(req.body)
        bodies.append((req.body, dict(req.headers)))
        url = b.get("params", [{}])[0].get("url") if isinstance(b, dict) and "params" in b else None
        res = {"status": {"code": 0, "message": "OK"}, "url": url}
        if url == "/cli/global/system/global":
            res["data"] = {"workspace-mode": 1, "adom-status": 1}
        return 200, {}, json.dumps({"id": b.get("id"), "result": [res], "session": "SID"})

    with responses.RequestsMock() as r:
        r.add_callback(responses.POST, "https://h/jsonrpc", callback=cb)
        f = cls("h", "admin", "pw", **kw) if "apikey" not in kw else cls("h", **kw)
        f.login()
        f.get("pm/config/adom/root/obj/firewall/address", fields=["name"], filter=["name", "==", "x"])
        f.add("pm/config/adom/root/obj/firewall/address", allow__routing=0, fake___attribute="any", name="n")
        f.add("grp/member", data=["a", "b"])
        f.set("u", {"a": 1}, b__c=2)
        f.update("u", name="x")
        f.delete("u")
        f.replace("u", name="x")
        f.clone("u", name="y")
        f.execute("securityconsole/install/package", adom="root", pkg="p", scope=[{"name": "d", "vdom": "root"}])
        f.move("u", option="before", target="3")
        f.unset("u", data=["member"])
        f.free_form("get", data=[{"url": "a"}, {"url": "b"}])
        f.free_form("exec", create_task={"adom": "root"}, data=[{"url": "a"}])
        f.lock_adom("root")
        f.lock_adom()
        f.lock_adom("global")
        f.commit_changes("root")
        f.commit_changes("root", aux=True)
        f.commit_changes("global")
        f.commit_changes()
        f.unlock_adom("root")
        f.unlock_adom("global")
        f.unlock_adom()
        f.logout()
    return bodies


for kw in ({}, {"verbose": True}, {"apikey": "keykeykey1234"}):
    a = run(legacy.FortiManager, **kw)
    b = run(pyfmg.FortiManager, **kw)
    da = [x[0] for x in a]
    db = [x[0] for x in b]
    if "apikey" in kw:  # session is random
        da = [json.dumps({k: v for k, v in json.loads(x).items() if k != "session"}) for x in da]
        db = [json.dumps({k: v for k, v in json.loads(x).items() if k != "session"}) for x in db]
    print(kw, len(da), len(db), "IDENTICAL" if da == db else "DIFF")
    for x, y in zip(da, db):
        if x != y:
            print(" legacy:", x, "\n ours:  ", y)
    ha = [(h.get("content-type"), h.get("Authorization")) for _, h in a]
    hb = [(h.get("content-type"), h.get("Authorization")) for _, h in b]
    print(" headers", "same" if ha == hb else f"DIFF {ha[:2]} {hb[:2]}")


# The same calls over a loopback socket, bytes as they leave each client (request line, headers in
# order, body): with an untouched session pyfmg takes its direct route to requests' urllib3 pool.
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from tests.loopback import LoopbackServer  # noqa: E402


def raw_run(cls, server, **kw):
    start = len(server.requests)
    f = cls(server.host, "admin", "pw", use_ssl=False, check_adom_workspace=False, **kw)
    f.login()
    f.get("pm/config/adom/root/obj/firewall/address", fields=["name"], filter=["name", "==", "x"])
    f.add("pm/config/adom/root/obj/firewall/address", allow__routing=0, name="n", subnet="10.0.0.1/32")
    f.execute("securityconsole/install/package", adom="root", pkg="p", scope=[{"name": "d", "vdom": "root"}])
    f.free_form("get", data=[{"url": "a"}, {"url": "b"}])
    f.logout()
    return server.requests[start:]


with LoopbackServer() as server:
    for kw in ({}, {"verbose": True}):
        theirs = raw_run(legacy.FortiManager, server, **kw)
        ours = raw_run(pyfmg.FortiManager, server, **kw)
        print("raw bytes", kw, len(theirs), len(ours), "IDENTICAL" if theirs == ours else "DIFF")
        for x, y in zip(theirs, ours):
            if x != y:
                print(" legacy:", x, "\n ours:  ", y)
