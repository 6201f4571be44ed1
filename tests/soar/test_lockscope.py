"""The lock a request needs (pyfmg.lockscope.lock_scope) and package-folder resolution."""

from __future__ import annotations

from typing import Any

import pytest

from pyfmg import FMGValueError, LockScope
from pyfmg.lockscope import FMGLockScopeError, lock_scope, resolve_package_path, split_url
from pyfmg.testing import FMGSimulator

from .conftest import admin_client


@pytest.mark.parametrize(
    ("method", "url", "data", "expected"),
    [
        ("get", "/pm/config/adom/root/pkg/default/firewall/policy", None, None),
        ("add", "/pm/config/adom/root/pkg/default/firewall/policy", {}, LockScope("root", package="default")),
        ("update", "pm/config/adom/root/pkg/default/firewall/policy/3", {}, LockScope("root", package="default")),
        ("add", "/pm/config/adom/root/pkg/f1/p1/firewall/policy", {}, LockScope("root", package="f1/p1")),
        ("delete", "/pm/config/adom/demo/obj/firewall/address/h1", None, LockScope("demo")),
        ("set", "/pm/config/global/obj/firewall/address", {}, LockScope("global")),
        ("add", "/pm/config/global/pkg/gp/global/header/policy", {}, LockScope("global", package="gp")),
        ("add", "/pm/pkg/adom/root", {"name": "new", "type": "pkg"}, LockScope("root")),
        ("update", "/dvmdb/adom/root/device/FGT-01", {}, LockScope("root", device="FGT-01")),
        ("execute", "/securityconsole/install/package", {"adom": "root", "pkg": "default"}, None),
        ("exec", "/securityconsole/install/preview", {"adom": "root"}, None),
        ("exec", "/securityconsole/assign/package", {"adom": "demo"}, LockScope("demo")),
        ("exec", "/dvm/cmd/add/device", [{"adom": "root", "device": {}}], LockScope("root")),
        ("exec", "/sys/proxy/json", {"target": ["adom/root/device/FGT-01"]}, None),
        ("set", "/cli/global/system/admin/user/bob", {}, None),
        ("exec", "/dvmdb/adom/root/workspace/lock", None, None),
        ("delete", "/task/task/12", None, None),
    ],
)
def test_scope_of_a_single_url(method: str, url: str, data: Any, expected: LockScope | None) -> None:
    assert lock_scope(method, url, data) == expected


@pytest.mark.parametrize("url", ["/pm/config/device/FGT-01/vdom/root/system/interface", "/dvmdb/device/FGT-01"])
def test_device_url_needs_the_adom_from_the_caller(url: str) -> None:
    with pytest.raises(FMGLockScopeError, match="FGT-01"):
        lock_scope("update", url, {})
    assert lock_scope("update", url, {}, adom="edge") == LockScope("edge", device="FGT-01")
    assert lock_scope("get", url) is None


def test_urls_in_one_package_lock_the_package_and_mixed_urls_widen_to_the_adom() -> None:
    same = ["/pm/config/adom/root/pkg/p2/firewall/policy/1", "/pm/config/adom/root/pkg/p2/firewall/policy/2"]
    assert lock_scope("delete", same) == LockScope("root", package="p2")
    mixed = [{"url": same[0]}, {"url": "/pm/config/adom/root/obj/firewall/address", "data": {"name": "x"}}]
    assert lock_scope("add", mixed) == LockScope("root")
    two_packages = [same[0], "/pm/config/adom/root/pkg/default/firewall/policy/1"]
    assert lock_scope("delete", two_packages) == LockScope("root")


def test_reads_and_no_lock_urls_mixed_with_a_write_keep_the_write_scope() -> None:
    params = [{"url": "/sys/status"}, {"url": "/pm/config/adom/root/pkg/p2/firewall/policy"}]
    assert lock_scope("add", params) == LockScope("root", package="p2")


def test_narrow_false_locks_the_whole_adom() -> None:
    url = "/pm/config/adom/root/pkg/default/firewall/policy"
    assert lock_scope("add", url, {}, narrow=False) == LockScope("root")
    assert lock_scope("get", url, narrow=False) is None


@pytest.mark.parametrize(
    ("method", "urls", "data", "needle"),
    [
        ("add", ["/pm/config/adom/a/obj/firewall/address", "/pm/config/adom/b/obj/firewall/address"], None, "a, b"),
        ("exec", "/securityconsole/assign/package", {"pkg": "x"}, "no 'adom'"),
        ("exec", "/securityconsole/assign/package", [{"adom": "a"}, {"adom": "b"}], "several ADOMs"),
        ("add", "/fortiview/something", {}, "/fortiview/something"),
        ("add", "/pm/config/weird/x", {}, "pm/config/weird/x"),
        ("add", "", {}, "empty"),
        ("frobnicate", "/pm/config/adom/root/obj/firewall/address", {}, "Unknown JSON-RPC method"),
        ("", "/pm/config/adom/root/obj/firewall/address", {}, "non-empty"),
        ("add", [], None, "at least one URL"),
        ("add", [{"data": {}}], None, "string 'url'"),
        ("add", 42, None, "string or a list"),
    ],
)
def test_undecidable_requests_raise_instead_of_guessing(method: str, urls: Any, data: Any, needle: str) -> None:
    with pytest.raises(FMGLockScopeError, match=needle.replace("(", r"\(")) as caught:
        lock_scope(method, urls, data)
    assert isinstance(caught.value, FMGValueError)


def test_split_url_keeps_escaped_slashes_in_names() -> None:
    assert split_url("/pm/config/adom/root/obj/firewall/address/net\\/24/") == [
        "pm",
        "config",
        "adom",
        "root",
        "obj",
        "firewall",
        "address",
        "net\\/24",
    ]


def test_resolve_package_path_finds_folder_packages(ws_sim: FMGSimulator) -> None:
    with admin_client(ws_sim) as fmg:
        assert resolve_package_path(fmg, "root", "p1") == "f1/p1"
        assert resolve_package_path(fmg, "root", "f1/p1") == "f1/p1"
        assert resolve_package_path(fmg, "root", "default") == "default"
        with pytest.raises(FMGValueError, match="nope does not exist in ADOM root"):
            resolve_package_path(fmg, "root", "nope")
        with pytest.raises(FMGValueError, match="Cannot read the policy packages of ADOM ghost"):
            resolve_package_path(fmg, "ghost", "p1")
        with pytest.raises(FMGValueError, match="non-empty"):
            resolve_package_path(fmg, "root", "")


class _TreeClient:
    def __init__(self, tree: Any) -> None:
        self.tree = tree

    def get(self, url: str) -> tuple[int, Any]:
        return 0, self.tree


def test_resolve_package_path_refuses_an_ambiguous_name() -> None:
    tree = [
        {"name": "a", "type": "folder", "subobj": [{"name": "dup", "type": "pkg"}]},
        {"name": "b", "type": "folder", "subobj": [{"name": "dup", "type": "pkg"}]},
    ]
    with pytest.raises(FMGValueError, match=r"ambiguous.*a/dup, b/dup"):
        resolve_package_path(_TreeClient(tree), "root", "dup")
    assert resolve_package_path(_TreeClient(tree), "root", "b/dup") == "b/dup"
