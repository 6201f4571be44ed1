"""Every input that can be wrong ends in an FMG* error (pyFMG's class where pyFMG had one).

The explicit cases are the ones found by probing the client; the generated test then walks the
public API with hostile values and accepts only a return value or an FMG* exception.
"""

from __future__ import annotations

import datetime
import decimal
import io
import logging
import uuid
from contextlib import redirect_stdout
from typing import Any, Callable

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyfmg import (
    FMGBaseException,
    FMGConnectionError,
    FMGResponseNotFormedCorrect,
    FMGValueError,
    FortiManager,
)

from .fakefmg import HOST, PASSWORD, FakeFMG, ok

#: What may come out of a call besides a return value.
FMG_ERRORS = (FMGBaseException, FMGValueError, FMGResponseNotFormedCorrect, FMGConnectionError)


def _circular() -> list[Any]:
    circle: list[Any] = []
    circle.append(circle)
    return circle


class Deep(list):  # type: ignore[type-arg]
    """Lists nested ``depth`` deep, with a short repr (hypothesis prints failing examples)."""

    def __init__(self, depth: int) -> None:
        super().__init__()
        self.depth = depth
        inner: list[Any] = self
        for _ in range(depth - 1):
            inner.append([])
            inner = inner[0]

    def __repr__(self) -> str:
        return f"Deep({self.depth})"


def _nested(depth: int) -> Any:
    value: Any = {"leaf": 1}
    for _ in range(depth):
        value = {"a": [value]}
    return value


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({1, 2}, FMGBaseException),
        (datetime.datetime(2024, 1, 1), FMGBaseException),
        (b"bytes", FMGBaseException),
        (decimal.Decimal("1.5"), FMGBaseException),
        (uuid.UUID(int=1), FMGBaseException),
        ({(1, 2): "tuple key"}, FMGBaseException),
        (_circular(), FMGValueError),  # json's "Circular reference detected" is a ValueError: pyFMG's FMGValueError
        (_nested(100_000), FMGBaseException),
    ],
    ids=["set", "datetime", "bytes", "decimal", "uuid", "tuple-key", "circular", "nested-100000"],
)
def test_data_json_cannot_serialise_raises_pyfmg_class_naming_the_call(
    fmg: FortiManager, data: Any, expected: type[Exception]
) -> None:
    with pytest.raises(expected, match="add pm/config/adom/root/obj/firewall/address: the request cannot be sent"):
        fmg.add("pm/config/adom/root/obj/firewall/address", data={"name": "x", "value": data})


@pytest.mark.parametrize("timeout", [float("inf"), float("nan"), 1e12, -1, 0, "5", True])
def test_timeouts_the_socket_layer_cannot_take_are_refused_at_once(timeout: Any) -> None:
    with pytest.raises(FMGValueError, match="timeout must be"):
        FortiManager(HOST, "admin", PASSWORD, timeout=timeout)


@pytest.mark.parametrize("host", ["[::1", "fmg:port", "[::1]:99999", "fmg:-1"])
def test_hosts_that_cannot_be_part_of_a_url_are_refused_at_once(host: str) -> None:
    with pytest.raises(FMGValueError, match="is not a valid address"):
        FortiManager(host, "admin", PASSWORD)


@pytest.mark.parametrize(
    "keywords",
    [
        {"sleep_time": "3"},
        {"sleep_time": float("inf")},
        {"sleep_time": -1},
        {"timeout": None},
        {"timeout": float("nan")},
        {"retrieval_fail_gate": "ten"},
        {"zero_percent_timeout": []},
        {"task_stale_timeout": object()},
        {"progress": "print"},
        {"min_sleep_time": None},
    ],
)
def test_track_task_with_unusable_settings_raises_value_error(fmg: FortiManager, keywords: dict[str, Any]) -> None:
    with pytest.raises(FMGValueError, match="track_task: "):
        fmg.track_task(12, **keywords)
    with pytest.raises(FMGValueError, match="track_task: "):
        fmg.track_tasks([12, 13], **keywords)


@pytest.mark.parametrize("wait", ["5", float("nan"), [], True])
def test_lock_wait_that_is_not_a_number_raises_value_error(fmg: FortiManager, wait: Any) -> None:
    with pytest.raises(FMGValueError, match="wait must be"):
        fmg.lock_adom("root", wait=wait)


def _deep_list(depth: int) -> list[Any]:
    """A plain list nested ``depth`` deep: its repr and str raise RecursionError."""
    outer: list[Any] = []
    inner = outer
    for _ in range(depth):
        inner.append([])
        inner = inner[0]
    return outer


DEEP = _deep_list(5_000)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda fmg: fmg.get(DEEP), id="request-url"),
        pytest.param(lambda fmg: fmg.execute(DEEP), id="request-url-execute"),
        pytest.param(lambda fmg: fmg.lock_adom(DEEP), id="workspace-adom"),
        pytest.param(lambda fmg: fmg.lock("root", package=DEEP), id="workspace-package"),
        pytest.param(lambda fmg: fmg.workspace(DEEP).__enter__(), id="workspace-block"),
        pytest.param(lambda fmg: fmg.lock_adom("root", wait=DEEP), id="workspace-wait"),
        pytest.param(lambda fmg: fmg.free_form(DEEP, data=[{"url": "sys/status"}]), id="client-method"),
        pytest.param(lambda fmg: fmg.free_form("get", data=[{"url": DEEP}]), id="client-url-label"),
        pytest.param(lambda fmg: FortiManager(HOST, "admin", PASSWORD, timeout=DEEP), id="arguments-timeout"),
        pytest.param(lambda fmg: FortiManager(HOST, "admin", PASSWORD, verify_ssl=DEEP), id="arguments-verify"),
        pytest.param(lambda fmg: FortiManager(HOST, "admin", PASSWORD, pool_size=DEEP), id="arguments-pool"),
        pytest.param(lambda fmg: FortiManager(HOST, "admin", PASSWORD, deadline=DEEP), id="transport-deadline"),
        pytest.param(lambda fmg: FortiManager(HOST, "admin", PASSWORD, max_reply_bytes=DEEP), id="transport-size"),
        pytest.param(lambda fmg: setattr(fmg, "timeout", DEEP), id="legacy-timeout-setter"),
        pytest.param(lambda fmg: setattr(fmg, "req_id", DEEP), id="legacy-req-id"),
        pytest.param(lambda fmg: fmg._lock_ctx.lock_adom(DEEP), id="legacy-lock-context"),
        pytest.param(lambda fmg: fmg.track_task(DEEP), id="tasks-id"),
        pytest.param(lambda fmg: fmg.track_task(1, timeout=DEEP), id="tasks-timeout"),
        pytest.param(lambda fmg: fmg.bulk(DEEP, []), id="bulk-method"),
    ],
)
def test_a_list_nested_5000_deep_is_named_in_a_bounded_message_not_a_recursion_error(
    fmg: FortiManager, call: Callable[[FortiManager], Any]
) -> None:
    with pytest.raises(FMG_ERRORS) as raised:
        call(fmg)
    assert "[[[[...]]]]" in str(raised.value) and len(str(raised.value)) < 1000


@pytest.mark.parametrize("task_id", ["", " ", "abc", "1/2", "12 ", None, -1, 1.5, True, [12], {"id": 1}])
def test_track_task_refuses_an_empty_or_malformed_task_id(fmg: FortiManager, task_id: Any) -> None:
    with pytest.raises(FMGValueError, match="task_id must be a task number"):
        fmg.track_task(task_id)
    with pytest.raises(FMGValueError, match="task_id must be a task number"):
        fmg.track_tasks([12, task_id])


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda fmg: fmg.lock_adom(""), "adom"),
        (lambda fmg: fmg.unlock_adom(" "), "adom"),
        (lambda fmg: fmg.commit_changes("root/pkg"), "adom"),
        (lambda fmg: fmg.lock("root", package=""), "package"),
        (lambda fmg: fmg.lock("root", package="folder//pkg"), "package"),
        (lambda fmg: fmg.lock("root", device="FGT\n1"), "device"),
        (lambda fmg: fmg.workspace("").__enter__(), "adom"),
        (lambda fmg: fmg.get("  "), "url"),
    ],
)
def test_empty_or_malformed_names_are_refused_before_anything_is_sent(
    fmg: FortiManager, fake: FakeFMG, call: Callable[[FortiManager], Any], named: str
) -> None:
    sent = len(fake.bodies)
    with pytest.raises(FMGValueError, match=named):
        call(fmg)
    assert len(fake.bodies) == sent


def test_a_reply_nested_600_deep_is_printed_and_logged_without_recursion_error(
    fmg: FortiManager, fake: FakeFMG, caplog: pytest.LogCaptureFixture
) -> None:
    deep: Any = ["leaf"]
    for _ in range(600):
        deep = [deep]
    fake.on(lambda method, params, body: ok(deep, params[0]["url"]) if params[0]["url"] == "deep" else None)
    fmg.debug = True
    printed = io.StringIO()
    with caplog.at_level(logging.DEBUG, logger="pyfmg"), redirect_stdout(printed):
        code, data = fmg.get("deep")
    assert code == 0 and data == deep
    assert '"leaf"' in printed.getvalue()
    assert any('"leaf"' in record.getMessage() for record in caplog.records)


# --- generated: the public API against hostile values ---------------------------------------------

HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.binary(max_size=8),
    st.sampled_from(
        [
            {1, 2},
            datetime.datetime(2024, 1, 1),
            decimal.Decimal("NaN"),
            uuid.UUID(int=7),
            _circular(),
            Deep(2_000),
            object(),
            "[::1",
            "",
            "../../..",
            "\x00\ud800",
        ]
    ),
)
HOSTILE_TREE = st.recursive(
    HOSTILE,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
RUN = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _with_client(body: Callable[[FortiManager], Any], **keywords: Any) -> None:
    """Run ``body`` on a client logged in to a fresh fake FortiManager; accept a value or an FMG* error."""
    keywords = {"host": HOST, "user": "admin", "passwd": PASSWORD, **keywords}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock, redirect_stdout(io.StringIO()):
        fake = FakeFMG(mock)
        fake.workspace_mode = "normal"
        fake.on(_finished_tasks)
        try:
            client = FortiManager(**keywords)
            client.login()
            try:
                body(client)
            finally:
                client.logout()
        except FMG_ERRORS:
            pass


def _finished_tasks(method: str, params: Any, body: dict[str, Any]) -> Any:
    if not (isinstance(params, list) and params and isinstance(params[0], dict)):
        return ok(code=-10, message="Invalid request")  # the fake's own parsing assumes params it can read
    url = str(params[0].get("url", ""))
    if url.startswith("/task/task/"):
        return ok({"percent": 100, "num_err": 0, "state": 4}, url)
    return None


@RUN
@given(
    keyword=st.sampled_from(
        [
            "host",
            "user",
            "passwd",
            "debug",
            "use_ssl",
            "verify_ssl",
            "timeout",
            "verbose",
            "track_task_disable_connerr",
            "apikey",
            "check_adom_workspace",
            "pool_size",
            "retry",
        ]
    ),
    value=HOSTILE,
)
def test_constructor_keywords(keyword: str, value: Any) -> None:
    _with_client(lambda client: client.get("sys/status"), **{keyword: value})


@RUN
@given(
    attribute=st.sampled_from(["timeout", "verify_ssl", "req_id", "debug", "verbose", "retry", "check_adom_workspace"]),
    value=HOSTILE,
)
def test_property_setters(attribute: str, value: Any) -> None:
    def body(client: FortiManager) -> Any:
        setattr(client, attribute, value)
        return client.get("sys/status")

    _with_client(body)


VERBS = ["get", "add", "set", "update", "delete", "replace", "clone", "execute", "move", "unset"]


@RUN
@given(verb=st.sampled_from(VERBS), url=HOSTILE, data=HOSTILE_TREE, extra=st.dictionaries(st.text(max_size=5), HOSTILE))
def test_verbs(verb: str, url: Any, data: Any, extra: dict[str, Any]) -> None:
    extra = {key: value for key, value in extra.items() if key.isidentifier() and key not in ("url", "data")}
    _with_client(lambda client: getattr(client, verb)(url, data=data, **extra))
    _with_client(lambda client: getattr(client, verb)("pm/config/adom/root/obj/firewall/address", data=data))


@RUN
@given(adom=HOSTILE, package=HOSTILE, device=HOSTILE, wait=HOSTILE, commit=HOSTILE, which=st.sampled_from(range(7)))
def test_locks_and_workspaces(adom: Any, package: Any, device: Any, wait: Any, commit: Any, which: int) -> None:
    def body(client: FortiManager) -> Any:
        if which == 0:
            return client.lock_adom(adom, wait=wait)
        if which == 1:
            return client.unlock_adom(adom)
        if which == 2:
            return client.commit_changes(adom, aux=commit)
        if which == 3:
            return client.lock(adom, package, device, wait=wait)
        if which == 4:
            return client.unlock(adom, package, device)
        if which == 5:
            return client.commit(adom, package, device)
        with client.workspace(adom, package, device, commit=commit, wait=wait):
            return client.add("pm/config/adom/root/obj/firewall/address", data={"name": "x"})

    _with_client(body)


@RUN
@given(
    task_id=HOSTILE,
    sleep_time=HOSTILE,
    retrieval_fail_gate=HOSTILE,
    timeout=HOSTILE,
    flags=st.tuples(HOSTILE, HOSTILE),
    zero_percent_timeout=HOSTILE,
    task_stale_timeout=HOSTILE,
)
def test_track_task(
    task_id: Any,
    sleep_time: Any,
    retrieval_fail_gate: Any,
    timeout: Any,
    flags: tuple[Any, Any],
    zero_percent_timeout: Any,
    task_stale_timeout: Any,
) -> None:
    def body(client: FortiManager) -> Any:
        client.track_task(
            task_id,
            sleep_time,
            retrieval_fail_gate,
            timeout,
            flags[0],
            flags[1],
            zero_percent_timeout,
            task_stale_timeout,
        )
        return client.track_tasks([task_id], sleep_time, retrieval_fail_gate, timeout)

    _with_client(body)


@RUN
@given(
    method=HOSTILE | st.sampled_from(["add", "get", "delete"]),
    target=HOSTILE_TREE,
    items=HOSTILE_TREE,
    chunk_size=HOSTILE,
    workers=HOSTILE,
    form=st.booleans(),
)
def test_bulk_and_free_form(method: Any, target: Any, items: Any, chunk_size: Any, workers: Any, form: bool) -> None:
    def body(client: FortiManager) -> Any:
        if form:
            return client.free_form(method, data=items)
        return client.bulk(method, target, items, chunk_size=chunk_size, workers=workers)

    _with_client(body)


@pytest.mark.parametrize("items", [False, 3, None, object()])
def test_bulk_items_that_are_not_a_list_raise_value_error(fmg: FortiManager, items: Any) -> None:
    with pytest.raises(FMGValueError, match="items must be a list"):
        fmg.bulk("add", "pm/config/adom/root/obj/firewall/address", items)
