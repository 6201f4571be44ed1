"""Replies are parsed from text with their bytes released first; the results are what json.loads(bytes) gives."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
import responses

from pyfmg import FMGInvalidResponse, FortiManager
from pyfmg.response import NotJSONResponse

from .fakefmg import FakeFMG

ADDR = "pm/config/adom/root/obj/firewall/address"


def _answer_raw(fake: FakeFMG, body: bytes, status: int = 200) -> None:
    fake.on(lambda m, p, b: (status, body) if m == "get" and p[0]["url"] == ADDR else None)


def _reply(request_id: int, data: Any) -> dict[str, Any]:
    return {"id": request_id, "result": [{"status": {"code": 0, "message": "OK"}, "url": ADDR, "data": data}]}


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),  # byte order mark
        lambda text: text.encode("utf-16-le"),
    ],
)
def test_encodings_json_accepts_give_the_same_objects(fmg: FortiManager, fake: FakeFMG, encode: Any) -> None:
    data = [{"name": "caf\u00e9 \u2603", "comment": "lone surrogate \ud800 kept", "n": 12345678901234567890}]
    raw = encode(json.dumps(_reply(fmg.req_id + 1, data)))
    _answer_raw(fake, raw)
    assert fmg.get(ADDR) == (0, json.loads(raw)["result"][0]["data"])


@pytest.mark.parametrize(
    "body",
    [b"<html><body>" + b"Bad Gateway " * 50 + b"</body></html>", b"\xff\xfe\xfa not utf-8 " * 30, b"{" + b" " * 300],
)
def test_a_reply_that_is_not_json_is_returned_whole(fmg: FortiManager, fake: FakeFMG, body: bytes) -> None:
    _answer_raw(fake, body, status=502)
    code, reply = fmg.get(ADDR)
    assert code == 100 and isinstance(reply, NotJSONResponse)
    assert reply.content == body and reply.status_code == 502


def test_messages_about_a_bad_envelope_still_quote_the_start_of_the_reply(fmg: FortiManager, fake: FakeFMG) -> None:
    raw = json.dumps({"id": fmg.req_id + 1, "result": "nope", "padding": "x" * 5000}).encode()
    _answer_raw(fake, raw)
    with pytest.raises(FMGInvalidResponse) as caught:
        fmg.get(ADDR)
    assert caught.value.body_start == raw[:200]
    assert "not a list" in str(caught.value)


def test_a_compressed_reply_is_decompressed(fmg: FortiManager, rsps: responses.RequestsMock) -> None:
    data = [{"name": f"h{i}", "comment": "x" * 50} for i in range(200)]
    body = gzip.compress(json.dumps(_reply(fmg.req_id + 1, data)).encode())
    rsps.replace(responses.POST, "https://fmg.test/jsonrpc", body=body, headers={"Content-Encoding": "gzip"})
    assert fmg.get(ADDR) == (0, data)
