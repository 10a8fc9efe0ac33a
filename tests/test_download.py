"""Stage 0: download once, verify, extract, reuse; tested against a local server, never the network."""

from __future__ import annotations

import functools
import http.server
import threading
import zipfile
from pathlib import Path

import pytest

from staticrec.download import DownloadConfig, fetch_dataset
from staticrec.errors import ConfigError, DataError


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        type(self).requests.append(self.path)
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """A local HTTP server on 127.0.0.1 serving tmp_path/www; yields (base_url, folder, requests)."""
    www = tmp_path / "www"
    www.mkdir()
    handler = type("Handler", (_CountingHandler,), {"requests": []})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(www))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", www, handler.requests
    httpd.shutdown()
    httpd.server_close()


def make_release_zip(source: Path, target: Path, name: str = "ml-latest-small",
                     skip: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(source.iterdir()):
            if path.name not in skip:
                bundle.write(path, f"{name}/{path.name}")
    return target


def config(base_url: str, cache: Path) -> DownloadConfig:
    return DownloadConfig(dataset="ml-latest-small", cache_dir=cache, base_url=base_url,
                          progress=False)


def test_downloads_once_then_reuses_the_cache(server, tmp_path, ml_small_dir):
    base_url, www, requests = server
    make_release_zip(ml_small_dir, www / "ml-latest-small.zip")
    folder = fetch_dataset(config(base_url, tmp_path / "cache"))
    assert (folder / "ratings.csv").read_bytes() == (ml_small_dir / "ratings.csv").read_bytes()
    assert requests == ["/ml-latest-small.zip"]
    assert fetch_dataset(config(base_url, tmp_path / "cache")) == folder
    assert requests == ["/ml-latest-small.zip"], "the second call must not download again"


def test_truncated_zip_is_refused_and_removed(server, tmp_path, ml_small_dir):
    base_url, www, _ = server
    whole = make_release_zip(ml_small_dir, tmp_path / "whole.zip").read_bytes()
    (www / "ml-latest-small.zip").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataError, match="not a readable zip"):
        fetch_dataset(config(base_url, tmp_path / "cache"))
    assert not (tmp_path / "cache" / "ml-latest-small.zip").exists()
    assert not (tmp_path / "cache" / "ml-latest-small").exists()


def test_corrupt_member_fails_its_crc(server, tmp_path, ml_small_dir):
    base_url, www, _ = server
    archive = www / "ml-latest-small.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as bundle:
        for path in sorted(ml_small_dir.iterdir()):
            bundle.write(path, f"ml-latest-small/{path.name}")
    data = bytearray(archive.read_bytes())
    offset = data.index(b"Toy Story (1995)")
    data[offset] ^= 0x20  # flip one bit inside movies.csv's stored bytes
    archive.write_bytes(bytes(data))
    with pytest.raises(DataError, match="movies.csv fails its CRC check"):
        fetch_dataset(config(base_url, tmp_path / "cache"))


def test_zip_without_ratings_is_refused(server, tmp_path, ml_small_dir):
    base_url, www, _ = server
    make_release_zip(ml_small_dir, www / "ml-latest-small.zip", skip=("ratings.csv",))
    with pytest.raises(DataError, match="does not contain ml-latest-small/ratings.csv"):
        fetch_dataset(config(base_url, tmp_path / "cache"))


def test_unreachable_server_names_the_way_out(server, tmp_path):
    base_url, _, _ = server  # serves nothing: 404
    with pytest.raises(DataError, match="download failed.*--data-dir"):
        fetch_dataset(config(base_url, tmp_path / "cache"))
    assert list((tmp_path / "cache").iterdir()) == []


def test_unknown_dataset_lists_the_known_ones():
    with pytest.raises(ConfigError, match="ml-latest-small, ml-latest, ml-25m"):
        DownloadConfig(dataset="ml-1b")
