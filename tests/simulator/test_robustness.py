"""Whatever a client sends, the simulator answers with a FortiManager status, never an internal error."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyfmg.testing import FMGSimulator

from .conftest import Rpc

METHODS = st.sampled_from(["get", "add", "set", "update", "delete", "replace", "clone", "move", "unset", "exec"])
SEGMENTS = st.sampled_from(
    [
        "pm", "config", "adom", "root", "global", "obj", "firewall", "address", "addrgrp", "member",
        "pkg", "default", "policy", "1", "all", "webfilter", "urlfilter", "entries", "dvmdb", "device",
        "FGT-01", "workspace", "lock", "commit", "lockinfo", "task", "securityconsole", "install",
        "package", "sys", "status", "cli", "system", "", "nope", "script", "execute", "log", "latest",
        "summary", "output", "logid", "device", "profile", "preview", "result", "dev-list",
    ]
)  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 5) | st.sampled_from(["all", "h1", "10.0.0.1/32", "root", "x"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["name", "member", "subnet",
        "type", "data", "option", "target", "policyid", "entries", "adom", "pkg", "scope", "device", "script",
        "package", "content", "flags", "web", "add-dev-list", "sn"]), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip
PREFIXES = st.sampled_from(
    [
        "", "pm/config/adom/root/obj/firewall/address", "pm/config/adom/root/obj/firewall/addrgrp",
        "pm/config/adom/root/obj/webfilter/urlfilter", "pm/config/adom/root/pkg/default/firewall/policy",
        "pm/pkg/adom/root", "dvmdb/adom", "dvmdb/adom/root/device", "dvmdb/adom/root/workspace",
        "task/task", "securityconsole/install", "cli/global/system/global", "pm/config/global/obj/firewall/address",
        "dvmdb/adom/root/script", "dvmdb/adom/root/script/log", "securityconsole", "dvm/cmd/add", "dvm/cmd/del",
        "pm/config/adom/root/obj/webfilter/profile", "pm/config/adom/root/obj/fmg/script",
    ]
)  # fmt: skip
PARAM_KEYS = st.sampled_from(["data", "filter", "fields", "range", "sortings", "option", "target", "loadsub"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=METHODS,
    prefix=PREFIXES,
    path=st.lists(SEGMENTS, min_size=0, max_size=4),
    extra=st.dictionaries(PARAM_KEYS, JSON, max_size=3),
)
def test_no_internal_errors(
    rpc: Rpc, sim: FMGSimulator, method: str, prefix: str, path: list[str], extra: dict[str, Any]
) -> None:
    url = "/".join([prefix, *path])
    result = rpc.send(method, {"url": url, **extra})["result"][0]
    assert result["status"]["code"] != -1, result
    assert result["url"] == url
