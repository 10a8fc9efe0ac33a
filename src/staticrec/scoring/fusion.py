"""Reciprocal Rank Fusion of a CF list and a content list: the seed's rule, exactly.

For a movie ranked ``r_cf`` in the CF list and ``r_cb`` in the content list (1-based):

    score = cf_weight / (k + r_cf) + content_weight / (k + r_cb)

and a list that lacks the movie adds 0. Ties go to the higher CF predicted rating, then the higher
content similarity (a movie absent from a list has neither), then the smaller movieId.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FusionParams:
    """The fusion rule's knobs; the defaults are the seed's."""

    cf_weight: float = 0.6
    """Weight of the collaborative list."""
    content_weight: float = 0.4
    """Weight of the content list."""
    k: int = 60
    """RRF's rank offset: larger flattens the difference between ranks."""
    cf_length: int = 10
    """How many CF items enter the fusion."""
    content_length: int = 10
    """How many content items enter the fusion."""
    n: int = 10
    """How many fused items are kept."""

    def __post_init__(self) -> None:
        if self.cf_weight < 0 or self.content_weight < 0:
            raise ValueError("fusion weights must be non-negative")
        if self.k < 0 or min(self.cf_length, self.content_length, self.n) < 0:
            raise ValueError("k and list lengths must be non-negative")


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
    cf_rank: int | None
    """1-based rank in the CF list, None when absent."""
    content_rank: int | None
    """1-based rank in the content list, None when absent."""
    predicted_rating: float | None
    """CF predicted rating when the movie is in the CF list."""
    similarity: float | None
    """Content similarity when the movie is in the content list."""


def _first_ranks(entries: Sequence[Ranked], length: int) -> dict[int, tuple[int, float]]:
    """movieId -> (1-based rank, score) over the first ``length`` distinct movies."""
    ranks: dict[int, tuple[int, float]] = {}
    for entry in entries:
        if len(ranks) >= length:
            break
        ranks.setdefault(int(entry.movie_id), (len(ranks) + 1, float(entry.score)))
    return ranks


def rrf(cf: Sequence[Ranked], content: Sequence[Ranked], params: FusionParams) -> list[Fused]:
    """Fuse two ranked lists (best first) into at most ``params.n`` recommendations."""
    cf_ranks = _first_ranks(cf, params.cf_length)
    content_ranks = _first_ranks(content, params.content_length)
    fused = []
    for movie_id in cf_ranks.keys() | content_ranks.keys():
        cf_rank, predicted = cf_ranks.get(movie_id, (None, None))
        content_rank, similarity = content_ranks.get(movie_id, (None, None))
        score = 0.0
        if cf_rank is not None:
            score += params.cf_weight / (params.k + cf_rank)
        if content_rank is not None:
            score += params.content_weight / (params.k + content_rank)
        fused.append(Fused(movie_id, score, cf_rank, content_rank, predicted, similarity))
    fused.sort(key=_order)
    return fused[: params.n]


def _order(item: Fused) -> tuple:
    missing = float("inf")
    return (
        -item.score,
        -item.predicted_rating if item.predicted_rating is not None else missing,
        -item.similarity if item.similarity is not None else missing,
        item.movie_id,
    )
