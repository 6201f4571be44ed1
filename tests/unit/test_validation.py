"""Checking a write against the table's ``option=syntax`` answer (pyfmg.validation, FortiManager.validate)."""

from __future__ import annotations

from typing import Any

import pytest

from pyfmg import FMGValidationError, FMGValueError
from pyfmg.exceptions import bounded_repr
from pyfmg.validation import SchemaCache, TableSchema

#: Abridged from a unit's answer as the How-to FortiManager API shows it ("The option attribute").
SYNTAX = {
    "firewall address": {
        "alimit": 400000,
        "attr": {
            "_image-base64": {"max": 5120, "sz": 5120, "type": "string"},
            "allow-routing": {
                "default": "disable",
                "excluded": True,
                "help": "Enable/disable use of this address in the static route configuration.",
                "opts": {"disable": 0, "enable": 1},
                "sz": 4,
                "type": "uint32",
            },
            "ztna-geo-tag": {
                "help": "Source ztna-geo-tag names.",
                "max_argv": -1,
                "ref": [{"category": "firewall address", "mkey": "name"}],
                "type": "datasrc",
            },
            "associated-interface": {"max_argv": 1, "type": "datasrc"},
            "color": {"type": "uint32", "sz": 4, "min": 0, "max": 32},
            "cache-ttl": {"type": "uint16", "sz": 2},
            "name": {"type": "string", "max": 79},
            "subnet": {"type": "ipv4-classnet-any"},
            "flags": {"type": "uint32", "opts": {"a": 1, "b": 2, "c": 4}, "max_argv": -1},
        },
    }
}
URL = "pm/config/adom/root/obj/firewall/address"
#: An integer whose str() raises ValueError (Python 3.11+: more than 4,300 digits).
HUGE = 10**5000


def problems(data: dict[str, Any]) -> list[str]:
    schema = TableSchema.from_syntax(SYNTAX)
    assert schema is not None
    return schema.problems(data)


def test_what_fits_passes() -> None:
    assert (
        problems(
            {
                "name": "web01",
                "allow-routing": "enable",
                "color": 3,
                "cache-ttl": "300",
                "ztna-geo-tag": ["a", "b"],
                "associated-interface": "port1",
                "subnet": ["10.0.0.1", "255.255.255.255"],
                "flags": ["a", "c"],
                "_image-base64": "x" * 5120,
                "dynamic_mapping": [{"_scope": [{"name": "FGT"}], "subnet": "10.0.0.1/32"}],  # a child table
            }
        )
        == []
    )
    assert problems({"allow-routing": 1}) == [] and problems({"allow-routing": ["disable"]}) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"allow-routing": "maybe"},
            "attribute 'allow-routing': 'maybe' is not allowed; allowed: disable (0), enable (1)",
        ),
        ({"allow-routing": 7}, "attribute 'allow-routing': 7 is not allowed; allowed: disable (0), enable (1)"),
        ({"flags": ["a", "z"]}, "attribute 'flags': 'z' is not allowed; allowed: a (1), b (2), c (4)"),
        (
            {"alow-routing": "enable"},
            "firewall address has no attribute 'alow-routing' (did you mean 'allow-routing'?)",
        ),
        ({"nothing-like-it": 1}, "firewall address has no attribute 'nothing-like-it'"),
        ({"color": "blue"}, "attribute 'color' takes an integer (uint32), not str"),
        ({"color": 33}, "attribute 'color': 33 is out of range 0..32"),
        ({"cache-ttl": 70000}, "attribute 'cache-ttl': 70000 is out of range 0..65535"),
        ({"name": "n" * 80}, "attribute 'name' is 80 characters long; the table allows at most 79"),
        ({"name": {"first": "x"}}, "attribute 'name' takes a string, not dict"),
        ({"color": HUGE}, f"attribute 'color': {bounded_repr(HUGE, 80)} is out of range 0..32"),
        (
            {"allow-routing": HUGE},
            f"attribute 'allow-routing': {bounded_repr(HUGE, 80)} is not allowed; allowed: disable (0), enable (1)",
        ),
        ({HUGE: 1}, f"firewall address has no attribute {bounded_repr(bounded_repr(HUGE, 80), 80)}"),
        (
            {"associated-interface": ["port1", "port2"]},
            "attribute 'associated-interface' takes at most 1 value(s), not 2",
        ),
    ],
)
def test_each_kind_of_misfit_is_named(data: dict[str, Any], expected: str) -> None:
    assert problems(data) == [expected]


def test_a_wrong_type_names_the_type_never_the_value() -> None:
    # The value may be a password; a deep one made repr() raise RecursionError.
    nested: list[Any] = ["hunter2"]
    for _ in range(5000):
        nested = [nested]
    found = problems({"name": {"k": "hunter2"}, "color": [{"k": "hunter2"}], "associated-interface": nested})
    assert found == [
        "attribute 'name' takes a string, not dict",
        "attribute 'color' takes an integer, not list",
        "attribute 'associated-interface' takes names of other objects, not list",
    ]


@pytest.mark.parametrize("text", ["--1", "\u00b2"])
def test_a_string_that_only_looks_numeric_is_refused_not_raised(text: str) -> None:
    cache = SchemaCache(lambda url, params: (0, SYNTAX))
    with pytest.raises(FMGValidationError) as raised:
        cache.validate(URL, {"allow-routing": text, "color": text, "flags": [text]})
    assert raised.value.problems == [
        f"attribute 'allow-routing': {bounded_repr(text, 80)} is not allowed; allowed: disable (0), enable (1)",
        "attribute 'color' takes an integer (uint32), not str",
        f"attribute 'flags': {bounded_repr(text, 80)} is not allowed; allowed: a (1), b (2), c (4)",
    ]
    assert problems({"allow-routing": " 1 ", "color": "-0", "cache-ttl": " 300"}) == []


def test_answers_that_describe_no_single_table_rule_nothing_out() -> None:
    assert TableSchema.from_syntax({"firewall address": {}, "firewall addrgrp": {}}) is None
    assert TableSchema.from_syntax({"firewall address": {"attr": {}}}) is None
    assert TableSchema.from_syntax([]) is None


def test_the_syntax_is_read_once_per_table_and_a_missing_one_checks_nothing() -> None:
    asked: list[tuple[str, Any]] = []

    def read(url: str, params: Any) -> tuple[int, Any]:
        asked.append((url, params))
        return (0, SYNTAX) if "address" in url else (-6, {"status": {"code": -6, "message": "Invalid url"}})

    cache = SchemaCache(read)
    cache.validate(URL, {"name": "a"})
    cache.validate(f"/{URL}/", [{"name": "b"}, {"name": "c"}])
    with pytest.raises(FMGValidationError) as raised:
        cache.validate(URL, [{"name": "ok"}, {"color": -1}, {"typo": "x"}])
    assert raised.value.problems == [
        "item 1: attribute 'color': -1 is out of range 0..32",
        "item 2: firewall address has no attribute 'typo'",
    ]
    assert raised.value.url == URL and isinstance(raised.value, FMGValueError)
    cache.validate("pm/config/adom/root/obj/unknown/table", {"anything": 1})
    cache.validate("pm/config/adom/root/obj/unknown/table", {"anything": 2})
    assert asked == [(URL, {"option": "syntax"}), ("pm/config/adom/root/obj/unknown/table", {"option": "syntax"})]
    with pytest.raises(FMGValidationError, match="an object or a list of objects"):
        cache.validate(URL, "name=a")
