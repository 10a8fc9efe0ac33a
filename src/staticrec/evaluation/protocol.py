"""The evaluation's settings and splits: what is held out, what counts as relevant."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from staticrec.errors import ConfigError
from staticrec.pipeline.collab import SVDParams
from staticrec.pipeline.tuning import GRIDS, Grid, SearchMethod
from staticrec.scoring.schema import FactorPrecision

Protocol = Literal["temporal", "random"]
"""How the ranking study holds out each user's ratings: the latest share, or a random one."""


@dataclass(frozen=True)
class EvaluationConfig:
    """What the evaluation runs; the defaults are the full protocol."""

    folds: int = 5
    """Cross-validation folds for rating accuracy."""
    fold_seed: int = 0
    """Seed of the KFold shuffle."""
    n: int = 10
    """List length: metrics are @n."""
    test_fraction: float = 0.2
    """Share of each user's ratings held out for ranking (the latest, or at random)."""
    validation_fraction: float = 0.2
    """Share of each user's training ratings used to choose the fusion parameters, cut the same
    way as the test from the rest."""
    protocols: tuple[Protocol, ...] = ("temporal", "random")
    """The ranking study's splits: ``temporal`` holds out each user's latest ratings, ``random``
    a random share of them; every list is measured on each, its settings chosen on each."""
    split_seed: int = 0
    """Seed of the random split (its own: sampling users does not move it)."""
    relevance: float = 4.0
    """A held-out rating at or above this is relevant."""
    fusion_weights: tuple[float, ...] = (0.0, 0.25)
    """Known users' sweep: weights of the SVD, content and most-rated lists in RRF, each
    against the collaborative item index's 1."""
    rrf_ks: tuple[int, ...] = (60,)
    """Known users' sweep: values of RRF's k."""
    depths: tuple[int, ...] = (50,)
    """Known users' sweep: how many movies of each list enter the fusion. As deep as the pool
    an answer's default niche level re-ranks (``scoring.niche.NICHE_POOL``): a shallower list
    leaves it nothing to re-rank, and the list the sweep scores would not be the site's."""
    collab_rating_offsets: tuple[float | None, ...] = (None, 2.5)
    """Sweep: how a rating weighs its movie's item-index row (None: 1 each; o: rating - o)."""
    collab_recency: tuple[float | None, ...] = (None, 0.5, 2.0)
    """Sweep: how recency weighs it (None: not at all; h: exp(-from_end / (h x n)))."""
    svd_popularity: float = 0.2
    """beta of the SVD x n_ratings^beta row (the popularity-aware SVD baseline)."""
    visitor_blends: tuple[tuple[float, float, float], ...] = tuple(
        itertools.product((0.5, 0.8, 1.2), (0.4, 0.6), (0.05, 0.1))
    )
    """Visitors' sweep: (most-rated, SVD, item index) weights of the z-score blend."""
    visitor_validation_users: int = 100
    """Visitors: how many other held-out users choose the blend (disjoint from the test's)."""
    onboarding: tuple[int, ...] = (5, 10, 20)
    """Cold start: numbers of onboarding ratings."""
    cold_users: int = 100
    """Cold start: users held out of training."""
    cold_min_ratings: int = 40
    """Cold start: only users with at least this many ratings are held out."""
    knn: bool = True
    """Include item-based KNNBaseline in the accuracy table (the slowest model)."""
    knn_max_items: int = 20_000
    """KNNBaseline keeps an n_items x n_items similarity matrix (float64: 3.2 GB at 20,000
    movies); above this many rated movies it is left out, with a message."""
    tuning_grid: Grid = GRIDS["seed"]
    """Grid of the tuned SVD row, and the parameters it is searched over (3-fold CV)."""
    tuning_method: SearchMethod = "grid"
    """``grid`` (every combination, for the report's heatmap) or ``halving`` (faster)."""
    max_users: int | None = None
    """Evaluate on a random sample of this many users (a quick smoke run); None: all."""
    seed: int = 0
    """Seed for sampling users."""
    factor_precision: FactorPrecision = "float32"
    """How the trained models store the movie factors (``float16``: as a large site does)."""
    n_jobs: int = -1
    """Parallel workers for cross-validation."""

    @classmethod
    def quick(cls) -> EvaluationConfig:
        """A smoke run in seconds: 120 users, 3 folds, a 4-point grid, no KNN."""
        return cls(
            folds=3,
            max_users=120,
            knn=False,
            cold_users=30,
            fusion_weights=(0.0, 0.25),
            collab_recency=(0.5,),
            visitor_blends=((0.0, 1.0, 0.0), (0.1, 0.6, 0.3)),
            visitor_validation_users=30,
            tuning_grid=Grid(
                {"n_factors": (20, 50), "n_epochs": (10, 20), "reg_all": (0.02, 0.1)},
                SVDParams.seed(),
            ),
        )

    def __post_init__(self) -> None:
        for name in ("test_fraction", "validation_fraction"):
            if not 0 < getattr(self, name) < 1:
                raise ConfigError("must lie strictly between 0 and 1", field=name)
        if self.max_users is not None and self.max_users < 2:
            raise ConfigError(f"must be at least 2, not {self.max_users}", field="max_users")
        if not self.protocols or set(self.protocols) - {"temporal", "random"}:
            problem = f"must name temporal and/or random, not {self.protocols}"
            raise ConfigError(problem, field="protocols")
        if self.folds < 2:
            raise ConfigError(f"cross-validation needs at least 2, not {self.folds}", field="folds")

    @property
    def grid_points(self) -> int:
        """Combinations in the tuning grid."""
        return math.prod(len(v) for v in self.tuning_grid.values.values())


Kind = Literal["popularity", "content", "cf", "peer", "hybrid"]
"""What kind of list a row of the ranking table is: the report groups rows by it."""


def sample_users(ratings: pd.DataFrame, max_users: int | None, seed: int) -> pd.DataFrame:
    """The ratings of a random sample of ``max_users`` users (all of them for None)."""
    if max_users is None:
        return ratings
    users = np.sort(ratings["userId"].unique())
    keep = np.random.default_rng(seed).choice(users, min(max_users, len(users)), replace=False)
    return ratings[ratings["userId"].isin(keep)].reset_index(drop=True)


def temporal_split(ratings: pd.DataFrame, fraction: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test): each user's latest ``fraction`` of ratings (by timestamp) is the test."""
    ordered = ratings.sort_values(["userId", "timestamp", "movieId"], kind="stable")
    from_end = ordered.groupby("userId").cumcount(ascending=False).to_numpy()
    sizes = ordered.groupby("userId")["movieId"].transform("size").to_numpy()
    held = from_end < np.floor(sizes * fraction)
    return ordered[~held].reset_index(drop=True), ordered[held].reset_index(drop=True)


def relevant_items(test: pd.DataFrame, threshold: float) -> dict[int, set[int]]:
    """userId -> the held-out movies they rated ``threshold`` or more."""
    liked = test[test["rating"] >= threshold]
    return {int(u): set(g["movieId"].astype(int)) for u, g in liked.groupby("userId")}


def random_split(
    ratings: pd.DataFrame, fraction: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test): a seeded random ``fraction`` of each user's ratings is the test (as many
    per user as the temporal split holds out: floor(size x fraction))."""
    ordered = ratings.sort_values(["userId", "timestamp", "movieId"], kind="stable")
    shuffle = np.random.default_rng(seed).random(len(ordered))
    # each user's ratings in a random order: the first floor(size x fraction) of them are held
    position = ordered.assign(_r=shuffle).groupby("userId")["_r"].rank(method="first") - 1
    sizes = ordered.groupby("userId")["movieId"].transform("size").to_numpy()
    held = position.to_numpy() < np.floor(sizes * fraction)
    return ordered[~held].reset_index(drop=True), ordered[held].reset_index(drop=True)


def split(
    ratings: pd.DataFrame, fraction: float, protocol: Protocol, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test) under ``protocol`` (``seed``: the random split's)."""
    if protocol == "random":
        return random_split(ratings, fraction, seed)
    return temporal_split(ratings, fraction)
