"""One client shared by many threads: every call gets its own reply, id and debug record."""

from __future__ import annotations

import threading
from typing import Any

from pyfmg import FortiManager

from .fakefmg import FakeFMG, ok

THREADS = 8
CALLS = 40


def _echo(method: str, params: list[Any], body: dict[str, Any]) -> Any:
    if method != "get" or not params[0]["url"].startswith("/echo/"):
        return None
    return {"id": body["id"], "result": [ok({"url": params[0]["url"], "id": body["id"]}, params[0]["url"])]}


def _run_threads(target: Any) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def guarded(n: int) -> None:
        try:
            start.wait()
            target(n)
        except BaseException as err:  # collected and re-checked in the main thread
            errors.append(err)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_eight_threads_each_get_their_own_replies(fmg: FortiManager, fake: FakeFMG) -> None:
    fake.on(_echo)
    seen_ids: list[int] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        for i in range(CALLS):
            url = f"/echo/{n}/{i}"
            code, data = fmg.get(url)
            assert code == 0 and data["url"] == url
            record = fmg.req_resp_object
            assert record.request_json["params"][0]["url"] == url
            assert record.response_json["id"] == record.request_json["id"] == data["id"]
            with lock:
                seen_ids.append(data["id"])

    assert _run_threads(worker) == []
    assert len(seen_ids) == THREADS * CALLS
    assert len(set(seen_ids)) == len(seen_ids), "two calls were sent with the same request id"


def test_each_thread_sees_only_its_own_last_exchange(fmg: FortiManager, fake: FakeFMG) -> None:
    fake.on(_echo)
    records: dict[int, Any] = {}

    def worker(n: int) -> None:
        fmg.get(f"/echo/{n}/last")
        records[n] = fmg.req_resp_object

    assert _run_threads(worker) == []
    assert len({id(record) for record in records.values()}) == THREADS
    for n, record in records.items():
        assert record.response_json["result"][0]["data"]["url"] == f"/echo/{n}/last"


def test_debug_output_of_concurrent_calls_is_not_interleaved(fake: FakeFMG, capsys: Any) -> None:
    fake.on(_echo)
    with FortiManager("fmg.test", "admin", "Sup3r-S3cret!", check_adom_workspace=False) as fmg:
        fmg.debug = True

        def worker(n: int) -> None:
            for i in range(5):
                fmg.get(f"/echo/{n}/{i}")

        assert _run_threads(worker) == []
        fmg.debug = False
    blocks = [b for b in capsys.readouterr().out.split("-" * 100) if "REQUEST:" in b]
    assert len(blocks) == THREADS * 5
    for block in blocks:
        # A request and its reply are printed together: the echoed URL is the requested one.
        urls = {line.strip().strip('",') for line in block.splitlines() if '"/echo/' in line}
        assert len(urls) == 1, block
