"""Stage 1, before reading: fetch a MovieLens release zip once, verify it, extract it into a
cache and reuse it.

Order matters: the zip is downloaded to a ``.part`` file, checked (CRCs, expected members, CSV
headers), and only then extracted into a temporary folder that is renamed into place. A folder in
the cache therefore always holds a complete, verified release.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from tqdm import tqdm

from staticrec.errors import ConfigError, DataError
from staticrec.pipeline.data import LINKS, MOVIES, RATINGS, TAGS

GROUPLENS_URL = "https://files.grouplens.org/datasets/movielens/"
"""Where GroupLens publishes the releases (the seed's URL)."""

Dataset = Literal["ml-latest-small", "ml-latest", "ml-25m", "ml-32m", "ml-20m"]
KNOWN_DATASETS: tuple[Dataset, ...] = get_args(Dataset)
"""Releases whose CSVs share the schema staticrec reads."""

_EXPECTED = (MOVIES, RATINGS, LINKS, TAGS)
_READY_MARKER = ".staticrec-verified"


@dataclass(frozen=True)
class DownloadConfig:
    """Where a release comes from and where it is cached."""

    dataset: Dataset = "ml-latest-small"
    """A MovieLens release name; see KNOWN_DATASETS."""
    cache_dir: Path = Path("build/cache")
    """Folder that keeps the zip and its extracted CSVs between builds."""
    base_url: str = GROUPLENS_URL
    """URL prefix; ``<base_url><dataset>.zip`` is fetched."""
    progress: bool = True
    """Show a progress bar while downloading."""

    def __post_init__(self) -> None:
        if self.dataset not in KNOWN_DATASETS:
            raise ConfigError(
                f"unknown dataset {self.dataset!r}: choose one of {', '.join(KNOWN_DATASETS)}, "
                "or pass --data-dir with a MovieLens folder of your own",
                field="dataset",
            )


def fetch_dataset(config: DownloadConfig) -> Path:
    """Return the folder of verified CSVs for ``config.dataset``, downloading it the first time."""
    cache = Path(config.cache_dir)
    folder = cache / config.dataset
    if (folder / _READY_MARKER).is_file():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / f"{config.dataset}.zip"
    if not archive.is_file():
        url = f"{config.base_url.rstrip('/')}/{config.dataset}.zip"
        _download(url, archive, progress=config.progress)
    try:
        verify_zip(archive, config.dataset)
    except DataError:
        archive.unlink()  # a bad zip is never reused: the next run downloads it again
        raise
    _extract(archive, config.dataset, folder)
    return folder


def _download(url: str, target: Path, *, progress: bool) -> None:
    partial = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, partial.open("wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                desc=f"download {target.name}",
                disable=not progress,
            ) as bar:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise DataError(
            url,
            f"download failed ({exc}); check the network, or pass --data-dir with an extracted "
            "MovieLens folder",
        ) from exc
    partial.replace(target)


def verify_zip(archive: Path, dataset: str) -> None:
    """Check a release zip: readable, CRCs right, the expected CSVs there with their columns."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            broken = bundle.testzip()
            if broken is not None:
                raise DataError(archive, f"is corrupt: {broken} fails its CRC check")
            names = set(bundle.namelist())
            for spec in _EXPECTED:
                member = f"{dataset}/{spec.file_name}"
                if member not in names:
                    raise DataError(archive, f"does not contain {member}")
                with bundle.open(member) as raw:
                    header = next(csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig")), [])
                missing = [c for c in spec.columns if c not in header]
                if missing:
                    raise DataError(
                        archive, f"{member} lacks column(s) {', '.join(missing)}", line=1
                    )
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise DataError(archive, f"is not a readable zip (truncated or corrupt): {exc}") from exc
    except UnicodeDecodeError as exc:
        raise DataError(archive, f"holds a CSV header that is not UTF-8: {exc}") from exc


def _extract(archive: Path, dataset: str, folder: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{dataset}-", dir=folder.parent))
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [n for n in bundle.namelist() if n.startswith(f"{dataset}/")]
            bundle.extractall(staging, members=members)
        extracted = staging / dataset
        (extracted / _READY_MARKER).write_text(archive.name + "\n", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        extracted.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
