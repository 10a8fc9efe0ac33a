"""CF scores: known users equal Surprise; fold-in is alternation's fixed point and helps."""

from __future__ import annotations

import numpy as np
import pytest

from staticrec.pipeline import collab
from staticrec.pipeline.train import train_recommender
from staticrec.scoring import collab as cf
from staticrec.scoring.config import ScoringConfig


def model_without(ml, held_out_users):
    """The default model trained without some users (no content index: not needed here)."""
    others = ml.ratings[~ml.ratings.userId.isin(held_out_users)]
    return train_recommender(ml, others, collab.SVDParams(), content_config=None).model


def test_known_user_scores_equal_surprise(recommender, ml_cut, rng):
    algo = collab.train_svd(ml_cut.ratings, (0.5, 5.0), collab.SVDParams())
    model = recommender.model
    for user_id in rng.choice(model.user_ids, 20, replace=False):
        user = model.user_position(int(user_id))
        scores = cf.clip_rating(model, cf.raw_scores(model, *cf.known_user_factors(model, user)))
        for position in rng.choice(np.flatnonzero(model.has_factors), 15):
            expected = algo.predict(int(user_id), int(model.item_ids[position])).est
            assert scores[position] == pytest.approx(expected, abs=1e-4)
    assert np.isnan(cf.raw_scores(model, 0.0, np.zeros(50))[~model.has_factors]).all()


def alternating_fold_in(model, items, ratings, factor_reg, bias_reg, rounds=500):
    """The oracle: solve bu with pu fixed, then pu with bu fixed, until it settles."""
    q, b = model.item_factors[items], model.item_bias[items]
    bu, pu = 0.0, np.zeros(q.shape[1])
    for _ in range(rounds):
        bu = np.sum(ratings - model.global_mean - b - q @ pu) / (len(items) + bias_reg)
        pu = np.linalg.solve(
            q.T @ q + factor_reg * np.eye(q.shape[1]), q.T @ (ratings - model.global_mean - b - bu)
        )
    return bu, pu


def test_fold_in_is_the_fixed_point_of_alternation(recommender, rng):
    model = recommender.model
    items = rng.choice(np.flatnonzero(model.has_factors), 8, replace=False)
    ratings = rng.choice(np.arange(1, 11) / 2, 8)
    bu, pu = cf.fold_in(model, items, ratings, factor_reg=5.0, bias_reg=1.0)
    oracle_bu, oracle_pu = alternating_fold_in(model, items, ratings, 5.0, 1.0)
    assert bu == pytest.approx(oracle_bu, abs=1e-8)
    np.testing.assert_allclose(pu, oracle_pu, atol=1e-8)


def test_fold_in_without_usable_ratings_is_the_baseline(recommender):
    model = recommender.model
    no_factors = np.flatnonzero(~model.has_factors)[:2]
    bu, pu = cf.fold_in(model, no_factors, np.array([5.0, 4.0]), factor_reg=5.0, bias_reg=1.0)
    assert bu == 0.0 and not pu.any()


@pytest.fixture(scope="module")
def held_out(ml_small):
    rng = np.random.default_rng(7)
    counts = ml_small.ratings.groupby("userId").size()
    users = rng.choice(counts.index[counts >= 40].to_numpy(), 60, replace=False)
    return users, model_without(ml_small, users)


@pytest.mark.slow  # trains on the whole of ml-latest-small
@pytest.mark.parametrize("n_onboarding", [5, 10, 20])
def test_fold_in_beats_the_non_personal_baseline(ml_small, held_out, n_onboarding):
    users, model = held_out
    config = ScoringConfig()
    rng = np.random.default_rng(n_onboarding)
    fold_errors, base_errors = [], []
    for user_id in users:
        rows = ml_small.ratings[ml_small.ratings.userId == user_id]
        items = model.positions(rows.movieId.to_numpy())
        ratings = rows.rating.to_numpy()
        order = rng.permutation(len(items))
        known, rest = order[:n_onboarding], order[n_onboarding:]
        rest = rest[model.has_factors[items[rest]]]
        bu, pu = cf.fold_in(
            model,
            items[known],
            ratings[known],
            factor_reg=config.fold_in_factor_reg,
            bias_reg=config.fold_in_bias_reg,
        )
        predicted = cf.clip_rating(model, cf.raw_scores(model, bu, pu))[items[rest]]
        baseline = cf.clip_rating(model, model.global_mean + model.item_bias)[items[rest]]
        fold_errors.append(predicted - ratings[rest])
        base_errors.append(baseline - ratings[rest])
    fold_rmse = np.sqrt(np.mean(np.concatenate(fold_errors) ** 2))
    base_rmse = np.sqrt(np.mean(np.concatenate(base_errors) ** 2))
    print(f"{n_onboarding} ratings: fold-in RMSE {fold_rmse:.4f}, global_mean + bi {base_rmse:.4f}")
    assert fold_rmse < base_rmse - 0.01


def test_popularity_damps_small_counts(full_recommender):
    recommender = full_recommender  # the cut catalogue has no movie with a single rating
    model = recommender.model
    scores = cf.popularity_scores(model, damping=10.0)
    unrated = np.flatnonzero(model.n_ratings == 0)
    assert scores[unrated] == pytest.approx(model.global_mean)
    one_five_star = np.flatnonzero((model.n_ratings == 1) & (model.mean_rating == 5.0))[0]
    assert scores[one_five_star] == pytest.approx((5.0 + 10 * model.global_mean) / 11)
    top = recommender.popular(5)
    assert all(model.n_ratings[model.positions([i.movie_id])[0]] > 50 for i in top)
