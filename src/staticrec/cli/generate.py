"""``staticrec generate``: a MovieLens-shaped dataset drawn from a seed (scale tests, offline)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    from staticrec.pipeline.synthetic import SCALES

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
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from staticrec.pipeline.output import StagedOutputs, check_targets
    from staticrec.pipeline.synthetic import SyntheticConfig, describe, generate, write_movielens

    check_targets({"folder": args.folder})  # before drawing millions of ratings
    shape = SyntheticConfig.scale(args.scale, seed=args.seed)
    given = {"n_users": args.users, "n_movies": args.movies, "n_ratings": args.ratings}
    counts = {name: value for name, value in given.items() if value is not None}
    n_movies = counts.get("n_movies", shape.n_movies)
    # every user rates at least min_per_user movies, at most half the catalogue: a small
    # catalogue lowers the floor rather than failing on a setting nobody can pass
    floor = min(shape.min_per_user, max(1, n_movies // 2))
    config = replace(shape, **counts, min_per_user=floor)
    data = generate(config)
    with StagedOutputs({"folder": args.folder}) as staged:
        write_movielens(data, staged.path(args.folder))
        staged.commit()
    print(f"wrote {args.folder}: {describe(data)}")
    return 0
