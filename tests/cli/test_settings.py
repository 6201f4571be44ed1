"""Where the command's settings come from: flags > environment > profile > ~/.netrc (one test per source)."""

from __future__ import annotations

import io
import json
import os
import pathlib

import pytest

from pyfmg import cli
from pyfmg.testing import FMGSimulator

CONFIG = "config/pyfmg/config.toml"


@pytest.fixture
def env(tmp_path: pathlib.Path) -> dict[str, str]:
    """No settings at all: an empty environment with private config and netrc locations."""
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), "NETRC": str(tmp_path / "netrc")}


def run(env: dict[str, str], *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(argv), environ=env, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def write(path: pathlib.Path, text: str, mode: int = 0o600) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)
    return path


def logged_in_as(sim: FMGSimulator) -> list[str]:
    return [
        request.json["params"][0]["data"]["user"]
        for request in sim.requests
        if request.json.get("params", [{}])[0].get("url") == "sys/login/user"
    ]


def test_flags(env: dict[str, str], fmg_simulator: FMGSimulator, tmp_path: pathlib.Path) -> None:
    env["PYFMG_PASSWORD"] = "password"
    status, out, _ = run(env, "get", "sys/status", "--host", f"http://{fmg_simulator.host}", "--user", "admin")
    assert status == 0 and json.loads(out)["Hostname"]


@pytest.mark.fmg_simulator(api_keys=("FILE-KEY",))
def test_apikey_file_flag(env: dict[str, str], fmg_simulator: FMGSimulator, tmp_path: pathlib.Path) -> None:
    key = write(tmp_path / "key.txt", "FILE-KEY\n")
    assert run(env, "--host", fmg_simulator.host, "--http", "--apikey-file", str(key), "get", "sys/status")[0] == 0
    assert fmg_simulator.requests[0].headers.get("Authorization") == "Bearer FILE-KEY"


def test_environment_with_the_ansible_names(env: dict[str, str], fmg_simulator: FMGSimulator) -> None:
    env.update(PYFMG_HOST=fmg_simulator.host, PYFMG_USER="admin", PYFMG_PASSWORD="password", PYFMG_USE_SSL="false")
    assert run(env, "get", "sys/status")[0] == 0
    env["PYFMG_USE_SSL"] = "maybe"
    status, _, err = run(env, "get", "sys/status")
    assert status == 2 and "PYFMG_USE_SSL" in err


def test_environment_verify_ssl_false_skips_the_check(env: dict[str, str]) -> None:
    with FMGSimulator(tls=True) as sim:
        env.update(PYFMG_HOST=sim.host, PYFMG_USER="admin", PYFMG_PASSWORD="password")
        assert run(env, "get", "sys/status")[0] == 3  # checked by default: the CA is unknown
        env["PYFMG_VERIFY_SSL"] = "no"
        assert run(env, "get", "sys/status")[0] == 0
        env["PYFMG_CA_CERT"], env["PYFMG_VERIFY_SSL"] = str(sim.ca_cert_path), ""
        assert run(env, "get", "sys/status")[0] == 0


def test_profile_file(env: dict[str, str], fmg_simulator: FMGSimulator, tmp_path: pathlib.Path) -> None:
    write(
        tmp_path / CONFIG,
        f'[profiles.lab]\nhost = "http://{fmg_simulator.host}"\nuser = "admin"\npassword = "password"\n'
        '[profiles.other]\nhost = "http://127.0.0.1:1"\n',
    )
    assert run(env, "--profile", "lab", "get", "sys/status")[0] == 0
    env["PYFMG_PROFILE"] = "lab"
    assert run(env, "get", "sys/status")[0] == 0
    status, _, err = run(env, "--profile", "nope", "get", "sys/status")
    assert status == 2 and "no profile 'nope'" in err and "lab, other" in err


def test_default_profile_and_pyfmg_config(
    env: dict[str, str], fmg_simulator: FMGSimulator, tmp_path: pathlib.Path
) -> None:
    path = write(
        tmp_path / "elsewhere.toml",
        f'default_profile = "sim"\n[profiles.sim]\nhost = "{fmg_simulator.host}"\nuse_ssl = false\n'
        'user = "admin"\npassword = "password"\ntimeout = 5\n',
    )
    env["PYFMG_CONFIG"] = str(path)
    assert run(env, "get", "sys/status")[0] == 0


def test_a_password_in_a_readable_profile_is_refused(
    env: dict[str, str], fmg_simulator: FMGSimulator, tmp_path: pathlib.Path
) -> None:
    write(
        tmp_path / CONFIG,
        f'[profiles.default]\nhost = "http://{fmg_simulator.host}"\nuser = "admin"\npassword = "s3cret-value"\n',
        mode=0o644,
    )
    status, out, err = run(env, "get", "sys/status")
    assert status == 2 and out == "" and "chmod 600" in err and "s3cret-value" not in err
    assert fmg_simulator.requests == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[profiles.default]\nhots = 'x'\n", "unknown setting 'hots'"),
        ("[profiles.default]\ntimeout = 'soon'\n", "timeout has the wrong type"),
        ("[profiles.default\n", "not valid TOML"),
    ],
)
def test_profile_mistakes_are_usage_errors(
    env: dict[str, str], tmp_path: pathlib.Path, text: str, message: str
) -> None:
    write(tmp_path / CONFIG, text)
    status, _, err = run(env, "get", "sys/status")
    assert status == 2 and message in err


def test_netrc(env: dict[str, str], fmg_simulator: FMGSimulator, tmp_path: pathlib.Path) -> None:
    write(tmp_path / "netrc", "machine 127.0.0.1 login admin password password\n")
    env["PYFMG_HOST"] = f"http://{fmg_simulator.host}"
    assert run(env, "get", "sys/status")[0] == 0
    assert logged_in_as(fmg_simulator) == ["admin"]
    os.chmod(tmp_path / "netrc", 0o644)
    status, _, err = run(env, "get", "sys/status")
    assert status == 2 and "chmod 600" in err


def test_precedence_flags_over_environment_over_profile_over_netrc(env: dict[str, str], tmp_path: pathlib.Path) -> None:
    users = {"flag-user": "pw1", "env-user": "pw2", "profile-user": "pw3", "netrc-user": "pw4"}
    with FMGSimulator(users=users) as sim:
        write(tmp_path / "netrc", "machine 127.0.0.1 login netrc-user password pw4\n")
        write(
            tmp_path / CONFIG,
            f'[profiles.default]\nhost = "http://{sim.host}"\nuser = "profile-user"\npassword = "pw3"\n',
        )
        assert run(env, "get", "sys/status")[0] == 0
        env.update(PYFMG_USER="env-user", PYFMG_PASSWORD="pw2")
        assert run(env, "get", "sys/status")[0] == 0
        env["PYFMG_PASSWORD"] = "pw1"
        assert run(env, "--user", "flag-user", "get", "sys/status")[0] == 0
        write(tmp_path / CONFIG, f'[profiles.default]\nhost = "http://{sim.host}"\n')
        del env["PYFMG_USER"], env["PYFMG_PASSWORD"]
        assert run(env, "get", "sys/status")[0] == 0
        assert logged_in_as(sim) == ["profile-user", "env-user", "flag-user", "netrc-user"]


def test_host_urls_set_scheme_and_port(env: dict[str, str], fmg_simulator: FMGSimulator) -> None:
    env.update(PYFMG_USER="admin", PYFMG_PASSWORD="password")
    for host in (
        f"http://{fmg_simulator.host}",
        f"http://{fmg_simulator.host}/",
        f"http://{fmg_simulator.host}/jsonrpc",
    ):
        assert run(env, "--host", host, "get", "sys/status")[0] == 0, host
    status, _, err = run(env, "--host", f"http://{fmg_simulator.host}/other/path", "get", "sys/status")
    assert status == 2 and "/other/path" in err
