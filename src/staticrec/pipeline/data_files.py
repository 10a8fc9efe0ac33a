"""Stage 1 for your own data: a ratings file (and an items file) with columns you name, read into
the same tables as a MovieLens release, so every later stage works unchanged.

Errors name your file, line and column, as for MovieLens. Ids must be whole numbers from 1 to
2^31-1 (the artifacts store them as int32, the site uses them in its addresses).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from staticrec.errors import ConfigError, DataError
from staticrec.pipeline.data import (
    LINKS,
    MOVIES,
    RATINGS,
    MovieLens,
    TableSpec,
    check_movies,
    check_ratings,
    line_of_row,
    read_table,
)


@dataclass(frozen=True)
class RatingsFiles:
    """Where your ratings (and items) are, and what their columns are called."""

    ratings: Path
    """A CSV with one rating per line: user, item, rating (and optionally a timestamp)."""
    items: Path | None = None
    """A CSV with one item per line: id, title (and optionally categories). Without it, items
    are named by their id and the content model has nothing to compare."""
    user_column: str = "userId"
    item_column: str = "movieId"
    rating_column: str = "rating"
    timestamp_column: str | None = "timestamp"
    """Seconds (any increasing number) of each rating; None: the file's order is the time."""
    title_column: str = "title"
    categories_column: str | None = "genres"
    """Categories that describe an item (the content model's words); None: none."""
    categories_separator: str = "|"
    link_column: str | None = None
    """Each item's page elsewhere, a whole http(s) address (empty: none): linked from its
    page, for items whose ids are not the other site's (else ``--link-template``)."""
    name: str | None = None
    """The dataset's name on the site; default: the ratings file's name without extension."""

    def __post_init__(self) -> None:
        if not self.categories_separator:
            raise ConfigError("must not be empty", field="categories_separator")
        ratings = ["user_column", "item_column", "rating_column", "timestamp_column"]
        items = ["item_column", "title_column", "categories_column", "link_column"]
        for fields in (ratings, items):
            named = [(name, getattr(self, name)) for name in fields if getattr(self, name)]
            for i, (name, column) in enumerate(named):
                for other, other_column in named[:i]:
                    if column == other_column:
                        option = "--" + other.replace("_", "-")
                        raise ConfigError(
                            f"names the column {column!r} that {option} names: each column once",
                            field=name,
                        )

    @property
    def dataset_name(self) -> str:
        return self.name or Path(self.ratings).stem


def load_ratings_files(
    files: RatingsFiles, *, rating_scale: tuple[float, float] = (0.5, 5.0)
) -> MovieLens:
    """Read and validate your files into MovieLens-shaped tables (movieId stands for any item).

    Raises:
        DataError: naming your file, line and column, and the problem.
    """
    ratings_path = Path(files.ratings)
    columns = {files.user_column: "int", files.item_column: "int", files.rating_column: "float"}
    if files.timestamp_column:
        columns[files.timestamp_column] = "int"
    ratings = _read(ratings_path, columns)
    canonical = {
        files.user_column: "userId",
        files.item_column: "movieId",
        files.rating_column: "rating",
    }
    if files.timestamp_column:
        canonical[files.timestamp_column] = "timestamp"
    ratings = ratings.rename(columns=canonical)
    if not files.timestamp_column:
        ratings["timestamp"] = np.arange(len(ratings), dtype=np.int64)  # file order is time
    ratings = ratings[list(RATINGS.columns)]

    item_links = None
    if files.link_column and files.items is None:
        raise ConfigError("needs an items file (--items)", field="link_column")
    if files.items is None:
        ids = np.unique(ratings["movieId"].to_numpy())
        movies = pd.DataFrame({"movieId": ids, "title": [f"#{i}" for i in ids], "genres": ""})
        movies["title"] = movies["title"].astype("string")
        items_path = ratings_path
    else:
        items_path = Path(files.items)
        item_columns = {files.item_column: "int", files.title_column: "str"}
        if files.categories_column:
            item_columns[files.categories_column] = "str"
        if files.link_column:
            item_columns[files.link_column] = "str"
        movies = _read(items_path, item_columns)
        if files.link_column:
            item_links = _item_links(items_path, movies, files.item_column, files.link_column)
        movies = movies.rename(
            columns={
                files.item_column: "movieId",
                files.title_column: "title",
                **({files.categories_column: "genres"} if files.categories_column else {}),
            }
        )
        if files.categories_column:
            genres = movies["genres"].fillna("").astype(str)
            movies["genres"] = genres.str.replace(files.categories_separator, "|", regex=False)
        else:
            movies["genres"] = ""
        movies = movies[list(MOVIES.columns)]

    names = {
        "movieId": files.item_column,
        "userId": files.user_column,
        "rating": files.rating_column,
        "title": files.title_column,
        MOVIES.file_name: items_path.name,
    }
    with _in_your_words(names):
        check_movies(items_path, movies)
        check_ratings(ratings_path, ratings, movies, rating_scale)
    movies["genres"] = movies["genres"].fillna("")
    links = pd.DataFrame(
        {
            "movieId": pd.Series(dtype="int64"),
            "imdbId": pd.Series(dtype="int64"),
            "tmdbId": pd.Series(dtype="Int64"),
        }
    )[list(LINKS.columns)]
    return MovieLens(
        files.dataset_name,
        ratings_path.parent,
        movies,
        ratings,
        links,
        None,
        rating_scale,
        item_links=item_links,
    )


def _item_links(path: Path, items: pd.DataFrame, item_column: str, column: str) -> pd.DataFrame:
    """(movieId, url) of the items with a link; an address that is not http(s) is named by
    its line."""
    urls = items[column].fillna("").astype(str).str.strip()
    for row, url in enumerate(urls.tolist()):
        parts = urllib.parse.urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise DataError(
                path,
                f"{url!r} is not an http(s) address",
                line=line_of_row(path, row),
                column=column,
            )
    given = urls.to_numpy() != ""
    return pd.DataFrame({"movieId": items[item_column].to_numpy()[given], "url": urls[given]})


def _read(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    if len(set(columns)) < len(columns):
        raise ConfigError(f"{path}: two options name the same column")
    return read_table(path.parent, TableSpec(path.name, columns))


@contextmanager
def _in_your_words(names: dict[str, str]) -> Iterator[None]:
    """Errors of the shared checks, with MovieLens's column and file names put back as yours."""
    try:
        yield
    except DataError as exc:
        problem = exc.problem
        for ours, yours in names.items():
            problem = re.sub(rf"\b{re.escape(ours)}\b", yours, problem)
        column = names.get(exc.column, exc.column) if exc.column else None
        raise DataError(exc.path, problem, line=exc.line, column=column) from None
