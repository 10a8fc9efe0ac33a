"""The site's tests share the official Pyodide files from the project's verified cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from staticrec.site import pyodide as rt

CACHE = Path(__file__).resolve().parents[2] / "build" / "pyodide" / rt.PYODIDE_VERSION


@pytest.fixture(scope="module")
def official(tmp_path_factory) -> Path:
    """A folder with the official runtime files (from the project's verified cache)."""
    if not (CACHE / "pyodide.asm.wasm").is_file():
        pytest.fail("no Pyodide runtime in build/pyodide: run `python scripts/fetch_pyodide.py`")
    folder = tmp_path_factory.mktemp("official")
    for path in CACHE.iterdir():
        shutil.copyfile(path, folder / path.name)
    return folder
