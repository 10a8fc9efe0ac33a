"""Stage 4 on Apache Spark: MLlib's ALS as a second trainer, with the same exported factors.

ALS has no bias terms, and SVD's prediction ``mu + bu + bi + q.p`` has. So the baseline
``mu + bu + bi`` is fitted first, by regularised means alternated as Surprise's baseline does
(``Baseline``, Spark aggregations), and ALS factorises what it leaves (the residuals). Both are
stages of one Spark ML ``Pipeline``, so ``CrossValidator`` refits the baseline on each fold's
training part when it tunes rank and regParam. The trained pipeline is exported as
``collab.Factors``: the tables, fold-in, the browser and ``staticrec recommend`` read it as they
read SVD's.

pyspark is an optional extra (``pip install 'staticrec[spark]'``, and Java 17 or later); only
this module imports it, and the build imports this module only for ``--trainer spark``.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

from staticrec.errors import ConfigError, DataError
from staticrec.pipeline import collab
from staticrec.pipeline.spark_config import (
    ALS_PARAMS,
    DRIVER_OUT_OF_MEMORY,
    ALSParams,
    Columns,
    SparkTraining,
)

try:
    import pyspark
    from py4j.protocol import Py4JNetworkError
    from pyspark.errors import PySparkRuntimeError
    from pyspark.ml import Estimator, Model, Pipeline, PipelineModel
    from pyspark.ml.evaluation import RegressionEvaluator
    from pyspark.ml.recommendation import ALS, ALSModel
    from pyspark.ml.tuning import CrossValidator, ParamGridBuilder
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql import functions as F
except ImportError as exc:  # the message a user sees for --trainer spark without the extra
    raise ConfigError(
        "needs pyspark: pip install 'staticrec[spark]' (and Java 17 or later)", field="trainer"
    ) from exc

log = logging.getLogger("staticrec")

# pyspark 4.3 warns on every pandas conversion under pandas 3 ("does not yet fully support",
# "copy keyword is deprecated"); this module converts plain int and float columns only, which
# the tests check value by value.
warnings.filterwarnings("ignore", category=Warning, module=r"pyspark\.(sql\.pandas|testing)")


class Baseline(Estimator):
    """``mu + bu + bi`` fitted by regularised means, as Surprise's ``baseline_als`` does:

        bi = sum_u (r_ui - mu - bu) / (item_reg + |U_i|),
        bu = sum_i (r_ui - mu - bi) / (user_reg + |I_u|),

    alternated ``iterations`` times from bu = 0. Its model adds ``residual`` (the rating minus
    the baseline) and ``baseline`` columns; users and items it never saw have bias 0.
    """

    def __init__(self, user_reg: float, item_reg: float, iterations: int) -> None:
        super().__init__()
        self.user_reg, self.item_reg, self.iterations = user_reg, item_reg, iterations

    def _fit(self, dataset: DataFrame) -> BaselineModel:
        ratings = dataset.select("userId", "movieId", "rating").persist()
        mean = ratings.agg(F.avg("rating")).first()[0]
        users = ratings.select("userId").distinct().withColumn("bu", F.lit(0.0))
        for _ in range(self.iterations):
            items = _regularised_means(
                ratings.join(users, "userId"), "movieId", "bu", mean, self.item_reg, "bi"
            )
            users = _regularised_means(
                ratings.join(items, "movieId"), "userId", "bi", mean, self.user_reg, "bu"
            )
            # cut the plan: each alternation would otherwise re-run every earlier one
            items, users = items.localCheckpoint(), users.localCheckpoint()
        ratings.unpersist()
        return BaselineModel(float(mean), users, items)


def _regularised_means(
    joined: DataFrame, key: str, other_bias: str, mean: float, reg: float, name: str
) -> DataFrame:
    deviation = F.col("rating") - F.lit(mean) - F.col(other_bias)
    return joined.groupBy(key).agg((F.sum(deviation) / (F.count("*") + F.lit(reg))).alias(name))


class BaselineModel(Model):
    """A fitted ``Baseline``: the mean and the biases, as small DataFrames."""

    def __init__(self, mean: float, users: DataFrame, items: DataFrame) -> None:
        super().__init__()
        self.mean, self.users, self.items = mean, users, items

    def _transform(self, dataset: DataFrame) -> DataFrame:
        with_biases = dataset.join(self.users, "userId", "left").join(self.items, "movieId", "left")
        baseline = F.lit(self.mean) + F.coalesce("bu", F.lit(0.0)) + F.coalesce("bi", F.lit(0.0))
        return (
            with_biases.withColumn("baseline", baseline)
            .withColumn("residual", F.col("rating") - F.col("baseline"))
            .drop("bu", "bi")
        )


def pipeline(params: ALSParams) -> tuple[Pipeline, ALS]:
    """The baseline, then ALS on its residuals (returned too, for the grid's keys)."""
    baseline = Baseline(params.user_bias_reg, params.item_bias_reg, params.bias_iterations)
    als = ALS(
        rank=params.rank,
        maxIter=params.max_iter,
        regParam=params.reg_param,
        userCol="userId",
        itemCol="movieId",
        ratingCol="residual",
        seed=params.seed,
        coldStartStrategy="drop",  # a fold's unseen users and items: no factor to score with
    )
    return Pipeline(stages=[baseline, als]), als


def train(ratings: DataFrame, params: ALSParams) -> PipelineModel:
    """Fit the baseline and ALS on every rating of ``ratings`` (userId, movieId, rating)."""
    model, _ = pipeline(params)
    return model.fit(ratings)


def export_factors(model: PipelineModel) -> collab.Factors:
    """The trained pipeline as SVD's arrays, users and items sorted by id."""
    baseline, als = model.stages
    assert isinstance(baseline, BaselineModel) and isinstance(als, ALSModel)
    users = _joined(baseline.users, "bu", als.userFactors, "userId")
    items = _joined(baseline.items, "bi", als.itemFactors, "movieId")
    return collab.Factors(
        global_mean=baseline.mean,
        user_ids=users["id"].to_numpy(np.int64),
        user_bias=users["bias"].to_numpy(np.float32),
        user_factors=_stacked(users["features"], als.rank),
        item_ids=items["id"].to_numpy(np.int64),
        item_bias=items["bias"].to_numpy(np.float32),
        item_factors=_stacked(items["features"], als.rank),
    )


def _joined(biases: DataFrame, bias: str, vectors: DataFrame, key: str) -> pd.DataFrame:
    """Bias and vector of each id, sorted by id. ALS gives a vector to every id it trained on,
    which are the ids the baseline saw."""
    frame = (
        biases.select(F.col(key).alias("id"), F.col(bias).alias("bias"))
        .join(vectors, "id", "inner")
        .toPandas()
    )
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


def _stacked(features: pd.Series, rank: int) -> np.ndarray:
    if len(features) == 0:
        return np.zeros((0, rank), dtype=np.float32)
    return np.stack([np.asarray(v, dtype=np.float32) for v in features])


def holdout_metrics(
    spark: SparkSession,
    ratings: pd.DataFrame,
    rating_scale: tuple[float, float],
    params: ALSParams,
    *,
    test_size: float = 0.2,
    max_ratings: int | None = None,
    random_state: int = 0,
) -> dict:
    """RMSE and MAE on the hold-out rows that ``collab.holdout_metrics`` scores SVD on (the
    same seeded split of the build's ratings), predicted as the site predicts."""
    sample, train_rows, test = collab.holdout_split(ratings, test_size, max_ratings, random_state)
    trained = train(_frame(spark, train_rows), params)
    factors = export_factors(trained)
    predicted = collab.predict_factors(factors, test, rating_scale)
    return collab.holdout_scores(ratings, sample, test, predicted)


def _frame(spark: SparkSession, ratings: pd.DataFrame) -> DataFrame:
    columns = ratings[["userId", "movieId", "rating"]].astype(
        {"userId": np.int32, "movieId": np.int32, "rating": np.float64}
    )
    return spark.createDataFrame(columns)


@dataclass(frozen=True)
class Tuned:
    """CrossValidator's choice and its table (one row per candidate, best first)."""

    best: ALSParams
    best_scores: dict[str, float]
    table: pd.DataFrame


def tune(ratings: DataFrame, config: SparkTraining) -> Tuned:
    """Choose among ``config.grid`` by ``config.folds``-fold CrossValidator on RMSE.

    The baseline is refitted on each fold's training part. The RMSE is of the residuals, which
    is the RMSE of the whole prediction before clipping to the rating scale; ratings of users
    or items a fold never trained on are left out (ALS has no vector for them).
    """
    assert config.grid is not None
    model, als = pipeline(config.als)
    builder = ParamGridBuilder()
    for name, values in config.grid.items():
        builder = builder.addGrid(als.getParam(ALS_PARAMS[name]), list(values))
    maps = builder.build()
    evaluator = RegressionEvaluator(metricName="rmse", labelCol="residual")
    search = CrossValidator(
        estimator=model,
        estimatorParamMaps=maps,
        evaluator=evaluator,
        numFolds=config.folds,
        seed=config.fold_seed,
    )
    fitted = search.fit(ratings)
    candidates = [
        replace(
            config.als, **{name: param_map[als.getParam(ALS_PARAMS[name])] for name in config.grid}
        )
        for param_map in maps
    ]
    table = pd.DataFrame({f"param_{n}": [getattr(c, n) for c in candidates] for n in config.grid})
    table["mean_test_rmse"] = fitted.avgMetrics
    table["std_test_rmse"] = fitted.stdMetrics
    table["rank_test_rmse"] = table["mean_test_rmse"].rank(method="first").astype(np.int32)
    winner = int(np.argmin(fitted.avgMetrics))
    ranked = table.sort_values("mean_test_rmse", kind="stable").reset_index(drop=True)
    return Tuned(candidates[winner], {"rmse": float(fitted.avgMetrics[winner])}, ranked)


def read_ratings(
    spark: SparkSession,
    uri: str,
    columns: Columns,
    rating_scale: tuple[float, float],
    csv: bool | None = None,
    timestamp: str | None = None,
) -> DataFrame:
    """The ratings at ``uri`` as (userId int, movieId int, rating double), checked in one pass
    over the data. ``csv``: CSV with a header, or Parquet; None: CSV when the name holds
    ``.csv``; ``timestamp``: that column too, as a long named timestamp. The result is cached,
    and that pass fills the cache: training reads the file no second time.

    Raises:
        DataError: naming ``uri``, the column and the number of bad rows.
    """
    csv = ".csv" in uri.lower() if csv is None else csv
    try:
        raw = spark.read.option("header", True).csv(uri) if csv else spark.read.parquet(uri)
    except Exception as exc:  # Spark's AnalysisException: the path does not exist, or no data
        raise DataError(uri, f"Spark cannot read it: {str(exc).splitlines()[0]}") from exc
    wanted = {columns.user: "userId", columns.item: "movieId", columns.rating: "rating"}
    wanted |= {timestamp: "timestamp"} if timestamp else {}
    missing = [name for name in wanted if name not in raw.columns]
    if missing:
        raise DataError(
            uri, f"no such column (it has: {', '.join(raw.columns)})", column=missing[0]
        )
    ratings = raw.select(
        F.col(columns.user).try_cast("int").alias("userId"),
        F.col(columns.item).try_cast("int").alias("movieId"),
        F.col(columns.rating).try_cast("double").alias("rating"),
        *([F.col(timestamp).try_cast("long").alias("timestamp")] if timestamp else []),
    ).persist()
    low, high = rating_scale
    bad = {
        columns.user: F.col("userId").isNull(),
        columns.item: F.col("movieId").isNull(),
        columns.rating: F.col("rating").isNull()
        | (F.col("rating") < low)
        | (F.col("rating") > high),
    }
    bad |= {timestamp: F.col("timestamp").isNull()} if timestamp else {}
    counts = ratings.agg(
        F.count("*").alias("rows"), *(F.count(F.when(c, 1)).alias(n) for n, c in bad.items())
    ).first()
    for name in bad:
        if counts[name]:
            problem = (
                f"outside {low:g}-{high:g} or empty"
                if name == columns.rating
                else "not a whole number"
            )
            raise DataError(uri, f"{counts[name]:,} rows are {problem}", column=name)
    if not counts["rows"]:
        raise DataError(uri, "no ratings")
    return ratings


def check_same_ratings(factors: collab.Factors, ratings: pd.DataFrame, uri: str) -> None:
    """The site shows the build's own ratings: Spark's copy must hold the same users and items."""
    for ids, column, noun in (
        (factors.user_ids, "userId", "users"),
        (factors.item_ids, "movieId", "items"),
    ):
        local = np.unique(ratings[column].to_numpy(np.int64))
        if len(local) != len(ids) or not np.array_equal(local, ids):
            raise DataError(
                uri,
                f"holds {len(ids):,} {noun}, the build's ratings {len(local):,}: Spark must read "
                "the same ratings as the build",
            )


@contextmanager
def session(
    master: str | None, progress: bool = False, conf: Mapping[str, str] | None = None
) -> Iterator[SparkSession]:
    """A Spark session, stopped afterwards unless it was running already (spark-submit, a
    notebook). ``master`` None keeps spark-submit's --master, or runs ``local[*]``; ``conf``:
    Spark properties for a session it starts."""
    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    builder = SparkSession.builder.appName("staticrec")
    if master is not None or "PYSPARK_GATEWAY_PORT" not in os.environ:  # not under spark-submit
        builder = builder.master(master or "local[*]")
    if (master or "local").startswith("local"):
        # --engine spark runs Python on the executors: in local mode, this Python (which has
        # pandas), not whatever python3 is first on PATH; pyspark reads it from the environment
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = builder.config("spark.ui.showConsoleProgress", str(progress).lower())
    builder = builder.config("spark.sql.execution.arrow.pyspark.enabled", "true")
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except PySparkRuntimeError as exc:  # JAVA_GATEWAY_EXITED: no Java, or one too old
        raise ConfigError(
            f"Spark did not start ({exc.getErrorClass()}): pyspark {pyspark.__version__} needs "
            "Java 17 or later (Debian: apt install openjdk-17-jre-headless)",
            field="trainer",
        ) from exc
    spark.sparkContext.setLogLevel("ERROR")
    log.info("spark %s at %s", pyspark.__version__, spark.sparkContext.master)
    memory = spark.sparkContext.getConf().get("spark.driver.memory", "1g")
    try:
        yield spark
    except Exception as exc:
        lost = isinstance(exc, (Py4JNetworkError, OSError, EOFError))  # its socket closed
        code = _driver_exit(spark, wait=10.0 if lost else 0.0)  # the JVM takes a moment to go
        if code is None:
            raise
        cause = "ran out of memory" if code == DRIVER_OUT_OF_MEMORY else f"ended (code {code})"
        raise ConfigError(
            f"Spark's driver JVM {cause} (spark.driver.memory {memory}): raise it, e.g. "
            "--spark-conf spark.driver.memory=2g",
            field="spark_conf",
        ) from exc
    finally:
        if _driver_exit(spark) is None:  # else there is nothing left to stop
            spark.stop()


def _driver_exit(spark: SparkSession, wait: float = 0.0) -> int | None:
    """The exit code of the driver's JVM this process started; None while it runs (or if
    this process did not start it)."""
    process = getattr(spark.sparkContext._gateway, "proc", None)
    if process is None:
        return None
    try:
        return process.wait(wait) if wait else process.poll()
    except subprocess.TimeoutExpired:
        return None


def describe(spark: SparkSession, config: SparkTraining, params: ALSParams) -> dict:
    """The manifest's record of the trainer: Spark's version, where it ran, what it read."""
    return {
        "spark": pyspark.__version__,
        "master": spark.sparkContext.master,
        "ratings": config.ratings,  # None: the build's own file
        **asdict(params),
    }
