"""Top-k neighbour lists: the shape both item indexes take, and the exact top-k that fills them.

The content index (``content.py``: TF-IDF cosine) and the collaborative item index
(``collab_index.py``: EASE weights) each keep, per movie, its k best-scoring other movies, best
first, as CSR parts. ``top_k_rows`` computes them one chunk of rows at a time from any score
function, so the dense n x n matrix of scores is never needed at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from tqdm import tqdm

MAX_TOP_K = 32767  # ranks are stored as int16

# Bytes of working memory per score while ranking a chunk: the float32 scores, the int64 sort
# key and argpartition's int64 indices.
_BYTES_PER_ENTRY = 4 + 8 + 8


@dataclass(frozen=True)
class NeighborIndex:
    """Each movie's top-k neighbours, as CSR parts over row positions.

    Row ``i`` is the movie ``item_ids[i]``; its neighbours are ``neighbors[indptr[i]:indptr[i+1]]``
    (positions in ``item_ids``), best first, with ``weights`` alongside. The index carries its
    own ids (as LensKit's item kNN keeps ``items`` beside its matrix), so nobody has to recompute
    which catalogue it was built over.
    """

    item_ids: np.ndarray
    """int64 movieIds, ascending: the movie of each row."""
    indptr: np.ndarray
    """int64, n + 1 offsets."""
    neighbors: np.ndarray
    """int32 row positions of the neighbours."""
    weights: np.ndarray
    """float32 scores (cosine similarity, EASE weight), > 0, non-increasing within a row."""

    @classmethod
    def empty(cls, item_ids: np.ndarray) -> NeighborIndex:
        """An index with no neighbours (for studies that never ask for such a list)."""
        return cls(
            np.asarray(item_ids, dtype=np.int64),
            np.zeros(len(item_ids) + 1, np.int64),
            np.empty(0, np.int32),
            np.empty(0, np.float32),
        )

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Neighbour positions and weights of row ``i``."""
        start, stop = self.indptr[i], self.indptr[i + 1]
        return self.neighbors[start:stop], self.weights[start:stop]

    def over(self, catalogue_ids: np.ndarray) -> NeighborIndex:
        """The same lists over a larger catalogue (ascending ids holding all of ``item_ids``):
        positions are remapped, and movies outside ``item_ids`` get empty rows."""
        catalogue_ids = np.asarray(catalogue_ids, dtype=np.int64)
        place = np.searchsorted(catalogue_ids, self.item_ids)
        counts = np.zeros(len(catalogue_ids), dtype=np.int64)
        counts[place] = np.diff(self.indptr)
        return NeighborIndex(
            item_ids=catalogue_ids,
            indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            neighbors=place[self.neighbors].astype(np.int32),
            weights=self.weights,
        )


TIE_STEPS = 4095
"""A tie-break score in [0, 1] is compared in this many steps (12 bits of the ranking key)."""

_TIE_COLUMN_BITS = 20
"""With a tie-break score, the column takes the key's lowest 20 bits: up to 2^20 movies."""


def top_k_rows(
    scores: Callable[[int, int], np.ndarray],
    n: int,
    tie_order: np.ndarray,
    k: int,
    chunk_bytes: int = 32 << 20,
    *,
    item_ids: np.ndarray | None = None,
    progress: str | None = None,
    tie_scores: Callable[[int, int], np.ndarray] | None = None,
    rows: int | None = None,
) -> NeighborIndex:
    """Exact top-k positive scores of every row, excluding the row's own column.

    Equal scores (compared as float32, the stored precision) are ordered by ``tie_scores``
    when given (higher first, in ``TIE_STEPS`` steps), then by ``tie_order``: the position of a
    movie in that permutation is its tie rank, lower first.

    Args:
        scores: ``scores(start, stop)`` gives rows ``start:stop`` of the n x n score matrix as a
            dense array, its columns in ``tie_order``.
        n: number of rows and columns.
        tie_order: a permutation of range(n); earlier wins a tie.
        k: neighbours kept per row (only positive scores are kept).
        chunk_bytes: working memory allowed for one chunk of rows.
        item_ids: the id of each row (default: the row positions).
        progress: a label to show a progress bar by, counting the rows done (none by default).
        tie_scores: like ``scores``, a second score in [0, 1] that breaks ties in the first
            (the content index's tag similarity); ignored above 2^20 movies.
        rows: rank this many rows of scores against the n columns instead, no column excluded
            (rows that stand for several movies: see ``without_own``).
    """
    own_excluded = rows is None
    rows = n if rows is None else rows
    k = min(k, max(n - 1, 0) if own_excluded else n)
    if n >= 1 << _TIE_COLUMN_BITS:
        tie_scores = None
    per_entry = _BYTES_PER_ENTRY + (4 if tie_scores is not None else 0)
    chunk_rows = max(1, chunk_bytes // max(1, n * per_entry))
    counts = np.zeros(rows, dtype=np.int64)
    neighbor_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    position_of = np.empty(n, dtype=np.int64)
    position_of[tie_order] = np.arange(n)
    bar = tqdm(total=rows, desc=progress, unit="movie", disable=progress is None)
    for start in range(0, rows, chunk_rows):
        stop = min(start + chunk_rows, rows)
        chunk = np.asarray(scores(start, stop), dtype=np.float32)
        chunk[~(chunk > 0)] = 0.0  # only positive scores are kept; -0.0 and NaN become +0.0
        if own_excluded:
            chunk[np.arange(stop - start), position_of[start:stop]] = 0.0  # not its own neighbour
        ties = None if tie_scores is None else np.asarray(tie_scores(start, stop))
        chosen, chosen_weights = _rank_chunk(chunk, k, ties)
        keep = chosen_weights > 0
        counts[start:stop] = keep.sum(axis=1)
        neighbor_parts.append(tie_order[chosen[keep]].astype(np.int32))
        weight_parts.append(chosen_weights[keep])
        bar.update(stop - start)
    bar.close()
    return NeighborIndex(
        item_ids=np.arange(rows, dtype=np.int64) if item_ids is None else np.asarray(item_ids),
        indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        neighbors=np.concatenate(neighbor_parts) if neighbor_parts else np.empty(0, np.int32),
        weights=np.concatenate(weight_parts) if weight_parts else np.empty(0, np.float32),
    )


def _rank_chunk(
    scores: np.ndarray, k: int, ties: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k column positions per row by (score desc, tie score desc, column asc), and their
    scores."""
    if k == 0:
        empty = np.empty((scores.shape[0], 0))
        return empty.astype(np.int64), empty.astype(np.float32)
    n = scores.shape[1]
    # For non-negative float32, the int32 bit pattern orders like the value; packing it above the
    # reversed column position gives one exact integer key for "score desc, column asc" (with
    # a tie score, its 12 steps sit between the two, the column in the lowest 20 bits).
    # The key is negated in place so that argpartition's ascending order puts the best first.
    keys = scores.view(np.int32).astype(np.int64)
    keys <<= 32
    if ties is not None:
        steps = np.rint(np.clip(np.nan_to_num(ties), 0.0, 1.0) * TIE_STEPS).astype(np.int64)
        keys |= steps << _TIE_COLUMN_BITS
    keys |= n - 1 - np.arange(n, dtype=np.int64)
    np.negative(keys, out=keys)
    top = np.argpartition(keys, k - 1, axis=1)[:, :k]
    top_keys = np.take_along_axis(keys, top, axis=1)
    order = np.argsort(top_keys, axis=1)
    chosen = np.take_along_axis(top, order, axis=1)
    return chosen, np.take_along_axis(scores, chosen, axis=1)


def identical_rows(matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each distinct row of ``matrix`` (same columns, same values), and for
    every row the number of its distinct row: movies with one genre list score alike."""
    matrix = matrix.tocsr(copy=True)
    matrix.sort_indices()
    seen: dict[bytes, int] = {}
    group = np.empty(matrix.shape[0], dtype=np.int64)
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for row in range(matrix.shape[0]):
        start, stop = indptr[row], indptr[row + 1]
        key = indices[start:stop].tobytes() + data[start:stop].tobytes()
        group[row] = seen.setdefault(key, len(seen))
    first = np.full(len(seen), len(group), dtype=np.int64)
    np.minimum.at(first, group, np.arange(len(group)))
    return first, group


def without_own(
    shared: NeighborIndex, group: np.ndarray, k: int, item_ids: np.ndarray | None = None
) -> NeighborIndex:
    """Each row's top k from the list its group shares (ranked once, k + 1 long, over all
    columns): the list without the row's own movie, cut to k. Exact, since the group's rows
    score every other movie alike."""
    width = k + 1
    counts = np.diff(shared.indptr)
    owner = np.repeat(np.arange(len(counts)), counts)
    slot = np.arange(len(shared.neighbors)) - shared.indptr[owner]
    padded = np.full((len(counts), width), -1, dtype=np.int64)
    padded[owner, slot] = shared.neighbors
    padded_weights = np.zeros((len(counts), width), dtype=np.float32)
    padded_weights[owner, slot] = shared.weights
    lists, weights = padded[group], padded_weights[group]
    keep = (lists >= 0) & (lists != np.arange(len(group))[:, None])
    keep &= np.cumsum(keep, axis=1) <= k
    return NeighborIndex(
        item_ids=np.arange(len(group), dtype=np.int64) if item_ids is None else item_ids,
        indptr=np.concatenate([[0], np.cumsum(keep.sum(axis=1))]).astype(np.int64),
        neighbors=lists[keep].astype(np.int32),
        weights=weights[keep],
    )
