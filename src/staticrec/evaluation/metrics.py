"""The measures: top-n ranking quality against held-out relevant movies, and rating error."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np


def ranking_metrics(
    recommended: Mapping[int, Sequence[int]],
    relevant: Mapping[int, set[int]],
    popularity_rank: Mapping[int, int],
    n_items: int,
    n: int,
) -> dict[str, float]:
    """precision@n, recall@n, NDCG@n (binary relevance), catalogue coverage, novelty.

    Novelty is the mean popularity rank of what is recommended (1 = the most-rated movie):
    higher means less obvious recommendations.
    """
    discounts = 1.0 / np.log2(np.arange(2, n + 2))
    precision, recall, ndcg, ranks = [], [], [], []
    shown: set[int] = set()
    for user, items in recommended.items():
        items = list(items)[:n]
        wanted = relevant[user]
        gains = np.array([1.0 if i in wanted else 0.0 for i in items])
        hits = gains.sum()
        precision.append(hits / n)
        recall.append(hits / len(wanted))
        ideal = discounts[: min(len(wanted), n)].sum()
        ndcg.append(float(gains @ discounts[: len(items)]) / ideal)
        ranks.extend(popularity_rank[i] for i in items)
        shown.update(items)
    return {
        "precision": float(np.mean(precision)),
        "recall": float(np.mean(recall)),
        "ndcg": float(np.mean(ndcg)),
        "coverage": len(shown) / n_items,
        "novelty": float(np.mean(ranks)) if ranks else float("nan"),
        "users": len(recommended),
    }


def rmse(predicted: np.ndarray, truth: np.ndarray) -> float:
    return float(math.sqrt(np.mean((predicted - truth) ** 2)))
