"""Peers for the ranking table, on the same split as staticrec's own lists.

- Dense EASE (Steck 2019): the unpruned model the site's item index is cut from, so the table
  shows what pruning costs.
- implicit's ALS (Hu, Koren & Volinsky 2008), when the optional ``implicit`` package is
  installed (``pip install staticrec[peers]``); without it the row is left out, with a note.

Neither is ever part of the site: they only run here, in the evaluation.
"""

from __future__ import annotations

import importlib.util
import itertools
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from staticrec.pipeline.collab_index import ease_weights, interactions

log = logging.getLogger("staticrec")


def dense_ease_lists(
    train: pd.DataFrame, users: Iterable[int], l2: float, n: int
) -> dict[int, list[int]]:
    """userId -> top-n movieIds by dense EASE scores, movies the user rated left out."""
    item_ids = np.sort(train["movieId"].unique())
    x = interactions(train, item_ids)
    weights = ease_weights(x, l2)
    user_ids = np.sort(train["userId"].unique())
    wanted = _trained(users, user_ids)
    rows = np.searchsorted(user_ids, wanted)
    scores = (x[rows] @ weights).astype(np.float64)
    scores[x[rows].toarray() > 0] = -np.inf
    return _top_lists(wanted, scores, item_ids, n)


@dataclass(frozen=True)
class DenseEase:
    """Dense EASE fitted once, asked for any set of rated movies (a new visitor's handful)."""

    item_ids: np.ndarray
    weights: np.ndarray

    @classmethod
    def fit(cls, train: pd.DataFrame, l2: float) -> DenseEase:
        item_ids = np.sort(train["movieId"].unique())
        return cls(item_ids, ease_weights(interactions(train, item_ids), l2))

    def top(self, rated: Iterable[int], n: int) -> list[int]:
        """The top-n movieIds for someone who rated ``rated`` (those left out)."""
        rated = np.asarray(list(rated), dtype=np.int64)
        columns = np.searchsorted(self.item_ids, rated)
        known = columns < len(self.item_ids)
        known[known] = self.item_ids[columns[known]] == rated[known]
        columns = columns[known]  # movies not in training add nothing
        scores = self.weights[columns].sum(axis=0)
        scores[columns] = -np.inf
        return self.item_ids[np.argsort(-scores, kind="stable")[:n]].tolist()


def implicit_available() -> bool:
    return importlib.util.find_spec("implicit") is not None


ALS_GRID = {"regularization": (0.01, 0.1), "alpha": (1.0, 10.0)}
"""ALS settings tried on the validation split, so the peer is measured at its best too."""


def als_lists(
    train: pd.DataFrame,
    users: Iterable[int],
    n: int,
    factors: int = 128,
    seed: int = 0,
    regularization: float = 0.01,
    alpha: float = 1.0,
) -> dict[int, list[int]] | None:
    """userId -> top-n movieIds by implicit's ALS on binary interactions; None without
    the ``implicit`` package."""
    if not implicit_available():
        log.info("implicit is not installed: the ALS row is left out (pip install implicit)")
        return None
    from implicit.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    item_ids = np.sort(train["movieId"].unique())
    x = interactions(train, item_ids).astype(np.float32).tocsr()
    user_ids = np.sort(train["userId"].unique())
    with threadpool_limits(1, "blas"):  # implicit parallelises itself; BLAS threads slow it
        model = AlternatingLeastSquares(
            factors=factors,
            regularization=regularization,
            alpha=alpha,
            random_state=seed,
            use_gpu=False,
        )
        model.fit(x, show_progress=False)
    wanted = _trained(users, user_ids)
    rows = np.searchsorted(user_ids, wanted)
    ids, _ = model.recommend(rows, x[rows], N=n, filter_already_liked_items=True)
    return {u: [int(item_ids[i]) for i in r if i >= 0] for u, r in zip(wanted, ids, strict=True)}


def als_settings() -> list[dict]:
    """Every setting of ALS_GRID."""
    names = list(ALS_GRID)
    return [
        dict(zip(names, values, strict=True)) for values in itertools.product(*ALS_GRID.values())
    ]


def _trained(users: Iterable[int], user_ids: np.ndarray) -> list[int]:
    """The users the model was trained on, in the order asked."""
    known = set(user_ids.tolist())
    return [u for u in users if u in known]


def _top_lists(users: list[int], scores: np.ndarray, item_ids: np.ndarray, n: int) -> dict:
    top = np.argsort(-scores, axis=1, kind="stable")[:, :n]
    return {u: item_ids[row].tolist() for u, row in zip(users, top, strict=True)}
