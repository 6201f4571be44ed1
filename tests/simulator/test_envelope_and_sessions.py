from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from pyfmg.testing import FMGSimulator

from .conftest import ADDRESSES, Rpc


def test_login_returns_token_only_on_success(sim: FMGSimulator) -> None:
    caller = Rpc(sim)
    bad = caller.login(passwd="wrong")
    assert bad["result"][0]["status"] == {"code": -22, "message": "Login fail"}
    assert "session" not in bad
    good = caller.login()
    assert good["result"][0] == {"status": {"code": 0, "message": "OK"}, "url": "sys/login/user"}
    assert "data" not in good["result"][0]
    assert sim.sessions == {good["session"]: "admin"}


def test_login_accepts_one_item_list(sim: FMGSimulator) -> None:
    caller = Rpc(sim)
    reply = caller.send("exec", {"url": "/sys/login/user", "data": [{"user": "admin", "passwd": "password"}]})
    assert reply["result"][0]["status"]["code"] == 0
    assert reply["session"] in sim.sessions


def test_id_is_echoed_and_omitted_when_absent(rpc: Rpc) -> None:
    assert rpc.send("get", {"url": "sys/status"})["id"] == 7
    reply = rpc.raw({"method": "get", "params": [{"url": "sys/status"}], "session": rpc.token}).json()
    assert "id" not in reply
    reply = rpc.raw({"id": "abc", "method": "get", "params": [{"url": "sys/status"}], "session": rpc.token}).json()
    assert reply["id"] == "abc"


def test_multi_param_results_in_order_with_url_verbatim(rpc: Rpc) -> None:
    reply = rpc.send(
        "get",
        {"url": "/pm/config/adom/root/obj/firewall/address/all/"},
        {"url": "pm/config/adom/root/obj/firewall/address/missing"},
        {"url": "/no/such/thing"},
    )
    urls = [r["url"] for r in reply["result"]]
    codes = [r["status"]["code"] for r in reply["result"]]
    assert urls == ["/pm/config/adom/root/obj/firewall/address/all/", f"{ADDRESSES}/missing", "/no/such/thing"]
    assert codes == [0, -3, -6]
    assert reply["result"][0]["data"]["name"] == "all"
    assert reply["session"] == rpc.sim._sessions.resolve(rpc.token).sid  # numeric, as on error replies


def test_bad_and_missing_session_get_no_permission(sim: FMGSimulator) -> None:
    caller = Rpc(sim)
    caller.token = "forged"
    reply = caller.send("get", {"url": "sys/status"}, {"url": "dvmdb/adom"})
    assert [r["status"] for r in reply["result"]] == [{"code": -11, "message": "No permission for the resource"}] * 2
    caller.token = None
    assert caller.one("get", "sys/status")[0] == -11


def test_logout_ends_the_session(rpc: Rpc, sim: FMGSimulator) -> None:
    assert rpc.send("exec", {"url": "sys/logout"})["result"][0] == {
        "status": {"code": 0, "message": "OK"},
        "url": "sys/logout",
    }
    assert sim.sessions == {}
    assert rpc.one("get", "sys/status")[0] == -11


@pytest.mark.sim(session_idle_timeout=60, workspace_mode="normal")
def test_idle_session_expires_and_drops_its_locks(rpc: Rpc, sim: FMGSimulator) -> None:
    assert rpc.one("exec", "/dvmdb/adom/root/workspace/lock")[0] == 0
    sim.advance_clock(30)
    assert rpc.one("get", "sys/status")[0] == 0  # activity keeps it alive
    sim.advance_clock(61)
    assert sim.locks == {}
    assert rpc.one("get", "sys/status")[0] == -11


@pytest.mark.sim(api_keys=("KEY-1",))
def test_api_key_needs_no_login_and_ignores_session(sim: FMGSimulator) -> None:
    caller = Rpc(sim)
    caller.headers = {"Authorization": "Bearer KEY-1"}
    caller.token = "whatever-uuid-1234"
    assert caller.one("get", "sys/status")[0] == 0
    assert caller.one("exec", "sys/logout")[0] == 0
    assert caller.one("get", "sys/status")[0] == 0  # a key has no session to end
    caller.headers = {"Authorization": "Bearer WRONG"}
    assert caller.one("get", "sys/status")[0] == -11
    assert caller.one("get", "sys/status", access_token="KEY-1")[0] == -11


def test_non_json_body_and_other_paths(sim: FMGSimulator) -> None:
    reply = requests.post(sim.url, data=b"{not json", timeout=5)
    assert reply.status_code == 200
    assert reply.json()["result"][0]["status"]["code"] == -1
    assert requests.post(sim.url.replace("/jsonrpc", "/other"), json={}, timeout=5).status_code == 404
    assert requests.get(sim.url, timeout=5).status_code == 405


def test_every_request_is_recorded(rpc: Rpc, sim: FMGSimulator) -> None:
    sim.clear_requests()
    rpc.send("get", {"url": "sys/status"})
    (recorded,) = sim.requests
    assert recorded.http_method == "POST"
    assert recorded.path == "/jsonrpc"
    assert recorded.json["params"] == [{"url": "sys/status"}]
    assert b'"sys/status"' in recorded.body
    assert recorded.headers["Content-Type"] == "application/json"


def test_unknown_method_and_url(rpc: Rpc) -> None:
    assert rpc.one("frobnicate", ADDRESSES)[0] == -9
    assert rpc.one("get", "pm/config/adom/nosuchadom/obj/firewall/address")[0] == -6
    assert rpc.one("get", "pm/config/adom/root/obj/firewall/nosuchtable")[0] == -6
    assert rpc.one("exec", "some/unknown/command")[0] == -6


def test_parallel_sessions_do_not_lose_writes(sim: FMGSimulator) -> None:
    def worker(index: int) -> list[int]:
        caller = Rpc(sim)
        caller.login()
        codes = [caller.one("add", ADDRESSES, data={"name": f"w{index}-{n}"})[0] for n in range(10)]
        caller.send("exec", {"url": "sys/logout"})
        caller.close()
        return codes

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(worker, range(6)))
    assert all(code == 0 for codes in results for code in codes)
    assert len(sim.objects(ADDRESSES)) == 2 + 60
    assert sim.sessions == {}


def test_malformed_envelope_gets_a_bare_result_object(rpc: Rpc) -> None:
    for body in ({"id": 1, "method": "get"}, {"id": 1, "params": [{"url": "sys/status"}]}, [1, 2]):
        reply = rpc.raw(body).json()
        assert reply["result"] == {"status": {"code": -10, "message": "The data is invalid for selected url"}}


@pytest.mark.sim(max_sessions=2)
def test_sessions_that_are_never_closed_exhaust_the_login_limit(sim: FMGSimulator) -> None:
    callers = [Rpc(sim) for _ in range(3)]
    assert [c.login()["result"][0]["status"]["code"] for c in callers] == [0, 0, -23]
    assert callers[2].login()["result"][0]["status"]["message"] == "Reach login limit"
    callers[0].send("exec", {"url": "sys/logout"})
    assert callers[2].login()["result"][0]["status"]["code"] == 0


def test_every_call_is_listed_with_the_status_it_got(sim: FMGSimulator) -> None:
    caller = Rpc(sim)
    caller.login(passwd="wrong")
    caller.login()
    caller.send("get", {"url": "sys/status"}, {"url": ADDRESSES + "/missing"})
    caller.raw({"method": "get", "params": "not a list", "session": caller.token})
    sim.inject("http_502_html", url="sys/status")
    caller.raw({"method": "get", "params": [{"url": "sys/status"}], "session": caller.token})
    assert [(call.method, call.url, call.code) for call in sim.calls] == [
        ("exec", "sys/login/user", -22),
        ("exec", "sys/login/user", 0),
        ("get", "sys/status", 0),
        ("get", ADDRESSES + "/missing", -3),
        ("get", "", -10),  # a malformed request: one status for the whole of it
    ]  # the faulted request was not answered by the simulator: not listed
    assert sim.calls[0].message == "Login fail" and "secret" not in repr(sim.calls)
    sim.clear_requests()
    assert sim.calls == [] and sim.requests == []


@pytest.mark.sim(request_history=2)
def test_the_call_list_is_bounded_like_the_request_history(rpc: Rpc, sim: FMGSimulator) -> None:
    rpc.send("get", *({"url": f"{ADDRESSES}/a{number}"} for number in range(3)))
    assert [call.url for call in sim.calls] == [f"{ADDRESSES}/a1", f"{ADDRESSES}/a2"]


@pytest.mark.sim(task_duration=0.0)
def test_tasks_lists_every_task(rpc: Rpc, sim: FMGSimulator) -> None:
    scope = [{"name": "FGT-01", "vdom": "root"}]
    first = rpc.send(
        "exec", {"url": "securityconsole/install/package", "data": {"adom": "root", "pkg": "default", "scope": scope}}
    )
    second = rpc.send(
        "exec", {"url": "securityconsole/install/package", "data": {"adom": "root", "pkg": "default", "scope": scope}}
    )
    ids = [reply["result"][0]["data"]["task"] for reply in (first, second)]
    assert [task["id"] for task in sim.tasks()] == ids
    assert sim.tasks()[0] == sim.task(ids[0])
