"""Content scores (the favourites' neighbour rows summed) against a brute-force oracle."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from staticrec.scoring.content import content_scores


def summed_one_by_one(model, favorites) -> np.ndarray:
    """The oracle: each favourite's row added in turn, element by element, in float64."""
    totals = [0.0] * model.n_items
    listed = [False] * model.n_items
    for favorite in favorites:
        items, sims = model.neighbors_of(favorite)
        for item, sim in zip(items.tolist(), sims.tolist(), strict=True):
            totals[item] += sim
            listed[item] = True
    return np.array([t if seen else np.nan for t, seen in zip(totals, listed, strict=True)])


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_sums_equal_one_favourite_after_another(recommender, data):
    model = recommender.model
    favorites = data.draw(st.lists(st.integers(0, model.n_items - 1), max_size=6))
    got = content_scores(model, np.array(favorites, dtype=np.int64))
    # the same additions in the same order: equal to the last bit, NaN where none lists it
    np.testing.assert_array_equal(got, summed_one_by_one(model, favorites))


def test_no_favourite_lists_nothing(recommender):
    assert np.isnan(content_scores(recommender.model, np.empty(0, dtype=np.int64))).all()
