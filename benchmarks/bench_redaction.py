"""How fast secrets are masked: ``Redactor.text`` on debug-sized text, and one whole debug exchange.

    python benchmarks/bench_redaction.py              # 1 MB and 20 MB texts
    python benchmarks/bench_redaction.py --mb 1 5 20 50

The text is what ``debug=True`` prints for a large ``get``: pretty JSON of address objects, with
the session id and a password in a few places, JSON-escaped and URL-encoded. The redactor knows
four secrets (password, API key, OAuth token, session id), as a client does.  pyFMG masks
nothing, so there is no pyFMG figure to compare: the comparison is ``json.dumps(indent=2)`` of the
same reply, the cost pyFMG's own debug output pays, against which masking should be small.
"""

from __future__ import annotations

import argparse
import functools
import json
import time
import urllib.parse
from typing import Any, Callable

from pyfmg.logs import Redactor, RequestResponse, format_exchange, jprint

PASSWORD = 'pa"ss\\wörd/Ünïcode-1234'
API_KEY = "qk8Zr3tY7mNpL2vB9xWc4dFh6jKs1aGe"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.payload.signature-abcdef"
SESSION = "Zm9vYmFy/YmF6cXV4+c2Vzc2lvbi1pZA=="


def reply(megabytes: float) -> dict[str, Any]:
    """A get reply of about ``megabytes`` of pretty JSON, secrets sprinkled in."""
    row = {
        "name": "feed-10.0.0.1",
        "subnet": ["10.0.0.1", "255.255.255.255"],
        "comment": "threat feed entry",
        "color": 3,
        "type": "ipmask",
        "uuid": "6b1f2c0e-3f1a-51ee-9a4b-0b2c1d3e4f50",
    }
    size = 1.42 * len(jprint(row))  # a row inside the reply is indented deeper than alone
    rows = [dict(row, name=f"feed-{n}") for n in range(int(megabytes * 1_000_000 / size))]
    rows[len(rows) // 2]["comment"] = f"note: session={urllib.parse.quote(SESSION)} pw={json.dumps(PASSWORD)}"
    return {"id": 2, "result": [{"status": {"code": 0, "message": "OK"}, "data": rows}], "session": SESSION}


def timed(function: Callable[[], Any], repeat: int = 3) -> float:
    """Best CPU seconds of ``repeat`` runs: CPU time, not wall time, so that a busy machine skews less."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[1.0, 20.0], help="text sizes in MB")
    args = parser.parse_args()
    redactor = Redactor([PASSWORD, API_KEY, TOKEN, SESSION])
    print(f"{'MB':>6} {'Redactor.text MB/s':>20} {'text s':>8} {'debug exchange s':>17} {'jprint alone s':>15}")
    for megabytes in args.mb:
        data = reply(megabytes)
        text = jprint(data)
        size = len(text.encode("utf-8")) / 1_000_000
        masked = redactor.text(text)
        assert SESSION not in masked and API_KEY not in masked, "a secret survived"
        record = RequestResponse()
        record.response_json = data
        text_seconds = timed(functools.partial(redactor.text, text), repeat=1 if megabytes > 5 else 3)
        exchange_seconds = timed(functools.partial(format_exchange, record, redactor), repeat=1)
        jprint_seconds = timed(functools.partial(jprint, data), repeat=1)
        print(
            f"{size:6.1f} {size / text_seconds:20.1f} {text_seconds:8.3f} "
            f"{exchange_seconds:17.2f} {jprint_seconds:15.2f}"
        )


if __name__ == "__main__":
    main()
