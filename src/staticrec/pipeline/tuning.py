"""Stage 4, optional: choose SVD parameters by cross-validation.

Two searches over the same grid, both on fixed ``KFold`` splits and fixed model seeds, so a tuned
build is as reproducible as a default one:

- ``grid``: every combination on every fold, Surprise's GridSearchCV loop (``fit_and_score``
  dispatched with joblib), run through joblib's generator mode so a tqdm bar shows progress.
- ``halving``: successive halving with the number of epochs as the resource. Every combination
  of the other parameters is first trained for the grid's fewest epochs and scored on one fold;
  the best third goes on to the next epoch count, scored on every fold, and so on. SGD models
  that rank well early keep ranking well, so this finds the grid's winner for a fraction of
  the training (see benchmarks/bench_tuning.py).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from surprise import SVD, Dataset
from surprise.model_selection import KFold
from surprise.model_selection.validation import fit_and_score
from tqdm import tqdm

from staticrec.errors import ConfigError
from staticrec.pipeline.collab import SVDParams

SEED_GRID: Mapping[str, tuple] = {
    "n_factors": (20, 50, 100),
    "n_epochs": (10, 20, 30),
    "lr_all": (0.002, 0.005, 0.007),
    "reg_all": (0.02, 0.05, 0.1),
}
"""The seed notebook's grid: 81 combinations."""

WIDE_GRID: Mapping[str, tuple] = {
    "n_factors": (50, 100),
    "n_epochs": (20, 40, 60),
    "lr_all": (0.005, 0.01),
    "reg_all": (0.05, 0.09, 0.12),
}
"""A grid around staticrec's defaults (init_std_dev 0.03), for datasets other than the seed's."""


@dataclass(frozen=True)
class Grid:
    """A grid to search and the parameters it is searched over: the two belong together."""

    values: Mapping[str, tuple]
    """Values to try per SVD parameter."""
    base: SVDParams
    """Every other parameter of each candidate."""


GRIDS: Mapping[str, Grid] = {
    "seed": Grid(SEED_GRID, SVDParams.seed()),  # the seed's grid over the seed's parameters
    "wide": Grid(WIDE_GRID, SVDParams()),
}
"""The grids ``--tune-grid`` names."""

MEASURES = ("rmse", "mae")
SearchMethod = Literal["grid", "halving"]
SEARCHES: tuple[SearchMethod, ...] = get_args(SearchMethod)


@dataclass(frozen=True)
class TuningConfig:
    """How the search runs."""

    grid: Mapping[str, Sequence] = field(default_factory=lambda: dict(SEED_GRID))
    """Values to try per SVD parameter."""
    method: SearchMethod = "grid"
    """``grid`` (every combination, every fold) or ``halving`` (successive halving on epochs)."""
    folds: int = 3
    """Number of cross-validation folds (the seed's 3)."""
    eta: int = 3
    """Halving: one in ``eta`` candidates goes on to the next epoch count."""
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
            raise ConfigError(f"names unknown SVD parameter(s): {unknown}", field="grid")
        if self.folds < 2:
            raise ConfigError(f"cross-validation needs at least 2, not {self.folds}", field="folds")
        if self.method not in SEARCHES:
            raise ConfigError(f"must be one of {', '.join(SEARCHES)}", field="method")
        if self.method == "halving" and len(self.grid.get("n_epochs", ())) < 2:
            raise ConfigError(
                "halving needs at least two n_epochs values in the grid", field="grid"
            )
        if self.eta < 2:
            raise ConfigError(f"must be at least 2, not {self.eta}", field="eta")


@dataclass(frozen=True)
class TuningResult:
    """The winning parameters and the results table (every evaluation), best first."""

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


def fold_splits(data: Dataset, folds: int, fold_seed: int) -> list:
    """The (trainset, testset) pairs of a seeded, shuffled KFold."""
    return list(KFold(n_splits=folds, random_state=fold_seed, shuffle=True).split(data))


def _fold_scores(candidates: Sequence[SVDParams], splits: list, n_jobs: int, bar: tqdm) -> list:
    """RMSE/MAE of each candidate on each split, candidate-major."""
    jobs = [
        delayed(fit_and_score)(SVD(**params.surprise_kwargs()), train, test, list(MEASURES))
        for params in candidates
        for train, test in splits
    ]
    scores = []
    for out in Parallel(n_jobs=n_jobs, return_as="generator")(jobs):
        scores.append(out[0])
        bar.update()
    return scores


def results_table(
    candidates: Sequence[SVDParams], scores: list[dict], folds: int, varied: Sequence[str]
) -> pd.DataFrame:
    """One row per candidate: ``param_*`` columns, per-fold and mean/std scores, ranks."""
    table = pd.DataFrame({f"param_{n}": [getattr(c, n) for c in candidates] for n in varied})
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
    """Mean and per-fold RMSE/MAE of each candidate, one row per candidate, in candidate order."""
    splits = fold_splits(data, folds, fold_seed)
    with tqdm(total=len(candidates) * folds, desc="tune", disable=not progress) as bar:
        scores = _fold_scores(candidates, splits, n_jobs, bar)
    return results_table(candidates, scores, folds, list(varied) or _all_params())


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
    return _result(candidates, table)


def halving_search(data: Dataset, base: SVDParams, config: TuningConfig) -> TuningResult:
    """Successive halving with n_epochs as the resource (see the module docstring)."""
    rungs = sorted(config.grid["n_epochs"])
    others = {name: values for name, values in config.grid.items() if name != "n_epochs"}
    alive = grid_candidates(others, base)
    splits = fold_splits(data, config.folds, config.fold_seed)
    plan = _halving_plan(len(alive), len(rungs), config)
    varied = list(config.grid)
    evaluated: list[SVDParams] = []
    tables = []
    with tqdm(total=sum(n * f for n, f in plan), desc="tune", disable=not config.progress) as bar:
        for rung, (epochs, (n_alive, n_folds)) in enumerate(zip(rungs, plan, strict=True)):
            candidates = [replace(c, n_epochs=epochs) for c in alive[:n_alive]]
            scores = _fold_scores(candidates, splits[:n_folds], config.n_jobs, bar)
            table = results_table(candidates, scores, n_folds, varied)
            tables.append(table.assign(rung=rung, folds=n_folds))
            evaluated.extend(candidates)
            order = np.argsort(table["mean_test_rmse"].to_numpy(), kind="stable")
            alive = [candidates[i] for i in order]
    table = pd.concat(tables, ignore_index=True)
    # Only fully cross-validated candidates can win: a one-fold score is a screen, not a verdict.
    complete = table["folds"].to_numpy() == config.folds
    scores = np.where(complete, table["mean_test_rmse"].to_numpy(), np.inf)
    return _result(evaluated, table, winner=int(np.argmin(scores)))


def _halving_plan(n_candidates: int, n_rungs: int, config: TuningConfig) -> list[tuple[int, int]]:
    """(candidates, folds) per rung: all on one fold first, then 1/eta of them on every fold."""
    plan = []
    for rung in range(n_rungs):
        plan.append((n_candidates, 1 if rung == 0 else config.folds))
        n_candidates = max(1, math.ceil(n_candidates / config.eta))
    return plan


def search(data: Dataset, base: SVDParams, config: TuningConfig) -> TuningResult:
    """Run the search that ``config.method`` names."""
    return (halving_search if config.method == "halving" else grid_search)(data, base, config)


def _result(
    candidates: Sequence[SVDParams], table: pd.DataFrame, winner: int | None = None
) -> TuningResult:
    if winner is None:
        winner = int(table["mean_test_rmse"].to_numpy().argmin())
    scores = {m: float(table[f"mean_test_{m}"].iloc[winner]) for m in MEASURES}
    ranked = table.assign(_complete=table.get("folds", 0)).sort_values(
        ["_complete", "mean_test_rmse"], ascending=[False, True], kind="stable"
    )
    ranked = ranked.drop(columns="_complete").reset_index(drop=True)
    return TuningResult(best=candidates[winner], best_scores=scores, table=ranked)


def _all_params() -> list[str]:
    return list(SVDParams.__dataclass_fields__)
