"""Stage 3d: the collaborative item index against a direct solve of EASE, and its pruning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from staticrec.errors import ConfigError
from staticrec.pipeline.collab_index import (
    CollabIndexConfig,
    build_collab_index,
    ease_precision,
    ease_weights,
    interactions,
    strongest_ease_weights,
)


def direct_ease(x: np.ndarray, l2: float) -> np.ndarray:
    """EASE by its definition, one column at a time: min |x_j - X b|^2 + l2 |b|^2 with b_j = 0.

    Each column is a ridge regression of movie j on every other movie: an oracle that shares
    nothing with the closed form under test.
    """
    n = x.shape[1]
    b = np.zeros((n, n))
    for j in range(n):
        others = [i for i in range(n) if i != j]
        design = x[:, others]
        solution = np.linalg.solve(design.T @ design + l2 * np.eye(n - 1), design.T @ x[:, j])
        b[others, j] = solution
    return b


def test_closed_form_equals_a_direct_solve(rng):
    x = (rng.random((40, 12)) < 0.3).astype(float)
    np.testing.assert_allclose(ease_weights(sp.csr_matrix(x), 3.0), direct_ease(x, 3.0), atol=1e-10)


def test_interactions_are_binary_and_keep_only_the_given_movies():
    ratings = pd.DataFrame(
        {"userId": [7, 7, 9, 9], "movieId": [1, 3, 3, 5], "rating": [0.5, 5.0, 3.0, 4.0]}
    )
    x = interactions(ratings, np.array([1, 3]))
    assert x.toarray().tolist() == [[1.0, 1.0], [0.0, 1.0]]


def brute_strongest(weights: np.ndarray, tie_order: np.ndarray, budget: int):
    """Rows of the ``budget`` strongest off-diagonal weights (float32 magnitudes, ties at the
    cut-off kept), each row sorted by (weight desc, tie rank asc)."""
    w = weights.astype(np.float32)
    n = len(w)
    rank = np.empty(n, dtype=np.int64)
    rank[tie_order] = np.arange(n)
    magnitudes = sorted((abs(w[i, j]) for i in range(n) for j in range(n) if i != j), reverse=True)
    magnitudes = [m for m in magnitudes if m > 0]
    if not magnitudes:
        return [[] for _ in range(n)]
    threshold = magnitudes[min(budget, len(magnitudes)) - 1]
    rows = []
    for i in range(n):
        kept = [(-w[i, j], rank[j], j) for j in range(n) if j != i and abs(w[i, j]) >= threshold]
        rows.append([j for _, _, j in sorted(kept)])
    return rows


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_pruned_index_keeps_the_strongest_weights_of_the_whole_matrix(data):
    n_users, n_items = data.draw(st.integers(2, 30)), data.draw(st.integers(2, 14))
    cells = data.draw(
        st.lists(st.booleans(), min_size=n_users * n_items, max_size=n_users * n_items)
    )
    x = sp.csr_matrix(np.array(cells, dtype=float).reshape(n_users, n_items))
    l2 = data.draw(st.sampled_from([0.5, 5.0, 50.0]))
    budget = data.draw(st.integers(1, n_items * n_items))
    tie_order = np.array(data.draw(st.permutations(range(n_items))), dtype=np.int64)
    chunk = data.draw(st.sampled_from([1, 300, 1 << 20]))
    index = strongest_ease_weights(ease_precision(x, l2), budget, tie_order, chunk)
    dense = ease_weights(x, l2)
    for i, expected in enumerate(brute_strongest(dense, tie_order, budget)):
        got, weights = index.row(i)
        assert got.tolist() == expected
        np.testing.assert_allclose(weights, dense[i, expected].astype(np.float32), rtol=1e-5)


def test_the_builds_index_is_pruned_and_covers_the_rated_catalogue(recommender):
    """The default build's table, as the scoring core reads it."""
    model = recommender.model
    sizes = np.diff(model.collab_indptr)
    rated = model.n_ratings > 0
    assert (sizes[~rated] == 0).all()
    assert sizes.sum() >= CollabIndexConfig().weights_per_movie * rated.sum()  # ties kept
    assert (model.collab_weights < 0).any() and (model.collab_weights > 0).any()
    for i in np.flatnonzero(rated)[:200]:
        _, weights = model.collab_neighbors_of(i)
        assert (np.diff(weights) <= 0).all()
    toy_story = model.positions([1])[0]
    neighbours = model.item_ids[model.collab_neighbors_of(toy_story)[0]]
    assert 3114 in neighbours[:10]  # Toy Story 2


def test_max_items_keeps_the_most_rated(ml_small):
    index = build_collab_index(ml_small, CollabIndexConfig(weights_per_movie=5, max_items=100))
    with_rows = index.item_ids[np.diff(index.indptr) > 0]
    counts = ml_small.ratings["movieId"].value_counts()
    assert len(with_rows) <= 100 and set(with_rows) <= set(counts.index[:110])
    assert set(index.item_ids[index.neighbors]) <= set(with_rows)


@pytest.mark.parametrize(
    ("field", "value"),
    [("l2", 0.0), ("weights_per_movie", 0), ("max_items", 0), ("max_items", 40000)],
)
def test_config_is_checked(field, value):
    with pytest.raises(ConfigError) as error:
        CollabIndexConfig(**{field: value})
    assert error.value.field == field
