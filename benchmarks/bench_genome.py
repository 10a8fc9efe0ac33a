"""The content index with the tag genome beside the genres-only one, on the same catalogue.

    python benchmarks/bench_genome.py [--data FOLDER] [--genome-movies 16376] [--tags 1128]

The genome is random (relevances drawn from Beta(0.5, 4), most tags applying weakly, as in
MovieLens) for the most-rated movies of ``--data`` (default: ml-latest-small; pass a folder from
``staticrec generate --scale 32m`` for ml-32m's shape, whose real genome covers 16,376 movies
with 1,128 tags). Both indexes are built in this process, genres only first; the peak resident
memory after each includes the loaded ratings.
"""

from __future__ import annotations

import argparse
import resource
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from _common import ml_small, table
from staticrec.pipeline.content import ContentConfig, build_content_index
from staticrec.pipeline.data import load_movielens


def random_genome(movie_ids: np.ndarray, tags: int, seed: int = 0) -> pd.DataFrame:
    relevance = np.random.default_rng(seed).beta(0.5, 4.0, size=(len(movie_ids), tags))
    return pd.DataFrame(
        {
            "movieId": np.repeat(movie_ids, tags),
            "tagId": np.tile(np.arange(1, tags + 1), len(movie_ids)),
            "relevance": relevance.ravel(),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=None, help="a MovieLens folder")
    parser.add_argument("--genome-movies", type=int, default=16_376)
    parser.add_argument("--tags", type=int, default=1_128)
    args = parser.parse_args()
    folder = args.data or ml_small()
    ml = load_movielens(folder, name=folder.name)
    rated = ml.ratings["movieId"].value_counts().index[: args.genome_movies].to_numpy()
    ml = replace(ml, genome=random_genome(rated, args.tags))
    rows = []
    for source in ("genres", "genres+genome"):
        start = time.perf_counter()
        _, vocabulary = build_content_index(ml, ContentConfig(source=source))
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        rows.append((source, f"{seconds:.1f} s", f"{len(vocabulary):,}", f"{peak:.2f} GB"))
    print(f"{len(ml.movies):,} movies, a genome for {len(rated):,} of them ({args.tags:,} tags)")
    table(rows, ("content", "index built in", "terms", "peak RSS so far"))


if __name__ == "__main__":
    main()
