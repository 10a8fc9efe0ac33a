"""The runtime cut to what the site runs (staticrec.site.cut): what the standard library and
numpy's wheel keep, that each cut is the official file's members byte for byte, and that the
same official file always gives the same cut file. In the browser: test_cut_runtime.py."""

from __future__ import annotations

import ast
import zipfile

import pytest

from staticrec.site import cut
from staticrec.site.wheel import scoring_sources

NUMPY = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"


@pytest.fixture(scope="module")
def stdlib(official, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cut")
    kept = cut.cut_stdlib(official / "python_stdlib.zip", folder / "a.zip", scoring_sources())
    cut.cut_stdlib(official / "python_stdlib.zip", folder / "b.zip", scoring_sources())
    return kept, folder / "a.zip", folder / "b.zip"


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_standard_library_keeps_what_pyodide_numpy_and_the_core_import(stdlib, official):
    kept, path, again = stdlib
    assert set(kept) >= cut.PYODIDE_STDLIB | cut.ALWAYS
    assert {"difflib", "csv", "json", "dataclasses"} <= set(kept)  # the scoring core's
    assert not {"unittest", "sqlite3", "pydoc", "tkinter", "os", "io"} & set(kept)  # os, io: frozen
    cut_files = members(path)
    official_files = members(official / "python_stdlib.zip")
    assert all(official_files[name] == data for name, data in cut_files.items())
    assert len(cut_files) < len(official_files) / 2
    assert (
        path.stat().st_size < 900_000 < 2_000_000 < (official / "python_stdlib.zip").stat().st_size
    )
    assert path.read_bytes() == again.read_bytes()  # reproducible


def test_a_new_import_in_the_scoring_core_is_kept_with_what_it_imports(official, tmp_path):
    source = b"def later():\n    import statistics\n    from fractions import Fraction\n"
    with zipfile.ZipFile(official / "python_stdlib.zip") as archive:
        kept = cut.stdlib_needed(archive, [("staticrec/scoring/new.py", source)])
    assert {"statistics", "fractions", "decimal"} <= kept  # statistics imports decimal
    assert "unittest" not in kept


def test_imports_at_import_time_leave_out_functions_main_blocks_and_fallbacks():
    source = """
import a
from . import b
from .c import d
try:
    import _fast
except ImportError:
    import _slow
if __name__ == "__main__":
    import argparse
def f():
    import inner
"""
    assert cut.imported_modules(source, "pkg.sub", top_level=True) == {
        "a",
        "pkg",
        "pkg.sub",
        "pkg.sub.b",
        "pkg.sub.c",
        "pkg.sub.c.d",
        "_fast",
    }
    assert "inner" in cut.imported_modules(source, "pkg.sub")


def test_numpy_keeps_what_import_numpy_reads_and_its_record_matches(official, tmp_path):
    target = tmp_path / NUMPY
    cut.cut_numpy(official / NUMPY, target)
    files = members(target)
    original = members(official / NUMPY)
    assert "numpy/_core/_multiarray_umath.cpython-312-wasm32-emscripten.so" in files
    assert "numpy/linalg/_umath_linalg.cpython-312-wasm32-emscripten.so" in files
    assert not any(name.startswith(cut.NUMPY_UNUSED) for name in files)
    assert not any(name.endswith(cut.NUMPY_UNUSED_SUFFIXES) for name in files)
    (record,) = [name for name in files if name.endswith(".dist-info/RECORD")]
    listed = {line.split(",")[0] for line in files[record].decode().splitlines()}
    assert listed == set(files)
    assert all(original[name] == data for name, data in files.items() if name != record)
    assert target.stat().st_size < 1_800_000
    cut.cut_numpy(official / NUMPY, tmp_path / "again.whl")
    assert (tmp_path / "again.whl").read_bytes() == target.read_bytes()


def test_the_scoring_core_uses_no_part_of_numpy_the_cut_leaves_out():
    """numpy.random, numpy.fft, numpy.ma, ... are not in the site's numpy: a scoring module that
    used one would fail in the browser only."""
    left_out = {prefix.split("/")[1] for prefix in cut.NUMPY_UNUSED if prefix.count("/") == 2}
    for path, source in scoring_sources():
        for node in ast.walk(ast.parse(source)):
            used = None
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                used = node.attr if node.value.id in ("np", "numpy") else None
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("numpy"):
                used = ({*(node.module.split(".")[1:2])} | {a.name for a in node.names}) & left_out
                used = next(iter(used), None)
            elif isinstance(node, ast.Import):
                names = {a.name.split(".")[1] for a in node.names if a.name.startswith("numpy.")}
                used = next(iter(names & left_out), None)
            assert used not in left_out, f"{path} uses numpy.{used}, which the site leaves out"
