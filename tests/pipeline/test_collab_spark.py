"""Stage 2b on Spark: the bias baseline against a brute-force oracle, ALS's export against
Spark's own predictions, CrossValidator's choice, Spark's reading of the ratings, and a build of
ml-latest-small whose hold-out RMSE is within 0.02 of Surprise's on the same split."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datasets import TINY_RATINGS
from staticrec import cli
from staticrec.errors import DataError
from staticrec.pipeline import collab, collab_spark
from staticrec.pipeline.artifacts import load_recommender
from staticrec.pipeline.data_files import RatingsFiles
from staticrec.pipeline.run import BuildConfig, run
from staticrec.pipeline.spark_config import ALSParams, Columns, SparkTraining

SCALE = (0.5, 5.0)


def frame(spark, ratings: pd.DataFrame):
    return spark.createDataFrame(
        ratings[["userId", "movieId", "rating"]].astype(
            {"userId": "int32", "movieId": "int32", "rating": "float64"}
        )
    )


def random_ratings(rng, n_users=30, n_items=20, n=240) -> pd.DataFrame:
    """Distinct (user, item) pairs with scattered ids and half-star ratings."""
    pairs = rng.choice(n_users * n_items, size=n, replace=False)
    return pd.DataFrame(
        {
            "userId": pairs // n_items * 7 + 3,
            "movieId": pairs % n_items * 11 + 1,
            "rating": rng.integers(1, 11, size=n) / 2,
        }
    )


def baseline_oracle(rows, user_reg, item_reg, iterations):
    """Surprise's baseline by its definition, one sum at a time."""
    mean = sum(r for _, _, r in rows) / len(rows)
    user_bias = {u: 0.0 for u, _, _ in rows}
    item_bias = {}
    for _ in range(iterations):
        item_bias = {
            i: sum(r - mean - user_bias[u] for u, j, r in rows if j == i)
            / (item_reg + sum(1 for _, j, _ in rows if j == i))
            for _, i, _ in rows
        }
        user_bias = {
            u: sum(r - mean - item_bias[i] for v, i, r in rows if v == u)
            / (user_reg + sum(1 for v, _, _ in rows if v == u))
            for u, _, _ in rows
        }
    return mean, user_bias, item_bias


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.dictionaries(
        st.tuples(st.integers(1, 6), st.integers(1, 5)),
        st.sampled_from([0.5 * k for k in range(1, 11)]),
        min_size=1,
        max_size=25,
    ),
    iterations=st.integers(1, 3),
    user_reg=st.sampled_from([0.0, 2.5, 15.0]),
)
def test_the_baseline_is_surprises_regularised_means(spark, cells, iterations, user_reg):
    rows = [(u, i, r) for (u, i), r in cells.items()]
    ratings = pd.DataFrame(rows, columns=["userId", "movieId", "rating"])
    fitted = collab_spark.Baseline(user_reg, 10.0, iterations).fit(frame(spark, ratings))
    mean, user_bias, item_bias = baseline_oracle(rows, user_reg, 10.0, iterations)
    assert fitted.mean == pytest.approx(mean, abs=1e-12)
    got_users = {r["userId"]: r["bu"] for r in fitted.users.collect()}
    got_items = {r["movieId"]: r["bi"] for r in fitted.items.collect()}
    assert got_users == pytest.approx(user_bias, abs=1e-9)
    assert got_items == pytest.approx(item_bias, abs=1e-9)


def test_exported_factors_predict_what_spark_predicts(spark, rng):
    """Ids stay with their own biases and vectors through the export: the site's prediction
    (mu + bu + bi + q.p) equals the baseline plus ALS's prediction, row by row."""
    ratings = random_ratings(rng)
    params = ALSParams(rank=4, max_iter=5, bias_iterations=2)
    model = collab_spark.train(frame(spark, ratings), params)
    factors = collab_spark.export_factors(model)
    assert factors.user_ids.tolist() == sorted(ratings["userId"].unique())
    assert factors.item_ids.tolist() == sorted(ratings["movieId"].unique())
    assert factors.item_factors.shape == (ratings["movieId"].nunique(), 4)
    spark_rows = model.transform(frame(spark, ratings)).toPandas()
    expected = spark_rows["baseline"] + spark_rows["prediction"]
    ours = collab.predict_factors(factors, spark_rows, (-100.0, 100.0))  # no clipping
    np.testing.assert_allclose(ours, expected, atol=1e-5)
    assert np.std(spark_rows["prediction"]) > 0.01  # ALS did learn something to compare


def test_same_seed_same_factors(spark, rng):
    """Deterministic in one Spark setup (same master, same partitions): the manifest's hashes
    repeat."""
    ratings = frame(spark, random_ratings(rng))
    params = ALSParams(rank=4, max_iter=4, bias_iterations=2)
    first = collab_spark.export_factors(collab_spark.train(ratings, params))
    again = collab_spark.export_factors(collab_spark.train(ratings, params))
    other = collab_spark.export_factors(collab_spark.train(ratings, ALSParams(4, 4, seed=7)))
    np.testing.assert_array_equal(first.item_factors, again.item_factors)
    np.testing.assert_array_equal(first.user_bias, again.user_bias)
    assert not np.array_equal(first.item_factors, other.item_factors)


def test_cross_validator_picks_the_lowest_mean_rmse(spark, rng):
    ratings = frame(spark, random_ratings(rng, n=400))
    config = SparkTraining(
        als=ALSParams(max_iter=3, bias_iterations=1),
        grid={"rank": (2, 6), "reg_param": (0.01, 0.5)},
        folds=2,
    )
    tuned = collab_spark.tune(ratings, config)
    table = tuned.table
    assert len(table) == 4 and table["mean_test_rmse"].is_monotonic_increasing
    assert table["rank_test_rmse"].tolist() == [1, 2, 3, 4]
    best = table.iloc[0]
    assert (tuned.best.rank, tuned.best.reg_param) == (best["param_rank"], best["param_reg_param"])
    assert tuned.best.max_iter == 3  # the grid varies only what it names
    assert tuned.best_scores["rmse"] == pytest.approx(best["mean_test_rmse"])


def test_spark_reads_csv_and_parquet_with_named_columns(spark, tmp_path):
    books = pd.DataFrame({"reader": [1, 1, 2], "book_id": [10, 20, 10], "score": [7, 9, 3]})
    books.to_parquet(tmp_path / "books.parquet")
    books.to_csv(tmp_path / "books.csv", index=False)
    columns = Columns(user="reader", item="book_id", rating="score")
    for name in ("books.parquet", "books.csv"):
        read = collab_spark.read_ratings(spark, str(tmp_path / name), columns, (1, 10)).toPandas()
        assert read.columns.tolist() == ["userId", "movieId", "rating"]
        assert read.sort_values(["userId", "movieId"])["rating"].tolist() == [7.0, 9.0, 3.0]


@pytest.mark.parametrize(
    ("text", "column", "problem"),
    [
        (TINY_RATINGS.replace("4.0,964982703", "7.0,964982703"), "rating", "1 rows are outside"),
        (TINY_RATINGS.replace("2,5,2.0", "2,x,2.0"), "movieId", "not a whole number"),
        (TINY_RATINGS.replace("userId", "user"), "userId", "no such column"),
    ],
)
def test_bad_spark_ratings_are_named(spark, tmp_path, text, column, problem):
    path = tmp_path / "ratings.csv"
    path.write_text(text)
    with pytest.raises(DataError) as error:
        collab_spark.read_ratings(spark, str(path), Columns(), SCALE)
    assert error.value.column == column and str(path) in str(error.value)
    assert problem in error.value.problem


def test_spark_must_read_the_builds_ratings(spark, tiny_dir, tmp_path):
    """A --spark-ratings copy with another user is refused, and no output is written."""
    other = tmp_path / "other.csv"
    other.write_text(TINY_RATINGS + "4,1,3.0,964982402\n")
    artifacts = tmp_path / "artifacts"
    config = BuildConfig(
        data_dir=tiny_dir,
        artifacts_dir=artifacts,
        site=None,
        spark=SparkTraining(ratings=str(other), als=ALSParams(rank=2, max_iter=2)),
    )
    with pytest.raises(DataError, match="holds 4 users, the build's ratings 3"):
        run(config)
    missing = BuildConfig(
        data_dir=tiny_dir,
        artifacts_dir=artifacts,
        site=None,
        spark=SparkTraining(ratings=str(tmp_path / "nowhere.csv")),
    )
    with pytest.raises(DataError, match="Spark cannot read it"):
        run(missing)
    assert not artifacts.exists()


def test_your_own_ratings_file_is_read_by_spark_under_its_column_names(spark, tmp_path):
    """The build's own file is CSV whatever its name, with the columns the options name."""
    scores = tmp_path / "scores.data"
    scores.write_text(
        TINY_RATINGS.replace("userId,movieId,rating,timestamp", "reader,book,stars,when")
    )
    files = RatingsFiles(
        ratings=scores,
        user_column="reader",
        item_column="book",
        rating_column="stars",
        timestamp_column="when",
    )
    artifacts = tmp_path / "artifacts"
    run(
        BuildConfig(
            ratings_files=files,
            artifacts_dir=artifacts,
            site=None,
            spark=SparkTraining(als=ALSParams(rank=2, max_iter=2)),
        )
    )
    manifest = json.loads((artifacts / "manifest.json").read_text())
    assert manifest["params"]["als"]["master"] == "local[2]"  # the running session's
    assert manifest["params"]["als"]["ratings"] is None
    assert load_recommender(artifacts).for_user(1).hybrid


def test_ml_latest_small_trained_on_spark_is_as_accurate_as_surprise(spark_built, built):
    """The issue's goal: the hold-out RMSE within 0.02 of Surprise SVD's, on the same rows."""
    manifest = json.loads((spark_built / "manifest.json").read_text())
    surprise = json.loads((built / "manifest.json").read_text())
    assert manifest["params"]["trainer"] == "spark" and "svd" not in manifest["params"]
    assert manifest["params"]["als"]["rank"] == ALSParams().rank == manifest["n_factors"]
    rmse, reference = manifest["metrics"]["holdout"]["rmse"], surprise["metrics"]["holdout"]["rmse"]
    assert reference == pytest.approx(0.8426, abs=5e-5)
    assert rmse <= reference + 0.02
    assert manifest["metrics"]["holdout"]["test_fraction"] == 0.2


def test_spark_artifacts_answer_known_users_and_visitors(spark_built, ml_small):
    recommender = load_recommender(spark_built)
    model = recommender.model
    assert len(model.user_factors) == ml_small.ratings["userId"].nunique()
    answer = recommender.for_user(105)
    assert len(answer.hybrid) == 10
    assert all(1.0 <= item.predicted_rating <= 5.0 for item in answer.hybrid)  # ALS predicts
    liked = {1: 5.0, 3114: 4.5, 2355: 4.5}  # Toy Story 1 and 2, A Bug's Life
    visitor = recommender.for_visitor(liked)
    assert len(visitor.hybrid) == 10 and not {i.movie_id for i in visitor.hybrid} & set(liked)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--als-rank", "5"], "--trainer: --als-rank needs --trainer spark"),
        (["--trainer", "spark", "--n-factors", "5"], "--n-factors is an SVD option"),
        (["--trainer", "spark", "--tune", "halving"], "--tune: Spark's trainer tunes by"),
        (["--trainer", "spark", "--evaluate"], "--evaluate: the evaluation trains Surprise"),
        (["--trainer", "spark", "--als-rank", "0"], "--als-rank: must be at least 1"),
        (["--trainer", "spark", "--spark-conf", "8g"], "--spark-conf: must be KEY=VALUE"),
        (["--spark-conf", "a=b"], "--spark-conf needs --trainer spark"),
        (["--trainer", "spark", "--spark-scratch", "/x"], "--spark-scratch needs --engine spark"),
    ],
)
def test_options_that_do_not_fit_the_trainer_are_refused(capsys, tmp_path, options, message):
    assert cli.main(["build", "--artifacts-dir", str(tmp_path / "a"), *options]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "a").exists()


def test_the_helps_defaults_are_the_parameters(capsys):
    with pytest.raises(SystemExit):
        cli.main(["build", "--help"])
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps the help
    defaults = ALSParams()
    for name in ("rank", "max_iter", "reg_param"):
        assert f"ALS {name} (default: {getattr(defaults, name)})" in shown


def test_ml_latest_small_builds_on_a_standalone_cluster(cluster_site, spark_cluster, built):
    """The build's Spark work ran on spark://127.0.0.1 (two one-core workers), and trained as
    well as in local mode."""
    manifest = json.loads((cluster_site / "artifacts" / "manifest.json").read_text())
    assert manifest["params"]["als"]["master"] == spark_cluster.url
    surprise = json.loads((built / "manifest.json").read_text())
    assert manifest["metrics"]["holdout"]["rmse"] <= surprise["metrics"]["holdout"]["rmse"] + 0.02
    assert (cluster_site / "site" / "for-you" / "index.html").is_file()
