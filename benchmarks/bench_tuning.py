"""The seed's full grid search against successive halving, side by side in one run.

    python benchmarks/bench_tuning.py

Both search the seed's 81-combination grid (n_factors x n_epochs x lr_all x reg_all, over the
seed's other parameters) with 3-fold cross-validation on the same seeded folds, on all cores.
The goal: halving within 0.002 RMSE of the full grid's best in at most a third of its time.
"""

from __future__ import annotations

import argparse
import time

from _common import ml_small, table
from staticrec.pipeline.collab import SVDParams, surprise_dataset
from staticrec.pipeline.data import load_movielens
from staticrec.pipeline.tuning import TuningConfig, search


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    ml = load_movielens(ml_small(), name="ml-latest-small")
    data = surprise_dataset(ml.ratings, ml.rating_scale)
    results = {}
    for method in ("grid", "halving"):
        start = time.perf_counter()
        result = search(data, SVDParams.seed(), TuningConfig(method=method, progress=False))
        results[method] = (time.perf_counter() - start, result)
    rows = []
    for method, (seconds, result) in results.items():
        best = result.best
        rows.append(
            (
                method,
                f"{seconds:.1f}",
                f"{result.best_scores['rmse']:.4f}",
                f"{best.n_factors}, {best.n_epochs}, {best.lr_all}, {best.reg_all}",
                str(len(result.table)),
            )
        )
    table(
        rows,
        (
            "search",
            "seconds",
            "best RMSE (3-fold)",
            "best (factors, epochs, lr, reg)",
            "evaluations",
        ),
    )
    grid_s, grid = results["grid"]
    halving_s, halving = results["halving"]
    gap = halving.best_scores["rmse"] - grid.best_scores["rmse"]
    print(
        f"\nhalving: {halving_s / grid_s:.0%} of the grid's time, "
        f"{gap:+.4f} RMSE from its best (goal: at most 33% and 0.002)"
    )


if __name__ == "__main__":
    main()
