"""The read-compare-write helper: comparison rules, plans and the requests it sends."""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyfmg.compare import _ipv4_subnet, as_int
from pyfmg.converge import (
    FMGObjectStatusError,
    apply_object_change,
    converge_object,
    number_meets_name,
    object_url,
    plan_change,
    plan_object,
    table_enums,
    values_match,
)
from pyfmg.exceptions import FMGBaseException, FMGConnectionError, FMGValidSessionException, FMGValueError

TABLE = "pm/config/adom/root/obj/firewall/address"


class RecordingClient:
    """Stands in for FortiManager: answers gets from a dict and records every call."""

    def __init__(self, objects: dict[str, dict[str, Any]] | None = None, fail: dict[str, int] | None = None):
        self.objects = objects or {}
        self.fail = fail or {}
        self.calls: list[tuple[str, str, Any]] = []

    def _answer(self, method: str, url: str) -> tuple[int, Any] | None:
        if method in self.fail:
            code = self.fail[method]
            return code, {"status": {"code": code, "message": "refused"}, "url": url}
        return None

    def get(self, url: str, *args: Any) -> tuple[int, Any]:
        self.calls.append(("get", url, args[0] if args else None))
        refused = self._answer("get", url)
        if refused:
            return refused
        if args and args[0] == {"option": "syntax"}:
            return 0, {
                "firewall policy": {
                    "attr": {
                        "action": {"type": "uint32", "opts": {"deny": 0, "accept": 1}},
                        "name": {"type": "string"},
                    }
                }
            }
        if url in self.objects:
            return 0, dict(self.objects[url])
        return -3, {"status": {"code": -3, "message": "Object does not exist"}, "url": url}

    def _write(self, method: str, url: str, payload: Any) -> tuple[int, Any]:
        self.calls.append((method, url, payload))
        return self._answer(method, url) or (0, {"name": "x"})

    def add(self, url: str, param: dict[str, Any]) -> tuple[int, Any]:
        return self._write("add", url, param["data"])

    def update(self, url: str, param: dict[str, Any]) -> tuple[int, Any]:
        return self._write("update", url, param["data"])

    def delete(self, url: str) -> tuple[int, Any]:
        return self._write("delete", url, None)

    @property
    def writes(self) -> list[tuple[str, str, Any]]:
        return [call for call in self.calls if call[0] != "get"]


@pytest.mark.parametrize(
    ("wanted", "current"),
    [
        ("10.0.0.0/24", ["10.0.0.0", "255.255.255.0"]),
        ("10.0.0.0 255.255.255.0", ["10.0.0.0", "255.255.255.0"]),
        (["10.0.0.0", "255.255.255.0"], ["10.0.0.0", "255.255.255.0"]),
        ("10.1.2.3/32", "10.1.2.3/255.255.255.255"),
        ("port1", ["port1"]),
        (["port1"], "port1"),
        (["h1", "h2"], ["h2", "h1"]),
        (1, "1"),
        ("8080", 8080),
        ({"a": 1}, {"a": "1", "b": 2}),
        ([{"id": 1, "x": "y"}], [{"id": 1, "x": "y", "oid": 7}]),
        ("2001:db8::/64", "2001:0db8:0:0::/64"),
        ("enable", "enable"),
    ],
)
def test_values_match_fortimanager_normalised_forms(wanted: Any, current: Any) -> None:
    assert values_match(wanted, current)


@pytest.mark.parametrize(
    ("wanted", "current"),
    [
        ("10.0.0.0/24", ["10.0.0.0", "255.255.0.0"]),
        ("10.0.0.0/24", ["10.0.0.1", "255.255.255.0"]),
        ("port1", ["port1", "port2"]),
        (["h1", "h2"], ["h1", "h1"]),
        (["h1"], []),
        ("enable", "disable"),
        ("Enable", "enable"),
        ({"a": 1}, {"b": 1}),
        ([{"id": 1}, {"id": 2}], [{"id": 2}, {"id": 1}]),
        (1, True),
        ("a/b", "a"),
    ],
)
def test_values_match_sees_real_differences(wanted: Any, current: Any) -> None:
    assert not values_match(wanted, current)


def _subnet_by_ipaddress(text: str) -> tuple[str, str] | None:
    try:
        interface = ipaddress.IPv4Interface(text)
    except ValueError:
        return None
    return str(interface.ip), str(interface.netmask)


_OCTETS = st.one_of(
    st.integers(0, 300).map(str),
    st.sampled_from(["", "00", "010", "0x1", "\u0661", "+1", " 1", "1_0"]),
)
_MASKS = st.one_of(
    st.integers(0, 40).map(str),
    st.sampled_from(["032", "", "255.255.255.0", "0.0.0.255", "255.0.255.0", "255.255.255.255", "0.0.0.0"]),
    st.lists(_OCTETS, min_size=3, max_size=5).map(".".join),
)


def test_reordered_lists_of_strings_match_without_pairing_every_member(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyfmg import compare

    members = [f"host-{n}" for n in range(300)]
    calls: list[Any] = []
    real = compare.values_match

    def counting(wanted: Any, current: Any) -> bool:
        calls.append(wanted)
        return real(wanted, current)

    monkeypatch.setattr(compare, "values_match", counting)
    assert counting(members, members[::-1]) is True
    assert len(calls) == 1  # the pairing of members took 45,150 more calls
    # Otherwise the pairing decides, as before: other spellings of a subnet, a real difference.
    assert counting(["10.0.0.0/24", "b"], ["b", "10.0.0.0 255.255.255.0"]) is True
    assert counting([*members[:-1], "other"], members[::-1]) is False
    assert counting(["a", "a", "b"], ["a", "b", "b"]) is False


@given(address=st.lists(_OCTETS, min_size=3, max_size=5).map(".".join), separator=st.sampled_from("/ "), mask=_MASKS)
def test_ipv4_subnet_reads_every_spelling_as_ipaddress_does(address: str, separator: str, mask: str) -> None:
    # The fast path for the usual spellings must agree with ipaddress on everything.
    expected = _subnet_by_ipaddress(f"{address}/{mask}")
    assert _ipv4_subnet([address, mask]) == expected
    if not any(character in address + mask for character in "/ "):
        assert _ipv4_subnet(f"{address}{separator}{mask}") == expected


def test_object_url_escapes_slash_in_names() -> None:
    assert object_url(TABLE + "/", "net/24") == TABLE + "/net\\/24"


def test_plan_create_update_none_delete() -> None:
    created = plan_change(TABLE, "h1", {"subnet": "10.0.0.1/32"}, None)
    assert created.action == "create"
    assert created.before == {}
    assert created.after == {"name": "h1", "subnet": "10.0.0.1/32"}
    assert created.write_payload() == {"name": "h1", "subnet": "10.0.0.1/32"}

    current = {"name": "h1", "subnet": ["10.0.0.1", "255.255.255.255"], "comment": "old", "oid": 5}
    updated = plan_change(TABLE, "h1", {"subnet": "10.0.0.1/32", "comment": "new"}, current)
    assert updated.action == "update"
    assert updated.changed_attributes == ["comment"]
    assert updated.write_payload() == {"comment": "new"}
    assert updated.before == {"name": "h1", "subnet": ["10.0.0.1", "255.255.255.255"], "comment": "old"}
    assert updated.after["comment"] == "new"

    same = plan_change(TABLE, "h1", {"subnet": "10.0.0.1/32", "comment": "old"}, current)
    assert same.action == "none"
    assert not same.changed

    deleted = plan_change(TABLE, "h1", {}, current, state="absent")
    assert deleted.action == "delete"
    assert deleted.after == {}
    assert plan_change(TABLE, "h1", {}, None, state="absent").action == "none"


def test_plan_with_an_attribute_the_object_lacks_is_an_update() -> None:
    plan = plan_change(TABLE, "h1", {"color": 3}, {"name": "h1"})
    assert plan.action == "update"
    assert plan.changed_attributes == ["color"]


def test_plan_ignores_the_key_among_wanted_attributes() -> None:
    plan = plan_change(TABLE, 10, {"policyid": 10, "action": "accept"}, None, key="policyid")
    assert plan.write_payload() == {"policyid": 10, "action": "accept"}
    assert plan.object_url == TABLE + "/10"


def _deep(depth: int = 5000) -> list[Any]:
    """A list nested ``depth`` deep: its repr() raises RecursionError."""
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("kwargs", "wanted"),
    [({"state": "gone"}, {}), ({"state": _deep()}, {}), ({}, ["not", "a", "dict"]), ({}, {})],
)
def test_bad_input_raises_fmg_value_error(kwargs: dict[str, Any], wanted: Any) -> None:
    key_value = "" if wanted == {} and not kwargs else "h1"
    with pytest.raises(FMGValueError):
        plan_change(TABLE, key_value, wanted, None, **kwargs)


def test_values_whose_repr_fails_are_quoted_cut_short() -> None:
    with pytest.raises(FMGValueError, match=r"key \[\[\[.*needs a value"):
        plan_change(TABLE, "", {}, None, key=_deep())  # type: ignore[arg-type]
    with pytest.raises(FMGValueError, match="key must name"):
        converge_object(RecordingClient(), TABLE, "h1", {}, key=_deep())  # type: ignore[arg-type]
    with pytest.raises(FMGValueError, match="policyid"):
        converge_object(RecordingClient(), TABLE, 10**5000, {}, key="policyid")
    assert RecordingClient().calls == []


def test_converge_creates_then_does_nothing() -> None:
    client = RecordingClient()
    change = converge_object(client, TABLE, "h1", {"subnet": "10.0.0.1/32"})
    assert change.action == "create"
    assert client.writes == [("add", TABLE, {"name": "h1", "subnet": "10.0.0.1/32"})]

    client.objects[TABLE + "/h1"] = {"name": "h1", "subnet": ["10.0.0.1", "255.255.255.255"]}
    client.calls.clear()
    again = converge_object(client, TABLE, "h1", {"subnet": "10.0.0.1/32"})
    assert again.action == "none"
    assert client.calls == [("get", TABLE + "/h1", None)]


def test_check_mode_reads_and_never_writes() -> None:
    client = RecordingClient({TABLE + "/h1": {"name": "h1", "comment": "a"}})
    change = converge_object(client, TABLE, "h1", {"comment": "b"}, check_mode=True)
    assert change.action == "update"
    assert client.writes == []
    gone = converge_object(client, TABLE, "h1", state="absent", check_mode=True)
    assert gone.action == "delete"
    assert client.writes == []


def test_apply_sends_update_of_differences_and_delete_to_the_row() -> None:
    client = RecordingClient({TABLE + "/h1": {"name": "h1", "comment": "a", "color": 1}})
    apply_object_change(client, plan_object(client, TABLE, "h1", {"comment": "b", "color": 1}))
    apply_object_change(client, plan_object(client, TABLE, "h1", state="absent"))
    assert client.writes == [("update", TABLE + "/h1", {"comment": "b"}), ("delete", TABLE + "/h1", None)]


def test_refused_read_raises_with_code_message_url() -> None:
    client = RecordingClient(fail={"get": -6})
    with pytest.raises(FMGObjectStatusError) as caught:
        plan_object(client, "pm/config/adom/root/obj/nope", "h1", {})
    assert isinstance(caught.value, FMGBaseException)
    assert caught.value.code == -6
    assert caught.value.url == "pm/config/adom/root/obj/nope/h1"
    assert caught.value.status_message == "refused"
    assert "-6" in str(caught.value)


def test_refused_write_raises() -> None:
    client = RecordingClient(fail={"add": -10147})
    with pytest.raises(FMGObjectStatusError) as caught:
        converge_object(client, TABLE, "h1", {"comment": "x"})
    assert (caught.value.code, caught.value.method, caught.value.url) == (-10147, "add", TABLE)


@pytest.mark.parametrize(
    "error", [FMGValidSessionException("add", [{"url": TABLE}]), FMGConnectionError("Connection error: reset")]
)
def test_a_write_that_failed_on_the_way_raises_its_own_exception_and_logs_no_warning(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    class Unreachable(RecordingClient):
        def add(self, url: str, param: dict[str, Any]) -> tuple[int, Any]:
            raise error

    client = Unreachable()
    change = plan_object(client, TABLE, "h1", {"comment": "x"})
    with caplog.at_level(logging.INFO), pytest.raises(type(error)) as caught:
        apply_object_change(client, change)
    assert caught.value is error  # not an FMGObjectStatusError with a status FortiManager never sent
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []


POLICY = "pm/config/adom/root/pkg/default/firewall/policy"


@pytest.mark.parametrize(("wanted", "current"), [(1, "accept"), ("1", "accept"), ("accept", 1), ([1], ["accept"])])
def test_enum_number_matches_name_through_the_table_syntax(wanted: Any, current: Any) -> None:
    client = RecordingClient({POLICY + "/3": {"policyid": 3, "action": current, "name": "p"}})
    cache: dict[str, Any] = {}
    plan = plan_object(client, POLICY, 3, {"action": wanted}, key="policyid", enum_cache=cache)
    assert plan.action == "none"
    assert cache == {POLICY: {"action": {"deny": 0, "accept": 1}}}
    # The cache spares the second read of the syntax.
    plan_object(client, POLICY, 3, {"action": wanted}, key="policyid", enum_cache=cache)
    assert [call for call in client.calls if call[2] == {"option": "syntax"}] == [
        ("get", POLICY, {"option": "syntax"}),
    ]


@pytest.mark.parametrize("wanted", ["--1", "\u00b2", "1_0", "-"])
def test_a_string_that_only_looks_numeric_is_an_enum_name(wanted: str) -> None:
    # str.isdigit() takes "²", and "--1".lstrip("-") is "1": int() then raised ValueError.
    current = {"policyid": 3, "action": "accept"}
    enums = {"action": {"deny": 0, "accept": 1, "\u00b2": 2}}
    plan = plan_change(POLICY, 3, {"action": wanted}, current, key="policyid", enums=enums)
    assert (plan.action, plan.changed_attributes) == ("update", ["action"])
    assert not number_meets_name(wanted, "accept")


def test_as_int_reads_ascii_decimals_only() -> None:
    assert [as_int(text) for text in ("42", " -1 ", "0", "--1", "\u00b2", "1_0", "+1", "1.0", "", 7)] == [
        42,
        -1,
        0,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    huge = "9" * 5000
    try:
        expected = int(huge)
    except ValueError:  # Python 3.11+: more digits than int() converts
        expected = None
    assert as_int(huge) == expected


def test_enum_number_that_differs_is_still_a_change() -> None:
    client = RecordingClient({POLICY + "/3": {"policyid": 3, "action": "accept", "name": "p"}})
    plan = plan_object(client, POLICY, 3, {"action": 0, "name": "p"}, key="policyid")
    assert (plan.action, plan.changed_attributes) == ("update", ["action"])


def test_syntax_is_read_only_when_a_number_meets_a_name() -> None:
    client = RecordingClient({POLICY + "/3": {"policyid": 3, "action": "accept", "name": "p"}})
    assert plan_object(client, POLICY, 3, {"action": "deny", "name": "q"}, key="policyid").action == "update"
    assert all(call[2] is None for call in client.calls)
    assert table_enums(RecordingClient(fail={"get": -9}), POLICY) == {}


@pytest.mark.parametrize(
    "text",
    [
        "10.0.0.1/32",
        "10.0.0.0/24",
        "0.0.0.0/0",
        "255.255.255.255/255.255.255.255",
        "10.0.0.0/255.255.255.0",
        "10.0.0.0/0.0.0.0",
        "10.0.0.0/0.0.0.255",  # a host mask: ipaddress's reading
        "10.0.0.0/024",
        "010.0.0.1/32",
        "10.0.0.1/33",
        "10.0.0.256/32",
        "10.0.0/24",
        "10.0.0.1/255.0.255.0",
        "\u0661\u0660.0.0.1/32",  # non-ASCII digits
        "10.0.0.1/",
    ],
)
def test_the_quick_subnet_reading_agrees_with_ipaddress(text: str) -> None:
    import ipaddress

    from pyfmg import compare

    try:
        interface = ipaddress.IPv4Interface(text)
        expected = (str(interface.ip), str(interface.netmask))
    except ValueError:
        expected = None
    assert compare._ipv4_subnet(text) == expected
