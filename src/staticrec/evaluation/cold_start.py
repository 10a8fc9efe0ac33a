"""Study 3, cold start: new visitors after their first few ratings.

Held-out users (not in training) onboard with their first 5, 10, 20 ratings by time. Two
questions, on the same users:

- Ranking: NDCG@10 of what the site would show them, against their later ratings of 4 or more
  (those after the first n), beside the most-rated list and SVD's fold-in x n_ratings^beta. The
  visitors' blend is chosen on other held-out users (validation visitors), never on these.
- Rating accuracy: RMSE on their ratings after the first 20 (the same for every n), by fold-in
  (what the site does), the global mean + item bias (no personalisation), and a full retrain
  that includes the onboarding ratings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from staticrec.evaluation import peers
from staticrec.evaluation.beyond import beyond_accuracy, catalogue_of_model
from staticrec.evaluation.metrics import ranking_metrics, rmse
from staticrec.evaluation.protocol import EvaluationConfig
from staticrec.pipeline import collab
from staticrec.pipeline.collab import SVDParams
from staticrec.pipeline.collab_index import CollabIndexConfig
from staticrec.pipeline.data import MovieLens
from staticrec.pipeline.train import train_recommender
from staticrec.scoring import FusionParams, Model, Recommender, ScoringConfig
from staticrec.scoring import collab as scores
from staticrec.scoring.requests import Request


def held_out_users(ratings: pd.DataFrame, config: EvaluationConfig) -> tuple[np.ndarray, ...]:
    """(test users, validation users): disjoint random users with enough ratings."""
    counts = ratings.groupby("userId").size()
    eligible = counts.index[counts >= config.cold_min_ratings].to_numpy()
    rng = np.random.default_rng(config.seed)
    cold = rng.choice(eligible, min(config.cold_users, len(eligible)), replace=False)
    rest = np.setdiff1d(eligible, cold)
    pick = min(config.visitor_validation_users, len(rest))
    validation = np.random.default_rng(config.seed + 1).choice(rest, pick, replace=False)
    return cold, validation


def onboarding(ratings: pd.DataFrame, users: np.ndarray) -> pd.DataFrame:
    """The users' ratings in the order they gave them, with ``step`` (0 for their first)."""
    ordered = ratings[ratings["userId"].isin(users)].sort_values(
        ["userId", "timestamp", "movieId"], kind="stable"
    )
    return ordered.assign(step=ordered.groupby("userId").cumcount().to_numpy())


def visitor_lists(
    recommender: Recommender,
    ordered: pd.DataFrame,
    n: int,
    relevance: float,
    lists: Mapping[str, Callable[[Request], list[int]]],
) -> dict[str, dict[str, float]]:
    """NDCG@10 and the beyond-accuracy figures of each list for visitors who gave their first
    n ratings; relevant = their later ratings of ``relevance`` or more."""
    ids = recommender.model.item_ids
    recommended: dict[str, dict[int, list[int]]] = {name: {} for name in lists}
    relevant = {}
    for user, group in ordered.groupby("userId"):
        later = group[(group["step"] >= n) & (group["rating"] >= relevance)]
        if later.empty:
            continue
        relevant[int(user)] = set(later["movieId"].astype(int))
        profile = group[group["step"] < n]
        ratings = dict(zip(profile["movieId"].astype(int), profile["rating"], strict=True))
        request = recommender.visitor_request(ratings)[0]
        for name, make in lists.items():
            recommended[name][int(user)] = [int(ids[p]) for p in make(request)]
    ranks = dict(zip(ids.tolist(), (recommender.popularity_rank + 1).tolist(), strict=True))
    catalogue = catalogue_of_model(recommender.model)
    return {
        name: {
            "ndcg": ranking_metrics(lists_, relevant, ranks, len(ids), 10)["ndcg"],
            **beyond_accuracy(lists_, catalogue, 10),
        }
        for name, lists_ in recommended.items()
    }


def choose_visitor_blend(
    ml: MovieLens,
    ratings: pd.DataFrame,
    users: np.ndarray,
    svd: SVDParams,
    config: EvaluationConfig,
) -> tuple[pd.DataFrame, FusionParams]:
    """The visitors' blend with the best mean NDCG@10 over the onboarding sizes, on ``users``
    (held out of this model's training)."""
    training = ratings[~ratings["userId"].isin(users)]
    model = train_recommender(
        ml, training, svd, None, factor_precision=config.factor_precision
    ).model
    recommender = Recommender(model)
    blends = {
        str(weights): replace(
            recommender.config.visitor_fusion,
            popular_weight=weights[0],
            svd_weight=weights[1],
            collab_weight=weights[2],
        )
        for weights in config.visitor_blends
    }
    # each blend scored on the list an answer shows: fused, then re-ranked at the default niche
    # level
    blended = {
        name: Recommender(model, replace(recommender.config, visitor_fusion=f))
        for name, f in blends.items()
    }
    candidates = {
        name: (lambda r, b=b: [p for p, _, _ in b.niche_fuse(r, 0)]) for name, b in blended.items()
    }
    ordered = onboarding(ratings, users)
    rows = []
    for n in config.onboarding:
        measured = visitor_lists(recommender, ordered, n, config.relevance, candidates)
        rows.append({"onboarding": n, **{name: m["ndcg"] for name, m in measured.items()}})
    table = pd.DataFrame(rows)
    means = table.drop(columns="onboarding").mean()
    if means.isna().all():  # no validation visitor rated enough movies: keep the default
        return table, recommender.config.visitor_fusion
    return table, blends[means.idxmax()]


def visitor_ranking(
    model: Model,
    ratings: pd.DataFrame,
    users: np.ndarray,
    blend: FusionParams,
    config: EvaluationConfig,
) -> pd.DataFrame:
    """NDCG@10 per onboarding size of the site's answer and the lists it is compared with."""
    site = Recommender(model, ScoringConfig(visitor_fusion=blend))
    boosted = Recommender(model, ScoringConfig(svd_popularity=config.svd_popularity))

    def top(recommender: Recommender, name: str) -> Callable[[Request], list[int]]:
        return lambda request: recommender.ranked_lists(request, 10)[name].tolist()

    dense = peers.DenseEase.fit(ratings[~ratings["userId"].isin(users)], CollabIndexConfig().l2)
    ids = model.item_ids
    lists = {
        "most-rated": top(site, "popular"),
        "peer: EASE, dense": lambda request: model.positions(
            dense.top(ids[request.rated].tolist(), 10)
        ).tolist(),
        f"SVD fold-in x n_ratings^{config.svd_popularity:g}": top(boosted, "svd"),
        "item index (rows weighed by rating and recency)": top(site, "collab"),
        "the site's answer (blend chosen on validation visitors)": lambda request: [
            p for p, _, _ in site.niche_fuse(request, 0)
        ],
    }
    ordered = onboarding(ratings, users)
    rows = []
    for n in config.onboarding:
        for name, measured in visitor_lists(site, ordered, n, config.relevance, lists).items():
            rows.append({"list": name, "onboarding": n, **measured})
    return pd.DataFrame(rows)


def cold_start_study(
    ml: MovieLens,
    ratings: pd.DataFrame,
    svd: SVDParams,
    config: EvaluationConfig,
    scoring: ScoringConfig | None = None,
) -> dict:
    """RMSE on held-out users' later ratings after onboarding with their first n ratings, and
    the ranking of what the site shows them (``ranking`` and ``validation`` in the result)."""
    scoring = scoring or ScoringConfig()
    cold, validation_users = held_out_users(ratings, config)
    validation, blend = choose_visitor_blend(ml, ratings, validation_users, svd, config)
    others = ratings[~ratings["userId"].isin(cold)]
    model = train_recommender(
        ml, others, svd, content_config=None, factor_precision=config.factor_precision
    ).model
    ranking = visitor_ranking(model, ratings, cold, blend, config)
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
        retrained = collab.train_svd(pd.concat([others, onboard]), ml.rating_scale, svd)
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
    return {
        "rmse": pd.DataFrame(rows),
        "ranking": ranking,
        "validation": validation,
        "blend": blend,
    }
