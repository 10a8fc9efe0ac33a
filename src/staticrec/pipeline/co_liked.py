"""Stage 3, beside the item index: how many users liked both movies of each pair the site shows
("people who liked this also liked", with its count).

The count is a sparse product: the users x movies matrix of likes, a block of movies at a time,
times the columns of the movies paired with them (the dense movies x movies matrix never
exists). On one machine the site counts from the known users' ratings it holds; under
``--engine spark`` each partition of whole users counts its own users, and the driver adds the
partitions' counts (``spark_engine.co_liked_of``): the same integers either way.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

CoLikedOf = Callable[[np.ndarray, np.ndarray, float], np.ndarray]
"""(anchor movieIds, other movieIds, the lowest rating that is a like) -> per pair, how many
users liked both."""

BLOCK = 512
"""Movies whose counts one sparse product computes."""


def liked_matrix(
    users: np.ndarray, items: np.ndarray, ratings: np.ndarray, threshold: float, shape: tuple
) -> sp.csc_matrix:
    """users x movies (positions), 1 where the user's rating is at least ``threshold``."""
    keep = ratings >= threshold
    ones = np.ones(int(keep.sum()), dtype=np.float32)
    return sp.csc_matrix((ones, (users[keep], items[keep])), shape=shape)


def co_liked(liked: sp.csc_matrix, anchors: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Per pair (``anchors[i]``, ``others[i]``, movie positions): how many users liked both."""
    counts = np.zeros(len(anchors), dtype=np.int64)
    blocks = np.unique(anchors)
    for start in range(0, len(blocks), BLOCK):
        block = blocks[start : start + BLOCK]
        pairs = np.flatnonzero(np.isin(anchors, block))
        targets = np.unique(others[pairs])
        product = (liked[:, block].T @ liked[:, targets]).toarray()
        rows = np.searchsorted(block, anchors[pairs])
        columns = np.searchsorted(targets, others[pairs])
        counts[pairs] = np.rint(product[rows, columns]).astype(np.int64)
    return counts


def co_liked_by_id(
    user_ids: np.ndarray,
    movie_ids: np.ndarray,
    ratings: np.ndarray,
    threshold: float,
    anchor_ids: np.ndarray,
    other_ids: np.ndarray,
) -> np.ndarray:
    """``co_liked`` over ratings given by id (each user's ratings all among them): per pair of
    movieIds, how many of these users liked both. Movies in no pair are left aside."""
    involved = np.unique(np.concatenate([anchor_ids, other_ids]))
    columns = np.minimum(np.searchsorted(involved, movie_ids), max(len(involved) - 1, 0))
    kept = (involved[columns] == movie_ids) if len(involved) else np.zeros(len(movie_ids), bool)
    users = np.unique(user_ids[kept], return_inverse=True)[1].reshape(-1)
    shape = (int(users.max()) + 1 if len(users) else 0, len(involved))
    liked = liked_matrix(users, columns[kept], ratings[kept], threshold, shape)
    return co_liked(
        liked, np.searchsorted(involved, anchor_ids), np.searchsorted(involved, other_ids)
    )
