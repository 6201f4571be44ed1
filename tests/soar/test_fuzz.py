"""Whatever a playbook sends, the adapter's pure parts answer with a value or an FMG* error."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pyfmg import FMGValueError
from pyfmg.lockscope import lock_scope
from pyfmg.soar import OPERATIONS, SOARError, parse_config

SEGMENT = st.sampled_from(
    [
        "pm",
        "config",
        "adom",
        "root",
        "pkg",
        "obj",
        "global",
        "dvmdb",
        "device",
        "firewall",
        "policy",
        "securityconsole",
        "install",
        "dvm",
        "cmd",
        "",
        "x\\/y",
        "sys",
        "task",
    ]
)
URL = st.lists(SEGMENT, max_size=8).map(lambda parts: "/" + "/".join(parts))
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["adom", "url", "data", "x"]), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=80, deadline=None)
@given(
    method=st.sampled_from(["get", "add", "set", "exec", "execute", "delete", "move", "bogus", ""]) | st.integers(),
    urls=URL | st.lists(URL | st.fixed_dictionaries({"url": URL, "data": JSONISH}), max_size=3) | JSONISH,
    data=JSONISH,
    adom=st.none() | st.sampled_from(["root", "edge"]),
    narrow=st.booleans(),
)
def test_lock_scope_returns_a_scope_or_raises_its_own_error(
    method: Any, urls: Any, data: Any, adom: Any, narrow: bool
) -> None:
    try:
        scope = lock_scope(method, urls, data, adom=adom, narrow=narrow)
    except FMGValueError:
        return
    assert scope is None or scope.adom


CONFIG_VALUE = (
    st.none()
    | st.booleans()
    | st.integers(-5, 70000)
    | st.text(max_size=12)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["1e400", "-inf", "nan", "443"])
)


@settings(max_examples=80, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "address",
                "port",
                "auth_method",
                "username",
                "password",
                "api_key",
                "verify_ssl",
                "timeout",
                "debug",
                "narrow_locks",
                "lock_wait",
                "ca_bundle",
            ]
        ),
        CONFIG_VALUE,
    )
)
def test_parse_config_accepts_or_says_why(config: dict[str, Any]) -> None:
    try:
        cfg = parse_config(config)
    except SOARError as error:
        assert str(error)
        return
    assert cfg.host and cfg.timeout > 0


class _AnythingGoesFMG:
    """Answers every call with code 0 and the same data, whatever was asked."""

    workspace_mode = False

    def __init__(self, data: Any) -> None:
        self.data = data

    def free_form(self, method: str, create_task: Any = None, **kwargs: Any) -> tuple[int, Any]:
        return 200, [
            {"status": {"code": 0, "message": "OK"}, "url": p.get("url"), "data": self.data} for p in kwargs["data"]
        ]

    def get(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, Any]:
        return 0, self.data

    def track_task(self, task_id: Any, **kwargs: Any) -> tuple[int, Any]:
        return 0, self.data


PARAM_NAMES = st.sampled_from(
    [
        "url",
        "data",
        "options",
        "adom",
        "method",
        "params",
        "option",
        "target",
        "track_task",
        "package",
        "scope",
        "preview",
        "ip_addresses",
        "address_group",
        "urls",
        "webfilter_profile",
        "task_timeout",
        "delete_address",
        "name_prefix",
    ]
)


@settings(max_examples=100, deadline=None)
@given(
    operation=st.sampled_from(sorted(OPERATIONS)),
    params=st.dictionaries(PARAM_NAMES, JSONISH, max_size=8),
    answer=JSONISH,
)
def test_operations_fail_only_with_adapter_errors(operation: str, params: dict[str, Any], answer: Any) -> None:
    cfg = parse_config({"address": "fmg", "username": "a", "password": "b"})
    try:
        result = OPERATIONS[operation](_AnythingGoesFMG(answer), cfg, params)  # type: ignore[arg-type]
    except (SOARError, FMGValueError):
        return
    assert isinstance(result, dict)
