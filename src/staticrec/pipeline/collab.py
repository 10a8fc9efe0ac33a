"""Stage 4: the collaborative model, scikit-surprise SVD, and its factors as plain arrays.

Surprise predicts ``global_mean + bu + bi + qi . pu`` clipped to the rating scale; exporting those
four pieces lets the browser predict without Surprise. This is the build half; the query half,
which scores with the exported factors, is ``staticrec.scoring.collab``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from surprise import SVD, Dataset, Reader, Trainset
from tqdm import tqdm

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


class ArrayTrainset(Trainset):
    """Surprise's full trainset, held in numpy arrays instead of Python lists of tuples.

    It yields the same ratings in the same order, with the same inner ids, as
    ``Dataset.build_full_trainset`` (users, then items, numbered by first appearance; each
    user's ratings in row order), so SVD learns the same factors to the last bit. It costs
    16 bytes a rating where Surprise's lists and tuples cost about 300: at 32M ratings, 0.5 GB
    instead of over 10. Only what SVD reads is kept: no ``ur``/``ir`` (SVD++ and the KNN
    algorithms need them; they get a Dataset's trainset).
    """

    _CHUNK = 1 << 20

    def __init__(
        self,
        ratings: pd.DataFrame,
        rating_scale: tuple[float, float],
        epochs: tqdm | None = None,
    ) -> None:
        """``epochs``: a progress bar, advanced once per pass over the ratings (SVD makes one
        pass per epoch)."""
        self._epochs = epochs
        users, user_ids = pd.factorize(ratings["userId"], sort=False)
        items, item_ids = pd.factorize(ratings["movieId"], sort=False)
        order = np.argsort(users, kind="stable")
        self.user_ids, self.item_ids = user_ids, item_ids
        """Raw ids by inner id (pandas Index: ``get_indexer`` maps raw ids back)."""
        self._users = users[order].astype(np.int32)
        self._items = items[order].astype(np.int32)
        self._ratings = ratings["rating"].to_numpy(dtype=np.float64)[order]
        super().__init__(
            ur=None,
            ir=None,
            n_users=len(user_ids),
            n_items=len(item_ids),
            n_ratings=len(ratings),
            rating_scale=rating_scale,
            raw2inner_id_users=dict(zip(user_ids.tolist(), range(len(user_ids)), strict=True)),
            raw2inner_id_items=dict(zip(item_ids.tolist(), range(len(item_ids)), strict=True)),
        )
        self._global_mean = float(np.mean(self._ratings))

    def all_ratings(self):
        """(inner user, inner item, rating), user by user, as Surprise's trainset yields them."""
        for start in range(0, self.n_ratings, self._CHUNK):
            end = start + self._CHUNK
            yield from zip(
                self._users[start:end].tolist(),
                self._items[start:end].tolist(),
                self._ratings[start:end].tolist(),
                strict=True,
            )
        if self._epochs is not None:
            self._epochs.update()

    def knows_user(self, uid) -> bool:
        return isinstance(uid, int | np.integer) and 0 <= uid < self.n_users

    def knows_item(self, iid) -> bool:
        return isinstance(iid, int | np.integer) and 0 <= iid < self.n_items


def train_svd(
    ratings: pd.DataFrame,
    rating_scale: tuple[float, float],
    params: SVDParams,
    progress: bool = False,
) -> SVD:
    """Fit SVD on every rating (the seed's full trainset), in ``ratings``' row order."""
    algo = SVD(**params.surprise_kwargs())
    with tqdm(total=params.n_epochs, desc="svd", unit="epoch", disable=not progress) as epochs:
        algo.fit(ArrayTrainset(ratings, rating_scale, epochs))
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
    ratings: pd.DataFrame,
    rating_scale: tuple[float, float],
    params: SVDParams,
    *,
    test_size: float = 0.2,
    max_ratings: int | None = None,
    random_state: int = 0,
) -> dict:
    """RMSE and MAE on a seeded random hold-out of ``test_size`` of the ratings.

    The split is Surprise's ``train_test_split(data, test_size, random_state=random_state)``,
    drawn the same way (so ml-latest-small reports the same figures), but trained on arrays and
    predicted in one vectorised pass: Surprise's Python lists and per-rating ``predict`` cost
    more than the training itself. With more than ``max_ratings`` ratings, the hold-out is drawn
    from a seeded sample of whole users holding at most that many, so that the metric costs a
    bounded share of the build (the figures then describe a model trained on fewer ratings:
    pessimistic).
    """
    sample, train, test = holdout_split(ratings, test_size, max_ratings, random_state)
    algo = train_svd(train, rating_scale, params)
    return holdout_scores(ratings, sample, test, predict(algo, test))


def holdout_split(
    ratings: pd.DataFrame, test_size: float, max_ratings: int | None, random_state: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(sample, train, test) of ``holdout_metrics``: every trainer is scored on these rows."""
    sample = ratings
    if max_ratings is not None and len(ratings) > max_ratings:
        sample = users_sample(ratings, max_ratings, random_state)
    n_test = math.ceil(test_size * len(sample))
    permutation = np.random.RandomState(random_state).permutation(len(sample))
    train = sample.iloc[permutation[: len(sample) - n_test]]
    test = sample.iloc[permutation[len(sample) - n_test :]]
    return sample, train, test


def holdout_scores(
    ratings: pd.DataFrame, sample: pd.DataFrame, test: pd.DataFrame, predicted: np.ndarray
) -> dict:
    """RMSE and MAE of ``predicted`` against the test ratings, and the sample drawn, if any."""
    errors = test["rating"].to_numpy(dtype=np.float64) - predicted
    scores = {
        "rmse": float(np.sqrt(np.mean(errors**2))),
        "mae": float(np.mean(np.abs(errors))),
    }
    if sample is not ratings:
        scores["sample"] = {"users": int(sample["userId"].nunique()), "ratings": len(sample)}
    return scores


def predict(algo: SVD, pairs: pd.DataFrame) -> np.ndarray:
    """``algo.predict(u, i).est`` for each (userId, movieId) row, at once: the mean, plus the
    bias of a known user and of a known movie, plus their dot product when both are known,
    clipped to the rating scale (Surprise's SVD.estimate, in its order of additions)."""
    trainset = algo.trainset
    u = trainset.user_ids.get_indexer(pairs["userId"])
    i = trainset.item_ids.get_indexer(pairs["movieId"])
    known_u, known_i = u >= 0, i >= 0
    est = np.full(len(pairs), trainset.global_mean)
    est += np.where(known_u, algo.bu[u], 0.0)
    est += np.where(known_i, algo.bi[i], 0.0)
    both = known_u & known_i
    est[both] += np.einsum("ij,ij->i", algo.qi[i[both]], algo.pu[u[both]])
    low, high = trainset.rating_scale
    return np.clip(est, low, high)


def predict_factors(
    factors: Factors, pairs: pd.DataFrame, rating_scale: tuple[float, float]
) -> np.ndarray:
    """``predict`` from exported factors (any trainer's): the same sum, the same clipping."""
    u, known_u = _positions(factors.user_ids, pairs["userId"].to_numpy())
    i, known_i = _positions(factors.item_ids, pairs["movieId"].to_numpy())
    est = np.full(len(pairs), factors.global_mean)
    est += np.where(known_u, factors.user_bias[u], 0.0)
    est += np.where(known_i, factors.item_bias[i], 0.0)
    both = known_u & known_i
    est[both] += np.einsum(
        "ij,ij->i",
        factors.item_factors[i[both]].astype(np.float64),
        factors.user_factors[u[both]].astype(np.float64),
    )
    return np.clip(est, *rating_scale)


def _positions(sorted_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ``ids`` in ``sorted_ids`` (0 where absent) and which are present."""
    at = np.minimum(np.searchsorted(sorted_ids, ids), max(len(sorted_ids) - 1, 0))
    found = sorted_ids[at] == ids if len(sorted_ids) else np.zeros(len(ids), dtype=bool)
    return np.where(found, at, 0), found


def users_sample(ratings: pd.DataFrame, max_ratings: int, seed: int) -> pd.DataFrame:
    """The ratings of whole users, drawn in a seeded order until ``max_ratings`` would be
    passed; rows keep their order."""
    counts = ratings["userId"].value_counts(sort=False)
    order = np.random.default_rng(seed).permutation(len(counts))
    within = np.cumsum(counts.to_numpy()[order]) <= max_ratings
    chosen = counts.index.to_numpy()[order][within]
    return ratings[ratings["userId"].isin(chosen)]
