"""pyFMG 0.8.6.3, the reference the differential tests compare pyfmg with.

pyFMG is published under our own distribution name, so it cannot be installed next to pyfmg:
its wheel is fetched once with ``pip download`` into a cache, checked against a pinned sha256,
and its ``pyFMG/fortimgr.py`` is imported by file path under another module name.

Cache: ``$PYFMG_COMPAT_CACHE`` or ``~/.cache/pyfmg-compat``. When the wheel cannot be had the
tests that need it fail, with the reason; set ``PYFMG_COMPAT_SKIP=1`` to skip them knowingly
(never in CI).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pathlib
import subprocess
import sys
import tempfile
import zipfile
from types import ModuleType

VERSION = "0.8.6.3"
WHEEL = f"pyfmg-{VERSION}-py3-none-any.whl"
SHA256 = "a37e6015ef6be1e4fa53e0e4f31e7f6720d7cfc294a716f351919d8e27ff74ab"
MODULE_NAME = "pyfmg_reference_0_8_6_3"


class ReferenceUnavailable(RuntimeError):
    """The pinned pyFMG wheel could not be fetched or did not match its hash."""


def cache_dir() -> pathlib.Path:
    configured = os.environ.get("PYFMG_COMPAT_CACHE")
    return pathlib.Path(configured) if configured else pathlib.Path.home() / ".cache" / "pyfmg-compat"


def _sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_wheel() -> pathlib.Path:
    """The cached wheel, downloaded first if needed; raises ReferenceUnavailable with the reason."""
    cache = cache_dir()
    wheel = cache / WHEEL
    if wheel.is_file() and _sha256(wheel) == SHA256:
        return wheel
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as download:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:"]
        command += ["--disable-pip-version-check", "-d", download, f"pyfmg=={VERSION}"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
        fetched = pathlib.Path(download) / WHEEL
        if result.returncode != 0 or not fetched.is_file():
            raise ReferenceUnavailable(f"pip download pyfmg=={VERSION} failed:\n{result.stdout}{result.stderr}")
        digest = _sha256(fetched)
        if digest != SHA256:
            raise ReferenceUnavailable(f"{WHEEL} has sha256 {digest}, expected {SHA256}: not the reference")
        os.replace(fetched, wheel)  # atomic: parallel test workers may fetch at the same time
    return wheel


def load() -> ModuleType:
    """pyFMG 0.8.6.3's ``fortimgr`` module, imported as :data:`MODULE_NAME`."""
    if MODULE_NAME in sys.modules:
        return sys.modules[MODULE_NAME]
    wheel = fetch_wheel()
    source = cache_dir() / f"pyFMG-{VERSION}-fortimgr.py"
    if not source.is_file():
        with zipfile.ZipFile(wheel) as archive:
            text = archive.read("pyFMG/fortimgr.py")
        partial = source.with_name(f"{source.name}.{os.getpid()}")
        partial.write_bytes(text)
        os.replace(partial, source)
    spec = importlib.util.spec_from_file_location(MODULE_NAME, source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module
    spec.loader.exec_module(module)
    return module
