"""The build on ml-latest-small: seconds and peak memory per stage, the content index against
the seed's dense route (linear_kernel over all pairs), the item index's solve in its variants,
and the whole build of this tree against another commit's, measured side by side in one run.

    python benchmarks/bench_build.py [--repeat 3] [--before REF]

``--before REF`` exports that commit (``git archive``) into a temporary folder and runs its
``scripts/build.py`` beside this tree's, alternating, stage by stage from each build's summary.

Peak memory of a step is measured with tracemalloc (numpy and scipy allocations included), as the
peak above what was allocated before the step. The end-to-end figure is the wall time of
``scripts/build.py`` in a fresh process (artifacts and site), the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from _common import REPO, ml_small, table
from staticrec.pipeline import collab, collab_index, content, export
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


def item_index_variants(ml) -> list[tuple]:
    """The item index's solve three ways: what each of its two savings buys on its own."""
    rows, least = [], collab_index.CollabIndexConfig().min_ratings
    for label, min_ratings, dtype in (
        ("item index, every rated movie, float64", 1, np.float64),
        ("item index, every rated movie, float32", 1, np.float32),
        (
            f"item index, >= {least} ratings, float32 (build)",
            least,
            np.float32,
        ),
    ):
        counts = ml.ratings_per_movie()
        ids = ml.movies_by_id()["movieId"].to_numpy()[counts >= min_ratings]
        x = collab_index.interactions(ml.ratings, ids)
        tie = np.arange(len(ids))

        def solve(x=x, tie=tie, dtype=dtype):
            precision = collab_index.ease_precision(x, 200.0, dtype)
            return collab_index.strongest_ease_weights(precision, 50 * len(tie), tie)

        _, seconds, peak = measure(solve)
        rows.append((f"{label}: {len(ids):,} movies", f"{seconds:.2f}", f"{peak:.0f}"))
    return rows


SUMMARY_SECONDS = re.compile(r"^seconds\s+(.*)\(total", re.M)
SUMMARY_PEAK = re.compile(r"^peak memory ([\d,]+) MB", re.M)


def build_once(repo: Path, folder: Path, out: str) -> tuple[float, dict[str, float], float]:
    """(wall seconds, seconds per stage, peak RSS MB) of one fresh ``scripts/build.py`` of
    ``repo``'s code."""
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            str(repo / "scripts" / "build.py"),
            "--data-dir",
            str(folder),
            "--artifacts-dir",
            f"{out}/artifacts",
            "--site-dir",
            f"{out}/site",
            "--pyodide-cache",
            str(REPO / "build" / "pyodide"),
            "--quiet",
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(repo / "src")},
    )
    wall = time.perf_counter() - start
    timings = re.findall(r"([a-z ]+?) ([\d.]+)s", SUMMARY_SECONDS.search(done.stdout)[1])
    stages = {name.strip(): float(sec) for name, sec in timings}
    return wall, stages, float(SUMMARY_PEAK.search(done.stdout)[1].replace(",", ""))


def compare_builds(before: str, folder: Path, repeat: int) -> None:
    """This tree's build against ``before``'s, alternating runs; medians per stage."""
    with tempfile.TemporaryDirectory() as old, tempfile.TemporaryDirectory() as out:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", before], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
        modules = REPO / "web" / "node_modules"  # not in git: the front-end packages
        if modules.is_dir():
            Path(old, "web", "node_modules").symlink_to(modules)
        runs: dict[str, list] = {"before": [], "now": []}
        for _ in range(repeat):
            runs["before"].append(build_once(Path(old), folder, f"{out}/before"))
            runs["now"].append(build_once(REPO, folder, f"{out}/now"))

    def median(values):
        values = sorted(values)
        return values[len(values) // 2]

    names = list(dict.fromkeys(n for side in runs.values() for _, s, _ in side for n in s))
    rows = []
    for name in [*names, "whole build (wall)", "peak RSS MB"]:
        cells = []
        for side in ("before", "now"):
            if name == "whole build (wall)":
                cells.append(f"{median([w for w, _, _ in runs[side]]):.1f}")
            elif name == "peak RSS MB":
                cells.append(f"{median([p for _, _, p in runs[side]]):,.0f}")
            else:
                found = [s[name] for _, s, _ in runs[side] if name in s]
                cells.append(f"{median(found):.1f}" if found else "-")
        rows.append((name, *cells))
    print(f"\nwhole build, {before} against this tree (seconds, median of {repeat} fresh runs)")
    table(rows, ("stage", before, "this tree"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", metavar="REF", help="also build this commit, side by side")
    args = parser.parse_args()
    folder = ml_small()
    if args.before:
        # first, while this process is small: Linux keeps a child's peak RSS across exec, so a
        # build started from a parent holding the in-process stages' arrays reports theirs
        compare_builds(args.before, folder, args.repeat)

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
    items = collab_index.build_collab_index(ml, collab_index.CollabIndexConfig())
    _, t_tables, m_tables = measure(lambda: export.artifact_tables(ml, factors, index, items))

    print(f"ml-latest-small: {len(ml.ratings):,} ratings, {len(movies):,} movies\n")
    print("stages (in process)")
    table(
        [
            ("read + validate CSVs", f"{t_data:.2f}", f"{m_data:.0f}"),
            ("content index, sparse top-50 (ours)", f"{t_sparse:.2f}", f"{m_sparse:.0f}"),
            ("content matrix, dense n x n float32 (seed)", f"{t_dense:.2f}", f"{m_dense:.0f}"),
            ("SVD fit, staticrec defaults (60 epochs)", f"{t_svd:.2f}", f"{m_svd:.0f}"),
            ("artifact tables", f"{t_tables:.2f}", f"{m_tables:.0f}"),
            *item_index_variants(ml),
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
            wall, _, _ = build_once(REPO, folder, out)
            walls.append(wall)
        pages = sum(1 for _ in Path(out, "site").rglob("*.html"))
    walls.sort()
    print(
        f"\nend to end (scripts/build.py, artifacts + {pages:,}-page site, fresh process): "
        f"median {walls[len(walls) // 2]:.1f} s over {len(walls)} runs "
        f"[{walls[0]:.1f}-{walls[-1]:.1f}]"
    )


if __name__ == "__main__":
    main()
