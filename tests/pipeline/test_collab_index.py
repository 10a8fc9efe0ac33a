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
    gram_matrix,
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


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(1, 25), st.integers(0, 2**32 - 1), st.integers(1, 4000))
def test_gram_matrix_in_blocks_equals_the_whole_product(n_users, n_items, seed, block_bytes):
    x = (np.random.default_rng(seed).random((n_users, n_items)) < 0.4).astype(float)
    got = gram_matrix(sp.csr_matrix(x), np.float64, block_bytes)
    np.testing.assert_array_equal(got, x.T @ x)


@pytest.mark.parametrize("n_items", [1, 7, 600, 1100])  # one block, several, and a ragged end
def test_precision_is_the_symmetric_inverse_in_float64_and_close_in_float32(rng, n_items):
    x = (rng.random((3 * n_items + 5, n_items)) < 0.05).astype(float)
    expected = np.linalg.inv(x.T @ x + 30.0 * np.eye(n_items))
    exact = ease_precision(sp.csr_matrix(x), 30.0, np.float64)
    np.testing.assert_allclose(exact, expected, rtol=1e-9, atol=1e-14)
    single = ease_precision(sp.csr_matrix(x), 30.0, np.float32)
    assert single.dtype == np.float32
    assert np.abs(single - expected).max() <= 1e-5 * np.abs(expected).max()


def test_float32_index_keeps_nearly_the_same_weights_as_float64(ml_small):
    """The build's solve against the exact one on real data: the same rows, save a few entries
    within float32's rounding of the cut-off."""
    counts = ml_small.ratings["movieId"].value_counts()
    item_ids = np.sort(counts.index[counts >= 20].to_numpy())
    x = interactions(ml_small.ratings, item_ids)
    tie = np.arange(len(item_ids))
    budget = 50 * len(item_ids)
    single = strongest_ease_weights(ease_precision(x, 200.0), budget, tie)
    exact = strongest_ease_weights(ease_precision(x, 200.0, np.float64), budget, tie)
    pairs = set()
    for index in (single, exact):
        rows = np.repeat(np.arange(len(item_ids)), np.diff(index.indptr))
        pairs.add(frozenset(zip(rows.tolist(), index.neighbors.tolist(), strict=True)))
    a, b = pairs if len(pairs) == 2 else (next(iter(pairs)),) * 2
    assert len(a ^ b) <= 1e-3 * budget
    np.testing.assert_allclose(
        single.weights[: len(exact.weights) // 2],
        exact.weights[: len(exact.weights) // 2],
        rtol=1e-3,
        atol=1e-6,
    )


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
    index = strongest_ease_weights(ease_precision(x, l2, np.float64), budget, tie_order, chunk)
    dense = ease_weights(x, l2)
    for i, expected in enumerate(brute_strongest(dense, tie_order, budget)):
        got, weights = index.row(i)
        assert got.tolist() == expected
        np.testing.assert_allclose(weights, dense[i, expected].astype(np.float32), rtol=1e-5)


def test_the_builds_index_is_pruned_and_covers_the_rated_catalogue(recommender):
    """The default build's table, as the scoring core reads it."""
    model = recommender.model
    sizes = np.diff(model.collab_indptr)
    config = CollabIndexConfig()
    solved = model.n_ratings >= config.min_ratings
    assert (sizes[~solved] == 0).all()
    # pruning is global: a movie just above the floor whose every weight is weak keeps none
    # (13 of ml-latest-small's 3,650, each rated 5 or 6 times; the content list serves them)
    assert (sizes[solved] > 0).mean() > 0.99
    assert sizes.sum() >= config.weights_per_movie * solved.sum()  # ties kept
    assert (model.collab_weights < 0).any() and (model.collab_weights > 0).any()
    for i in np.flatnonzero(solved)[:200]:
        _, weights = model.collab_neighbors_of(i)
        assert (np.diff(weights) <= 0).all()
    toy_story = model.positions([1])[0]
    neighbours = model.item_ids[model.collab_neighbors_of(toy_story)[0]]
    assert 3114 in neighbours[:10]  # Toy Story 2


def test_min_ratings_leaves_rarely_rated_movies_out_of_the_index(ml_small):
    index = build_collab_index(ml_small, CollabIndexConfig(weights_per_movie=5, min_ratings=30))
    counts = ml_small.ratings["movieId"].value_counts()
    with_rows = set(index.item_ids[np.diff(index.indptr) > 0].tolist())
    assert with_rows == set(counts.index[counts >= 30].tolist())
    assert set(index.item_ids[index.neighbors].tolist()) <= with_rows


def test_a_catalogue_with_no_movie_rated_often_enough_has_an_empty_index(ml_small):
    """Nothing to solve is not an error: every movie's row is empty (the content and popularity
    lists answer for them)."""
    most = int(ml_small.ratings["movieId"].value_counts().max())
    index = build_collab_index(ml_small, CollabIndexConfig(min_ratings=most + 1))
    assert len(index.item_ids) == ml_small.movies["movieId"].nunique()
    assert index.indptr[-1] == 0 and len(index.neighbors) == 0


def test_max_items_keeps_the_most_rated(ml_small):
    index = build_collab_index(ml_small, CollabIndexConfig(weights_per_movie=5, max_items=100))
    with_rows = index.item_ids[np.diff(index.indptr) > 0]
    counts = ml_small.ratings["movieId"].value_counts()
    assert len(with_rows) <= 100 and set(with_rows) <= set(counts.index[:110])
    assert set(index.item_ids[index.neighbors]) <= set(with_rows)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("l2", 0.0),
        ("weights_per_movie", 0),
        ("min_ratings", 0),
        ("max_items", 0),
        ("max_items", 40000),
    ],
)
def test_config_is_checked(field, value):
    with pytest.raises(ConfigError) as error:
        CollabIndexConfig(**{field: value})
    assert error.value.field == field
