"""Secrets are masked in every encoding they take on the wire or in a log, at any nesting depth.

Property: for random secrets (quotes, backslashes, slashes, non-ASCII included), no fragment of 10
or more characters of any encoding of the secret survives in the redacted text, in debug output,
in log records or in exception messages.
"""

from __future__ import annotations

import io
import json
import logging
import urllib.parse
from contextlib import redirect_stdout
from typing import Any, Callable

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyfmg import FMGBaseException, FMGResponseNotFormedCorrect, FortiManager
from pyfmg.logs import MASK, Redactor, mask_secret_fields

HOST = "fmg.test"

ENCODERS: dict[str, Callable[[str], str]] = {
    "raw": lambda s: s,
    "json": lambda s: json.dumps(s)[1:-1],
    "json-utf8": lambda s: json.dumps(s, ensure_ascii=False)[1:-1],
    "json-slash": lambda s: json.dumps(s)[1:-1].replace("/", "\\/"),
    "json-in-json": lambda s: json.dumps(json.dumps(s))[1:-1],
    "quote": lambda s: urllib.parse.quote(s, safe=""),
    "quote-path": lambda s: urllib.parse.quote(s),
    "quote_plus": lambda s: urllib.parse.quote_plus(s),
    "bytes-repr": lambda s: repr(s.encode("utf-8"))[2:-1],
    "str-repr": lambda s: repr(s)[1:-1],
}

SECRET = st.text(
    alphabet=st.one_of(
        st.sampled_from("\"\\/'%+=& :{}<>"),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="*"),
    ),
    min_size=10,
    max_size=40,
)


def fragments(secret: str) -> set[str]:
    """Every 10-character piece of every encoding of ``secret``."""
    found = set()
    for encode in ENCODERS.values():
        encoded = encode(secret)
        found.update(encoded[i : i + 10] for i in range(len(encoded) - 9))
    return found


def leaks(secret: str, text: str) -> list[str]:
    return sorted(piece for piece in fragments(secret) if piece in text)


@settings(max_examples=150, deadline=None)
@given(secret=SECRET, encoding=st.sampled_from(sorted(ENCODERS)))
def test_every_encoding_of_a_secret_is_masked(secret: str, encoding: str) -> None:
    redactor = Redactor([secret])
    text = f"before «{ENCODERS[encoding](secret)}» after"
    masked = redactor.text(text)
    assert MASK in masked
    assert not leaks(secret, masked), (encoding, masked)
    assert masked.startswith("before «") and masked.endswith("» after")


def test_fortimanager_slash_escaped_session_and_url_encoded_forms() -> None:
    session = "Ab/Cd+Ef==ZZ/session-id"
    redactor = Redactor([session])
    for text in ('{"session": "Ab\\/Cd+Ef==ZZ\\/session-id"}', "sid=Ab%2FCd%2BEf%3D%3DZZ%2Fsession-id&x=1"):
        assert "session-id" not in redactor.text(text) and "Cd+Ef" not in redactor.text(text)


def test_values_under_secret_keys_with_escaped_quotes_are_masked_whole() -> None:
    text = '{"password": "ab\\"cd\\\\ef", "name": "x"} and \'passwd\': \'it\\\'s\' and Authorization: Bearer abc.def'
    masked = mask_secret_fields(text)
    assert "cd" not in masked and "ef" not in masked.replace("name", "") and "it" not in masked.split("passwd")[1]
    assert '"name": "x"' in masked and "abc.def" not in masked


def test_structures_nested_100000_deep_are_redacted_without_recursion() -> None:
    deep: Any = "secret-value-123"
    for _ in range(100_000):
        deep = {"a": [deep]}
    masked = Redactor(["secret-value-123"]).data(deep)
    for _ in range(100_000):
        masked = masked["a"][0]
    assert masked == MASK


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(password=SECRET, session=SECRET)
def test_no_fragment_reaches_debug_output_logs_or_exception_messages(
    password: str, session: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    # One encoding step here; the reply's JSON and the message's b'...' quoting add a second.
    single = [encode for name, encode in ENCODERS.items() if name != "json-in-json"]
    echoed = " | ".join(encode(password) + " " + encode(session) for encode in single)

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        url = body["params"][0]["url"]
        if url == "sys/logout":
            return (
                200,
                {},
                json.dumps({"id": body["id"], "result": [{"status": {"code": 0, "message": "OK"}, "url": url}]}),
            )
        if url == "sys/login/user":
            reply = {"id": body["id"], "result": [{"status": {"code": 0, "message": "OK"}, "url": url}]}
            return 200, {}, json.dumps({**reply, "session": session})
        if url == "echo":  # a valid reply quoting both, as FortiManager's encoder writes JSON
            reply = {"id": body["id"], "result": [{"status": {"code": -6, "message": echoed}, "url": url}]}
            return 200, {}, json.dumps(reply).replace("/", "\\/")
        if url == "page":  # an error page quoting both (the message quotes its first bytes)
            return 502, {"Content-Type": "text/html"}, echoed[:60]
        return 200, {}, json.dumps([f"{password} {session}"])  # JSON that is not a JSON-RPC reply

    printed = io.StringIO()
    messages: list[str] = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock, redirect_stdout(printed):
        mock.add_callback(responses.POST, f"https://{HOST}/jsonrpc", callback=answer)
        with caplog.at_level(logging.DEBUG):
            client = FortiManager(HOST, "admin", password, debug=True, check_adom_workspace=False)
            client.getLog("hostile-test", logging.DEBUG)
            client.login()
            assert client.get("echo")[0] == -6  # the reply itself is the caller's data, returned as it came
            messages.append(str(client.get("page")[1]["status"]["message"]))
            try:
                client.get("list")
            except (FMGBaseException, FMGResponseNotFormedCorrect) as err:
                messages.append(str(err))
            client.logout()
    logged = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    for text in [printed.getvalue(), *logged, *messages]:
        assert not leaks(password, text), text
        assert not leaks(session, text), text


def test_a_session_value_cut_off_by_an_excerpt_is_masked() -> None:
    message = 'the reply starts b\'{"id": 1, "session": "Zm9vYmFyYmF6cXV4c2Vzc2lvbi1p\')'
    assert "Zm9vYmFy" not in mask_secret_fields(message)
