"""Stage 2c: our progress-reporting grid search is Surprise's GridSearchCV, fold for fold."""

from __future__ import annotations

from dataclasses import replace

import pytest
from surprise import SVD
from surprise.model_selection import GridSearchCV, KFold

from datasets import write_dataset
from staticrec.errors import ConfigError
from staticrec.pipeline.collab import SVDParams, surprise_dataset
from staticrec.pipeline.data import load_movielens
from staticrec.pipeline.tuning import SEED_GRID, TuningConfig, grid_candidates, grid_search, search

SMALL_GRID = {"n_factors": (5, 10), "reg_all": (0.02, 0.1)}


@pytest.fixture(scope="module")
def sample_data(ml_small):
    users = sorted(ml_small.ratings["userId"].unique())[:120]
    return surprise_dataset(ml_small.ratings[ml_small.ratings.userId.isin(users)], (0.5, 5.0))


def test_matches_surprise_grid_search_cv(sample_data):
    base = replace(SVDParams.seed(), n_epochs=5)  # Surprise's own defaults otherwise
    ours = grid_search(sample_data, base, TuningConfig(grid=SMALL_GRID, n_jobs=1, progress=False))
    theirs = GridSearchCV(
        SVD,
        {k: list(v) for k, v in SMALL_GRID.items()} | {"n_epochs": [5], "random_state": [42]},
        measures=["rmse", "mae"],
        cv=KFold(3, random_state=0, shuffle=True),
    )
    theirs.fit(sample_data)
    assert ours.best_scores["rmse"] == pytest.approx(theirs.best_score["rmse"], abs=1e-12)
    assert ours.best_scores["mae"] == pytest.approx(theirs.best_score["mae"], abs=1e-12)
    best = theirs.best_params["rmse"]
    assert (ours.best.n_factors, ours.best.reg_all) == (best["n_factors"], best["reg_all"])
    assert len(ours.table) == 4
    assert list(ours.table["rank_test_rmse"]) == [1, 2, 3, 4]
    assert {"split0_test_rmse", "mean_test_mae", "std_test_rmse"} <= set(ours.table.columns)


def test_seed_grid_has_81_combinations():
    assert len(grid_candidates(SEED_GRID, SVDParams())) == 81


def test_unknown_grid_parameter():
    with pytest.raises(ConfigError, match="unknown SVD parameter"):
        TuningConfig(grid={"n_factor": (5,)})


def test_tiny_dataset_grid_runs(tmp_path):
    ml = load_movielens(write_dataset(tmp_path / "d"), name="tiny")
    result = grid_search(
        surprise_dataset(ml.ratings, (0.5, 5.0)),
        SVDParams(n_epochs=2),
        TuningConfig(grid={"n_factors": (2, 3)}, folds=2, n_jobs=1, progress=False),
    )
    assert result.best.n_factors in (2, 3)


def test_halving_screens_on_one_fold_then_cross_validates_the_best_third(sample_data):
    grid = {"n_factors": (3, 6, 9), "n_epochs": (2, 4, 6), "reg_all": (0.02, 0.1, 0.5)}
    config = TuningConfig(grid=grid, method="halving", n_jobs=1, progress=False)
    halving = search(sample_data, SVDParams(), config)
    table = halving.table
    assert sorted(table.groupby("rung").size().tolist()) == [1, 3, 9]
    assert table.groupby("rung")["folds"].first().tolist() == [1, 3, 3]
    assert sorted(table.groupby("rung")["param_n_epochs"].first().tolist()) == [2, 4, 6]
    # the winner was cross-validated on every fold, and its score is the grid search's score
    full = search(sample_data, SVDParams(), TuningConfig(grid=grid, n_jobs=1, progress=False))
    row = full.table[
        (full.table.param_n_factors == halving.best.n_factors)
        & (full.table.param_n_epochs == halving.best.n_epochs)
        & (full.table.param_reg_all == halving.best.reg_all)
    ]
    assert halving.best_scores["rmse"] == pytest.approx(row["mean_test_rmse"].item(), abs=1e-12)
    assert halving.best_scores["rmse"] >= full.best_scores["rmse"]
    assert len(full.table) == 27


def test_halving_needs_an_epoch_ladder():
    with pytest.raises(ConfigError, match="at least two n_epochs values"):
        TuningConfig(grid={"n_factors": (5, 10)}, method="halving")
