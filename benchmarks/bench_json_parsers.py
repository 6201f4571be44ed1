"""Is orjson worth an optional extra? Parse time and peak memory of a ~5 MB reply, json vs orjson.

    pip install orjson    # only for this measurement; pyfmg does not use it
    python benchmarks/bench_json_parsers.py

Each parser runs in a fresh child process; the peak is the growth of the process's resident
set high-water mark (VmHWM) while parsing, so memory a parser allocates outside Python's heap
counts too.
"""

from __future__ import annotations

import subprocess
import sys

CHILD = r"""
import json, sys, time
objs = [{"name": f"feed-{i:05d}", "oid": 1000 + i, "subnet": [f"10.0.{(i // 256) % 256}.{i % 256}", "255.255.255.255"],
         "type": 0, "comment": f"threat feed indicator {i:05d}: first seen 2026-11-23, confidence high, source A/B",
         "color": 0, "associated-interface": ["any"], "allow-routing": 0, "visibility": 1} for i in range(20000)]
raw = json.dumps({"id": 5, "result": [{"status": {"code": 0, "message": "OK"}, "url": "u", "data": objs}]}).encode()
del objs
parse = json.loads
if sys.argv[1] == "orjson":
    import orjson
    parse = orjson.loads
def status(key):
    return int(open("/proc/self/status").read().split(key + ":")[1].split()[0]) * 1024
open("/proc/self/clear_refs", "w").write("5")  # reset VmHWM
before = status("VmRSS")
start = time.perf_counter()
value = parse(raw)
elapsed = time.perf_counter() - start
peak = status("VmHWM") - before
times = []
for _ in range(5):
    start = time.perf_counter(); parse(raw); times.append(time.perf_counter() - start)
print(len(raw), min(times), peak, value == json.loads(raw))
"""


def measure(parser: str) -> tuple[int, float, int, bool]:
    out = subprocess.run([sys.executable, "-c", CHILD, parser], capture_output=True, text=True, check=True).stdout
    size, seconds, peak, same = out.split()
    return int(size), float(seconds), int(peak), same == "True"


def main() -> None:
    try:
        import orjson  # noqa: F401
    except ImportError:
        raise SystemExit("orjson is not installed: pip install orjson") from None
    size, t_json, m_json, _ = measure("json")
    _, t_orjson, m_orjson, same = measure("orjson")
    print(f"parsing {size / 1e6:.1f} MB of JSON (20,000 address objects)")
    print(f"  json    {t_json * 1e3:6.1f} ms   peak RSS growth {m_json / 1e6:5.1f} MB")
    print(f"  orjson  {t_orjson * 1e3:6.1f} ms   peak RSS growth {m_orjson / 1e6:5.1f} MB   same objects: {same}")
    print(f"  orjson / json: time {t_orjson / t_json:.2f}, peak memory {m_orjson / m_json:.2f}")


if __name__ == "__main__":
    main()
