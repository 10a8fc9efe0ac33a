"""Study 2, ranking: each list the site can show, scored @n on each user's held-out ratings.

Per user, ``test_fraction`` of the ratings is held out, the latest by timestamp or a seeded
random share (``EvaluationConfig.protocols``: the study runs once per protocol); relevant = held-out
ratings of ``relevance`` or more; candidates = every movie the user did not rate in training.
Rows: the most-rated and best-rated lists, content, SVD, the collaborative item index, two
peers on the same split (dense EASE, implicit's ALS), the seed's fusion rule and the site's.
Every choice (the fusion's weights, k and depth, SVD's popularity exponent, how ratings weigh
the item index) is made on a validation split cut the same way from the training ratings; the
test split is scored once, for the rows below. Beside accuracy, each row has its
beyond-accuracy figures (``staticrec.evaluation.beyond``).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from staticrec.evaluation import peers
from staticrec.evaluation.beyond import Catalogue, beyond_accuracy
from staticrec.evaluation.metrics import ranking_metrics
from staticrec.evaluation.protocol import EvaluationConfig, Kind, Protocol, relevant_items, split
from staticrec.pipeline.collab import SVDParams
from staticrec.pipeline.collab_index import CollabIndexConfig
from staticrec.pipeline.content import ContentConfig, build_content_index
from staticrec.pipeline.data import MovieLens
from staticrec.pipeline.train import train_recommender
from staticrec.scoring import FusionParams, Model, Recommender, ScoringConfig
from staticrec.scoring.fusion import Fused, ListName, rrf
from staticrec.scoring.niche import niche_order, pool_size
from staticrec.scoring.requests import Request


@dataclass(frozen=True)
class ListRow:
    """One row of the ranking table: a named list of each user's recommendations."""

    name: str
    kind: Kind
    recommended: Mapping[int, Sequence[int]]


def user_requests(recommender: Recommender, relevant: Mapping[int, set[int]]) -> dict:
    """userId -> the request the site would build, for known users with a relevant movie."""
    requests = {}
    for user_id, wanted in relevant.items():
        if wanted and recommender.model.user_position(user_id) >= 0:
            requests[user_id] = recommender.user_request(user_id)[0]
    return requests


def fused_lists(
    recommender: Recommender, requests: Mapping[int, Request], niche: int | None = None
) -> dict:
    """userId -> the fused list (movieIds) under the recommender's own config; at a ``niche``
    level (the site's answers: 0) re-ranked as the scoring core does, else as fused."""
    ids = recommender.model.item_ids
    fuse = recommender.fuse if niche is None else lambda r: recommender.niche_fuse(r, niche)
    return {u: [int(ids[p]) for p, _, _ in fuse(r)] for u, r in requests.items()}


def single_lists(
    recommender: Recommender, requests: Mapping[int, Request], name: ListName, n: int
) -> dict:
    """userId -> one list's top n (movieIds), nothing rated or favoured in it."""
    ids = recommender.model.item_ids
    return {u: ids[recommender.ranked_lists(r, n)[name]].tolist() for u, r in requests.items()}


def best_rated_lists(recommender: Recommender, requests: Mapping[int, Request], n: int) -> dict:
    """userId -> the damped-mean best-rated list (the home page's), minus what they rated."""
    lists = {}
    for user, request in requests.items():
        seen = np.zeros(recommender.model.n_items, dtype=bool)
        seen[request.rated] = True
        lists[user] = [i.movie_id for i in recommender.popular(n, exclude=seen)]
    return lists


def popularity_ranks(model: Model) -> dict[int, int]:
    """movieId -> 1-based place among the most-rated movies."""
    rank = Recommender(model).popularity_rank + 1
    return dict(zip(model.item_ids.tolist(), rank.tolist(), strict=True))


# -- choosing on validation -----------------------------------------------------------------------


def list_settings(config: EvaluationConfig) -> list[ScoringConfig]:
    """The settings that change a list's own ranking (not the fusion): one pass of scoring each."""
    grid = itertools.product(config.collab_rating_offsets, config.collab_recency)
    return [
        ScoringConfig(
            svd_popularity=config.svd_popularity,
            collab_rating_offset=offset,
            collab_recency=recency,
        )
        for offset, recency in grid
    ]


def fusion_settings(config: EvaluationConfig) -> list[FusionParams]:
    """Every fusion in the sweep; the collaborative list's weight is 1 (RRF ignores scale)."""
    weights = config.fusion_weights
    grid = itertools.product(weights, weights, weights, config.rrf_ks, config.depths)
    return [
        FusionParams(
            collab_weight=1.0,
            svd_weight=svd,
            content_weight=content,
            popular_weight=popular,
            k=k,
            depth=depth,
            n=config.n,
        )
        for svd, content, popular, k, depth in grid
    ]


def sweep(
    model: Model, validation: pd.DataFrame, config: EvaluationConfig
) -> tuple[pd.DataFrame, ScoringConfig]:
    """NDCG@n on the validation split for every setting; the best one (ties: the first, which
    fuses fewer lists at lower weights)."""
    relevant = relevant_items(validation, config.relevance)
    ranks = popularity_ranks(model)
    settings, fusions = list_settings(config), fusion_settings(config)
    depth = max(f.depth for f in fusions)
    rows = []
    for setting in settings:
        recommender = Recommender(model, setting)
        requests = user_requests(recommender, relevant)
        entries = {}
        for user, request in requests.items():
            scores = recommender.list_scores(request)
            lists = recommender.ranked_lists(request, depth, scores)
            entries[user] = recommender.ranked_entries(lists, scores)
        wanted = {u: relevant[u] for u in requests}
        for fusion in fusions:
            fused = {
                u: as_answered(model, rrf(e, pooled(fusion)), fusion.n) for u, e in entries.items()
            }
            metrics = ranking_metrics(fused, wanted, ranks, model.n_items, config.n)
            rows.append(
                {
                    "collab_rating_offset": setting.collab_rating_offset,
                    "collab_recency": setting.collab_recency,
                    **fusion.as_dict(),
                    **metrics,
                }
            )
    table = pd.DataFrame(rows)
    return table, setting_at(config, int(table["ndcg"].to_numpy().argmax()))


def pooled(fusion: FusionParams) -> FusionParams:
    """``fusion`` ranking as deep a pool as an answer's default niche level (0) re-ranks."""
    return replace(fusion, n=pool_size(0, fusion.n))


def as_answered(model: Model, pool: Sequence[Fused], n: int) -> list[int]:
    """The top ``n`` movieIds of a ``pooled`` fused list as an answer at the default niche level
    re-ranks it (``niche_order``): the sweep chooses on the lists the site shows."""
    positions = model.positions([f.movie_id for f in pool]).tolist()
    top = niche_order([(p,) for p in positions], model.n_ratings, 0, n)
    return [int(model.item_ids[p]) for (p,) in top]


def setting_at(config: EvaluationConfig, row: int) -> ScoringConfig:
    """The setting of row ``row`` of a ``sweep`` table."""
    settings, fusions = list_settings(config), fusion_settings(config)
    return replace(settings[row // len(fusions)], fusion=fusions[row % len(fusions)])


def joint_choice(tables: Sequence[pd.DataFrame], config: EvaluationConfig) -> ScoringConfig:
    """The setting with the best mean validation NDCG over several protocols' sweeps (their
    rows are the same settings in the same order; ties: the first): one default for the site,
    chosen for every way of holding ratings out at once."""
    mean = np.mean([t["ndcg"].to_numpy() for t in tables], axis=0)
    return setting_at(config, int(mean.argmax()))


def protocol_splits(ratings: pd.DataFrame, config: EvaluationConfig, protocol: Protocol):
    """(train, test, fit, validation) under ``protocol``: validation is cut from training the
    way the test is cut from all ratings."""
    train, test = split(ratings, config.test_fraction, protocol, config.split_seed)
    # the validation's own seed: a second random cut must not follow the first's draw
    fit, validation = split(train, config.validation_fraction, protocol, config.split_seed + 1)
    return train, test, fit, validation


def validation_sweep(
    ml: MovieLens,
    ratings: pd.DataFrame,
    svd: SVDParams,
    content_config: ContentConfig,
    collab_config: CollabIndexConfig,
    config: EvaluationConfig,
    protocol: Protocol,
) -> pd.DataFrame:
    """The sweep on ``protocol``'s validation split, of a model trained on the rest."""
    _, _, fit, validation = protocol_splits(ratings, config, protocol)
    precision = config.factor_precision
    chooser = train_recommender(ml, fit, svd, content_config, None, collab_config, precision).model
    return sweep(chooser, validation, config)[0]


# -- the study ----------------------------------------------------------------------------------


def ranking_study(
    ml: MovieLens,
    ratings: pd.DataFrame,
    svd: SVDParams,
    content_config: ContentConfig,
    collab_config: CollabIndexConfig,
    config: EvaluationConfig,
    protocol: Protocol = "temporal",
    table_sweep: pd.DataFrame | None = None,
    chosen: ScoringConfig | None = None,
) -> dict:
    """Lists and metrics on the test split; every setting chosen on validation: ``chosen``
    (with the ``table_sweep`` it came from) when given, else this protocol's own choice."""
    train, test, fit, validation = protocol_splits(ratings, config, protocol)
    precision = config.factor_precision
    if chosen is None:
        chooser = train_recommender(ml, fit, svd, content_config, None, collab_config, precision)
        table_sweep, chosen = sweep(chooser.model, validation, config)

    final = train_recommender(ml, train, svd, content_config, None, collab_config, precision).model
    relevant = relevant_items(test, config.relevance)
    site = Recommender(final, chosen)
    plain = Recommender(final, ScoringConfig(fusion=FusionParams.seed(config.n)))
    binary = Recommender(final, ScoringConfig(collab_rating_offset=None, collab_recency=None))
    requests = user_requests(site, relevant)
    n = config.n
    fusion = chosen.fusion
    rows = [
        ListRow("most-rated", "popularity", single_lists(site, requests, "popular", n)),
        ListRow("best-rated (damped mean)", "popularity", best_rated_lists(site, requests, n)),
        ListRow(
            f"content, {content_config.source} (favourite: best-rated movie)",
            "content",
            single_lists(site, requests, "content", n),
        ),
        ListRow("SVD", "cf", single_lists(plain, requests, "svd", n)),
        ListRow(
            f"SVD x n_ratings^{chosen.svd_popularity:g}",
            "cf",
            single_lists(site, requests, "svd", n),
        ),
        ListRow(
            f"item index (EASE, {collab_config.weights_per_movie} weights per movie), binary",
            "cf",
            single_lists(binary, requests, "collab", n),
        ),
        ListRow(
            "item index, rows weighed by rating and recency",
            "cf",
            single_lists(site, requests, "collab", n),
        ),
        ListRow(
            f"peer: EASE, dense (l2 {collab_config.l2:g})",
            "peer",
            peers.dense_ease_lists(train, requests, collab_config.l2, n),
        ),
    ]
    als_setting = choose_als(fit, validation, config) if peers.implicit_available() else None
    if als_setting is not None:
        als = peers.als_lists(train, requests, n, **als_setting)
        label = ", ".join(f"{k} {v:g}" for k, v in als_setting.items())
        rows.append(ListRow(f"peer: implicit ALS, 128 factors ({label})", "peer", als))
    rows += [
        ListRow(
            "hybrid, the seed's rule (SVD 0.6 / content 0.4, k=60)",
            "hybrid",
            fused_lists(plain, requests),
        ),
        ListRow(
            f"hybrid, the site's (weights {_weights(fusion)}, k={fusion.k}, depth {fusion.depth})",
            "hybrid",
            fused_lists(site, requests, niche=0),
        ),
    ]
    other = other_content_source(ml, content_config)
    if other is not None:
        with_other = Recommender(with_content(final, ml, train, other), chosen)
        rows.insert(
            3,
            ListRow(
                f"content, {other.source} (favourite: best-rated movie)",
                "content",
                single_lists(with_other, user_requests(with_other, relevant), "content", n),
            ),
        )
    wanted = {u: relevant[u] for u in requests}
    ranks = popularity_ranks(final)
    catalogue = Catalogue.of(train, ml.movies)
    table = pd.DataFrame(
        [
            {
                "protocol": protocol,
                "list": row.name,
                "kind": row.kind,
                **ranking_metrics(row.recommended, wanted, ranks, final.n_items, n),
                **beyond_accuracy(row.recommended, catalogue, n),
            }
            for row in rows
        ]
    )
    return {
        "table": table,
        "validation_sweep": table_sweep,
        "chosen": chosen,
        "split": {
            "train": len(train),
            "test": len(test),
            "fit": len(fit),
            "validation": len(validation),
        },
    }


def other_content_source(ml: MovieLens, content_config: ContentConfig) -> ContentConfig | None:
    """The content source the site does not use, when the dataset has what it needs."""
    other = "genres+tags" if content_config.source == "genres" else "genres"
    if other == "genres+tags" and ml.tags is None:
        return None
    return replace(content_config, source=other)


def with_content(model: Model, ml: MovieLens, ratings: pd.DataFrame, config: ContentConfig):
    """``model`` with its content index rebuilt from ``config`` (same catalogue, same order)."""
    index, _ = build_content_index(replace(ml, ratings=ratings), config)
    return replace(
        model,
        neighbor_indptr=index.indptr,
        neighbor_items=index.neighbors.astype(np.int64),
        neighbor_sims=index.weights.astype(np.float64),
    )


def choose_als(fit: pd.DataFrame, validation: pd.DataFrame, config: EvaluationConfig) -> dict:
    """The ALS setting with the best NDCG on the validation split (the peer's fair chance)."""
    relevant = relevant_items(validation, config.relevance)
    users = sorted(relevant)
    ids = np.sort(fit["movieId"].unique())
    ranks = {int(m): i + 1 for i, m in enumerate(ids)}  # novelty is not compared here
    best, best_ndcg = None, -1.0
    for setting in peers.als_settings():
        lists = peers.als_lists(fit, users, config.n, **setting) or {}
        wanted = {u: relevant[u] for u in lists}
        ranked = {u: [m for m in items if m in ranks] for u, items in lists.items()}
        ndcg = ranking_metrics(ranked, wanted, ranks, len(ids), config.n)["ndcg"]
        if ndcg > best_ndcg:
            best, best_ndcg = setting, ndcg
    return best


def _weights(fusion: FusionParams) -> str:
    return " / ".join(f"{name} {w:g}" for name, w in fusion.weights().items() if w > 0)
