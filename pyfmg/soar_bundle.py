"""Build the installable FortiSOAR connector (``.tgz``) from ``connectors/fortisoar/<name>/``.

The archive holds one top folder named after the connector, as FortiSOAR's importer expects, with
``info.json``, ``connector.py``, ``requirements.txt``, the icons, and a copy of the pyfmg package under
``vendor/`` so the connector runs on a FortiSOAR box where pyfmg is not installed. Entries are sorted
and time-stamped with ``SOURCE_DATE_EPOCH`` (0 when unset), so the same sources give the same bytes.

Usage: ``python -m pyfmg.soar_bundle OUTDIR`` (or ``pyfmg soar build-fortisoar OUTDIR``).
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
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
    package_dir = Path(pyfmg.__file__).resolve().parent
    for path in sorted(package_dir.rglob("*")):
        relative = path.relative_to(package_dir)
        if not path.is_file() or _NOT_VENDORED & set(relative.parts) or path.suffix not in (".py", ".typed"):
            continue
        yield "vendor/pyfmg/" + relative.as_posix(), path


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
    members: dict[str, Path] = {f"{name}/{path.relative_to(folder).as_posix()}": path for path in files}
    members.update({f"{name}/{arcname}": path for arcname, path in _vendored_files()})
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
            _add(archive, arcname, members[arcname].read_bytes(), mtime)
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
