"""Item-index scores (the query half of EASE) against a dense oracle, by either route."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from staticrec.scoring.collab_index import (
    contributions,
    packed_entries,
    strongest,
    strongest_sources,
    unpacked,
)


def sparse_index(model) -> sp.csr_matrix:
    """The pruned EASE weights as an n x n matrix (row: the rated movie), row by row."""
    rows, cols, values = [], [], []
    for row in range(model.n_items):
        targets, weights = model.collab_neighbors_of(row)
        rows += [row] * len(targets)
        cols += targets.tolist()
        values += weights.tolist()
    return sp.csr_matrix((values, (rows, cols)), shape=(model.n_items, model.n_items))


@pytest.fixture(scope="module")
def matrix(recommender):
    return sparse_index(recommender.model)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_both_routes_equal_the_matrix_product(recommender, matrix, data):
    model = recommender.model
    rated = np.flatnonzero(model.n_ratings > 0)
    size = data.draw(st.sampled_from([1, 5, 40, len(rated) * 4 // 5]))  # the last: a heavy rater
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    items = rng.choice(rated, size, replace=False)
    strengths = rng.choice([-2.0, -0.5, 0.0, 1.0, 2.5], size) * rng.random(size)
    x = np.zeros(model.n_items)
    x[items] = strengths
    totals = matrix.T @ x
    wanted = np.zeros(model.n_items, dtype=bool)
    wanted[rng.choice(model.n_items, 60, replace=False)] = True
    amounts = matrix[:, wanted].toarray() * x[:, None]  # rated movie x wanted movie
    best = amounts.max(axis=0)

    gathered = contributions(model, items, strengths, scan_all=False)
    scanned = contributions(model, items, strengths, scan_all=True)
    # NaN where the rated movies add nothing (never reached, or only by neutral ratings)
    np.testing.assert_allclose(gathered.scores, np.where(totals != 0, totals, np.nan), rtol=1e-9)
    # both add the rows in position order: the same sums to the last bit
    np.testing.assert_array_equal(gathered.scores, scanned.scores)
    for added in (gathered, scanned):
        sources = strongest_sources(model, added, np.flatnonzero(wanted))
        assert (sources[~wanted] == -1).all()
        chosen = sources[wanted]
        np.testing.assert_array_equal(chosen == -1, best <= 0)
        found = chosen >= 0  # the source found adds the most (any of equal ones)
        assert (amounts[chosen[found], np.flatnonzero(found)] == best[found]).all()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 2**31 - 1),
            st.floats(width=32, allow_nan=False, allow_infinity=False),
        ),
        max_size=50,
    )
)
def test_packed_entries_give_back_each_target_and_weight(pairs):
    targets = np.array([t for t, _ in pairs], dtype=np.int64)
    weights = np.array([w for _, w in pairs], dtype=np.float32)
    back_targets, back_weights = unpacked(packed_entries(targets, weights)[::-1][::-1])
    np.testing.assert_array_equal(back_targets, targets)
    np.testing.assert_array_equal(back_weights, weights)  # -0.0 and 0.0 compare equal
    assert np.signbit(back_weights).tolist() == np.signbit(weights).tolist()
    assert back_targets.dtype == np.intp


def test_the_order_of_the_ratings_changes_nothing(recommender):
    model = recommender.model
    items = np.flatnonzero(model.n_ratings > 20)[:30]
    strengths = np.linspace(-1, 2, len(items))
    forward = contributions(model, items, strengths)
    backward = contributions(model, items[::-1], strengths[::-1])
    np.testing.assert_array_equal(forward.scores, backward.scores)


def test_a_heavy_rater_scans_the_whole_index(recommender):
    model = recommender.model
    heavy = max(range(len(model.user_ids)), key=lambda u: len(model.rated_by(u)[0]))
    light = min(range(len(model.user_ids)), key=lambda u: len(model.rated_by(u)[0]))
    assert contributions(model, model.rated_by(heavy)[0]).entries is None
    assert contributions(model, model.rated_by(light)[0]).entries is not None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 7), st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.0]), st.integers(0, 99)
        ),
        max_size=40,
    )
)
def test_strongest_is_the_first_largest_positive_amount(entries):
    """Against a loop over the entries in the order given: ties go to the first one."""
    expected = np.full(8, -1)
    best = np.zeros(8)
    for target, amount, owner in entries:
        if amount > best[target]:
            best[target], expected[target] = amount, owner
    targets = np.array([t for t, _, _ in entries], dtype=np.intp)
    amounts = np.array([a for _, a, _ in entries], dtype=np.float64)
    owners = np.array([o for _, _, o in entries], dtype=np.int64)
    np.testing.assert_array_equal(strongest(8, targets, amounts, owners), expected)
