"""Study 3, cold start: how well a new visitor is predicted after their first few ratings.

Held-out users onboard with their first 5, 10, 20 ratings by time; their later ratings are then
predicted by fold-in (what the site does), by the global mean + item bias (no personalisation),
and by a full retrain that includes the onboarding ratings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from staticrec import collab
from staticrec.collab import SVDParams
from staticrec.data import MovieLens
from staticrec.evaluation.metrics import rmse
from staticrec.evaluation.protocol import EvaluationConfig
from staticrec.pipeline import train_recommender
from staticrec.scoring import ScoringConfig
from staticrec.scoring import collab as scores


def cold_start_study(
    ml: MovieLens,
    ratings: pd.DataFrame,
    svd: SVDParams,
    config: EvaluationConfig,
    scoring: ScoringConfig | None = None,
) -> pd.DataFrame:
    """RMSE on held-out users' later ratings after onboarding with their first n ratings."""
    scoring = scoring or ScoringConfig()
    rng = np.random.default_rng(config.seed)
    counts = ratings.groupby("userId").size()
    eligible = counts.index[counts >= config.cold_min_ratings].to_numpy()
    cold = rng.choice(eligible, min(config.cold_users, len(eligible)), replace=False)
    others = ratings[~ratings["userId"].isin(cold)]
    model = train_recommender(ml, others, svd, content_config=None).model
    ordered = ratings[ratings["userId"].isin(cold)].sort_values(
        ["userId", "timestamp", "movieId"], kind="stable"
    )
    step = ordered.groupby("userId").cumcount().to_numpy()
    later = ordered[step >= max(config.onboarding)]  # the same ratings are predicted for every n
    later_pos = model.positions(later["movieId"].to_numpy())
    known = model.has_factors[later_pos]
    later, later_pos = later[known], later_pos[known]
    truth = later["rating"].to_numpy()

    def predicted(bias: float, vector: np.ndarray, items: np.ndarray) -> np.ndarray:
        return scores.clip_rating(model, scores.raw_scores(model, bias, vector)[items])

    unpersonalised = predicted(0.0, np.zeros(model.item_factors.shape[1]), later_pos)
    rows = []
    for n in config.onboarding:
        onboard = ordered[step < n]
        folded = np.empty(len(later))
        for user_id, group in onboard.groupby("userId"):
            bias, vector = scores.fold_in(
                model,
                model.positions(group["movieId"].to_numpy()),
                group["rating"].to_numpy(),
                factor_reg=scoring.fold_in_factor_reg,
                bias_reg=scoring.fold_in_bias_reg,
            )
            mine = (later["userId"] == user_id).to_numpy()
            folded[mine] = predicted(bias, vector, later_pos[mine])
        retrained = collab.train_svd(
            collab.surprise_dataset(pd.concat([others, onboard]), ml.rating_scale), svd
        )
        retrain = np.array(
            [
                retrained.predict(int(u), int(m)).est
                for u, m in zip(later["userId"], later["movieId"], strict=True)
            ]
        )
        rows.append(
            {
                "onboarding": n,
                "fold_in": rmse(folded, truth),
                "global_mean_plus_bi": rmse(unpersonalised, truth),
                "retrain": rmse(retrain, truth),
                "users": len(cold),
                "predicted": len(later),
            }
        )
    return pd.DataFrame(rows)
