"""The fast path for plain subnets gives exactly what ipaddress gives, and leaves everything else to it."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyfmg.testing.codes import RpcError
from pyfmg.testing.schema import normalize_subnet


def reference(value: Any) -> Any:
    text = value.replace(" ", "/") if isinstance(value, str) else f"{value[0]}/{value[1]}"
    try:
        network = ipaddress.IPv4Interface(text)
    except ValueError:
        return "invalid"
    return [str(network.ip), str(network.netmask)]


def ours(value: Any) -> Any:
    try:
        return normalize_subnet(value)
    except RpcError:
        return "invalid"


OCTET = st.one_of(st.integers(0, 255).map(str), st.sampled_from(["256", "01", "00", "-1", "", "1a", " 1", "٣"]))
ADDRESS = st.lists(OCTET, min_size=3, max_size=5).map(".".join)
MASK = st.one_of(
    st.integers(-1, 40).map(str),
    st.integers(0, 32).map(lambda bits: str(ipaddress.IPv4Network(f"0.0.0.0/{bits}").netmask)),
    st.integers(0, 32).map(lambda bits: str(ipaddress.IPv4Network(f"0.0.0.0/{bits}").hostmask)),
    ADDRESS,
)


@given(address=ADDRESS, mask=MASK, form=st.sampled_from(["slash", "space", "list", "bare"]))
def test_fast_path_agrees_with_ipaddress(address: str, mask: str, form: str) -> None:
    value: Any = {"slash": f"{address}/{mask}", "space": f"{address} {mask}", "list": [address, mask], "bare": address}[
        form
    ]
    assert ours(value) == reference(value)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("10.0.0.1/32", ["10.0.0.1", "255.255.255.255"]),
        ("10.0.0.0 255.255.255.0", ["10.0.0.0", "255.255.255.0"]),
        (["192.0.2.1", "255.255.255.255"], ["192.0.2.1", "255.255.255.255"]),
        ("10.1.2.3", ["10.1.2.3", "255.255.255.255"]),
        ("10.0.0.0/0.0.0.255", ["10.0.0.0", "255.255.255.0"]),  # a host mask goes through ipaddress
    ],
)
def test_forms_fortimanager_accepts(value: Any, stored: list[str]) -> None:
    assert normalize_subnet(value) == stored
