"""Stage 4 on Spark, its settings: what ``--trainer spark`` trains and where, without pyspark.

The command line and the build read these to check and describe a Spark build; only
``collab_spark``, which runs it, needs the optional pyspark.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from staticrec.errors import ConfigError

ALS_GRID: Mapping[str, tuple] = {"rank": (20, 50, 100), "reg_param": (0.05, 0.1, 0.2)}
"""What ``--tune`` searches with this trainer: 9 combinations of rank and regParam."""


@dataclass(frozen=True)
class ALSParams:
    """The baseline's and ALS's parameters.

    The defaults reach a hold-out RMSE of 0.8460 on ml-latest-small (the build's random 20%),
    against Surprise SVD's 0.8426 there.
    """

    rank: int = 50
    """Length of each user and item vector."""
    max_iter: int = 15
    """ALS sweeps (each solves all users, then all items)."""
    reg_param: float = 0.1
    """ALS's L2 regularisation, scaled by each user's and item's number of ratings (ALS-WR)."""
    user_bias_reg: float = 15.0
    """Pseudo-ratings that pull a user's bias towards 0 (Surprise's baseline reg_u)."""
    item_bias_reg: float = 10.0
    """Pseudo-ratings that pull an item's bias towards 0 (Surprise's baseline reg_i)."""
    bias_iterations: int = 3
    """Alternations of item biases then user biases. Surprise's baseline makes 10; on
    ml-latest-small's hold-out, 3 and 10 differ by 0.0001 RMSE, and each costs two passes."""
    seed: int = 42
    """ALS's random initialisation."""

    def __post_init__(self) -> None:
        for name in ("rank", "max_iter", "bias_iterations"):
            if getattr(self, name) < 1:
                raise ConfigError(f"must be at least 1, not {getattr(self, name)}", field=name)
        for name in ("reg_param", "user_bias_reg", "item_bias_reg"):
            if getattr(self, name) < 0:
                raise ConfigError(f"must not be negative, not {getattr(self, name)}", field=name)


@dataclass(frozen=True)
class SparkTraining:
    """Where and how Spark trains."""

    master: str | None = None
    """Spark master URL; None: the one spark-submit was given, else ``local[*]``."""
    ratings: str | None = None
    """The ratings Spark reads (CSV, or Parquet: a path or URI Spark can open, such as
    hdfs://...); None: the build's own ratings file."""
    conf: Mapping[str, str] = field(default_factory=dict)
    """Spark properties for the session it starts (``spark.driver.memory``: in local mode
    the whole of Spark lives in the driver, whose heap is 1 GB unless told otherwise)."""
    als: ALSParams = field(default_factory=ALSParams)
    """The parameters to train with (the base of the grid when tuning)."""
    grid: Mapping[str, Sequence] | None = None
    """Values of ALSParams fields for CrossValidator to try; None: train ``als`` as given."""
    folds: int = 3
    """CrossValidator's folds."""
    fold_seed: int = 0
    """Seed of CrossValidator's fold assignment."""

    def __post_init__(self) -> None:
        if self.grid is not None:
            unknown = sorted(set(self.grid) - set(ALS_PARAMS))
            if unknown:
                raise ConfigError(
                    f"can only vary {sorted(ALS_PARAMS)}, not {unknown}", field="grid"
                )
        if self.folds < 2:
            raise ConfigError(f"cross-validation needs at least 2, not {self.folds}", field="folds")


ENGINE_DRIVER_CONF: Mapping[str, str] = {
    # an out-of-memory error ends the driver's JVM (exit code 3) and so the build, which
    # names spark.driver.memory; without it a thread of the JVM dies and the build hangs.
    # One GC thread, and a heap that grows from 64 MB as its live objects need (the JVM's
    # default starts at 1/64 of the machine's memory and keeps 40-70% of it free)
    "spark.driver.extraJavaOptions": "-XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC -Xms64m "
    "-XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30",
    # no web UI, and the status the driver keeps for it (ALS runs hundreds of stages) kept short
    "spark.ui.enabled": "false",
    "spark.ui.retainedJobs": "50",
    "spark.ui.retainedStages": "50",
    "spark.ui.retainedTasks": "1000",
    "spark.sql.ui.retainedExecutions": "20",
}
"""Spark properties ``--engine spark`` sets for its session unless ``--spark-conf`` gives
them: a small, fail-fast driver. The JVM's options (and ``spark.driver.memory``) take effect
only when the build starts the driver's JVM, not under spark-submit."""

DRIVER_OUT_OF_MEMORY = 3
"""The exit code of a JVM that ``-XX:+ExitOnOutOfMemoryError`` ended."""


ALS_PARAMS = {"rank": "rank", "max_iter": "maxIter", "reg_param": "regParam"}
"""ALSParams fields that CrossValidator can vary, and ALS's names for them."""


@dataclass(frozen=True)
class Columns:
    """The rating file's column names (renamed to userId, movieId, rating when read)."""

    user: str = "userId"
    item: str = "movieId"
    rating: str = "rating"


@dataclass(frozen=True)
class SparkEngine:
    """``--engine spark``: every stage the size of the ratings runs on Spark (the statistics,
    the item index's Gram matrix, the user ratings' shards, ALS); the driver holds what grows
    with the movies and the users, never the ratings."""

    gram_block_bytes: int = 8 << 20
    """The Gram matrix reaches the driver in blocks of whole rows of about this size."""
    partitions: int | None = None
    """Partitions of the ratings (of whole users) for the Gram matrix and the also-liked
    counts; None: Spark's default parallelism."""
    scratch: str | None = None
    """A folder the driver and every executor reach at this same path (a shared filesystem),
    in which the build makes its temporary folder: the executors write the Gram matrix's
    blocks and the user shards there and the driver reads them, so they never pass through
    the driver's JVM. None: the system's temporary folder, which only executors on the
    driver's machine reach (local mode, a cluster on one machine)."""

    def __post_init__(self) -> None:
        if self.gram_block_bytes < 1:
            raise ConfigError(
                f"must be positive, not {self.gram_block_bytes}", field="gram_block_bytes"
            )
        if self.partitions is not None and self.partitions < 1:
            raise ConfigError(f"must be at least 1, not {self.partitions}", field="partitions")
