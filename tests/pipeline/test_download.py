"""Stage 0: download once, verify, extract, reuse; against a local server, never the network."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from datasets import make_release_zip
from staticrec.errors import ConfigError, DataError
from staticrec.pipeline.download import DownloadConfig, fetch_dataset


def config(base_url: str, cache: Path) -> DownloadConfig:
    return DownloadConfig(
        dataset="ml-latest-small", cache_dir=cache, base_url=base_url, progress=False
    )


def test_downloads_once_then_reuses_the_cache(http_server, tmp_path, ml_small_dir):
    base_url, www, requests = http_server
    make_release_zip(ml_small_dir, www / "ml-latest-small.zip")
    folder = fetch_dataset(config(base_url, tmp_path / "cache"))
    assert (folder / "ratings.csv").read_bytes() == (ml_small_dir / "ratings.csv").read_bytes()
    assert requests == ["/ml-latest-small.zip"]
    assert fetch_dataset(config(base_url, tmp_path / "cache")) == folder
    assert requests == ["/ml-latest-small.zip"], "the second call must not download again"


def test_truncated_zip_is_refused_and_removed(http_server, tmp_path, ml_small_dir):
    base_url, www, _ = http_server
    whole = make_release_zip(ml_small_dir, tmp_path / "whole.zip").read_bytes()
    (www / "ml-latest-small.zip").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataError, match=r"not a readable zip"):
        fetch_dataset(config(base_url, tmp_path / "cache"))
    assert not (tmp_path / "cache" / "ml-latest-small.zip").exists()
    assert not (tmp_path / "cache" / "ml-latest-small").exists()


def test_corrupt_member_fails_its_crc(http_server, tmp_path, ml_small_dir):
    base_url, www, _ = http_server
    archive = www / "ml-latest-small.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as bundle:
        for path in sorted(ml_small_dir.iterdir()):
            bundle.write(path, f"ml-latest-small/{path.name}")
    data = bytearray(archive.read_bytes())
    offset = data.index(b"Toy Story (1995)")
    data[offset] ^= 0x20  # flip one bit inside movies.csv's stored bytes
    archive.write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"movies\.csv fails its CRC check"):
        fetch_dataset(config(base_url, tmp_path / "cache"))


def test_zip_without_ratings_is_refused(http_server, tmp_path, ml_small_dir):
    base_url, www, _ = http_server
    make_release_zip(ml_small_dir, www / "ml-latest-small.zip", skip=("ratings.csv",))
    with pytest.raises(DataError, match=r"does not contain ml-latest-small/ratings\.csv"):
        fetch_dataset(config(base_url, tmp_path / "cache"))


def test_unreachable_server_names_the_way_out(http_server, tmp_path):
    base_url, _, _ = http_server  # serves nothing: 404
    with pytest.raises(DataError, match=r"download failed.*--data-dir"):
        fetch_dataset(config(base_url, tmp_path / "cache"))
    assert list((tmp_path / "cache").iterdir()) == []


def test_unknown_dataset_lists_the_known_ones():
    with pytest.raises(ConfigError, match="ml-latest-small, ml-latest, ml-25m"):
        DownloadConfig(dataset="ml-1b")


def test_download_error_keeps_the_url_whole(tmp_path):
    config = DownloadConfig(cache_dir=tmp_path, base_url="http://127.0.0.1:9", progress=False)
    with pytest.raises(DataError) as caught:
        fetch_dataset(config)
    assert str(caught.value).startswith("http://127.0.0.1:9/ml-latest-small.zip: download failed")
