"""Read an artifacts folder into the scoring core (CPython; the browser reads with hyparquet)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from staticrec.errors import DataError
from staticrec.export import MANIFEST, SCHEMA_VERSION
from staticrec.scoring import Recommender, ScoringConfig, model_from_columns

SCORING_TABLES = ("items", "item_factors", "user_factors", "user_ratings", "content_neighbors")
"""The tables the scoring core needs."""


def read_columns(folder: Path, tables=SCORING_TABLES) -> dict[str, dict]:
    """Each table's columns as numpy arrays (strings as object arrays, nulls as NaN)."""
    columns = {}
    for table in tables:
        path = Path(folder) / f"{table}.parquet"
        if not path.is_file():
            raise DataError(path, "artifact is missing; run `staticrec build` first")
        columns[table] = table_columns(pq.read_table(path))
    return columns


def table_columns(table: pa.Table) -> dict:
    """A table's columns as numpy arrays, as the scoring core takes them."""
    return {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}


def recommender_from_tables(
    tables: Mapping[str, pa.Table], meta: Mapping, config: ScoringConfig | None = None
) -> Recommender:
    """A Recommender straight from in-memory artifact tables (evaluation trains many)."""
    columns = {name: table_columns(tables[name]) for name in SCORING_TABLES}
    return Recommender(model_from_columns(columns, meta), config)


def load_recommender(folder: Path, config: ScoringConfig | None = None) -> Recommender:
    """A Recommender over the artifacts in ``folder``."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise DataError(path, "is missing; run `staticrec build` first")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(path, f"is not valid JSON: {exc}") from exc
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise DataError(
            path,
            f"has schema version {manifest.get('schema_version')}, this staticrec reads "
            f"{SCHEMA_VERSION}; rebuild the artifacts",
        )
    return Recommender(model_from_columns(read_columns(folder), manifest), config)
