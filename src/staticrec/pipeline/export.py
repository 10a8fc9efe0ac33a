"""Stage 5: the trained models as plain Parquet tables plus a manifest that lists every file.

Compute, then write: ``artifact_tables`` builds every table in memory (pure), ``write_artifacts``
is the one place that writes them. Every table is built from its declaration in
``staticrec.scoring.schema`` (column names, order and types; sort key), sorted by its keys and
written with fixed options, so the same inputs give byte-identical files.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from staticrec import __version__
from staticrec.pipeline.collab import Factors
from staticrec.pipeline.data import MovieLens
from staticrec.pipeline.neighbors import NeighborIndex
from staticrec.pipeline.sharding import ShardSource, movie_shards, shards_by_key, user_ranges
from staticrec.scoring import schema
from staticrec.scoring.schema import MANIFEST, SCHEMA_VERSION

ARROW_TYPES = {  # the schema's dtypes as Arrow's
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "float16": pa.float16(),
    "float32": pa.float32(),
    "string": pa.string(),
}
_YEAR = r"\((\d{4})(?:[-\u2013]\d{0,4})?\)\s*$"  # "(1995)", also "(2006\u20132007)"


@dataclass(frozen=True)
class FileEntry:
    """What the manifest records of one artifact file."""

    bytes: int
    sha256: str


def items_table(ml: MovieLens) -> pa.Table:
    """One row per movie: movieId, title, year, genres, n_ratings, mean_rating, imdbId, tmdbId."""
    movies = ml.movies.sort_values("movieId", kind="stable").reset_index(drop=True)
    stats = ml.movie_stats()
    links = ml.links.set_index("movieId")
    ids = movies["movieId"]
    year = movies["title"].str.extract(_YEAR)[0]
    return declared_table(
        schema.ITEMS,
        {
            "movieId": ids,
            "title": movies["title"].astype(str).str.strip(),
            "year": pd.to_numeric(year, errors="coerce").astype("Int32"),
            "genres": movies["genres"].astype(str),
            "n_ratings": ids.map(stats["size"]).fillna(0).astype(np.int32),
            "mean_rating": ids.map(stats["mean"]).astype("Float32"),
            "imdbId": ids.map(links["imdbId"]).astype("Int32"),
            "tmdbId": ids.map(links["tmdbId"]).astype("Int32"),
        },
    )


def declared_table(
    spec: schema.Table,
    columns: Mapping,
    n_factors: int = 0,
    factor_dtype: schema.Dtype | None = None,
) -> pa.Table:
    """``columns`` as the schema declares ``spec``: its column order and Parquet types.

    Raises ValueError when the columns are not exactly the declared ones: a table that drifts
    from its declaration is a bug here, never something to write.
    """
    names = spec.column_names(n_factors)
    if list(columns) != names:
        raise ValueError(f"table {spec.name}: columns {list(columns)}, declared {names}")
    return pa.table(
        {
            column.name: _arrow_array(columns[column.name], column.dtype)
            for column in spec.expanded(n_factors, factor_dtype)
        }
    )


def _arrow_array(values, dtype: schema.Dtype) -> pa.Array:
    if dtype == "float16":  # Arrow does not narrow floats itself
        values = np.asarray(values, dtype=np.float16)
    return pa.array(values, ARROW_TYPES[dtype])


def quantization_scales(factors: np.ndarray) -> np.ndarray:
    """Per factor column, the step of its int8 quantisation: its largest magnitude over 127,
    so that every value rounds into -127..127 (1 for an all-zero column)."""
    largest = np.abs(factors).max(axis=0, initial=0.0)
    return np.where(largest > 0, largest / 127, 1.0).astype(np.float64)


def quantized(factors: np.ndarray) -> np.ndarray:
    """``factors`` as int8 steps of ``quantization_scales``: the nearest step, column by
    column (the error is at most half a step)."""
    return np.rint(factors / quantization_scales(factors)).astype(np.int8)


def factor_table(
    spec: schema.Table,
    ids: np.ndarray,
    bias,
    factors,
    precision: schema.FactorPrecision = "float32",
) -> pa.Table:
    """``<id>, <bias>, f0..f{k-1}`` as ``spec`` declares them, the factors in ``precision``
    (int8: ``quantized``, the scales going to the manifest)."""
    id_name, bias_name = (c.name for c in spec.columns[:2])
    columns = {id_name: ids, bias_name: bias}
    if precision == "int8":
        factors = quantized(factors)
    for j in range(factors.shape[1]):
        columns[f"f{j}"] = np.ascontiguousarray(factors[:, j])
    return declared_table(spec, columns, factors.shape[1], precision)


def user_ratings_table(ml: MovieLens) -> pa.Table:
    """What each known user already rated: userId, movieId, rating and from_end (0 for their
    latest rating by timestamp, then movieId), sorted by both ids."""
    return user_ratings_of(ml.ratings)


def user_ratings_of(ratings: pd.DataFrame) -> pa.Table:
    """``user_ratings_table`` of these ratings (userId, movieId, rating, timestamp): whole users
    give the same rows whichever others are with them, so shards can be made apart."""
    by_time = ratings.sort_values(["userId", "timestamp", "movieId"], kind="stable")
    from_end = by_time.groupby("userId").cumcount(ascending=False)
    return user_ratings_rows(by_time.assign(from_end=from_end))


def user_ratings_rows(rows: pd.DataFrame) -> pa.Table:
    """userId, movieId, rating, from_end rows as the user_ratings table, sorted by both ids."""
    rows = rows.sort_values(list(schema.USER_RATINGS.sort_key), kind="stable")
    return declared_table(
        schema.USER_RATINGS,
        {
            "userId": rows["userId"],
            "movieId": rows["movieId"],
            "rating": rows["rating"],
            "from_end": rows["from_end"],
        },
    )


def neighbors_table(spec: schema.Table, index: NeighborIndex) -> pa.Table:
    """movieId, neighborId, rank (1-based), and the weight column ``spec`` names (similarity,
    weight); by movieId, then rank."""
    counts = np.diff(index.indptr)
    starts = np.repeat(index.indptr[:-1], counts)
    rank = np.arange(len(index.neighbors), dtype=np.int64) - starts + 1
    return declared_table(
        spec,
        {
            "movieId": np.repeat(index.item_ids, counts),
            "neighborId": index.item_ids[index.neighbors],
            "rank": rank,
            spec.columns[3].name: index.weights,
        },
    )


def tuning_table(table: pd.DataFrame) -> pa.Table:
    """The cross-validation results, best RMSE first (times left out: they differ run to run)."""
    return pa.Table.from_pandas(table, preserve_index=False)


def artifact_tables(
    ml: MovieLens,
    factors: Factors,
    neighbors: NeighborIndex,
    collab_neighbors: NeighborIndex,
    tuning: pd.DataFrame | None = None,
    factor_precision: schema.FactorPrecision = "float32",
) -> dict[str, pa.Table]:
    """Every table the site and the scoring core read, keyed by schema table name; the movie
    factors in ``factor_precision`` (the users' stay float32: a visit fetches one user's)."""
    tables = {
        schema.ITEMS.name: items_table(ml),
        schema.ITEM_FACTORS.name: factor_table(
            schema.ITEM_FACTORS,
            factors.item_ids,
            factors.item_bias,
            factors.item_factors,
            factor_precision,
        ),
        schema.USER_FACTORS.name: factor_table(
            schema.USER_FACTORS, factors.user_ids, factors.user_bias, factors.user_factors
        ),
        schema.CONTENT_NEIGHBORS.name: neighbors_table(schema.CONTENT_NEIGHBORS, neighbors),
        schema.COLLAB_NEIGHBORS.name: neighbors_table(schema.COLLAB_NEIGHBORS, collab_neighbors),
    }
    if ml.stats is None:  # else written where the ratings are (``write_artifacts``' source)
        tables[schema.USER_RATINGS.name] = user_ratings_table(ml)
    if ml.item_links is not None:
        links = ml.item_links.sort_values("movieId", kind="stable")
        tables[schema.ITEM_LINKS.name] = pa.table(
            {
                "movieId": pa.array(links["movieId"].to_numpy(np.int32)),
                "url": pa.array(links["url"].tolist(), pa.string()),
            }
        )
    if tuning is not None:
        tables[schema.TUNING.name] = tuning_table(tuning)
    return tables


def write_parquet(
    table: pa.Table,
    path: Path,
    dictionary: list[str] | bool = True,
    delta: list[str] | None = None,
) -> None:
    """Parquet with fixed options (snappy, page v1, no pandas metadata): stable bytes.

    Snappy is the codec every Parquet reader has built in, hyparquet in the browser included.
    ``dictionary`` names the columns to dictionary-encode, ``delta`` those to delta-encode (the
    schema says which).
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
    pq.write_table(
        table,
        path,
        compression="snappy",
        data_page_version="1.0",
        use_dictionary=dictionary,
        column_encoding=dict.fromkeys(delta, "DELTA_BINARY_PACKED") if delta else None,
        write_statistics=False,
        store_schema=False,
    )


def _encodings(spec: schema.Table, table: pa.Table) -> dict:
    """``write_parquet``'s encoding arguments for a table of ``spec``."""
    delta = [c.name for c in spec.columns if c.delta and c.name in table.column_names]
    return {"dictionary": _dictionary_columns(spec, table), "delta": delta}


def _dictionary_columns(spec: schema.Table, table: pa.Table) -> list[str] | bool:
    """The columns to dictionary-encode; a table of undeclared columns (tuning) encodes all.
    int8 factors are too: 255 values at most, a byte each, where plain Parquet takes four."""
    if not spec.columns:
        return True
    return [
        field.name
        for field in table.schema
        if spec.column(field.name).dictionary or field.type == pa.int8()
    ]


def parquet_bytes(spec: schema.Table, table: pa.Table) -> bytes:
    """The file ``write_artifacts`` writes for a table (or a shard) of ``spec``, as bytes."""
    buffer = io.BytesIO()
    write_parquet(table, buffer, **_encodings(spec, table))
    return buffer.getvalue()


def _write_source(folder: Path, source: ShardSource, files: dict[str, FileEntry]) -> list[dict]:
    """Write the user ratings' shards as they arrive; their entries for the manifest."""
    spec = schema.USER_RATINGS
    (folder / spec.name).mkdir()
    written = set()
    for number, data in source.parts():
        relative = spec.shard_file(number)
        (folder / relative).write_bytes(data)
        files[relative] = FileEntry(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
        written.add(number)
    if written != set(range(len(source.firsts))):
        raise ValueError(f"{spec.name}: shards {sorted(written)} of {len(source.firsts)}")
    ends = [first - 1 for first in source.firsts[1:]] + [source.last]
    return [
        {"file": spec.shard_file(n), "first": first, "last": last}
        for n, (first, last) in enumerate(zip(source.firsts, ends, strict=True))
    ]


def file_entry(path: Path) -> FileEntry:
    data = path.read_bytes()
    return FileEntry(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())


def _factor_dtypes(tables: Mapping[str, pa.Table]) -> dict[str, schema.Dtype]:
    """The factor tables written in float16 or int8 (the manifest then says so, column by
    column)."""
    compact = {pa.float16(): "float16", pa.int8(): "int8"}
    return {
        name: compact[table.schema.field("f0").type]
        for name, table in tables.items()
        if "f0" in table.column_names and table.schema.field("f0").type in compact
    }


def write_artifacts(
    folder: Path,
    tables: Mapping[str, pa.Table],
    manifest: dict,
    user_ratings: ShardSource | None = None,
) -> dict[str, FileEntry]:
    """Write each table as its schema's file (a sharded table as a folder of files, by user or
    by movie), then the manifest: every file's size and hash, and the schema of the tables
    written (the browser decodes by it). ``user_ratings``: that table's shards, made elsewhere
    (then not in ``tables``)."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, FileEntry] = {}
    shards: dict[str, list[dict]] = {}
    firsts = (
        user_ranges(tables[schema.USER_RATINGS.name]) if schema.USER_RATINGS.name in tables else []
    )
    if user_ratings is not None:
        firsts = user_ratings.firsts
        shards[schema.USER_RATINGS.name] = _write_source(folder, user_ratings, files)
    for name in sorted(tables):
        spec = schema.TABLES[name]
        encodings = _encodings(spec, tables[name])
        if spec.shard_key is None:
            write_parquet(tables[name], folder / spec.file, **encodings)
            files[spec.file] = file_entry(folder / spec.file)
            continue
        (folder / spec.name).mkdir()
        shards[name] = []
        parts = (
            movie_shards(tables[name], tables[schema.ITEMS.name])
            if spec.shard_order == "popularity"
            else shards_by_key(tables[name], spec.shard_key, firsts)
        )
        for number, (first, last, rows) in enumerate(parts):
            relative = spec.shard_file(number)
            write_parquet(rows, folder / relative, **encodings)
            files[relative] = file_entry(folder / relative)
            shards[name].append({"file": relative, "first": first, "last": last})
    manifest = {
        **manifest,
        "schema_version": SCHEMA_VERSION,
        "tables": schema.describe(
            sorted({*tables, *shards}), int(manifest["n_factors"]), shards, _factor_dtypes(tables)
        ),
        "generator": f"staticrec {__version__}",
        "files": {name: vars(entry) for name, entry in files.items()},
    }
    (folder / MANIFEST).write_text(
        # allow_nan=False: the browser's JSON.parse refuses NaN, so it must never be written
        json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n",
        encoding="utf-8",
    )
    return files
