"""People who liked a movie also liked: for every movie's page, its strongest positive weights in
the collaborative item index (``Recommender.also_liked``), each with how many people liked both.

"Liked" is a rating at or above ``ScoringConfig.like_threshold`` (4 on MovieLens's scale, mapped
onto the dataset's). The counts (``pipeline.co_liked``) are made for all the pairs shown at
once: from the known users' ratings the recommender holds, or by the given ``CoLikedOf`` (under
``--engine spark``, where the ratings are). A movie the index weighs positively but that nobody
liked along with this one is left out: the list says people liked both.
"""

from __future__ import annotations

import numpy as np

from staticrec.pipeline.co_liked import CoLikedOf, co_liked, liked_matrix
from staticrec.scoring import Recommender
from staticrec.scoring.answer import Item
from staticrec.scoring.config import on_scale

CANDIDATES = 2
"""Weights read per movie, per movie shown: room for the ones nobody liked along with it."""


def like_threshold(recommender: Recommender) -> float:
    """The lowest rating that is a like, on the dataset's scale."""
    return on_scale(recommender.config.like_threshold, recommender.model.rating_scale)


def co_liked_here(recommender: Recommender) -> CoLikedOf:
    """Counts from the known users' ratings the recommender holds."""
    model = recommender.model
    users = np.repeat(np.arange(len(model.user_ids)), np.diff(model.rated_indptr))
    shape = (len(model.user_ids), model.n_items)

    def count(anchor_ids: np.ndarray, other_ids: np.ndarray, threshold: float) -> np.ndarray:
        liked = liked_matrix(users, model.rated_items, model.rated_values, threshold, shape)
        return co_liked(liked, model.positions(anchor_ids), model.positions(other_ids))

    return count


class AlsoLiked:
    """Every movie's "people who liked it also liked" list, with the count of each pair."""

    def __init__(
        self, recommender: Recommender, n: int, co_liked_of: CoLikedOf | None = None
    ) -> None:
        model = recommender.model
        candidates = {
            movie_id: recommender.also_liked(movie_id, CANDIDATES * n)
            for movie_id in model.item_ids.tolist()
        }
        lengths = [len(items) for items in candidates.values()]
        anchors = np.repeat(np.fromiter(candidates, np.int64, len(candidates)), lengths)
        others = np.array([i.movie_id for items in candidates.values() for i in items], np.int64)
        count = co_liked_of or co_liked_here(recommender)
        counts = iter(count(anchors, others, like_threshold(recommender)).tolist())
        self._lists: dict[int, list[tuple[Item, int]]] = {}
        for movie_id, items in candidates.items():
            paired = [(item, next(counts)) for item in items]
            self._lists[movie_id] = [(i, c) for i, c in paired if c > 0][:n]

    def of(self, movie_id: int) -> list[tuple[Item, int]]:
        """The list of ``movie_id``: each movie, strongest weight first, and how many people
        liked both."""
        return self._lists.get(movie_id, [])
