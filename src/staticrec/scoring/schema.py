"""The artifact schema: every table the build writes and the site reads, declared once.

The build writes by it (``staticrec.pipeline.export``), the scoring core reads by it in CPython
and in Pyodide (``staticrec.scoring.model``), and the manifest carries it (``describe``), so the
browser's ``data.js`` decodes the tables it lists rather than keeping its own copy. A schema
version is stored with the data (as LensKit's ``data/schema.py`` does) and checked on load.

Standard library only: this module ships to the browser with the rest of the scoring core.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from staticrec.scoring.errors import ArtifactError

SCHEMA_VERSION = 5
"""Bumped whenever a table's columns or meaning change; readers refuse other versions (5: the
scoring core reads items.genres, for the genre filter and each pick's genres)."""

MANIFEST = "manifest.json"
"""The file beside the tables that lists them, their bytes and sha256, and the model's scalars."""

Dtype = Literal["int8", "int16", "int32", "float16", "float32", "string"]
"""Column types as Parquet stores them (ids int32, scores float32: contract 2 of the design;
a large catalogue's movie factors float16 or int8, see ``FactorPrecision``)."""

FactorPrecision = Literal["float32", "float16", "int8"]
"""How the movie factors are stored. float16 halves the largest file a visit downloads at
scale, int8 quarters it (ml-32m: 17.5 MB as float32, 8.8 as float16, 4.4 as int8), at a
ranking cost measured by ``staticrec evaluate``. int8 factors are quantised column by column,
``f_j = q_j x scale_j``: the manifest's ``factor_scales`` gives each column's scale."""

ShardOrder = Literal["key", "popularity"]
"""``key``: shards of consecutive keys, the manifest giving each one's first and last key (users).
``popularity``: shards of consecutive places in the popularity order (most ratings first,
``scoring.content.popularity_order``), the manifest giving each one's first and last place
(movies): the most-rated movies, which most visitors rate, share the first few shards."""

FACTOR_COLUMNS = "f{j}"
"""Stands for the columns ``f0 .. f{n_factors-1}`` of a factor table."""


@dataclass(frozen=True)
class Column:
    """One column of an artifact table."""

    name: str
    dtype: Dtype
    nullable: bool = False
    """May hold nulls (a movie without a year, an unrated movie's mean)."""
    scoring: bool = True
    """The scoring core reads it, so the browser downloads and decodes it."""
    dictionary: bool = True
    """Dictionary-encoded in Parquet: pays off for repeated values (ids of a long table,
    titles), but only adds a dictionary page to continuous values (factors, EASE weights)."""
    delta: bool = False
    """Delta-encoded in Parquet instead (DELTA_BINARY_PACKED: each value as its difference to
    the one before): for an id that is unique in its table, a few bits a row where a
    dictionary would hold every id and index it too (ml-32m's items: 0.53 MB a column)."""


@dataclass(frozen=True)
class Table:
    """One artifact table: a Parquet file of plain typed columns, sorted by ``sort_key``."""

    name: str
    columns: tuple[Column, ...]
    """In file order. ``FACTOR_COLUMNS`` expands to one float32 column per factor."""
    sort_key: tuple[str, ...]
    """Rows are sorted by these columns, ascending: the files are deterministic."""
    browser: bool = True
    """The site ships it and the scoring core reads it."""
    shard_key: str | None = None
    """Written as several files (``<name>/<n>.parquet``) instead of one, each holding whole
    runs of this key: the browser fetches only the shards holding the keys a request reads
    (a known user's rows, the rated movies' neighbours), so what a visit downloads does not
    grow with the dataset."""
    shard_order: ShardOrder = "key"
    """How the keys run from shard to shard (``ShardOrder``)."""

    @property
    def file(self) -> str:
        """The table's one file; a sharded table's files are listed in the manifest."""
        return f"{self.name}.parquet"

    def shard_file(self, number: int) -> str:
        return f"{self.name}/{number}.parquet"

    def column_names(self, n_factors: int = 0) -> list[str]:
        """Every column in file order, with the factor columns spelled out."""
        return [c.name for c in self.expanded(n_factors)]

    def expanded(self, n_factors: int, factor_dtype: Dtype | None = None) -> list[Column]:
        """Every column in file order, the factor columns spelled out (as ``factor_dtype``,
        when given, instead of the declared float32)."""
        out = []
        for column in self.columns:
            if column.name == FACTOR_COLUMNS:
                dtype = factor_dtype or column.dtype
                out += [Column(f"f{j}", dtype, dictionary=False) for j in range(n_factors)]
            else:
                out.append(column)
        return out

    def column(self, name: str) -> Column:
        """The declared column ``name`` (a factor column ``f7`` matches ``FACTOR_COLUMNS``)."""
        for column in self.columns:
            if column.name == name:
                return column
            if column.name == FACTOR_COLUMNS and name[:1] == "f" and name[1:].isdigit():
                return Column(name, column.dtype, dictionary=False)
        raise KeyError(f"table {self.name!r} declares no column {name!r}")


def _factor_table(
    name: str, id_column: str, bias_column: str, shard_key: str | None = None
) -> Table:
    columns = (
        Column(id_column, "int32", dictionary=False, delta=True),
        Column(bias_column, "float32", dictionary=False),
        Column(FACTOR_COLUMNS, "float32", dictionary=False),
    )
    return Table(name, columns, sort_key=(id_column,), shard_key=shard_key)


ITEMS = Table(
    "items",
    (
        Column("movieId", "int32", dictionary=False, delta=True),
        Column("title", "string"),
        Column("year", "int32", nullable=True),
        Column("genres", "string"),
        Column("n_ratings", "int32"),
        Column("mean_rating", "float32", nullable=True),
        Column("imdbId", "int32", nullable=True, dictionary=False, delta=True),
        Column("tmdbId", "int32", nullable=True, scoring=False, dictionary=False, delta=True),
    ),
    sort_key=("movieId",),
)
"""One row per movie of the catalogue, rated or not; ``genres`` joined by ``|`` as in
movies.csv (``(no genres listed)`` for none)."""

ITEM_FACTORS = _factor_table("item_factors", "movieId", "bi")
"""SVD's item bias and vector, for each movie that had ratings."""

USER_FACTORS = _factor_table("user_factors", "userId", "bu", shard_key="userId")
"""SVD's user bias and vector, for each user of the dataset; sharded by user."""

USER_RATINGS = Table(
    "user_ratings",
    (
        Column("userId", "int32"),
        Column("movieId", "int32"),
        Column("rating", "float32"),
        Column("from_end", "int32"),
    ),
    sort_key=("userId", "movieId"),
    shard_key="userId",
)
"""What each known user rated (never recommended to them again), and how recent each rating is:
``from_end`` counts the user's ratings that came later (0: their latest), by timestamp.
Sharded by user, in the same user ranges as user_factors."""

CONTENT_NEIGHBORS = Table(
    "content_neighbors",
    (
        Column("movieId", "int32"),
        Column("neighborId", "int32"),
        Column("rank", "int16"),
        Column("similarity", "float32"),
    ),
    sort_key=("movieId", "rank"),
    shard_key="movieId",
    shard_order="popularity",
)
"""Each movie's top-k content neighbours, best first (rank 1). Sharded by movie, in popularity
order: a visit reads the rows of its favourites only."""

COLLAB_NEIGHBORS = Table(
    "collab_neighbors",
    (
        Column("movieId", "int32"),
        Column("neighborId", "int32"),
        Column("rank", "int16"),
        Column("weight", "float32", dictionary=False),
    ),
    sort_key=("movieId", "rank"),
    shard_key="movieId",
    shard_order="popularity",
)
"""Each movie's top-k EASE weights, best first: a visitor's scores are the sum of the rows of
the movies they rated. Sharded by movie, in popularity order: a visit reads the rows of the
movies rated only."""

ITEM_LINKS = Table(
    "item_links",
    (
        Column("movieId", "int32", dictionary=False, delta=True),
        Column("url", "string", dictionary=False),
    ),
    sort_key=("movieId",),
    browser=False,
)
"""Each item's page elsewhere, from your items file's link column (items without one have no
row): the build links it from the item's page; the browser never downloads it."""

TUNING = Table("tuning", (), sort_key=(), browser=False)
"""Cross-validation results of ``--tune``: its columns follow the grid, so none are declared."""

TABLES: Mapping[str, Table] = {
    t.name: t
    for t in (
        ITEMS,
        ITEM_FACTORS,
        USER_FACTORS,
        USER_RATINGS,
        CONTENT_NEIGHBORS,
        COLLAB_NEIGHBORS,
        ITEM_LINKS,
        TUNING,
    )
}
"""Every table the build may write, by name."""

SCORING_TABLES: tuple[Table, ...] = tuple(t for t in TABLES.values() if t.browser)
"""The tables the scoring core needs, in the CPython reader and in the browser."""

START_TABLES: tuple[Table, ...] = tuple(t for t in SCORING_TABLES if t.shard_key is None)
"""The tables the browser downloads when For you opens; the sharded ones come on demand."""

MOVIE_TABLES: tuple[Table, ...] = tuple(t for t in SCORING_TABLES if t.shard_order == "popularity")
"""The tables sharded by movie, whose shards a request fetches for the movies it reads."""

MOVIE_SHARD_ROWS = 25_000
"""About this many rows to a movie shard, whole movies (500 movies of 50 content neighbours):
0.06 MB of content neighbours or 0.15 MB of EASE weights."""

USER_SHARD_ROWS = 50_000
"""A user shard closes once it holds this many ratings (a heavy rater may take one alone):
about 0.3 MB of Parquet, whatever the number of users."""


def describe(
    names: list[str],
    n_factors: int,
    shards: Mapping[str, list[dict]] | None = None,
    factor_dtypes: Mapping[str, Dtype] | None = None,
) -> dict[str, Any]:
    """The manifest's ``tables`` entry: per table written, its file (or its shards: file,
    first and last key), columns and sort key.

    The browser reads it to know which files to decode, which columns the scoring core wants
    and which of them are integers; ``schema_version`` beside it says how to read them.
    """
    tables: dict[str, Any] = {}
    for name in names:
        table = TABLES[name]
        entry: dict[str, Any] = {"browser": table.browser}
        if table.shard_key is None:
            entry["file"] = table.file
        else:
            entry["shard_key"] = table.shard_key
            entry["shard_order"] = table.shard_order
            entry["shards"] = list((shards or {})[name])
        if table.columns:  # the tuning table's columns follow the grid
            columns = table.expanded(n_factors, (factor_dtypes or {}).get(name))
            entry["sort_key"] = list(table.sort_key)
            entry["columns"] = [
                {"name": c.name, "dtype": c.dtype, "nullable": c.nullable} for c in columns
            ]
            entry["scoring_columns"] = [c.name for c in columns if c.scoring]
        tables[name] = entry
    return tables


def check_version(meta: Mapping[str, Any]) -> None:
    """Refuse artifacts written under another schema version."""
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ArtifactError(
            f"the artifacts have schema version {version}, this staticrec reads "
            f"{SCHEMA_VERSION}; rebuild them with `staticrec build`"
        )
