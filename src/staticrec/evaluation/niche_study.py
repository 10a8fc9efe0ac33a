"""The popular-to-niche control measured (issue 25, item 3): each level's NDCG@10 and how generic
its picks are, for the dataset's users on both protocols and for new visitors, beside the
most-rated list and dense EASE on the same users; the default level chosen on validation.

Known users: each protocol's validation split (cut from training) chooses, the test split is
scored once, beside implicit's ALS (at the setting the ranking study's validation chose). Visitors:
held-out users onboard with their first 5 ratings (``cold_start``); the validation visitors
choose, the test visitors are scored once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from staticrec.evaluation import peers
from staticrec.evaluation.beyond import Catalogue, beyond_accuracy
from staticrec.evaluation.cold_start import held_out_users, onboarding
from staticrec.evaluation.metrics import ranking_metrics
from staticrec.evaluation.protocol import EvaluationConfig, Protocol, relevant_items, split
from staticrec.pipeline.collab import SVDParams
from staticrec.pipeline.collab_index import CollabIndexConfig
from staticrec.pipeline.content import ContentConfig
from staticrec.pipeline.data import MovieLens
from staticrec.pipeline.train import train_recommender
from staticrec.scoring import Recommender
from staticrec.scoring.niche import NICHE_STEPS
from staticrec.scoring.requests import Request

Lists = dict[str, dict[int, list[int]]]


def level_lists(recommender: Recommender, requests: Mapping[int, Request]) -> Lists:
    """Each niche level's fused top 10 for each request, the fused list's with no lean, and the
    most-rated list's."""
    ids = recommender.model.item_ids
    lists: Lists = {f"niche {level}": {} for level in range(len(NICHE_STEPS))}
    lists["as fused"], lists["most-rated"] = {}, {}
    for user, request in requests.items():
        lists["as fused"][user] = [int(ids[p]) for p, _, _ in recommender.fuse(request)]
        for level in range(len(NICHE_STEPS)):
            fused = recommender.niche_fuse(request, level)
            lists[f"niche {level}"][user] = [int(ids[p]) for p, _, _ in fused]
        lists["most-rated"][user] = ids[recommender.ranked_lists(request, 10)["popular"]].tolist()
    return lists


def score(lists: Lists, relevant: Mapping[int, set[int]], train: pd.DataFrame, ml: MovieLens):
    """One row per list: NDCG, precision, coverage and the beyond-accuracy figures."""
    catalogue = Catalogue.of(train, ml.movies)
    # popularity rank in training, 1 = the most-rated; a movie no one rated there comes last
    order = sorted(catalogue.ratings.items(), key=lambda kv: (-kv[1], kv[0]))
    ranks = dict.fromkeys(ml.movies["movieId"].astype(int).tolist(), len(order) + 1)
    ranks |= {m: r for r, (m, _) in enumerate(order, 1)}
    rows = []
    for name, recommended in lists.items():
        wanted = {u: relevant[u] for u in recommended}
        rows.append(
            {
                "list": name,
                **ranking_metrics(recommended, wanted, ranks, len(ranks), 10),
                **beyond_accuracy(recommended, catalogue, 10),
            }
        )
    return pd.DataFrame(rows)


def users_study(ml: MovieLens, protocol: Protocol, config: EvaluationConfig) -> dict:
    """Known users on ``protocol``: (validation table, test table)."""
    train, test = split(ml.ratings, config.test_fraction, protocol, config.split_seed)
    fit, validation = split(train, config.validation_fraction, protocol, config.split_seed + 1)
    tables = {}
    for stage, (known, held) in {"validation": (fit, validation), "test": (train, test)}.items():
        recommender = train_recommender(ml, known, SVDParams(), ContentConfig())
        relevant = relevant_items(held, config.relevance)
        requests = {
            u: recommender.user_request(u)[0]
            for u in relevant
            if recommender.model.user_position(u) >= 0
        }
        lists = level_lists(recommender, requests)
        lists["dense EASE"] = peers.dense_ease_lists(known, requests, CollabIndexConfig().l2, 10)
        als = peers.als_lists(known, requests, 10)  # the setting validation chose for ALS
        if als is not None:
            lists["implicit ALS"] = als
        tables[stage] = score(lists, relevant, known, ml)
    return tables


def visitor_profiles(
    ratings: pd.DataFrame, users, onboard: int, relevance: float
) -> tuple[dict[int, dict[int, float]], dict[int, set[int]]]:
    """Held-out ``users`` as visitors: each one's first ``onboard`` ratings (movieId -> rating),
    and the movies they went on to rate ``relevance`` or more (only users with some)."""
    ordered = onboarding(ratings, users)
    first = ordered[ordered["step"] < onboard]
    later = ordered[(ordered["step"] >= onboard) & (ordered["rating"] >= relevance)]
    relevant = {int(u): set(g["movieId"].astype(int)) for u, g in later.groupby("userId")}
    profiles = {
        int(u): dict(zip(g["movieId"].astype(int), g["rating"], strict=True))
        for u, g in first.groupby("userId")
        if int(u) in relevant
    }
    return profiles, relevant


def visitors_study(ml: MovieLens, config: EvaluationConfig, onboard: int = 5) -> dict:
    """New visitors after ``onboard`` ratings: (validation table, test table)."""
    test_users, validation_users = held_out_users(ml.ratings, config)
    tables = {}
    for stage, users in {"validation": validation_users, "test": test_users}.items():
        train = ml.ratings[~ml.ratings["userId"].isin(users)]
        recommender = train_recommender(ml, train, SVDParams(), ContentConfig())
        profiles, relevant = visitor_profiles(ml.ratings, users, onboard, config.relevance)
        requests = {u: recommender.visitor_request(p)[0] for u, p in profiles.items()}
        lists = level_lists(recommender, requests)
        ease = peers.DenseEase.fit(train, CollabIndexConfig().l2)
        lists["dense EASE"] = {u: ease.top(p, 10) for u, p in profiles.items()}
        tables[stage] = score(lists, relevant, train, ml)
    return tables


def run(ml: MovieLens, config: EvaluationConfig, report: Callable[[str, dict], None]) -> dict:
    """Every study; ``report(name, tables)`` is called as each one ends."""
    results = {}
    for protocol in config.protocols:
        results[f"users, {protocol}"] = users_study(ml, protocol, config)
        report(f"users, {protocol}", results[f"users, {protocol}"])
    results["visitors, 5 ratings"] = visitors_study(ml, config)
    report("visitors, 5 ratings", results["visitors, 5 ratings"])
    return results
