"""Property-based tests: whatever JSON value or bytes come back, the caller gets (code, data) or an FMG* exception."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyfmg import FMGInvalidResponse, FortiManager
from pyfmg.response import NOT_JSON_CODE, NotJSONResponse, all_results, first_result
from pyfmg.transport import HTTPReply

URL = "/pm/config/adom/root/obj/firewall/address"
SESSION = "Pr0perty-Sess10n-T0ken"

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=25,
)
# Replies shaped almost like JSON-RPC answers, so that the deeper checks are reached often.
codes = st.integers(-30000, 30000) | scalars
statuses = st.fixed_dictionaries({"code": codes}, optional={"message": json_values}) | json_values
results = st.fixed_dictionaries({"status": statuses}, optional={"data": json_values, "url": json_values}) | json_values
near_replies = st.fixed_dictionaries(
    {"result": st.lists(results, max_size=3) | results},
    optional={"id": st.just(7) | json_values, "session": json_values},
)


def check_outcome(outcome: Any) -> None:
    code, _data = outcome
    assert isinstance(code, int) and not isinstance(code, bool)


@given(json_values | near_replies)
@settings(max_examples=200, deadline=None)
def test_any_json_value_gives_a_code_or_invalid_response(body: Any) -> None:
    content = json.dumps(body).encode()
    try:
        check_outcome(first_result(body, 7, URL, 200, content))
    except FMGInvalidResponse as err:
        assert URL in str(err) and "HTTP 200" in str(err)
    try:
        for result in all_results(body, 7, URL, 200, content):
            assert isinstance(result, dict)
    except FMGInvalidResponse:
        pass


def logged_in_client(status: int, content: bytes) -> FortiManager:
    client = FortiManager("fmg.test", "admin", "Pr0perty-Passw0rd")
    client.sid = SESSION

    def post(payload: Any, label: str, **_: Any) -> HTTPReply:
        return HTTPReply(status, content.replace(b"@ID@", str(payload["id"]).encode()), {})

    client._transport.post = post  # type: ignore[method-assign]
    return client


@given(
    st.sampled_from([200, 400, 500, 502]),
    st.binary(max_size=300)
    | json_values.map(lambda v: json.dumps(v).encode())
    | near_replies.map(lambda v: json.dumps({**v, "id": "@ID@"}).replace('"@ID@"', "@ID@").encode()),
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_bytes_through_the_client_give_a_code_or_invalid_response(status: int, content: bytes) -> None:
    client = logged_in_client(status, content)
    for call in (lambda: client.get(URL), lambda: client.free_form("get", data=[{"url": URL}])):
        try:
            code, data = call()
        except FMGInvalidResponse as err:
            message = str(err)
            assert URL in message and f"HTTP {status}" in message and SESSION not in message
            continue
        assert isinstance(code, int) and not isinstance(code, bool)
        if code == NOT_JSON_CODE and isinstance(data, NotJSONResponse):
            assert data.status_code == status and data.content == content
            assert SESSION not in data["status"]["message"]
