"""Whole builds for the tests: artifacts and a self-hosted site, with the Pyodide cache that
scripts/setup.sh fills."""

from __future__ import annotations

from pathlib import Path

import pytest

from staticrec.pipeline.run import BuildConfig, run
from staticrec.site.config import SiteConfig
from staticrec.site.pyodide import PYODIDE_VERSION

PYODIDE_CACHE = Path(__file__).resolve().parents[1] / "build" / "pyodide"


def build_site(data_dir: Path, out: Path, build_options=None, **site_options) -> Path:
    """A full build (artifacts + self-hosted site) of ``data_dir`` into ``out``;
    ``build_options`` go to BuildConfig, ``site_options`` to SiteConfig."""
    if not (PYODIDE_CACHE / PYODIDE_VERSION / "pyodide.asm.wasm").is_file():
        pytest.fail(
            f"no Pyodide runtime in {PYODIDE_CACHE}: run `python scripts/fetch_pyodide.py` "
            "(scripts/setup.sh does)"
        )
    run(
        BuildConfig(
            data_dir=data_dir,
            artifacts_dir=out / "artifacts",
            site=SiteConfig(site_dir=out / "site", pyodide_cache=PYODIDE_CACHE, **site_options),
            **(build_options or {}),
        )
    )
    return out
