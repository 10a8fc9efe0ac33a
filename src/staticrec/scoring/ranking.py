"""Top-n selection with a deterministic order: score descending, then a tie rank ascending."""

from __future__ import annotations

import numpy as np


def top_n(
    scores: np.ndarray,
    n: int,
    *,
    exclude: np.ndarray | None = None,
    tie_rank: np.ndarray | None = None,
) -> np.ndarray:
    """Positions of the ``n`` best finite scores, best first.

    Args:
        scores: one score per position; NaN and infinities are never chosen.
        n: how many to return (fewer when fewer are eligible).
        exclude: bool per position, True to leave out.
        tie_rank: per position, lower wins among equal scores (default: the position itself).

    Runs in O(len(scores)) plus a sort of the candidates that tie at the cut-off.
    """
    eligible = np.isfinite(scores)
    if exclude is not None:
        eligible &= ~exclude
    candidates = np.flatnonzero(eligible)
    if n <= 0 or len(candidates) == 0:
        return np.empty(0, dtype=np.int64)
    values = scores[candidates]
    if len(candidates) > n:
        # Everything scoring at least the n-th best value, ties at the cut-off included.
        cutoff = np.partition(values, len(values) - n)[len(values) - n]
        keep = values >= cutoff
        candidates, values = candidates[keep], values[keep]
    ties = candidates if tie_rank is None else tie_rank[candidates]
    order = np.lexsort((ties, -values))
    return candidates[order[:n]]


def first_n(order: np.ndarray, n: int, *, exclude: np.ndarray | None = None) -> np.ndarray:
    """The first ``n`` positions of a fixed ranking ``order`` that ``exclude`` leaves in.

    For a static list (most rated), ranked once: reads at most ``n`` + the excluded count.
    """
    if exclude is None:
        return order[:n]
    head = order[: n + int(np.count_nonzero(exclude))]
    return head[~exclude[head]][:n]
