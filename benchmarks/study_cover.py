"""Coverage against NDCG on validation only (issue 25, item 2): the known users' list at a few
popularity exponents (the niche re-ranking, ``staticrec.scoring.niche.rerank``), item-index
weight budgets and content-list weights, beside dense EASE on the same users; both protocols'
validation splits (cut from training, as ``niche_study.users_study`` does) and the validation
visitors with 5 ratings. No test split is read. Also the collab_neighbors table's bytes on the
whole dataset for each budget (one Parquet file; the site shards it by movie).

    python benchmarks/study_cover.py
    python benchmarks/study_cover.py --budgets 50 100 --exponents 0 0.1 0.2 --content 0 0.1
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import pandas as pd

from _common import ml_small
from staticrec.evaluation import peers
from staticrec.evaluation.cold_start import held_out_users
from staticrec.evaluation.niche_study import score, visitor_profiles
from staticrec.evaluation.protocol import EvaluationConfig, relevant_items, split
from staticrec.pipeline import collab_index, export
from staticrec.pipeline.collab import SVDParams
from staticrec.pipeline.content import ContentConfig
from staticrec.pipeline.data import load_movielens
from staticrec.pipeline.train import train_recommender
from staticrec.scoring import Recommender, ScoringConfig, schema
from staticrec.scoring.niche import NICHE_POOL, rerank

COLUMNS = ["list", "ndcg", "movies", "pick_ratings", "most_rated_share"]


def exponent_lists(recommender: Recommender, requests: dict, exponents, tag: str) -> dict:
    """``tag, g=...`` -> the top 10 re-ranked at each popularity exponent, for each request."""
    ids, n_ratings = recommender.model.item_ids, recommender.model.n_ratings
    lists = {f"{tag}, g={g}": {} for g in exponents}
    for user, request in requests.items():
        params = recommender.fusion_of(request)
        pool = recommender.fuse(request, replace(params, n=max(params.n, NICHE_POOL)))
        for g in exponents:
            picks = rerank(pool, n_ratings, g, params.n)
            lists[f"{tag}, g={g}"][user] = [int(ids[p]) for p, _, _ in picks]
    return lists


def users_validation(ml, protocol: str, config: EvaluationConfig, args) -> pd.DataFrame:
    train, _ = split(ml.ratings, config.test_fraction, protocol, config.split_seed)
    fit, validation = split(train, config.validation_fraction, protocol, config.split_seed + 1)
    relevant = relevant_items(validation, config.relevance)
    lists = {}
    for budget in args.budgets:
        index = collab_index.CollabIndexConfig(weights_per_movie=budget)
        trained = train_recommender(ml, fit, SVDParams(), ContentConfig(), None, index)
        requests = {
            u: trained.user_request(u)[0] for u in relevant if trained.model.user_position(u) >= 0
        }
        for weight in args.content:
            fusion = replace(ScoringConfig().fusion, content_weight=weight)
            recommender = Recommender(trained.model, ScoringConfig(fusion=fusion))
            tag = f"w{budget}, content {weight}"
            lists |= exponent_lists(recommender, requests, args.exponents, tag)
    l2 = collab_index.CollabIndexConfig().l2
    lists["dense EASE"] = peers.dense_ease_lists(fit, requests, l2, 10)
    return score(lists, relevant, fit, ml)


def visitors_validation(ml, config: EvaluationConfig, args, onboard: int = 5) -> pd.DataFrame:
    _, users = held_out_users(ml.ratings, config)
    train = ml.ratings[~ml.ratings["userId"].isin(users)]
    profiles, relevant = visitor_profiles(ml.ratings, users, onboard, config.relevance)
    lists = {}
    for budget in args.budgets:
        index = collab_index.CollabIndexConfig(weights_per_movie=budget)
        recommender = train_recommender(ml, train, SVDParams(), ContentConfig(), None, index)
        requests = {u: recommender.visitor_request(p)[0] for u, p in profiles.items()}
        lists |= exponent_lists(recommender, requests, args.exponents, f"w{budget}")
    ease = peers.DenseEase.fit(train, collab_index.CollabIndexConfig().l2)
    lists["dense EASE"] = {u: ease.top(p, 10) for u, p in profiles.items()}
    return score(lists, relevant, train, ml)


def table_bytes(ml, budget: int) -> int:
    """The collab_neighbors table of the whole dataset at ``budget``, as one Parquet file."""
    index = collab_index.build_collab_index(
        ml, collab_index.CollabIndexConfig(weights_per_movie=budget)
    )
    spec = schema.COLLAB_NEIGHBORS
    return len(export.parquet_bytes(spec, export.neighbors_table(spec, index)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budgets", type=int, nargs="+", default=[50, 100])
    parser.add_argument("--exponents", type=float, nargs="+", default=[0.0, 0.1, 0.2, 0.3])
    parser.add_argument("--content", type=float, nargs="+", default=[0.0, 0.1])
    parser.add_argument("--only", choices=["temporal", "random", "visitors", "bytes"])
    args = parser.parse_args()
    ml = load_movielens(ml_small(), name="ml-latest-small")
    config = EvaluationConfig()
    fmt = "{:.4f}".format
    if args.only in (None, "bytes"):
        for budget in args.budgets:
            print(f"collab_neighbors, {budget} weights a movie: {table_bytes(ml, budget):,} bytes")
    for protocol in config.protocols:
        if args.only in (None, protocol):
            table = users_validation(ml, protocol, config, args)
            print(f"\nusers, {protocol}: validation")
            print(table[COLUMNS].to_string(index=False, float_format=fmt), flush=True)
    if args.only in (None, "visitors"):
        table = visitors_validation(ml, config, args)
        print("\nvisitors, 5 ratings: validation")
        print(table[COLUMNS].to_string(index=False, float_format=fmt), flush=True)


if __name__ == "__main__":
    main()
