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
import resource
import sys
import tempfile
from dataclasses import asdict
from functools import partial
from pathlib import Path

from staticrec.errors import ConfigError
from staticrec.pipeline import collab, collab_index, content, export, tuning
from staticrec.pipeline.build_config import (
    BuildConfig,
    Evaluation,
    Evaluator,
    can_hold_out,
    check_folds,
)
from staticrec.pipeline.data import MovieLens
from staticrec.pipeline.data_files import load_ratings_files
from staticrec.pipeline.output import StagedOutputs, check_replaceable, check_targets
from staticrec.pipeline.run_spark import engine_stages, spark_ratings, train_on_spark
from staticrec.pipeline.spark_config import ENGINE_DRIVER_CONF
from staticrec.pipeline.summary import BuildSummary
from staticrec.pipeline.train import factor_precision, load_dataset, model_meta
from staticrec.scoring.schema import FactorPrecision
from staticrec.site import render, runtime
from staticrec.site.config import check_web_dir

__all__ = ["BuildConfig", "Evaluation", "Evaluator", "run"]  # where the command line finds them

log = logging.getLogger("staticrec")


def run(config: BuildConfig) -> BuildSummary:
    """Run the whole build; returns what it did. Raises StaticrecError on bad input."""
    if config.engine is None:
        return _run(config, None)
    from staticrec.pipeline import collab_spark, spark_engine

    spark_config = config.spark
    conf = {**ENGINE_DRIVER_CONF, **spark_config.conf}  # a small driver that fails fast
    if config.engine.scratch is not None and not Path(config.engine.scratch).is_dir():
        raise ConfigError(f"{config.engine.scratch} is not a folder", field="scratch")
    with (
        # shared with the executors: they write the Gram matrix and the user shards there
        tempfile.TemporaryDirectory(prefix="staticrec-", dir=config.engine.scratch) as scratch,
        collab_spark.session(spark_config.master, config.progress, conf) as spark,
    ):
        spark_engine.ship_package(spark, Path(scratch))  # its executors run this package's code
        return _run(config, spark, Path(scratch))


def _run(config: BuildConfig, spark=None, scratch: Path | None = None) -> BuildSummary:
    """The build; ``spark``: the session of ``--engine spark`` (None: this machine's build),
    and ``scratch`` the folder its executors write into."""
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
    # under --engine spark: the ratings as Spark holds them, and the stages made from them there
    ratings = gram_of = shards = co_liked_of = None
    with summary.stage("data"):
        ml = _load(config, with_ratings=spark is None)
        if spark is not None:
            ml, ratings = spark_ratings(config, spark, ml)
            gram_of, shards, co_liked_of = engine_stages(config, ratings, ml, scratch)
        summary.rows = ml.row_counts()
    with summary.stage("content"):
        neighbors, vocabulary = content.build_content_index(ml, config.content, config.progress)
    with summary.stage("item index"):
        collab_neighbors = collab_index.build_collab_index(
            ml, config.collab_index, config.progress, gram_of
        )
    params = config.svd  # what the evaluation trains (it does not run with Spark)
    if config.spark is not None:
        factors, trainer_params, tuned = train_on_spark(config, ml, summary, ratings)
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
            summary.files = export.write_artifacts(artifacts, tables, manifest, shards)
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
                    co_liked_of,
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
        check_folds(len(ml.ratings), config.tuning.folds)
        with summary.stage("tuning"):
            data = collab.surprise_dataset(ml.ratings, config.rating_scale)
            tuned = tuning.search(data, config.svd, config.tuning)
            del data  # Surprise's copy of the ratings: ~300 bytes a rating
            params = tuned.best
            summary.metrics["cv"] = {**tuned.best_scores, "folds": config.tuning.folds}
    elif can_hold_out(config, ml):
        scores = partial(
            collab.holdout_metrics,
            ml.ratings,
            config.rating_scale,
            params,
            test_size=config.holdout_fraction,
            max_ratings=config.holdout_max_ratings,
        )
        summary.holdout(scores, config.holdout_fraction)
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


def _load(config: BuildConfig, with_ratings: bool = True) -> MovieLens:
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
        with_ratings=with_ratings,
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
