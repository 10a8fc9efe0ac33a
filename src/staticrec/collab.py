"""Stage 2b: the collaborative model, scikit-surprise SVD, and its factors as plain arrays.

Surprise predicts ``global_mean + bu + bi + qi . pu`` clipped to the rating scale; exporting those
four pieces lets the browser predict without Surprise. This is the build half; the query half,
which scores with the exported factors, is ``staticrec.scoring.collab``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from surprise import SVD, Dataset, Reader, accuracy
from surprise.model_selection import train_test_split

from staticrec.errors import ConfigError


@dataclass(frozen=True)
class SVDParams:
    """Hyper-parameters of Surprise's SVD.

    The defaults were chosen by 5-fold cross-validation on ml-latest-small (``KFold(5,
    shuffle=True, random_state=0)``): RMSE 0.8491 against the seed's 0.8717 (see README,
    "Evaluation"). ``SVDParams.seed()`` gives the seed notebook's parameters.
    """

    n_factors: int = 50
    """Length of each user and item vector (it sets the size of the site's factor files)."""
    n_epochs: int = 60
    """Passes of stochastic gradient descent over the ratings."""
    lr_all: float = 0.01
    """Learning rate of every parameter."""
    reg_all: float = 0.09
    """L2 regularisation of every parameter (per rating, as Surprise applies it)."""
    reg_bu: float | None = None
    """User-bias regularisation; None means reg_all."""
    reg_bi: float | None = None
    """Item-bias regularisation; None means reg_all."""
    reg_pu: float | None = None
    """User-vector regularisation; None means reg_all."""
    reg_qi: float | None = None
    """Item-vector regularisation; None means reg_all."""
    init_std_dev: float = 0.03
    """Spread of the random initial vectors (Surprise's default is 0.1)."""
    random_state: int = 42
    """Seed of the factor initialisation, so builds are reproducible."""

    def __post_init__(self) -> None:
        for name in ("n_factors", "n_epochs"):
            if getattr(self, name) < 1:
                raise ConfigError(f"must be at least 1, not {getattr(self, name)}", field=name)
        rates = {"lr_all": self.lr_all, "reg_all": self.reg_all, "init_std_dev": self.init_std_dev}
        rates |= {k: v for k, v in self.surprise_kwargs().items() if k.startswith("reg_")}
        for name, value in rates.items():
            if value is None or value < 0:
                raise ConfigError(f"must be a non-negative number, not {value!r}", field=name)

    @classmethod
    def seed(cls) -> SVDParams:
        """The seed notebook's parameters: 50 factors, 20 epochs, lr 0.005, reg 0.02."""
        return cls(n_factors=50, n_epochs=20, lr_all=0.005, reg_all=0.02, init_std_dev=0.1)

    def surprise_kwargs(self) -> dict:
        """Keyword arguments for ``surprise.SVD``, leaving out the unset per-parameter overrides."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Factors:
    """A trained SVD as arrays, users and items each sorted by id."""

    global_mean: float
    user_ids: np.ndarray
    """int64, ascending."""
    user_bias: np.ndarray
    """float32, one per user."""
    user_factors: np.ndarray
    """float32, users x n_factors."""
    item_ids: np.ndarray
    """int64 movieIds, ascending."""
    item_bias: np.ndarray
    """float32, one per item."""
    item_factors: np.ndarray
    """float32, items x n_factors."""

    @property
    def n_factors(self) -> int:
        return int(self.item_factors.shape[1])


def surprise_dataset(ratings: pd.DataFrame, rating_scale: tuple[float, float]) -> Dataset:
    """Ratings as a Surprise dataset, in the row order given (Surprise's ids depend on it)."""
    reader = Reader(rating_scale=rating_scale)
    return Dataset.load_from_df(ratings[["userId", "movieId", "rating"]], reader)


def train_svd(data: Dataset, params: SVDParams) -> SVD:
    """Fit SVD on every rating (the seed's full trainset)."""
    algo = SVD(**params.surprise_kwargs())
    algo.fit(data.build_full_trainset())
    return algo


def export_factors(algo: SVD) -> Factors:
    """Read biases and vectors out of a fitted SVD, with raw ids, sorted by id."""
    trainset = algo.trainset
    user_ids = np.array([trainset.to_raw_uid(u) for u in range(trainset.n_users)], dtype=np.int64)
    item_ids = np.array([trainset.to_raw_iid(i) for i in range(trainset.n_items)], dtype=np.int64)
    users = np.argsort(user_ids, kind="stable")
    items = np.argsort(item_ids, kind="stable")
    return Factors(
        global_mean=float(trainset.global_mean),
        user_ids=user_ids[users],
        user_bias=np.asarray(algo.bu, dtype=np.float32)[users],
        user_factors=np.asarray(algo.pu, dtype=np.float32)[users],
        item_ids=item_ids[items],
        item_bias=np.asarray(algo.bi, dtype=np.float32)[items],
        item_factors=np.asarray(algo.qi, dtype=np.float32)[items],
    )


def holdout_metrics(
    data: Dataset, params: SVDParams, *, test_size: float = 0.2, random_state: int = 0
) -> dict[str, float]:
    """RMSE and MAE on a seeded random hold-out of ``test_size`` of the ratings."""
    trainset, testset = train_test_split(data, test_size=test_size, random_state=random_state)
    algo = SVD(**params.surprise_kwargs())
    algo.fit(trainset)
    predictions = algo.test(testset)
    return {
        "rmse": float(accuracy.rmse(predictions, verbose=False)),
        "mae": float(accuracy.mae(predictions, verbose=False)),
    }
