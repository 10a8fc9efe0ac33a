"""Collaborative scores: SVD predictions for known users, fold-in for new ones, popularity.

This is the query half, run in the browser; the build half, which trains the SVD with
Surprise and exports its factors, is ``staticrec.pipeline.collab``.

SVD predicts ``global_mean + bu + bi + qi . pu``. Rankings use that raw value; the rating shown
to people is clipped to the scale (as Surprise clips), so clipped ties never blur an order.
"""

from __future__ import annotations

import numpy as np

from staticrec.scoring.model import Model


def raw_scores(model: Model, user_bias: float, user_vector: np.ndarray) -> np.ndarray:
    """Unclipped predicted rating of every item; NaN for items SVD never saw."""
    scores = model.global_mean + user_bias + model.item_bias + model.item_factors @ user_vector
    scores[model.without_factors] = np.nan  # a handful of movies: cheaper than np.where
    return scores


def clip_rating(model: Model, scores: np.ndarray) -> np.ndarray:
    """Predictions as Surprise reports them: clipped to the rating scale."""
    low, high = model.rating_scale
    return np.clip(scores, low, high)


def known_user_factors(model: Model, user: int) -> tuple[float, np.ndarray]:
    """(bu, pu) of the known user at position ``user``."""
    return float(model.user_bias[user]), model.user_factors[user]


def fold_in(
    model: Model,
    items: np.ndarray,
    ratings: np.ndarray,
    *,
    factor_reg: float,
    bias_reg: float,
) -> tuple[float, np.ndarray]:
    """Place a new user in the trained model from a few (item position, rating) pairs.

    Item factors and biases stay fixed; the user's bias ``bu`` and vector ``pu`` minimise

        sum_j (r_j - mu - b_j - bu - q_j . pu)^2 + bias_reg * bu^2 + factor_reg * |pu|^2.

    This is ridge regression on the design ``[1 | Q_J]``, solved exactly in one (k+1)-sized
    system: the point that alternating "solve bu, then pu" converges to. Strong regularisation
    keeps a handful of ratings from overfitting: with none, the answer is (0, 0), i.e. the
    non-personalised ``mu + b_j``.

    Args:
        items: positions of rated items; items without factors are ignored.
        ratings: the ratings, aligned with ``items``.
        factor_reg: penalty on |pu|^2.
        bias_reg: penalty on bu^2.
    """
    items = np.asarray(items, dtype=np.int64)
    ratings = np.asarray(ratings, dtype=np.float64)
    known = model.has_factors[items]
    items, ratings = items[known], ratings[known]
    k = model.item_factors.shape[1]
    if len(items) == 0:
        return 0.0, np.zeros(k)
    design = np.hstack([np.ones((len(items), 1)), model.item_factors[items]])
    residual = ratings - model.global_mean - model.item_bias[items]
    penalty = np.diag(np.concatenate([[bias_reg], np.full(k, factor_reg)]))
    solution = np.linalg.solve(design.T @ design + penalty, design.T @ residual)
    return float(solution[0]), solution[1:]


def popularity_scores(model: Model, damping: float) -> np.ndarray:
    """Damped mean rating: the mean pulled towards the global mean by ``damping`` pseudo-ratings.

    A movie with two 5-star ratings does not outrank one with hundreds of 4.5s. Unrated movies
    score the global mean.
    """
    counts = model.n_ratings.astype(np.float64)
    sums = np.nan_to_num(model.mean_rating) * counts
    return (sums + damping * model.global_mean) / (counts + damping)
