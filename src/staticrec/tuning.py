"""Stage 2c (optional): choose SVD parameters by cross-validated grid search.

The loop is Surprise's own GridSearchCV loop (``fit_and_score`` on ``KFold`` splits, dispatched with
joblib), run through joblib's generator mode so that a tqdm bar can show progress. Folds and model
seeds are fixed, so a tuned build is as reproducible as a default one.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from surprise import SVD, Dataset
from surprise.model_selection import KFold
from surprise.model_selection.validation import fit_and_score
from tqdm import tqdm

from staticrec.collab import SVDParams
from staticrec.errors import ConfigError

SEED_GRID: Mapping[str, tuple] = {
    "n_factors": (20, 50, 100),
    "n_epochs": (10, 20, 30),
    "lr_all": (0.002, 0.005, 0.007),
    "reg_all": (0.02, 0.05, 0.1),
}
"""The seed notebook's grid: 81 combinations."""

MEASURES = ("rmse", "mae")


@dataclass(frozen=True)
class TuningConfig:
    """How the grid search runs."""

    grid: Mapping[str, Sequence] = field(default_factory=lambda: dict(SEED_GRID))
    """Values to try per SVD parameter; every combination is evaluated."""
    folds: int = 3
    """Number of cross-validation folds (the seed's 3)."""
    n_jobs: int = -1
    """Parallel workers; -1 uses every core."""
    fold_seed: int = 0
    """Seed of the fold split, so two runs see the same folds."""
    progress: bool = True
    """Show a progress bar."""

    def __post_init__(self) -> None:
        known = set(SVDParams.__dataclass_fields__)
        unknown = sorted(set(self.grid) - known)
        if unknown:
            raise ConfigError(f"the tuning grid names unknown SVD parameter(s): {unknown}")
        if self.folds < 2:
            raise ConfigError(f"cross-validation needs at least 2 folds, not {self.folds}")


@dataclass(frozen=True)
class TuningResult:
    """The winning parameters and the whole results table, best first."""

    best: SVDParams
    best_scores: dict[str, float]
    table: pd.DataFrame


def grid_candidates(grid: Mapping[str, Sequence], base: SVDParams) -> list[SVDParams]:
    """Every combination of ``grid`` applied over ``base``, in the grid's order."""
    names = list(grid)
    return [
        replace(base, **dict(zip(names, values, strict=True)))
        for values in itertools.product(*(grid[n] for n in names))
    ]


def cross_validate(
    data: Dataset,
    candidates: Sequence[SVDParams],
    *,
    folds: int,
    fold_seed: int,
    n_jobs: int = -1,
    progress: bool = True,
    varied: Sequence[str] = (),
) -> pd.DataFrame:
    """Mean and per-fold RMSE/MAE of each candidate, one row per candidate, in candidate order.

    Args:
        varied: parameter names to put in ``param_*`` columns (all of SVDParams when empty).
    """
    splits = list(KFold(n_splits=folds, random_state=fold_seed, shuffle=True).split(data))
    jobs = [
        delayed(fit_and_score)(SVD(**params.surprise_kwargs()), train, test, list(MEASURES))
        for params in candidates
        for train, test in splits
    ]
    outputs = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    scores = [out[0] for out in tqdm(outputs, total=len(jobs), desc="tune", disable=not progress)]
    return _results_table(candidates, scores, folds, varied)


def _results_table(
    candidates: Sequence[SVDParams], scores: list[dict], folds: int, varied: Sequence[str]
) -> pd.DataFrame:
    names = list(varied) or list(SVDParams.__dataclass_fields__)
    table = pd.DataFrame({f"param_{n}": [getattr(c, n) for c in candidates] for n in names})
    for measure in MEASURES:
        per_fold = np.array([s[measure] for s in scores]).reshape(len(candidates), folds)
        for split in range(folds):
            table[f"split{split}_test_{measure}"] = per_fold[:, split]
        table[f"mean_test_{measure}"] = per_fold.mean(axis=1)
        table[f"std_test_{measure}"] = per_fold.std(axis=1)
        table[f"rank_test_{measure}"] = (
            table[f"mean_test_{measure}"].rank(method="first").astype(np.int32)
        )
    return table


def grid_search(data: Dataset, base: SVDParams, config: TuningConfig) -> TuningResult:
    """Cross-validate every grid combination; the best by mean RMSE wins."""
    candidates = grid_candidates(config.grid, base)
    table = cross_validate(
        data,
        candidates,
        folds=config.folds,
        fold_seed=config.fold_seed,
        n_jobs=config.n_jobs,
        progress=config.progress,
        varied=list(config.grid),
    )
    winner = int(table["rank_test_rmse"].to_numpy().argmin())
    scores = {m: float(table[f"mean_test_{m}"].iloc[winner]) for m in MEASURES}
    table = table.sort_values("rank_test_rmse", kind="stable").reset_index(drop=True)
    return TuningResult(best=candidates[winner], best_scores=scores, table=table)
