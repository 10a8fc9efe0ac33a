"""Fusing several ranked lists into one: weighted Reciprocal Rank Fusion, or a score blend.

``rrf``: for a movie ranked ``r_L`` (1-based) in list L, over each list's first ``depth`` movies:

    score = sum over lists L holding the movie of  weight_L / (k + r_L)

Ties go to the higher score in each list, lists taken in ``LISTS`` order (a list that lacks the
movie ranks it last), then the smaller movieId. The seed's rule (``FusionParams.seed()``) is the
SVD list at 0.6 and the content list at 0.4, k = 60, top 10 of each: ties then go to the higher
predicted rating, then the higher content similarity, exactly as the seed described.

``blend``: each list's scores standardised over the movies the model knows (z-scores), then
summed with the weights. It uses how far apart scores are, not only their order: measured on
validation visitors, it beat RRF for a handful of ratings (README, "Evaluation").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Literal

import numpy as np

ListName = Literal["collab", "svd", "content", "popular"]
LISTS: tuple[ListName, ...] = ("collab", "svd", "content", "popular")
"""The lists a recommendation can come from, in the order that breaks ties:
``collab`` (the EASE item index: what people who rated the same movies also rated), ``svd``
(the predicted rating), ``content`` (similar to the favourites), ``popular`` (most rated)."""


@dataclass(frozen=True)
class FusionParams:
    """The fusion's knobs; the defaults were chosen on a validation split (README, Evaluation)."""

    collab_weight: float = 1.0
    """Weight of the collaborative item index's list."""
    svd_weight: float = 0.0
    """Weight of the SVD list (predicted rating, popularity-aware)."""
    content_weight: float = 0.0
    """Weight of the content list (neighbours of the favourites)."""
    popular_weight: float = 0.0
    """Weight of the most-rated list."""
    k: int = 60
    """RRF's rank offset: larger flattens the difference between ranks."""
    depth: int = 10
    """How many movies of each list enter the fusion."""
    n: int = 10
    """How many fused movies are kept."""
    method: Literal["rrf", "blend"] = "rrf"
    """``rrf`` fuses ranks; ``blend`` sums the weighted z-scores of the lists' scores."""
    favorite_weight: float = 1.0
    """The content list's weight (at least) when the visitor names a favourite, so that naming
    one brings in movies like it; the default favourite gets ``content_weight``."""
    label_depth: int = 100
    """A fused movie is said to come from each list that ranks it this high or higher."""

    def __post_init__(self) -> None:
        if self.method not in ("rrf", "blend"):
            raise ValueError(f"method must be rrf or blend, not {self.method!r}")
        if min(self.weight(name) for name in LISTS) < 0:
            raise ValueError("fusion weights must be non-negative")
        if self.k < 0 or min(self.depth, self.n) < 0:
            raise ValueError("k, depth and n must be non-negative")

    @classmethod
    def seed(cls, n: int = 10) -> FusionParams:
        """The seed notebook's rule: 0.6 / (60 + r_svd) + 0.4 / (60 + r_content), top 10 each."""
        return cls(collab_weight=0.0, svd_weight=0.6, content_weight=0.4, k=60, depth=10, n=n)

    def weight(self, name: ListName) -> float:
        return float(getattr(self, f"{name}_weight"))

    def weights(self) -> dict[ListName, float]:
        """Every list's weight, in ``LISTS`` order."""
        return {name: self.weight(name) for name in LISTS}

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Ranked:
    """One entry of an input list: a movie and the score that ranked it."""

    movie_id: int
    score: float


@dataclass(frozen=True)
class Fused:
    """One fused recommendation and why it is there."""

    movie_id: int
    score: float
    """The RRF score."""
    ranks: dict[ListName, int]
    """1-based rank in each list that holds the movie (within its first ``depth``)."""
    scores: dict[ListName, float]
    """Each such list's own score for the movie (predicted rating, similarity, ...)."""


def _first_ranks(entries: Sequence[Ranked], depth: int) -> dict[int, tuple[int, float]]:
    """movieId -> (1-based rank, score) over the first ``depth`` distinct movies."""
    ranks: dict[int, tuple[int, float]] = {}
    for entry in entries:
        if len(ranks) >= depth:
            break
        ranks.setdefault(int(entry.movie_id), (len(ranks) + 1, float(entry.score)))
    return ranks


def rrf(lists: Mapping[ListName, Sequence[Ranked]], params: FusionParams) -> list[Fused]:
    """Fuse ranked lists (each best first) into at most ``params.n`` recommendations.

    A list whose weight is 0 adds nothing to a score, but its ranks and scores are still
    reported (and break ties), so an answer can say every list a movie appears in.
    """
    unknown = set(lists) - set(LISTS)
    if unknown:
        raise ValueError(f"unknown lists {sorted(unknown)}; lists are {LISTS}")
    ranked = {name: _first_ranks(lists[name], params.depth) for name in LISTS if name in lists}
    return [
        Fused(
            movie_id,
            score,
            {name: ranks[movie_id][0] for name, ranks in ranked.items() if movie_id in ranks},
            {name: ranks[movie_id][1] for name, ranks in ranked.items() if movie_id in ranks},
        )
        for movie_id, score in rrf_ranked(ranked, params)
    ]


def rrf_ranked(
    ranked: Mapping[ListName, Mapping[int, tuple[int, float]]], params: FusionParams
) -> list[tuple[int, float]]:
    """``rrf`` over lists already cut to their first ``params.depth`` movies, each as
    key -> (1-based rank, score): the fused top n as (key, fused score), best first.

    Keys are movieIds, or anything ordered as they are (the model's positions): the last
    tie-break is the smaller key. The recommender fuses positions this way, without a
    ``Ranked`` or ``Fused`` object per movie (each costs, in Pyodide above all).
    """
    totals: dict[int, float] = {}
    for name in LISTS:  # in LISTS order, as each movie's sum always adds up
        weight = params.weight(name)
        if weight > 0 and name in ranked:
            for key, (rank, _) in ranked[name].items():
                totals[key] = totals.get(key, 0.0) + weight / (params.k + rank)
    # only the movies that can make the first n (ties at the cut included) are ordered
    best = sorted(totals.values(), reverse=True)[: params.n]
    cut = best[-1] if best else math.inf
    inputs = [ranked.get(name, {}) for name in LISTS]

    def order(key: int) -> tuple:
        by_list = (-ranks[key][1] if key in ranks else math.inf for ranks in inputs)
        return (-totals[key], *by_list, key)

    fused = sorted((key for key, score in totals.items() if score >= cut), key=order)
    return [(key, totals[key]) for key in fused[: params.n]]


def ranked_positions(
    lists: Mapping[ListName, np.ndarray], scores: Mapping[ListName, np.ndarray], depth: int
) -> dict[ListName, dict[int, tuple[int, float]]]:
    """Each list's first ``depth`` positions (best first) as ``rrf_ranked`` takes them:
    position -> (1-based rank, the list's score). A model's positions are ordered as its
    movieIds are, so ties go as ``rrf``'s over movieIds."""
    # Python ints and floats, not numpy scalars: per-element numpy work is slow in Pyodide
    ranked = {}
    for name, positions in lists.items():
        head = positions[:depth]
        ranks = zip(range(1, len(head) + 1), scores[name][head].tolist(), strict=True)
        ranked[name] = dict(zip(head.tolist(), ranks, strict=True))
    return ranked


def with_ranks(
    fused: Sequence[tuple[int, float]], lists: Mapping[ListName, np.ndarray], label_depth: int
) -> list[tuple[int, float, dict[ListName, int]]]:
    """Each fused (position, score) with its 1-based rank in each of ``lists`` (positions,
    best first) that ranks it within ``label_depth``: made for the movies kept only (a niche
    level's pool is five times deeper than what it keeps)."""
    places = {}
    for name, positions in lists.items():
        head = positions[:label_depth].tolist()
        places[name] = dict(zip(head, range(1, len(head) + 1), strict=True))
    return [(p, score, {n: r[p] for n, r in places.items() if p in r}) for p, score in fused]


def blend(
    scores: Mapping[ListName, np.ndarray],
    known: np.ndarray,
    params: FusionParams,
    standardized: Mapping[ListName, np.ndarray] | None = None,
) -> np.ndarray:
    """Weighted sum of each list's z-scores over the ``known`` movies; -inf elsewhere.

    A list's missing score (NaN: no evidence) counts as 0 before standardising; a list that
    is constant (nothing rated, no favourite) adds nothing. ``standardized``: z-scores already
    computed (``standardize``) for lists that never change, such as the most-rated one.
    """
    standardized = standardized or {}
    total = np.zeros(len(known))
    for name in LISTS:
        weight = params.weight(name)
        if weight == 0 or name not in scores:
            continue
        z = standardized[name] if name in standardized else standardize(scores[name], known)
        if z is not None:
            centered, spread = z
            total[known] += weight * centered / spread
    return np.where(known, total, -np.inf)


def standardize(scores: np.ndarray, known: np.ndarray) -> tuple[np.ndarray, float] | None:
    """Scores over the ``known`` movies, NaN counted as 0, less their mean; and their standard
    deviation (None when it is 0). The arithmetic of ``np.std``, in fewer calls (each costs in
    Pyodide), so sums come out the same to the last bit."""
    values = np.asarray(scores, dtype=np.float64)[known]
    values[np.isnan(values)] = 0.0
    centered = values - values.sum() / len(values)
    spread = float(np.sqrt((centered * centered).sum() / len(values)))
    return (centered, spread) if spread > 0 else None
