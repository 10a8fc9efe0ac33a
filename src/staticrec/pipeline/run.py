"""The build, stage by stage, atomically (the stages in ``staticrec.pipeline``'s order):

1. data -> 2. content index -> 3. item index -> 4. factors (SVD, or ALS on Spark)
-> 5. artifacts -> 6. site

Every stage computes into memory or into staged folders; only the final commit touches the
output folders, so a failure anywhere leaves the previous build exactly as it was. This is the
one module of the package that reaches the site stage; the evaluation, when asked for, comes in
as a function from the command line (``BuildConfig.evaluate``): the build never imports it.
"""

from __future__ import annotations

import logging
import math
import resource
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from staticrec.errors import ConfigError
from staticrec.pipeline import collab, collab_index, content, export, tuning
from staticrec.pipeline.data import MovieLens
from staticrec.pipeline.data_files import RatingsFiles, load_ratings_files
from staticrec.pipeline.download import DownloadConfig, fetch_dataset
from staticrec.pipeline.output import StagedOutputs, check_replaceable, check_targets
from staticrec.pipeline.spark_config import Columns, SparkTraining
from staticrec.pipeline.summary import BuildSummary
from staticrec.pipeline.train import factor_precision, load_dataset, model_meta
from staticrec.scoring.schema import FactorPrecision
from staticrec.site import render, runtime
from staticrec.site.config import SiteConfig, check_web_dir
from staticrec.site.pages import ReportPage

if TYPE_CHECKING:  # collab_spark needs the optional pyspark: imported only when it runs
    from staticrec.pipeline import collab_spark


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


log = logging.getLogger("staticrec")


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


def run(config: BuildConfig) -> BuildSummary:
    """Run the whole build; returns what it did. Raises StaticrecError on bad input."""
    summary = BuildSummary(nouns=_nouns(config))
    targets = {"artifacts_dir": config.artifacts_dir}  # each by its field, for messages
    targets |= {"site_dir": config.site.site_dir} if config.site else {}
    targets |= {"report_dir": config.report_dir} if config.evaluate is not None else {}
    # before any work: a mistake in the options should cost seconds, not a build
    check_targets(targets, _inputs(config))
    for target in targets.values():
        check_replaceable(Path(target).absolute())
    pyodide_files = None
    if config.site is not None:
        # Checked first: a missing runtime or front-end package should cost seconds, not a build.
        with summary.stage("runtime"):
            check_web_dir(config.site.web_dir)
            pyodide_files = runtime.prepare_runtime(config.site)
    with summary.stage("data"):
        ml = _load(config)
        summary.rows = ml.row_counts()
    with summary.stage("content"):
        neighbors, vocabulary = content.build_content_index(ml, config.content, config.progress)
    with summary.stage("item index"):
        collab_neighbors = collab_index.build_collab_index(ml, config.collab_index, config.progress)
    params = config.svd  # what the evaluation trains (it does not run with Spark)
    if config.spark is not None:
        factors, trainer_params, tuned = _train_on_spark(config, ml, summary)
    else:
        factors, params, tuned = _train_svd(config, ml, summary)
        trainer_params = asdict(params)
    precision = factor_precision(config.factor_precision, factors)
    evaluation = None
    if config.evaluate is not None:
        with summary.stage("evaluate"):  # of the model as the site stores it
            evaluation = config.evaluate(ml, params, config.content, precision)
            summary.metrics["evaluation"] = evaluation.summary()
    with summary.stage("tables"):
        tables = export.artifact_tables(
            ml,
            factors,
            neighbors,
            collab_neighbors,
            tuned.table if tuned is not None else None,
            precision,
        )
        manifest = _manifest(
            config, ml, summary, factors, trainer_params, len(vocabulary), precision
        )
    with StagedOutputs(targets, keep=_inputs(config)) as staged:
        artifacts = staged.path(config.artifacts_dir)
        with summary.stage("export"):
            summary.files = export.write_artifacts(artifacts, tables, manifest)
        report_page = None
        if evaluation is not None:
            with summary.stage("report"):
                report_page = evaluation.write_report(staged.path(config.report_dir))
        if config.site is not None:
            with summary.stage("site"):
                summary.pages = render.render(
                    artifacts,
                    staged.path(config.site.site_dir),
                    config.site,
                    pyodide_files,
                    report_page,
                )
        staged.commit()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    summary.peak_rss_mb = peak / (1 << 20 if sys.platform == "darwin" else 1 << 10)
    return summary


def _train_svd(
    config: BuildConfig, ml: MovieLens, summary: BuildSummary
) -> tuple[collab.Factors, collab.SVDParams, tuning.TuningResult | None]:
    """Surprise's SVD: tuned by cross-validation, or scored on the hold-out, then trained on
    every rating."""
    params, tuned = config.svd, None
    if config.tuning is not None:
        _check_folds(len(ml.ratings), config.tuning.folds)
        with summary.stage("tuning"):
            data = collab.surprise_dataset(ml.ratings, config.rating_scale)
            tuned = tuning.search(data, config.svd, config.tuning)
            del data  # Surprise's copy of the ratings: ~300 bytes a rating
            params = tuned.best
            summary.metrics["cv"] = {**tuned.best_scores, "folds": config.tuning.folds}
    elif _can_hold_out(config, ml):
        with summary.stage("holdout"):
            scores = collab.holdout_metrics(
                ml.ratings,
                config.rating_scale,
                params,
                test_size=config.holdout_fraction,
                max_ratings=config.holdout_max_ratings,
            )
            summary.metrics["holdout"] = {**scores, "test_fraction": config.holdout_fraction}
    with summary.stage("svd"):
        algo = collab.train_svd(ml.ratings, config.rating_scale, params, config.progress)
        factors = collab.export_factors(algo)
        del algo
    return factors, params, tuned


def _nouns(config: BuildConfig) -> tuple[str, str]:
    """The items' name for the summary: the site's noun, else movies or (your own data) items."""
    if config.site is not None:
        return config.site.noun, config.site.nouns or f"{config.site.noun}s"
    return ("item", "items") if config.ratings_files is not None else ("movie", "movies")


def _check_folds(n_ratings: int, folds: int) -> None:
    if n_ratings < folds:
        raise ConfigError(
            f"{n_ratings:,} rating(s) cannot be split into {folds} folds", field="method"
        )


def _can_hold_out(config: BuildConfig, ml: MovieLens) -> bool:
    """Whether the hold-out leaves ratings to train on; says so when it does not."""
    n_test = math.ceil(config.holdout_fraction * len(ml.ratings))
    if len(ml.ratings) - n_test >= 1:
        return True
    log.info("holdout skipped: %d rating(s) leave none to train on", len(ml.ratings))
    return False


def _train_on_spark(
    config: BuildConfig, ml: MovieLens, summary: BuildSummary
) -> tuple[collab.Factors, dict, collab_spark.Tuned | None]:
    """Spark's baseline + ALS: tuned by CrossValidator, or scored on the hold-out SVD is scored
    on, then trained on the ratings Spark reads itself."""
    from staticrec.pipeline import collab_spark

    spark_config = config.spark
    uri = spark_config.ratings or str(_ratings_file(config))
    params, tuned = spark_config.als, None
    with collab_spark.session(spark_config.master, config.progress, spark_config.conf) as spark:
        with summary.stage("spark read"):
            own_file = spark_config.ratings is None  # always CSV, whatever its name
            ratings = collab_spark.read_ratings(
                spark, uri, _spark_columns(config), config.rating_scale, csv=own_file or None
            )
        if spark_config.grid is not None:
            _check_folds(len(ml.ratings), spark_config.folds)
            with summary.stage("tuning"):
                tuned = collab_spark.tune(ratings, spark_config)
                params = tuned.best
                summary.metrics["cv"] = {**tuned.best_scores, "folds": spark_config.folds}
        elif _can_hold_out(config, ml):
            with summary.stage("holdout"):
                scores = collab_spark.holdout_metrics(
                    spark,
                    ml.ratings,
                    config.rating_scale,
                    params,
                    test_size=config.holdout_fraction,
                    max_ratings=config.holdout_max_ratings,
                )
                summary.metrics["holdout"] = {**scores, "test_fraction": config.holdout_fraction}
        with summary.stage("als"):
            factors = collab_spark.export_factors(collab_spark.train(ratings, params))
        collab_spark.check_same_ratings(factors, ml.ratings, uri)
        record = collab_spark.describe(spark, spark_config, params)
    return factors, record, tuned


def _ratings_file(config: BuildConfig) -> Path:
    """The build's own ratings file, for Spark to read when it is given no other."""
    if config.ratings_files is not None:
        return Path(config.ratings_files.ratings).resolve()
    folder = config.data_dir if config.data_dir is not None else fetch_dataset(config.download)
    return (folder / "ratings.csv").resolve()


def _spark_columns(config: BuildConfig) -> Columns:
    files = config.ratings_files
    if files is None:
        return Columns()
    return Columns(user=files.user_column, item=files.item_column, rating=files.rating_column)


def _inputs(config: BuildConfig) -> list[Path]:
    """Folders the build reads from: no output may replace them."""
    if config.ratings_files is not None:  # the files themselves: they may sit beside site/
        files = config.ratings_files
        folders = [Path(files.ratings), *([Path(files.items)] if files.items else [])]
    else:
        folders = [config.data_dir if config.data_dir is not None else config.download.cache_dir]
    if config.site is not None:
        folders += [config.site.pyodide_cache, config.site.web_dir]
        folders += [config.site.pyodide_dir] if config.site.pyodide_dir else []
    return folders


def _load(config: BuildConfig) -> MovieLens:
    if config.ratings_files is not None:
        return load_ratings_files(config.ratings_files, rating_scale=config.rating_scale)
    return load_dataset(
        config.data_dir,
        config.download,
        rating_scale=config.rating_scale,
        # tags, where the release has them: content on genres alone breaks its ties by them
        with_tags=config.content.source == "genres+tags"
        or config.data_dir is None
        or (Path(config.data_dir) / "tags.csv").is_file(),
        with_genome=config.content.source == "genres+genome",
    )


def _manifest(
    config: BuildConfig,
    ml: MovieLens,
    summary: BuildSummary,
    factors: collab.Factors,
    trainer_params: dict,
    vocabulary_size: int,
    precision: FactorPrecision,
) -> dict:
    return {
        "dataset": {
            "name": ml.name,
            "rows": summary.rows,
            # the site credits GroupLens for MovieLens, and nobody for your own file
            "source": "ratings-file" if config.ratings_files else "movielens",
        },
        **model_meta(factors, config.rating_scale, precision),
        "params": {
            "factor_precision": precision,
            "trainer": "surprise" if config.spark is None else "spark",
            "svd" if config.spark is None else "als": trainer_params,
            "content": {**asdict(config.content), "vocabulary_size": vocabulary_size},
            "collab_index": asdict(config.collab_index),
            "tuning": _tuning_params(config),
        },
        "metrics": summary.metrics,
    }


def _tuning_params(config: BuildConfig) -> dict | None:
    """The grid searched and its folds; None for a build that was not tuned."""
    search = config.spark if config.spark is not None else config.tuning
    if search is None or search.grid is None:
        return None
    return {
        "grid": {k: list(v) for k, v in search.grid.items()},
        "folds": search.folds,
        "fold_seed": search.fold_seed,
    }
