"""Stage 3: the collaborative item index, EASE weights pruned to each movie's top k.

EASE (Steck 2019, "Embarrassingly Shallow Autoencoders") learns one item x item weight matrix
B from who watched what: with X the binary users x movies matrix of training interactions,

    B = argmin |X - XB|^2 + l2 |B|^2  subject to diag(B) = 0,
    solved in closed form:  P = (X'X + l2 I)^-1,  B_ij = -P_ij / P_jj  (i != j).

A user's scores are x_u B: the sum of the rows of B of the movies they rated (the scoring core
weighs each row by the rating and how recent it is). Kept as the strongest weights of B, the same
sum serves known users and new visitors alike, in numpy, in the browser. This is the build half;
the query half is ``staticrec.scoring.collab_index``.

Training proceeds in 3 steps:
1. keep the movies with ratings, at most ``max_items`` of them, the most-rated first,
2. invert the regularised Gram matrix,
3. in two passes over chunks of rows of B: find the magnitude of the strongest
   ``weights_per_movie`` x n weights, then keep every weight at least that strong.

The inversion costs O(n^3) time and about 3 n^2 x 8 bytes of memory (n = 9,724 movies: 2.3 GB
and seconds; 15,000: 5.4 GB and minutes), hence the cap: a larger catalogue gets rows for its
most-rated ``max_items`` movies only, which hold nearly all interactions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from tqdm import tqdm

from staticrec.errors import ConfigError
from staticrec.pipeline.data import MovieLens
from staticrec.pipeline.neighbors import MAX_TOP_K, NeighborIndex
from staticrec.scoring.content import popularity_order


@dataclass(frozen=True)
class CollabIndexConfig:
    """How the collaborative item index is built."""

    l2: float = 200.0
    """EASE's L2 penalty: larger trusts co-occurrence counts less (chosen on validation)."""
    weights_per_movie: int = 50
    """Weights kept, on average per movie: the index keeps the strongest weights_per_movie x n
    of the whole matrix (by magnitude). The site's data grows linearly with it."""
    max_items: int = 15_000
    """Most movies EASE is solved over (the most-rated ones); bounds time and memory (and a
    movie's row, ranked in int16, stays within reach)."""
    chunk_bytes: int = 32 << 20
    """Working memory for ranking one chunk of rows."""

    def __post_init__(self) -> None:
        if not self.l2 > 0:
            raise ConfigError(f"must be positive, not {self.l2}", field="l2")
        if self.weights_per_movie < 1:
            problem = f"must be at least 1, not {self.weights_per_movie}"
            raise ConfigError(problem, field="weights_per_movie")
        if not 1 <= self.max_items <= MAX_TOP_K:
            problem = f"must be between 1 and {MAX_TOP_K}, not {self.max_items}"
            raise ConfigError(problem, field="max_items")


def interactions(ratings: pd.DataFrame, item_ids: np.ndarray) -> sp.csr_matrix:
    """Binary users x ``item_ids`` matrix: 1 where the user rated the movie (any rating)."""
    kept = ratings[ratings["movieId"].isin(item_ids)]
    users = pd.factorize(kept["userId"], sort=True)[0]
    columns = np.searchsorted(item_ids, kept["movieId"].to_numpy())
    n_users = int(users.max()) + 1 if len(users) else 0
    ones = np.ones(len(kept), dtype=np.float64)
    return sp.csr_matrix((ones, (users, columns)), shape=(n_users, len(item_ids)))


def gram_matrix(x: sp.csr_matrix) -> np.ndarray:
    """X'X, dense: how many users rated both of each two movies (``spark_engine`` computes the
    same where the ratings are)."""
    return (x.T @ x).toarray()


def ease_precision(x: sp.csr_matrix, l2: float) -> np.ndarray:
    """P = (X'X + l2 I)^-1: the one n x n matrix EASE needs."""
    return solve_precision(gram_matrix(x), l2)


def solve_precision(gram: np.ndarray, l2: float) -> np.ndarray:
    """(G + l2 I)^-1 of a Gram matrix G (overwritten)."""
    gram[np.diag_indices_from(gram)] += l2
    # numpy's LU inverse: measured 2-5x faster here than SciPy's Cholesky (potrf + potri),
    # whose bundled OpenBLAS is older; the matrix is symmetric positive definite either way.
    return np.linalg.inv(gram)


def ease_weights(x: sp.csr_matrix, l2: float) -> np.ndarray:
    """The dense EASE matrix B (zero diagonal): the oracle the pruned index is checked against."""
    p = ease_precision(x, l2)
    b = -p / np.diag(p)[None, :]
    b[np.diag_indices_from(b)] = 0.0
    return b


def strongest_ease_weights(
    p: np.ndarray,
    budget: int,
    tie_order: np.ndarray,
    chunk_bytes: int = 32 << 20,
    *,
    item_ids: np.ndarray | None = None,
    progress: bool = False,
) -> NeighborIndex:
    """The ``budget`` largest EASE weights by magnitude over the whole matrix, as rows, from
    EASE's precision matrix P (``solve_precision``; ``progress``: a bar over the two passes).

    Pruning globally, not per row, lets a movie with many strong ties keep more of them than
    an obscure one; negative weights (watched one, rarely the other) are kept too. Ties at the
    cut-off are all kept. Within a row, weights run from the largest down; equal weights are
    ordered by ``tie_order`` (a lower position first).
    """
    n = p.shape[0]
    scale = -1.0 / np.diag(p)
    rank_of = np.empty(n, dtype=np.int64)
    rank_of[tie_order] = np.arange(n)
    chunk_rows = max(1, chunk_bytes // max(1, n * 16))
    chunks = [(start, min(start + chunk_rows, n)) for start in range(0, n, chunk_rows)]

    def weights(start: int, stop: int) -> np.ndarray:
        chunk = (p[start:stop] * scale[None, :]).astype(np.float32)
        chunk[np.arange(stop - start), np.arange(start, stop)] = 0.0  # B has a zero diagonal
        return chunk

    bar = tqdm(total=2 * n, desc="item index", unit="movie", disable=not progress)
    # Pass 1: the magnitude of the budget-th strongest weight, keeping at most budget at a time.
    strongest = np.empty(0, dtype=np.float32)
    for start, stop in chunks:
        bar.update(stop - start)
        magnitudes = np.abs(weights(start, stop)).ravel()
        strongest = np.concatenate([strongest, magnitudes[magnitudes > 0]])
        if len(strongest) > budget:
            strongest = np.partition(strongest, len(strongest) - budget)[-budget:]
    threshold = strongest.min() if len(strongest) else np.float32(np.inf)

    # Pass 2: every weight at least that strong, row by row, largest first.
    counts = np.zeros(n, dtype=np.int64)
    neighbor_parts, weight_parts = [], []
    for start, stop in chunks:
        chunk = weights(start, stop)
        rows, columns = np.nonzero(np.abs(chunk) >= threshold)
        values = chunk[rows, columns]
        order = np.lexsort((rank_of[columns], -values, rows))
        neighbor_parts.append(columns[order].astype(np.int32))
        weight_parts.append(values[order])
        counts[start:stop] = np.bincount(rows, minlength=stop - start)
        bar.update(stop - start)
    bar.close()
    return NeighborIndex(
        item_ids=np.arange(n, dtype=np.int64) if item_ids is None else np.asarray(item_ids),
        indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        neighbors=np.concatenate(neighbor_parts) if neighbor_parts else np.empty(0, np.int32),
        weights=np.concatenate(weight_parts) if weight_parts else np.empty(0, np.float32),
    )


GramOf = Callable[[np.ndarray], np.ndarray]
"""The Gram matrix X'X of the binarised ratings over the given movieIds (ascending), dense."""


def build_collab_index(
    ml: MovieLens,
    config: CollabIndexConfig,
    progress: bool = False,
    gram_of: GramOf | None = None,
) -> NeighborIndex:
    """The pruned EASE index over ``ml``'s catalogue (rows only for the movies it was solved on;
    ``progress``: a bar over its passes). ``gram_of``: where the Gram matrix comes from (Spark,
    for ratings the build does not hold); None: ``ml.ratings``.

    Equal weights go to the movie with more ratings, then the smaller movieId.
    """
    catalogue = ml.movies_by_id()["movieId"].to_numpy(dtype=np.int64)
    counts = ml.ratings_per_movie()
    by_popularity = popularity_order(counts, catalogue)
    rated = by_popularity[counts[by_popularity] > 0][: config.max_items]
    solved = np.sort(rated)
    item_ids = catalogue[solved]
    tie_order = popularity_order(counts[solved], item_ids)
    # three steps, each dropping what the next does not need: Gram matrix, inverse, pruning
    gram = gram_of(item_ids) if gram_of else gram_matrix(interactions(ml.ratings, item_ids))
    precision = solve_precision(gram, config.l2)
    del gram
    index = strongest_ease_weights(
        precision,
        config.weights_per_movie * len(item_ids),
        tie_order,
        config.chunk_bytes,
        item_ids=item_ids,
        progress=progress,
    )
    return index.over(catalogue)
