"""People who liked a movie also liked: for every movie's page, its strongest positive weights in
the collaborative item index (``Recommender.also_liked``), each with how many people liked both.

"Liked" is a rating at or above ``ScoringConfig.like_threshold`` (4 on MovieLens's scale, mapped
onto the dataset's). The counts come from the known users' ratings (the artifacts' user_ratings
table), for all the pairs shown at once: the users x movies matrix of likes, multiplied a block
of movies at a time by the columns of the movies listed beside them (sparse products: the
dense movies x movies matrix never exists). A movie the index weighs positively but that nobody
liked along with this one is left out: the list says people liked both.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from staticrec.scoring import Recommender
from staticrec.scoring.answer import Item
from staticrec.scoring.config import on_scale

CANDIDATES = 2
"""Weights read per movie, per movie shown: room for the ones nobody liked along with it."""

BLOCK = 512
"""Movies whose counts one sparse product computes."""


def liked_matrix(recommender: Recommender) -> sp.csc_matrix:
    """users x movies, 1 where the user's rating is a like."""
    model = recommender.model
    threshold = on_scale(recommender.config.like_threshold, model.rating_scale)
    users = np.repeat(np.arange(len(model.user_ids)), np.diff(model.rated_indptr))
    keep = model.rated_values >= threshold
    ones = np.ones(int(keep.sum()), dtype=np.float32)
    shape = (len(model.user_ids), model.n_items)
    return sp.csc_matrix((ones, (users[keep], model.rated_items[keep])), shape=shape)


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


class AlsoLiked:
    """Every movie's "people who liked it also liked" list, with the count of each pair."""

    def __init__(self, recommender: Recommender, n: int) -> None:
        model = recommender.model
        candidates = {
            movie_id: recommender.also_liked(movie_id, CANDIDATES * n)
            for movie_id in model.item_ids.tolist()
        }
        lengths = [len(items) for items in candidates.values()]
        anchors = np.repeat(model.positions(list(candidates)), lengths)
        others = model.positions([i.movie_id for items in candidates.values() for i in items])
        counts = iter(co_liked(liked_matrix(recommender), anchors, others).tolist())
        self._lists: dict[int, list[tuple[Item, int]]] = {}
        for movie_id, items in candidates.items():
            paired = [(item, next(counts)) for item in items]
            self._lists[movie_id] = [(i, c) for i, c in paired if c > 0][:n]

    def of(self, movie_id: int) -> list[tuple[Item, int]]:
        """The list of ``movie_id``: each movie, strongest weight first, and how many people
        liked both."""
        return self._lists.get(movie_id, [])
