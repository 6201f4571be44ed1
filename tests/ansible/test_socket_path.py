"""The httpapi connection's socket path stays under the Unix limit, however long TMPDIR is."""

from __future__ import annotations

from pathlib import Path

from .conftest import ansible_env

#: sun_path holds 108 bytes with the terminating NUL; Ansible names the socket with 10 hex digits.
UNIX_SOCKET_PATH_MAX = 107


def test_the_control_socket_path_does_not_grow_with_tmpdir(tmp_path: Path) -> None:
    deep = tmp_path / ("long-tmpdir-" * 12)  # a workdir as deep as macOS's /var/folders/.../T/pytest-of-...
    deep.mkdir()
    env = ansible_env(deep)
    sockets = env.get("ANSIBLE_PERSISTENT_CONTROL_PATH_DIR", f"{env['ANSIBLE_HOME']}/pc")  # Ansible's default
    assert len(f"{sockets}/0123456789".encode()) <= UNIX_SOCKET_PATH_MAX, sockets
    assert Path(sockets).is_dir()
