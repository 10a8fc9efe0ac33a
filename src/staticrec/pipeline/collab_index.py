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
1. keep the movies with at least ``min_ratings`` ratings, at most ``max_items`` of them, the
   most-rated first,
2. invert the regularised Gram matrix in place: a Cholesky factorisation and its inverse
   (LAPACK potrf + potri), in float32,
3. in two passes over chunks of rows of B: find the magnitude of the strongest
   ``weights_per_movie`` x n weights, then keep every weight at least that strong.

Step 2 costs n^3 / 3 multiply-adds twice and one n x n float32 matrix (n = 3,650 movies with 5
or more ratings in ml-latest-small: 53 MB and about a second; 15,000: 0.9 GB). A movie left
out has no row and is reached by no row: its neighbours come from the content index, and it is
recommended through the content and popularity lists (rated once or twice, EASE's row for it
was mostly its regulariser).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.linalg import lapack
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
    weights_per_movie: int = 80
    """Weights kept, on average per rated movie: the index keeps the strongest
    weights_per_movie x n (n: rated movies, at most max_items) of the whole matrix (by
    magnitude), so the movies solved share the budget of those left out. The site's data grows
    linearly with it (ml-latest-small's collab_neighbors: 2.8 MB at 50, 4.5 MB at 80). 80, with
    the niche control's default lean, was the smallest budget tried whose known users' lists
    covered more movies than dense EASE's at NDCG@10 within 2% of 50's unleaned list, on both
    protocols' validation splits (``benchmarks/study_cover.py``)."""
    min_ratings: int = 5
    """Fewest ratings a movie needs for a row of its own: below it, EASE's row is mostly the
    regulariser, and the solve's cost is cubic in the movies kept (5: 3,650 of ml-latest-small's
    9,724 rated movies, 90% of its ratings; the largest floor whose validation NDCG@10 is
    within 0.001 of the best, benchmarks/bench_item_index.py)."""
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
        if self.min_ratings < 1:
            problem = f"must be at least 1, not {self.min_ratings}"
            raise ConfigError(problem, field="min_ratings")
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


def gram_matrix(x: sp.csr_matrix, dtype=np.float32, block_bytes: int = 32 << 20) -> np.ndarray:
    """X'X as a dense ``dtype`` matrix (how many users rated both of each two movies; Spark's
    engine sums the same where the ratings are), a block of columns at a time: the sparse
    product of the whole matrix would hold up to n^2 entries at 12 bytes each beside the dense
    result."""
    n = x.shape[1]
    xt, columns = x.T.tocsr(), x.tocsc()
    gram = np.empty((n, n), dtype=dtype)
    width = max(1, block_bytes // max(1, 12 * n))
    for start in range(0, n, width):
        stop = min(start + width, n)
        gram[:, start:stop] = (xt @ columns[:, start:stop]).toarray()
    return gram


def ease_precision(x: sp.csr_matrix, l2: float, dtype=np.float32) -> np.ndarray:
    """P = (X'X + l2 I)^-1, the one n x n matrix EASE needs, computed in place in ``dtype``.

    The Gram matrix is symmetric positive definite: its Cholesky factor and the inverse from it
    (potrf + potri) take a third of an LU inverse's work, and no second n x n array. float32
    halves memory and time again; its relative error on P stays near 1e-6 (the tests check it
    against float64), far below the gaps between the weights the index keeps.
    """
    return solve_precision(gram_matrix(x, dtype), l2)


def solve_precision(gram: np.ndarray, l2: float) -> np.ndarray:
    """(G + l2 I)^-1 of a Gram matrix G, in G's dtype and in G's memory (overwritten)."""
    if gram.shape[0] == 0:  # no movie has enough ratings to be solved (LAPACK refuses n = 0)
        return gram
    gram[np.diag_indices_from(gram)] += l2
    potrf, potri = lapack.get_lapack_funcs(("potrf", "potri"), (gram,))
    # LAPACK works on Fortran order: the transposed view is the same (symmetric) matrix without
    # a copy; its lower triangle is the C array's upper one
    factor, info = potrf(gram.T, lower=1, overwrite_a=1, clean=0)
    if info != 0:
        raise np.linalg.LinAlgError(f"Cholesky factorisation failed (info {info})")
    inverse, info = potri(factor, lower=1, overwrite_c=1)
    if info != 0 or not np.shares_memory(inverse, gram):
        raise np.linalg.LinAlgError(f"inverting the Cholesky factor failed (info {info})")
    _mirror_upper(gram)
    return gram


def _mirror_upper(a: np.ndarray, block: int = 512) -> None:
    """Copy the upper triangle of square ``a`` onto its lower one, in place, a block of rows at
    a time: rows above a block are only read, so no full copy is ever made."""
    for start in range(0, len(a), block):
        stop = min(start + block, len(a))
        a[start:stop, :start] = a[:start, start:stop].T
        square = a[start:stop, start:stop]
        lower = np.tril_indices(stop - start, -1)
        square[lower] = square.T[lower]


def ease_weights(x: sp.csr_matrix, l2: float) -> np.ndarray:
    """The dense EASE matrix B in float64 (zero diagonal): the oracle the pruned index is
    checked against, and the evaluation's dense peer."""
    p = ease_precision(x, l2, np.float64)
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
    EASE's precision matrix P (``solve_precision``, float32 in the build; the weights are stored
    as float32 whatever its dtype; ``progress``: a bar over the two passes).

    Pruning globally, not per row, lets a movie with many strong ties keep more of them than
    an obscure one; negative weights (watched one, rarely the other) are kept too. Ties at the
    cut-off are all kept. Within a row, weights run from the largest down; equal weights are
    ordered by ``tie_order`` (a lower position first).
    """
    n = p.shape[0]
    scale = (-1.0 / np.diag(p)).astype(p.dtype)
    rank_of = np.empty(n, dtype=np.int64)
    rank_of[tie_order] = np.arange(n)
    chunk_rows = max(1, chunk_bytes // max(1, n * 16))
    chunks = [(start, min(start + chunk_rows, n)) for start in range(0, n, chunk_rows)]

    def weights(start: int, stop: int) -> np.ndarray:
        chunk = (p[start:stop] * scale[None, :]).astype(np.float32, copy=False)
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
    kept = counts[by_popularity] >= config.min_ratings
    rated = by_popularity[kept][: config.max_items]
    solved = np.sort(rated)
    item_ids = catalogue[solved]
    tie_order = popularity_order(counts[solved], item_ids)
    # three steps, each dropping what the next does not need: Gram matrix, inverse, pruning
    if gram_of is None:
        gram = gram_matrix(interactions(ml.ratings, item_ids), np.float32)
    else:  # co-rating counts: exact in float32 up to 2^24 users
        gram = gram_of(item_ids).astype(np.float32, copy=False)
    precision = solve_precision(gram, config.l2)
    del gram
    index = strongest_ease_weights(
        precision,
        # per rated movie, solved or not: the popular rows keep what they kept over every movie
        config.weights_per_movie * min(int((counts > 0).sum()), config.max_items),
        tie_order,
        config.chunk_bytes,
        item_ids=item_ids,
        progress=progress,
    )
    return index.over(catalogue)
