"""Build the installable FortiSOAR connector (``.tgz``) from ``connectors/fortisoar/<name>/``.

The archive holds one top folder named after the connector, as FortiSOAR's importer expects, with
``info.json``, ``connector.py``, ``requirements.txt``, the icons, and a copy of the pyfmg package under
``vendor/`` so the connector runs on a FortiSOAR box where pyfmg is not installed. Entries are sorted
and time-stamped with ``SOURCE_DATE_EPOCH`` (0 when unset), so the same sources give the same bytes.

The copy is renamed: ``vendor/_pyfmg_<connector>_<version>_<hash>/``, with its ``pyfmg`` imports
rewritten to that name (the hash is of the copied sources). FortiSOAR runs the actions of every
installed connector version in one long-lived process; under the plain name ``pyfmg`` the first
version loaded would serve them all through ``sys.modules``. Under its own name each version runs its
own copy, and an installed ``pyfmg`` stays untouched.

Usage: ``python -m pyfmg.soar_bundle OUTDIR`` (or ``pyfmg soar build-fortisoar OUTDIR``).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import os
import re
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyfmg
from pyfmg import FMGValueError

logger = logging.getLogger(__name__)

CONNECTOR_NAME = "fortimanager-pyfmg"
REQUIRED_FILES = ("info.json", "connector.py", "requirements.txt")

# Parts of pyfmg a connector never runs: the simulator, the test plugin and the command line.
_NOT_VENDORED = frozenset(
    {"testing", "pytest_plugin.py", "cli", "demo.py", "progress.py", "__main__.py", "soar_bundle.py", "__pycache__"}
)


def find_bundle_source(name: str = CONNECTOR_NAME) -> Path:
    """The connector's source folder: in a source checkout next to the package, else where
    ``pip install`` put the data files (``<prefix>/share/pyfmg/fortisoar/<name>``)."""
    package_dir = Path(pyfmg.__file__).resolve().parent
    candidates = [
        package_dir.parent / "connectors" / "fortisoar" / name,
        Path(sys.prefix) / "share" / "pyfmg" / "fortisoar" / name,
    ]
    for candidate in candidates:
        if (candidate / "info.json").is_file():
            return candidate
    raise FMGValueError(
        "The FortiSOAR connector sources ({}) were not found in {}; run from a pyfmg source checkout or "
        "pass the folder explicitly".format(name, " or ".join(str(path) for path in candidates))
    )


def read_info(source: Path) -> dict[str, Any]:
    """``info.json`` of a connector folder, checked for what the build needs."""
    path = source / "info.json"
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FMGValueError(f"Cannot read {path}: {error}") from None
    if not isinstance(info, dict) or not info.get("name") or not info.get("version"):
        raise FMGValueError(f"{path} needs a 'name' and a 'version'")
    if info["name"] != source.name:
        raise FMGValueError(
            f"The connector folder {source.name!r} must be named like info.json's name {info['name']!r}"
        )
    return info


def _source_files(source: Path, info: dict[str, Any]) -> list[Path]:
    missing = [name for name in REQUIRED_FILES if not (source / name).is_file()]
    for key in ("icon_small_name", "icon_large_name"):
        icon = info.get(key)
        if not icon or not (source / "images" / str(icon)).is_file():
            missing.append(f"images/{icon or '<' + key + '>'}")
    if missing:
        raise FMGValueError("The connector folder {} lacks {}".format(source, ", ".join(missing)))
    return sorted(path for path in source.rglob("*") if path.is_file() and "__pycache__" not in path.parts)


def _vendored_files() -> Iterator[tuple[str, Path]]:
    """(path inside the package, file) for each pyfmg file the connector needs."""
    package_dir = Path(pyfmg.__file__).resolve().parent
    for path in sorted(package_dir.rglob("*")):
        relative = path.relative_to(package_dir)
        if not path.is_file() or _NOT_VENDORED & set(relative.parts) or path.suffix not in (".py", ".typed"):
            continue
        yield relative.as_posix(), path


_FROM_PYFMG = re.compile(r"^(\s*)from pyfmg(?=[\s.])", re.MULTILINE)
_IMPORT_PYFMG = re.compile(r"^(\s*)import pyfmg[ \t]*$", re.MULTILINE)
_OTHER_IMPORT = re.compile(r"^\s*import pyfmg\b.*$", re.MULTILINE)


def rename_imports(source: str, package: str, where: str) -> str:
    """``source`` with its imports of ``pyfmg`` pointing at ``package`` instead."""
    source = _FROM_PYFMG.sub(lambda m: f"{m.group(1)}from {package}", source)
    source = _IMPORT_PYFMG.sub(lambda m: f"{m.group(1)}import {package} as pyfmg", source)
    leftover = _OTHER_IMPORT.search(source)
    if leftover:
        raise FMGValueError(f"{where}: cannot rename the import {leftover.group(0).strip()!r} for the bundle")
    return source


def vendored_package(info: dict[str, Any]) -> tuple[str, dict[str, bytes]]:
    """The vendored copy's package name and its files (path inside the package -> bytes)."""
    files = dict(_vendored_files())
    digest = hashlib.sha256()
    for relative, path in files.items():
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", "{}_{}".format(info["name"], info["version"])).strip("_").lower()
    package = f"_pyfmg_{slug}_{digest.hexdigest()[:10]}"
    renamed = {}
    for relative, path in files.items():
        data = path.read_bytes()
        if path.suffix == ".py":
            data = rename_imports(data.decode("utf-8"), package, relative).encode("utf-8")
        renamed[relative] = data
    return package, renamed


def _add(archive: tarfile.TarFile, arcname: str, data: bytes | None, mtime: int) -> None:
    entry = tarfile.TarInfo(arcname)
    entry.mtime = mtime
    entry.uid = entry.gid = 0
    entry.uname = entry.gname = "root"
    if data is None:
        entry.type = tarfile.DIRTYPE
        entry.mode = 0o755
        archive.addfile(entry)
        return
    entry.mode = 0o644
    entry.size = len(data)
    archive.addfile(entry, io.BytesIO(data))


def build_fortisoar(outdir: str | os.PathLike[str], source: str | os.PathLike[str] | None = None) -> Path:
    """Build ``<outdir>/<name>-<version>.tgz`` from the connector folder and return its path.

    ``source`` defaults to :func:`find_bundle_source`. Raises :class:`pyfmg.FMGValueError` when the
    folder is incomplete or misnamed.
    """
    folder = Path(source).resolve() if source is not None else find_bundle_source()
    info = read_info(folder)
    name = str(info["name"])
    files = _source_files(folder, info)
    members = {f"{name}/{path.relative_to(folder).as_posix()}": path.read_bytes() for path in files}
    package, vendored = vendored_package(info)
    members.update({f"{name}/vendor/{package}/{relative}": data for relative, data in vendored.items()})
    directories = sorted(
        {parent.as_posix() for arcname in members for parent in Path(arcname).parents if parent.as_posix() != "."}
    )
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
    target_dir = Path(outdir)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / "{}-{}.tgz".format(name, info["version"])
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for directory in directories:
            _add(archive, directory, None, mtime)
        for arcname in sorted(members):
            _add(archive, arcname, members[arcname], mtime)
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=mtime) as zipped:
        zipped.write(tar_bytes.getvalue())
    logger.info("built %s (%d files)", target, len(members))
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m pyfmg.soar_bundle OUTDIR``: build the bundle and print its path."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        sys.stderr.write("usage: python -m pyfmg.soar_bundle OUTDIR\n")
        return 2
    try:
        path = build_fortisoar(args[0])
    except (FMGValueError, OSError) as error:
        sys.stderr.write(f"error: {error}\n")
        return 1
    sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
