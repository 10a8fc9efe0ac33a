"""``--engine spark``: the stages the size of the ratings, run where the ratings are.

The driver reads movies.csv and links.csv itself (they grow with the catalogue) and leaves
ratings.csv to Spark, which makes of it:

1. the statistics: per movie its number of ratings and mean, per user its number of ratings
   (``RatingStats``; the popularity order, the items table and the user ranges come from them);
2. the item index's Gram matrix over the movies it is solved on: each partition of whole users
   sums its users' outer products (a sparse X'X), Spark adds the partitions' entries, and the
   executors write the dense sum in blocks of rows, which the driver reads, then solves as the
   single-machine build does;
3. the user ratings' shards: the users are cut into the same ranges as on one machine, and each
   range is made into its Parquet file by the same code, where it lies, and written; the driver
   reads the files, one at a time;
4. the site's also-liked counts: each partition of whole users counts its users' likes of the
   pairs shown, and the driver adds them up.

Executors run this package's code (2 to 4), so the session ships it (``ship_package``). They
write 2's blocks and 3's files into a scratch folder they share with the driver (a shared
filesystem, at the same path): what grows with the movies or the users never passes through
the driver's JVM, whose heap then stays small whatever the ratings (results through it, even
a few tens of MB at a time, ran a 512 MB heap out of memory at 10 million ratings).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pyspark.ml import PipelineModel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

import staticrec
from staticrec.errors import ConfigError, DataError
from staticrec.pipeline.co_liked import CoLikedOf, co_liked_by_id
from staticrec.pipeline.collab_index import GramOf
from staticrec.pipeline.data import MOVIES, RatingStats
from staticrec.pipeline.export import parquet_bytes, user_ratings_of
from staticrec.pipeline.sharding import ShardSource, ranges_of_counts
from staticrec.pipeline.spark_config import SparkEngine
from staticrec.scoring import schema

_SHIPPED: set[str] = set()
"""Applications the package was sent to (Spark refuses a second file of the same name)."""


def ship_package(spark: SparkSession, folder: Path) -> None:
    """Make this package importable by the executors (a zip in ``folder``, sent by Spark)."""
    application = spark.sparkContext.applicationId
    if application in _SHIPPED:
        return
    _SHIPPED.add(application)
    root = Path(staticrec.__file__).parent
    archive = folder / "staticrec.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(root.rglob("*.py")):
            out.write(path, path.relative_to(root.parent))
    spark.sparkContext.addPyFile(str(archive))


def check_movies(ratings: DataFrame, movies: pd.DataFrame, uri: str) -> None:
    """What ``data.check_ratings`` checks beyond each value: every movie is in movies.csv, and
    no user rates a movie twice.

    Raises:
        DataError: naming ``uri``, the column, and how many rows (an example id).
    """
    known = ratings.sparkSession.createDataFrame(movies[["movieId"]].astype(np.int32))
    unknown = ratings.join(F.broadcast(known), "movieId", "left_anti")
    row = unknown.agg(F.count("*").alias("n"), F.min("movieId").alias("id")).first()
    if row["n"]:
        problem = f"{row['n']:,} rows name a movie not in {MOVIES.file_name} (movieId {row['id']})"
        raise DataError(uri, problem, column="movieId")
    twice = ratings.groupBy("userId", "movieId").count().where("count > 1")
    row = twice.agg(F.count("*").alias("n"), F.min("userId").alias("id")).first()
    if row["n"]:
        problem = f"{row['n']:,} (userId, movieId) pairs are rated twice (userId {row['id']})"
        raise DataError(uri, problem, column="movieId")


def rating_stats(ratings: DataFrame) -> RatingStats:
    """Per movie its number of ratings and mean rating, per user its number of ratings, by id.

    The means equal the single-machine build's: ratings in steps of 0.5 sum exactly in any order.
    """
    movies = ratings.groupBy("movieId").agg(
        F.count("*").alias("size"), F.avg("rating").alias("mean")
    )
    users = ratings.groupBy("userId").agg(F.count("*").alias("size"))
    return RatingStats(
        movies=_by_id(movies.toPandas(), "movieId"), users=_by_id(users.toPandas(), "userId")
    )


def _by_id(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    frame = frame.astype({key: np.int64, "size": np.int64})
    return frame.sort_values(key, kind="stable").reset_index(drop=True)


def gram_of(ratings: DataFrame, config: SparkEngine, scratch: Path) -> GramOf:
    """``collab_index``'s Gram step on Spark: X'X over the given movieIds, dense float32, on
    the driver. The executors write its blocks into ``scratch``, which the driver reads."""

    def gram(item_ids: np.ndarray) -> np.ndarray:
        n = len(item_ids)
        spark = ratings.sparkSession
        ids = pd.DataFrame({"movieId": item_ids.astype(np.int32)})
        columns = spark.createDataFrame(ids.assign(col=np.arange(n, dtype=np.int32)))
        kept = ratings.select("userId", "movieId").join(F.broadcast(columns), "movieId")
        parts = config.partitions or spark.sparkContext.defaultParallelism
        rows = max(1, config.gram_block_bytes // (4 * n))  # a block: int32 counts
        n_blocks = -(-n // rows)
        folder = Path(tempfile.mkdtemp(prefix="gram-", dir=scratch))
        # 1. each partition holds whole users: their outer products summed there, sparse, cut
        #    into blocks of rows; 2. each block's parts added where the block is (an explicit
        #    partition count, which Spark keeps) and written to the folder; 3. the driver reads
        #    the blocks from there one at a time: only their numbers pass through Spark
        partial = kept.repartition(parts, "userId").mapInPandas(
            lambda batches: _partial_gram(batches, n, rows), "block int, data binary"
        )
        written = (
            partial.repartition(n_blocks, "block")
            .groupBy("block")
            .applyInPandas(lambda frame: _dense_block(frame, rows, n, folder), "block int")
            .collect()
        )
        result = np.zeros((n, n), dtype=np.float32)  # counts: exact up to 2^24 users
        for row in written:
            start = row["block"] * rows
            block = np.load(_written(folder / f"{row['block']}.npy"))
            result[start : start + len(block)] = block
        shutil.rmtree(folder)
        return result

    return gram


def _partial_gram(batches: Iterator[pd.DataFrame], n: int, rows: int) -> Iterator[pd.DataFrame]:
    """X'X over one partition's users, as sparse blocks of ``rows`` rows (Parquet-free bytes:
    scipy's npz)."""
    frames = list(batches)
    if not frames:
        return
    both = pd.concat(frames, ignore_index=True)
    users = pd.factorize(both["userId"])[0]
    ones = np.ones(len(both), dtype=np.int32)
    x = sp.csr_matrix((ones, (users, both["col"].to_numpy())), shape=(users.max() + 1, n))
    gram = (x.T @ x).tocsr()
    for block, start in enumerate(range(0, n, rows)):
        part = gram[start : start + rows]
        if part.nnz:
            buffer = io.BytesIO()
            sp.save_npz(buffer, part, compressed=False)
            yield pd.DataFrame({"block": [block], "data": [buffer.getvalue()]})


def _dense_block(frame: pd.DataFrame, rows: int, n: int, folder: Path) -> pd.DataFrame:
    """One block of rows of X'X, dense int32, the sum of its partitions' parts, written to
    ``folder`` as ``<block>.npy``."""
    block = int(frame["block"].iloc[0])
    dense = np.zeros((min(rows, n - block * rows), n), dtype=np.int32)
    for data in frame["data"]:
        dense += sp.load_npz(io.BytesIO(data)).toarray()
    _write(folder / f"{block}.npy", lambda out: np.save(out, dense))
    return pd.DataFrame({"block": [block]})


def _write(path: Path, write: Callable) -> None:
    """Write a file whole or not at all (a task run twice writes it twice)."""
    path.parent.mkdir(parents=True, exist_ok=True)  # on an executor that does not share it
    part = path.with_name(f"{path.name}.{uuid.uuid4().hex}")
    with open(part, "wb") as out:
        write(out)
    os.replace(part, path)


def _written(path: Path) -> Path:
    """A file an executor wrote, which the driver must see.

    Raises:
        ConfigError: the executors wrote where the driver cannot read.
    """
    if not path.is_file():
        raise ConfigError(
            f"{path} is not there: the executors write the Gram matrix and the user shards "
            "into a folder they must share with the driver, at the same path (a shared "
            "filesystem; set SparkEngine.scratch, --spark-scratch)",
            field="scratch",
        )
    return path


def co_liked_of(ratings: DataFrame, config: SparkEngine) -> CoLikedOf:
    """``co_liked``'s counts on Spark: each partition of whole users counts its own users' likes
    of the pairs (sent to every executor once), and the driver adds the partitions' counts."""

    def count(anchor_ids: np.ndarray, other_ids: np.ndarray, threshold: float) -> np.ndarray:
        spark = ratings.sparkSession
        pairs = spark.sparkContext.broadcast((anchor_ids, other_ids))
        parts = config.partitions or spark.sparkContext.defaultParallelism
        likes = ratings.where(F.col("rating") >= threshold).select("userId", "movieId", "rating")
        partial = likes.repartition(parts, "userId").mapInPandas(
            lambda batches: _partial_co_liked(batches, threshold, *pairs.value), "data binary"
        )
        total = np.zeros(len(anchor_ids), dtype=np.int64)
        for row in partial.toLocalIterator():
            total += np.frombuffer(row["data"], dtype=np.int64)
        pairs.destroy()
        return total

    return count


def _partial_co_liked(
    batches: Iterator[pd.DataFrame], threshold: float, anchor_ids: np.ndarray, other_ids: np.ndarray
) -> Iterator[pd.DataFrame]:
    frames = list(batches)
    if not frames:
        return
    both = pd.concat(frames, ignore_index=True)
    counts = co_liked_by_id(
        both["userId"].to_numpy(np.int64),
        both["movieId"].to_numpy(np.int64),
        both["rating"].to_numpy(np.float64),
        threshold,
        anchor_ids,
        other_ids,
    )
    yield pd.DataFrame({"data": [counts.tobytes()]})


def user_shards(
    ratings: DataFrame,
    stats: RatingStats,
    scratch: Path,
    rows_per_shard: int = schema.USER_SHARD_ROWS,
) -> ShardSource:
    """The user_ratings table's shards, each made where its users' ratings are: the same user
    ranges (``ranges_of_counts``) and the same bytes as the single-machine build's, written by
    the executors into ``scratch``, whence the driver reads them."""
    users = stats.users["userId"].to_numpy(np.int64)
    firsts = ranges_of_counts(users, stats.users["size"].to_numpy(np.int64), rows_per_shard)
    shard = np.searchsorted(np.asarray(firsts, dtype=np.int64), users, side="right") - 1
    spark = ratings.sparkSession
    shard_of = spark.createDataFrame(
        pd.DataFrame({"userId": users.astype(np.int32), "shard": shard.astype(np.int32)})
    )
    columns = ratings.select("userId", "movieId", "rating", "timestamp")
    by_shard = columns.join(F.broadcast(shard_of), "userId").groupBy("shard")

    def parts() -> Iterator[tuple[int, bytes]]:
        # the executors write the files; the driver reads them one at a time
        folder = Path(tempfile.mkdtemp(prefix="user-shards-", dir=scratch))
        files = by_shard.applyInPandas(lambda frame: _shard_file(frame, folder), "shard int")
        for row in files.collect():
            path = _written(folder / f"{row['shard']}.parquet")
            yield int(row["shard"]), path.read_bytes()
            path.unlink()
        shutil.rmtree(folder)

    return ShardSource(firsts=firsts, last=int(users.max()) if len(users) else 0, parts=parts)


def _shard_file(frame: pd.DataFrame, folder: Path) -> pd.DataFrame:
    shard = int(frame["shard"].iloc[0])
    rows = frame.drop(columns="shard").astype(
        {"userId": np.int64, "movieId": np.int64, "rating": np.float64, "timestamp": np.int64}
    )
    data = parquet_bytes(schema.USER_RATINGS, user_ratings_of(rows))
    _write(folder / f"{shard}.parquet", lambda out: out.write(data))
    return pd.DataFrame({"shard": [shard]})


def holdout_metrics(
    ratings: DataFrame,
    fit: Callable[[DataFrame], PipelineModel],
    rating_scale: tuple[float, float],
    test_size: float,
    max_ratings: int | None = None,
    seed: int = 0,
) -> dict:
    """RMSE and MAE on a seeded random ``test_size`` of the ratings, trained by ``fit`` on the
    rest (``collab_spark.train``), predicted as the site predicts (clipped to the scale); a test
    rating whose user or movie the training part lacks is left out. Above ``max_ratings``, on
    the ratings of a random share of the users holding about that many (as on one machine)."""
    n_ratings = ratings.count()
    if max_ratings is not None and n_ratings > max_ratings:
        users = ratings.select("userId").distinct().sample(max_ratings / n_ratings, seed=seed)
        ratings = ratings.join(users, "userId")
    train, test = ratings.randomSplit([1 - test_size, test_size], seed=seed)
    model = fit(train)
    low, high = rating_scale
    predicted = model.transform(test).withColumn(
        "error",
        F.least(F.greatest(F.col("baseline") + F.col("prediction"), F.lit(low)), F.lit(high))
        - F.col("rating"),
    )
    row = predicted.agg(
        F.sqrt(F.avg(F.col("error") ** 2)).alias("rmse"),
        F.avg(F.abs("error")).alias("mae"),
        F.count("*").alias("n"),
    ).first()
    return {"rmse": float(row["rmse"]), "mae": float(row["mae"]), "test_ratings": int(row["n"])}
