"""The content index as the build makes it (each distinct genre row ranked once, its movies
sharing the list) against ranking every movie's own row, on the same catalogue, in one run.

    python benchmarks/bench_content.py [--data FOLDER]

``--data``: a MovieLens folder (default: ml-latest-small; a folder from ``staticrec generate
--scale 32m`` for ml-32m's 87,585 movies). Genres only, top 50, ties to the more rated; both
indexes must come out identical.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from _common import ml_small, table
from staticrec.pipeline.content import genre_soup, tfidf_features, top_k_neighbors
from staticrec.pipeline.neighbors import identical_rows, top_k_rows
from staticrec.scoring.content import popularity_order


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=None, help="a MovieLens folder")
    args = parser.parse_args()
    folder = args.data or ml_small()
    movies = pd.read_csv(folder / "movies.csv").sort_values("movieId", ignore_index=True)
    rated = pd.read_csv(folder / "ratings.csv", usecols=["movieId"])["movieId"]
    counts = rated.value_counts().reindex(movies["movieId"], fill_value=0).to_numpy()
    features, _ = tfidf_features(genre_soup(movies["genres"]).reset_index(drop=True))
    tie_order = popularity_order(counts, movies["movieId"].to_numpy())
    distinct = len(identical_rows(features)[0])

    start = time.perf_counter()
    shared = top_k_neighbors(features, tie_order, 50)
    shared_seconds = time.perf_counter() - start

    columns = features[tie_order].T.tocsc()
    start = time.perf_counter()
    each = top_k_rows(lambda a, b: (features[a:b] @ columns).toarray(), len(movies), tie_order, 50)
    each_seconds = time.perf_counter() - start
    same = all(
        np.array_equal(getattr(shared, part), getattr(each, part))
        for part in ("indptr", "neighbors", "weights")
    )
    print(f"{folder.name}: {len(movies):,} movies, {distinct:,} distinct genre rows\n")
    table(
        [
            ("each distinct row once, shared (build)", f"{shared_seconds:.2f}"),
            ("every movie's own row", f"{each_seconds:.2f}"),
        ],
        ("content index, top 50", "seconds"),
    )
    print(f"\nidentical indexes: {same}; {each_seconds / shared_seconds:.1f}x faster")


if __name__ == "__main__":
    main()
