"""Study 1, rating accuracy: seeded k-fold RMSE and MAE of Surprise models side by side."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from surprise import SVD, AlgoBase, BaselineOnly, KNNBaseline
from surprise.model_selection import KFold
from surprise.model_selection import cross_validate as surprise_cross_validate

from staticrec.evaluation.protocol import EvaluationConfig
from staticrec.pipeline.collab import SVDParams


class GlobalMean(AlgoBase):
    """Predicts the training mean for everything: the floor every model must beat."""

    def fit(self, trainset):
        AlgoBase.fit(self, trainset)
        return self

    def estimate(self, u, i):
        return self.trainset.global_mean


def accuracy_models(svd: SVDParams, tuned: SVDParams, knn: bool) -> dict:
    """Name -> factory of each model in the accuracy table."""
    models = {
        "global mean": GlobalMean,
        "BaselineOnly": lambda: BaselineOnly(verbose=False),
        "KNNBaseline (item-based)": lambda: KNNBaseline(
            sim_options={"name": "pearson_baseline", "user_based": False}, verbose=False
        ),
        "SVD, seed parameters": lambda: SVD(**SVDParams.seed().surprise_kwargs()),
        "SVD, tuned on the seed grid": lambda: SVD(**tuned.surprise_kwargs()),
        "SVD, staticrec default": lambda: SVD(**svd.surprise_kwargs()),
    }
    if not knn:
        del models["KNNBaseline (item-based)"]
    return models


def rating_accuracy(data, models: Mapping, config: EvaluationConfig) -> pd.DataFrame:
    """Mean and per-fold RMSE/MAE of each model on the same seeded folds."""
    rows = []
    for name, make in models.items():
        folds = KFold(n_splits=config.folds, random_state=config.fold_seed, shuffle=True)
        result = surprise_cross_validate(
            make(), data, measures=["rmse", "mae"], cv=folds, n_jobs=config.n_jobs
        )
        rows.append(
            {
                "model": name,
                "rmse": float(np.mean(result["test_rmse"])),
                "rmse_std": float(np.std(result["test_rmse"])),
                "mae": float(np.mean(result["test_mae"])),
            }
        )
    return pd.DataFrame(rows)
