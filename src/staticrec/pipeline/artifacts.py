"""Stage 5, read back: an artifacts folder into the scoring core (in CPython; the browser reads
the same files with hyparquet).

Which tables and columns to read comes from ``staticrec.scoring.schema``: the same declaration
the build writes by.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from staticrec.errors import DataError
from staticrec.pipeline.export import ARROW_TYPES
from staticrec.scoring import Recommender, ScoringConfig, model_from_columns, schema
from staticrec.scoring.errors import ArtifactError


def read_manifest(folder: Path) -> dict:
    """The folder's manifest.json, refused unless it is of this staticrec's schema version."""
    path = Path(folder) / schema.MANIFEST
    if not path.is_file():
        raise DataError(path, "is missing; run `staticrec build` first")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(path, f"is not valid JSON: {exc}") from exc
    try:
        schema.check_version(manifest)
    except ArtifactError as exc:
        raise DataError(path, str(exc)) from None
    return manifest


def read_columns(
    folder: Path, tables=schema.SCORING_TABLES, manifest: dict | None = None
) -> dict[str, dict]:
    """Each table's columns as numpy arrays (strings as object arrays, nulls as NaN)."""
    manifest = manifest if manifest is not None else read_manifest(folder)
    return {t.name: table_columns(read_table(folder, t.name, manifest)) for t in tables}


def read_table(folder: Path, name: str, manifest: dict | None = None) -> pa.Table:
    """One artifact table; a sharded table's shards, as the manifest lists them, as one."""
    manifest = manifest if manifest is not None else read_manifest(folder)
    entry = manifest.get("tables", {}).get(name, {})
    files = [s["file"] for s in entry["shards"]] if "shards" in entry else [f"{name}.parquet"]
    if not files:  # a sharded table without rows (no categories: no content neighbours)
        return pa.table(
            {c["name"]: pa.array([], ARROW_TYPES[c["dtype"]]) for c in entry["columns"]}
        )
    tables = []
    for file in files:
        path = Path(folder) / file
        if not path.is_file():
            raise DataError(path, "artifact is missing; run `staticrec build` first")
        data = path.read_bytes()
        _check_file(path, data, manifest.get("files", {}).get(file))
        tables.append(pq.read_table(pa.BufferReader(data)))
    return pa.concat_tables(tables)


def _check_file(path: Path, data: bytes, entry: Mapping | None) -> None:
    """The file as the manifest lists it, as the browser checks it: its bytes and sha256."""
    if entry is None:
        raise DataError(path, "is not listed in the manifest: rebuild the artifacts")
    if len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise DataError(
            path,
            "does not match the manifest's sha256 (damaged, or from another build): rebuild "
            "the artifacts",
        )


def table_columns(table: pa.Table) -> dict:
    """A table's columns as numpy arrays, as the scoring core takes them."""
    return {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}


def recommender_from_tables(
    tables: Mapping[str, pa.Table], meta: Mapping, config: ScoringConfig | None = None
) -> Recommender:
    """A Recommender straight from in-memory artifact tables (evaluation trains many)."""
    columns = {t.name: table_columns(tables[t.name]) for t in schema.SCORING_TABLES}
    return Recommender(model_from_columns(columns, meta), config)


def load_recommender(
    folder: Path, config: ScoringConfig | None = None, *, with_ratings: bool = True
) -> Recommender:
    """A Recommender over the artifacts in ``folder``; without ``with_ratings``, its known users
    have no ratings (their factors only), for work that scores no known user."""
    manifest = read_manifest(folder)
    ratings = schema.USER_RATINGS
    tables = [t for t in schema.SCORING_TABLES if with_ratings or t is not ratings]
    columns = read_columns(folder, tables, manifest)
    columns.setdefault(ratings.name, {c: [] for c in ratings.column_names()})
    return Recommender(model_from_columns(columns, manifest), config)
