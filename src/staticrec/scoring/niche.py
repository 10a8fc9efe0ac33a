"""The popular-to-niche control: the same fused list, re-ranked against popularity in a few steps.

At level L the fusion first ranks a deeper pool (``NICHE_POOL`` movies), then each movie of the
pool scores

    max(its ratings, NICHE_FLOOR) ^ -NICHE_STEPS[L] / (RANK_K + its fused rank)

and the top n of that are the answer: a movie ranked a little lower but rated far less often
moves up. Ranks, not the fusion's own scores, go in: a blend's scores can be negative, and a
penalty that multiplies them would then favour popular movies. A small k keeps the fused order
strong, and the floor keeps movies almost no one rated from winning on rarity alone: with
RRF's k = 60 and no floor, the first step already cost known users 70% of their NDCG@10 on
validation, to movies rated once or twice. Level 0, every answer's default, already leans a
little (0.2): on both protocols' validation splits it kept known users' NDCG@10 within 2% of
the list as fused while their top 10s reached more movies than dense EASE's, with less popular
picks (docs/evaluation.md, "Popular to niche"; ``benchmarks/study_cover.py``). One function
serves the page (the request's ``niche``), ``staticrec recommend --niche`` and the evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np

from staticrec.scoring.errors import ScoringError

NICHE_STEPS = (0.2, 0.5, 0.75, 1.0)
"""Popularity exponent per level, from the default (0) to the most niche (3); 0 would be the
fused list as it is (``rerank``)."""
NICHE_POOL = 50
"""Movies the fusion ranks before a level re-ranks them: deep enough that the most niche
level still has choice, shallow enough that its picks stay personal."""
RANK_K = 10
"""k of the rank term 1 / (k + rank)."""
NICHE_FLOOR = 20
"""Fewer ratings than this count as this many: rarity beyond it earns nothing more."""

Fused = TypeVar("Fused", bound=tuple)


def check_niche(level: object) -> int:
    """``level`` as a valid niche level, or a ScoringError that says which exist."""
    if isinstance(level, bool) or not isinstance(level, int | float) or level != int(level):
        raise ScoringError(f"A niche level is a whole number, not {level!r}.")
    if not 0 <= level < len(NICHE_STEPS):
        raise ScoringError(f"A niche level is 0 to {len(NICHE_STEPS) - 1}, not {level!r}.")
    return int(level)


def pool_size(level: int, n: int) -> int:
    """How many fused movies a level re-ranks (``n`` for a level that does not lean: nothing
    to re-rank)."""
    return n if NICHE_STEPS[level] == 0 else max(n, NICHE_POOL)


def niche_order(fused: Sequence[Fused], n_ratings: np.ndarray, level: int, n: int) -> list[Fused]:
    """The top ``n`` of ``fused`` (best first; each entry's first field a movie's position)
    re-ranked for ``level``; equal keys keep the fused order."""
    return rerank(fused, n_ratings, NICHE_STEPS[level], n)


def rerank(fused: Sequence[Fused], n_ratings: np.ndarray, exponent: float, n: int) -> list[Fused]:
    """The top ``n`` of ``fused`` re-ranked by ``max(ratings, NICHE_FLOOR) ^ -exponent /
    (RANK_K + fused rank)`` (exponent 0: ``fused[:n]`` as it is)."""
    if exponent == 0:
        return list(fused[:n])
    # Python floats over a pool of 50: cheaper than numpy's per-call cost, in Pyodide above all
    counts = n_ratings[[entry[0] for entry in fused]].tolist() if len(fused) else []
    keys = [
        max(count, NICHE_FLOOR) ** -exponent / (RANK_K + rank)
        for rank, count in enumerate(counts, 1)
    ]
    order = sorted(range(len(fused)), key=lambda i: (-keys[i], i))
    return [fused[i] for i in order[:n]]
