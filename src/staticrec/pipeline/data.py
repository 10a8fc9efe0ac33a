"""Stage 1: read a MovieLens folder and validate it, or fail with a message that says where.

The fast path reads each CSV with typed pandas columns. Only when that fails does a slow,
line-by-line scan run to find the first offending line, so a good file costs one typed read and a
bad one still gets an exact line number.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from staticrec.errors import DataError

# How a column is parsed: "int", "int?" (may be empty), "float", "str".
ColumnKind = str


@dataclass(frozen=True)
class TableSpec:
    """The columns a MovieLens CSV must have, and how each is parsed."""

    file_name: str
    """Name of the CSV inside the release folder."""
    columns: Mapping[str, ColumnKind]
    """Required columns and their kinds; other columns in the file are ignored."""
    may_be_empty: bool = False
    """Whether a header without rows is a table (no tags) rather than a mistake."""


MOVIES = TableSpec("movies.csv", {"movieId": "int", "title": "str", "genres": "str"})
RATINGS = TableSpec(
    "ratings.csv", {"userId": "int", "movieId": "int", "rating": "float", "timestamp": "int"}
)
LINKS = TableSpec("links.csv", {"movieId": "int", "imdbId": "int", "tmdbId": "int?"})
TAGS = TableSpec(
    "tags.csv",
    {"userId": "int", "movieId": "int", "tag": "str", "timestamp": "int"},
    may_be_empty=True,
)
GENOME_SCORES = TableSpec(
    "genome-scores.csv", {"movieId": "int", "tagId": "int", "relevance": "float"}
)
"""The tag genome of ml-25m and ml-32m: how strongly each of 1,128 tags applies to a movie,
0 to 1, for the movies rated enough (ml-32m: about 16,000)."""

_PANDAS_DTYPES = {"int": "int64", "int?": "Int64", "float": "float64", "str": "string"}
# What pandas' C parser accepts (Python's int() and float() also take "1_000" and spaces).
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)  # int() also takes other scripts' digits
_NUMBER = re.compile(
    r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(nan|inf|infinity)", re.I | re.ASCII
)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_ID_MAX = 2**31 - 1  # ids are stored as int32 in the artifacts


@dataclass(frozen=True)
class RatingStats:
    """What the build needs of ratings it never holds (``--engine spark``): aggregates made
    where the ratings are, one row per movie and per user."""

    movies: pd.DataFrame
    """movieId, size (ratings), mean (rating): one row per rated movie."""
    users: pd.DataFrame
    """userId, size (ratings): one row per user, by userId."""


@dataclass(frozen=True)
class MovieLens:
    """A validated MovieLens release, as typed tables."""

    name: str
    """Dataset name, e.g. ``ml-latest-small``."""
    folder: Path
    """Where the CSV files were read from."""
    movies: pd.DataFrame
    """movieId, title, genres; one row per movie, movieIds unique."""
    ratings: pd.DataFrame
    """userId, movieId, rating, timestamp; one row per (userId, movieId), movieIds all in movies."""
    links: pd.DataFrame
    """movieId, imdbId, tmdbId (nullable); only movies that exist."""
    tags: pd.DataFrame | None
    """userId, movieId, tag, timestamp; only movies that exist. None when not requested."""
    rating_scale: tuple[float, float]
    """Lowest and highest allowed rating."""
    genome: pd.DataFrame | None = None
    """movieId, tagId, relevance (0 to 1); only movies that exist. None when not requested."""
    item_links: pd.DataFrame | None = None
    """movieId, url: each item's page elsewhere (your items file's link column); None: none."""
    stats: RatingStats | None = None
    """The ratings' aggregates when ``ratings`` is left empty (they stay where Spark has them);
    None: computed from ``ratings``."""

    def movie_stats(self) -> pd.DataFrame:
        """size (ratings) and mean (rating) of each rated movie, indexed by movieId."""
        if self.stats is not None:
            return self.stats.movies.set_index("movieId")
        return self.ratings.groupby("movieId")["rating"].agg(["size", "mean"])

    def movies_by_id(self) -> pd.DataFrame:
        """The movies sorted by movieId: the row order of every per-movie array."""
        return self.movies.sort_values("movieId", kind="stable").reset_index(drop=True)

    def ratings_per_movie(self) -> np.ndarray:
        """Rating counts aligned with ``movies_by_id()`` (0 for unrated movies)."""
        counts = self.movie_stats()["size"]
        return counts.reindex(self.movies_by_id()["movieId"], fill_value=0).to_numpy()

    def row_counts(self) -> dict[str, int]:
        """Rows per table, for the manifest and the summary."""
        counts = {
            "movies": len(self.movies),
            "ratings": len(self.ratings)
            if self.stats is None
            else int(self.stats.users["size"].sum()),
            "links": len(self.links),
        }
        if self.tags is not None:
            counts["tags"] = len(self.tags)
        if self.genome is not None:
            counts["genome_scores"] = len(self.genome)
        if self.stats is not None:
            counts["users"], counts["rated_movies"] = len(self.stats.users), len(self.stats.movies)
        else:
            counts["users"] = int(self.ratings["userId"].nunique())
            counts["rated_movies"] = int(self.ratings["movieId"].nunique())
        return counts


def load_movielens(
    folder: Path,
    *,
    name: str,
    rating_scale: tuple[float, float] = (0.5, 5.0),
    with_tags: bool = False,
    with_genome: bool = False,
    with_ratings: bool = True,
) -> MovieLens:
    """Read and validate the CSVs of one MovieLens release folder (``with_genome``: its tag
    genome too, genome-scores.csv, which ml-25m and ml-32m have; ``with_ratings`` False leaves
    ratings.csv to Spark, and ``ratings`` empty).

    Raises:
        DataError: naming the file, the line or column, and the problem.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(folder, "is not a folder with MovieLens CSV files")
    movies = read_table(folder, MOVIES)
    ratings = read_table(folder, RATINGS) if with_ratings else _no_ratings()
    links = read_table(folder, LINKS)
    tags = read_table(folder, TAGS) if with_tags else None
    genome = read_table(folder, GENOME_SCORES) if with_genome else None

    check_movies(folder / MOVIES.file_name, movies)
    if with_ratings:
        check_ratings(folder / RATINGS.file_name, ratings, movies, rating_scale)
    _check_unique(folder / LINKS.file_name, links, ["movieId"])
    _check_ids(folder / LINKS.file_name, links, ["imdbId", "tmdbId"])
    known = movies["movieId"]
    links = links[links["movieId"].isin(known)].reset_index(drop=True)
    if tags is not None:
        tags["tag"] = tags["tag"].fillna("")
        tags = tags[tags["movieId"].isin(known)].reset_index(drop=True)
    if genome is not None:
        genome = _checked_genome(folder / GENOME_SCORES.file_name, genome)
        genome = genome[genome["movieId"].isin(known)].reset_index(drop=True)
    movies["genres"] = movies["genres"].fillna("")
    return MovieLens(name, folder, movies, ratings, links, tags, rating_scale, genome)


def _no_ratings() -> pd.DataFrame:
    types = {"userId": np.int64, "movieId": np.int64, "rating": np.float64, "timestamp": np.int64}
    return pd.DataFrame({name: np.empty(0, dtype) for name, dtype in types.items()})


def _checked_genome(path: Path, genome: pd.DataFrame) -> pd.DataFrame:
    """genome-scores.csv: one relevance per (movieId, tagId), each from 0 to 1."""
    _check_unique(path, genome, ["movieId", "tagId"])
    outside = ~genome["relevance"].between(0.0, 1.0)
    if outside.any():
        row = int(np.flatnonzero(outside.to_numpy())[0])
        value = genome["relevance"].iloc[row]
        raise _fail_at_row(path, row, f"relevance {value} is not between 0 and 1", "relevance")
    return genome


def read_table(folder: Path, spec: TableSpec) -> pd.DataFrame:
    """Read one CSV with typed columns; on any failure, raise a DataError for the first bad line."""
    path = folder / spec.file_name
    if not path.is_file():
        raise DataError(path, "file is missing")
    if path.stat().st_size == 0:
        raise DataError(path, "file is empty")
    header = _read_header(path)
    missing = [c for c in spec.columns if c not in header]
    if missing:
        raise DataError(
            path,
            f"missing column(s) {', '.join(missing)}; the header has {', '.join(header)}",
            line=1,
        )
    try:
        # No usecols: with it, pandas silently accepts rows with too many fields.
        frame = pd.read_csv(
            path,
            dtype={c: _PANDAS_DTYPES[k] for c, k in spec.columns.items()},
            encoding="utf-8-sig",
            keep_default_na=False,
            na_values={c: [""] for c, k in spec.columns.items() if k in ("int?", "str")},
        )
    except UnicodeDecodeError as exc:
        raise _utf8_error(path) from exc
    except (ValueError, OverflowError, pd.errors.ParserError) as exc:
        raise _first_bad_line(path, spec) or DataError(path, f"cannot be read: {exc}") from exc
    if frame.empty and not spec.may_be_empty:
        raise DataError(path, "has a header but no rows")
    return frame[list(spec.columns)]


def _read_header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), [])
    except UnicodeDecodeError as exc:
        raise _utf8_error(path) from exc


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line number, fields) for each record after the header.

    Blank lines are skipped, as pandas skips them, so record i here is data row i there.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        previous_end = reader.line_num
        for fields in reader:
            if fields:
                yield previous_end + 1, fields
            previous_end = reader.line_num


def _first_bad_line(path: Path, spec: TableSpec) -> DataError | None:
    """Scan a CSV that failed the typed read and describe its first bad value."""
    header = _read_header(path)
    positions = {column: header.index(column) for column in spec.columns}
    for line, fields in _records(path):
        if len(fields) != len(header):
            return DataError(
                path, f"has {len(fields)} fields where the header has {len(header)}", line=line
            )
        for column, kind in spec.columns.items():
            problem = _parse_problem(fields[positions[column]], kind)
            if problem:
                return DataError(path, problem, line=line, column=column)
    return None


def _parse_problem(value: str, kind: ColumnKind) -> str | None:
    """Why ``value`` is not a valid ``kind``, or None when it is."""
    if kind == "str":
        return None
    if value == "":
        return None if kind == "int?" else "value is empty"
    if kind.startswith("int"):
        if not _INTEGER.fullmatch(value):
            return f"{value!r} is not an integer"
        if not _INT64_MIN <= int(value) <= _INT64_MAX:
            return f"{value} is too large for a 64-bit integer"
        return None
    if not _NUMBER.fullmatch(value.strip()):
        return f"{value!r} is not a number"
    if not math.isfinite(float(value)):
        return f"{value!r} is not a finite number"
    return None


def _utf8_error(path: Path) -> DataError:
    with path.open("rb") as handle:
        for line_number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return DataError(
                    path,
                    f"bytes that are not UTF-8 (byte {exc.start + 1} of the line: "
                    f"{raw[exc.start : exc.end]!r})",
                    line=line_number,
                )
    return DataError(path, "is not valid UTF-8")


def line_of_row(path: Path, row: int) -> int:
    """The first line number of data row ``row`` (0-based), counting multi-line quoted fields."""
    for index, (line, _) in enumerate(_records(path)):
        if index == row:
            return line
    raise IndexError(row)


def _fail_at_row(path: Path, row: int, problem: str, column: str | None = None) -> DataError:
    return DataError(path, problem, line=line_of_row(path, row), column=column)


def _check_unique(path: Path, frame: pd.DataFrame, keys: list[str]) -> None:
    duplicated = frame.duplicated(subset=keys, keep="first").to_numpy()
    if duplicated.any():
        row = int(duplicated.argmax())
        values = ", ".join(f"{k}={frame[k].iloc[row]}" for k in keys)
        raise _fail_at_row(path, row, f"duplicate {values}: it appears on an earlier line too")


def _check_ids(path: Path, frame: pd.DataFrame, columns: list[str]) -> None:
    """Ids are whole numbers from 1 to 2^31 - 1: they fit the artifacts' int32 columns, and the
    page takes the same range (MovieLens ids start at 1). Missing values are left to the
    column's own rule."""
    for column in columns:
        values = frame[column]
        outside = (values.notna() & ~values.between(1, _ID_MAX)).to_numpy()
        if outside.any():
            row = int(outside.argmax())
            raise _fail_at_row(
                path,
                row,
                f"{values.iloc[row]} is not an id between 1 and {_ID_MAX}",
                column=column,
            )


def _has_visible_text(text: str) -> bool:
    """Whether a title shows anything: not only spaces and invisible format characters
    (zero-width spaces and joiners, direction marks, a BOM)."""
    return any(not c.isspace() and unicodedata.category(c) not in ("Cf", "Cc") for c in text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
"""Control characters (C0, DEL, C1): an ESC in a title would recolour a terminal, and none
belongs in an HTML page."""


def check_movies(path: Path, movies: pd.DataFrame) -> None:
    """Ids, uniqueness and a visible title each; control characters in titles become spaces."""
    _check_ids(path, movies, ["movieId"])
    _check_unique(path, movies, ["movieId"])
    blank = (~movies["title"].fillna("").map(_has_visible_text)).to_numpy()
    if blank.any():
        raise _fail_at_row(path, int(blank.argmax()), "title is empty", column="title")
    movies["title"] = movies["title"].str.replace(_CONTROL, " ", regex=True).str.strip()


def check_ratings(
    path: Path, ratings: pd.DataFrame, movies: pd.DataFrame, scale: tuple[float, float]
) -> None:
    _check_ids(path, ratings, ["userId", "movieId"])
    low, high = scale
    outside = (~ratings["rating"].between(low, high)).to_numpy()
    if outside.any():
        row = int(outside.argmax())
        value = ratings["rating"].iloc[row]
        raise _fail_at_row(
            path, row, f"rating {value} is outside the scale {low}-{high}", column="rating"
        )
    _check_unique(path, ratings, ["userId", "movieId"])
    unknown = (~ratings["movieId"].isin(movies["movieId"])).to_numpy()
    if unknown.any():
        row = int(unknown.argmax())
        raise _fail_at_row(
            path,
            row,
            f"movieId {ratings['movieId'].iloc[row]} is not in {MOVIES.file_name}",
            column="movieId",
        )
