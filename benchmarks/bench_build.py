"""The build on ml-latest-small: seconds and peak memory per stage, and the content index against
the seed's dense route (linear_kernel over all pairs), measured side by side in one run.

    python benchmarks/bench_build.py [--repeat 3]

Peak memory of a step is measured with tracemalloc (numpy and scipy allocations included), as the
peak above what was allocated before the step. The end-to-end figure is the wall time of
``scripts/build.py`` in a fresh process (artifacts and site), the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from _common import REPO, ml_small, table
from staticrec.pipeline import collab, content, export
from staticrec.pipeline.data import load_movielens


def measure(step):
    """(result, seconds, peak MB above the start) of calling step()."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    start = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / 1e6


def seed_dense_matrix(features):
    """The seed's cell, exactly: the dense n x n cosine matrix, kept as float32."""
    from sklearn.metrics.pairwise import linear_kernel

    return linear_kernel(features, features).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = ml_small()

    ml, t_data, m_data = measure(lambda: load_movielens(folder, name="ml-latest-small"))
    movies = ml.movies.sort_values("movieId").reset_index(drop=True)
    counts = ml.ratings["movieId"].value_counts().reindex(movies["movieId"], fill_value=0)
    features, _ = content.tfidf_features(content.genre_soup(movies["genres"]))
    tie = content.popularity_order(counts.to_numpy(), movies["movieId"].to_numpy())

    _, t_sparse, m_sparse = measure(lambda: content.top_k_neighbors(features, tie, 50))
    _, t_dense, m_dense = measure(lambda: seed_dense_matrix(features))
    algo, t_svd, m_svd = measure(
        lambda: collab.train_svd(ml.ratings, (0.5, 5.0), collab.SVDParams())
    )
    factors = collab.export_factors(algo)
    index = content.top_k_neighbors(features, tie, 50)
    _, t_tables, m_tables = measure(lambda: export.artifact_tables(ml, factors, index))

    print(f"ml-latest-small: {len(ml.ratings):,} ratings, {len(movies):,} movies\n")
    print("stages (in process)")
    table(
        [
            ("read + validate CSVs", f"{t_data:.2f}", f"{m_data:.0f}"),
            ("content index, sparse top-50 (ours)", f"{t_sparse:.2f}", f"{m_sparse:.0f}"),
            ("content matrix, dense n x n float32 (seed)", f"{t_dense:.2f}", f"{m_dense:.0f}"),
            ("SVD fit, staticrec defaults (60 epochs)", f"{t_svd:.2f}", f"{m_svd:.0f}"),
            ("artifact tables", f"{t_tables:.2f}", f"{m_tables:.0f}"),
        ],
        ("step", "seconds", "peak MB"),
    )
    speed = t_dense / t_sparse
    print(
        f"\ncontent index: {m_dense / m_sparse:.1f}x less peak memory than the seed's dense "
        f"matrix, {speed if speed >= 1 else 1 / speed:.1f}x {'faster' if speed >= 1 else 'slower'}"
        " (and its rows come out ranked, which the dense matrix still needs a sort for)"
    )

    walls = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(args.repeat):
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    str(REPO / "scripts" / "build.py"),
                    "--quiet",
                    "--data-dir",
                    str(folder),
                    "--artifacts-dir",
                    f"{out}/artifacts",
                    "--site-dir",
                    f"{out}/site",
                    "--pyodide-cache",
                    str(REPO / "build" / "pyodide"),
                ],
                check=True,
                stdout=subprocess.PIPE,
            )
            walls.append(time.perf_counter() - start)
        pages = sum(1 for _ in Path(out, "site").rglob("*.html"))
    walls.sort()
    print(
        f"\nend to end (scripts/build.py, artifacts + {pages:,}-page site, fresh process): "
        f"median {walls[len(walls) // 2]:.1f} s over {len(walls)} runs "
        f"[{walls[0]:.1f}-{walls[-1]:.1f}]"
    )


if __name__ == "__main__":
    main()
