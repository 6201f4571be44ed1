"""The catalogue of malformed and hostile replies, each injected into the simulator and checked end to end.

Every case ends in a documented outcome: code 100 with a :class:`NotJSONResponse` (pyFMG returned
code 100 for a body that is not JSON), or an ``FMG*`` exception.  Either way the message names the
URL, the HTTP status (or says none came) and the first bytes received, and holds no secret.
docs/reliability.rst lists the same cases; keep the two in step.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from typing import Any, Callable, Union

import pytest

from pyfmg import (
    FMGConnectionError,
    FMGInvalidResponse,
    FMGReadTimeout,
    FMGTLSError,
    FMGValidSessionException,
    FortiManager,
)
from pyfmg.response import NOT_JSON_CODE, NotJSONResponse

from .conftest import ADDRESSES, PASSWORD

NOT_JSON = "code 100"
Body = Union[bytes, Callable[[FortiManager], bytes]]


@dataclass
class Case:
    name: str
    expect: str | type[BaseException]
    status: int | None
    body: Body = b""
    headers: dict[str, str] = field(default_factory=dict)
    fault: str = "raw"
    #: Text the message must contain besides URL and status (the first bytes, or what was wrong).
    says: str = ""


def html(status: int, title: str) -> bytes:
    return f"<html><head><title>{status} {title}</title></head><body><h1>{title}</h1></body></html>".encode()


def reply(result: Any, **extra: Any) -> bytes:
    return json.dumps({"result": result, **extra}).encode()


def echoing_secrets(client: FortiManager) -> bytes:
    """A proxy error page that quotes the request it could not forward, credentials included."""
    request = json.dumps({"method": "get", "session": client.sid, "passwd": PASSWORD})
    return f"<html><body>upstream failed for {request} (user admin, password {PASSWORD})</body></html>".encode()


def json_echoing_secrets(client: FortiManager) -> bytes:
    return json.dumps({"session": client.sid, "passwd": PASSWORD, "result": "refused " + str(client.sid)}).encode()


CATALOGUE = [
    # --- a proxy or web server answered instead of FortiManager: pyFMG's code 100 ---
    Case("502 html page", NOT_JSON, 502, fault="http_502_html", says="b'<html>"),
    Case("500 html page", NOT_JSON, 500, html(500, "Internal Server Error"), says="Internal Server Error"),
    Case(
        "503 with Retry-After",
        NOT_JSON,
        503,
        html(503, "Service Unavailable"),
        {"Retry-After": "120"},
        says="Service Unavailable",
    ),
    Case("504 html page", NOT_JSON, 504, html(504, "Gateway Time-out"), says="Gateway Time-out"),
    Case("404 html page", NOT_JSON, 404, html(404, "Not Found"), says="Not Found"),
    Case("401 html page", NOT_JSON, 401, html(401, "Unauthorized"), says="Unauthorized"),
    Case(
        "403 plain text",
        NOT_JSON,
        403,
        b"Forbidden by policy",
        {"Content-Type": "text/plain"},
        says="Forbidden by policy",
    ),
    Case("empty body", NOT_JSON, 200, fault="empty_body", says="0 bytes"),
    Case("204 no content", NOT_JSON, 204, b"", says="0 bytes"),
    Case("truncated json", NOT_JSON, 200, fault="truncated_json", says='b\'{"id"'),
    Case("not utf-8", NOT_JSON, 200, b"\xff\xfe\xfd binary \x80\x81", says="\\xff\\xfe\\xfd"),
    Case(
        "latin-1 inside json",
        NOT_JSON,
        200,
        b'{"result": [{"status": {"code": 0, "message": "caf\xe9"}}]}',
        says="caf\\xe9",
    ),
    Case("deeply nested json", NOT_JSON, 200, b"[" * 100_000 + b"]" * 100_000, says="[[[["),
    Case("gigantic html body", NOT_JSON, 200, b"<html>" + b"x" * (4 << 20), says="4194310 bytes"),
    Case("html echoing credentials", NOT_JSON, 500, echoing_secrets, says="upstream failed"),
    # --- JSON, but not a JSON-RPC answer: FMGInvalidResponse (also an FMGResponseNotFormedCorrect) ---
    Case("json list", FMGInvalidResponse, 200, b"[1, 2, 3]", says="got list"),
    Case("json string", FMGInvalidResponse, 200, b'"maintenance"', says="got str"),
    Case("json number", FMGInvalidResponse, 200, b"42", says="got int"),
    Case("json null", FMGInvalidResponse, 200, b"null", says="got NoneType"),
    Case("json true", FMGInvalidResponse, 200, b"true", says="got bool"),
    Case("400 json error object", FMGInvalidResponse, 400, b'{"error": "bad request"}', says="no 'result'"),
    Case("result missing", FMGInvalidResponse, 200, fault="no_result", says="no 'result'"),
    Case("result empty", FMGInvalidResponse, 200, reply([]), says="'result' is empty"),
    Case("result a string", FMGInvalidResponse, 200, reply("OK"), says="'result' is a str"),
    Case("result a number", FMGInvalidResponse, 200, reply(0), says="'result' is a int"),
    Case("result null", FMGInvalidResponse, 200, reply(None), says="'result' is a NoneType"),
    Case("result item a string", FMGInvalidResponse, 200, reply(["OK"]), says="a result is a str"),
    Case("status missing", FMGInvalidResponse, 200, reply([{"url": ADDRESSES}]), says="no 'status' object"),
    Case("status a string", FMGInvalidResponse, 200, reply([{"status": "OK"}]), says="no 'status' object"),
    Case("status a list", FMGInvalidResponse, 200, reply([{"status": [0, "OK"]}]), says="no 'status' object"),
    Case("code missing", FMGInvalidResponse, 200, reply([{"status": {"message": "OK"}}]), says="is None"),
    Case("code a string", FMGInvalidResponse, 200, reply([{"status": {"code": "0"}}]), says="is '0'"),
    Case("code a float", FMGInvalidResponse, 200, reply([{"status": {"code": 0.0}}]), says="is 0.0"),
    Case("code a boolean", FMGInvalidResponse, 200, reply([{"status": {"code": True}}]), says="is True"),
    Case("code NaN", FMGInvalidResponse, 200, b'{"result": [{"status": {"code": NaN}}]}', says="is nan"),
    Case(
        "id mismatch",
        FMGInvalidResponse,
        200,
        reply([{"status": {"code": 0}, "data": {"name": "x"}}], id=987654),
        says="987654 does not match",
    ),
    Case("gigantic json list", FMGInvalidResponse, 200, json.dumps(list(range(600_000))).encode(), says="got list"),
    Case("json echoing credentials", FMGInvalidResponse, 200, json_echoing_secrets, says="'result' is a str"),
    # --- the body itself could not be read ---
    Case(
        "garbled gzip",
        FMGInvalidResponse,
        200,
        b"this is not gzip",
        {"Content-Encoding": "gzip"},
        says="no readable body",
    ),
]


def secrets_of(client: FortiManager) -> list[str]:
    return [PASSWORD, str(client.sid)]


def assert_clean_message(message: str, client: FortiManager, status: int | None, says: str) -> None:
    assert ADDRESSES in message
    assert (f"HTTP {status}" if status is not None else "no HTTP status") in message
    assert says in message
    assert len(message) < 2000  # a gigantic reply is quoted, not copied
    for secret in secrets_of(client):
        assert secret not in message


def assert_documented(error: BaseException) -> None:
    """An FMG* class from pyfmg.exceptions, never a bare KeyError/TypeError/IndexError/ValueError."""
    assert type(error).__module__ == "pyfmg.exceptions" and type(error).__name__.startswith("FMG"), repr(error)


def test_catalogue_is_big_enough() -> None:
    assert len(CATALOGUE) >= 25
    assert len({case.name for case in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda case: case.name)
def test_hostile_reply(case: Case, sim: Any, client: FortiManager) -> None:
    body = case.body(client) if callable(case.body) else case.body
    options: dict[str, Any] = {}
    if case.fault == "raw":
        options = {"status": case.status, "body": body, "headers": {"Content-Type": "text/html", **case.headers}}
    sim.inject(case.fault, method="get", url=ADDRESSES, **options)

    if case.expect == NOT_JSON:
        code, data = client.get(ADDRESSES)
        assert code == NOT_JSON_CODE and isinstance(data, NotJSONResponse)
        assert data["status"]["code"] == NOT_JSON_CODE and data.status_code == case.status
        assert data.content == body or case.fault != "raw"  # pyFMG callers read the raw reply
        message = data["status"]["message"]
    else:
        assert isinstance(case.expect, type)
        with pytest.raises(case.expect) as info:
            client.get(ADDRESSES)
        assert_documented(info.value)
        message = str(info.value)
        if isinstance(info.value, FMGInvalidResponse):
            assert info.value.http_status == case.status
    assert_clean_message(message, client, case.status, case.says)

    # The fault was one reply: the client and its session are fine for the next call.
    assert client.get(ADDRESSES)[0] == 0


def test_connection_reset(sim: Any, client: FortiManager) -> None:
    sim.inject("reset", method="get", url=ADDRESSES)
    with pytest.raises(FMGConnectionError) as info:
        client.get(ADDRESSES)
    assert_documented(info.value)
    assert_clean_message(str(info.value), client, None, "Connection")
    assert client.get(ADDRESSES)[0] == 0


def test_read_timeout(sim: Any, make_client: Callable[..., FortiManager]) -> None:
    client = make_client(sim, timeout=0.3)
    sim.inject("slow", method="get", url=ADDRESSES, delay=3.0)
    with pytest.raises(FMGReadTimeout) as info:
        client.get(ADDRESSES)
    assert isinstance(info.value, FMGConnectionError)  # what pyFMG users catch
    assert_documented(info.value)
    assert_clean_message(str(info.value), client, None, "timeout=0.3")


def test_tls_spoken_to_a_plain_http_server(sim: Any) -> None:
    client = FortiManager(sim.host, "admin", PASSWORD, use_ssl=True)
    with pytest.raises(FMGTLSError) as info:
        client.login()
    assert_documented(info.value)
    message = str(info.value)
    assert "TLS handshake failed" in message and "sys/login/user" in message and "no HTTP status" in message
    assert PASSWORD not in message


def test_connection_refused() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = FortiManager(f"127.0.0.1:{port}", "admin", PASSWORD, use_ssl=False, timeout=2)
    with pytest.raises(FMGConnectionError) as info:
        client.login()
    assert_documented(info.value)
    assert "sys/login/user" in str(info.value) and "no HTTP status" in str(info.value)
    assert PASSWORD not in str(info.value)


def test_html_page_at_login_names_status_and_body(sim: Any) -> None:
    sim.inject("http_502_html", url="sys/login/user")
    client = FortiManager(sim.host, "admin", PASSWORD, use_ssl=False)
    with pytest.raises(FMGValidSessionException) as info:
        client.login()
    message = str(info.value)
    assert "HTTP 502" in message and "sys/login/user" in message and "<html>" in message
    assert PASSWORD not in message
    assert client.sid is None and sim.sessions == {}


def test_malformed_login_reply_raises_invalid_response(sim: Any) -> None:
    sim.inject("raw", url="sys/login/user", status=200, body=b'{"result": [{"status": "OK"}], "session": 7}')
    client = FortiManager(sim.host, "admin", PASSWORD, use_ssl=False)
    with pytest.raises(FMGInvalidResponse, match="no 'status' object") as info:
        client.login()
    assert "HTTP 200" in str(info.value) and PASSWORD not in str(info.value)
    assert client.sid is None


def test_one_bad_result_among_several_in_free_form(sim: Any, client: FortiManager) -> None:
    good = {"status": {"code": 0, "message": "OK"}, "url": ADDRESSES, "data": []}
    sim.inject("raw", method="get", url=ADDRESSES, status=200, body=reply([good, {"url": "x"}]))
    with pytest.raises(FMGInvalidResponse, match="no 'status' object"):
        client.free_form("get", data=[{"url": ADDRESSES}, {"url": "/pm/config/adom/root/obj/firewall/addrgrp"}])
