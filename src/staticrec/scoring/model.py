"""The trained models as arrays over one catalogue: what every score is computed from.

Every array is indexed by *position*: the place of a movie in ``item_ids`` (sorted movieIds) or
of a user in ``user_ids``. ``columns`` builds a Model from the artifact tables' columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Model:
    """Catalogue, SVD factors, known users' ratings and the content index, as arrays."""

    item_ids: np.ndarray
    """int64 movieIds, ascending: position i is movie item_ids[i]."""
    titles: tuple[str, ...]
    """Title of each item."""
    years: np.ndarray
    """int64 year of each item; 0 when unknown."""
    genres: Genres
    """Each item's genres, and each genre's items."""
    imdb_ids: np.ndarray
    """int64 IMDb id of each item (tt0114709 is 114709); 0 when unknown."""
    n_ratings: np.ndarray
    """int64 rating count of each item."""
    mean_rating: np.ndarray
    """float64 mean rating of each item; NaN when unrated."""
    global_mean: float
    """Mean of all training ratings."""
    rating_scale: tuple[float, float]
    """Lowest and highest rating; predictions are clipped to it."""
    has_factors: np.ndarray
    """bool per item: whether SVD learned it (it had ratings)."""
    without_factors: np.ndarray
    """Positions of the items SVD did not learn."""
    item_bias: np.ndarray
    """float64 bi per item (0 without factors)."""
    item_factors: np.ndarray
    """float64 items x k (zero rows without factors)."""
    factors_loaded: bool
    """Whether the item_factors table was read: the browser may start without it, since an
    answer without ratings reads no factors (``scoring.api`` refuses one that does)."""
    user_ids: np.ndarray
    """int64 userIds, ascending."""
    user_bias: np.ndarray
    """float64 bu per user."""
    user_factors: np.ndarray
    """float64 users x k."""
    rated_indptr: np.ndarray
    """CSR offsets over users into rated_items / rated_values."""
    rated_items: np.ndarray
    """Item positions each known user rated."""
    rated_values: np.ndarray
    """Their ratings."""
    rated_from_end: np.ndarray
    """How many of the user's ratings came later (0: their latest)."""
    neighbor_indptr: np.ndarray
    """CSR offsets over items into neighbor_items / neighbor_sims."""
    neighbor_items: np.ndarray
    """Item positions of each item's content neighbours, best first."""
    neighbor_sims: np.ndarray
    """Their cosine similarities."""
    collab_indptr: np.ndarray
    """CSR offsets over items into collab_items / collab_weights."""
    collab_items: np.ndarray
    """Item positions of each item's top EASE weights (its collaborative neighbours)."""
    collab_weights: np.ndarray
    """Their EASE weights, best first."""
    collab_rows: np.ndarray
    """Per entry of collab_items, the position of the movie whose row holds it."""
    collab_entries: np.ndarray
    """Per entry, its target and weight in one 8-byte word (``collab_index.packed_entries``):
    a rated row's entries are gathered once, not once per array."""
    collab_target_indptr: np.ndarray
    """CSR offsets over items into the index read by the movie reached (``collab_by_target``):
    per movie, how many rows reach it."""
    collab_by_target: ByTarget
    """The index read by the movie reached, sorted when first asked for."""
    item_index: IdIndex
    """movieId -> position."""
    user_index: IdIndex
    """userId -> position."""

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def positions(self, movie_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Positions of movieIds; -1 for ids not in the catalogue."""
        return self.item_index(movie_ids)

    def user_position(self, user_id: int) -> int:
        """Position of a userId; -1 when unknown."""
        return int(self.user_index([user_id])[0])

    def rated_by(self, user: int) -> tuple[np.ndarray, np.ndarray]:
        """Item positions and ratings of the user at position ``user``."""
        start, stop = self.rated_indptr[user], self.rated_indptr[user + 1]
        return self.rated_items[start:stop], self.rated_values[start:stop]

    def recency_of(self, user: int) -> np.ndarray:
        """Per rating of ``rated_by(user)``: how many of the user's ratings came later."""
        start, stop = self.rated_indptr[user], self.rated_indptr[user + 1]
        return self.rated_from_end[start:stop]

    def neighbors_of(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        """Content neighbours (positions) and similarities of the item at position ``item``."""
        start, stop = self.neighbor_indptr[item], self.neighbor_indptr[item + 1]
        return self.neighbor_items[start:stop], self.neighbor_sims[start:stop]

    def collab_neighbors_of(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        """Collaborative neighbours (positions) and EASE weights of the item at ``item``."""
        start, stop = self.collab_indptr[item], self.collab_indptr[item + 1]
        return self.collab_items[start:stop], self.collab_weights[start:stop]


NO_GENRES = "(no genres listed)"
"""What movies.csv says of a movie without a genre: not a genre."""


class Genres:
    """Each movie's genres, from the items table's ``|``-joined column (aligned to positions).

    A movie's genres are split when shown. The first filter by genre makes one pass over the
    catalogue, coding each distinct combination once (an answer that never filters never pays
    for it); then each genre's mask is one gather over the combinations, kept once made.
    """

    def __init__(self, column: np.ndarray) -> None:
        self.column = column
        """The items table's genres cell of each movie, as it is."""
        self._codes: np.ndarray | None = None
        self._combinations: list[tuple[str, ...]] = []
        self._masks: dict[str, np.ndarray] = {}

    def _coded(self) -> np.ndarray:
        if self._codes is None:
            seen: dict[str, int] = {}
            self._codes = np.fromiter(
                (seen.setdefault(str(g), len(seen)) for g in self.column.tolist()),
                dtype=np.intp,
                count=len(self.column),
            )
            self._combinations = [
                tuple(g for g in text.split("|") if g and g != NO_GENRES) for text in seen
            ]
        return self._codes

    def of(self, position: int) -> list[str]:
        """The genres of the movie at ``position``, in the items table's order."""
        return [g for g in str(self.column[position]).split("|") if g and g != NO_GENRES]

    def names(self) -> list[str]:
        """Every genre some movie has, sorted."""
        self._coded()
        return sorted({g for combination in self._combinations for g in combination})

    def mask(self, genre: str) -> np.ndarray:
        """bool per movie: whether it has ``genre`` (exactly as the items table spells it)."""
        if genre not in self._masks:
            codes = self._coded()
            has = np.array([genre in c for c in self._combinations], dtype=bool)
            self._masks[genre] = has[codes] if len(codes) else np.zeros(0, dtype=bool)
        return self._masks[genre]


class ByTarget:
    """The item index read by the movie reached, in ``collab_target_indptr``'s runs: per entry,
    the position of the movie whose row holds it, and its weight (within a target, in the
    index's order). Sorted on first call, then kept: a heavy rater's answer needs it, a
    visitor's does not, and a model that swaps its users (``with_users``) shares it."""

    def __init__(self, targets: np.ndarray, rows: np.ndarray, weights: np.ndarray) -> None:
        self._parts = (targets, rows, weights)
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None

    def __call__(self) -> tuple[np.ndarray, np.ndarray]:
        if self._sorted is None:
            targets, rows, weights = self._parts
            order = np.argsort(targets, kind="stable")
            self._sorted = (rows[order], weights[order])
        return self._sorted


class IdIndex:
    """Positions of ids in one ascending id array; -1 for ids that are not in it.

    MovieLens ids are dense enough for a direct table (ml-32m: under 300,000 movieIds), which
    makes a lookup one gather instead of a binary search per id: several times faster, and this
    runs at start-up in the browser. Sparse id spaces fall back to binary search.
    """

    def __init__(self, sorted_ids: np.ndarray) -> None:
        self.ids = sorted_ids
        self._table: np.ndarray | None = None
        if len(sorted_ids) and sorted_ids[0] >= 0:
            high = int(sorted_ids[-1])
            if high <= max(16 * len(sorted_ids), 1 << 20):
                self._table = np.full(high + 1, -1, dtype=np.int64)
                self._table[sorted_ids] = np.arange(len(sorted_ids))

    def __call__(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        ids = _as_int64(ids)
        if len(self.ids) == 0 or len(ids) == 0:
            return np.full(len(ids), -1, dtype=np.int64)
        if self._table is not None:
            if ids.min() >= 0 and ids.max() < len(self._table):
                return self._table[ids]
            inside = (ids >= 0) & (ids < len(self._table))
            return np.where(inside, self._table[np.where(inside, ids, 0)], -1)
        where = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        return np.where(self.ids[where] == ids, where, -1).astype(np.int64)


_NO_ID = np.iinfo(np.int64).min  # stands in for ids too large for int64: it matches nothing


def _as_int64(ids: Sequence[int] | np.ndarray) -> np.ndarray:
    """Ids as int64; an id beyond int64 (from a request, say) becomes one that matches nothing."""
    try:
        return np.asarray(ids, dtype=np.int64).reshape(-1)
    except OverflowError:
        fits = [int(i) if abs(int(i)) < 2**63 - 1 else _NO_ID for i in ids]
        return np.asarray(fits, dtype=np.int64)
