"""The build's settings (``BuildConfig``, which the command line fills in) and the checks
the build's stages make of them before they start work.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from staticrec.errors import ConfigError
from staticrec.pipeline import collab, collab_index, content, tuning
from staticrec.pipeline.data import MovieLens
from staticrec.pipeline.data_files import RatingsFiles
from staticrec.pipeline.download import DownloadConfig, fetch_dataset
from staticrec.pipeline.spark_config import Columns, SparkEngine, SparkTraining
from staticrec.scoring.schema import FactorPrecision
from staticrec.site.config import SiteConfig
from staticrec.site.pages import ReportPage

log = logging.getLogger("staticrec")


class Evaluation(Protocol):
    """What an evaluation run hands back to the build (``staticrec.evaluation.Evaluation``)."""

    def summary(self) -> dict:
        """The figures the manifest stores under metrics.evaluation."""

    def write_report(self, folder: Path) -> ReportPage:
        """Write the report into ``folder``; the page the site shows for it."""


Evaluator = Callable[
    [MovieLens, collab.SVDParams, content.ContentConfig, FactorPrecision], Evaluation
]
"""Evaluates the models the build trains: the dataset, SVD's parameters, the content settings,
and the precision the movie factors are stored at (so it measures them as the site has them)."""


@dataclass(frozen=True)
class BuildConfig:
    """Everything one build needs; the command line fills it in."""

    data_dir: Path | None = None
    """An extracted MovieLens folder; None downloads ``download.dataset`` into the cache."""
    ratings_files: RatingsFiles | None = None
    """Your own ratings (and items) file, instead of MovieLens."""
    download: DownloadConfig = field(default_factory=DownloadConfig)
    """Which release to download and where to cache it, when data_dir is None."""
    rating_scale: tuple[float, float] = (0.5, 5.0)
    """Lowest and highest allowed rating."""
    content: content.ContentConfig = field(default_factory=content.ContentConfig)
    """How the content index is built."""
    collab_index: collab_index.CollabIndexConfig = field(
        default_factory=collab_index.CollabIndexConfig
    )
    """How the collaborative item index (EASE) is built."""
    svd: collab.SVDParams = field(default_factory=collab.SVDParams)
    """SVD parameters (the starting point when tuning)."""
    tuning: tuning.TuningConfig | None = None
    """Grid search settings; None trains ``svd`` as given."""
    spark: SparkTraining | None = None
    """Train ALS on Spark instead of Surprise's SVD (``svd`` and ``tuning`` then unused)."""
    engine: SparkEngine | None = None
    """Run every stage the size of the ratings on Spark too (needs ``spark``; a MovieLens
    folder): the driver then never holds the ratings."""
    holdout_fraction: float = 0.2
    """Share of ratings held out to report RMSE/MAE of an untuned build."""
    holdout_max_ratings: int = 250_000
    """Above this many ratings, the hold-out is drawn from a sample of whole users holding at
    most this many: above 1M ratings the metric then costs under a quarter of training, not
    80% (ml-latest-small, 100,836 ratings, keeps all of them)."""
    progress: bool = False
    """Progress bars for the long stages (SVD's epochs)."""
    factor_precision: Literal["auto", "float32", "float16", "int8"] = "auto"
    """How the movie factors are stored: ``auto`` is int8 when float32 would take more than
    ``COMPACT_FACTORS_BYTES``, 1 MB (ml-1m stays float32; ml-latest-small, ml-10m and larger
    go int8)."""
    artifacts_dir: Path = Path("build/artifacts")
    """Where the Parquet tables and the manifest go."""
    site: SiteConfig | None = field(default_factory=SiteConfig)
    """How the site is rendered; None builds the artifacts only."""
    evaluate: Evaluator | None = None
    """Evaluate the models too (minutes): the figures go into the manifest, the report into
    ``report_dir`` and the site (``staticrec.evaluation.for_build`` makes one)."""
    report_dir: Path = Path("build/report")
    """Where the evaluation report (Markdown and SVG plots) goes."""

    def __post_init__(self) -> None:
        low, high = self.rating_scale
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ConfigError(
                f"must be two finite numbers, the lowest first, not {low:g} {high:g}",
                field="rating_scale",
            )
        if self.spark is not None and self.evaluate is not None:
            raise ConfigError(
                "the evaluation trains Surprise's SVD; it does not run with --trainer spark",
                field="evaluate",
            )
        if self.engine is not None and (self.spark is None or self.ratings_files is not None):
            raise ConfigError(
                "--engine spark trains on Spark (--trainer spark) from a MovieLens folder",
                field="engine",
            )


def check_folds(n_ratings: int, folds: int) -> None:
    if n_ratings < folds:
        raise ConfigError(
            f"{n_ratings:,} rating(s) cannot be split into {folds} folds", field="method"
        )


def can_hold_out(config: BuildConfig, ml: MovieLens) -> bool:
    """Whether the hold-out leaves ratings to train on; says so when it does not."""
    n_ratings = ml.row_counts()["ratings"]
    n_test = math.ceil(config.holdout_fraction * n_ratings)
    if n_ratings - n_test >= 1:
        return True
    log.info("holdout skipped: %d rating(s) leave none to train on", n_ratings)
    return False


def ratings_file(config: BuildConfig) -> Path:
    """The build's own ratings file, for Spark to read when it is given no other."""
    if config.ratings_files is not None:
        return Path(config.ratings_files.ratings).resolve()
    folder = config.data_dir if config.data_dir is not None else fetch_dataset(config.download)
    return (folder / "ratings.csv").resolve()


def spark_columns(config: BuildConfig) -> Columns:
    files = config.ratings_files
    if files is None:
        return Columns()
    return Columns(user=files.user_column, item=files.item_column, rating=files.rating_column)
