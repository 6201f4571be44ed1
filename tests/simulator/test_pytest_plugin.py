"""The fixtures shipped through the pytest11 entry point (they use the pyfmg client on purpose)."""

from __future__ import annotations

import pytest

from pyfmg import FortiManager
from pyfmg.testing import FMGSimulator

pytest_plugins = ["pytester"]


def test_fmg_fixture_is_logged_in_to_the_simulator(fmg: FortiManager, fmg_simulator: FMGSimulator) -> None:
    assert fmg.host == fmg_simulator.host
    assert list(fmg_simulator.sessions.values()) == ["admin"]
    assert fmg.add("pm/config/adom/root/obj/firewall/address", name="h1", subnet="10.1.1.1/32") == (0, {"name": "h1"})
    assert fmg_simulator.objects("pm/config/adom/root/obj/firewall/address/h1")["subnet"] == [
        "10.1.1.1",
        "255.255.255.255",
    ]


@pytest.mark.fmg_simulator(workspace_mode="normal", tls=True)
def test_marker_configures_the_simulator(fmg: FortiManager, fmg_simulator: FMGSimulator) -> None:
    assert fmg_simulator.tls and fmg_simulator.url.startswith("https://")
    assert fmg.workspace_mode is True
    with fmg.workspace("root"):
        assert list(fmg_simulator.locks) == ["root"]
        assert fmg.add("pm/config/adom/root/obj/firewall/address", name="h2")[0] == 0
    assert fmg_simulator.locks == {}


@pytest.mark.fmg_simulator(users={}, api_keys=("SECRET-KEY",))
def test_fmg_fixture_uses_an_api_key_when_there_are_no_users(fmg: FortiManager) -> None:
    assert fmg.api_key_used
    assert fmg.get("sys/status")[0] == 0


def test_fixtures_log_out_after_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        seen = {}

        def test_uses_fmg(fmg, fmg_simulator):
            seen["sim"] = fmg_simulator
            assert fmg.get("sys/status")[0] == 0

        def test_after():
            sim = seen["sim"]
            assert sim.sessions == {}
            with pytest.raises(RuntimeError):
                sim.port  # stopped
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=2)


def test_a_replay_marker_fails_the_test_that_strays_from_the_cassette(pytester: pytest.Pytester) -> None:
    cassette = pytester.path / "session.jsonl"
    with FMGSimulator() as live, FortiManager(live.host, "admin", "password", use_ssl=False, record=cassette) as fmg:
        fmg.get("sys/status")
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.fmg_simulator(replay={str(cassette)!r})
        def test_follows(fmg):
            assert fmg.get("sys/status")[0] == 0

        @pytest.mark.fmg_simulator(replay={str(cassette)!r})
        def test_strays(fmg):
            assert fmg.get("dvmdb/adom")[0] == -1
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*the session did not follow the cassette*", "*request 2 differs*"])
