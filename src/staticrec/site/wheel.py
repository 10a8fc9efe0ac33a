"""The scoring package as a pure-Python wheel, and the site's own pyodide-lock.json listing it.

The wheel holds ``staticrec/__init__.py`` and ``staticrec/scoring/`` exactly as they are in the
source tree, so the browser runs the same files as the build (contract 1). It is written directly
with zipfile (a wheel is a zip with three metadata files, PEP 427) because that keeps it
byte-identical from build to build: fixed timestamps and order, no build tool in between.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

from pyodide_lock import PyodideLockSpec
from pyodide_lock.utils import add_wheels_to_spec

import staticrec
from staticrec.site.pyodide import package_closure

DISTRIBUTION = "staticrec_scoring"
"""Name of the wheel's distribution; it installs the import package ``staticrec``."""

_PACKAGE_ROOT = Path(staticrec.__file__).resolve().parent
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def scoring_sources() -> list[tuple[str, bytes]]:
    """(archive path, bytes) of every file the wheel ships, in a fixed order."""
    files = [_PACKAGE_ROOT / "__init__.py", *sorted((_PACKAGE_ROOT / "scoring").glob("*.py"))]
    return [(f"staticrec/{p.relative_to(_PACKAGE_ROOT).as_posix()}", p.read_bytes()) for p in files]


def build_scoring_wheel(folder: Path) -> Path:
    """Write ``staticrec_scoring-<version>-py3-none-any.whl`` into ``folder``; returns its path."""
    version = staticrec.__version__
    dist_info = f"{DISTRIBUTION}-{version}.dist-info"
    metadata = (
        f"Metadata-Version: 2.1\nName: {DISTRIBUTION}\nVersion: {version}\n"
        "Summary: staticrec's scoring core (numpy + standard library), for Pyodide\n"
        "Requires-Dist: numpy\n"
    ).encode()
    wheel = b"Wheel-Version: 1.0\nGenerator: staticrec\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    entries = [
        *scoring_sources(),
        (f"{dist_info}/METADATA", metadata),
        (f"{dist_info}/WHEEL", wheel),
        (f"{dist_info}/top_level.txt", b"staticrec\n"),
    ]
    record = "".join(f"{name},sha256={_record_hash(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode()))
    path = Path(folder) / f"{DISTRIBUTION}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return path


def _record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def write_site_lock(official_lock: Path, wheel: Path, target: Path) -> None:
    """A lock listing only what the site serves: the runtime packages plus the scoring wheel,
    each with the sha256 of the file beside ``target`` (numpy's is cut: staticrec.site.cut)."""
    spec = PyodideLockSpec.from_json(official_lock)
    keep = set(package_closure(spec.model_dump()))  # numpy and its dependencies
    spec.packages = {name: pkg for name, pkg in spec.packages.items() if name in keep}
    for package in spec.packages.values():
        served = target.parent / package.file_name
        if served.is_file():
            package.sha256 = hashlib.sha256(served.read_bytes()).hexdigest()
    spec = add_wheels_to_spec(spec, [wheel])
    spec.to_json(target, indent=None)


def site_package_name() -> str:
    """The name ``loadPackage`` takes for the scoring wheel (as the lock normalises it)."""
    return DISTRIBUTION.replace("_", "-")
