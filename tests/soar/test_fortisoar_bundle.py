"""The FortiSOAR connector: info.json passes the checks FortiSOAR's connector repositories run, maps
one to one onto the adapter's operations and describes what they return; connector.py drives the
adapter; the built .tgz installs and runs with its vendored pyfmg."""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyfmg import FMGValueError
from pyfmg.soar import OPERATIONS, SOARError, parse_config, run
from pyfmg.soar_bundle import build_fortisoar, find_bundle_source, main
from pyfmg.testing import FMGSimulator

from .conftest import PASSWORD, WEBFILTER, config_for, seed_webfilter

SOURCE = Path(__file__).resolve().parents[2] / "connectors" / "fortisoar" / "fortimanager-pyfmg"
INFO = json.loads((SOURCE / "info.json").read_text(encoding="utf-8"))

# The lists FortiSOAR's connector repositories check against.
CONNECTOR_CATEGORIES = {
    "Analytics and SIEM",
    "Asset Management",
    "Authentication",
    "Case Management",
    "Cloud Security",
    "Communication and Coordination",
    "Compliance and Reporting",
    "Database",
    "Deception",
    "Email Gateway",
    "Endpoint Security",
    "Firewall and Network Protection",
    "Forensics and Malware Analysis",
    "Identity and Access Management",
    "IT Services",
    "Monitoring",
    "Network Security",
    "Threat Intelligence",
    "Utilities",
    "Vulnerability and Risk Management",
}
OPERATION_CATEGORIES = {"investigation", "containment", "remediation", "miscellaneous"}
FIELD_TYPES = {
    "text",
    "textarea",
    "integer",
    "datetime",
    "select",
    "multiselect",
    "checkbox",
    "password",
    "json",
    "apiOperation",
}


# --- info.json as FortiSOAR checks it ------------------------------------------------------------------


def all_fields(fields: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Fields and parameters, including the ones revealed by an 'onchange' choice."""
    for field in fields:
        yield field
        for nested in (field.get("onchange") or {}).values():
            yield from all_fields(nested)


def test_connector_identity() -> None:
    assert SOURCE.name == INFO["name"]
    assert INFO["label"]
    assert re.fullmatch(r"[1-9]\d*\.(0|[1-9]\d*)\.(0|[1-9]\d*)", INFO["version"])
    assert INFO["publisher"] == "Community" and INFO["cs_approved"] is False
    assert INFO["category"] in CONNECTOR_CATEGORIES
    assert len(INFO["description"]) >= 3 * len(INFO["label"])


@pytest.mark.parametrize(("key", "size"), [("icon_small_name", 32), ("icon_large_name", 80)])
def test_icons_are_named_and_are_pngs_of_the_right_size(key: str, size: int) -> None:
    data = (SOURCE / "images" / INFO[key]).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (size, size)


FIELDS = [("configuration", f) for f in all_fields(INFO["configuration"]["fields"])] + [
    (op["operation"], f) for op in INFO["operations"] for f in all_fields(op["parameters"])
]


@pytest.mark.parametrize(("owner", "field"), FIELDS, ids=[f"{o}.{f.get('name')}" for o, f in FIELDS])
def test_every_field_and_parameter(owner: str, field: dict[str, Any]) -> None:
    assert field.get("name") and field.get("title")
    assert field.get("type") in FIELD_TYPES
    assert len(field.get("description", "")) >= 3 * len(field["name"])
    if field["type"] == "select":
        assert field["options"] and (field.get("value") in field["options"] or "value" not in field)
    for choice in field.get("onchange") or {}:
        assert choice in (["true", "false"] if field["type"] == "checkbox" else field["options"])


@pytest.mark.parametrize("operation", INFO["operations"], ids=[op["operation"] for op in INFO["operations"]])
def test_every_operation(operation: dict[str, Any]) -> None:
    assert operation["operation"] and operation["title"]
    assert operation["category"] in OPERATION_CATEGORIES
    assert len(operation["description"]) >= 3 * len(operation["operation"])
    assert isinstance(operation["parameters"], list)
    assert isinstance(operation["output_schema"], dict) and operation["output_schema"]
    names = [field["name"] for field in all_fields(operation["parameters"])]
    assert len(names) == len(set(names)), "duplicate parameter names"


def test_configuration_field_names_are_unique() -> None:
    names = [field["name"] for field in all_fields(INFO["configuration"]["fields"])]
    assert len(names) == len(set(names))


def test_info_json_operations_map_one_to_one_onto_the_adapter() -> None:
    listed = [op["operation"] for op in INFO["operations"]]
    assert len(listed) == len(set(listed))
    assert set(listed) == set(OPERATIONS)


def adapter_reads(pattern: str) -> set[str]:
    sources = (Path(__file__).resolve().parents[2] / "pyfmg" / "soar").glob("*.py")
    return {name for path in sources for name in re.findall(pattern, path.read_text(encoding="utf-8"))}


def test_every_info_json_name_is_read_by_the_adapter() -> None:
    """A field the adapter never reads would be silently ignored on FortiSOAR."""
    params = {field["name"] for op in INFO["operations"] for field in all_fields(op["parameters"])}
    assert params <= adapter_reads(r'params\.get\("([a-z_]+)"\)') | adapter_reads(
        r'_request_fields\(params, "([a-z_]+)"'
    )
    fields = {field["name"] for field in all_fields(INFO["configuration"]["fields"])}
    assert fields <= adapter_reads(r'config\.get\("([a-z_]+)"')


def test_info_json_configuration_is_what_parse_config_reads(tmp_path: Path) -> None:
    """A configuration filled with every field's default (as FortiSOAR would) is accepted."""
    config = {field["name"]: field.get("value", "") for field in all_fields(INFO["configuration"]["fields"])}
    config.update(address="fmg.example.com", username="admin", password="pw-1")
    cfg = parse_config(config)
    assert cfg.host == "fmg.example.com:443" and cfg.narrow_locks is True and cfg.timeout == 300


# --- output_schema matches what the adapter returns ----------------------------------------------------


def shape(value: Any) -> Any:
    """Keys of dicts (recursively, through the first item of lists), types elsewhere ignored."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value and isinstance(value[0], dict) else []
    return None


def assert_schema_matches(operation: str, result: dict[str, Any]) -> None:
    schema = next(op["output_schema"] for op in INFO["operations"] if op["operation"] == operation)
    assert set(result) == set(schema), operation
    json.dumps(result)  # JSON-serialisable
    for key, example in schema.items():
        got = result[key]
        if isinstance(example, list) and example and isinstance(example[0], dict) and isinstance(got, list) and got:
            assert set(got[0]) <= set(example[0]), (operation, key)


def test_output_schemas_match_every_operation_result(ws_sim: FMGSimulator) -> None:
    config = config_for(ws_sim)
    policy = "pm/config/adom/root/pkg/p2/firewall/policy"
    address = "pm/config/adom/root/obj/firewall/address"
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get", {"url": address}),
        ("add", {"url": address, "data": {"name": "s1"}}),
        ("set", {"url": address, "data": {"name": "s1", "comment": "c"}}),
        ("update", {"url": address + "/s1", "data": {"comment": "d"}}),
        ("replace", {"url": address + "/s1", "data": {"name": "s1"}}),
        ("clone", {"url": address + "/s1", "data": {"name": "s2"}}),
        ("delete", {"url": address + "/s2"}),
        ("add", {"url": policy, "data": {"name": "two"}}),
        ("move", {"url": policy + "/2", "option": "before", "target": "1"}),
        (
            "exec",
            {
                "url": "securityconsole/install/package",
                "track_task": True,
                "poll_interval": 0.05,
                "data": {"adom": "root", "pkg": "p2", "scope": [{"name": "FGT-01", "vdom": "root"}]},
            },
        ),
        ("free_form", {"method": "get", "params": [{"url": address}]}),
        ("install_policy_package", {"package": "p2", "scope": "FGT-01[root]", "poll_interval": 0.05}),
        ("block_ip", {"ip_addresses": "203.0.113.1, bad", "address_group": "soar-blocklist"}),
        ("unblock_ip", {"ip_addresses": "203.0.113.1", "address_group": "soar-blocklist"}),
    ]
    seen = set()
    for operation, params in calls:
        assert_schema_matches(operation, run(operation, config, params))
        seen.add(operation)
    seed_webfilter(ws_sim)
    for operation, params in [
        ("block_url", {"urls": "x.example", "webfilter_profile": "web"}),
        ("unblock_url", {"urls": "bad.example", "webfilter_profile": "web"}),
    ]:
        assert_schema_matches(operation, run(operation, config, params))
        seen.add(operation)
    assert seen == set(OPERATIONS)


# --- URL containment ------------------------------------------------------------------------------------


def url_entries(sim: FMGSimulator, list_id: str) -> dict[str, str]:
    """URL -> action of a URL filter list, as the simulator stores it."""
    return {entry["url"]: entry["action"] for entry in sim.objects(f"{WEBFILTER}/urlfilter/{list_id}")["entries"]}


def test_block_url_adds_entries_and_reports_each_url(ws_sim: FMGSimulator) -> None:
    list_id = seed_webfilter(ws_sim)
    assert list_id is not None
    refusal = {"status": {"code": -10, "message": "refused"}, "url": "x"}
    ws_sim.inject("raw", method="update", url=f"{WEBFILTER}/urlfilter/*", body=json.dumps({"result": [refusal]}))
    result = run(
        "block_url",
        config_for(ws_sim),
        {
            "urls": "https://new.example/path, bad.example, allowed.example, new.example/path",
            "webfilter_profile": "web",
        },
    )
    assert result["blocked"] == ["new.example/path"]
    assert result["already_blocked"] == ["bad.example", "new.example/path"] and result["created"] == []
    assert result["failed"] == [{"url": "allowed.example", "reason": "code -10 (refused)"}]
    assert result["url_filter"] == list_id and result["lock_scope"] == "root" and result["committed"] is True
    # The adapter reads actions as FortiManager numbers them (1 is block): bad.example is blocked already.
    assert url_entries(ws_sim, list_id) == {
        "bad.example": "block",
        "allowed.example": "allow",
        "new.example/path": "block",
    }
    again = run("block_url", config_for(ws_sim), {"urls": "allowed.example", "webfilter_profile": "web"})
    assert again["blocked"] == ["allowed.example"] and url_entries(ws_sim, list_id)["allowed.example"] == "block"
    assert ws_sim.locks == {} and ws_sim.sessions == {}


def test_block_url_creates_the_url_filter_list_when_the_profile_has_none(ws_sim: FMGSimulator) -> None:
    seed_webfilter(ws_sim, with_list=False)
    result = run("block_url", config_for(ws_sim), {"urls": ["evil.example"], "webfilter_profile": "web"})
    assert result["created"] == ["web-soar"] and result["blocked"] == ["evil.example"]
    new_id = result["url_filter"]
    assert ws_sim.objects(f"{WEBFILTER}/profile/web")["web"]["urlfilter-table"] == int(new_id)
    assert url_entries(ws_sim, new_id) == {"evil.example": "block"}


def test_unblock_url_deletes_entries(ws_sim: FMGSimulator) -> None:
    list_id = seed_webfilter(ws_sim)
    assert list_id is not None
    config = config_for(ws_sim)
    result = run("unblock_url", config, {"urls": "bad.example, unknown.example", "webfilter_profile": "web"})
    assert result["unblocked"] == ["bad.example"] and result["not_blocked"] == ["unknown.example"]
    assert result["committed"] is True and url_entries(ws_sim, list_id) == {"allowed.example": "allow"}


def test_unblock_url_without_a_list_locks_nothing(ws_sim: FMGSimulator) -> None:
    seed_webfilter(ws_sim, with_list=False)
    empty = run("unblock_url", config_for(ws_sim), {"urls": "x.example", "webfilter_profile": "web"})
    assert empty["not_blocked"] == ["x.example"] and empty["url_filter"] is None
    assert empty["lock_scope"] == "" and empty["committed"] is False


def test_block_url_on_a_missing_profile(ws_sim: FMGSimulator) -> None:
    with pytest.raises(SOARError, match="Web filter profile nope does not exist in ADOM root"):
        run("block_url", config_for(ws_sim), {"urls": "x.example", "webfilter_profile": "nope"})


def test_block_url_through_run_on_the_simulator_names_the_failing_call(ws_sim: FMGSimulator) -> None:
    with pytest.raises(SOARError, match="Web filter profile web does not exist in ADOM root"):
        run("block_url", config_for(ws_sim), {"urls": "x.example", "webfilter_profile": "web"})
    assert ws_sim.locks == {} and ws_sim.sessions == {}


# --- connector.py with a stand-in for FortiSOAR's SDK --------------------------------------------------


class ConnectorError(Exception):
    pass


class Connector:
    pass


def install_stub_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    core = types.ModuleType("connectors.core.connector")
    core.Connector = Connector  # type: ignore[attr-defined]
    core.ConnectorError = ConnectorError  # type: ignore[attr-defined]
    core.get_logger = logging.getLogger  # type: ignore[attr-defined]
    for name, module in [
        ("connectors", types.ModuleType("connectors")),
        ("connectors.core", types.ModuleType("connectors.core")),
        ("connectors.core.connector", core),
    ]:
        monkeypatch.setitem(sys.modules, name, module)


def load_connector(monkeypatch: pytest.MonkeyPatch, folder: Path = SOURCE) -> Any:
    install_stub_sdk(monkeypatch)
    spec = importlib.util.spec_from_file_location("fortisoar_connector_under_test", folder / "connector.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_connector_drives_execute_and_check_health(ws_sim: FMGSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    module = load_connector(monkeypatch)
    connector = module.FortiManagerPyfmg()
    assert isinstance(connector, Connector)
    config = config_for(ws_sim)
    assert connector.check_health(config) is True
    result = connector.execute(config, "get", {"url": "pm/config/adom/root/obj/firewall/addrgrp/soar-blocklist"})
    assert result["data"]["member"] == ["placeholder"]
    blocked = connector.execute(
        config, "block_ip", {"adom": "root", "ip_addresses": "203.0.113.9", "address_group": "soar-blocklist"}
    )
    assert blocked["blocked"] == ["203.0.113.9"]
    assert ws_sim.locks == {} and ws_sim.sessions == {}


def test_connector_turns_adapter_errors_into_connector_errors(
    ws_sim: FMGSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_connector(monkeypatch)
    connector = module.FortiManagerPyfmg()
    with pytest.raises(ConnectorError, match="refused the login") as caught:
        connector.check_health(config_for(ws_sim, password="Wrong-" + PASSWORD))
    assert PASSWORD not in str(caught.value)
    with pytest.raises(ConnectorError, match="Unknown operation 'nope'"):
        connector.execute(config_for(ws_sim), "nope", {})
    with pytest.raises(ConnectorError, match="'data' is not valid JSON"):
        connector.execute(config_for(ws_sim), "add", {"url": "pm/config/adom/root/obj/firewall/address", "data": "{"})


# --- the installable bundle ----------------------------------------------------------------------------


def test_build_produces_one_top_folder_with_the_connector_and_vendored_pyfmg(tmp_path: Path) -> None:
    path = build_fortisoar(tmp_path)
    assert path == tmp_path / "fortimanager-pyfmg-1.0.0.tgz"
    with tarfile.open(path) as archive:
        names = archive.getnames()
    assert {name.split("/")[0] for name in names} == {"fortimanager-pyfmg"}
    (package,) = {name.split("/")[2] for name in names if name.startswith("fortimanager-pyfmg/vendor/")}
    assert re.fullmatch(r"_pyfmg_fortimanager_pyfmg_1_0_0_[0-9a-f]{10}", package)
    for needed in (
        "info.json",
        "connector.py",
        "requirements.txt",
        "images/fortimanager_pyfmg_small.png",
        "images/fortimanager_pyfmg_large.png",
        f"vendor/{package}/__init__.py",
        f"vendor/{package}/soar/__init__.py",
        f"vendor/{package}/lockscope.py",
    ):
        assert f"fortimanager-pyfmg/{needed}" in names
    unwanted = (".pyc", "pytest_plugin.py", "demo.py", "progress.py")
    assert not [name for name in names if "/testing/" in name or "/cli/" in name or name.endswith(unwanted)]
    assert build_fortisoar(tmp_path / "again").read_bytes() == path.read_bytes()  # reproducible


def test_built_bundle_runs_with_its_vendored_pyfmg(tmp_path: Path, ws_sim: FMGSimulator) -> None:
    with tarfile.open(build_fortisoar(tmp_path)) as archive:
        safe: dict[str, Any] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(tmp_path / "installed", **safe)
    folder = tmp_path / "installed" / "fortimanager-pyfmg"
    sdk = tmp_path / "sdk" / "connectors" / "core"
    sdk.mkdir(parents=True)
    (sdk.parent.parent / "__init__.py").write_text("")
    (sdk.parent / "__init__.py").write_text("")
    (sdk / "__init__.py").write_text("")
    (sdk / "connector.py").write_text(
        "import logging\nclass Connector: pass\nclass ConnectorError(Exception): pass\nget_logger = logging.getLogger\n"
    )
    script = (
        "import importlib.util, json, sys\n"
        f"sys.path.insert(0, {str(tmp_path / 'sdk')!r})\n"
        f"spec = importlib.util.spec_from_file_location('conn', {str(folder / 'connector.py')!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "import pyfmg\n"
        f"config = json.loads({json.dumps(json.dumps(config_for(ws_sim)))})\n"
        "print(json.dumps({'adapter': module._adapter.__file__, 'pyfmg': pyfmg.__file__,\n"
        "                  'health': module.FortiManagerPyfmg().check_health(config)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["health"] is True
    assert Path(report["adapter"]).is_relative_to(folder / "vendor")
    assert not Path(report["pyfmg"]).is_relative_to(folder)  # the environment's own pyfmg is left alone


def build_version(tmp_path: Path, version: str, marker: str) -> Path:
    """Connector ``version``, built and unpacked as FortiSOAR installs it, its pyfmg copy marked."""
    source = tmp_path / "src" / version / SOURCE.name
    shutil.copytree(SOURCE, source)
    info = json.loads((source / "info.json").read_text(encoding="utf-8"))
    info["version"] = version
    (source / "info.json").write_text(json.dumps(info), encoding="utf-8")
    with tarfile.open(build_fortisoar(tmp_path / "out" / version, source)) as archive:
        safe: dict[str, Any] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(tmp_path / "installed" / version, **safe)
    folder = tmp_path / "installed" / version / SOURCE.name
    (init,) = (folder / "vendor").glob("*/soar/__init__.py")
    init.write_text(init.read_text(encoding="utf-8") + f"\nBUILD_MARKER = {marker!r}\n", encoding="utf-8")
    return folder


def test_two_connector_versions_in_one_process_each_run_their_own_pyfmg(
    tmp_path: Path, ws_sim: FMGSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = build_version(tmp_path, "1.0.0", "old")
    new = build_version(tmp_path, "1.1.0", "new")
    path_before, pyfmg_before = list(sys.path), sys.modules["pyfmg"]
    first = load_connector(monkeypatch, old)
    second = load_connector(monkeypatch, new)
    assert first._adapter.BUILD_MARKER == "old" and second._adapter.BUILD_MARKER == "new"
    assert Path(first._adapter.__file__).is_relative_to(old) and Path(second._adapter.__file__).is_relative_to(new)
    assert Path(first.run.__code__.co_filename).is_relative_to(old)
    assert Path(second.run.__code__.co_filename).is_relative_to(new)
    # Everything each adapter runs comes from its own copy: the client class included.
    first_client = sys.modules[first._adapter.__name__.rsplit(".", 1)[0]].FortiManager
    second_client = sys.modules[second._adapter.__name__.rsplit(".", 1)[0]].FortiManager
    assert first_client is not second_client
    assert Path(sys.modules[first_client.__module__].__file__).is_relative_to(old)
    assert sys.path == path_before and sys.modules["pyfmg"] is pyfmg_before
    config = config_for(ws_sim)
    assert first.FortiManagerPyfmg().check_health(config) is True
    assert second.FortiManagerPyfmg().check_health(config) is True
    assert ws_sim.sessions == {}
    for name in [name for name in sys.modules if name.startswith("_pyfmg_fortimanager_pyfmg_")]:
        del sys.modules[name]


def test_command_line_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "fortimanager-pyfmg-1.0.0.tgz")
    assert main([]) == 2 and "usage" in capsys.readouterr().err


def test_build_refuses_incomplete_or_misnamed_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    misnamed = tmp_path / "other-name"
    misnamed.mkdir()
    (misnamed / "info.json").write_text(json.dumps({"name": "fortimanager-pyfmg", "version": "1.0.0"}))
    with pytest.raises(FMGValueError, match="must be named like"):
        build_fortisoar(tmp_path / "out", misnamed)
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "info.json").write_text(json.dumps({"name": "bare", "version": "1.0.0", "icon_small_name": "s.png"}))
    with pytest.raises(FMGValueError, match=r"lacks connector\.py, requirements\.txt, images/s\.png"):
        build_fortisoar(tmp_path / "out", bare)
    (bare / "info.json").write_text("{not json")
    with pytest.raises(FMGValueError, match="Cannot read"):
        build_fortisoar(tmp_path / "out", bare)
    assert find_bundle_source() == SOURCE


def test_pyfmg_soar_build_fortisoar_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pyfmg.cli import main as cli_main

    assert cli_main(["soar", "build-fortisoar", str(tmp_path)]) == 0
    built = Path(capsys.readouterr().out.strip())
    assert built == tmp_path / "fortimanager-pyfmg-1.0.0.tgz" and tarfile.is_tarfile(built)
