"""``staticrec build``: train the models, export the artifacts, render the site."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from staticrec.cli.config_file import CONFIG_FILE
from staticrec.cli.evaluate import add_evaluation_options, evaluation_config
from staticrec.cli.options import (
    add_data_options,
    add_own_data_options,
    download_config,
    ratings_files,
    results_only,
)
from staticrec.errors import ConfigError

SVD_OPTIONS = {
    "n_factors": int,
    "n_epochs": int,
    "lr_all": float,
    "reg_all": float,
    "random_state": int,
}

ALS_OPTIONS = {"rank": int, "max_iter": int, "reg_param": float}
"""ALSParams fields with a build option, --als-rank, --als-max-iter and --als-reg-param."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    from staticrec.pipeline.collab import SVDParams
    from staticrec.pipeline.content import CONTENT_SOURCES, ContentConfig
    from staticrec.pipeline.run import BuildConfig
    from staticrec.pipeline.spark_config import ALSParams
    from staticrec.pipeline.tuning import GRIDS, SEARCHES
    from staticrec.site.config import PYODIDE_MODES, SiteConfig

    build, site, svd, content = BuildConfig(), SiteConfig(), SVDParams(), ContentConfig()
    p = sub.add_parser(
        "build",
        help="train both models, export the artifacts and render the site",
        description="Train the content and collaborative models on a MovieLens release or on "
        "your own ratings file, export them as Parquet artifacts, and render the static site. "
        f"Options can also be set in a {CONFIG_FILE} file ([build] table, one key per option).",
        epilog="example: staticrec build --data-dir ~/data/ml-latest-small --tune",
    )
    add_data_options(p)
    add_own_data_options(p, build.rating_scale)
    out = p.add_argument_group("output")
    out.add_argument(
        "--artifacts-dir",
        type=Path,
        default=build.artifacts_dir,
        help="Parquet artifacts and manifest (default: %(default)s)",
    )
    out.add_argument(
        "--site-dir",
        type=Path,
        default=site.site_dir,
        help="the static site (default: %(default)s)",
    )
    out.add_argument("--no-site", action="store_true", help="build the artifacts only")
    out.add_argument(
        "--site-title", default=site.title, help="the site's name (default: %(default)s)"
    )
    out.add_argument(
        "--noun",
        default=site.noun,
        help="what is recommended, in the pages' words, e.g. book (default: %(default)s)",
    )
    out.add_argument("--nouns", help="its plural (default: the noun with an s)")
    out.add_argument(
        "--link-template",
        metavar="URL",
        help="each item's page elsewhere, {id} standing for its id, e.g. "
        "https://www.goodreads.com/book/show/{id}: linked from its page",
    )
    out.add_argument(
        "--movie-pages",
        type=int,
        default=site.movie_pages,
        metavar="N",
        help="a page of its own for the N most-rated movies; the 404 page shows the others at "
        "the same address, from small JSON files (keeps a large catalogue within GitHub "
        "Pages' 1 GB; default: %(default)s)",
    )
    out.add_argument(
        "--base-url",
        metavar="URL",
        help="where the site is published, e.g. https://user.github.io/repo/: adds sitemap.xml "
        "and robots.txt, and gives the 404 page links that work at any depth",
    )
    out.add_argument(
        "--pyodide",
        default=site.pyodide,
        choices=PYODIDE_MODES,
        help="copy Pyodide into the site, or load it from its CDN (default: %(default)s)",
    )
    out.add_argument(
        "--pyodide-dir",
        type=Path,
        metavar="DIR",
        help="a folder with the official Pyodide files, instead of downloading them",
    )
    out.add_argument(
        "--pyodide-cache",
        type=Path,
        default=site.pyodide_cache,
        help="verified Pyodide files kept between builds (default: %(default)s)",
    )
    model = p.add_argument_group("models")
    model.add_argument(
        "--content",
        default=content.source,
        choices=CONTENT_SOURCES,
        help="what the content model reads (default: %(default)s)",
    )
    model.add_argument(
        "--factor-precision",
        choices=("auto", "float32", "float16", "int8"),
        default="auto",
        help="how the movie factors are stored: float16 halves the largest file a visit "
        "downloads, int8 quarters it; auto picks int8 when float32 would exceed 4 MB "
        "(default: %(default)s)",
    )
    model.add_argument(
        "--top-k",
        type=int,
        default=content.top_k,
        help="content neighbours kept per movie (default: %(default)s)",
    )
    model.add_argument(
        "--tune",
        nargs="?",
        const="grid",
        choices=SEARCHES,
        help="choose SVD parameters by 3-fold cross-validation first: `grid` tries every "
        "combination (the seed's GridSearchCV), `halving` gets there in a fraction of the time; "
        "with --trainer spark, Spark's CrossValidator tries ALS ranks 20, 50, 100 and regParams "
        "0.05, 0.1, 0.2",
    )
    model.add_argument(
        "--tune-grid",
        default="seed",
        choices=sorted(GRIDS),
        help="the grid --tune searches: the seed's 81 combinations (over the seed's other "
        "parameters), or 36 around staticrec's defaults (default: %(default)s)",
    )
    model.add_argument(
        "--seed-svd",
        action="store_true",
        help="start from the seed notebook's SVD parameters (50 factors, 20 epochs, lr 0.005, "
        "reg 0.02) instead of staticrec's tuned defaults",
    )
    for name, kind in SVD_OPTIONS.items():
        model.add_argument(
            f"--{name.replace('_', '-')}",
            type=kind,
            help=f"SVD {name} (default: {getattr(svd, name)}; with --seed-svd: "
            f"{getattr(SVDParams.seed(), name)})",
        )
    spark = p.add_argument_group(
        "spark", "train ALS on Apache Spark instead (pip install 'staticrec[spark]'; Java 17+)"
    )
    spark.add_argument(
        "--trainer",
        choices=("surprise", "spark"),
        default="surprise",
        help="who trains the collaborative model: Surprise's SVD on this machine, or Spark "
        "MLlib's ALS (after a bias baseline) on a cluster or local cores (default: %(default)s)",
    )
    spark.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help="where the stages the size of the ratings run: here, from this machine's copy, or "
        "on Spark (implies --trainer spark; a MovieLens folder), the ratings never on this "
        "machine (default: %(default)s)",
    )
    spark.add_argument(
        "--spark-master",
        metavar="URL",
        help="Spark master, such as spark://host:7077 or yarn (default: spark-submit's "
        "--master, else local[*])",
    )
    spark.add_argument(
        "--spark-ratings",
        metavar="URI",
        help="the ratings as Spark reads them, CSV (a name with .csv) or Parquet, on any path "
        "Spark can open, such as hdfs://... (default: the build's own ratings file); it must "
        "hold the same ratings",
    )
    spark.add_argument(
        "--spark-conf",
        action="append",
        metavar="KEY=VALUE",
        help="a Spark property for the session, e.g. spark.driver.memory=8g (in local mode all "
        "of Spark runs in the driver, 1 GB unless told otherwise); repeatable",
    )
    spark.add_argument(
        "--spark-scratch",
        metavar="DIR",
        help="with --engine spark: a folder the driver and every executor reach at this same "
        "path (a shared filesystem), where the executors write the Gram matrix and the user "
        "shards for the driver to read (default: the system's temporary folder, enough in "
        "local mode and for a cluster on one machine)",
    )
    for name, kind in ALS_OPTIONS.items():
        spark.add_argument(
            f"--als-{name.replace('_', '-')}",
            type=kind,
            help=f"ALS {name} (default: {getattr(ALSParams(), name)})",
        )
    evaluation = p.add_argument_group("evaluation")
    evaluation.add_argument(
        "--evaluate",
        action="store_true",
        help="also run `staticrec evaluate` (minutes): figures in the manifest, a report page",
    )
    add_evaluation_options(evaluation, build.report_dir)
    p.add_argument("--quiet", action="store_true", help="no progress bars or stage log")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from staticrec.evaluation.run import for_build
    from staticrec.pipeline.content import ContentConfig
    from staticrec.pipeline.run import BuildConfig
    from staticrec.pipeline.run import run as run_build
    from staticrec.pipeline.spark_config import SparkEngine
    from staticrec.pipeline.tuning import GRIDS, TuningConfig
    from staticrec.site.config import SiteConfig

    if args.engine == "spark":  # the ratings are Spark's alone: only Spark can train on them
        args.trainer = "spark"
    if args.spark_scratch is not None and args.engine != "spark":
        raise ConfigError("--spark-scratch needs --engine spark", field="engine")
    if args.trainer == "surprise":
        spark_given = [f"als_{name}" for name in ALS_OPTIONS]
        spark_given += ["spark_master", "spark_ratings", "spark_conf"]
        given = [name for name in spark_given if getattr(args, name) is not None]
        if given:
            option = "--" + given[0].replace("_", "-")
            raise ConfigError(f"{option} needs --trainer spark", field="trainer")
    config = BuildConfig(
        data_dir=args.data_dir,
        ratings_files=ratings_files(args),
        rating_scale=tuple(args.rating_scale),
        download=download_config(args),
        content=ContentConfig(source=args.content, top_k=args.top_k),
        svd=_svd_params(args),
        tuning=TuningConfig(
            grid=GRIDS[args.tune_grid].values, method=args.tune, progress=not args.quiet
        )
        if args.tune and args.trainer == "surprise"
        else None,
        spark=_spark_training(args) if args.trainer == "spark" else None,
        engine=SparkEngine(scratch=args.spark_scratch) if args.engine == "spark" else None,
        artifacts_dir=args.artifacts_dir,
        progress=not args.quiet,
        factor_precision=args.factor_precision,
        evaluate=for_build(evaluation_config(args)) if args.evaluate else None,
        report_dir=args.report_dir,
        site=None
        if args.no_site
        else SiteConfig(
            site_dir=args.site_dir,
            pyodide=args.pyodide,
            pyodide_cache=args.pyodide_cache,
            pyodide_dir=args.pyodide_dir,
            base_url=args.base_url,
            title=args.site_title,
            noun=args.noun,
            nouns=args.nouns,
            link_template=args.link_template,
            movie_pages=args.movie_pages,
        ),
    )
    print("\n".join(results_only(run_build, config).lines()))
    return 0


def _svd_params(args: argparse.Namespace):
    """The SVD parameters: the searched grid's base, the seed's or the defaults, with each
    given option applied."""
    from staticrec.pipeline.collab import SVDParams
    from staticrec.pipeline.tuning import GRIDS

    if args.seed_svd:
        base = SVDParams.seed()
    elif args.tune:
        base = GRIDS[args.tune_grid].base
    else:
        base = SVDParams()
    given = {name: getattr(args, name) for name in SVD_OPTIONS if getattr(args, name) is not None}
    return replace(base, **given)


def _spark_training(args: argparse.Namespace):
    """Spark's settings; SVD's options are refused with it, as ALS's are without it."""
    from staticrec.pipeline.spark_config import ALS_GRID, ALSParams, SparkTraining

    svd_given = [name for name in SVD_OPTIONS if getattr(args, name) is not None]
    svd_given += ["seed_svd"] if args.seed_svd else []
    if svd_given:
        option = "--" + svd_given[0].replace("_", "-")
        raise ConfigError(f"{option} is an SVD option; --trainer spark trains ALS", field="trainer")
    if args.tune == "halving":
        raise ConfigError("Spark's trainer tunes by CrossValidator: use --tune", field="method")
    given = {name: getattr(args, f"als_{name}") for name in ALS_OPTIONS}
    als = ALSParams(**{name: value for name, value in given.items() if value is not None})
    conf = {}
    for pair in args.spark_conf or []:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            raise ConfigError(f"must be KEY=VALUE, not {pair!r}", field="spark_conf")
        conf[key.strip()] = value.strip()
    return SparkTraining(
        master=args.spark_master,
        ratings=args.spark_ratings,
        conf=conf,
        als=als,
        grid=dict(ALS_GRID) if args.tune else None,
    )
