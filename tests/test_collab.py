"""Stage 2b: SVD with the seed's parameters, and factors that predict exactly what Surprise does."""

from __future__ import annotations

import numpy as np
import pytest

from staticrec.collab import SVDParams, export_factors, surprise_dataset, train_svd
from staticrec.errors import ConfigError


@pytest.fixture(scope="module")
def seed_svd(ml_small):
    return train_svd(surprise_dataset(ml_small.ratings, (0.5, 5.0)), SVDParams.seed())


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
