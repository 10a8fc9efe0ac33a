"""Study 2, ranking: each list the site shows, scored @n on each user's latest ratings.

Per user, the latest ``test_fraction`` of ratings by timestamp is held out; relevant = held-out
ratings of ``relevance`` or more; candidates = every movie the user did not rate in training.
Lists: popularity, content (the favourite is the user's best-rated training movie), CF, and
their RRF fusion. The CF floor and the fusion's weights and k are chosen on a validation split
cut the same way from the training ratings, never on the test split.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from staticrec.collab import SVDParams
from staticrec.content import ContentConfig
from staticrec.data import MovieLens
from staticrec.evaluation.metrics import ranking_metrics
from staticrec.evaluation.protocol import (
    EvaluationConfig,
    Kind,
    relevant_items,
    temporal_split,
)
from staticrec.pipeline import train_recommender
from staticrec.scoring import FusionParams, Model, Ranked, Recommender, ScoringConfig, rrf


@dataclass(frozen=True)
class UserLists:
    """One user's ranked lists (movieIds, best first) and what they will be scored against."""

    popularity: list[int]
    content: list[Ranked]
    cf: list[Ranked]
    relevant: set[int]


@dataclass(frozen=True)
class ListRow:
    """One row of the ranking table: a named list of each user's recommendations."""

    name: str
    kind: Kind
    recommended: Mapping[int, Sequence[int]]


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


def fused(lists: Mapping[int, UserLists], params: FusionParams) -> dict[int, list[int]]:
    return {u: [f.movie_id for f in rrf(ul.cf, ul.content, params)] for u, ul in lists.items()}


def popularity_ranks(recommender: Recommender) -> dict[int, int]:
    """movieId -> 1-based place among the most-rated movies."""
    model = recommender.model
    return dict(
        zip(model.item_ids.tolist(), (recommender.popularity_rank + 1).tolist(), strict=True)
    )


def fusion_sweep(
    lists: Mapping[int, UserLists], recommender: Recommender, config: EvaluationConfig
) -> pd.DataFrame:
    """Metrics of the fusion for every (CF weight, k) in the sweep, on the given lists."""
    relevant = {u: ul.relevant for u, ul in lists.items()}
    ranks = popularity_ranks(recommender)
    rows = []
    for weight in config.cf_weights:
        for k in config.rrf_ks:
            params = _fusion(weight, k, config.n)
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


def _fusion(cf_weight: float, k: int, n: int) -> FusionParams:
    return FusionParams(cf_weight=cf_weight, content_weight=round(1 - cf_weight, 10), k=k, n=n)


def choose_on_validation(
    model: Model, validation: pd.DataFrame, config: EvaluationConfig
) -> tuple[pd.DataFrame, FusionParams, int]:
    """The sweep over CF floors, weights and k on the validation split; the best setting."""
    relevant = relevant_items(validation, config.relevance)
    candidates = (
        Recommender(model, ScoringConfig(cf_min_ratings=m)) for m in config.cf_min_ratings
    )
    sweep = pd.concat(
        [fusion_sweep(user_lists(c, relevant, config.n), c, config) for c in candidates],
        ignore_index=True,
    )
    best = sweep.sort_values(["ndcg", "cf_weight"], ascending=[False, False], kind="stable").iloc[0]
    params = _fusion(float(best["cf_weight"]), int(best["k"]), config.n)
    return sweep, params, int(best["cf_min_ratings"])


def ranking_study(
    ml: MovieLens,
    ratings: pd.DataFrame,
    svd: SVDParams,
    content_config: ContentConfig,
    config: EvaluationConfig,
) -> dict:
    """Lists and metrics on the test split; fusion settings chosen on the validation split."""
    train, test = temporal_split(ratings, config.test_fraction)
    fit, validation = temporal_split(train, config.validation_fraction)
    chooser = train_recommender(ml, fit, svd, content_config).model
    sweep, chosen, chosen_min = choose_on_validation(chooser, validation, config)

    final = train_recommender(ml, train, svd, content_config).model
    relevant = relevant_items(test, config.relevance)
    # the seed's setting: no floor on the CF list
    plain = user_lists(Recommender(final, ScoringConfig(cf_min_ratings=0)), relevant, config.n)
    floored = user_lists(
        Recommender(final, ScoringConfig(cf_min_ratings=chosen_min)), relevant, config.n
    )
    seed = FusionParams(n=config.n)
    rows = [
        ListRow(
            "popularity (damped mean)", "popularity", {u: ul.popularity for u, ul in plain.items()}
        ),
        ListRow(
            "content (favourite: best-rated movie)",
            "content",
            {u: [r.movie_id for r in ul.content] for u, ul in plain.items()},
        ),
        ListRow("CF (SVD)", "cf", _cf_only(plain)),
        ListRow(f"CF (SVD), movies with >= {chosen_min} ratings", "cf", _cf_only(floored)),
        ListRow("hybrid, seed: 0.6/0.4, k=60", "hybrid", fused(plain, seed)),
        ListRow(
            f"hybrid, seed weights, CF >= {chosen_min} ratings", "hybrid", fused(floored, seed)
        ),
        ListRow(
            f"hybrid, chosen: {chosen.cf_weight:g}/{chosen.content_weight:g}, "
            f"k={chosen.k}, CF >= {chosen_min} ratings",
            "hybrid",
            fused(floored, chosen),
        ),
    ]
    wanted = {u: ul.relevant for u, ul in plain.items()}
    ranks = popularity_ranks(Recommender(final))
    table = pd.DataFrame(
        [
            {
                "list": row.name,
                "kind": row.kind,
                **ranking_metrics(row.recommended, wanted, ranks, final.n_items, config.n),
            }
            for row in rows
        ]
    )
    return {
        "table": table,
        "validation_sweep": sweep,
        "chosen": {**asdict(chosen), "cf_min_ratings": chosen_min},
        "split": {
            "train": len(train),
            "test": len(test),
            "fit": len(fit),
            "validation": len(validation),
        },
    }


def _cf_only(lists: Mapping[int, UserLists]) -> dict[int, list[int]]:
    return {u: [r.movie_id for r in ul.cf] for u, ul in lists.items()}
