"""What one answer is computed from: the rated movies, their weights, the favourites, the SVD
scores, as item positions (``Request``), for a known user or a new visitor."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from staticrec.scoring import collab as cf
from staticrec.scoring.collab_index import Contributions
from staticrec.scoring.config import ScoringConfig, on_scale
from staticrec.scoring.errors import ScoringError
from staticrec.scoring.model import Model


@dataclass(frozen=True)
class Request:
    """What one answer is computed from, as item positions (``user_request``,
    ``visitor_request``); the evaluation reuses one for many fusion settings."""

    mode: str
    rated: np.ndarray
    ratings: np.ndarray
    from_end: np.ndarray
    """Per rating, how many came later (0: the latest)."""
    favorites: np.ndarray
    named_favorite: bool
    """Whether the favourites were named in the request (not the default ones)."""
    svd: np.ndarray
    """Raw SVD predictions for every item (NaN without factors)."""
    added: Contributions | None = None
    """What the rated movies add through the item index, when already known."""
    added_rule: tuple[float | None, float | None] | None = None
    """The rule ``added`` was computed under (``Recommender.strength_rule``): a recommender
    weighing the rated movies otherwise computes its own."""


def visitor_request(
    model: Model,
    config: ScoringConfig,
    popularity_rank: np.ndarray,
    ratings: Mapping[int, float],
    favorites: Iterable[int] = (),
) -> tuple[Request, list]:
    """A visitor's rated movies, folded-in SVD scores, and the favourites it names."""
    low, high = model.rating_scale
    ids = [int(m) for m in ratings]
    values = np.array([float(ratings[m]) for m in ratings], dtype=np.float64)
    bad = [m for m, v in zip(ids, values, strict=True) if not low <= v <= high]
    if bad:
        raise ScoringError(f"Ratings must lie between {low} and {high} (movieId {bad[0]}).")
    positions = model.positions(ids)
    known = positions >= 0
    ignored = [m for m, ok in zip(ids, known, strict=True) if not ok]
    rated, values = positions[known], values[known]
    mode = "visitor" if len(rated) else "popular"
    bias, vector = cf.fold_in(
        model,
        rated,
        values,
        factor_reg=config.fold_in_factor_reg,
        bias_reg=config.fold_in_bias_reg,
    )
    svd = cf.raw_scores(model, bias, vector)
    if not model.has_factors[rated].any():
        svd = np.full(model.n_items, np.nan)  # nothing to fold in: no SVD list
    favorite_pos, named, unknown = favorites_of(
        model, config, popularity_rank, favorites, rated, values, liked_only=True
    )
    from_end = np.arange(len(rated))[::-1]  # the order given: the last rating is the latest
    request = Request(mode, rated, values, from_end, favorite_pos, named, svd)
    return request, ignored + unknown


def favorites_of(
    model: Model,
    config: ScoringConfig,
    popularity_rank: np.ndarray,
    favorites: Iterable[int],
    rated: np.ndarray,
    ratings: np.ndarray,
    *,
    liked_only: bool,
) -> tuple[np.ndarray, bool, list[int]]:
    """The favourites given (known ones, each once, in order) or the default ones; whether
    they were given; the unknown ids among them."""
    favorite_ids = [int(f) for f in favorites]
    positions = model.positions(favorite_ids)
    unknown = [f for f, p in zip(favorite_ids, positions, strict=True) if p < 0]
    positions = positions[positions >= 0]
    _, first = np.unique(positions, return_index=True)
    positions = positions[np.sort(first)]  # each favourite once, in the given order
    if len(positions):
        return positions, True, unknown
    default = default_favorites(
        model, config, popularity_rank, rated, ratings, liked_only=liked_only
    )
    return default, False, unknown


def default_favorites(
    model: Model,
    config: ScoringConfig,
    popularity_rank: np.ndarray,
    rated: np.ndarray,
    ratings: np.ndarray,
    *,
    liked_only: bool,
) -> np.ndarray:
    """A known user's single highest-rated movie; a visitor's liked movies (or their best)."""
    if len(rated) == 0:
        return np.empty(0, dtype=np.int64)
    if liked_only:
        liked = rated[ratings >= on_scale(config.like_threshold, model.rating_scale)]
        if len(liked):
            return np.unique(liked)
    best = np.lexsort((popularity_rank[rated], -ratings))[0]
    return rated[best : best + 1]


def row_strengths(
    config: ScoringConfig,
    scale: tuple[float, float],
    ratings: np.ndarray,
    from_end: np.ndarray,
) -> np.ndarray | None:
    """How much each rated movie's EASE row counts, from its rating and how many ratings
    came after it (None: 1 each)."""
    offset, recency = config.collab_rating_offset, config.collab_recency
    if offset is None and recency is None:
        return None
    if offset is not None:
        offset = on_scale(offset, scale)
    strengths = np.ones(len(ratings)) if offset is None else ratings - offset
    if recency is not None and len(ratings):
        strengths = strengths * np.exp(-from_end / (recency * len(ratings)))
    return strengths


def seen_mask(model: Model, request: Request) -> np.ndarray:
    """What no list may recommend: the movies rated, and the favourites."""
    seen = np.zeros(model.n_items, dtype=bool)
    seen[request.rated] = True
    seen[request.favorites] = True
    return seen
