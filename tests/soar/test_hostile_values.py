"""The adapter turns what the client refuses into SOARError, and masks session ids FortiManager echoes."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyfmg.soar import OPERATIONS, SOARError, run
from pyfmg.soar.errors import translated_errors

from .conftest import PASSWORD, config_for

try:
    from pyfmg.testing import FMGSimulator
except ImportError:  # pragma: no cover
    pytest.skip("needs the simulator", allow_module_level=True)

URL = "pm/config/adom/root/obj/firewall/address"


@pytest.mark.parametrize("value", [{1, 2}, datetime.date(2024, 1, 1), b"raw"], ids=["set", "date", "bytes"])
def test_data_that_cannot_be_sent_is_a_soar_error_not_a_type_error(ws_sim: FMGSimulator, value: Any) -> None:
    with pytest.raises(SOARError, match="cannot be sent as JSON"):
        run("add", config_for(ws_sim), {"url": URL, "data": {"name": "x", "comment": value}})
    assert ws_sim.locks == {}


SESSION = 'Ab/Cd+Ef==S3ss"ion\\XYZ-0123'


def test_session_id_echoed_by_fortimanager_is_masked_in_every_encoding() -> None:
    encodings = [
        SESSION,
        json.dumps(SESSION)[1:-1].replace("/", "\\/"),
        "Ab%2FCd%2BEf%3D%3DS3ss%22ion%5CXYZ-0123",
    ]

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        url = body["params"][0]["url"]
        if url == "sys/login/user":
            return (
                200,
                {},
                json.dumps({"id": body["id"], "result": [{"status": {"code": 0}, "url": url}], "session": SESSION}),
            )
        if url == "/cli/global/system/global":
            data = {"workspace-mode": 0, "adom-status": 1}
            return (
                200,
                {},
                json.dumps({"id": body["id"], "result": [{"status": {"code": 0}, "url": url, "data": data}]}),
            )
        # FortiManager quotes the session in a message, as its own encoder writes it (``\\/`` for ``/``).
        message = "invalid session " + " / ".join(encodings)
        text = json.dumps({"id": body["id"], "result": [{"status": {"code": -6, "message": message}, "url": url}]})
        return 200, {}, text.replace("/", "\\/")

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, "https://fmg.test/jsonrpc", callback=answer)
        config = {"address": "fmg.test", "username": "admin", "password": PASSWORD, "verify_ssl": "false"}
        with pytest.raises(SOARError) as info:
            run("get", config, {"url": URL})
    texts = [str(info.value), info.value.fmg_message or "", json.dumps(info.value.as_dict())]
    for text in texts:
        for encoded in encodings:
            for start in range(len(encoded) - 9):
                assert encoded[start : start + 10] not in text, text
    assert "invalid session" in str(info.value)


def test_session_ids_in_soar_error_details_are_masked() -> None:
    error = SOARError("failed", details={"results": [{"message": f"bad session {SESSION}", "code": -6}], "n": 1})
    with pytest.raises(SOARError) as info, translated_errors("fmg", 5, [], [lambda text: text.replace(SESSION, "***")]):
        raise error
    assert info.value.details == {"results": [{"message": "bad session ***", "code": -6}], "n": 1}


HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=10),
    st.binary(max_size=4),
    st.sampled_from([{1, 2}, datetime.date(2024, 1, 1), object(), [[[]]], {"name": {1}}, "[::1", "{", "[]"]),
)
PARAMS = st.dictionaries(
    st.sampled_from(["url", "data", "adom", "options", "ip", "ips", "url_list", "package", "scope", "task", "method"]),
    HOSTILE | st.lists(HOSTILE, max_size=3) | st.dictionaries(st.text(max_size=4), HOSTILE, max_size=3),
    max_size=4,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operation=st.sampled_from(sorted(OPERATIONS)), params=PARAMS)
def test_any_operation_with_hostile_params_returns_a_result_or_raises_soar_error(
    plain_sim: FMGSimulator, operation: str, params: dict[str, Any]
) -> None:
    try:
        result = run(operation, config_for(plain_sim, timeout="5"), params)
    except SOARError:
        return
    json.dumps(result)  # results are JSON-serialisable, whatever came in
