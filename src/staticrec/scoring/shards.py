"""The neighbour tables as the browser holds them: the shards fetched so far, and the others.

The build writes content_neighbors and collab_neighbors sharded by movie in popularity order
(``schema.ShardOrder``): the manifest gives each shard's first and last place in that order. A
request reads the rows of a few movies (the rated ones' EASE rows, the favourites' content
rows); ``MovieShards.missing`` names the shards holding them that are not here yet, the worker
fetches those, and ``MovieShards.add`` keeps them. CPython reads every shard at once and needs
none of this.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from staticrec.scoring import schema
from staticrec.scoring.columns import Columns
from staticrec.scoring.errors import ArtifactError


@dataclass(frozen=True)
class ShardRanges:
    """One movie-sharded table's shards: the first and last popularity place of each."""

    firsts: np.ndarray
    lasts: np.ndarray

    def holding(self, places: np.ndarray) -> np.ndarray:
        """The shard numbers holding the movies at ``places``, each once; a place in no shard
        (a movie with no rows in this table) needs none."""
        places = np.asarray(places, dtype=np.int64)
        number = np.searchsorted(self.lasts, places)  # the first shard ending at or after it
        inside = number < len(self.lasts)
        number, places = number[inside], places[inside]
        return np.unique(number[self.firsts[number] <= places])


@dataclass(frozen=True)
class MovieShards:
    """The movie-sharded tables' ranges (from the manifest) and the shards loaded so far."""

    ranges: Mapping[str, ShardRanges]
    loaded: Mapping[str, Mapping[int, Mapping[str, Any]]] = field(default_factory=dict)
    """Table name -> shard number -> that shard's columns."""
    pending: Mapping[str, np.ndarray] = field(default_factory=dict)
    """Table name -> bool per popularity place, up to the last shard's: whether it lies in a
    shard not loaded yet. Every answer asks; one gather answers it, once the shards it reads
    are here."""

    @classmethod
    def from_manifest(cls, meta: Mapping[str, Any]) -> MovieShards:
        ranges = {}
        for table in schema.MOVIE_TABLES:
            shards = meta.get("tables", {}).get(table.name, {}).get("shards")
            if shards is None:
                raise ArtifactError(f"the manifest does not list the shards of {table.name}")
            firsts = np.array([int(s["first"]) for s in shards], dtype=np.int64)
            lasts = np.array([int(s["last"]) for s in shards], dtype=np.int64)
            ranges[table.name] = ShardRanges(firsts, lasts)
        return cls(ranges, {}, {name: _pending(r, {}) for name, r in ranges.items()})

    def missing(self, places: Mapping[str, np.ndarray]) -> dict[str, list[int]]:
        """Per table, the shards holding the movies at ``places`` (popularity places, by table
        name) that are not loaded yet; tables with none missing are left out."""
        wanted = {}
        for name, at in places.items():
            pending = self.pending[name]
            at = np.asarray(at, dtype=np.int64)
            at = at[at < len(pending)]
            at = at[pending[at]]  # places in no shard, or in one loaded, need nothing
            if len(at):
                wanted[name] = self.ranges[name].holding(at).tolist()
        return wanted

    def add(self, shards: Mapping[str, Mapping[Any, Mapping[str, Any]]]) -> MovieShards:
        """These shards loaded too (table name -> shard number -> columns)."""
        loaded = {name: dict(numbers) for name, numbers in self.loaded.items()}
        for name, numbers in shards.items():
            if name not in self.ranges:
                raise ArtifactError(f"{name} is not a table sharded by movie")
            for number, columns in numbers.items():
                if not 0 <= int(number) < len(self.ranges[name].firsts):
                    raise ArtifactError(f"{name} has no shard {number}")
                loaded.setdefault(name, {})[int(number)] = columns
        pending = {name: _pending(self.ranges[name], numbers) for name, numbers in loaded.items()}
        return MovieShards(self.ranges, loaded, {**self.pending, **pending})

    def columns(self) -> Columns:
        """Each table's loaded shards as one set of columns, in shard order."""
        out: dict[str, dict[str, np.ndarray]] = {}
        for name, numbers in self.loaded.items():
            parts = [numbers[n] for n in sorted(numbers)]
            names = parts[0].keys()
            out[name] = {c: np.concatenate([np.asarray(p[c]) for p in parts]) for c in names}
        return out


def _pending(ranges: ShardRanges, loaded: Mapping[int, Any]) -> np.ndarray:
    """bool per popularity place (to the last shard's): inside a shard not in ``loaded``."""
    pending = np.zeros(int(ranges.lasts.max()) + 1 if len(ranges.lasts) else 0, dtype=bool)
    for number, (first, last) in enumerate(
        zip(ranges.firsts.tolist(), ranges.lasts.tolist(), strict=True)
    ):
        pending[first : last + 1] = number not in loaded
    return pending
