"""The also-liked counts (``pipeline.co_liked``): per pair of movies, how many users liked both,
by sparse products against a brute-force count, for any ratings and pairs (Hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from staticrec.pipeline.co_liked import co_liked_by_id

ratings_rows = st.lists(
    st.tuples(
        st.integers(1, 12), st.integers(1, 15), st.sampled_from([0.5, 2.0, 3.5, 4.0, 4.5, 5.0])
    ),
    max_size=120,
    unique_by=lambda row: row[:2],  # a user rates a movie once
)
pairs = st.lists(st.tuples(st.integers(1, 18), st.integers(1, 18)), min_size=1, max_size=40)


def brute_force(rows, anchor_ids, other_ids, threshold) -> list[int]:
    liked: dict[int, set[int]] = {}
    for user, movie, rating in rows:
        if rating >= threshold:
            liked.setdefault(movie, set()).add(user)
    pairs = zip(anchor_ids.tolist(), other_ids.tolist(), strict=True)
    return [len(liked.get(a, set()) & liked.get(b, set())) for a, b in pairs]


@settings(max_examples=200, deadline=None)
@given(rows=ratings_rows, shown=pairs, threshold=st.sampled_from([0.5, 4.0, 5.0]))
def test_counts_are_the_users_who_liked_both(rows, shown, threshold):
    """Movies nobody rated, pairs of a movie with itself, no likes at all: each count is the
    size of the two movies' liked sets' intersection."""
    table = np.array(rows, dtype=np.float64).reshape(-1, 3)
    users, movies, values = table[:, 0].astype(np.int64), table[:, 1].astype(np.int64), table[:, 2]
    anchor_ids, other_ids = (np.array(column, np.int64) for column in zip(*shown, strict=True))
    got = co_liked_by_id(users, movies, values, threshold, anchor_ids, other_ids)
    assert got.tolist() == brute_force(rows, anchor_ids, other_ids, threshold)


def test_partitions_of_whole_users_add_up_to_the_whole(rng):
    """What Spark's partitions do: the users split in parts, each part counted, the counts
    summed, give the count over every user."""
    n = 2000
    users = rng.integers(0, 80, n)
    movies = rng.integers(0, 60, n) * 7
    _, first = np.unique(np.stack([users, movies]), axis=1, return_index=True)
    users, movies = users[first], movies[first]
    values = rng.integers(1, 11, len(users)) / 2.0
    anchor_ids, other_ids = rng.integers(0, 60, 500) * 7, rng.integers(0, 60, 500) * 7
    whole = co_liked_by_id(users, movies, values, 4.0, anchor_ids, other_ids)
    parts = sum(
        co_liked_by_id(users[part], movies[part], values[part], 4.0, anchor_ids, other_ids)
        for part in (users % 3 == r for r in range(3))
    )
    assert whole.tolist() == parts.tolist() and whole.max() > 3
