"""The Pyodide runtime: pinned and verified file by file (the registries: test_registries.py)."""

from __future__ import annotations

import json
import shutil

import pytest

from staticrec.errors import StaticrecError
from staticrec.site import pyodide as rt
from staticrec.site.wheel import build_scoring_wheel, write_site_lock


def flip_last_bit(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def test_version_is_pinned_once_and_the_lock_agrees(official):
    lock = rt.load_lock(official / rt.LOCK_FILE)
    assert lock["info"]["version"] == rt.PYODIDE_VERSION == "0.27.7"
    assert lock["info"]["python"].startswith("3.12")
    assert [f.name for f in rt.wheel_files(lock)] == [
        "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
    ]


def test_fills_a_cache_from_a_folder_without_network(official, tmp_path):
    folder = rt.ensure_runtime(tmp_path / "cache", source_dir=official, allow_download=False)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in official.iterdir())


def test_refuses_a_file_that_is_not_the_official_one(official, tmp_path):
    source = tmp_path / "source"
    shutil.copytree(official, source)
    wasm = source / "pyodide.asm.wasm"
    wasm.write_bytes(flip_last_bit(wasm.read_bytes()))
    with pytest.raises(StaticrecError, match=r"does not match the official Pyodide 0\.27\.7 file"):
        rt.ensure_runtime(tmp_path / "cache", source_dir=source, allow_download=False)
    assert not (tmp_path / "cache" / rt.PYODIDE_VERSION / "pyodide.asm.wasm").exists()


def test_missing_runtime_names_both_ways_out(tmp_path):
    with pytest.raises(rt.RuntimeMissing) as caught:
        rt.ensure_runtime(tmp_path / "cache", allow_download=False)
    message = str(caught.value)
    assert "staticrec fetch-pyodide --from registries" in message
    assert "--pyodide-dir DIR" in message and "--pyodide cdn" in message


def test_site_lock_lists_the_wheel_and_only_what_the_site_serves(official, tmp_path):
    wheel = build_scoring_wheel(tmp_path)
    write_site_lock(official / rt.LOCK_FILE, wheel, tmp_path / "lock.json")
    lock = json.loads((tmp_path / "lock.json").read_text())
    assert sorted(lock["packages"]) == ["numpy", "staticrec-scoring"]
    scoring = lock["packages"]["staticrec-scoring"]
    assert scoring["depends"] == ["numpy"] and scoring["imports"] == ["staticrec"]
    assert scoring["file_name"] == wheel.name
    assert scoring["sha256"] == rt.sha256_of(wheel)
    assert lock["info"]["version"] == "0.27.7"
