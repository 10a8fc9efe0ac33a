"""The build's training in memory, for callers other than the build: the evaluation's studies
train on a subset of the ratings through ``train_recommender``, so they measure what the site
would run. The build (``run``) and the evaluation both read their dataset with
``load_dataset`` and store movie factors at ``factor_precision``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from staticrec.pipeline import collab, collab_index, content, export
from staticrec.pipeline.artifacts import recommender_from_tables
from staticrec.pipeline.data import MovieLens, load_movielens
from staticrec.pipeline.download import DownloadConfig, fetch_dataset
from staticrec.pipeline.neighbors import NeighborIndex
from staticrec.scoring import Recommender, ScoringConfig
from staticrec.scoring.schema import ITEM_FACTORS, SCHEMA_VERSION, FactorPrecision

COMPACT_FACTORS_BYTES = 1_000_000
"""Movie factors beyond this size as float32 are stored as int8 by default: a first visit to For
you downloads them all before its first answer (ml-latest-small's 1.99 MB as float32 take 1.8 s
of a 9 Mbps link, 0.57 MB as int8), and int8 moved no NDCG@10 of ``staticrec evaluate`` on
ml-latest-small by more than 0.0003, or 0.12% of its value. Below it (ml-1m's 3,883 movies), a
quarter of the bytes is not worth the rounding."""


def factor_precision(choice: str, factors: collab.Factors) -> FactorPrecision:
    """The precision of the stored movie factors: ``choice``, or for ``auto`` int8 when
    float32 would take more than ``COMPACT_FACTORS_BYTES``."""
    if choice != "auto":
        return choice  # type: ignore[return-value]
    return "int8" if factors.item_factors.size * 4 > COMPACT_FACTORS_BYTES else "float32"


def load_dataset(
    data_dir: Path | None,
    download: DownloadConfig,
    *,
    rating_scale: tuple[float, float] = (0.5, 5.0),
    with_tags: bool = False,
    with_genome: bool = False,
    with_ratings: bool = True,
) -> MovieLens:
    """A validated MovieLens: from ``data_dir``, or downloaded (once) as ``download`` says
    (``with_ratings`` False: without its ratings, which Spark reads)."""
    folder = data_dir if data_dir is not None else fetch_dataset(download)
    name = data_dir.name if data_dir is not None else download.dataset
    return load_movielens(
        folder,
        name=name,
        rating_scale=rating_scale,
        with_tags=with_tags,
        with_genome=with_genome,
        with_ratings=with_ratings,
    )


def train_recommender(
    ml: MovieLens,
    ratings: pd.DataFrame,
    svd: collab.SVDParams,
    content_config: content.ContentConfig | None,
    scoring: ScoringConfig | None = None,
    collab_index_config: collab_index.CollabIndexConfig | None = None,
    factor_precision: FactorPrecision = "float32",
) -> Recommender:
    """The build's training, in memory, on ``ratings`` only: what the site would run.

    ``content_config`` None leaves the content index empty (for studies that do not use it);
    ``collab_index_config`` None builds the item index with its defaults.
    ``Recommender(result.model, other_config)`` reuses the trained model with other settings.
    """
    trained = replace(ml, ratings=ratings)
    catalogue = trained.movies_by_id()["movieId"].to_numpy()
    if content_config is None:
        index = NeighborIndex.empty(catalogue)
    else:
        index, _ = content.build_content_index(trained, content_config)
    item_index = collab_index.build_collab_index(
        trained, collab_index_config or collab_index.CollabIndexConfig()
    )
    factors = collab.export_factors(collab.train_svd(ratings, ml.rating_scale, svd))
    tables = export.artifact_tables(
        trained, factors, index, item_index, factor_precision=factor_precision
    )
    meta = model_meta(factors, ml.rating_scale, factor_precision)
    return recommender_from_tables(tables, meta, scoring)


def model_meta(
    factors: collab.Factors,
    rating_scale: tuple[float, float],
    precision: FactorPrecision = "float32",
) -> dict:
    """The manifest's scalars the scoring core reads beside the tables (int8 movie factors:
    the scale of each column)."""
    meta = {
        "schema_version": SCHEMA_VERSION,
        "rating_scale": list(rating_scale),
        "global_mean": factors.global_mean,
        "n_factors": factors.n_factors,
    }
    if precision == "int8":
        scales = export.quantization_scales(factors.item_factors).tolist()
        meta["factor_scales"] = {ITEM_FACTORS.name: scales}
    return meta
