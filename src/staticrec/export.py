"""Stage 3: the trained models as plain Parquet tables plus a manifest that lists every file.

Compute, then write: ``artifact_tables`` builds every table in memory (pure), ``write_artifacts``
is the one place that writes them. Tables are sorted by their keys and written with fixed options,
so the same inputs give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from staticrec import __version__
from staticrec.collab import Factors
from staticrec.content import NeighborIndex
from staticrec.data import MovieLens

SCHEMA_VERSION = 1
"""Bumped whenever a table's columns or meaning change; the site refuses other versions."""

MANIFEST = "manifest.json"

_FACTOR_COLUMN = re.compile(r"f\d+|bi|bu")
_YEAR = r"\((\d{4})(?:[-\u2013]\d{0,4})?\)\s*$"  # "(1995)", also "(2006\u20132007)"


@dataclass(frozen=True)
class FileEntry:
    """What the manifest records of one artifact file."""

    bytes: int
    sha256: str


def items_table(ml: MovieLens) -> pa.Table:
    """One row per movie: movieId, title, year, genres, n_ratings, mean_rating, imdbId, tmdbId."""
    movies = ml.movies.sort_values("movieId", kind="stable").reset_index(drop=True)
    stats = ml.ratings.groupby("movieId")["rating"].agg(["size", "mean"])
    links = ml.links.set_index("movieId")
    ids = movies["movieId"]
    year = movies["title"].str.extract(_YEAR)[0]
    return pa.table(
        {
            "movieId": pa.array(ids, pa.int32()),
            "title": pa.array(movies["title"].astype(str).str.strip(), pa.string()),
            "year": pa.array(pd.to_numeric(year, errors="coerce").astype("Int32"), pa.int32()),
            "genres": pa.array(movies["genres"].astype(str), pa.string()),
            "n_ratings": pa.array(ids.map(stats["size"]).fillna(0).astype(np.int32), pa.int32()),
            "mean_rating": pa.array(ids.map(stats["mean"]).astype("Float32"), pa.float32()),
            "imdbId": pa.array(ids.map(links["imdbId"]).astype("Int32"), pa.int32()),
            "tmdbId": pa.array(ids.map(links["tmdbId"]).astype("Int32"), pa.int32()),
        }
    )


def factor_table(id_name: str, ids: np.ndarray, bias_name: str, bias, factors) -> pa.Table:
    """``<id>, <bias>, f0..f{k-1}``: ids as int32, the rest float32."""
    columns = {id_name: pa.array(ids, pa.int32()), bias_name: pa.array(bias, pa.float32())}
    for j in range(factors.shape[1]):
        columns[f"f{j}"] = pa.array(np.ascontiguousarray(factors[:, j]), pa.float32())
    return pa.table(columns)


def user_ratings_table(ml: MovieLens) -> pa.Table:
    """What each known user already rated: userId, movieId, rating, sorted by both ids."""
    rows = ml.ratings.sort_values(["userId", "movieId"], kind="stable")
    return pa.table(
        {
            "userId": pa.array(rows["userId"], pa.int32()),
            "movieId": pa.array(rows["movieId"], pa.int32()),
            "rating": pa.array(rows["rating"], pa.float32()),
        }
    )


def neighbors_table(movie_ids: np.ndarray, index: NeighborIndex) -> pa.Table:
    """movieId, neighborId, rank (1-based), similarity; by movieId, then rank."""
    counts = np.diff(index.indptr)
    starts = np.repeat(index.indptr[:-1], counts)
    rank = np.arange(len(index.neighbors), dtype=np.int64) - starts + 1
    return pa.table(
        {
            "movieId": pa.array(np.repeat(movie_ids, counts), pa.int32()),
            "neighborId": pa.array(movie_ids[index.neighbors], pa.int32()),
            "rank": pa.array(rank, pa.int16()),
            "similarity": pa.array(index.similarities, pa.float32()),
        }
    )


def tuning_table(table: pd.DataFrame) -> pa.Table:
    """The cross-validation results, best RMSE first (times left out: they differ run to run)."""
    return pa.Table.from_pandas(table, preserve_index=False)


def artifact_tables(
    ml: MovieLens,
    factors: Factors,
    neighbors: NeighborIndex,
    tuning: pd.DataFrame | None = None,
) -> dict[str, pa.Table]:
    """Every table the site and the scoring core read, keyed by file stem."""
    movie_ids = np.sort(ml.movies["movieId"].to_numpy())
    tables = {
        "items": items_table(ml),
        "item_factors": factor_table(
            "movieId", factors.item_ids, "bi", factors.item_bias, factors.item_factors
        ),
        "user_factors": factor_table(
            "userId", factors.user_ids, "bu", factors.user_bias, factors.user_factors
        ),
        "user_ratings": user_ratings_table(ml),
        "content_neighbors": neighbors_table(movie_ids, neighbors),
    }
    if tuning is not None:
        tables["tuning"] = tuning_table(tuning)
    return tables


def write_parquet(table: pa.Table, path: Path) -> None:
    """Parquet with fixed options (snappy, page v1, no pandas metadata): stable bytes.

    Snappy is the codec every Parquet reader has built in, hyparquet in the browser included.
    Dictionary encoding pays off for ids, titles and the few distinct genre similarities, but
    only adds a dictionary page to continuous factors, which therefore go without.
    """
    # Columns without nulls are declared non-nullable: readers then skip definition levels, and
    # hyparquet hands such plain-encoded columns over as typed arrays.
    schema = pa.schema(
        [
            field.with_nullable(table.column(i).null_count > 0)
            for i, field in enumerate(table.schema)
        ]
    )
    table = table.cast(schema).replace_schema_metadata(None)
    dictionary = [c for c in table.column_names if not _FACTOR_COLUMN.fullmatch(c)]
    pq.write_table(
        table,
        path,
        compression="snappy",
        data_page_version="1.0",
        use_dictionary=dictionary,
        write_statistics=False,
        store_schema=False,
    )


def file_entry(path: Path) -> FileEntry:
    data = path.read_bytes()
    return FileEntry(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())


def write_artifacts(
    folder: Path, tables: Mapping[str, pa.Table], manifest: dict
) -> dict[str, FileEntry]:
    """Write each table as ``<stem>.parquet``, then the manifest with each file's size and hash."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, FileEntry] = {}
    for stem in sorted(tables):
        path = folder / f"{stem}.parquet"
        write_parquet(tables[stem], path)
        files[path.name] = file_entry(path)
    manifest = {
        **manifest,
        "schema_version": SCHEMA_VERSION,
        "generator": f"staticrec {__version__}",
        "files": {name: vars(entry) for name, entry in files.items()},
    }
    (folder / MANIFEST).write_text(
        # allow_nan=False: the browser's JSON.parse refuses NaN, so it must never be written
        json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n",
        encoding="utf-8",
    )
    return files
