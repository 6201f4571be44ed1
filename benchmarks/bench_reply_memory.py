"""Peak memory (RSS growth) and wall time of one call against hostile and large replies, with the defaults.

    python benchmarks/bench_reply_memory.py [--reference ~/.cache/pyfmg-compat/pyFMG-0.8.6.3-fortimgr.py]
    python benchmarks/bench_reply_memory.py --cases bomb json50

Each case runs in a fresh client process (``FortiManager(host, apikey=..., timeout=2)``, nothing
else), against a server in another process that answers with:

- ``bomb``: a gzip body of about 1 MB that inflates to 1 GiB (16 gzip members of 64 MiB of spaces);
- ``endless``: a chunked body of spaces that never ends (the client must stop at ``max_reply_bytes``);
- ``json50``: a real 50 MB JSON reply (200,000 address objects), read and parsed by ``get``;
- ``full500``: a 500 MB reply at full loopback speed, read by the transport (no parse).

Growth is the process's peak resident set (``VmHWM``) minus its resident set just before the call,
so it counts every copy the client makes, in Python or not.  pyFMG 0.8.6.3 runs the same cases
where it can end (``--reference``; it has no limit, so ``endless`` is skipped for it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from typing import Any

SERVER = r"""
import re, socket, sys, threading, zlib
mode = sys.argv[1]
if mode == "bomb":
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    member = b"".join(packer.compress(b" " * (1 << 20)) for _ in range(64)) + packer.flush()
    BODY, ENCODING = member * 16, b"gzip"
elif mode == "json50":
    rows = ",".join('{"name": "addr-%06d", "type": "ipmask", "subnet": ["10.%d.%d.%d", "255.255.255.255"], '
                    '"comment": "imported from the threat feed intel-A, first seen 2026-11-23 09:14:07 UTC, '
                    'confidence high, action block", "color": 0, "uuid": "%08x-0000-4000-8000-000000000000"}'
                    % (i, i >> 16 & 255, i >> 8 & 255, i & 255, i) for i in range(200000))
    reply = '{"id": 1, "result": [{"status": {"code": 0, "message": "OK"}, "url": "x", "data": [%s]}]}' % rows
    BODY, ENCODING = reply.encode(), None
listener = socket.create_server(("127.0.0.1", 0))
print("host: 127.0.0.1:%d" % listener.getsockname()[1], flush=True)

def serve(conn):
    data = b""
    try:
        while True:
            while b"\r\n\r\n" not in data:
                more = conn.recv(65536)
                if not more:
                    return
                data += more
            head, _, data = data.partition(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            while len(data) < length:
                data += conn.recv(65536)
            data = data[length:]
            if mode == "endless":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                piece = b"%x\r\n%s\r\n" % (1 << 20, b" " * (1 << 20))
                while True:
                    conn.sendall(piece)
            if mode == "full500":
                size = 500_000_000
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % size)
                piece = b" " * (1 << 20)
                for _ in range(size >> 20):
                    conn.sendall(piece)
                conn.sendall(piece[: size % (1 << 20)])
                continue
            extra = b"Content-Encoding: %s\r\n" % ENCODING if ENCODING else b""
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extra
                         + b"Content-Length: %d\r\n\r\n" % len(BODY))
            conn.sendall(BODY)
    except OSError:
        return

while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
"""

CASES = ("bomb", "endless", "json50", "full500")


def rss_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return int(re.search(rf"^{field}:\s+(\d+) kB", status.read(), re.M).group(1))  # type: ignore[union-attr]


def run_case(case: str, host: str, reference: str | None) -> dict[str, Any]:
    """One call in this (fresh) process: what it returned or raised, its wall time and RSS growth."""
    if reference:
        sys.path.insert(0, os.path.dirname(__file__))
        from _harness import load_reference

        fmg: Any = load_reference(reference).FortiManager(host, apikey="k" * 32, use_ssl=False, timeout=2)
        fmg._url = f"http://{host}/jsonrpc"  # pyFMG sets it at login, which would send a request
        fmg.sid = "x"
        call = lambda: fmg.get("/x")  # noqa: E731
    else:
        import pyfmg

        fmg = pyfmg.FortiManager(host, apikey="k" * 32, use_ssl=False, timeout=2, check_adom_workspace=False)
        fmg.login()
        if case == "full500":
            envelope = {"method": "get", "params": [{"url": "/x"}]}
            call = lambda: fmg._transport.post(envelope, label="get /x")  # noqa: E731
        else:
            call = lambda: fmg.get("/x")  # noqa: E731
    before = rss_kib("VmRSS")
    started = time.perf_counter()
    try:
        result: Any = call()
    except Exception as err:
        result = err
    took = time.perf_counter() - started
    growth = (rss_kib("VmHWM") - before) / 1024
    if isinstance(result, Exception):
        outcome = f"{type(result).__name__}: {str(result)[:70]}"
    elif hasattr(result, "content"):
        outcome = f"returned {len(result.content)} bytes"
    else:
        data = result[1]
        outcome = f"returned code {result[0]}, " + (
            f"{len(data)} objects" if isinstance(data, list) else type(data).__name__
        )
    return {"outcome": outcome, "seconds": took, "growth_mib": growth}


def measure(case: str, reference: str | None) -> dict[str, Any]:
    server = subprocess.Popen([sys.executable, "-c", SERVER, case], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        host = re.search(r"host: (\S+)", server.stdout.readline()).group(1)  # type: ignore[union-attr]
        command = [sys.executable, __file__, "--run", case, host] + (["--reference", reference] if reference else [])
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--reference", help="pyFMG 0.8.6.3's fortimgr.py, to run the same cases with it")
    parser.add_argument("--run", nargs=2, metavar=("CASE", "HOST"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_case(args.run[0], args.run[1], args.reference)))
        return
    print(f"one call per case, fresh process each; RSS growth = VmHWM - VmRSS before it ({sys.version.split()[0]})")
    print(f"  command: python benchmarks/bench_reply_memory.py {' '.join(sys.argv[1:])}".rstrip())
    contestants = [("pyfmg", None)] + ([("pyFMG 0.8.6.3", args.reference)] if args.reference else [])
    for case in args.cases:
        for name, reference in contestants:
            if reference and case in ("endless", "full500"):
                continue  # pyFMG has no limit to end the first, and no transport to call alone for the second
            got = measure(case, reference)
            print(f"  {case:8} {name:14} {got['growth_mib']:5.0f} MiB {got['seconds']:6.2f} s  {got['outcome']}")


if __name__ == "__main__":
    main()
