"""What one answer is computed from: the rated movies, their weights, the favourites, the SVD
scores, as item positions (``Request``), for a known user or a new visitor."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from staticrec.scoring import collab as cf
from staticrec.scoring.collab_index import Contributions
from staticrec.scoring.config import ScoringConfig, on_scale
from staticrec.scoring.errors import ScoringError
from staticrec.scoring.model import Model
from staticrec.scoring.schema import COLLAB_NEIGHBORS, CONTENT_NEIGHBORS


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
    hidden: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    """Movies hidden (``Options.hidden``), as positions: never recommended, and a negative
    signal for the movies like them."""
    allowed: np.ndarray | None = None
    """bool per movie: within the genre and decade asked for (``Options``); None: all."""


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
    """What no list may recommend: the movies rated, the favourites, the hidden ones, and any
    outside the genre and decade asked for."""
    seen = np.zeros(model.n_items, dtype=bool) if request.allowed is None else ~request.allowed
    seen[request.rated] = True
    seen[request.favorites] = True
    seen[request.hidden] = True
    return seen


def hidden_rows(
    model: Model, config: ScoringConfig, request: Request
) -> tuple[np.ndarray, np.ndarray]:
    """The hidden movies whose item-index rows count against the movies they reach (those not
    rated: a rating says more), and how much each counts: as ``config.hidden_rating`` would,
    given last; -1 when ratings weigh alike (``collab_rating_offset`` None)."""
    if not len(request.hidden):
        return request.hidden, np.empty(0)
    rated = np.zeros(model.n_items, dtype=bool)
    rated[request.rated] = True
    hidden = np.unique(request.hidden[~rated[request.hidden]])
    offset = config.collab_rating_offset
    if offset is None:
        return hidden, np.full(len(hidden), -1.0)
    strength = on_scale(config.hidden_rating, model.rating_scale) - on_scale(
        offset, model.rating_scale
    )
    return hidden, np.full(len(hidden), strength)


def rows_read(
    model: Model,
    config: ScoringConfig,
    popularity_rank: np.ndarray,
    rated: tuple[np.ndarray, np.ndarray] | None,
    ratings: Mapping[int, float] | None,
    favorites: Iterable[int],
    options,
) -> dict[str, np.ndarray]:
    """The movies (positions) whose neighbour rows an answer reads, by table: the rated and
    hidden movies' EASE rows, the favourites' and hidden movies' content rows, and those of the
    second person's (``Options.together``). ``rated``: a known user's (positions, ratings);
    None for a visitor's ``ratings``. Cheap, and nothing is checked here."""
    visitor = rated is None
    positions, values = known_ratings(model, ratings or {}) if rated is None else rated
    chosen, _, _ = favorites_of(
        model, config, popularity_rank, favorites, positions, values, liked_only=visitor
    )
    collab, content = [positions], [chosen]
    if options is not None and options.hidden:
        hidden = model.positions(list(options.hidden))
        collab.append(hidden[hidden >= 0])
        content.append(hidden[hidden >= 0])
    if options is not None and options.together is not None:
        second, values = known_ratings(model, dict(options.together))
        collab.append(second)
        content.append(
            favorites_of(model, config, popularity_rank, (), second, values, liked_only=True)[0]
        )
    if len(collab) > 1:  # only then: a known user's hundreds of rows are not sorted for nothing
        collab, content = [np.unique(np.concatenate(collab))], [np.unique(np.concatenate(content))]
    return {COLLAB_NEIGHBORS.name: collab[0], CONTENT_NEIGHBORS.name: content[0]}


def known_ratings(model: Model, ratings: Mapping[int, float]) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the rated movies the model knows, and their ratings."""
    positions = model.positions([int(m) for m in ratings])
    values = np.array([float(r) for r in ratings.values()], dtype=np.float64)
    return positions[positions >= 0], values[positions >= 0]
