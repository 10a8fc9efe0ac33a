"""top_n: the n best scores, ties broken by a rank, against a plain sort."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from staticrec.scoring.content import popularity_order
from staticrec.scoring.ranking import first_n, top_n

scores = arrays(
    np.float64,
    st.integers(0, 40),
    elements=st.sampled_from([0.0, 0.5, 1.0, 2.5, np.nan, -np.inf, np.inf, 3.0]),
)


@given(scores, st.integers(0, 45), st.data())
def test_top_n_equals_sorting_everything(values, n, data):
    size = len(values)
    exclude = data.draw(arrays(np.bool_, size))
    tie_rank = np.array(data.draw(st.permutations(range(size))), dtype=np.int64)
    got = top_n(values, n, exclude=exclude, tie_rank=tie_rank)
    eligible = [i for i in range(size) if np.isfinite(values[i]) and not exclude[i]]
    expected = sorted(eligible, key=lambda i: (-values[i], tie_rank[i]))[:n]
    assert got.tolist() == expected


def test_default_tie_rank_is_the_position():
    assert top_n(np.array([1.0, 2.0, 2.0, 2.0]), 2).tolist() == [1, 2]


@given(
    arrays(np.int64, st.integers(0, 40), elements=st.integers(0, 5)), st.integers(0, 45), st.data()
)
def test_first_n_of_the_popularity_order_is_top_n_of_the_counts(counts, n, data):
    """The most-rated list, ranked once, equals ranking the counts anew (ties: movieId)."""
    size = len(counts)
    exclude = data.draw(arrays(np.bool_, size))
    movie_ids = np.arange(size) * 3 + 1
    order = popularity_order(counts, movie_ids)
    tie_rank = np.empty(size, dtype=np.int64)
    tie_rank[order] = np.arange(size)
    expected = top_n(np.log1p(counts.astype(float)), n, exclude=exclude, tie_rank=tie_rank)
    assert first_n(order, n, exclude=exclude).tolist() == expected.tolist()
    assert first_n(order, n).tolist() == order[:n].tolist()
