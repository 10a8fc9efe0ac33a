"""Stage 2b: SVD with the seed's parameters, and factors that predict exactly what Surprise does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staticrec.errors import ConfigError
from staticrec.pipeline.collab import (
    SVDParams,
    export_factors,
    holdout_metrics,
    predict,
    predict_factors,
    surprise_dataset,
    train_svd,
    users_sample,
)


@pytest.fixture(scope="module")
def seed_svd(ml_small):
    return train_svd(ml_small.ratings, (0.5, 5.0), SVDParams.seed())


def factor_prediction(factors, user_id, movie_id):
    u = np.searchsorted(factors.user_ids, user_id)
    i = np.searchsorted(factors.item_ids, movie_id)
    raw = (
        factors.global_mean
        + float(factors.user_bias[u])
        + float(factors.item_bias[i])
        + float(factors.user_factors[u].astype(np.float64) @ factors.item_factors[i])
    )
    return min(5.0, max(0.5, raw))


def test_seed_prediction_for_user_105_and_movie_77455(seed_svd):
    factors = export_factors(seed_svd)
    assert seed_svd.predict(105, 77455).est == pytest.approx(4.656, abs=5e-4)
    assert factor_prediction(factors, 105, 77455) == pytest.approx(4.656, abs=5e-4)


def test_factor_predictions_equal_surprise_for_sampled_pairs(seed_svd, ml_small, rng):
    factors = export_factors(seed_svd)
    users = rng.choice(factors.user_ids, 300)
    movies = rng.choice(factors.item_ids, 300)
    pairs = list(zip(users, movies, strict=True))
    ours = np.array([factor_prediction(factors, u, m) for u, m in pairs])
    theirs = np.array([seed_svd.predict(int(u), int(m)).est for u, m in pairs])
    # float32 factors: agreement to about 1e-5, far below a rating's resolution
    np.testing.assert_allclose(ours, theirs, atol=1e-4)


def test_predictions_above_the_scale_are_clipped_like_surprise(seed_svd):
    factors = export_factors(seed_svd)
    u = int(np.argmax(factors.user_bias))
    raw = (
        factors.global_mean
        + factors.user_bias[u]
        + factors.item_bias
        + factors.item_factors.astype(np.float64) @ factors.user_factors[u]
    )
    i = int(np.argmax(raw))
    assert raw[i] > 5.0
    user_id, movie_id = int(factors.user_ids[u]), int(factors.item_ids[i])
    assert factor_prediction(factors, user_id, movie_id) == 5.0
    assert seed_svd.predict(user_id, movie_id).est == 5.0


def test_factors_are_sorted_float32(seed_svd):
    factors = export_factors(seed_svd)
    assert np.all(np.diff(factors.user_ids) > 0) and np.all(np.diff(factors.item_ids) > 0)
    assert factors.item_factors.dtype == np.float32 and factors.item_factors.shape == (9_724, 50)
    assert factors.user_factors.shape == (610, 50)


@pytest.mark.parametrize("kwargs", [{"n_factors": 0}, {"lr_all": -1.0}, {"reg_pu": -0.1}])
def test_bad_svd_params(kwargs):
    with pytest.raises(ConfigError):
        SVDParams(**kwargs)


def test_the_array_trainset_learns_surprises_factors_to_the_bit(ml_small):
    """Same ratings, same order, same inner ids as Surprise's own trainset: same SVD."""
    from surprise import SVD

    ratings = ml_small.ratings.sample(frac=0.3, random_state=1)  # rows out of id order
    params = SVDParams(n_factors=8, n_epochs=5)
    ours = export_factors(train_svd(ratings, (0.5, 5.0), params))
    theirs_algo = SVD(**params.surprise_kwargs())
    theirs_algo.fit(surprise_dataset(ratings, (0.5, 5.0)).build_full_trainset())
    theirs = export_factors(theirs_algo)
    assert ours.global_mean == theirs.global_mean
    for name in ("user_ids", "user_bias", "user_factors", "item_ids", "item_bias", "item_factors"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name), err_msg=name)
    ours_algo = train_svd(ratings, (0.5, 5.0), params)
    movie = int(ratings["movieId"].iloc[0])
    for user in (int(ratings["userId"].iloc[0]), -5):  # a known user, and one it never saw
        assert ours_algo.predict(user, movie).est == theirs_algo.predict(user, movie).est


def test_a_capped_holdout_draws_whole_users_within_the_cap(ml_small):
    ratings = ml_small.ratings
    sample = users_sample(ratings, 20_000, seed=0)
    assert 10_000 < len(sample) <= 20_000
    chosen = sample["userId"].unique()
    assert len(sample) == ratings["userId"].isin(chosen).sum()  # every rating of each user
    assert sample.index.is_monotonic_increasing  # rows keep their order
    assert not users_sample(ratings, 20_000, seed=1).equals(sample)
    scores = holdout_metrics(ratings, (0.5, 5.0), SVDParams.seed(), max_ratings=20_000)
    assert scores["sample"] == {"users": len(chosen), "ratings": len(sample)}
    assert 0.7 < scores["rmse"] < 1.1
    assert "sample" not in holdout_metrics(sample, (0.5, 5.0), SVDParams.seed(), max_ratings=20_000)


def test_the_holdout_is_surprises_train_test_split_figure_for_figure(ml_small):
    """Same split, same model, same predictions: the same RMSE and MAE as Surprise's own
    train_test_split + fit + test, without its per-rating Python."""
    from surprise import SVD, accuracy
    from surprise.model_selection import train_test_split

    ratings = ml_small.ratings.sample(frac=0.25, random_state=2)
    params = SVDParams(n_factors=10, n_epochs=8)
    ours = holdout_metrics(ratings, (0.5, 5.0), params, test_size=0.2, random_state=3)
    trainset, testset = train_test_split(
        surprise_dataset(ratings, (0.5, 5.0)), test_size=0.2, random_state=3
    )
    algo = SVD(**params.surprise_kwargs())
    algo.fit(trainset)
    predictions = algo.test(testset)
    assert ours["rmse"] == pytest.approx(accuracy.rmse(predictions, verbose=False), abs=1e-12)
    assert ours["mae"] == pytest.approx(accuracy.mae(predictions, verbose=False), abs=1e-12)


def test_vectorised_predictions_equal_surprises_known_or_not(ml_small):
    algo = train_svd(ml_small.ratings.iloc[:20_000], (0.5, 5.0), SVDParams(n_epochs=5))
    pairs = pd.DataFrame(
        {"userId": [1, 1, 999_999, 999_999, 5], "movieId": [1, 999_999, 1, 999_999, 50]}
    )
    expected = [algo.predict(u, m).est for u, m in zip(pairs.userId, pairs.movieId, strict=True)]
    np.testing.assert_allclose(predict(algo, pairs), expected, rtol=0, atol=1e-12)


def test_exported_factors_predict_what_surprise_predicts(seed_svd, ml_small):
    """predict_factors (any trainer's factors) against Surprise's own predict: known pairs,
    an unknown user, an unknown movie, both unknown; clipped alike."""
    pairs = ml_small.ratings.sample(2_000, random_state=4)[["userId", "movieId"]]
    odd = pd.DataFrame({"userId": [1, 99_999, 99_999], "movieId": [99_999, 1, 99_998]})
    pairs = pd.concat([pairs, odd], ignore_index=True)
    ours = predict_factors(export_factors(seed_svd), pairs, (0.5, 5.0))
    theirs = [seed_svd.predict(u, i).est for u, i in pairs.itertuples(index=False)]
    np.testing.assert_allclose(ours, theirs, atol=1e-5)  # float32 factors
