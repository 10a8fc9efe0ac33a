"""All three studies together: the figures the report and the manifest show."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import pandas as pd

from staticrec.evaluation.accuracy import accuracy_models, rating_accuracy
from staticrec.evaluation.cold_start import cold_start_study
from staticrec.evaluation.protocol import EvaluationConfig, sample_users
from staticrec.evaluation.ranking import (
    joint_choice,
    ranking_study,
    setting_at,
    validation_sweep,
)
from staticrec.pipeline import collab
from staticrec.pipeline.collab import SVDParams
from staticrec.pipeline.collab_index import CollabIndexConfig
from staticrec.pipeline.content import ContentConfig
from staticrec.pipeline.data import MovieLens
from staticrec.pipeline.tuning import TuningConfig, search
from staticrec.scoring import FusionParams, ScoringConfig

log = logging.getLogger("staticrec")


@dataclass
class Evaluation:
    """Every table the report shows, and the figures that go into the manifest."""

    accuracy: pd.DataFrame
    tuning: pd.DataFrame
    tuned: SVDParams
    ranking: pd.DataFrame
    """The first protocol's ranking table (the one the site's settings come from)."""
    validation_sweep: pd.DataFrame
    chosen: ScoringConfig
    """The site's scoring settings as the first protocol's validation split chose them."""
    protocols: pd.DataFrame
    """Every protocol's ranking table, one above the other (column ``protocol``), with the
    beyond-accuracy figures."""
    chosen_by_protocol: dict[str, ScoringConfig]
    """What each protocol's validation split alone would choose (``chosen`` is the best on
    all of them at once)."""
    validation_sweeps: dict[str, pd.DataFrame]
    """Each protocol's validation sweep (the same settings, row for row)."""
    cold_start: pd.DataFrame
    """RMSE of new visitors' later ratings, by onboarding ratings."""
    visitors: pd.DataFrame
    """NDCG@10 of what new visitors are shown: list, onboarding, ndcg."""
    visitor_validation: pd.DataFrame
    """The visitors' blends on validation visitors."""
    visitor_blend: FusionParams
    """The visitors' blend validation chose."""
    rating_counts: pd.Series
    users: int
    split: dict
    folds: int
    grid_points: int
    """Combinations in the tuning grid."""
    test_fraction: float

    def summary(self) -> dict:
        """The figures stored in manifest.json under metrics.evaluation (NaN becomes null)."""
        ranking = self.ranking.set_index("list")
        summary = {
            "accuracy_cv": {
                r.model: {"rmse": r.rmse, "mae": r.mae} for r in self.accuracy.itertuples()
            },
            "ranking_at_10": {
                name: {
                    k: float(row[k]) for k in ("precision", "recall", "ndcg", "coverage", "novelty")
                }
                for name, row in ranking.iterrows()
            },
            "chosen_on_validation": chosen_summary(self.chosen),
            "ranking_at_10_by_protocol": {
                protocol: {
                    row["list"]: {k: float(row[k]) for k in PROTOCOL_FIGURES}
                    for _, row in table.iterrows()
                }
                for protocol, table in self.protocols.groupby("protocol", sort=False)
            },
            "chosen_by_protocol": {
                protocol: chosen_summary(chosen)
                for protocol, chosen in self.chosen_by_protocol.items()
            },
            "cold_start_rmse": self.cold_start.drop(columns=["users", "predicted"]).to_dict(
                orient="records"
            ),
            "visitors_ndcg_at_10": {
                name: dict(zip(group["onboarding"].astype(str), group["ndcg"], strict=True))
                for name, group in self.visitors.groupby("list", sort=False)
            },
            "visitor_blend": self.visitor_blend.as_dict(),
            "users_evaluated": self.users,
            "folds": self.folds,
        }
        return _finite(summary)


PROTOCOL_FIGURES = (
    "ndcg",
    "precision",
    "recall",
    "movies",
    "pick_ratings",
    "self_information",
    "diversity",
    "most_rated_share",
)
"""The figures the manifest keeps of each list on each protocol."""


def _with_knn(ratings, config: EvaluationConfig) -> bool:
    """Whether the accuracy table gets its KNNBaseline row: not above ``knn_max_items``."""
    n_items = ratings["movieId"].nunique()
    if config.knn and n_items > config.knn_max_items:
        log.warning(
            "evaluate: KNNBaseline left out: %s rated movies would need a %.1f GB similarity "
            "matrix (limit %s movies)",
            f"{n_items:,}",
            n_items**2 * 8 / 1e9,
            f"{config.knn_max_items:,}",
        )
        return False
    return config.knn


def evaluate(
    ml: MovieLens,
    svd: SVDParams,
    content_config: ContentConfig,
    config: EvaluationConfig,
    progress: bool = False,
    collab_config: CollabIndexConfig | None = None,
) -> Evaluation:
    """Run all three studies (and the tuning the accuracy table needs)."""
    collab_config = collab_config or CollabIndexConfig()
    ratings = sample_users(ml.ratings, config.max_users, config.seed)
    data = collab.surprise_dataset(ratings, ml.rating_scale)
    tuned = search(
        data,
        config.tuning_grid.base,
        TuningConfig(
            grid=config.tuning_grid.values,
            method=config.tuning_method,
            n_jobs=config.n_jobs,
            progress=progress,
        ),
    )
    accuracy = rating_accuracy(
        data, accuracy_models(svd, tuned.best, _with_knn(ratings, config)), config
    )
    # one setting for the site, chosen on every protocol's validation split at once; then each
    # protocol's test split is scored once, with it
    inputs = (ml, ratings, svd, content_config, collab_config, config)
    sweeps = {protocol: validation_sweep(*inputs, protocol) for protocol in config.protocols}
    chosen = joint_choice(list(sweeps.values()), config)
    studies = {
        protocol: ranking_study(*inputs, protocol, sweeps[protocol], chosen)
        for protocol in config.protocols
    }
    ranking = studies[config.protocols[0]]
    cold = cold_start_study(ml, ratings, svd, config)
    return Evaluation(
        accuracy=accuracy,
        tuning=tuned.table,
        tuned=tuned.best,
        ranking=ranking["table"],
        validation_sweep=ranking["validation_sweep"],
        chosen=ranking["chosen"],
        protocols=pd.concat([s["table"] for s in studies.values()], ignore_index=True),
        chosen_by_protocol={
            protocol: setting_at(config, int(table["ndcg"].to_numpy().argmax()))
            for protocol, table in sweeps.items()
        },
        validation_sweeps=sweeps,
        cold_start=cold["rmse"],
        visitors=cold["ranking"],
        visitor_validation=cold["validation"],
        visitor_blend=cold["blend"],
        rating_counts=ratings["rating"].value_counts().sort_index(),
        users=int(ratings["userId"].nunique()),
        split=ranking["split"],
        folds=config.folds,
        grid_points=config.grid_points,
        test_fraction=config.test_fraction,
    )


def chosen_summary(chosen: ScoringConfig) -> dict:
    """The settings validation chose, as the manifest and the report show them."""
    return {
        "fusion": chosen.fusion.as_dict(),
        "svd_popularity": chosen.svd_popularity,
        "collab_rating_offset": chosen.collab_rating_offset,
        "collab_recency": chosen.collab_recency,
    }


def _finite(value):
    """``value`` with every NaN or infinity (an empty study) replaced by None, for JSON."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
