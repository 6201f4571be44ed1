"""Bad replies and broken connections become FMG* errors; debug output and logs never show secrets."""

from __future__ import annotations

import logging

import pytest
import requests
import responses

from pyfmg import (
    FMGBaseException,
    FMGConnectionError,
    FMGConnectTimeout,
    FMGInvalidResponse,
    FMGReadTimeout,
    FMGResponseNotFormedCorrect,
    FMGTLSError,
    FortiManager,
)

from .fakefmg import HOST, PASSWORD, SID, URL, FakeFMG

ADDR = "pm/config/adom/root/obj/firewall/address"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (502, "<html><body>502 Bad Gateway</body></html>"),
        (200, ""),
        (200, '{"result": [{"status"'),
        (200, b"\xff\xfe\x00garbage"),
    ],
)
def test_non_json_reply_returns_code_100_with_a_clear_message(
    fmg: FortiManager, fake: FakeFMG, status: int, body: str
) -> None:
    fake.on(lambda m, p, b: (status, body))
    code, reply = fmg.get(ADDR)
    assert code == 100
    message = reply["status"]["message"]
    assert ADDR in message and f"HTTP {status}" in message
    assert reply.status_code == status  # pyFMG returned the raw response; its attributes still work
    assert isinstance(reply.text, str)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("[1, 2]", "got list"),
        ('"text"', "got str"),
        ("42", "got int"),
        ("{}", "no 'result'"),
        ('{"result": []}', "empty"),
        ('{"result": "x"}', "not a list"),
        ('{"result": [5]}', "not an object"),
        ('{"result": [{"url": "x"}]}', "no 'status'"),
        ('{"result": [{"status": "OK"}]}', "no 'status'"),
        ('{"result": [{"status": {"code": "0"}}]}', "not an integer"),
        ('{"result": [{"status": {"code": true}}]}', "not an integer"),
        ('{"id": 999999, "result": [{"status": {"code": 0}}]}', "does not match"),
    ],
)
def test_malformed_json_raises_invalid_response(fmg: FortiManager, fake: FakeFMG, body: str, fragment: str) -> None:
    fake.on(lambda m, p, b: (200, body))
    with pytest.raises(FMGInvalidResponse) as info:
        fmg.get(ADDR)
    err = info.value
    assert fragment in str(err) and ADDR in str(err) and "HTTP 200" in str(err)
    # except clauses written for pyFMG keep catching it
    assert isinstance(err, FMGResponseNotFormedCorrect) and isinstance(err, KeyError)
    assert isinstance(err, FMGBaseException)


def test_bare_result_object_is_accepted(fmg: FortiManager, fake: FakeFMG) -> None:
    fake.on(lambda m, p, b: (200, '{"result": {"status": {"code": -6, "message": "Invalid url"}, "url": "x"}}'))
    assert fmg.get(ADDR)[0] == -6


@pytest.mark.parametrize(
    ("raised", "expected", "also"),
    [
        (requests.exceptions.ConnectTimeout("t"), FMGConnectTimeout, FMGConnectionError),
        (requests.exceptions.ReadTimeout("t"), FMGReadTimeout, FMGBaseException),
        (requests.exceptions.ConnectionError("reset by peer"), FMGConnectionError, requests.ConnectionError),
        (requests.exceptions.SSLError("bad cert"), FMGTLSError, FMGConnectionError),
        (requests.exceptions.ChunkedEncodingError("cut"), FMGInvalidResponse, FMGBaseException),
    ],
)
def test_transport_failures_map_to_pyfmg_compatible_classes(
    fmg: FortiManager, rsps: responses.RequestsMock, raised: Exception, expected: type, also: type
) -> None:
    rsps.replace(responses.POST, URL, body=raised)
    with pytest.raises(expected) as info:
        fmg.get(ADDR)
    assert isinstance(info.value, also) and ADDR in str(info.value)


def test_read_timeout_is_also_a_connect_timeout() -> None:
    err = FMGReadTimeout("x")
    assert isinstance(err, FMGConnectTimeout) and isinstance(err, requests.exceptions.ConnectTimeout)


def test_debug_prints_requests_and_replies_without_secrets(fake: FakeFMG, capsys: pytest.CaptureFixture[str]) -> None:
    with FortiManager(HOST, "admin", PASSWORD, debug=True) as fmg:
        fmg.get(ADDR)
    out = capsys.readouterr().out
    assert "REQUEST:" in out and "RESPONSE:" in out and ADDR in out and '"user": "admin"' in out
    assert PASSWORD not in out and SID not in out and "********" in out


def test_getlog_logger_receives_redacted_exchanges(fake: FakeFMG, caplog: pytest.LogCaptureFixture) -> None:
    fmg = FortiManager(HOST, "admin", PASSWORD)
    log = fmg.getLog("fmgtest")
    assert log is fmg.getLog() and log.level == logging.INFO
    with caplog.at_level(logging.DEBUG):
        fmg.login()
        fmg.get(ADDR)
        fmg.logout()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert any(r.name == "fmgtest" for r in caplog.records) and ADDR in text
    assert PASSWORD not in text and SID not in text
    fmg.resetLog()
    caplog.clear()
    fmg.login()
    assert not any(r.name == "fmgtest" for r in caplog.records)
    fmg.logout()


def test_req_resp_object_keeps_the_last_exchange(fmg: FortiManager) -> None:
    fmg.get(ADDR)
    record = fmg.req_resp_object
    assert record.request_json["params"][0]["url"] == ADDR
    assert record.response_json["result"][0]["url"] == ADDR


def test_str_and_repr_never_show_the_password(fmg: FortiManager) -> None:
    assert PASSWORD not in repr(fmg) and "pwd omitted" in repr(fmg)
    assert str(fmg) == f"FortiManager instance connected to {HOST}."


def test_jprint_sorts_and_survives_unserialisable_values() -> None:
    assert FortiManager.jprint({"b": 1, "a": 2}).index('"a"') < FortiManager.jprint({"b": 1, "a": 2}).index('"b"')
    assert "Type Information" in FortiManager.jprint({"x": object()})


def test_properties(fmg: FortiManager) -> None:
    fmg.debug = True
    fmg.verbose = True
    fmg.verify_ssl = "/etc/ssl/ca.pem"
    assert (fmg.debug, fmg.verbose, fmg.verify_ssl) == (True, True, "/etc/ssl/ca.pem")
    assert isinstance(fmg.sess, requests.Session) and not fmg.track_task_disable_connerr
    assert fmg.check_adom_workspace and not fmg.api_key_used and not fmg.forticloud_used
