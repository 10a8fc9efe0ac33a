"""The build's stages on Spark: ALS (``--trainer spark``), and under ``--engine spark`` the
ratings read, checked and summarised where they are (``spark_engine`` makes the rest).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from staticrec.pipeline import collab
from staticrec.pipeline.build_config import (
    BuildConfig,
    can_hold_out,
    check_folds,
    ratings_file,
    spark_columns,
)
from staticrec.pipeline.co_liked import CoLikedOf
from staticrec.pipeline.collab_index import GramOf
from staticrec.pipeline.data import MovieLens
from staticrec.pipeline.sharding import ShardSource
from staticrec.pipeline.spark_config import Columns
from staticrec.pipeline.summary import BuildSummary

if TYPE_CHECKING:  # these need the optional pyspark: imported only when they run
    from pyspark.sql import DataFrame, SparkSession

    from staticrec.pipeline import collab_spark


def spark_ratings(
    config: BuildConfig, spark: SparkSession, ml: MovieLens
) -> tuple[MovieLens, DataFrame]:
    """--engine spark: the ratings read and checked by Spark, and their statistics."""
    from staticrec.pipeline import collab_spark, spark_engine

    uri = config.spark.ratings or str(ratings_file(config))
    csv = config.spark.ratings is None or None  # the build's own file is CSV, whatever its name
    ratings = collab_spark.read_ratings(
        spark, uri, Columns(), config.rating_scale, csv=csv, timestamp="timestamp"
    )
    spark_engine.check_movies(ratings, ml.movies, uri)
    return replace(ml, stats=spark_engine.rating_stats(ratings)), ratings


def engine_stages(
    config: BuildConfig, ratings: DataFrame, ml: MovieLens, scratch: Path
) -> tuple[GramOf, ShardSource, CoLikedOf]:
    """--engine spark: the item index's Gram matrix, the user ratings' shards and the also-liked
    counts, each computed on Spark when the build asks for it (the first two written by the
    executors into ``scratch``, which they share with the driver)."""
    from staticrec.pipeline import spark_engine

    return (
        spark_engine.gram_of(ratings, config.engine, scratch),
        spark_engine.user_shards(ratings, ml.stats, scratch),
        spark_engine.co_liked_of(ratings, config.engine),
    )


def train_on_spark(
    config: BuildConfig,
    ml: MovieLens,
    summary: BuildSummary,
    engine_ratings: DataFrame | None = None,
) -> tuple[collab.Factors, dict, collab_spark.Tuned | None]:
    """Spark's baseline + ALS: tuned by CrossValidator, or scored on the hold-out SVD is scored
    on (under --engine spark: a random one of Spark's), then trained on the ratings Spark reads
    itself (``engine_ratings``, when read already)."""
    from staticrec.pipeline import collab_spark

    spark_config = config.spark
    uri = spark_config.ratings or str(ratings_file(config))
    params, tuned = spark_config.als, None
    with collab_spark.session(spark_config.master, config.progress, spark_config.conf) as spark:
        ratings = engine_ratings
        if ratings is None:
            with summary.stage("spark read"):
                own_file = spark_config.ratings is None  # always CSV, whatever its name
                ratings = collab_spark.read_ratings(
                    spark, uri, spark_columns(config), config.rating_scale, csv=own_file or None
                )
        if spark_config.grid is not None:
            check_folds(ml.row_counts()["ratings"], spark_config.folds)
            with summary.stage("tuning"):
                tuned = collab_spark.tune(ratings, spark_config)
                params = tuned.best
                summary.metrics["cv"] = {**tuned.best_scores, "folds": spark_config.folds}
        elif engine_ratings is not None and can_hold_out(config, ml):
            from staticrec.pipeline import spark_engine

            scores = partial(
                spark_engine.holdout_metrics,
                ratings,
                lambda part: collab_spark.train(part, params),
                config.rating_scale,
                config.holdout_fraction,
                config.holdout_max_ratings,
            )
            summary.holdout(scores, config.holdout_fraction)
        elif can_hold_out(config, ml):
            scores = partial(
                collab_spark.holdout_metrics,
                spark,
                ml.ratings,
                config.rating_scale,
                params,
                test_size=config.holdout_fraction,
                max_ratings=config.holdout_max_ratings,
            )
            summary.holdout(scores, config.holdout_fraction)
        with summary.stage("als"):
            factors = collab_spark.export_factors(collab_spark.train(ratings, params))
        if engine_ratings is None:  # else the very ratings the build's stages read
            collab_spark.check_same_ratings(factors, ml.ratings, uri)
        record = collab_spark.describe(spark, spark_config, params)
    return factors, record, tuned
