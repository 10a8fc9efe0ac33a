"""``--engine spark``: the stages the size of the ratings on Spark give what the single-machine
build gives (the same statistics, Gram matrix, user shards, answers)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from datasets import TINY_RATINGS, write_dataset
from staticrec.errors import ConfigError, DataError
from staticrec.pipeline import spark_engine
from staticrec.pipeline.artifacts import load_recommender
from staticrec.pipeline.co_liked import co_liked_by_id
from staticrec.pipeline.collab_index import gram_matrix, interactions
from staticrec.pipeline.export import parquet_bytes, user_ratings_of
from staticrec.pipeline.run import BuildConfig, run
from staticrec.pipeline.sharding import ranges_of_counts, shards_by_key
from staticrec.pipeline.spark_config import SparkEngine, SparkTraining
from staticrec.scoring import schema


def random_ratings(rng, n_users=40, n_items=30, n=500) -> pd.DataFrame:
    cells = rng.choice(n_users * n_items, size=n, replace=False)
    return pd.DataFrame(
        {
            "userId": (cells // n_items + 1).astype(np.int64) * 3,  # gaps between ids
            "movieId": (cells % n_items + 1).astype(np.int64) * 7,
            "rating": rng.integers(1, 11, size=n) / 2.0,
            "timestamp": rng.integers(0, 50, size=n).astype(np.int64),  # many ties
        }
    )


def frame(spark, ratings: pd.DataFrame):
    return spark.createDataFrame(
        ratings.astype({"userId": np.int32, "movieId": np.int32, "timestamp": np.int64})
    )


@pytest.fixture
def engine_ready(spark, tmp_path):
    spark_engine.ship_package(spark, tmp_path)
    return spark


@pytest.mark.parametrize("block_bytes", [1, 4 * 30 * 7, 8 << 20])
def test_the_gram_matrix_on_spark_is_the_one_in_memory(engine_ready, rng, block_bytes, tmp_path):
    """Blocks of one row, of seven, or the whole matrix in one: X'X, exactly, its blocks
    written by the executors into the scratch folder and gone from it once read."""
    ratings = random_ratings(rng)
    item_ids = np.sort(ratings["movieId"].unique())[::2]  # the index solves over some movies
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    spark_frame = frame(engine_ready, ratings)
    gram = spark_engine.gram_of(spark_frame, SparkEngine(block_bytes, 3), scratch)
    expected = gram_matrix(interactions(ratings, item_ids))
    np.testing.assert_array_equal(gram(item_ids), expected)
    assert list(scratch.iterdir()) == []


def test_a_scratch_folder_the_driver_does_not_share_is_named(tmp_path):
    """What the driver sees when the executors wrote on their own disks: no file."""
    with pytest.raises(ConfigError, match="shared") as caught:
        spark_engine._written(tmp_path / "gram-x" / "3.npy")
    assert caught.value.field == "scratch" and str(tmp_path / "gram-x" / "3.npy") in str(
        caught.value
    )


@pytest.mark.parametrize("partitions", [1, 3])
def test_also_liked_counts_on_spark_are_the_ones_in_memory(engine_ready, rng, partitions):
    """Each partition's users counted where they are, the counts added on the driver."""
    ratings = random_ratings(rng, n=800)
    movie_ids = ratings["movieId"].unique()
    anchor_ids, other_ids = rng.choice(movie_ids, 300), rng.choice(movie_ids, 300)
    count = spark_engine.co_liked_of(
        frame(engine_ready, ratings), SparkEngine(partitions=partitions)
    )
    expected = co_liked_by_id(
        *(ratings[c].to_numpy() for c in ("userId", "movieId", "rating")),
        4.0,
        anchor_ids,
        other_ids,
    )
    assert count(anchor_ids, other_ids, 4.0).tolist() == expected.tolist()
    assert expected.max() > 2


def test_statistics_are_pandas_own(engine_ready, rng):
    ratings = random_ratings(rng)
    stats = spark_engine.rating_stats(frame(engine_ready, ratings))
    movies = ratings.groupby("movieId")["rating"].agg(["size", "mean"]).reset_index()
    pd.testing.assert_frame_equal(stats.movies, movies, check_dtype=False)
    users = ratings.groupby("userId").size().rename("size").reset_index()
    pd.testing.assert_frame_equal(stats.users, users, check_dtype=False)


@pytest.mark.parametrize("rows_per_shard", [1, 37, schema.USER_SHARD_ROWS])
def test_user_shards_are_the_single_builds_bytes(engine_ready, rng, rows_per_shard, tmp_path):
    ratings = random_ratings(rng)
    spark_frame = frame(engine_ready, ratings)
    stats = spark_engine.rating_stats(spark_frame)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    source = spark_engine.user_shards(spark_frame, stats, scratch, rows_per_shard)
    table = user_ratings_of(ratings)
    users, counts = np.unique(ratings["userId"], return_counts=True)
    assert source.firsts == ranges_of_counts(users, counts, rows_per_shard)
    expected = {
        number: parquet_bytes(schema.USER_RATINGS, rows)
        for number, (_, _, rows) in enumerate(shards_by_key(table, "userId", source.firsts))
    }
    assert dict(source.parts()) == expected
    assert source.last == users.max()
    assert list(scratch.iterdir()) == []  # each file read, then removed


@pytest.mark.parametrize(
    ("extra", "column", "problem"),
    [
        ("1,99,4.0,964982800\n", "movieId", "not in movies.csv (movieId 99)"),
        ("1,2,4.0,964982800\n", "movieId", "rated twice (userId 1)"),
        ("1,5,4.0,soon\n", "timestamp", "not a whole number"),
    ],
)
def test_bad_ratings_are_named_by_path_and_column(spark, tmp_path, extra, column, problem):
    folder = write_dataset(tmp_path / "tiny", ratings=TINY_RATINGS + extra)
    config = engine_config(folder, tmp_path / "out")
    with pytest.raises(DataError) as caught:
        run(config)
    assert caught.value.column == column and problem in str(caught.value)
    assert str(folder / "ratings.csv") in str(caught.value)


def test_the_engine_needs_sparks_trainer_and_a_movielens_folder(tmp_path):
    with pytest.raises(ConfigError, match="--trainer spark"):
        BuildConfig(data_dir=tmp_path, engine=SparkEngine())


def engine_config(data_dir: Path, out: Path, **options) -> BuildConfig:
    return BuildConfig(
        data_dir=data_dir,
        artifacts_dir=out,
        site=None,
        spark=SparkTraining(),
        engine=SparkEngine(),
        **options,
    )


@pytest.fixture(scope="module")
def engine_cut(tmp_path_factory, ml_cut_dir, spark) -> Path:
    """ml-latest-small's 1,000 most-rated movies, built with --engine spark (local[2])."""
    out = tmp_path_factory.mktemp("engine-cut") / "artifacts"
    run(engine_config(ml_cut_dir, out))
    return out


@pytest.fixture(scope="module")
def trainer_cut(tmp_path_factory, ml_cut_dir, spark) -> Path:
    """The same with --trainer spark only: ALS alike, every other stage in memory."""
    out = tmp_path_factory.mktemp("trainer-cut") / "artifacts"
    run(BuildConfig(data_dir=ml_cut_dir, artifacts_dir=out, site=None, spark=SparkTraining()))
    return out


def test_the_engine_writes_the_single_builds_shards_items_and_index(engine_cut, cut_built):
    """Byte for byte, whichever trainer: the user ratings' shards, the items, the item index."""
    names = [
        path.relative_to(cut_built).as_posix()
        for folder in ("user_ratings", "collab_neighbors", "content_neighbors")
        for path in sorted((cut_built / folder).iterdir())
    ]
    for name in [*names, "items.parquet"]:
        assert (engine_cut / name).read_bytes() == (cut_built / name).read_bytes(), name
    engine, single = (
        json.loads((f / "manifest.json").read_text()) for f in (engine_cut, cut_built)
    )
    assert engine["tables"]["user_ratings"] == single["tables"]["user_ratings"]
    assert engine["dataset"]["rows"] == single["dataset"]["rows"]
    for name in names:
        assert engine["files"][name] == single["files"][name]


def test_the_engines_answers_are_the_trainers(engine_cut, trainer_cut):
    """With the same ALS, ``recommend`` answers as a --trainer spark build does."""
    engine, trainer = load_recommender(engine_cut), load_recommender(trainer_cut)
    for user in (1, 105, 414, 610):
        got, expected = engine.for_user(user), trainer.for_user(user)
        assert [i.movie_id for i in got.hybrid] == [i.movie_id for i in expected.hybrid]
        for name, items in expected.lists.items():
            assert [i.movie_id for i in got.lists[name]] == [i.movie_id for i in items], name


def test_a_build_on_a_standalone_cluster_is_the_single_builds(cluster_site, spark_cluster, built):
    """ml-latest-small with --engine spark on spark://127.0.0.1 (two one-core workers, Python
    on the executors): the single-machine build's user shards, items and item index, byte for
    byte."""
    artifacts = cluster_site / "artifacts"
    manifest = json.loads((artifacts / "manifest.json").read_text())
    assert manifest["params"]["als"]["master"] == spark_cluster.url
    single = json.loads((built / "manifest.json").read_text())
    assert manifest["tables"]["user_ratings"] == single["tables"]["user_ratings"]
    for name, entry in single["files"].items():
        if name.split("/")[0] in ("user_ratings", "collab_neighbors", "items.parquet"):
            assert manifest["files"][name] == entry, name


def test_the_clusters_also_liked_lists_are_the_single_builds(cluster_site, ml_site):
    """Counted on the cluster's executors, every movie page's "people who liked it also liked"
    list and its counts are the single-machine build's."""
    pages = sorted((ml_site / "site" / "movie").glob("*/index.html"))
    assert len(pages) > 9000

    def also_liked(page: Path) -> str:
        text = page.read_text(encoding="utf-8")
        return text[text.index('<section id="also-liked">') : text.index('<section id="similar">')]

    for page in pages:
        other = cluster_site / "site" / page.relative_to(ml_site / "site")
        assert also_liked(other) == also_liked(page), page.parent.name


class _Above:
    """A model that predicts above the scale: the hold-out must clip it to 5."""

    def transform(self, frame):
        from pyspark.sql import functions as F

        return frame.withColumn("baseline", F.lit(9.0)).withColumn("prediction", F.lit(1.0))


@pytest.mark.parametrize("max_ratings", [None, 100])
def test_the_holdout_scores_clipped_predictions_on_a_share_of_users(engine_ready, rng, max_ratings):
    ratings = random_ratings(rng)
    scores = spark_engine.holdout_metrics(
        frame(engine_ready, ratings), lambda _: _Above(), (0.5, 5.0), 0.2, max_ratings
    )
    held = scores["test_ratings"]
    assert (held < 60) if max_ratings else (70 < held < 130)  # 20% of 500 ratings, or of ~100
    errors = 5.0 - ratings["rating"]  # every rating's error is at most this, at least 0
    assert errors.min() <= scores["mae"] <= errors.max()
    assert scores["rmse"] >= scores["mae"]
