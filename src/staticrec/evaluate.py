"""Stage 5 (optional): how good each list is, for rating prediction and for a visitor's top 10.

Three studies, each on its own fixed split:

1. Rating accuracy: seeded 5-fold cross-validation (RMSE, MAE) of a global mean, BaselineOnly,
   item-based KNNBaseline, SVD with the seed's parameters, SVD tuned by halving search on the
   seed's grid, and SVD with staticrec's defaults.
2. Ranking: per user, the latest 20% of ratings by timestamp are held out; relevant = held-out
   ratings of 4.0 or more; candidates = every movie the user did not rate in training. Lists:
   popularity, content (the favourite is the user's best-rated training movie), CF, and their
   RRF fusion. Fusion weights and k are chosen on a validation split cut the same way from the
   training ratings, never on the test split.
3. Cold start: held-out users onboard with their first 5, 10, 20 ratings; their later ratings
   are predicted by fold-in, by the global mean + item bias, and by a retrain that includes the
   onboarding ratings.

Every list comes from ``staticrec.scoring``: the code the site runs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
from surprise import SVD, AlgoBase, BaselineOnly, KNNBaseline
from surprise.model_selection import KFold
from surprise.model_selection import cross_validate as surprise_cross_validate

from staticrec import collab, content, export
from staticrec.artifacts import recommender_from_tables
from staticrec.data import MovieLens
from staticrec.errors import ConfigError
from staticrec.scoring import FusionParams, Ranked, Recommender, ScoringConfig, rrf
from staticrec.scoring import cf as cf_scores
from staticrec.tuning import SEED_GRID, TuningConfig, search


@dataclass(frozen=True)
class EvaluationConfig:
    """What the evaluation runs; the defaults are the full protocol."""

    folds: int = 5
    """Cross-validation folds for rating accuracy."""
    fold_seed: int = 0
    """Seed of the KFold shuffle."""
    n: int = 10
    """List length: metrics are @n."""
    test_fraction: float = 0.2
    """Latest share of each user's ratings held out for ranking."""
    validation_fraction: float = 0.2
    """Latest share of each user's training ratings used to choose the fusion parameters."""
    relevance: float = 4.0
    """A held-out rating at or above this is relevant."""
    cf_weights: tuple[float, ...] = (0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0)
    """Fusion sweep: CF weights (the content weight is 1 - w)."""
    rrf_ks: tuple[int, ...] = (1, 10, 60, 200)
    """Fusion sweep: values of RRF's k."""
    cf_min_ratings: tuple[int, ...] = (0, 10, 20, 50)
    """Sweep: the fewest ratings a movie needs to enter the CF list (SVD trained for RMSE puts
    movies with a handful of high ratings on top; a floor keeps them out)."""
    onboarding: tuple[int, ...] = (5, 10, 20)
    """Cold start: numbers of onboarding ratings."""
    cold_users: int = 100
    """Cold start: users held out of training."""
    cold_min_ratings: int = 40
    """Cold start: only users with at least this many ratings are held out."""
    knn: bool = True
    """Include item-based KNNBaseline in the accuracy table (the slowest model)."""
    tuning_grid: Mapping[str, Sequence] = field(default_factory=lambda: dict(SEED_GRID))
    """Grid of the tuned SVD (3-fold cross-validation over the seed's other parameters)."""
    tuning_method: str = "grid"
    """``grid`` (every combination, for the report's heatmap) or ``halving`` (faster)."""
    max_users: int | None = None
    """Evaluate on a random sample of this many users (a quick smoke run); None: all."""
    seed: int = 0
    """Seed for sampling users."""
    n_jobs: int = -1
    """Parallel workers for cross-validation."""

    @classmethod
    def quick(cls) -> EvaluationConfig:
        """A smoke run in seconds: 120 users, 3 folds, a 4-point grid, no KNN."""
        return cls(
            folds=3,
            max_users=120,
            knn=False,
            cold_users=30,
            cf_weights=(0.0, 0.6, 1.0),
            rrf_ks=(60,),
            cf_min_ratings=(0, 20),
            tuning_grid={"n_factors": (20, 50), "n_epochs": (10, 20), "reg_all": (0.02, 0.1)},
        )

    def __post_init__(self) -> None:
        if not 0 < self.test_fraction < 1 or not 0 < self.validation_fraction < 1:
            raise ConfigError("test and validation fractions must lie strictly between 0 and 1")
        if self.folds < 2:
            raise ConfigError(f"cross-validation needs at least 2 folds, not {self.folds}")


class GlobalMean(AlgoBase):
    """Predicts the training mean for everything: the floor every model must beat."""

    def fit(self, trainset):
        AlgoBase.fit(self, trainset)
        return self

    def estimate(self, u, i):
        return self.trainset.global_mean


# -- 1. rating accuracy -------------------------------------------------------------------------


def accuracy_models(svd: collab.SVDParams, tuned: collab.SVDParams, knn: bool) -> dict:
    """Name -> factory of each model in the accuracy table."""
    models = {
        "global mean": GlobalMean,
        "BaselineOnly": BaselineOnly,
        "KNNBaseline (item-based)": lambda: KNNBaseline(
            sim_options={"name": "pearson_baseline", "user_based": False}, verbose=False
        ),
        "SVD, seed parameters": lambda: SVD(**collab.SVDParams.seed().surprise_kwargs()),
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


# -- 2. ranking ---------------------------------------------------------------------------------


def temporal_split(ratings: pd.DataFrame, fraction: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test): each user's latest ``fraction`` of ratings (by timestamp) is the test."""
    ordered = ratings.sort_values(["userId", "timestamp", "movieId"], kind="stable")
    from_end = ordered.groupby("userId").cumcount(ascending=False).to_numpy()
    sizes = ordered.groupby("userId")["movieId"].transform("size").to_numpy()
    held = from_end < np.floor(sizes * fraction)
    return ordered[~held].reset_index(drop=True), ordered[held].reset_index(drop=True)


def train_recommender(
    ml: MovieLens,
    ratings: pd.DataFrame,
    svd: collab.SVDParams,
    content_config: content.ContentConfig | None,
    scoring: ScoringConfig | None = None,
) -> Recommender:
    """The whole build, in memory, on ``ratings`` only: what the site would run.

    ``content_config`` None leaves the content index empty (for studies that do not use it).

    ``Recommender(result.model, other_config)`` reuses the trained model with other settings.
    """
    trained = replace(ml, ratings=ratings)
    if content_config is None:  # a study that never asks for content lists skips the index
        n = len(ml.movies)
        index = content.NeighborIndex(
            np.zeros(n + 1, np.int64), np.empty(0, np.int32), np.empty(0, np.float32)
        )
    else:
        index, _ = content.build_content_index(trained, content_config)
    factors = collab.export_factors(
        collab.train_svd(collab.surprise_dataset(ratings, ml.rating_scale), svd)
    )
    tables = export.artifact_tables(trained, factors, index)
    meta = {
        "global_mean": factors.global_mean,
        "n_factors": factors.n_factors,
        "rating_scale": list(ml.rating_scale),
    }
    return recommender_from_tables(tables, meta, scoring)


@dataclass(frozen=True)
class UserLists:
    """One user's ranked lists (movieIds, best first) and what they will be scored against."""

    popularity: list[int]
    content: list[Ranked]
    cf: list[Ranked]
    relevant: set[int]


def user_lists(recommender: Recommender, relevant: Mapping[int, set[int]], n: int) -> dict:
    """userId -> UserLists, for users that have a relevant held-out movie."""
    model = recommender.model
    lists = {}
    for user_id, wanted in relevant.items():
        user = model.user_position(user_id)
        if user < 0 or not wanted:
            continue
        answer = recommender.for_user(user_id)
        seen = np.zeros(model.n_items, dtype=bool)
        seen[model.rated_by(user)[0]] = True
        lists[user_id] = UserLists(
            popularity=[i.movie_id for i in recommender.popular(n, exclude=seen)],
            content=[Ranked(i.movie_id, i.similarity) for i in answer.content],
            cf=[Ranked(i.movie_id, i.predicted_rating) for i in answer.cf],
            relevant=wanted,
        )
    return lists


def relevant_items(test: pd.DataFrame, threshold: float) -> dict[int, set[int]]:
    liked = test[test["rating"] >= threshold]
    return {int(u): set(g["movieId"].astype(int)) for u, g in liked.groupby("userId")}


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


def fused(lists: Mapping[int, UserLists], params: FusionParams) -> dict[int, list[int]]:
    return {u: [f.movie_id for f in rrf(ul.cf, ul.content, params)] for u, ul in lists.items()}


def fusion_sweep(
    lists: Mapping[int, UserLists], recommender: Recommender, config: EvaluationConfig
) -> pd.DataFrame:
    """Metrics of the fusion for every (CF weight, k) in the sweep, on the given lists."""
    relevant = {u: ul.relevant for u, ul in lists.items()}
    ranks = _popularity_ranks(recommender)
    rows = []
    for weight in config.cf_weights:
        for k in config.rrf_ks:
            params = FusionParams(
                cf_weight=weight, content_weight=round(1 - weight, 10), k=k, n=config.n
            )
            metrics = ranking_metrics(
                fused(lists, params), relevant, ranks, recommender.model.n_items, config.n
            )
            rows.append(
                {
                    "cf_min_ratings": recommender.config.cf_min_ratings,
                    "cf_weight": weight,
                    "k": k,
                    **metrics,
                }
            )
    return pd.DataFrame(rows)


def _popularity_ranks(recommender: Recommender) -> dict[int, int]:
    model = recommender.model
    return dict(
        zip(model.item_ids.tolist(), (recommender.popularity_rank + 1).tolist(), strict=True)
    )


def ranking_study(
    ml: MovieLens,
    ratings: pd.DataFrame,
    svd: collab.SVDParams,
    content_config: content.ContentConfig,
    config: EvaluationConfig,
) -> dict:
    """Lists and metrics on the test split; fusion settings chosen on the validation split."""
    train, test = temporal_split(ratings, config.test_fraction)
    fit, validation = temporal_split(train, config.validation_fraction)

    chooser = train_recommender(ml, fit, svd, content_config).model
    val_relevant = relevant_items(validation, config.relevance)
    sweep = pd.concat(
        [
            fusion_sweep(user_lists(candidate, val_relevant, config.n), candidate, config)
            for candidate in (
                Recommender(chooser, ScoringConfig(cf_min_ratings=m)) for m in config.cf_min_ratings
            )
        ],
        ignore_index=True,
    )
    chosen = sweep.sort_values(["ndcg", "cf_weight"], ascending=[False, False], kind="stable").iloc[
        0
    ]
    chosen_params = FusionParams(
        cf_weight=float(chosen["cf_weight"]),
        content_weight=round(1 - float(chosen["cf_weight"]), 10),
        k=int(chosen["k"]),
        n=config.n,
    )
    chosen_min = int(chosen["cf_min_ratings"])

    final = train_recommender(ml, train, svd, content_config).model
    relevant = relevant_items(test, config.relevance)
    # the seed's setting: no floor on the CF list
    plain = user_lists(Recommender(final, ScoringConfig(cf_min_ratings=0)), relevant, config.n)
    floored = user_lists(
        Recommender(final, ScoringConfig(cf_min_ratings=chosen_min)), relevant, config.n
    )
    ranks = _popularity_ranks(Recommender(final))
    wanted = {u: ul.relevant for u, ul in plain.items()}

    def score(recommended):
        return ranking_metrics(recommended, wanted, ranks, final.n_items, config.n)

    def cf_only(lists):
        return {u: [r.movie_id for r in ul.cf] for u, ul in lists.items()}

    seed_params = FusionParams(n=config.n)
    rows = [
        ("popularity (damped mean)", {u: ul.popularity for u, ul in plain.items()}),
        (
            "content (favourite: best-rated movie)",
            {u: [r.movie_id for r in ul.content] for u, ul in plain.items()},
        ),
        ("CF (SVD)", cf_only(plain)),
        (f"CF (SVD), movies with >= {chosen_min} ratings", cf_only(floored)),
        ("hybrid, seed: 0.6/0.4, k=60", fused(plain, seed_params)),
        (f"hybrid, seed weights, CF >= {chosen_min} ratings", fused(floored, seed_params)),
        (
            f"hybrid, chosen: {chosen_params.cf_weight:g}/{chosen_params.content_weight:g}, "
            f"k={chosen_params.k}, CF >= {chosen_min} ratings",
            fused(floored, chosen_params),
        ),
    ]
    table = pd.DataFrame([{"list": name, **score(lists)} for name, lists in rows])
    return {
        "table": table,
        "validation_sweep": sweep,
        "chosen": {**asdict(chosen_params), "cf_min_ratings": chosen_min},
        "split": {
            "train": len(train),
            "test": len(test),
            "fit": len(fit),
            "validation": len(validation),
        },
    }


# -- 3. cold start ------------------------------------------------------------------------------


def cold_start_study(
    ml: MovieLens,
    ratings: pd.DataFrame,
    svd: collab.SVDParams,
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
    last_onboarding = max(config.onboarding)
    later = ordered[step >= last_onboarding]  # the same ratings are predicted for every n
    later_pos = model.positions(later["movieId"].to_numpy())
    known = model.has_factors[later_pos]
    later, later_pos = later[known], later_pos[known]

    baseline = cf_scores.clip_rating(model, model.global_mean + model.item_bias[later_pos])
    rows = []
    for n in config.onboarding:
        onboard = ordered[step < n]
        folded = np.empty(len(later))
        for user_id, group in onboard.groupby("userId"):
            bias, vector = cf_scores.fold_in(
                model,
                model.positions(group["movieId"].to_numpy()),
                group["rating"].to_numpy(),
                factor_reg=scoring.fold_in_factor_reg,
                bias_reg=scoring.fold_in_bias_reg,
            )
            mine = (later["userId"] == user_id).to_numpy()
            folded[mine] = cf_scores.clip_rating(
                model,
                model.global_mean
                + bias
                + model.item_bias[later_pos[mine]]
                + model.item_factors[later_pos[mine]] @ vector,
            )
        retrained = collab.train_svd(
            collab.surprise_dataset(pd.concat([others, onboard]), ml.rating_scale), svd
        )
        retrain = np.array(
            [
                retrained.predict(int(u), int(m)).est
                for u, m in zip(later["userId"], later["movieId"], strict=True)
            ]
        )
        truth = later["rating"].to_numpy()
        rows.append(
            {
                "onboarding": n,
                "fold_in": _rmse(folded, truth),
                "global_mean_plus_bi": _rmse(baseline, truth),
                "retrain": _rmse(retrain, truth),
                "users": len(cold),
                "predicted": len(later),
            }
        )
    return pd.DataFrame(rows)


def _finite(value):
    """``value`` with every NaN or infinity (an empty study) replaced by None, for JSON."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _rmse(predicted: np.ndarray, truth: np.ndarray) -> float:
    return float(math.sqrt(np.mean((predicted - truth) ** 2)))


# -- the whole evaluation -----------------------------------------------------------------------


@dataclass
class Evaluation:
    """Every table the report shows, and the figures that go into the manifest."""

    accuracy: pd.DataFrame
    tuning: pd.DataFrame
    tuned: collab.SVDParams
    ranking: pd.DataFrame
    validation_sweep: pd.DataFrame
    chosen_fusion: dict
    cold_start: pd.DataFrame
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
            "fusion_chosen_on_validation": self.chosen_fusion,
            "cold_start_rmse": self.cold_start.drop(columns=["users", "predicted"]).to_dict(
                orient="records"
            ),
            "users_evaluated": self.users,
            "folds": self.folds,
        }
        return _finite(summary)


def evaluate(
    ml: MovieLens,
    svd: collab.SVDParams,
    content_config: content.ContentConfig,
    config: EvaluationConfig,
    progress: bool = False,
) -> Evaluation:
    """Run all three studies (and the tuning the accuracy table needs)."""
    ratings = ml.ratings
    if config.max_users is not None:
        users = np.sort(ratings["userId"].unique())
        rng = np.random.default_rng(config.seed)
        keep = rng.choice(users, min(config.max_users, len(users)), replace=False)
        ratings = ratings[ratings["userId"].isin(keep)].reset_index(drop=True)
    data = collab.surprise_dataset(ratings, ml.rating_scale)
    tuned = search(
        data,
        collab.SVDParams.seed(),
        TuningConfig(
            grid=config.tuning_grid,
            method=config.tuning_method,
            n_jobs=config.n_jobs,
            progress=progress,
        ),
    )
    accuracy = rating_accuracy(data, accuracy_models(svd, tuned.best, config.knn), config)
    ranking = ranking_study(ml, ratings, svd, content_config, config)
    cold = cold_start_study(ml, ratings, svd, config)
    return Evaluation(
        accuracy=accuracy,
        tuning=tuned.table,
        tuned=tuned.best,
        ranking=ranking["table"],
        validation_sweep=ranking["validation_sweep"],
        chosen_fusion=ranking["chosen"],
        cold_start=cold,
        rating_counts=ratings["rating"].value_counts().sort_index(),
        users=int(ratings["userId"].nunique()),
        split=ranking["split"],
        folds=config.folds,
        grid_points=math.prod(len(v) for v in config.tuning_grid.values()),
        test_fraction=config.test_fraction,
    )
