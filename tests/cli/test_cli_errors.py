"""What the command says when something is wrong: no secret in any message, the documented exit status, one line."""

from __future__ import annotations

import os
import pathlib
import socket

import pytest

from pyfmg import cli
from pyfmg.cli import commands
from pyfmg.testing import FMGSimulator

from .helpers import one_error_line, run

SECRET = "Pw-s3cret-value"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- no abbreviations, no secret in an error ---------------------------------------------------------


@pytest.mark.parametrize("option", ["--apikey", "--time", "--ins", "--ca"])
def test_long_options_are_never_abbreviated(env: dict[str, str], fmg_simulator: FMGSimulator, option: str) -> None:
    status, out, err = run(env, "get", "sys/status", option, "5")
    line = one_error_line(err)
    assert status == 2 and out == "" and "unrecognized" in line and any(f"{option}{end}" in line for end in " :")
    assert "API key file" not in line  # "--apikey 5" was "--apikey-file 5"
    assert fmg_simulator.requests == []


@pytest.mark.parametrize(
    "argv",
    [
        ["get", "sys/status", "--apikey", SECRET],  # was taken as --apikey-file SECRET, and the error printed it
        ["--apikey", SECRET, "get", "sys/status"],
        ["get", "sys/status", "--password", SECRET],
        ["--password", SECRET, "get", "sys/status"],  # SECRET lands where the command goes: "invalid choice"
        ["get", "sys/status", f"--password={SECRET}"],
        ["get", "sys/status", "--token", SECRET, "--timeout", "abc"],
        ["get", "sys/status", "-p", SECRET],
        ["get", "sys/status", f"-p{SECRET}"],
        ["sim", "--password", SECRET],
    ],
)
def test_no_secret_in_argument_errors(env: dict[str, str], argv: list[str]) -> None:
    status, out, err = run(env, *argv)
    assert status == 2 and out == ""
    assert SECRET not in one_error_line(err)


def test_a_mistyped_secret_option_is_explained(env: dict[str, str]) -> None:
    for argv in (["get", "sys/status", "--password", SECRET], ["--password", SECRET, "get", "sys/status"]):
        line = one_error_line(run(env, *argv)[2])
        assert "unrecognized option --password" in line and "no option for a password" in line
        assert "PYFMG_PASSWORD" in line


def test_no_secret_in_the_debug_traceback(env: dict[str, str]) -> None:
    status, _, err = run(env, "--debug", "get", "sys/status", "--password", SECRET)
    assert status == 2 and "Traceback" in err and SECRET not in err


def test_secret_masking_leaves_other_words_alone() -> None:
    from pyfmg.cli.arguments import masked, secret_values

    secrets = secret_values(["get", "x", "--password", "a", "--apikey-file", "key.txt", "--", "--token", "t"])
    assert secrets == ["a"]  # a file name is not a secret, and nothing after "--" is an option
    assert masked("unrecognized arguments: --password a (choose from 'add')", secrets) == (
        "unrecognized arguments: --password *** (choose from 'add')"
    )


@pytest.mark.parametrize(
    "host",
    [f"http://admin:{SECRET}@127.0.0.1", f"admin:{SECRET}@127.0.0.1", f"ftp://admin:{SECRET}@h", f"{SECRET}@h"],
)
def test_credentials_in_the_host_are_refused_without_printing_them(
    env: dict[str, str], fmg_simulator: FMGSimulator, host: str
) -> None:
    status, _, err = run(env, "--host", host, "get", "sys/status")
    assert status == 2 and SECRET not in err and "--user" in one_error_line(err)
    env["PYFMG_HOST"] = host
    status, _, err = run(env, "get", "sys/status")
    assert status == 2 and SECRET not in err and "PYFMG_HOST" in one_error_line(err)
    assert fmg_simulator.requests == []


@pytest.mark.fmg_simulator(api_keys=("FILE-KEY",))
def test_an_api_key_file_others_can_read_is_refused(
    env: dict[str, str], fmg_simulator: FMGSimulator, tmp_path: pathlib.Path
) -> None:
    del env["PYFMG_PASSWORD"]
    key = tmp_path / "fmg.key"
    key.write_text("FILE-KEY\n")
    os.chmod(key, 0o644)
    status, out, err = run(env, "--apikey-file", str(key), "get", "sys/status")
    assert status == 2 and out == "" and "FILE-KEY" not in err
    assert f"chmod 600 {key}" in one_error_line(err)  # the profile's rule and hint
    assert fmg_simulator.requests == []
    os.chmod(key, 0o600)
    assert run(env, "--apikey-file", str(key), "get", "sys/status")[0] == 0


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file away needs root")
def test_an_api_key_file_of_another_user_is_refused(env: dict[str, str], tmp_path: pathlib.Path) -> None:
    key = tmp_path / "fmg.key"
    key.write_text("FILE-KEY\n")
    os.chmod(key, 0o600)
    os.chown(key, 4242, -1)
    status, _, err = run(env, "--apikey-file", str(key), "get", "sys/status")
    assert status == 2 and "another user owns" in one_error_line(err) and "FILE-KEY" not in err


def test_a_key_given_where_its_file_belongs_is_not_echoed(env: dict[str, str]) -> None:
    status, _, err = run(env, "--apikey-file", SECRET, "get", "sys/status")
    assert status == 2 and SECRET not in err and "--apikey-file takes the path" in one_error_line(err)


def test_a_netrc_syntax_error_does_not_quote_the_file(env: dict[str, str], tmp_path: pathlib.Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login admin password my {SECRET}\n")  # a password with a space
    os.chmod(netrc, 0o600)
    env["NETRC"] = str(netrc)
    del env["PYFMG_PASSWORD"]
    status, _, err = run(env, "get", "sys/status")
    assert status == 2 and SECRET not in err and "not valid netrc syntax" in one_error_line(err)


# --- usage and configuration mistakes exit 2 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--host", "http://[::1", "get", "x"], "not a valid URL"),  # was "unexpected ValueError", exit 1
        (["--host", "http//127.0.0.1:41112", "get", "x"], "needs '://'"),  # was a host named "http", exit 3
        (["--host", "https:127.0.0.1", "get", "x"], "needs '://'"),
        (["--host", "127.0.0.1:port", "get", "x"], "ADDRESS[:PORT]"),
        (["--host", "https://127.0.0.1:99999", "get", "x"], "not a valid URL"),
        (["--host", "https://127.0.0.1", "--ca-cert", "/nonexistent.pem", "get", "x"], "/nonexistent.pem"),
        (["free-form", "get"], "--data"),
    ],
)
def test_usage_and_configuration_mistakes_exit_2(
    env: dict[str, str], fmg_simulator: FMGSimulator, argv: list[str], expected: str
) -> None:
    status, out, err = run(env, *argv)
    assert status == 2 and out == "" and expected in one_error_line(err)
    assert fmg_simulator.requests == []


def test_an_environment_variable_is_named_in_its_error(env: dict[str, str]) -> None:
    env["PYFMG_TIMEOUT"] = "abc"
    status, _, err = run(env, "get", "sys/status")
    assert status == 2 and "PYFMG_TIMEOUT must be" in one_error_line(err) and "--timeout" not in err
    env["PYFMG_CA_CERT"] = "/nonexistent.pem"
    env["PYFMG_HOST"] = "https://127.0.0.1"
    del env["PYFMG_TIMEOUT"]
    status, _, err = run(env, "get", "sys/status")
    assert status == 2 and "PYFMG_CA_CERT" in one_error_line(err)


def test_a_bare_ipv6_address_is_bracketed(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from pyfmg.cli.settings import split_host

    assert split_host("::1") == ("[::1]", None)
    assert split_host("[::1]:8443") == ("[::1]:8443", None)
    assert split_host("https://[::1]:8443/") == ("[::1]:8443", True)


# --- a reply that is not JSON-RPC exits 3 ------------------------------------------------------------


@pytest.mark.parametrize("fault", ["http_502_html", "no_result"])
@pytest.mark.parametrize("url", ["sys/login/user", "sys/status"])
def test_a_reply_that_is_not_json_rpc_exits_3(
    env: dict[str, str], fmg_simulator: FMGSimulator, fault: str, url: str
) -> None:
    """An HTML page (exit 1 before) and JSON that is not JSON-RPC (exit 3) end the same way, at login or later."""
    fmg_simulator.inject(fault, times=10, url=url)
    status, out, err = run(env, "get", "sys/status")
    line = one_error_line(err)
    assert status == 3 and out == ""
    assert "not JSON-RPC" in line or "not a JSON-RPC" in line
    assert "--host" in line and len(line) < 200


# --- connection errors: one short line that says what to check ---------------------------------------


def test_a_connection_error_is_one_short_line_and_debug_has_the_detail(env: dict[str, str]) -> None:
    port = closed_port()
    env["PYFMG_HOST"] = f"http://127.0.0.1:{port}"
    status, _, err = run(env, "get", "sys/status")
    line = one_error_line(err)
    assert status == 3 and len(line) < 160, line  # it was ~330 characters of urllib3 text
    assert f"http://127.0.0.1:{port}" in line and "connection refused" in line and "check" in line
    assert "HTTPConnectionPool" not in line
    status, _, err = run(env, "--debug", "get", "sys/status")
    assert status == 3 and "Traceback" in err and "HTTPConnectionPool" in err  # the whole story under --debug
    assert err.splitlines()[-1] == line


def test_an_unknown_name_says_to_check_the_host(env: dict[str, str]) -> None:
    env["PYFMG_HOST"] = "http://name.invalid"  # .invalid never resolves (RFC 2606)
    status, _, err = run(env, "get", "sys/status")
    line = one_error_line(err)
    assert status == 3 and "does not resolve" in line and "--host" in line and len(line) < 160


# --- wording -----------------------------------------------------------------------------------------


def test_the_traceback_hint_is_only_given_without_debug(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setitem(commands.COMMANDS, "get", broken)
    status, _, err = run(env, "get", "sys/status")
    assert status == 1 and "(--debug shows the traceback)" in one_error_line(err)
    status, _, err = run(env, "--debug", "get", "sys/status")
    assert "Traceback" in err and "--debug shows" not in err


def test_help_does_not_send_the_reader_to_itself(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    assert "see 'pyfmg --help'" not in capsys.readouterr().out
    assert cli.main(["get", "--help"]) == 0
    assert "see 'pyfmg --help'" in capsys.readouterr().out  # from a command's help, the pointer is useful


def test_free_form_takes_data_like_the_other_verbs(env: dict[str, str], tmp_path: pathlib.Path) -> None:
    params = tmp_path / "params.json"
    params.write_text('[{"url": "sys/status"}]')
    for argv in (["--data", f"@{params}"], [f"@{params}"], ["--data", '[{"url": "sys/status"}]']):
        status, out, _ = run(env, "free-form", "get", *argv)
        assert status == 0 and '"Hostname"' in out, argv
    status, _, err = run(env, "free-form", "get", f"@{params}", "--data", f"@{params}")
    assert status == 2 and "once" in one_error_line(err)
