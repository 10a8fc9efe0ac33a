"""Sharding the tables the browser fetches in parts: users in ranges of consecutive ids, movies
in runs of the popularity order (``staticrec.scoring.schema`` says which table is which).

``export`` cuts the tables it holds; a table made elsewhere (the user ratings Spark writes under
``--engine spark``) comes as a ``ShardSource``, cut by the same ranges.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from staticrec.scoring import schema
from staticrec.scoring.content import popularity_order


@dataclass(frozen=True)
class ShardSource:
    """A table sharded by user whose shards were made elsewhere, as Parquet bytes: shard n
    holds the users from ``firsts[n]`` up to the next first (the last up to ``last``)."""

    firsts: list[int]
    """The first userId of each shard (``ranges_of_counts``)."""
    last: int
    """The largest userId."""
    parts: Callable[[], Iterator[tuple[int, bytes]]]
    """Each shard's number and file, in any order."""


def user_ranges(user_ratings: pa.Table, rows_per_shard: int = schema.USER_SHARD_ROWS) -> list[int]:
    """The first userId of each user shard: consecutive users, a shard closing once it holds
    ``rows_per_shard`` ratings (a user is never split). Shard n holds the users from its first
    id up to the next shard's first id."""
    users, counts = np.unique(user_ratings.column("userId").to_numpy(), return_counts=True)
    return ranges_of_counts(users, counts, rows_per_shard)


def ranges_of_counts(
    users: np.ndarray, counts: np.ndarray, rows_per_shard: int = schema.USER_SHARD_ROWS
) -> list[int]:
    """``user_ranges`` from each user's number of ratings (``users`` ascending): what a build
    that never holds the ratings knows of them."""
    if len(users) == 0:
        return []
    starts = np.cumsum(counts) - counts
    first_of_shard = np.concatenate([[True], np.diff(starts // rows_per_shard) > 0])
    return users[first_of_shard].astype(int).tolist()


def shards_by_key(table: pa.Table, key: str, firsts: list[int]):
    """(first, last, rows) of each shard: the table's rows from one first key to the next."""
    keys = table.column(key).to_numpy()
    bounds = [0, *np.searchsorted(keys, firsts[1:]).tolist(), len(keys)]
    for number, first in enumerate(firsts):
        rows = table.slice(bounds[number], bounds[number + 1] - bounds[number])
        last = firsts[number + 1] - 1 if number + 1 < len(firsts) else int(keys.max(initial=first))
        yield first, last, rows


def popularity_places(items: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """The items' movieIds, ascending, and each one's place in the popularity order (0: the
    most rated), as the scoring core computes it from the same columns in the browser."""
    ids = items.column("movieId").to_numpy().astype(np.int64)
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    n_ratings = items.column("n_ratings").to_numpy()[order]
    places = np.empty(len(ids), dtype=np.int64)
    places[popularity_order(n_ratings, ids)] = np.arange(len(ids))
    return ids, places


def movie_shards(table: pa.Table, items: pa.Table, rows_per_shard: int = schema.MOVIE_SHARD_ROWS):
    """(first, last, rows) of each shard of a table sharded by movie in popularity order:
    whole movies, most rated first, about ``rows_per_shard`` rows to a shard (a movie whose
    rows start past a multiple of it opens the next one). First and last are places in that
    order, of movies with rows (a movie between two shards has none). Within a shard, rows
    keep the table's own order (by movieId, then rank)."""
    ids, places = popularity_places(items)
    row_places = places[np.searchsorted(ids, table.column("movieId").to_numpy())]
    counts = np.bincount(row_places, minlength=len(ids))
    with_rows = np.flatnonzero(counts)  # places, in order
    before = np.cumsum(counts[with_rows]) - counts[with_rows]
    shard_of_place = np.full(len(ids), -1)
    shard_of_place[with_rows] = before // rows_per_shard
    row_shards = shard_of_place[row_places]
    # rows grouped by shard once (stable: each keeps the table's order), then sliced
    grouped = table.take(pa.array(np.argsort(row_shards, kind="stable")))
    numbers, starts, sizes = np.unique(np.sort(row_shards), return_index=True, return_counts=True)
    for number, start, size in zip(numbers.tolist(), starts.tolist(), sizes.tolist(), strict=True):
        in_shard = with_rows[shard_of_place[with_rows] == number]
        yield int(in_shard[0]), int(in_shard[-1]), grouped.slice(start, size)
